"""Closing the print station while it is still estimating the wards' pages returns at once the
estimate is over: the application never hangs on a thread left waiting for its stop."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

import ui.print_station
from reentry.config import Settings
from reentry.demo import create_demo
from reentry.store import open_store
from ui.print_station import PrintStationDialog

pytestmark = [pytest.mark.qt]

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
ESTIMATE_SECONDS = 0.3
HANG_SECONDS = 10  # far beyond the estimate: only a hang gets there


@pytest.fixture
def hospital(db_path):
    store = open_store(db_path)
    create_demo(store, patients=4, seed=7, as_of=AS_OF)
    store.close()
    return db_path


@pytest.mark.parametrize("close", ["reject", "close"])
def test_closing_during_an_estimate_returns(qtbot, hospital, monkeypatch, close):
    started = threading.Event()

    def slow_estimate(*_args, **_kwargs):
        started.set()
        time.sleep(ESTIMATE_SECONDS)  # a large hospital being planned
        return []

    monkeypatch.setattr(ui.print_station, "estimate_wards", slow_estimate)
    dialog = PrintStationDialog(hospital, Settings(), printers=lambda: [], now=lambda: AS_OF)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.refresh_estimates()
    task = dialog.estimating
    assert task is not None and started.wait(5)
    # Should closing hang again, this ends the thread's loop from outside so that the test
    # fails instead of hanging the suite.
    watchdog = threading.Timer(HANG_SECONDS, task.worker_thread.quit)
    watchdog.start()
    began = time.monotonic()
    try:
        getattr(dialog, close)()
    finally:
        watchdog.cancel()
    assert time.monotonic() - began < HANG_SECONDS / 2
    assert task.worker_thread.isFinished() and not dialog.isVisible()
