"""Quitting while a store reader reads: told to stop, its late answer dropped, no traceback.

A reader still reading when the application quit used to print « RuntimeError: Signal source
has been deleted » on stderr once its read ended (about 4 runs in 5): Python's exit tears
objects down in no set order, and the reader's worker could go before its thread had stopped.
Each scenario runs in a process of its own (offscreen), as the app runs: the application quits
while a read runs, then Python exits. The same is checked of background tasks in
tests/test_ui_tasks_exit.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_ui_tasks_exit import run_offscreen

pytestmark = pytest.mark.qt

PRELUDE = """
import sys, threading, time
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from reentry.store import open_store
from reentry.store.location import parse_location
from ui.store_reader import StoreReader

app = QApplication(sys.argv)
path = sys.argv[1]
open_store(path).close()

def opener(location):  # the store, saying in which thread it is closed
    store = open_store(location)
    close = store.close
    def closing():
        print("closed in the reader's thread:",
              threading.current_thread() is not threading.main_thread(), flush=True)
        close()
    store.close = closing
    return store

def slow(store):
    time.sleep(0.8)
    return store.counts()["patients"]

def queued(store):
    print("queued read ran", flush=True)
    return 0

def delivered(*args):
    print("delivered", *args, flush=True)
"""

SCENARIOS = {
    # as the app quits: the event loop ends, then the interpreter, a read running and another
    # queued behind it
    "reading": """
owner = QWidget()
reader = StoreReader(owner, parse_location(path), opener)
reader.read(slow, delivered, delivered)
reader.read(queued, delivered, delivered)
QTimer.singleShot(100, app.quit)
code = app.exec()
print("thread running:", reader.worker_thread.isRunning(), flush=True)
time.sleep(1.0)  # the read would have ended by now
QCoreApplication.processEvents()  # a late answer would be delivered here
print("exited", flush=True)
sys.exit(code)
""",
    # Python's exit deleting the worker before its thread has stopped, made certain: the worker
    # deleted right after the application quit, while its read would still run
    "worker_deleted_at_exit": """
owner = QObject()
reader = StoreReader(owner, parse_location(path), opener)
reader.read(slow, delivered, delivered)
QTimer.singleShot(100, app.quit)
app.exec()
shiboken6.delete(reader.worker)
time.sleep(1.0)
QCoreApplication.processEvents()
print("exited", flush=True)
""",
    # the worker deleted in the middle of its read (the application never ran its loop, so
    # nobody stopped it first): its answer goes to no one, silently
    "worker_deleted_mid_read": """
owner = QObject()
reader = StoreReader(owner, parse_location(path), opener)
reader.read(slow, delivered, delivered)
time.sleep(0.2)  # the read is under way
shiboken6.delete(reader.worker)
time.sleep(1.0)
QCoreApplication.processEvents()
reader.close()
reader.wait()
print("exited", flush=True)
""",
    # the main window's way when its database closes: the reader closed, not waited for (a read
    # on a cut network may take seconds), then the application quits while the read runs
    "closed_then_quit": """
owner = QWidget()
reader = StoreReader(owner, parse_location(path), opener)
reader.read(slow, delivered, delivered)
QTimer.singleShot(50, reader.close)
QTimer.singleShot(100, app.quit)
code = app.exec()
print("thread running:", reader.worker_thread.isRunning(), flush=True)
time.sleep(1.0)
QCoreApplication.processEvents()
print("exited", flush=True)
sys.exit(code)
""",
    # the window destroyed unclosed while a read runs, then the application quits
    "window_destroyed": """
owner = QWidget()
reader = StoreReader(owner, parse_location(path), opener)
thread = reader.worker_thread
reader.read(slow, delivered, delivered)
reader.read(queued, delivered, delivered)
QTimer.singleShot(100, lambda: shiboken6.delete(owner))
QTimer.singleShot(150, app.quit)
code = app.exec()
time.sleep(1.0)
QCoreApplication.processEvents()
print("exited", flush=True)
sys.exit(code)
""",
}


def run(scenario: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_offscreen(PRELUDE, SCENARIOS[scenario], str(tmp_path / "reentry.sqlite"))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_quitting_while_a_read_runs_is_clean(scenario, tmp_path):
    done = run(scenario, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr[-2000:]
    assert "exited" in done.stdout, done.stdout
    assert "delivered" not in done.stdout  # the late answer reached no one
    assert "queued read ran" not in done.stdout  # nor was the read queued behind it run
    # the read in progress ended before the application did
    assert "thread running: True" not in done.stdout
    assert "closed in the reader's thread: False" not in done.stdout
    if scenario != "worker_deleted_mid_read":  # its connection went with the worker
        assert "closed in the reader's thread: True" in done.stdout, done.stdout
