"""One sign-in per app session (issue 13, item 14): signed in once, every window opened from the
main window works for that person; signing out anywhere signs out everywhere; the main window's
status bar says who is signed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cli_passwords import PASSWORD, give_passwords
from qt_windows import loaded, shown, type_sign_in

from reentry.config import Settings
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.i18n import tr
from reentry.store import open_store
from ui.event_window import EventWindow
from ui.main_window import MainWindow
from ui.reentry_window import ReentryWindow
from ui.review_window import ReviewWindow
from ui.scan_import import ScanImportWindow
from ui.session import Session
from ui.sign_in import SignInDialog

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = AS_OF + timedelta(hours=12)


@pytest.fixture
def hospital(db_path):
    store = open_store(db_path)
    create_demo(store, patients=6, seed=8, as_of=AS_OF)
    service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    store.close()
    give_passwords(db_path)
    return db_path


@pytest.fixture
def main(qtbot, hospital):
    window = MainWindow(hospital, Settings(), now=lambda: NOW)
    shown(qtbot, window)
    assert loaded(qtbot, window)
    return window


def _opened(qtbot, main, action, kind):
    action.trigger()
    (window,) = main.findChildren(kind)
    qtbot.waitExposed(window)
    return window


def _type_name(qtbot, page, username):
    page.name_field.setFocus()
    type_sign_in(qtbot, page, username)


def test_one_sign_in_is_shared_by_the_windows_opened_from_the_main_window(qtbot, main):
    assert main.user_status.text() == "Personne n'est connecté"
    assert not main.sign_out_action.isEnabled()

    reentry = _opened(qtbot, main, main.reentry_action, ReentryWindow)
    assert reentry.pages.currentWidget() is reentry.sign_in_page  # nobody yet: asked once
    _type_name(qtbot, reentry.sign_in_page, "mdupont")
    assert reentry.pages.currentWidget() is reentry.scan_page
    assert main.user_status.text() == "Connecté : Marie Dupont (mdupont)"
    assert main.sign_out_action.isEnabled()

    event = _opened(qtbot, main, main.event_action, EventWindow)
    assert event.pages.currentWidget() is event.page  # not asked again
    assert event.user is not None and event.user.username == "mdupont"
    assert event.user_label.text() == "Connecté : Marie Dupont (mdupont)"
    review = _opened(qtbot, main, main.review_action, ReviewWindow)
    assert review.pages.currentWidget() is review.review_page
    assert review.user is not None and review.user.username == "mdupont"

    reentry.sign_out()  # the next nurse at this PC: nobody types under Marie's name any more
    assert main.session.user is None
    assert main.user_status.text() == "Personne n'est connecté"
    for window in (reentry, event, review):
        assert window.user is None
        assert window.pages.currentWidget() is window.sign_in_page

    _type_name(qtbot, event.sign_in_page, "claire.roux")  # signing in anywhere: everywhere
    assert reentry.user is not None and reentry.user.username == "claire.roux"
    assert reentry.pages.currentWidget() is reentry.scan_page
    assert main.user_status.text() == "Connecté : Claire Roux (claire.roux)"


def test_the_main_window_signs_in_for_every_window(qtbot, main):
    dialog = main.open_sign_in()
    assert isinstance(dialog, SignInDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.form.name_field.hasFocus)
    _type_name(qtbot, dialog.form, "inconnu")
    assert dialog.form.error.text() == "Nom d'utilisateur ou mot de passe incorrect."
    assert dialog.isVisible() and main.session.user is None
    dialog.form.name_field.clear()
    with qtbot.waitSignal(dialog.accepted):
        _type_name(qtbot, dialog.form, "mdupont")
    assert main.user_status.text() == "Connecté : Marie Dupont (mdupont)"

    scan_import = _opened(qtbot, main, main.scan_import_action, ScanImportWindow)
    assert scan_import.pages.currentWidget() is scan_import.page
    assert scan_import.user_label.text() == "Connecté : Marie Dupont (mdupont)"

    main.sign_out_action.trigger()
    assert scan_import.pages.currentWidget() is scan_import.sign_in_page
    assert main.user_status.text() == "Personne n'est connecté"


def test_the_print_station_registers_who_prints(qtbot, main):
    main.session.sign_in(main.store, "claire.roux", PASSWORD)
    dialog = main.open_print_station()
    assert dialog._signed_in().username == "claire.roux"  # who prints, checked by the core
    qtbot.waitUntil(lambda: dialog.estimating is None, timeout=20000)
    dialog.reject()


def test_the_event_window_asks_in_its_own_words(qtbot, hospital):
    window = shown(qtbot, EventWindow(hospital, now=lambda: NOW))
    assert window.sign_in_page.title.text() == tr("events.ui_sign_in_title")
    assert window.sign_in_page.title.text() != tr("entry_ui.sign_in_title")
    assert "panne" in window.sign_in_page.explanation.text()
    assert window.sign_in_page.explanation.text() != tr("entry_ui.sign_in_explanation")


def test_a_closed_window_no_longer_follows_the_session(qtbot, hospital):
    session = Session()
    window = shown(qtbot, ReentryWindow(hospital, now=lambda: NOW, beep=lambda: None,
                                        session=session))
    window.close()
    store = open_store(hospital)
    try:
        session.sign_in(store, "mdupont", PASSWORD)  # nothing happens in the closed window
    finally:
        store.close()
    assert window.user is None


def test_a_window_opened_alone_has_a_session_of_its_own(qtbot, hospital):
    first = shown(qtbot, ReentryWindow(hospital, now=lambda: NOW, beep=lambda: None))
    second = shown(qtbot, ReentryWindow(hospital, now=lambda: NOW, beep=lambda: None))
    _type_name(qtbot, first.sign_in_page, "mdupont")
    assert first.user is not None and second.user is None
