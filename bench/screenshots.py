"""Each main screen of the app on a 1,366 × 768 ward PC, as PNG files anyone can look at.

Run by ``scripts/screenshots.sh``, which starts Xvfb at 1,366 × 768 with a window manager
(openbox) and builds the outage demo; this script then opens every screen the way a person
does (maximised, signed in once for the whole app), lets it paint, and photographs the whole
X screen with ImageMagick's ``import`` (window frame and title included), or Qt's own grab when
``import`` is missing.

    DISPLAY=:99 .venv/bin/python bench/screenshots.py --db demo.sqlite --out shots/ \
        --accounts demo.txt

``--accounts`` is what ``reentry demo`` printed: each account's password, printed once, with
which the nurse and the quality officer sign in as they would at the keyboard.

For each screen it prints the file, the window's size and whether the screen is too small for
it (its minimum size hint larger than the space the window manager gives): a screen that does
not fit is clipped on a ward PC.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from reentry.config import Settings
from reentry.i18n import tr
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store
from ui.app import prepare_application
from ui.event_window import EventWindow
from ui.file_chooser import FileChooser
from ui.main_window import MainWindow
from ui.print_station import PrintStationDialog
from ui.progress_view import ProgressDialog
from ui.reentry_window import ReentryWindow
from ui.review_window import ReviewWindow
from ui.scan_import import ScanImportWindow
from ui.scan_queue import ScanQueueWindow

SETTLE_MS = 900  # background reads (tables, estimates) land and paint


def settle(ms: int = SETTLE_MS) -> None:
    """Let the event loop run ``ms`` milliseconds: timers, background results, painting."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(done: Callable[[], bool], seconds: float = 60) -> None:
    """Let background work finish (an estimate, a read) before the photograph."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        settle(100)


def shoot(path: Path) -> None:
    """The whole X screen, as the person in front of it sees it."""
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", str(path)], check=True)
        return
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(0).save(str(path))


def fit_report(window: QWidget) -> str:
    """« fits » or what does not: the space the window manager gives against what it needs."""
    available = window.screen().availableGeometry().size()
    frame = window.frameGeometry().size()
    needed: QSize = window.minimumSizeHint().expandedTo(window.minimumSize())
    extra = frame - window.size()  # the title bar and borders
    room = available - extra
    problems = []
    if needed.width() > room.width():
        problems.append(f"needs {needed.width()} px wide, has {room.width()}")
    if needed.height() > room.height():
        problems.append(f"needs {needed.height()} px high, has {room.height()}")
    size = f"{window.width()}×{window.height()} in {available.width()}×{available.height()}"
    return f"{size}: " + ("; ".join(problems) if problems else "fits")


class Shots:
    def __init__(self, db: Path, out: Path) -> None:
        self.db, self.out = db, out
        self.count = 0
        self.main = MainWindow(db, Settings())
        self.main.showMaximized()
        opened: list[bool] = []
        self.main.loaded.connect(opened.append)
        self.main.load()  # opened and read off the GUI thread
        wait_for(lambda: bool(opened))
        settle()

    def take(self, name: str, window: QWidget, *, maximise: bool = True,
             prepare: Callable[[], None] | None = None) -> None:
        if maximise:
            window.showMaximized()
        else:
            window.show()
        window.raise_()
        window.activateWindow()
        settle()
        if prepare is not None:
            prepare()
            settle()
        self.count += 1
        path = self.out / f"{self.count:02d}-{name}.png"
        shoot(path)
        print(f"{path.name}: {window.windowTitle()} — {fit_report(window)}", flush=True)


def sheet_codes(db: Path) -> dict[str, str]:
    """A printed sheet of each form, not yet typed: what a nurse scans."""
    store = open_store(db)
    try:
        codes: dict[str, str] = {}
        for sheet in tracked_sheets(store):
            if sheet.template_id not in codes and sheet.rows_entered == 0 and sheet.ipp:
                instance = store.form_instance(sheet.serial)
                if instance is not None:
                    codes[sheet.template_id] = instance.code(1)
        return codes
    finally:
        store.close()


def demo_passwords(printed: Path) -> dict[str, str]:
    """The passwords ``reentry demo`` printed, one ``  name (role) : password`` line each."""
    found = re.findall(r"^ +(\S+) \([a-z_]+\) : (\S+)$", printed.read_text(encoding="utf-8"),
                       flags=re.MULTILINE)
    return dict(found)


def run(db: Path, out: Path, username: str, quality: str, vigilance: str,
        passwords: dict[str, str]) -> int:
    shots = Shots(db, out)
    main = shots.main
    session = main.session

    # The viewer: a ward, a patient, the dossier.
    wards = main.wards
    first_site = wards.site_items()[0]
    ward_items = wards.ward_items(first_site)
    if ward_items:
        census: list[bool] = []
        main.census_loaded.connect(lambda: census.append(True))
        wards.setCurrentItem(ward_items[0])
        wait_for(lambda: bool(census))  # read off the GUI thread
        settle(300)
        if main.census.topLevelItemCount():
            main.census.setCurrentItem(main.census.topLevelItem(0))
    shots.take("viewer-dossier", main, prepare=lambda: wait_for(
        lambda: main.dossier.patient_id is not None or not main.census.topLevelItemCount()))
    dialog = main.open_patient_search()
    if dialog is not None:
        shots.take("viewer-search", dialog, maximise=False,
                   prepare=lambda: dialog.field.setText("ma"))
        dialog.close()
    sign_in = main.open_sign_in()
    shots.take("sign-in", sign_in, maximise=False)
    sign_in.close()
    assert main.store is not None
    session.sign_in(main.store, username, passwords[username])
    settle(100)

    # Re-entry: the scan page, then one sheet of each form.
    reentry = ReentryWindow(db, Settings(), main, session=session)
    shots.take("reentry-scan", reentry)
    for template, code in sheet_codes(db).items():
        reentry.open_code(code)
        shots.take(f"reentry-{template}", reentry)
        if hasattr(reentry.entry, "save_draft"):
            reentry.entry.save_draft()
        reentry.show_scan_page(None)
    reentry.close()

    scan_import = ScanImportWindow(db, main, session=session)
    shots.take("scan-import", scan_import)
    # the scan import's own chooser, as Qt draws it (not the desktop's), in the app's language
    chooser = FileChooser(scan_import, tr("scan_ui.import_choose_files_title"), "",
                          tr("scan_ui.import_file_filter", patterns="*.pdf *.png *.tif"))
    chooser.setOption(QFileDialog.Option.DontUseNativeDialog)
    shots.take("file-chooser", chooser, maximise=False)
    chooser.close()
    scan_import.close()
    queue = ScanQueueWindow(db, main, session=session)
    shots.take("scan-queue", queue)
    queue.close()

    progress = ProgressDialog(db, main)
    done: list[bool] = []
    progress.refreshed.connect(lambda: done.append(True))
    progress.refresh()
    shots.take("progress", progress, prepare=lambda: wait_for(lambda: bool(done)))
    progress.close()

    printing = PrintStationDialog(db, Settings(), main, session=session)
    printing.refresh_estimates()
    shots.take("print-station", printing, prepare=lambda: wait_for(
        lambda: printing.estimating is None))
    printing.close()

    event = EventWindow(db, Settings(), main, session=session)
    shots.take("event", event)
    event.close()

    assert main.store is not None
    session.sign_in(main.store, quality, passwords[quality])  # the quality officer's own PC
    review = ReviewWindow(db, main, session=session)
    shots.take("review-flags", review)
    # the identity-vigilance cell links provisional identities (the quality officer may not)
    session.sign_in(main.store, vigilance, passwords[vigilance])
    settle()
    review.tabs.setCurrentIndex(1)
    cases = review.identities.cases
    if cases.rowCount():
        cases.selectRow(0)  # its candidates, scores and traits beside it
    shots.take("review-identities", review)
    review.close()

    main.close()
    print(f"{shots.count} screenshots in {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--user", default="aurore.petit", help="who types (a demo nurse)")
    parser.add_argument("--quality", default="qualite", help="who reviews (the demo's quality)")
    parser.add_argument("--vigilance", default="idv",
                        help="who links provisional identities (the demo's identity vigilance)")
    parser.add_argument("--accounts", type=Path, required=True,
                        help="what reentry demo printed (the accounts' passwords)")
    parser.add_argument("--lang", default="fr")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = prepare_application(Settings(language=args.lang))
    began = time.perf_counter()
    code = run(args.db, args.out, args.user, args.quality, args.vigilance,
               demo_passwords(args.accounts))
    print(f"done in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    QCoreApplication.processEvents()
    del app
    return code


if __name__ == "__main__":
    sys.exit(main())
