"""The scanned page as a second reader on the entry screen, photographed at 1,366 × 768 (issue 14).

On the written ward of the tests (``tests/second_read_ward.py``: a vital-signs chart and a
medication record printed, written on, rasterised at 200 dpi, degraded, imported and typed with
four known differences), under a real X server and window manager (``bench/x_display.py``), a
nurse opens the chart: the marks land on the disagreeing cells, F8 frames the first one's box on
the scanned page, F8 again the field written and not typed; « Feuille terminée » asks the reason;
the medication record; the progress screen's count. PNG files of the whole X screen.

It also prints how long after the sheet opened the marks appeared, and the longest the GUI
thread went without serving its event loop meanwhile (the page is read off it).

    .venv/bin/python bench/screenshots_paper.py --out /tmp/shots14 [--lang en]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import fit_report, settle, shoot, wait_for  # noqa: E402
from second_read_ward import NOW, build  # noqa: E402
from x_display import x_display  # noqa: E402

PASSWORD = "relecture-papier-2026"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots-paper"))
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--size", default="1366x768")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, x_display(args.size):
        ward = build(Path(folder))
        return shoot_all(ward, args.out, args.lang)


def shoot_all(ward, out: Path, lang: str) -> int:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtTest import QTest

    from reentry.auth import set_password
    from reentry.config import Settings
    from reentry.store import open_store
    from ui.app import prepare_application
    from ui.progress_view import ProgressDialog
    from ui.reentry_window import ReentryWindow

    store = open_store(ward.db)
    try:
        found = store.password_hash("mdupont")
        assert found is not None
        set_password(store, found[0], PASSWORD)
    finally:
        store.close()
    prepare_application(Settings(language=lang))
    window = ReentryWindow(ward.db, now=lambda: NOW + timedelta(hours=1))
    window.showMaximized()
    settle()
    assert window.store is not None
    window.session.sign_in(window.store, "mdupont", PASSWORD)
    settle(300)
    screen = window.entry
    count = 0

    def take(name: str, widget) -> None:
        nonlocal count
        settle(600)
        count += 1
        path = out / f"{count:02d}-{name}.png"
        shoot(path)
        print(f"{path.name}: {fit_report(widget)}", flush=True)

    # The GUI thread's longest pause while the page is read beside it.
    ticks = QElapsedTimer()
    longest = [0]

    def tick() -> None:
        longest[0] = max(longest[0], ticks.restart())

    beat = QTimer()
    beat.setInterval(5)
    beat.timeout.connect(tick)
    marked: list[bool] = []
    screen.paper.changed.connect(lambda: marked.append(True))
    began = time.perf_counter()
    window.open_code(ward.vitals.code(1))
    opened = time.perf_counter() - began
    ticks.start()
    beat.start()
    wait_for(lambda: bool(marked), 30)
    shown_after = time.perf_counter() - began
    beat.stop()
    print(f"sheet opened in {opened * 1000:.0f} ms (GUI thread); marks shown "
          f"{shown_after * 1000:.0f} ms after the scan; the GUI thread's longest pause between "
          f"the sheet on screen and the marks: {longest[0]} ms", flush=True)
    wait_for(screen.scan_panel.has_image, 10)
    take("entry-marks", window)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_F8)
    take("entry-differs-framed", window)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_F8)
    take("entry-written-not-typed", window)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_F9)
    dialog = screen.finish_dialog
    assert dialog is not None
    dialog.reason_edit.setText("valeur barrée sur le papier")  # QTest types ASCII only
    take("finish-reason", dialog)
    dialog.reject()
    settle(200)
    marked.clear()
    window.open_code(ward.mar.code(1))
    wait_for(lambda: bool(marked), 30)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_F8)
    take("entry-mar-differs", window)
    progress = ProgressDialog(ward.db, window)
    refreshed: list[bool] = []
    progress.refreshed.connect(lambda: refreshed.append(True))
    progress.showMaximized()
    progress.refresh()
    wait_for(lambda: bool(refreshed), 30)
    take("progress-disagreements", progress)
    progress.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
