"""How long the viewer's screen freezes, on the embedded file and on a server (issue 11, item 7).

The viewer reads its lists (wards, census, dossier) in a thread of its own (``ui.store_reader``),
so the GUI thread only asks and paints. This prints, on a demo hospital of ``--patients``
inpatients, on SQLite and on a private PostgreSQL server (``tests/postgres_fixture.py``) side by
side:

* the open: from ``load()`` to the wards on screen;
* a ward chosen: the time the click holds the GUI thread, the time until its patients are on
  screen, and what the same read costs when called directly (what the click held before);
* a patient chosen: the same for the dossier;
* the longest freeze of the GUI thread over all of it: the longest gap between the ticks of a
  10 ms timer (a frozen screen stops them);
* a server that accepts the connection and then never answers (a hung server or a half-cut
  network): the time until the offline copy is on screen (the 5 s connect timeout) and the
  longest freeze meanwhile.

No assertion; the figures depend on the machine's load, printed with them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_viewer_reads.py [--patients 2000]
        [--rounds 3] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_store_backends import load, server_url  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reentry import display  # noqa: E402
from reentry.config import Settings  # noqa: E402
from reentry.demo import create_demo  # noqa: E402
from reentry.printing.prepare import offline_copy_path  # noqa: E402
from reentry.store import open_store  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = AS_OF + timedelta(hours=1)


class FreezeMeter:
    """A 10 ms timer on the GUI thread: the longest gap between its ticks is the longest time
    the screen could not repaint."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()


def wait_signal(signal, start: Callable[[], None], timeout_s: float = 60) -> float:
    """Seconds from ``start()`` to ``signal``, the event loop running meanwhile."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    began = time.perf_counter()
    start()
    loop.exec()
    signal.disconnect(loop.quit)
    return time.perf_counter() - began


def held(action: Callable[[], None]) -> float:
    """Seconds the GUI thread spends in ``action`` itself."""
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def measure(location, rounds: int) -> dict[str, str]:
    window = MainWindow(location, Settings(), now=lambda: NOW)
    window.show()
    meter = FreezeMeter()
    meter.start()
    opened = wait_signal(window.loaded, window.load)
    direct = open_store(location)
    wards = [w.code for w in direct.wards() if any(True for _ in direct.census(w.code))]
    click_held, click_shown, click_direct = [], [], []
    dossier_held, dossier_shown, dossier_direct = [], [], []
    for _ in range(rounds):
        for ward in wards:
            click_held.append(0.0)

            def choose(ward: str = ward) -> None:
                click_held[-1] = held(lambda: window.wards.select_ward(ward))

            click_shown.append(wait_signal(window.census_loaded, choose))
            click_direct.append(held(lambda ward=ward: direct.census(ward)))
            patient = window.census.rows()[0].patient.id
            dossier_held.append(held(lambda patient=patient: window.census.select_patient(
                patient)))
            began = time.perf_counter()
            while window.dossier.patient_id != patient and time.perf_counter() - began < 30:
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            dossier_shown.append(time.perf_counter() - began)
            since = display.dossier_since(direct.latest_snapshot(), NOW, 24.0)
            dossier_direct.append(held(lambda patient=patient, since=since: direct.dossier(
                patient, since=since)))
    direct.close()
    longest = meter.longest
    window.close()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f} / {max(values) * 1000:.1f}"

    return {"open → wards shown (s)": f"{opened:.2f}",
            "ward: GUI thread held, median / max (ms)": ms(click_held),
            "ward: patients on screen (ms)": ms(click_shown),
            "ward: the same read on the GUI thread (ms)": ms(click_direct),
            "patient: GUI thread held (ms)": ms(dossier_held),
            "patient: dossier on screen (ms)": ms(dossier_shown),
            "patient: the same read on the GUI thread (ms)": ms(dossier_direct),
            "longest freeze over all of it (ms)": f"{longest * 1000:.0f}"}


@contextmanager
def hung_server() -> Iterator[str]:
    """A port that takes TCP connections into its backlog and never answers them."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"postgresql://reentry:secret@127.0.0.1:{listener.getsockname()[1]}/reentry"


def measure_cut(sqlite_path: Path, folder: Path) -> dict[str, str]:
    source = open_store(sqlite_path)
    target = offline_copy_path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    source.write_offline_copy(target, [source.census()[0].ward.code])
    source.close()
    with hung_server() as url:
        window = MainWindow(url, Settings(offline_dir=str(folder)), now=lambda: NOW)
        window.show()
        meter = FreezeMeter()
        meter.start()
        opened = wait_signal(window.loaded, window.load, timeout_s=60)
        shown = window.offline is not None
        longest = meter.longest
        window.close()
    return {"hung server → offline copy on screen (s)": f"{opened:.2f}"
            + ("" if shown else " (copy NOT opened)"),
            "longest freeze meanwhile (ms)": f"{longest * 1000:.0f}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="viewer-bench-")))
        url, described = stack.enter_context(server_url(args.postgres_url))
        locations = {"SQLite": folder / "reentry.sqlite", "PostgreSQL": url}
        for location in locations.values():
            store = open_store(location)
            create_demo(store, patients=args.patients, seed=11, as_of=AS_OF)
            store.close()
        print(f"Demo hospital of {args.patients} inpatients; server: {described}")
        results = {name: measure(location, args.rounds) for name, location in locations.items()}
        width = max(len(label) for label in results["SQLite"])
        print(f"{'':{width}}  {'SQLite':>16}  {'PostgreSQL':>16}")
        for label in results["SQLite"]:
            print(f"{label:{width}}  {results['SQLite'][label]:>16}  "
                  f"{results['PostgreSQL'][label]:>16}")
        for label, value in measure_cut(locations["SQLite"], folder / "poste").items():
            print(f"{label:{width}}  {value:>16}")
        print(load())


if __name__ == "__main__":
    main()
