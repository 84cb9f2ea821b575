"""A window's threads never outlive it: destroyed without being closed (Python's garbage
collector, a crash path), its reader and background tasks end their threads first instead of Qt aborting the app."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.qt

SCRIPT = textwrap.dedent("""
    import sys
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEventLoop, QObject
    from reentry.store import open_store
    from reentry.store.location import parse_location
    from ui.store_reader import StoreReader

    app = QCoreApplication([])
    open_store(sys.argv[1]).close()
    window = QObject()
    reader = StoreReader(window, parse_location(sys.argv[1]), open_store)
    answers = []
    loop = QEventLoop()
    reader.read(lambda store: store.counts()["patients"],
                lambda n: (answers.append(n), loop.quit()), lambda e: loop.quit())
    loop.exec()
    assert answers == [0], answers
    thread = reader.worker_thread
    assert thread.isRunning()
    shiboken6.delete(window)  # the window goes without being closed, its reader with it

    import time
    from ui.tasks import QuietTask
    owner = QObject()
    task = QuietTask(owner, lambda: time.sleep(0.3))
    task.start()
    shiboken6.delete(owner)  # while its work runs
    print("survived")
""")


def test_a_reader_destroyed_with_an_unclosed_window_stops_its_thread(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "reentry.sqlite")],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0 and "survived" in done.stdout, done.stderr[-2000:]
