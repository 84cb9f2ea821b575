"""The password is checked off the GUI thread (argon2 takes a moment, a directory that does not
answer its whole timeout): meanwhile the form says « Vérification… », takes no second Enter, and
the window still paints and answers; closed before the answer, it signs nobody in and nothing
aborts. On the sign-in form, the lock (unlock and « Changer d'utilisateur ») and the main
window's sign-in dialog."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime

import pytest
from cli_passwords import PASSWORD
from PySide6.QtCore import Qt, QTimer
from qt_windows import HeldCheck, answered, at_sign_in, loaded, no_check_left, shown

from reentry.auth import authenticate, set_password
from reentry.auth.directory import Directory
from reentry.config import Settings
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.store import open_store
from ui.main_window import MainWindow
from ui.reentry_window import ReentryWindow
from ui.session import Session

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
JEAN = "le secret de Jean"
REFUSED = "Nom d'utilisateur ou mot de passe incorrect."


@pytest.fixture
def people(db_path):
    store = open_store(db_path, create=True)
    try:
        set_password(store, service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE),
                     PASSWORD)
        set_password(store, service.add_user(store, "jmartin", "Jean Martin", Role.NURSE), JEAN)
    finally:
        store.close()
    return db_path


@pytest.fixture
def slow():
    check = HeldCheck()
    yield check
    check.release.set()  # never leave a worker waiting for a test that failed


def type_name_and_password(qtbot, page, username, password):
    qtbot.keyClicks(page.name_field, username)
    qtbot.keyClick(page.name_field, Qt.Key.Key_Return)
    qtbot.keyClicks(page.password_field, password)
    qtbot.keyClick(page.password_field, Qt.Key.Key_Return)


def window_on(qtbot, db, session):
    return at_sign_in(qtbot, ReentryWindow(db, now=lambda: NOW, beep=lambda: None,
                                           session=session))


@pytest.fixture
def silent_directory():
    """A directory server that takes the connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"ldap://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_the_window_keeps_answering_while_a_silent_directory_is_waited_for(
        qtbot, people, silent_directory):
    directory = Directory(url=silent_directory, user_dn="uid={username},ou=people,dc=h,dc=fr",
                          timeout=2)
    session = Session(verify=lambda store, name, secret: authenticate(store, name, secret,
                                                                      directory))
    window = window_on(qtbot, people, session)
    page = window.sign_in_page
    ticks: list[int] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    type_name_and_password(qtbot, page, "inconnu.annuaire", "son secret")  # no local password

    assert page.checking and ticks == []  # Enter returned at once: the directory is still asked
    assert page.button.text() == "Vérification…"
    assert not page.password_field.isEnabled() and not page.name_field.isEnabled()
    assert not page.button.isEnabled()
    answered(qtbot, page)
    assert len(ticks) >= 10  # the GUI thread ran its timer all through the two seconds
    assert page.error.text().startswith("L'annuaire de l'hôpital ne répond pas")
    assert silent_directory not in page.error.text()  # the address is for IT, in the log
    assert page.password_field.isEnabled() and page.password_field.hasFocus()
    assert page.password_field.text() == "" and page.button.text() == "Se connecter"
    assert window.user is None and session.user is None


def test_enter_pressed_twice_checks_the_password_once(qtbot, people, slow):
    session = Session(verify=slow)
    window = window_on(qtbot, people, session)
    page = window.sign_in_page
    type_name_and_password(qtbot, page, "mdupont", PASSWORD)
    qtbot.keyClick(page.password_field, Qt.Key.Key_Return)  # impatient
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    page.submit()
    window.on_scan("004512345678")  # a badge meanwhile: the answer is for the name shown
    assert page.checking and window.user is None and page.name_field.text() == "mdupont"
    qtbot.waitUntil(lambda: bool(slow.calls))
    assert slow.calls == [("mdupont", False)]  # one check, and not on the GUI thread
    slow.release.set()
    answered(qtbot, page)
    assert window.user is not None and window.user.username == "mdupont"
    assert window.pages.currentWidget() is window.scan_page
    assert page.password_field.text() == "" and len(slow.calls) == 1


def test_a_wrong_password_checked_in_the_background_is_refused_as_before(qtbot, people, slow):
    slow.hold = False
    window = window_on(qtbot, people, Session(verify=slow))
    page = window.sign_in_page
    type_name_and_password(qtbot, page, "mdupont", "pas le bon")
    assert page.checking  # the answer comes from the check's thread
    answered(qtbot, page)
    assert page.error.text() == REFUSED and window.user is None
    assert page.password_field.text() == "" and page.password_field.hasFocus()
    assert page.name_field.isEnabled() and page.name_field.text() == "mdupont"


def test_a_window_closed_during_the_check_signs_nobody_in(qtbot, people, slow):
    session = Session(verify=slow)  # the app's: it outlives the window
    window = window_on(qtbot, people, session)
    page = window.sign_in_page
    type_name_and_password(qtbot, page, "mdupont", PASSWORD)
    assert page.checking
    window.close()
    slow.release.set()
    no_check_left(qtbot, session)  # the right password was checked, after the window went
    assert session.user is None and window.user is None
    assert not page.checking and page.password_field.text() == ""


def test_a_window_deleted_during_the_check_waits_for_its_thread(qtbot, people, slow):
    session = Session(verify=slow)
    window = ReentryWindow(people, now=lambda: NOW, beep=lambda: None, session=session)
    session.setParent(window)  # a window opened alone: the session goes with it
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # not left to qtbot to close
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.sign_in_page.name_field.hasFocus)
    type_name_and_password(qtbot, window.sign_in_page, "mdupont", PASSWORD)
    assert window.sign_in_page.checking
    threading.Timer(0.3, slow.release.set).start()  # the check ends while Qt deletes the window
    with qtbot.waitSignal(window.destroyed, timeout=10000):
        window.close()
    assert [name for name, _gui in slow.calls] == ["mdupont"]  # and no "QThread: Destroyed
    # while thread is still running" abort: the session's end waited for the check


def signed_in_and_locked(qtbot, people, slow):
    slow.hold = False
    session = Session(verify=slow)
    window = window_on(qtbot, people, session)
    session.sign_in(window.store, "mdupont", PASSWORD)
    session.lock()
    overlay = window.lock_overlay
    qtbot.waitUntil(overlay.secret.hasFocus)
    slow.hold = True
    slow.calls.clear()
    return window, overlay


def test_the_lock_waits_for_the_answer_and_checks_once(qtbot, people, slow):
    window, overlay = signed_in_and_locked(qtbot, people, slow)
    qtbot.keyClicks(overlay.secret, PASSWORD)
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    overlay.submit()
    window.on_scan("004512345678")  # a badge meanwhile: still Marie's unlock
    assert not overlay.name.isVisible()
    assert overlay.checking and overlay.unlock_button.text() == "Vérification…"
    assert not any(w.isEnabled() for w in (overlay.secret, overlay.unlock_button,
                                           overlay.switch_button))
    qtbot.waitUntil(lambda: bool(slow.calls))
    assert window.session.locked and slow.calls == [("mdupont", False)]
    slow.release.set()
    answered(qtbot, overlay)
    assert not window.session.locked and not overlay.isVisible()
    assert len(slow.calls) == 1


def test_changer_d_utilisateur_refuses_a_wrong_password_after_checking_it_aside(
        qtbot, people, slow):
    window, overlay = signed_in_and_locked(qtbot, people, slow)
    qtbot.mouseClick(overlay.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(overlay.name, "jmartin")
    qtbot.keyClick(overlay.name, Qt.Key.Key_Return)
    qtbot.keyClicks(overlay.secret, "pas le bon")
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    assert overlay.checking and not overlay.name.isEnabled()
    slow.release.set()
    answered(qtbot, overlay)
    assert overlay.error.text() == REFUSED and overlay.secret.hasFocus()
    assert overlay.secret.text() == "" and overlay.name.text() == "jmartin"
    assert window.session.locked and window.user.username == "mdupont"
    assert slow.calls == [("jmartin", False)]  # checked aside, as the user name typed


def test_a_window_closed_while_its_lock_checks_unlocks_nothing(qtbot, people, slow):
    window, overlay = signed_in_and_locked(qtbot, people, slow)
    qtbot.keyClicks(overlay.secret, PASSWORD)
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    assert overlay.checking
    window.close()
    slow.release.set()
    no_check_left(qtbot, window.session)
    assert window.session.locked and window.session.user.username == "mdupont"


def test_the_main_windows_sign_in_dialog_cancelled_during_the_check(qtbot, people, slow):
    main = shown(qtbot, MainWindow(people, Settings(), now=lambda: NOW,
                                   session=Session(verify=slow)))
    assert loaded(qtbot, main)
    dialog = main.open_sign_in()
    qtbot.waitUntil(dialog.form.name_field.hasFocus)
    type_name_and_password(qtbot, dialog.form, "mdupont", PASSWORD)
    assert dialog.form.checking and dialog.form.button.text() == "Vérification…"
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # Annuler
    slow.release.set()
    no_check_left(qtbot, main.session)
    assert main.session.user is None and main.user_status.text() == "Personne n'est connecté"


def test_a_nurse_signs_in_through_the_hospital_directory_from_the_form(
        qtbot, people, ldap_server, monkeypatch):
    """The app's own check, configured as a ward PC is (settings: the directory), on the real
    slapd: the bind runs in the check's thread, the account comes from the directory."""
    from ldap_fixture import PEOPLE

    for name, value in (("LDAP_URL", f"ldap://127.0.0.1:{ldap_server.port}"),
                        ("LDAP_USER_DN", f"uid={{username}},{PEOPLE}"),
                        ("LDAP_CA_FILE", str(ldap_server.ca_file)),
                        ("LDAP_GROUP_NURSE", ldap_server.group_dn("reentry-ide"))):
        monkeypatch.setenv(f"REENTRY_{name}", value)
    window = window_on(qtbot, people, Session())
    page = window.sign_in_page
    type_name_and_password(qtbot, page, "croux", "pas le bon")
    assert page.checking
    answered(qtbot, page)
    assert page.error.text() == REFUSED and window.user is None
    type_name_and_password(qtbot, page, "", "secret-de-claire")  # the name is kept
    answered(qtbot, page)
    assert window.user is not None and window.user.username == "croux"
