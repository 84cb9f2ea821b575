"""The event window, driven as a ward manager would: sign in, read the accounting, declare a
sheet lost (identity in view), end the outage, close with a signed exception; the drill banner."""

from datetime import UTC, datetime, timedelta

import pytest
from cli_passwords import PASSWORD
from printed_ward import PRINTER
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QToolBar
from qt_windows import HeldCheck, answered, loaded, no_check_left, type_sign_in, with_password

from reentry import display
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.domain.events import DeclareEvent, EventStatus
from reentry.domain.sheet_state import SheetState
from reentry.entry import service
from reentry.events.accounting import account_lines
from reentry.events.drill import start_drill
from reentry.events.service import declare_event
from reentry.printing.station import PrintRequest, print_batch
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store
from ui.event_window import ACCOUNT_COLUMNS, EventWindow
from ui.progress_view import WARD_COLUMNS, ProgressDialog
from ui.session import Session

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = AS_OF + timedelta(hours=12)
SIGN_IN_FIRST = "Identifiez-vous d'abord : cette action est faite et tracée à votre nom."


@pytest.fixture
def outage(db_path, tmp_path):
    """A real printed ward in a declared planned outage, and the people who work it."""
    store = open_store(db_path)
    create_demo(store, patients=6, seed=8, as_of=AS_OF)
    manager = service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    declare_event(store, DeclareEvent(title="Coupure réseau", started_at=AS_OF, user=manager,
                                      planned=True, systems=("DPI",)))
    ward = store.census()[0].ward.code
    print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "pdf", wards=(ward,), start=AS_OF,
                                    admission_packets=1))
    expected = tracked_sheets(store)
    store.close()
    return db_path, expected


@pytest.fixture
def window(qtbot, outage):
    window = EventWindow(outage[0], now=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    return window


def _sign_in(qtbot, window, username):
    with qtbot.waitSignal(window.refreshed):
        type_sign_in(qtbot, window.sign_in_page, username)


def _ward_names(db_path):
    store = open_store(db_path)
    try:
        return {w.code: w.name for w in store.wards()}
    finally:
        store.close()


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_declare_a_sheet_lost_with_the_identity_in_view(qtbot, window, outage):
    db_path, expected = outage
    _sign_in(qtbot, window, "claire.roux")
    assert "Coupure réseau" in window.summary.text()
    [line] = account_lines(expected)
    assert window.accounts_table.rowCount() == 2  # the batch, then the ward's total
    assert window.accounts_table.item(0, 2).text() == str(line.sheets.expected)
    assert window.accounts_table.item(0, 8).text() == str(line.sheets.expected)  # none yet
    assert window.sheets_table.rowCount() == line.sheets.expected
    assert window.end_button.isEnabled() and not window.close_button.isEnabled()

    target = window.unaccounted_sheets()[0]
    assert [window.sheets_table.item(0, c).text() for c in (2, 4)] == [
        target.patient_name or target.temporary_id, target.ipp or ""]
    titles = {window.sheets_table.item(r, 5).text() for r in range(window.sheets_table.rowCount())}
    assert "Surveillance des paramètres vitaux" in titles  # the form's name, not its id
    assert not titles & {"vital_signs", "medication_administration"}
    window.sheets_table.selectRow(0)
    qtbot.mouseClick(window.lost_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert dialog.identities.count() == 1
    shown = dialog.identities.item(0).text()
    assert target.ipp in shown and target.patient_name in shown
    names = _ward_names(db_path)
    assert names[target.ward_code] in shown and target.ward_code not in shown
    assert display.form_title(target.template_id) in shown and target.template_id not in shown
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)  # no reason: refused, stays open
    assert "motif" in dialog.error.text() and window.dialog is dialog
    qtbot.keyClicks(dialog.reason_field, "perdue au brancardage")
    with qtbot.waitSignal(window.refreshed):
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    assert window.sheets_table.rowCount() == line.sheets.expected - 1
    assert window.accounts_table.item(0, 6).text() == "1"
    assert "1 feuille(s) déclarée(s) perdue(s)" in window.notice.text()
    store = open_store(db_path)
    try:
        state = {a.serial: a for a in tracked_sheets(store)}[target.serial]
    finally:
        store.close()
    assert state.state is SheetState.LOST and state.declared_by == "claire.roux"
    assert state.declared_reason == "perdue au brancardage"


def test_end_then_close_with_a_ward_managers_exception(qtbot, window, outage):
    db_path, expected = outage
    _sign_in(qtbot, window, "claire.roux")
    qtbot.mouseClick(window.end_button, Qt.MouseButton.LeftButton)
    question = window.dialog
    assert isinstance(question, QMessageBox)
    with qtbot.waitSignal(window.refreshed):
        qtbot.mouseClick(question.button(QMessageBox.StandardButton.Yes),
                         Qt.MouseButton.LeftButton)
    assert window.outage.status is EventStatus.ENDED and window.close_button.isEnabled()

    qtbot.mouseClick(window.close_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    name = _ward_names(db_path)[expected[0].ward_code]
    assert f"{name} ({len(expected)})" in dialog.explanation.text()  # the ward by its name
    assert "ne sont pas soldées" in dialog.explanation.text()
    with_password(window.store, "mdupont")
    qtbot.keyClicks(dialog.signer_field, "mdupont")  # a nurse may not sign, even with her
    qtbot.keyClicks(dialog.signer_secret, PASSWORD)  # password
    qtbot.keyClicks(dialog.reason_field, "feuilles detruites (degat des eaux)")
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    answered(qtbot, dialog)
    assert "cadre de santé" in dialog.error.text()
    assert dialog.signer_secret.text() == ""
    dialog.signer_field.clear()
    qtbot.keyClicks(dialog.signer_field, "claire.roux")  # signed in: no password asked
    with qtbot.waitSignal(window.refreshed):
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)

    assert window.outage.status is EventStatus.CLOSED
    assert "claire.roux" in window.summary.text() and "degat des eaux" in window.summary.text()
    assert not window.lost_button.isEnabled() and not window.close_button.isEnabled()
    store = open_store(db_path)
    try:
        event = store.outage_events()[0]
    finally:
        store.close()
    assert event.status is EventStatus.CLOSED
    assert len(event.exception.serials) == len(expected)


def test_an_exception_in_another_managers_name_needs_that_managers_password(
        qtbot, window, outage):
    db_path, _expected = outage
    store = open_store(db_path)
    with_password(store, service.add_user(store, "paul.morel", "Paul Morel",
                                          Role.WARD_MANAGER).username, "le secret de Paul")
    store.close()
    _sign_in(qtbot, window, "claire.roux")
    with qtbot.waitSignal(window.refreshed):
        window._act(lambda: window._end(window.outage.id))
    qtbot.mouseClick(window.close_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    qtbot.keyClicks(dialog.signer_field, "paul.morel")  # his name alone signs nothing
    qtbot.keyClicks(dialog.reason_field, "feuilles detruites")
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    answered(qtbot, dialog)
    refusal = dialog.error.text()
    assert refusal == "Nom d'utilisateur ou mot de passe incorrect."
    qtbot.keyClicks(dialog.signer_secret, "pas le sien")
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    answered(qtbot, dialog)
    assert dialog.error.text() == refusal and dialog.signer_secret.text() == ""
    assert window.outage.status is EventStatus.ENDED  # nothing signed, nothing closed

    qtbot.keyClicks(dialog.signer_secret, "le secret de Paul")
    with qtbot.waitSignal(window.refreshed):
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert window.outage.status is EventStatus.CLOSED
    assert window.outage.exception.signed_by == "paul.morel"


def test_signed_out_while_a_dialog_is_open_its_ok_is_refused_in_words(qtbot, window, outage):
    """Someone signs out in another window while the lost-sheet dialog, or the end question,
    is open here: OK says to sign in first (never a traceback) and nothing is written."""
    db_path, expected = outage
    _sign_in(qtbot, window, "claire.roux")
    window.sheets_table.selectRow(0)
    qtbot.mouseClick(window.lost_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    qtbot.keyClicks(dialog.reason_field, "perdue au brancardage")
    window.session.sign_out()
    assert window.user is None and dialog.isVisible()
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert dialog.error.text() == SIGN_IN_FIRST and dialog.isVisible()
    dialog.reject()

    _sign_in(qtbot, window, "claire.roux")
    qtbot.mouseClick(window.end_button, Qt.MouseButton.LeftButton)
    question = window.dialog
    assert isinstance(question, QMessageBox)
    window.session.sign_out()
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert [box.text() for box in window.findChildren(QMessageBox)
            if box.isVisible()] == [SIGN_IN_FIRST]

    store = open_store(db_path)
    try:
        assert [s.state for s in tracked_sheets(store)] == [s.state for s in expected]
        assert store.outage_events()[0].status is EventStatus.ONGOING
    finally:
        store.close()


def test_a_nurse_sees_the_accounting_but_cannot_act(qtbot, window):
    _sign_in(qtbot, window, "mdupont")
    assert window.sheets_table.rowCount() > 0
    assert not any(b.isEnabled() for b in (window.declare_button, window.end_button,
                                           window.close_button, window.lost_button,
                                           window.not_used_button))


def test_declare_an_outage_from_the_window(qtbot, db_path, tmp_path):
    store = open_store(db_path)
    create_demo(store, patients=4, seed=2, as_of=AS_OF)
    service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    ward = store.census()[0].ward.code
    store.close()
    window = EventWindow(db_path, now=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    _sign_in(qtbot, window, "claire.roux")
    assert window.declare_button.isEnabled()
    qtbot.mouseClick(window.declare_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    qtbot.keyClicks(dialog.title_field, "Panne du DPI")
    qtbot.keyClicks(dialog.systems_field, "DPI, laboratoire")
    dialog.all_wards.setChecked(False)
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)  # no ward ticked
    assert "unité" in dialog.error.text()
    item = next(dialog.ward_list.item(i) for i in range(dialog.ward_list.count())
                if dialog.ward_list.item(i).data(Qt.ItemDataRole.UserRole) == ward)
    item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(window.refreshed):
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert window.outage.title == "Panne du DPI" and window.outage.wards == (ward,)
    assert window.outage.systems == ("DPI", "laboratoire")
    assert window.end_button.isEnabled() and not window.declare_button.isEnabled()


def test_a_drill_copy_is_marked_in_every_window(qtbot, outage, tmp_path):
    from ui.main_window import MainWindow
    from ui.reentry_window import ReentryWindow

    copy = tmp_path / "exercice.sqlite"
    start_drill(outage[0], copy)
    for make in (lambda: EventWindow(copy), lambda: ReentryWindow(copy)):
        window = make()
        qtbot.addWidget(window)
        banner = window.findChild(QToolBar, "drill_banner")
        assert banner is not None and not banner.isHidden()
        assert "EXERCICE" in banner.label.text()
        assert window.windowTitle().startswith("EXERCICE")
    from reentry.config import Settings

    main = MainWindow(copy, Settings())
    qtbot.addWidget(main)
    assert loaded(qtbot, main)
    assert main.windowTitle().startswith("EXERCICE")
    from ui.language import switch_language

    switch_language("en")
    qtbot.waitUntil(lambda: "offline" in main.windowTitle())
    assert main.windowTitle().startswith("DRILL — ") and "EXERCICE" not in main.windowTitle()
    assert not main.findChild(QToolBar, "drill_banner").isHidden()

    real = EventWindow(outage[0])
    qtbot.addWidget(real)
    banner = real.findChild(QToolBar, "drill_banner")
    assert banner.isHidden() and not real.windowTitle().startswith("DRILL")


def test_wards_by_name_and_the_same_figures_under_the_same_words_as_progress(
        qtbot, window, outage):
    db_path, expected = outage
    _sign_in(qtbot, window, "claire.roux")
    names = _ward_names(db_path)
    code = expected[0].ward_code
    table = window.accounts_table
    cells = [table.item(r, c).text() for r in range(table.rowCount())
             for c in range(table.columnCount())]
    assert code not in cells and table.item(0, 0).text() == names[code]
    assert table.item(0, 0).toolTip() == f"{names[code]} (UF {code})"
    assert {window.sheets_table.item(r, 0).text()
            for r in range(window.sheets_table.rowCount())} == {names[code]}
    assert window.ward_filter.itemText(1) == names[code]
    unaccounted = ACCOUNT_COLUMNS.index("unaccounted")
    assert table.horizontalHeaderItem(unaccounted).text() == "Non soldées"
    assert table.horizontalHeaderItem(unaccounted).toolTip().startswith("Ni saisies")
    assert "Non soldées : ni saisies" in window.accounts_legend.text()
    assert window.sheets_caption.text().startswith("Feuilles non soldées")

    progress = ProgressDialog(db_path)
    qtbot.addWidget(progress)
    with qtbot.waitSignal(progress.refreshed, timeout=10_000):  # read off the GUI thread
        progress.refresh()
    total = table.rowCount() - 1  # the ward's total line
    for name in ("expected", "returned", "entered", "verified", "lost", "not_used",
                 "unaccounted"):
        column = WARD_COLUMNS.index("printed" if name == "expected" else name)
        assert table.item(total, ACCOUNT_COLUMNS.index(name)).text() == (
            progress.wards_table.item(0, column).text()), name
        assert table.horizontalHeaderItem(ACCOUNT_COLUMNS.index(name)).text() == (
            progress.wards_table.horizontalHeaderItem(column).text()), name


def test_the_signers_password_is_checked_aside_and_a_dialog_closed_meanwhile_closes_nothing(
        qtbot, outage):
    db_path, _expected = outage
    store = open_store(db_path)
    with_password(store, service.add_user(store, "paul.morel", "Paul Morel",
                                          Role.WARD_MANAGER).username, "le secret de Paul")
    store.close()
    slow = HeldCheck()
    session = Session(verify=slow)
    window = EventWindow(db_path, now=lambda: NOW, session=session)
    qtbot.addWidget(window)
    window.show()
    slow.hold = False
    _sign_in(qtbot, window, "claire.roux")
    slow.hold = True
    with qtbot.waitSignal(window.refreshed):
        window._act(lambda: window._end(window.outage.id))

    for attempt in ("closed meanwhile", "waited for"):
        qtbot.mouseClick(window.close_button, Qt.MouseButton.LeftButton)
        dialog = window.dialog
        qtbot.keyClicks(dialog.signer_field, "paul.morel")
        qtbot.keyClicks(dialog.signer_secret, "le secret de Paul")
        qtbot.keyClicks(dialog.reason_field, "feuilles detruites")
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)  # impatient: checked once
        assert dialog.checking and _ok(dialog).text() == "Vérification…"
        assert not dialog.signer_secret.isEnabled() and not _ok(dialog).isEnabled()
        if attempt == "closed meanwhile":
            dialog.reject()
            slow.release.set()
            no_check_left(qtbot, session)
            slow.release.clear()
            assert window.outage.status is EventStatus.ENDED  # nothing signed, nothing closed
        else:
            with qtbot.waitSignal(window.refreshed, timeout=10000):
                slow.release.set()
    assert window.outage.status is EventStatus.CLOSED
    assert window.outage.exception.signed_by == "paul.morel"
    assert slow.calls == [("claire.roux", False)] + [("paul.morel", False)] * 2  # once per OK
