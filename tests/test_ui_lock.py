"""The app locks when left alone (issue 12, item 2): after the idle time every window is covered,
patient data hidden; only the signed-in user's own password unlocks; « Changer d'utilisateur »
asks the next person's name and password there, on the lock (tests/test_ui_sign_in.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from qt_windows import answered, signed_in

from reentry import auth
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.store import open_store
from ui.reentry_window import ReentryWindow
from ui.session import IdleLock, Session

SECRET = "le secret de Marie"


@pytest.fixture
def people(db_path):
    store = open_store(db_path, create=True)
    auth.set_password(store, service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE),
                      SECRET)
    auth.set_password(store, service.add_user(store, "jmartin", "Jean Martin", Role.NURSE),
                      "le secret de Jean")
    store.close()
    return db_path


@pytest.fixture
def window(qtbot, people):
    window = signed_in(qtbot, ReentryWindow(people), "mdupont", SECRET)
    qtbot.waitUntil(lambda: window.user is not None)
    return window


def test_idle_time_locks_and_activity_puts_it_off(qtbot, window):
    idle = IdleLock(window.session, 300, window)
    qtbot.wait(200)
    idle.eventFilter(window, _key_press())  # a key pressed: the wait starts again
    qtbot.wait(200)
    assert not window.session.locked
    with qtbot.waitSignal(window.session.locked_changed, timeout=2000) as blocker:
        pass
    assert blocker.args == [True]
    overlay = window.lock_overlay
    assert overlay.isVisible() and overlay.geometry() == window.rect()
    assert "Marie Dupont" in overlay.who.text()
    assert overlay.secret.echoMode() == overlay.secret.EchoMode.Password


def test_only_the_same_users_secret_unlocks(qtbot, window):
    window.session.lock()
    overlay = window.lock_overlay
    qtbot.waitUntil(overlay.secret.hasFocus)
    qtbot.keyClicks(overlay.secret, "le secret de Jean")  # another person's secret
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)
    assert window.session.locked and "incorrect" in overlay.error.text()
    assert overlay.secret.text() == ""
    qtbot.keyClicks(overlay.secret, SECRET)
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)
    assert not window.session.locked and not overlay.isVisible()
    assert window.user is not None and window.user.username == "mdupont"
    assert window.pages.currentWidget() is window.scan_page


def test_switch_user_asks_the_next_person_on_the_lock(qtbot, window):
    window.session.lock()
    overlay = window.lock_overlay
    qtbot.mouseClick(overlay.switch_button, Qt.MouseButton.LeftButton)
    assert window.session.locked and overlay.isVisible()  # nothing shows before they sign in
    assert overlay.name.isVisible() and overlay.name.hasFocus()
    qtbot.keyClicks(overlay.name, "jmartin")
    qtbot.keyClick(overlay.name, Qt.Key.Key_Return)
    assert overlay.secret.hasFocus()
    qtbot.keyClicks(overlay.secret, "pas le bon")
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)
    assert window.session.locked and window.session.user.username == "mdupont"
    assert overlay.error.text() == "Nom d'utilisateur ou mot de passe incorrect."
    qtbot.keyClicks(overlay.secret, "le secret de Jean")
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)
    assert not window.session.locked and not overlay.isVisible()
    assert window.user is not None and window.user.username == "jmartin"
    assert window.pages.currentWidget() is window.scan_page


def test_every_window_of_the_session_is_covered(qtbot, window, people):
    from qt_windows import shown

    from ui.review_window import ReviewWindow
    from ui.scan_import import ScanImportWindow

    others = [shown(qtbot, ScanImportWindow(people, session=window.session)),
              shown(qtbot, ReviewWindow(people, session=window.session))]
    window.session.lock()
    for other in others:
        assert other.lock_overlay.isVisible() and other.lock_overlay.geometry() == other.rect()
    window.lock_overlay.secret.setText(SECRET)
    window.lock_overlay.submit()
    answered(qtbot, window.lock_overlay)
    assert not any(other.lock_overlay.isVisible() for other in others)


def test_nobody_signed_in_means_nothing_to_lock(qtbot):
    session = Session()
    idle = IdleLock(session, 10, session)
    session.lock()
    assert not session.locked and not idle.timer.isActive()
    assert not IdleLock(session, 0, session).enabled  # 0: never


def _key_press():
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
