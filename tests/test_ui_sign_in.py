"""Signing in on a ward PC (issue 12, items 1 and 2), as a nurse at 3 a.m. and a security
officer expect: a name and a password; one refusal for a wrong name and a wrong password; a badge
fills the name and never signs in alone; too many failures wait; another nurse signing in at the
lock closes the first session with her draft kept; the lock covers every window of the session,
the print station and the dialogs included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cli_passwords import PASSWORD
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLineEdit, QMessageBox
from qt_windows import (
    answered,
    at_sign_in,
    focused,
    loaded,
    scan,
    shown,
    signed_in,
    type_sign_in,
)

from reentry.auth import MAX_FAILURES
from reentry.config import Settings
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.store import open_store
from ui import theme
from ui.lock_screen import LockOverlay
from ui.main_window import MainWindow
from ui.reentry_window import ReentryWindow

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
REFUSED = "Nom d'utilisateur ou mot de passe incorrect."
JEAN = "le secret de Jean"
BADGE = "004512345678"  # a badge number used as the user name, read by the scanner


@pytest.fixture
def nurses(db_path, sheets):
    """The printed ward's nurse (PASSWORD), a second nurse and a nurse known by her badge."""
    from reentry.auth import set_password

    store = open_store(db_path)
    try:
        set_password(store, store.user_by_name("mdupont"), PASSWORD)
        set_password(store, service.add_user(store, "jmartin", "Jean Martin", Role.NURSE), JEAN)
        set_password(store, service.add_user(store, BADGE, "Léa Badge", Role.NURSE), PASSWORD)
    finally:
        store.close()
    return sheets


@pytest.fixture
def window(qtbot, db_path, nurses):
    return at_sign_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))


def test_name_enter_then_password_enter_signs_in(qtbot, window):
    page = window.sign_in_page
    assert page.password_field.echoMode() is QLineEdit.EchoMode.Password
    assert "mot de passe" in page.explanation.text()
    qtbot.keyClicks(page.name_field, "mdupont")
    qtbot.keyClick(page.name_field, Qt.Key.Key_Return)
    assert page.password_field.hasFocus() and window.user is None  # the name alone: not yet
    qtbot.keyClicks(page.password_field, PASSWORD)
    qtbot.keyClick(page.password_field, Qt.Key.Key_Return)
    answered(qtbot, page)
    assert window.user is not None and window.user.username == "mdupont"
    assert window.pages.currentWidget() is window.scan_page
    assert window.user_label.text() == "Connecté : Marie Dupont (mdupont)"
    assert page.password_field.text() == ""  # nothing left behind for the next person


def test_a_wrong_password_and_an_unknown_name_read_the_same(qtbot, window):
    page = window.sign_in_page
    type_sign_in(qtbot, page, "mdupont", "pas le bon")
    wrong_password = page.error.text()
    assert page.password_field.text() == "" and page.password_field.hasFocus()
    page.name_field.clear()
    type_sign_in(qtbot, page, "inconnu", "pas le bon")
    assert page.error.text() == wrong_password == REFUSED  # which half was wrong: not said
    assert page.password_field.text() == ""
    assert window.user is None and window.pages.currentWidget() is page


def test_a_badge_fills_the_name_and_waits_for_the_password(qtbot, window):
    page = window.sign_in_page
    scan(qtbot, window, BADGE)
    assert page.name_field.text() == BADGE and page.password_field.hasFocus()
    qtbot.wait(300)
    assert window.user is None and window.pages.currentWidget() is page  # never by itself
    qtbot.keyClicks(focused(), PASSWORD)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    answered(qtbot, page)
    assert window.user is not None and window.user.username == BADGE


def test_too_many_failures_are_refused_even_with_the_right_password(qtbot, window):
    page = window.sign_in_page
    for _ in range(MAX_FAILURES):
        page.name_field.clear()
        type_sign_in(qtbot, page, "mdupont", "pas le bon")
        assert page.error.text() == REFUSED
    page.name_field.clear()
    type_sign_in(qtbot, page, "mdupont", PASSWORD)
    assert window.user is None
    assert page.error.text().startswith("Trop d'essais de connexion manqués pour ce nom")


def test_another_nurse_at_the_lock_closes_the_first_session_and_keeps_her_draft(
        qtbot, db_path, nurses, stored):
    window = signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))
    marie = window.user
    vitals = next(s for s in nurses if s.template_id == "vital_signs" and s.patient_id)
    scan(qtbot, window, vitals.code(1))
    for text in ("23/11/2026", "23h15", "120"):  # typed, not saved, the draft timer not run
        qtbot.keyClicks(focused(), text)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    window.session.lock()
    overlay = window.lock_overlay
    assert overlay.isVisible()
    qtbot.mouseClick(overlay.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(overlay.name, "jmartin")
    qtbot.keyClick(overlay.name, Qt.Key.Key_Return)
    qtbot.keyClicks(overlay.secret, JEAN)
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)

    assert not overlay.isVisible() and window.user.username == "jmartin"
    assert window.entry.context is None and window.pages.currentWidget() is window.scan_page
    (draft,) = stored.drafts(marie)  # Marie's sheet kept as she typed it, under her name
    assert draft.serial == vitals.serial and draft.username == "mdupont"
    assert "120" in [value for row in draft.rows.values() for value in row.values()]
    assert stored.drafts(window.user) == []  # nothing of hers shows under Jean's name
    assert window.scan_page.drafts.count() == 0

    scan(qtbot, window, vitals.code(1))  # what Jean types is his
    qtbot.keyClicks(focused(), "24/11/2026")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    window.entry.save_draft()
    (his,) = stored.drafts(window.user)
    assert his.username == "jmartin" and stored.drafts(marie) == [draft]


def test_a_badge_scanned_at_the_lock_asks_that_persons_password(qtbot, db_path, nurses):
    window = signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))
    window.session.lock()
    overlay = window.lock_overlay
    qtbot.waitUntil(overlay.secret.hasFocus)
    scan(qtbot, window, BADGE)
    assert overlay.name.isVisible() and overlay.name.text() == BADGE
    assert overlay.secret.hasFocus() and overlay.secret.text() == ""
    assert window.session.locked and window.user.username == "mdupont"  # nothing until then
    qtbot.keyClicks(overlay.secret, PASSWORD)
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)
    assert not window.session.locked and window.user.username == BADGE


def test_behind_the_lock_the_windows_shortcuts_do_nothing(qtbot, db_path, nurses):
    window = signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))
    window.session.lock()
    overlay = window.lock_overlay
    qtbot.waitUntil(overlay.secret.hasFocus)
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Q, shift_ctrl)  # « Se déconnecter »
    qtbot.keyClick(overlay.secret, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # close
    assert window.session.locked and window.user.username == "mdupont" and window.isVisible()
    for _ in range(6):  # Tab goes round the lock, never into the window under it
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        assert overlay.isAncestorOf(focused())
    code = window.code_bar.field
    code.setFocus()  # a field under the lock that got the focus anyway takes no key
    qtbot.keyClicks(code, "abc")
    assert code.text() == "" and overlay.secret.hasFocus()
    qtbot.keyClicks(overlay.secret, PASSWORD)  # the lock itself still answers
    qtbot.keyClick(overlay.secret, Qt.Key.Key_Return)
    answered(qtbot, overlay)
    assert not window.session.locked
    qtbot.keyClick(window.code_bar.field, Qt.Key.Key_Q, shift_ctrl)  # unlocked: works again
    assert window.session.user is None


def test_the_lock_covers_the_print_station_and_every_dialog(qtbot, db_path, nurses):
    main = shown(qtbot, MainWindow(db_path, Settings(), now=lambda: NOW))
    assert loaded(qtbot, main)
    main.session.sign_in(main.store, "mdupont", PASSWORD)
    station = main.open_print_station()
    qtbot.waitExposed(station)
    box = QMessageBox(QMessageBox.Icon.Information, "Reentry", "Dupont Marie, chambre 12",
                      parent=main)
    box.show()
    main.session.lock()
    for window in (main, station, box):
        (overlay,) = own_overlays(window)
        assert overlay.isVisible() and overlay.geometry() == window.rect()
    assert box.width() >= 480  # a small dialog grows: its lock can be typed into
    assert painted_colours(main, rows=range(0, 120)) == {QColor(theme.PANEL).rgb()}  # opaque:
    # not a letter of the menus, the status bar or the dossier shows through
    later = QDialog(main)  # a dialog that appears while the PC is locked is covered too
    later.show()
    (overlay,) = own_overlays(later)
    assert overlay.isVisible()

    station.lock_overlay.secret.setText(PASSWORD)  # unlocked from any of them
    station.lock_overlay.submit()
    answered(qtbot, station.lock_overlay)
    assert not main.session.locked
    assert not any(o.isVisible() for w in (main, station, box, later) for o in own_overlays(w))
    qtbot.waitUntil(lambda: station.estimating is None, timeout=20000)
    station.reject()


def painted_colours(window, rows):
    image = window.grab().toImage()
    return {image.pixel(x, y) for y in rows for x in range(0, image.width(), 3)}


def own_overlays(window):
    return window.findChildren(LockOverlay, options=Qt.FindChildOption.FindDirectChildrenOnly)


def test_someone_else_signing_in_closes_the_first_session_first(qtbot, db_path, nurses):
    window = signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))
    seen = []
    window.session.user_changed.connect(lambda user: seen.append(user and user.username))
    window.session.sign_in(window.store, "jmartin", JEAN)  # from the main window's dialog
    assert seen == [None, "jmartin"]  # every window let go of Marie before Jean came
    window.session.sign_in(window.store, "jmartin", JEAN)
    assert seen == [None, "jmartin", "jmartin"]
