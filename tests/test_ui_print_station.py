"""The print-station screen, driven as an operator would: choose wards, read pages, print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cli_passwords import PASSWORD
from PySide6.QtCore import Qt
from qt_windows import HeldCheck, answered, no_check_left, print_station, with_password

from reentry.config import Settings
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.domain.events import DeclareEvent, OutageEvent
from reentry.entry import service
from reentry.events.service import declare_event
from reentry.printing.spool import Printer, PrintJob
from reentry.registry import BatchStatus, SheetStatus
from reentry.store import open_store
from ui.print_confirm import PrintConfirmDialog
from ui.print_station import PrintStationDialog
from ui.session import Session

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Paris


@pytest.fixture
def hospital(db_path):
    store = open_store(db_path)
    create_demo(store, patients=10, seed=7, as_of=AS_OF)
    store.close()
    return db_path


@pytest.fixture
def dialog(qtbot, hospital, tmp_path):
    return print_station(qtbot, hospital, tmp_path / "out", Settings(pages_per_minute=20),
                         printers=lambda: [], now=lambda: AS_OF)


def declare(db_path, *, started_at: datetime = AS_OF, wards: tuple[str, ...] | None = None,
            title: str = "Coupure réseau") -> OutageEvent:
    """An outage event declared by a ward manager, as the event window would."""
    store = open_store(db_path)
    try:
        manager = store.user_by_name("claire.roux") or service.add_user(
            store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
        return declare_event(store, DeclareEvent(title=title, started_at=started_at,
                                                 user=manager, planned=True, wards=wards),
                             now=AS_OF).event
    finally:
        store.close()


def add_user(db_path, username: str, role: Role) -> None:
    store = open_store(db_path)
    try:
        with_password(store, service.add_user(store, username, username.title(), role).username)
    finally:
        store.close()


def sign_in(dialog: PrintStationDialog, db_path, username: str = "claire.roux") -> None:
    """Who prints: the core refuses to print for nobody (``Permission.PRINT``)."""
    store = open_store(db_path)
    try:
        if store.user_by_name(username) is None:
            service.add_user(store, username, username.title(), Role.WARD_MANAGER)
        dialog.session = Session()
        dialog.session.sign_in(store, username, with_password(store, username))
    finally:
        store.close()


def open_confirmation(dialog: PrintStationDialog, qtbot) -> PrintConfirmDialog:
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    confirm = dialog.confirm
    assert confirm is not None and confirm.isVisible()
    return confirm


def registered(db_path) -> tuple[int, int]:
    """Batches and registered sheets in the database: what printing leaves behind."""
    store = open_store(db_path)
    try:
        batches = store.batches()
        return len(batches), sum(len(store.batch_sheets(b.id)) for b in batches)
    finally:
        store.close()


def test_wards_are_listed_with_the_pages_printing_will_produce(dialog, hospital):
    from reentry.printing.station import estimate_wards

    store = open_store(hospital)
    expected = estimate_wards(store, hours=8, start=dialog._window_start(), admission_packets=2)
    store.close()
    table = dialog.table
    assert table.rowCount() == len(expected) >= 2
    for row, estimate in enumerate(expected):
        assert table.item(row, 0).text() == estimate.ward_name
        assert int(table.item(row, 3).text()) == estimate.pages
    assert dialog.selected_pages() == sum(e.pages for e in expected)
    assert "pages/min" in dialog.totals.text() and "20" in dialog.totals.text()


def test_a_change_during_planning_is_planned_again_and_only_the_latest_shown(dialog, qtbot):
    eight_hours = dialog.selected_pages()
    with qtbot.waitSignal(dialog.estimates_ready, timeout=20000):
        dialog.hours.setValue(16)  # starts planning
        assert not dialog.print_button.isEnabled()  # no print on a plan being recomputed
        dialog.hours.setValue(24)  # arrives while the 16-hour plan is being computed
    assert dialog.estimating is None and dialog.print_button.isEnabled()
    assert dialog.selected_pages() > eight_hours
    from reentry.printing.station import estimate_wards

    store = open_store(dialog.db)
    expected = estimate_wards(store, hours=24, start=dialog._window_start(), admission_packets=2)
    store.close()
    assert dialog.selected_pages() == sum(e.pages for e in expected)


def test_unchecking_a_ward_changes_the_totals(dialog, qtbot):
    before = dialog.selected_pages()
    first = dialog.table.item(0, 0)
    first.setCheckState(Qt.CheckState.Unchecked)
    assert dialog.selected_pages() == before - int(dialog.table.item(0, 3).text())
    assert str(dialog.selected_pages()) in dialog.totals.text()


def test_printing_one_ward_in_the_background(dialog, qtbot, hospital, tmp_path):
    event = declare(hospital)
    sign_in(dialog, hospital)
    for row in range(1, dialog.table.rowCount()):
        dialog.table.item(row, 0).setCheckState(Qt.CheckState.Unchecked)
    (ward,) = dialog.selected_wards()
    confirm = open_confirmation(dialog, qtbot)
    assert confirm.for_ongoing.isChecked()
    with qtbot.waitSignal(dialog.finished_printing, timeout=60_000):
        qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    result = dialog.last_result
    assert result is not None and [w.ward_code for w in result.outcome.wards] == [ward]
    assert result.outcome.wards[0].pdf.exists()
    assert str(result.outcome.pages) in dialog.result_label.text()
    assert "« Coupure réseau »" in dialog.result_label.text()
    store = open_store(hospital)
    try:
        (batch,) = store.batches()
        assert batch.status is BatchStatus.COMPLETE
        assert {s.status for s in store.batch_sheets(batch.id)} == {SheetStatus.PRINTED}
        assert store.event_of_batch(batch.id) == event.id
    finally:
        store.close()


def test_english_labels(dialog, qtbot):
    from ui.language import switch_language

    switch_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Print station")
    assert dialog.print_button.text() == "Print"


def test_the_documents_language_is_named_not_coded(dialog):
    """« FR » / « EN » in the screenshot: the language is chosen by its name."""
    names = [dialog.language.itemText(i) for i in range(dialog.language.count())]
    assert names == ["Français", "English"]
    assert dialog.language.currentData() == "fr"


# -- confirmation, and the event printing belongs to ---------------------------------------------


@pytest.fixture
def sent():
    return []


@pytest.fixture
def with_printer(qtbot, hospital, tmp_path, sent):
    """A station with a default printer; what is sent to it is recorded, not printed."""
    def send(pdf, printer, *, title):
        sent.append((pdf, printer, title))
        return PrintJob(str(len(sent)), printer, title)

    return print_station(qtbot, hospital, tmp_path / "out", Settings(pages_per_minute=20),
                         printers=lambda: [Printer("Bureau-3e", is_default=True)], send=send,
                         now=lambda: AS_OF)


def test_print_asks_for_confirmation_with_pages_sheets_printer_and_time(with_printer, qtbot,
                                                                        hospital):
    dialog = with_printer
    declare(hospital)
    confirm = open_confirmation(dialog, qtbot)
    chosen = [e for e in dialog._estimates if e.ward_code in dialog.selected_wards()]
    pages = sum(e.pages for e in chosen)
    assert confirm.fact("pages") == str(pages) == str(dialog.selected_pages())
    assert confirm.fact("sheets").startswith(f"{sum(e.sheets for e in chosen)} (")
    assert confirm.fact("patients") == str(sum(e.patients for e in chosen))
    assert confirm.fact("printer") == "Bureau-3e"
    minutes = max(1, round(pages / 20))
    assert confirm.fact("time") == f"environ {minutes} min à 20 pages/min"
    assert confirm.fact("window") == (
        "du 23/11/2026 21:00 au 24/11/2026 05:00 (début et fin incluses)")
    assert confirm.fact("wards").startswith(f"{len(chosen)} : {chosen[0].ward_name}")
    assert confirm.ok_button.text() == f"Imprimer {pages} pages"
    assert registered(hospital) == (0, 0)  # nothing registered before it is confirmed


def test_cancel_prints_nothing(with_printer, qtbot, hospital, tmp_path, sent):
    dialog = with_printer
    declare(hospital)
    confirm = open_confirmation(dialog, qtbot)
    with qtbot.waitSignal(confirm.finished, timeout=5000):
        qtbot.keyClick(confirm, Qt.Key.Key_Escape)
    assert dialog.task is None and dialog.last_result is None and dialog.confirm is None
    assert registered(hospital) == (0, 0)
    assert sent == [] and not (tmp_path / "out").exists()


def test_without_an_event_printing_needs_one_declared_and_a_right_to_declare(dialog, qtbot,
                                                                            hospital):
    add_user(hospital, "mdupont", Role.NURSE)
    add_user(hospital, "claire.roux", Role.WARD_MANAGER)
    confirm = open_confirmation(dialog, qtbot)
    assert not confirm.for_ongoing.isEnabled()
    assert confirm.for_ongoing.text() == "Pour l'événement en cours : aucun n'est en cours"
    assert confirm.declare.isChecked()
    qtbot.waitUntil(confirm.title_field.hasFocus)

    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)  # no title, no name
    assert confirm.isVisible() and "Indiquez qui déclare" in confirm.error.text()
    qtbot.keyClicks(confirm.by_field, "claire.roux")  # a name alone proves nothing
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    answered(qtbot, confirm)
    assert confirm.error.text() == "Nom d'utilisateur ou mot de passe incorrect."
    assert confirm.by_secret.echoMode() == confirm.by_secret.EchoMode.Password
    qtbot.keyClicks(confirm.by_secret, PASSWORD)
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    answered(qtbot, confirm)
    assert confirm.isVisible() and "intitulé" in confirm.error.text()
    assert confirm.by_secret.text() == ""  # typed again after any refusal
    confirm.title_field.insert("Coupure réseau du 23/11")  # QTest types ASCII only
    confirm.by_field.clear()
    qtbot.keyClicks(confirm.by_field, "mdupont")
    qtbot.keyClicks(confirm.by_secret, PASSWORD)
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)  # a nurse may not declare
    answered(qtbot, confirm)
    assert confirm.isVisible() and "cadre de santé" in confirm.error.text()
    assert registered(hospital) == (0, 0)

    confirm.by_field.clear()
    qtbot.keyClicks(confirm.by_field, "claire.roux")
    qtbot.keyClicks(confirm.by_secret, PASSWORD)
    confirm.planned_check.setChecked(True)
    with qtbot.waitSignal(dialog.finished_printing, timeout=60_000):
        qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    store = open_store(hospital)
    try:
        event = store.ongoing_event()
        assert event.title == "Coupure réseau du 23/11" and event.declared_by == "claire.roux"
        assert event.planned and event.wards is None
        (batch,) = store.batches()
        assert store.event_of_batch(batch.id) == event.id
    finally:
        store.close()


def test_the_declarers_password_is_checked_aside_and_a_dialog_closed_meanwhile_declares_nothing(
        qtbot, hospital, tmp_path):
    add_user(hospital, "claire.roux", Role.WARD_MANAGER)
    slow = HeldCheck()
    session = Session(verify=slow)
    dialog = print_station(qtbot, hospital, tmp_path / "out", Settings(pages_per_minute=20),
                           printers=lambda: [], now=lambda: AS_OF, session=session)
    for attempt in ("closed meanwhile", "waited for"):
        confirm = open_confirmation(dialog, qtbot)
        confirm.title_field.insert("Coupure réseau")
        qtbot.keyClicks(confirm.by_field, "claire.roux")
        qtbot.keyClicks(confirm.by_secret, PASSWORD)
        qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)  # impatient: once
        assert confirm.checking and confirm.ok_button.text() == "Vérification…"
        assert not confirm.ok_button.isEnabled() and not confirm.by_secret.isEnabled()
        if attempt == "closed meanwhile":
            with qtbot.waitSignal(confirm.finished, timeout=5000):
                qtbot.keyClick(confirm, Qt.Key.Key_Escape)
            slow.release.set()
            no_check_left(qtbot, session)
            slow.release.clear()
            assert registered(hospital) == (0, 0) and session.user is None
        else:
            with qtbot.waitSignal(dialog.finished_printing, timeout=60_000):
                slow.release.set()
    store = open_store(hospital)
    try:
        assert store.ongoing_event().declared_by == "claire.roux"
    finally:
        store.close()
    assert session.user.username == "claire.roux"  # the declarer signed in, as before
    assert slow.calls == [("claire.roux", False)] * 2  # once per OK, off the GUI thread


def test_a_test_print_registers_nothing_and_says_so(with_printer, qtbot, hospital, sent):
    dialog = with_printer
    sign_in(dialog, hospital)
    confirm = open_confirmation(dialog, qtbot)
    qtbot.mouseClick(confirm.test, Qt.MouseButton.LeftButton)
    pages = dialog.selected_pages()
    assert confirm.ok_button.text() == f"Imprimer l'essai ({pages} pages)"
    assert not confirm.declare_form.isEnabled()
    with qtbot.waitSignal(dialog.finished_printing, timeout=120_000):
        qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    assert registered(hospital) == (0, 0)
    result = dialog.last_result
    assert result is not None and result.outcome.pages == pages
    assert all(w.pdf.name.startswith("essai-") and w.pdf.exists() for w in result.outcome.wards)
    assert [title for _pdf, _printer, title in sent] == [
        f"reentry-essai-{w.ward_code}" for w in result.outcome.wards]
    assert "Rien n'est enregistré" in dialog.result_label.text()


def test_a_planned_event_sets_the_window_and_is_chosen_for_printing(qtbot, hospital, tmp_path):
    cut = AS_OF + timedelta(hours=1)  # 22:00 in Paris, an hour after now
    event = declare(hospital, started_at=cut)
    dialog = print_station(qtbot, hospital, tmp_path / "out", Settings(pages_per_minute=20),
                           printers=lambda: [], now=lambda: AS_OF)
    sign_in(dialog, hospital)
    assert dialog.start.dateTime().toString("dd/MM/yyyy HH:mm") == "23/11/2026 22:00"
    confirm = open_confirmation(dialog, qtbot)
    assert confirm.for_ongoing.isChecked() and not confirm.declare.isEnabled()
    assert confirm.for_ongoing.text() == (
        "Pour l'événement déclaré : « Coupure réseau », qui commence le 23/11/2026 22:00 "
        "(UTC+01:00)")
    assert confirm.fact("printer").startswith("Aucune : les PDF sont seulement écrits dans ")
    assert confirm.fact("window").startswith("du 23/11/2026 22:00 au 24/11/2026 06:00")
    with qtbot.waitSignal(dialog.finished_printing, timeout=120_000):
        qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    store = open_store(hospital)
    try:
        assert {store.event_of_batch(b.id) for b in store.batches()} == {event.id}
    finally:
        store.close()


def test_an_event_ended_meanwhile_is_refused_in_the_confirmation(dialog, qtbot, hospital):
    from reentry.events.service import end_event

    event = declare(hospital)
    confirm = open_confirmation(dialog, qtbot)
    store = open_store(hospital)
    try:
        end_event(store, store.user_by_name("claire.roux"), event.id, AS_OF)
    finally:
        store.close()
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    assert confirm.isVisible() and "n'est plus en cours" in confirm.error.text()
    assert registered(hospital) == (0, 0)


def test_wards_the_event_does_not_cover_are_named(dialog, qtbot, hospital):
    first, second = dialog._estimates[:2]
    declare(hospital, wards=(first.ward_code,))
    confirm = open_confirmation(dialog, qtbot)
    assert confirm.outside.isVisible()
    assert second.ward_name in confirm.outside.text()
    assert first.ward_name not in confirm.outside.text()


def test_the_confirmation_fits_a_ward_pc_screen_and_speaks_english(dialog, qtbot, hospital):
    from ui.language import switch_language

    confirm = open_confirmation(dialog, qtbot)
    hint = confirm.sizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768 - 80  # room for the taskbar
    confirm.close()
    switch_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Print station")
    confirm = open_confirmation(dialog, qtbot)
    assert confirm.windowTitle() == "Confirm printing"
    assert confirm.fact("window").endswith("(start and end included)")
    assert confirm.test.text().startswith("Test print: nothing is registered")
