"""Quitting while background work runs: told to stop, its late result dropped, no traceback.

A task still running when the application quits used to print « RuntimeError: Signal source has
been deleted » on stderr once its work ended: Python's exit tears objects down in no set order,
and the worker could go before its thread had stopped. Each scenario runs in a process of its
own (offscreen), as the app runs: the application quits while the work runs, then Python exits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import sys, time
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from reentry.errors import Cancelled
from ui.tasks import BackgroundTask, QuietRefresh, QuietTask

app = QApplication(sys.argv)

def slow():
    time.sleep(0.8)
    return "late"

def delivered(*args):
    print("delivered", *args, flush=True)
"""

SCENARIOS = {
    # Python's exit deleting the worker before its thread has stopped, made certain: the worker
    # deleted right after the application quit, while its work would still run.
    "worker_deleted_at_exit": """
owner = QObject()
task = QuietTask(owner, slow)
task.succeeded.connect(delivered)
task.start()
QTimer.singleShot(100, app.quit)
app.exec()
shiboken6.delete(task.worker)
time.sleep(1.0)  # the work would have ended by now
QCoreApplication.processEvents()  # a late result would be delivered here
print("exited", flush=True)
""",
    # as the app quits: the event loop ends, then the interpreter, the task still running
    "quiet_task": """
owner = QWidget()
task = QuietTask(owner, slow)
task.succeeded.connect(delivered)
task.start()
QTimer.singleShot(100, app.quit)
code = app.exec()
time.sleep(1.0)  # the work would have ended by now
QCoreApplication.processEvents()  # a late result would be delivered here
print("exited", flush=True)
sys.exit(code)
""",
    "quiet_refresh": """
owner = QWidget()
refresh = QuietRefresh(owner)
refresh.succeeded.connect(delivered)
refresh.run(lambda: slow)
QTimer.singleShot(100, app.quit)
code = app.exec()
time.sleep(1.0)
QCoreApplication.processEvents()
print("exited", flush=True)
sys.exit(code)
""",
    # a task whose work checks its token: told to stop, it ends at once, not after 5 s
    "background_task": """
def steps(progress, token):
    for _ in range(100):
        token.check()
        time.sleep(0.05)
    return "late"

owner = QWidget()
task = BackgroundTask(owner, steps, "travail")
task.succeeded.connect(delivered)
task.cancelled.connect(delivered)
task.start()
QTimer.singleShot(100, app.quit)
code = app.exec()
print("told to stop:", task.token.cancelled, flush=True)
QCoreApplication.processEvents()
print("exited", flush=True)
sys.exit(code)
""",
}


def run_offscreen(prelude: str, scenario: str, *args: str
                  ) -> subprocess.CompletedProcess[str]:
    """``prelude`` then ``scenario`` run in a Python process of their own (offscreen, this
    checkout's code), with ``args`` as its ``sys.argv[1:]``: what it printed and its code."""
    script = textwrap.dedent(prelude) + textwrap.dedent(scenario)
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                       "PYTHONPATH": os.pathsep.join([str(ROOT),
                                                      os.environ.get("PYTHONPATH", "")])})


def run(scenario: str) -> subprocess.CompletedProcess[str]:
    return run_offscreen(PRELUDE, SCENARIOS[scenario])


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_quitting_while_a_task_runs_is_clean(scenario):
    done = run(scenario)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr[-2000:]
    assert "exited" in done.stdout
    assert "delivered" not in done.stdout  # the late result reached no one
    if scenario == "background_task":
        assert "told to stop: True" in done.stdout  # its work was cancelled, not run out
