"""The entry screen driven from the keyboard, on real printed sheets in a real SQLite file.

The nurse scans a sheet, types what the paper says (Enter from cell to cell), confirms the
patient's identity once, saves, corrects, leaves and comes back. What the screen says is checked
on screen; what it stored is checked in the database through the core service.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QPlainTextEdit, QToolButton
from qt_windows import focused, scan, signed_in

from reentry import clock
from reentry.domain.entry import EntryStatus, ItemKind
from reentry.entry import service
from ui.entry_fields import STATE_ERROR, STATE_WARNING
from ui.language import switch_language
from ui.reentry_window import ReentryWindow

pytestmark = [pytest.mark.qt]

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Paris
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # re-entry, the next morning
CTRL = Qt.KeyboardModifier.ControlModifier
ROW = {"time": "23h15", "systolic": "120", "diastolic": "80", "heart_rate": "72",
       "temperature": "37,5", "spo2": "97", "initials": "AB"}


def new_window(qtbot, db_path):
    return signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))


@pytest.fixture
def window(qtbot, db_path, sheets):
    return new_window(qtbot, db_path)


def vitals_of(sheets):
    return next(s for s in sheets if s.template_id == "vital_signs" and s.patient_id)


def type_enter(qtbot, text):
    """Type into the focused cell as a nurse does, then Enter."""
    cell = focused()
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    return cell


def type_row(qtbot, row_editor, values):
    """Every cell of the row in paper order; Enter on the last one saves the row."""
    for field_id, cell in row_editor.cells.items():
        assert focused() is cell, f"focus should be on {field_id}"
        type_enter(qtbot, values.get(field_id, ""))


def open_vitals(qtbot, window, sheets, date="23/11/2026"):
    scan(qtbot, window, vitals_of(sheets).code(1))
    screen = window.entry
    assert focused() is screen.rows[0].cells["date"]
    type_enter(qtbot, date)
    return screen


def confirm_identity(qtbot, screen):
    assert screen.confirmation.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def test_identity_is_confirmed_before_the_first_save_on_the_patient(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    instance = vitals_of(sheets)
    type_row(qtbot, screen.rows[1], ROW)
    assert screen.confirmation.isVisible()
    statement = screen.confirmation.statement_text()
    patient = stored.patient_by_id(instance.patient_id)
    assert patient.birth_name.upper() in statement and instance.ipp in statement
    assert stored.entries(instance.serial) == []
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not screen.confirmation.isVisible() and "rien n'a été enregistré" in screen.notice_text()
    assert stored.entries(instance.serial) == []
    qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)
    confirm_identity(qtbot, screen)
    (entry,) = stored.entries(instance.serial)
    assert entry.values["heart_rate"] == "72" and entry.entered_by == "mdupont"
    assert clock.format_local(entry.event_time, with_zone=False) == "23/11/2026 23:15"
    assert screen.rows[1].saved and "enregistrée" in screen.rows[1].status.text()
    assert focused() is screen.rows[2].cells["time"]
    type_row(qtbot, screen.rows[2], {**ROW, "time": "23h45"})
    assert not screen.confirmation.isVisible()  # once per sheet
    assert len(stored.entries(instance.serial)) == 2


def test_saved_values_are_shown_again_when_the_sheet_is_scanned_again(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    type_row(qtbot, screen.rows[1], ROW)
    confirm_identity(qtbot, screen)
    scan(qtbot, window, next(s for s in sheets if s.template_id == "nursing_notes").code(1))
    assert screen.context.form.id == "nursing_notes"
    scan(qtbot, window, vitals_of(sheets).code(1))
    row = screen.rows[1]
    assert row.saved
    shown = {f: c.text() for f, c in row.cells.items() if c.text()}
    assert shown == {**ROW, "time": "23:15"}  # as stored, written the usual way
    assert all(cell.isReadOnly() for cell in row.cells.values())
    assert screen.rows[0].cells["date"].text() == "23/11/2026"
    assert focused() is screen.rows[2].cells["time"]  # straight to the next row to type
    # saved on 24/11 (NOW), seen on a later day: the day, not a time that reads as today's
    assert row.status.text() == "✓ enregistrée le 24/11"
    assert "le 24/11/2026 à 08:00" in row.status.toolTip()


def test_an_impossible_heart_rate_is_refused_with_its_range_and_unit(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    type_enter(qtbot, "23h15")
    type_enter(qtbot, "120")
    type_enter(qtbot, "80")
    heart_rate = type_enter(qtbot, "350")
    assert heart_rate.state() == STATE_ERROR
    message = screen.message_text()
    assert "350" in message and "0 à 300 /min" in message and "Fréquence cardiaque" in message
    qtbot.keyClick(focused(), Qt.Key.Key_S, CTRL)
    assert focused() is heart_rate and not screen.confirmation.isVisible()
    assert stored.entries(vitals_of(sheets).serial) == []


def test_an_implausible_heart_rate_needs_an_explicit_confirmation(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    for text in ("23h15", "120", "80"):
        type_enter(qtbot, text)
    heart_rate = focused()
    qtbot.keyClicks(heart_rate, "250")
    qtbot.keyClick(heart_rate, Qt.Key.Key_Tab)  # moving on does not confirm it
    assert heart_rate.state() == STATE_WARNING
    assert "40 à 180 /min" in screen.message_text() and "Entrée" in screen.message_text()
    for text in ("37,5", "97", "", "", "", "AB"):
        type_enter(qtbot, text)
    assert focused() is heart_rate and not screen.confirmation.isVisible()  # sent back to it
    assert stored.entries(vitals_of(sheets).serial) == []
    qtbot.keyClick(heart_rate, Qt.Key.Key_Return)  # the explicit confirmation
    assert "valeur confirmée" in screen.message_text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
    confirm_identity(qtbot, screen)
    (entry,) = stored.entries(vitals_of(sheets).serial)
    assert entry.values["heart_rate"] == "250" and entry.warnings_confirmed == ("heart_rate",)


def test_a_medication_row_shows_the_planned_dose_and_records_the_administration(
        qtbot, window, sheets, stored):
    nurse = service.sign_in(stored, "mdupont")
    instance, context = next(
        (s, c) for s in sheets if s.template_id == "medication_administration" and s.patient_id
        and (c := service.open_sheet(stored, s.code(1), nurse)).planned_doses)
    dose = context.planned_doses[0]
    scan(qtbot, window, instance.code(1))
    screen = window.entry
    type_enter(qtbot, "23/11/2026")
    row = screen.rows[1]
    assert row.key == "administrations:0"
    assert row.fixed["drug"].text() == dose.drug
    assert row.fixed["prescribed_dose"].text() == dose.dose
    assert row.fixed["route"].text() == dose.route
    planned = clock.local(dose.planned_at).strftime("%H:%M") if dose.planned_at else ""
    assert row.fixed["planned_time"].text() == planned
    assert "drug" not in row.cells  # pre-printed cells cannot be typed over
    assert len(screen.rows) - 1 == min(len(context.planned_doses), 14)
    given = {"status": "given", "actual_time": planned or "22h00",
             "dose_given": dose.dose.split()[0], "initials": "CD"}
    type_row(qtbot, row, given)
    confirm_identity(qtbot, screen)
    (item,) = stored.items([instance.serial])
    assert (item.kind, item.code, item.status) == (
        ItemKind.MEDICATION_ADMINISTRATION, dose.drug, "completed")
    assert row.cells["status"].text() == "administré"  # the stored code, read in French


def test_a_saved_row_is_corrected_with_a_reason_and_the_original_stays_visible(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    type_row(qtbot, screen.rows[1], ROW)
    confirm_identity(qtbot, screen)
    row = screen.rows[1]
    qtbot.keyClick(focused(), Qt.Key.Key_Up)  # from the next row, back to the saved one
    assert focused() is row.cells["time"]
    qtbot.keyClick(focused(), Qt.Key.Key_F4)
    assert row.correcting and row.reason.isVisible()
    heart_rate = row.cells["heart_rate"]
    heart_rate.setFocus()
    heart_rate.selectAll()
    qtbot.keyClicks(heart_rate, "76")
    qtbot.keyClick(heart_rate, Qt.Key.Key_S, CTRL)
    assert focused() is row.reason  # no correction without a reason
    assert "motivée" in screen.message_text()
    qtbot.keyClicks(row.reason, "erreur de saisie")
    qtbot.keyClick(row.reason, Qt.Key.Key_Return)
    history = service.sheet_history(stored, vitals_of(sheets).serial)
    assert [(e.status, e.values["heart_rate"]) for e in history] == [
        (EntryStatus.CORRECTED, "72"), (EntryStatus.ACTIVE, "76")]
    assert history[1].reason == "erreur de saisie"
    assert row.saved and heart_rate.text() == "76"
    shown = screen.history_text()
    assert "<s>" in shown and "FC 72/min" in shown and "erreur de saisie" in shown
    assert screen.history.isVisible()


def test_unsaved_values_come_back_after_a_restart(qtbot, db_path, sheets, stored):
    window = new_window(qtbot, db_path)
    screen = open_vitals(qtbot, window, sheets)
    for text in ("23h15", "120", "80"):
        type_enter(qtbot, text)
    qtbot.waitUntil(lambda: stored.drafts(window.user) != [], timeout=3000)
    window.close()
    again = new_window(qtbot, db_path)
    drafts = again.scan_page.drafts
    assert drafts.count() == 1 and "0000" in drafts.item(0).text()
    drafts.setFocus()
    drafts.setCurrentRow(0)
    qtbot.keyClick(drafts, Qt.Key.Key_Return)
    screen = again.entry
    assert screen.context.instance.serial == vitals_of(sheets).serial
    row = screen.rows[1]
    assert [row.cells[f].text() for f in ("time", "systolic", "diastolic")] == [
        "23h15", "120", "80"]
    assert not row.saved and screen.rows[0].cells["date"].text() == "23/11/2026"
    assert "brouillon" in screen.notice_text()


def test_a_sheet_is_finished_only_when_every_typed_row_is_saved(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    type_row(qtbot, screen.rows[1], ROW)
    confirm_identity(qtbot, screen)
    type_enter(qtbot, "23h45")
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    assert screen.context is not None and "non enregistrée" in screen.notice_text()
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    cell = screen.rows[2].cells["time"]
    assert focused() is cell
    cell.selectAll()
    qtbot.keyClick(cell, Qt.Key.Key_Backspace)  # the nurse clears what she typed
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    assert window.pages.currentWidget() is window.scan_page
    assert "terminée" in window.scan_page.notice.text()
    serial = vitals_of(sheets).serial
    assert "entered" in [e["action"] for e in stored.sheet_events(serial)]
    assert stored.drafts(window.user) == []


def test_the_screen_follows_the_language_switch(qtbot, window, sheets):
    screen = open_vitals(qtbot, window, sheets)
    assert "Surveillance des paramètres vitaux" in screen.sheet_title.text()
    switch_language("en")
    qtbot.waitUntil(lambda: "Vital signs chart" in screen.sheet_title.text())
    assert window.windowTitle() == "Reentry — paper sheet re-entry"
    assert "Ctrl+S" in screen.keys_help.text() and "save the row" in screen.keys_help.text()
    assert window.user_label.text() == "Signed in: Marie Dupont (mdupont)"
    type_enter(qtbot, "23h15")
    type_enter(qtbot, "120")
    type_enter(qtbot, "80")
    type_enter(qtbot, "350")
    assert "out of range (0 to 300 /min)" in screen.message_text()


def test_digits_typed_just_before_a_shortcut_reach_their_cell_first(qtbot, window, sheets):
    screen = open_vitals(qtbot, window, sheets)
    systolic = screen.rows[1].cells["systolic"]
    systolic.setFocus()
    qtbot.keyClicks(systolic, "95")  # then F9 within the same few milliseconds
    qtbot.keyClick(systolic, Qt.Key.Key_F9)
    assert systolic.text() == "95"
    assert screen.context is not None and "non enregistrée" in screen.notice_text()


# -- leaving a row, keys for answers, notes (issue 13) ---------------------------------------------


def tab_row(qtbot, row_editor, values):
    """From the focused cell to the end of the row in paper order, typing ``values`` (blank
    where it has none) and moving on with Tab, on the last cell too."""
    cells = list(row_editor.cells.items())
    start = next(i for i, (_f, cell) in enumerate(cells) if cell is focused())
    for field_id, cell in cells[start:]:
        assert focused() is cell, f"focus should be on {field_id}"
        qtbot.keyClicks(cell, values.get(field_id, ""))
        qtbot.keyClick(cell, Qt.Key.Key_Tab)


def test_tab_on_the_last_cell_saves_the_row_or_keeps_the_focus_with_the_reason(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    serial = vitals_of(sheets).serial
    tab_row(qtbot, screen.rows[1], ROW)
    confirm_identity(qtbot, screen)  # Tab saves by Enter's rules: the identity first
    assert screen.rows[1].saved and len(stored.entries(serial)) == 1
    assert focused() is screen.rows[2].cells["time"]

    row = screen.rows[2]
    tab_row(qtbot, row, {**ROW, "time": "23h45", "initials": ""})
    initials = row.cells["initials"]
    assert focused() is initials and initials.state() == STATE_ERROR  # kept there
    assert "Initiales : valeur obligatoire" in screen.message_text()
    assert "Ligne non enregistrée : 1 champ" in screen.notice_text()
    assert row.status.text() == "● non enregistrée" and row.status.isVisible()
    assert len(stored.entries(serial)) == 1
    qtbot.keyClicks(initials, "CD")  # fixed: the error goes at once, before saving
    assert screen.message_text() == "" and screen.notice_text() == ""
    assert initials.state() == ""
    qtbot.keyClick(initials, Qt.Key.Key_Tab)
    assert row.saved and len(stored.entries(serial)) == 2
    assert focused() is screen.rows[3].cells["time"]


def test_an_implausible_value_is_not_confirmed_by_tab_on_the_last_cell(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    tab_row(qtbot, screen.rows[1], {**ROW, "initials": ""})
    initials = screen.rows[1].cells["initials"]
    assert focused() is initials
    qtbot.keyClicks(initials, "AB")
    screen.rows[1].cells["heart_rate"].setText("250")  # as if corrected with the mouse
    qtbot.keyClick(initials, Qt.Key.Key_Tab)
    assert focused() is screen.rows[1].cells["heart_rate"]
    assert "confirmez" in screen.message_text() and not screen.confirmation.isVisible()
    assert stored.entries(vitals_of(sheets).serial) == []


def test_leaving_a_typed_row_by_arrow_or_click_saves_it_or_keeps_the_focus(
        qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    serial = vitals_of(sheets).serial
    type_row(qtbot, screen.rows[1], ROW)
    confirm_identity(qtbot, screen)
    row = screen.rows[2]
    type_enter(qtbot, "23h45")
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # half a row: refused, the focus stays
    assert screen.current_row is row and focused().owner is row
    assert "valeur obligatoire" in screen.message_text()
    elsewhere = screen.rows[5].cells["time"]
    qtbot.mouseClick(elsewhere, Qt.MouseButton.LeftButton)  # the same by mouse
    qtbot.waitUntil(lambda: focused() is not elsewhere and focused().owner is row)
    assert len(stored.entries(serial)) == 1
    for field_id, text in ROW.items():
        if field_id != "time":
            row.cells[field_id].setText(text)
    qtbot.mouseClick(elsewhere, Qt.MouseButton.LeftButton)  # complete now: saved on leaving
    qtbot.waitUntil(lambda: row.saved)
    assert focused() is elsewhere and len(stored.entries(serial)) == 2


def test_a_refusal_goes_away_when_another_field_fixes_it(qtbot, window, sheets, stored):
    screen = open_vitals(qtbot, window, sheets)
    date = screen.rows[0].cells["date"]
    date.clear()
    screen.rows[1].cells["time"].setFocus()
    type_row(qtbot, screen.rows[1], ROW)  # Enter on the last cell: no date on the sheet
    assert focused() is date and "Ligne non enregistrée : 1 champ" in screen.notice_text()
    qtbot.keyClicks(date, "23/11/2026")
    qtbot.waitUntil(lambda: date.text() == "23/11/2026")  # digits held a moment: a scan?
    assert screen.notice_text() == ""
    qtbot.mouseClick(screen.rows[1].cells["spo2"], Qt.MouseButton.LeftButton)
    assert screen.message_text() == ""


def open_mar(qtbot, window, sheets, stored):
    nurse = service.sign_in(stored, "mdupont")
    instance = next(s for s in sheets if s.template_id == "medication_administration"
                    and s.patient_id and service.open_sheet(stored, s.code(1), nurse).planned_doses)
    scan(qtbot, window, instance.code(1))
    type_enter(qtbot, "23/11/2026")
    return window.entry, instance


def test_a_mar_answer_takes_one_key_and_says_so_without_internal_codes(
        qtbot, window, sheets, stored):
    screen, instance = open_mar(qtbot, window, sheets, stored)
    row = screen.rows[1]
    status = row.cells["status"]
    assert focused() is status and status.placeholderText() == "A / N / R"
    assert "A = administré" in status.toolTip()
    type_enter(qtbot, "x")
    message = screen.message_text()
    assert "(A = administré, N = non administré, R = refusé)" in message
    assert "given" not in message and "not_given" not in message
    status.setFocus()
    status.selectAll()
    type_enter(qtbot, "a")  # one key
    assert status.text() == "administré" and screen.message_text().count("obligatoire") == 0
    for text in ("22h05", "50", "", "CD"):
        type_enter(qtbot, text)
    confirm_identity(qtbot, screen)
    (entry,) = stored.entries(instance.serial)
    assert entry.values["status"] == "given"

    refused = screen.rows[2].cells["status"]
    assert focused() is refused
    type_enter(qtbot, "R")
    assert refused.text() == "refusé"
    tab_row(qtbot, screen.rows[2], {"actual_time": "", "dose_given": "", "reason": "",
                                    "initials": "CD"})
    assert "Motif si non administré : valeur obligatoire" in screen.message_text()


def test_a_mar_key_typed_after_a_wrong_one_replaces_it(qtbot, window, sheets, stored):
    """« x » then « a » was « xa », refused: the nurse had to rub it out first. A key replaces
    what no answer begins with, or the key typed before it; an answer typed in full still
    reads letter by letter."""
    screen, _instance = open_mar(qtbot, window, sheets, stored)
    status = screen.rows[1].cells["status"]
    assert focused() is status
    qtbot.keyClicks(status, "x")
    assert "« x » n'est pas un choix possible" in screen.message_text()
    qtbot.keyClicks(status, "a")
    assert status.text() == "a" and "pas un choix possible" not in screen.message_text()
    qtbot.keyClicks(status, "n")  # another box ticked: the key before is replaced
    assert status.text() == "n"
    status.clear()
    qtbot.keyClicks(status, "non administr")  # its a, n and r are keys, and read as letters
    assert status.text() == "non administr"


@pytest.mark.qt_log_ignore("This plugin does not support grabbing", "This plugin does not support raise")
def test_a_mar_answer_is_picked_from_a_drop_down_with_the_mouse(qtbot, window, sheets, stored):
    screen, _instance = open_mar(qtbot, window, sheets, stored)
    status = screen.rows[1].cells["status"]
    button = next(b for b in status.findChildren(QToolButton) if b.isVisible())
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    assert [a.text() for a in menu.actions()] == [
        "A = administré", "N = non administré", "R = refusé"]
    choice = menu.actions()[1]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(choice).center())
    assert status.text() == "non administré" and focused() is status
    assert screen.rows[1].status.text() == "● non enregistrée"


def test_a_nursing_note_is_typed_on_several_lines_and_reopens_on_its_start(
        qtbot, window, sheets, stored):
    notes = next(s for s in sheets if s.template_id == "nursing_notes" and s.patient_id)
    scan(qtbot, window, notes.code(1))
    screen = window.entry
    type_enter(qtbot, "23/11/2026")
    type_enter(qtbot, "23h30")
    note = focused()
    assert isinstance(note, QPlainTextEdit) and note.field.id == "text"
    lines = [f"Ligne {n} : patiente calme, dort, pas de douleur." for n in range(1, 9)]
    for index, line in enumerate(lines):
        qtbot.keyClicks(note, line)
        if index + 1 < len(lines):
            qtbot.keyClick(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert note.toPlainText() == "\n".join(lines)
    qtbot.keyClick(note, Qt.Key.Key_Return)  # Enter goes on, as in every cell
    type_enter(qtbot, "EF")
    confirm_identity(qtbot, screen)
    (entry,) = stored.entries(notes.serial)
    assert entry.values["text"] == "\n".join(lines)

    scan(qtbot, window, vitals_of(sheets).code(1))
    scan(qtbot, window, notes.code(1))
    note = screen.rows[1].cells["text"]
    assert note.toPlainText() == "\n".join(lines)
    assert note.textCursor().position() == 0 and note.verticalScrollBar().value() == 0
    assert note.firstVisibleBlock().text() == lines[0]  # the start, not the end
    assert note.verticalScrollBar().maximum() > 0  # longer than the cell: it scrolls inside
