"""Double entry in the real re-entry window, driven from the keyboard with scanned codes.

Blind: a nurse types a vital-signs sheet; she cannot do its second entry; a colleague types it
again on an empty screen (nothing of the first entry in view) and reads one value differently;
the ward manager sees both values side by side and keeps a third value read on paper, with a
reason. Sighted: a colleague confirms one row and corrects another beside the paper.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from qt_windows import focused, scan, shown, type_sign_in

from reentry.domain.entry import EntryStatus, Role
from reentry.domain.verification import Stage
from reentry.entry import service
from reentry.sheets.policy import set_mode
from reentry.store import open_store
from reentry.verify.stage import verification
from ui.reentry_window import ReentryWindow

pytestmark = [pytest.mark.qt]

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # re-entry, the morning after the outage
CTRL = Qt.KeyboardModifier.ControlModifier
ROW = {"time": "23h15", "systolic": "120", "diastolic": "80", "heart_rate": "72",
       "temperature": "37,5", "spo2": "97", "initials": "AB"}


@pytest.fixture
def stored(db_path, sheets):
    """A second connection (another PC), with a colleague and the ward manager."""
    store = open_store(db_path)
    service.add_user(store, "jmartin", "Jean Martin", Role.NURSE)
    manager = service.add_user(store, "croux", "Claire Roux", Role.WARD_MANAGER)
    set_mode(store, manager, "vital_signs", "blind")
    set_mode(store, manager, "nursing_notes", "sighted")
    yield store
    store.close()


@pytest.fixture
def window(qtbot, db_path, stored):
    return shown(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))


def sign_in(qtbot, window, username):
    if window.user is not None:
        qtbot.keyClick(focused(), Qt.Key.Key_Q, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(window.sign_in_page.name_field.hasFocus)
    type_sign_in(qtbot, window.sign_in_page, username)
    assert window.user.username == username


def type_enter(qtbot, text):
    cell = focused()
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)


def type_vitals(qtbot, window, values):
    """The sheet's date, then row 1 in paper order, Enter after each cell; Enter saves."""
    screen = window.entry
    assert focused() is screen.rows[0].cells["date"]
    type_enter(qtbot, "23/11/2026")
    for field_id, cell in screen.rows[1].cells.items():
        assert focused() is cell, field_id
        type_enter(qtbot, values.get(field_id, ""))
    assert screen.confirmation.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # the identity, once per sheet
    assert screen.rows[1].saved


def vitals_of(sheets):
    return next(s for s in sheets if s.template_id == "vital_signs" and s.patient_id)


def test_blind_double_entry_by_two_nurses_and_a_difference_decided_by_the_manager(
        qtbot, window, sheets, stored):
    instance = vitals_of(sheets)
    sign_in(qtbot, window, "mdupont")
    scan(qtbot, window, instance.code(1))
    assert not window.entry.mode_banner.isVisible()  # first entry: the ordinary screen
    type_vitals(qtbot, window, ROW)
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    assert window.pages.currentWidget() is window.scan_page
    assert "seconde fois, à l'aveugle" in window.scan_page.notice.text()

    scan(qtbot, window, instance.code(1))  # the first typist cannot do the second entry
    assert "autre personne" in window.refusal_text()
    assert window.pages.currentWidget() is window.scan_page

    sign_in(qtbot, window, "jmartin")
    scan(qtbot, window, instance.code(1))
    screen = window.entry
    assert window.pages.currentWidget() is screen and screen.mode_banner.isVisible()
    assert "aveugle" in screen.mode_banner.text()
    shown = [cell.text() for row in screen.rows for cell in row.cells.values()]
    assert shown == [""] * len(shown)  # not even the sheet's date
    assert not any(row.saved for row in screen.rows) and screen.history_text() == ""
    type_vitals(qtbot, window, {**ROW, "heart_rate": "78"})
    assert "enregistrée" in screen.rows[1].status.text()
    assert [e.entered_by for e in stored.entries(instance.serial)] == ["mdupont"]
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    assert "1 écart(s)" in window.scan_page.notice.text()

    sign_in(qtbot, window, "croux")
    scan(qtbot, window, instance.code(1))
    decide = window.verify.decision
    assert window.pages.currentWidget() is decide
    (line,) = decide.lines
    assert [c.text() for c in line.cells[1:]] == ["1", "Fréquence cardiaque", "72/min",
                                                  "78/min"]
    assert instance.code(1)[:4] in line.cells[0].text()
    assert "mdupont" in decide.header.explanation.text()
    assert decide.header.banner.isVisible()  # the patient stays in view
    assert focused() is line.choice and not line.value.isEnabled()
    qtbot.keyClick(line.choice, Qt.Key.Key_Down)
    qtbot.keyClick(line.choice, Qt.Key.Key_Down)  # 3 — another value, read on paper
    assert line.value.isEnabled()
    qtbot.keyClick(line.choice, Qt.Key.Key_Tab)
    assert focused() is line.value
    qtbot.keyClicks(line.value, "75")
    qtbot.keyClick(line.value, Qt.Key.Key_S, CTRL)
    assert decide.header.confirmation.isVisible()  # the identity first
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert "motivée" in decide.message_text()  # a third value needs its reason
    assert "Rien n'a été enregistré" in decide.notice_text()
    assert verification(stored, instance.serial).stage is Stage.AWAITING_DECISION
    line.reason.setFocus()
    qtbot.keyClicks(line.reason, "relu sur le papier")
    qtbot.keyClick(line.reason, Qt.Key.Key_S, CTRL)
    assert window.pages.currentWidget() is window.scan_page
    assert "feuille vérifiée" in window.scan_page.notice.text()

    state = verification(stored, instance.serial)
    assert (state.stage, state.verified_by) == (Stage.VERIFIED, "croux")
    history = service.sheet_history(stored, instance.serial)
    assert [(e.status, e.values["heart_rate"], e.entered_by) for e in history] == [
        (EntryStatus.CORRECTED, "72", "mdupont"), (EntryStatus.ACTIVE, "75", "croux")]
    heart = [i.value for i in stored.items([instance.serial]) if i.code == "8867-4"]
    assert heart == [75.0]
    (decided,) = stored.double_entry_decisions(instance.serial)
    assert (decided["choice"], decided["value"], decided["reason"]) == (
        "third", "75", "relu sur le papier")


def test_sighted_check_confirms_a_row_and_corrects_another_beside_the_paper(
        qtbot, window, sheets, stored):
    instance = next(s for s in sheets if s.template_id == "nursing_notes" and s.patient_id)
    sign_in(qtbot, window, "mdupont")
    scan(qtbot, window, instance.code(1))
    screen = window.entry
    type_enter(qtbot, "23/11/2026")
    for index, text in ((1, "Patient calme, dort."), (2, "Douleur 3/10.")):
        for field_id, value in (("time", f"0{index}h00"), ("text", text), ("initials", "AB")):
            assert focused() is screen.rows[index].cells[field_id]
            type_enter(qtbot, value)
        if screen.confirmation.isVisible():
            qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    assert "vérifier à vue" in window.scan_page.notice.text()

    sign_in(qtbot, window, "jmartin")
    scan(qtbot, window, instance.code(1))
    check = window.verify.check
    assert window.pages.currentWidget() is check
    assert focused() is check.table and check.status_texts() == ["à vérifier"] * 2
    assert "Patient calme" in check.table.item(0, 1).text()
    qtbot.keyClick(check.table, Qt.Key.Key_Return)
    assert check.header.confirmation.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert check.status_texts() == ["conforme", "à vérifier"]
    assert check.table.currentRow() == 1
    qtbot.keyClick(check.table, Qt.Key.Key_F9)  # not yet: one row left
    assert "1 ligne" in check.notice_text()
    qtbot.keyClick(check.table, Qt.Key.Key_F4)
    line = check.correction
    assert focused() is line.cells["time"]
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    text = line.cells["text"]
    assert focused() is text and text.text() == "Douleur 3/10."
    text.selectAll()
    type_enter(qtbot, "Douleur 5/10.")
    type_enter(qtbot, "")  # the initials stay
    assert focused() is line.reason
    type_enter(qtbot, "chiffre mal lu")
    assert check.status_texts() == ["conforme", "corrigée"]
    qtbot.keyClick(check.table, Qt.Key.Key_F9)
    assert window.pages.currentWidget() is window.scan_page
    assert "feuille vérifiée" in window.scan_page.notice.text()
    assert verification(stored, instance.serial).stage is Stage.VERIFIED
    assert sorted(i.text for i in stored.verified_items([instance.serial])) == [
        "Douleur 5/10.", "Patient calme, dort."]
