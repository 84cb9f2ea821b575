"""The screen half of ``bench/bench_scan.py``: from a scanned code to the entry form painted.

Kept beside the screen it measures so the benchmark follows the screen as it changes. One
offscreen entry screen per store is built once and reused, as the re-entry window does.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication

from reentry.domain.entry import User
from reentry.entry import service
from reentry.store.areas import Store
from ui.entry_screen import EntryScreen

_screens: dict[int, EntryScreen] = {}
_apps: list[QApplication] = []  # the application must outlive every call


def _screen_for(store: Store, user: User) -> EntryScreen:
    screen = _screens.get(id(store))
    if screen is None:
        screen = EntryScreen(store)
        screen.set_user(user)
        screen.resize(1300, 860)
        screen.show()
        _screens[id(store)] = screen
    return screen


def time_scan_to_form(store: Store, user: User, code: str) -> float:
    """Seconds from the code to the sheet laid out and painted (the core lookup included)."""
    app = QApplication.instance()
    if app is None:
        _apps.append(QApplication([]))
        app = _apps[0]
    screen = _screen_for(store, user)
    began = time.perf_counter()
    screen.show_sheet(service.open_sheet(store, code, user))
    screen.repaint()
    app.processEvents()
    return time.perf_counter() - began
