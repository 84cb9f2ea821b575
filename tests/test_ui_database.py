"""The app on a shared server, on a cut network and back, driven as a nurse would.

``reentry-app --db postgresql://…`` shows the census of the private test server; a server that
does not answer (a port where nothing listens) opens the ward's offline copy read-only under its
banner; without a copy the app says how to get one; the lists are read off the GUI thread.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from qt_windows import loaded, shown, with_password
from test_store_opening import unreachable_url

from reentry.config import Settings
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.errors import UserError
from reentry.printing.prepare import offline_copy_path
from reentry.store import open_store
from reentry.store.database import DatabaseUnreachable
from reentry.store.location import PostgresLocation, parse_location
from reentry.store.opening import open_database
from ui.app import database_location, parse_args, settings_from
from ui.event_window import EventWindow
from ui.main_window import MainWindow
from ui.progress_view import ProgressDialog
from ui.review_window import ReviewWindow
from ui.session import database_of

pytestmark = [
    pytest.mark.qt,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints", extend=True),
]

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = AS_OF + timedelta(hours=1)


def demo_hospital(location) -> list:
    store = open_store(location)
    try:
        create_demo(store, patients=12, seed=5, as_of=AS_OF)
        service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
        return store.census()
    finally:
        store.close()


def write_offline_copy(source, folder, ward_code: str):
    """What the ward PC's scheduled ``reentry prepare --dir folder`` leaves there."""
    target = offline_copy_path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(source)
    try:
        store.write_offline_copy(target, [ward_code])
    finally:
        store.close()
    return target


def viewer(qtbot, db, settings: Settings | None = None, **kwargs) -> MainWindow:
    window = MainWindow(db, settings or Settings(), now=lambda: NOW, **kwargs)
    shown(qtbot, window)
    return window


def census_of(qtbot, window: MainWindow, ward_code: str) -> list[str]:
    """Choose the ward as a click would, wait for its patients, return their IPPs."""
    with qtbot.waitSignal(window.census_loaded, timeout=10_000):
        assert window.wards.select_ward(ward_code)
    return [row.patient.ipp for row in window.census.rows()]


def texts_on_screen(window) -> str:
    """Every text a person can read in the window: labels, title, menus, status bar."""
    labels = [label.text() for label in window.findChildren(QLabel)]
    actions = [a.text() + a.toolTip() for menu in (window.file_menu,) for a in menu.actions()]
    return "\n".join([window.windowTitle(), window.statusBar().currentMessage(), *labels,
                      *actions])


# -- a shared server ---------------------------------------------------------------------------


def test_the_app_on_a_server_shows_the_census_and_never_the_password(qtbot, postgres_url,
                                                                   monkeypatch):
    census = demo_hospital(postgres_url)
    password = urlsplit(postgres_url).password
    assert password
    args = parse_args(["--db", postgres_url])
    location = database_location(args)
    assert isinstance(location, PostgresLocation)
    monkeypatch.setenv("REENTRY_DB", postgres_url)  # the same server from the environment
    assert database_location(parse_args([])) == location

    window = viewer(qtbot, location)
    assert loaded(qtbot, window)
    ward = census[0].ward.code
    assert census_of(qtbot, window, ward) == [r.patient.ipp for r in census if r.ward.code == ward]
    assert not window.offline_banner.isVisible() and window.print_action.isEnabled()
    assert password not in texts_on_screen(window) and password not in repr(window.db)


def test_a_typo_in_the_file_is_refused_as_by_the_command_line(qtbot, tmp_path, message_boxes):
    typo = tmp_path / "reentyr.sqlite"
    window = viewer(qtbot, typo)
    assert not loaded(qtbot, window)
    expected = UserError("db_location.file_missing", path=str(typo)).message()
    assert window.message_text() == expected
    qtbot.waitUntil(lambda: len(message_boxes()) == 1)
    assert message_boxes()[0].text() == expected
    assert not typo.exists()  # no empty hospital made behind anyone's back


def test_a_malformed_address_is_one_clear_line():
    with pytest.raises(UserError, match="postgresql://"):
        database_location(parse_args(["--db", "mysql://serveur/base"]))


# -- a cut network -----------------------------------------------------------------------------


def test_an_unreachable_server_opens_the_wards_offline_copy_read_only(qtbot, tmp_path, db_path,
                                                                      message_boxes):
    census = demo_hospital(db_path)
    ward = census[0].ward
    write_offline_copy(db_path, tmp_path / "poste", ward.code)
    url = unreachable_url()
    settings = settings_from(parse_args(["--offline-dir", str(tmp_path / "poste")]), Settings())
    window = viewer(qtbot, parse_location(url), settings)
    assert loaded(qtbot, window)

    banner = window.offline_banner
    assert banner.isVisible()
    first, wards = banner.text().splitlines()
    assert first == ("Copie hors ligne du 23/11/2026 21:00 (UTC+01:00) — serveur injoignable"
                     " — consultation seulement")
    assert ward.name in wards
    assert census_of(qtbot, window, ward.code) == [
        r.patient.ipp for r in census if r.ward.code == ward.code]
    # a password asked here is checked on the copy opened, not on the server that did not answer
    assert database_of(window) == window.reader.location != window.db
    assert window.status.text().startswith("Données du 23/11/2026 21:00")
    needed = window.minimumSizeHint()  # the banner still leaves a ward PC's screen whole
    assert needed.width() <= 1366 and needed.height() <= 768

    for action in window.server_actions:  # what would write, or needs the server
        assert not action.isEnabled(), action.text()
        assert "copie hors ligne" in action.toolTip()
    assert window.retry_action.isVisible()
    assert window.open_print_station() is None  # asked anyway (a shortcut): refused, said
    qtbot.waitUntil(lambda: len(message_boxes()) == 1)
    assert "elle se consulte seulement" in message_boxes()[0].text()
    with pytest.raises(UserError, match="copie hors ligne"):
        window.store.add_user("intrus", "Intrus", Role.ADMIN)
    assert "s3cr" not in texts_on_screen(window)

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: banner.text().startswith("Offline copy of 23/11/2026 21:00"))
    assert "server unreachable — read only" in banner.text()
    assert "offline copy" in window.print_action.toolTip()


def test_without_an_offline_copy_the_app_says_how_to_get_one(qtbot, tmp_path, message_boxes):
    url = unreachable_url()
    window = viewer(qtbot, url)
    assert not loaded(qtbot, window)
    text = window.message_text()
    assert "ne répond pas" in text and "reentry prepare --dir" in text and "offline_dir" in text
    assert "s3cr" not in text

    missing = viewer(qtbot, url, Settings(offline_dir=str(tmp_path / "poste")))
    assert not loaded(qtbot, missing)
    assert str(offline_copy_path(tmp_path / "poste")) in missing.message_text()


class FlakyNetwork:
    """The real server behind a network a test can cut: while cut, connecting fails as
    psycopg does on a dead network (``DatabaseUnreachable``); the offline copy, a local file,
    still opens."""

    def __init__(self) -> None:
        self.cut = True
        self.tries = 0

    def open(self, location):
        if isinstance(location, PostgresLocation):
            self.tries += 1
            if self.cut:
                raise DatabaseUnreachable(path=location.shown)
        return open_database(location)


def test_the_viewer_goes_back_to_the_server_when_it_answers(qtbot, postgres_url, tmp_path):
    census = demo_hospital(postgres_url)
    ward = census[0].ward
    write_offline_copy(postgres_url, tmp_path / "poste", ward.code)
    network = FlakyNetwork()
    window = viewer(qtbot, postgres_url, Settings(offline_dir=str(tmp_path / "poste")),
                    open_db=network.open, retry_interval_ms=60_000)
    assert loaded(qtbot, window)
    assert window.offline is not None
    census_of(qtbot, window, ward.code)
    patient = window.census.rows()[0].patient.id
    window.census.select_patient(patient)
    qtbot.waitUntil(lambda: window.dossier.patient_id == patient)

    tries = network.tries
    qtbot.mouseClick(window.offline_banner.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "ne répond toujours pas" in window.statusBar().currentMessage())
    assert network.tries == tries + 1 and window.offline is not None

    network.cut = False
    window.retry_timer.setInterval(20)  # the next automatic try comes now
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        pass
    assert window.offline is None and not window.offline_banner.isVisible()
    assert window.print_action.isEnabled() and not window.retry_action.isVisible()
    assert window.statusBar().currentMessage() == (
        "Le serveur répond de nouveau : les données du serveur sont affichées.")
    qtbot.waitUntil(lambda: window.dossier.patient_id == patient)  # the same patient, live
    assert window.wards.current_ward() == ward.code
    window.store.add_user("ide2", "Infirmière Deux", Role.NURSE)  # the server takes writes


# -- no database round trip on the GUI thread for the lists ------------------------------------


class ThreadRecorder:
    """A real store that notes, for each method called, whether the GUI thread called it."""

    def __init__(self, store, calls: list[tuple[str, bool]]) -> None:
        self._store = store
        self._calls = calls

    def __getattr__(self, name):
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            self._calls.append((name, threading.current_thread() is threading.main_thread()))
            return attribute(*args, **kwargs)

        return call


LISTS = {"census", "sites", "wards", "dossier", "latest_snapshot", "scan_counts", "sheet_facts",
         "operator_entry_times", "outage_events", "review_runs", "review_flags",
         "identity_cases"}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_lists_are_read_off_the_gui_thread(qtbot, engine, db_path, request):
    location = db_path if engine == "sqlite" else request.getfixturevalue("postgres_url")
    census = demo_hospital(location)
    store = open_store(location)
    service.add_user(store, "cadre", "Claire Cadre", Role.WARD_MANAGER)
    service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    store.close()
    calls: list[tuple[str, bool]] = []

    def recording(where):
        return ThreadRecorder(open_database(where), calls)

    window = viewer(qtbot, location, open_db=recording)
    assert loaded(qtbot, window)
    census_of(qtbot, window, census[0].ward.code)
    window.census.select_patient(census[0].patient.id)
    qtbot.waitUntil(lambda: window.dossier.patient_id == census[0].patient.id)
    window.file_menu.aboutToShow.emit()  # the count of pages to identify
    with qtbot.waitSignal(window.census_loaded, timeout=10_000):
        window.show_census_row(census[-1])  # as the patient search does

    progress = ProgressDialog(location, open_db=recording)
    qtbot.addWidget(progress)
    with qtbot.waitSignal(progress.refreshed, timeout=10_000):
        progress.refresh()

    events = EventWindow(location, open_db=recording, session=window.session)
    shown(qtbot, events)
    with qtbot.waitSignal(events.refreshed, timeout=10_000):
        window.session.sign_in(window.store, "cadre", with_password(window.store, "cadre"))

    review = ReviewWindow(location, open_db=recording, session=window.session)
    shown(qtbot, review)
    with qtbot.waitSignal(review.loaded, timeout=10_000):
        window.session.sign_in(window.store, "qualite", with_password(window.store, "qualite"))

    read = {name for name, _ in calls}
    assert {"census", "dossier", "sheet_facts", "outage_events", "review_runs"} <= read
    on_gui_thread = sorted({name for name, gui in calls if gui and name in LISTS})
    assert on_gui_thread == []
