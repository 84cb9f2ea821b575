"""UI tests act as a person does: open a window, sign in (name, then password), scan codes, all
from the keyboard."""

from __future__ import annotations

import threading

from cli_passwords import PASSWORD
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from reentry.auth import set_password
from ui.print_station import PrintStationDialog
from ui.session import verify_secret
from ui.tasks import QuietTask


def shown(qtbot, window):
    """The window on screen and in front, so keys typed go to it."""
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def at_sign_in(qtbot, window):
    """Shown, with the cursor in the user name field as the window promises."""
    shown(qtbot, window)
    qtbot.waitUntil(window.sign_in_page.name_field.hasFocus)
    return window


def with_password(store, username, password=PASSWORD):
    """Tests make their accounts without a password: ``username`` gets ``password`` (once);
    returns the password, to type."""
    found = store.password_hash(username)
    if found is not None and found[1] is None:
        set_password(store, found[0], password)
    return password


def type_sign_in(qtbot, page, username, password=PASSWORD):
    """On a sign-in page: the name, Enter, the password, Enter — as a person signs in; returns
    once the password, checked off the GUI thread, is answered."""
    if page.store is not None:
        with_password(page.store, username)
    qtbot.keyClicks(page.name_field, username)
    qtbot.keyClick(page.name_field, Qt.Key.Key_Return)
    qtbot.keyClicks(page.password_field, password)
    qtbot.keyClick(page.password_field, Qt.Key.Key_Return)
    answered(qtbot, page)
    if not isValid(page):
        return  # a dialog's form, gone with the dialog it signed in
    window = page.window()
    if window.isVisible() and QApplication.activeWindow() is None:
        # a dialog closed before (offscreen) can leave no window active once events ran during
        # the check: the person signing in is at this window, the next keys go to it
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def answered(qtbot, form):
    """The secret typed on a sign-in form or a lock checked: its answer is in (or the form gone)."""
    qtbot.waitUntil(lambda: not isValid(form) or not form.checking, timeout=10000)


class HeldCheck:
    """A ``verify`` for ``Session``: the app's own check (``verify_secret``: argon2, audit, limit
    on failures), held until ``release`` while ``hold`` is set, as a busy directory would; notes
    each user name asked and whether the GUI thread asked it."""

    def __init__(self) -> None:
        self.hold = True
        self.release = threading.Event()
        self.calls: list[tuple[str, bool]] = []  # (user name, on the GUI thread)

    def __call__(self, store, username, secret):
        self.calls.append((username, threading.current_thread() is threading.main_thread()))
        if self.hold:
            self.release.wait(5)
        return verify_secret(store, username, secret)


def no_check_left(qtbot, session):
    """Every password check of ``session`` has ended, its thread with it (its task, which
    belongs to the session, deleted once finished)."""
    qtbot.waitUntil(lambda: not session.findChildren(QuietTask), timeout=10000)


def signed_in(qtbot, window, username="mdupont", password=PASSWORD):
    """Shown, then signed in by typing the name and the password."""
    at_sign_in(qtbot, window)
    type_sign_in(qtbot, window.sign_in_page, username, password)
    return window


def print_station(qtbot, db, out_dir, settings, **options):
    """The print station on ``db`` writing to ``out_dir``, shown once its estimates are in;
    ``options`` go to ``PrintStationDialog`` (printers, send, now)."""
    dialog = PrintStationDialog(db, settings, **options)
    qtbot.addWidget(dialog)
    dialog.out_dir.setText(str(out_dir))
    with qtbot.waitSignal(dialog.estimates_ready, timeout=20000):
        dialog.refresh_estimates()
    dialog.show()
    return dialog


def focused():
    return QApplication.focusWidget()


def burst(code, target=None):
    """What a scanner sends: every digit at once, then its suffix."""
    target = target or QApplication.focusWidget()
    for digit in code:
        QTest.keyClick(target, digit)
    QTest.keyClick(target, Qt.Key.Key_Return)


def scan(qtbot, window, code):
    """A code scanned while ``window`` (a re-entry window) has the focus."""
    with qtbot.waitSignal(window.capture.scanned, timeout=2000):
        burst(code)


def loaded(qtbot, window, timeout=10_000):
    """``window.load()`` on the viewer, waiting while it opens and reads the database off the GUI
    thread; True when it opened (False: the message on screen says why)."""
    with qtbot.waitSignal(window.loaded, timeout=timeout) as blocker:
        window.load()
    return blocker.args[0]
