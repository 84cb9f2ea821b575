"""The downtime admission in the real re-entry window, from the keyboard, on printed packets.

A packet's chart scanned before its admission is refused with the admission sheet's code; the
admission sheet opens the admission screen, typed field by field with Enter; once saved, the
packet's other sheets open on the provisional patient with the identity banner saying so.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from qt_windows import focused, scan, signed_in, type_sign_in
from scanned_stack import printed_pages, scanned, write_pdf

from reentry import clock
from reentry.barcodes import group_for_reading
from reentry.domain.admission import AdmissionStatus, temporary_code_text
from reentry.i18n import msg
from reentry.model import IdentityStatus
from reentry.scanning.importer import import_scans
from reentry.store import open_store
from ui.entry_fields import STATE_ERROR
from ui.language import switch_language
from ui.reentry_window import ReentryWindow
from ui.verify_sheet import SheetHeader

pytestmark = [pytest.mark.qt]

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 in Paris, the morning after the outage
PAPER = [("birth_name", "Fontaine"), ("used_name", ""), ("given_names", "Lucie Anne"),
         ("birth_date", "12/05/1958"), ("sex", "F"), ("birthplace_insee", "75056"),
         ("ward", None), ("room", "12"), ("bed", "B"), ("admitted_at", "23/11/2026 23h40"),
         ("initials", "AB")]


@pytest.fixture
def window(qtbot, db_path, sheets):
    return signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))


def packet(sheets):
    admission = next(s for s in sheets if s.template_id == "downtime_admission")
    vitals = next(s for s in sheets if s.template_id == "vital_signs"
                  and s.temporary_id == admission.temporary_id)
    return admission, vitals


def type_admission(qtbot, screen, paper=PAPER):
    """Every field in paper order, as a nurse does: type, Enter; Enter on the last saves."""
    for field_id, text in paper:
        assert focused() is screen.cells[field_id], f"focus should be on {field_id}"
        if text is not None:
            qtbot.keyClicks(focused(), text)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)


def test_a_downtime_admission_typed_then_the_packet_opens_on_the_provisional_patient(
        qtbot, window, sheets, stored):
    admission_sheet, vitals = packet(sheets)
    code = temporary_code_text(admission_sheet.temporary_id)
    scan(qtbot, window, vitals.code(1))  # the chart first: nobody to put it on yet
    refusal = window.refusal_text()
    assert "saisissez d'abord sa feuille d'admission" in refusal
    assert group_for_reading(admission_sheet.code(1)) in refusal
    assert window.pages.currentWidget() is window.scan_page

    scan(qtbot, window, admission_sheet.code(1))
    screen = window.admission
    assert window.pages.currentWidget() is screen and window.refusal_text() in ("", None)
    assert code in screen.title.text()
    assert screen.fixed["temporary_id"].text() == code
    assert screen.cells["ward"].text() == vitals.ward_code  # printed on the packet
    type_admission(qtbot, screen)
    assert window.pages.currentWidget() is window.scan_page
    assert "Admission enregistrée" in window.scan_page.notice.text()
    assert code in window.scan_page.notice.text()

    (row,) = stored.provisional_patients()
    patient = stored.patient_by_id(row.admission.patient.id)
    assert patient.ipp is None and patient.identity_status is IdentityStatus.PROV
    assert (patient.birth_name, patient.given_names) == ("Fontaine", "Lucie Anne")
    assert clock.format_local(row.admission.admitted_at, with_zone=False) == "23/11/2026 23:40"
    assert stored.form_instance(vitals.serial).patient_id == patient.id

    scan(qtbot, window, vitals.code(1))
    entry = window.entry
    assert window.pages.currentWidget() is entry
    banner = entry.banner
    assert banner.isVisible() and not entry.temporary_banner.isVisible()
    assert "IDENTITÉ PROVISOIRE" in banner.provisional_text() and code in banner.provisional_text()
    assert banner.value_text("birth_name") == "FONTAINE"
    assert banner.value_text("given_names") == "Lucie Anne"
    assert banner.value_text("identity_status") == "Provisoire"
    assert code in banner.value_text("ipp") and banner.value_text("nda") == "—"
    assert "ch. 12 lit B" in banner.value_text("location")


def test_an_impossible_date_is_refused_and_an_early_admission_is_confirmed_with_enter(
        qtbot, window, sheets, stored):
    admission_sheet, _ = packet(sheets)
    scan(qtbot, window, admission_sheet.code(1))
    screen = window.admission
    type_admission(qtbot, screen, [*PAPER[:3], ("birth_date", "31/02/1958")])
    birth_date = screen.cells["birth_date"]
    assert birth_date.state() == STATE_ERROR
    assert "31/02/1958" in screen.message_text()
    birth_date.setFocus()
    birth_date.selectAll()
    qtbot.keyClicks(birth_date, "12/05/1958")
    qtbot.waitUntil(lambda: birth_date.text() == "12/05/1958")  # a last digit may be held back
    assert birth_date.state() == ""  # checked as typed
    qtbot.keyClick(birth_date, Qt.Key.Key_Return)
    type_admission(qtbot, screen, PAPER[4:9])
    assert focused() is screen.cells["admitted_at"]
    qtbot.keyClicks(focused(), "23/11/2026 08h00")  # before the outage the packet was printed for
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is screen.cells["admitted_at"]  # first Enter shows the warning
    assert "en dehors de la période de panne" in screen.message_text()
    assert "Entrée" in screen.message_text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # the second confirms it
    assert "valeur confirmée" in screen.message_text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is screen.cells["initials"]
    qtbot.keyClicks(focused(), "AB")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    (row,) = stored.provisional_patients()
    assert row.admission.warnings_confirmed == ("admitted_at",)
    assert row.patient.birth_date.isoformat() == "1958-05-12"


def test_a_saved_admission_is_corrected_with_f4_and_a_reason(qtbot, window, sheets, stored):
    admission_sheet, _ = packet(sheets)
    scan(qtbot, window, admission_sheet.code(1))
    type_admission(qtbot, window.admission)
    scan(qtbot, window, admission_sheet.code(1))  # again: what was saved, read-only
    screen = window.admission
    assert "Admission enregistrée par mdupont" in screen.status.text()
    birth_name = screen.cells["birth_name"]
    assert birth_name.text() == "Fontaine" and birth_name.isReadOnly()
    assert screen.cells["sex"].text() == "féminin"
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "déjà enregistrée" in screen.notice_text()
    qtbot.keyClick(focused(), Qt.Key.Key_F4)
    assert screen.correcting and screen.reason.isVisible() and not birth_name.isReadOnly()
    birth_name.setFocus()
    birth_name.selectAll()
    qtbot.keyClicks(birth_name, "Fontaines")
    qtbot.keyClick(birth_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert focused() is screen.reason and "motivée" in screen.message_text()
    qtbot.keyClicks(screen.reason, "faute de frappe")
    qtbot.keyClick(screen.reason, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.scan_page
    versions = stored.admission_versions(stored.provisional_patients()[0]
                                         .admission.temporary_identity_id)
    assert [(v.status, v.patient.birth_name, v.reason) for v in versions] == [
        (AdmissionStatus.CORRECTED, "Fontaine", None),
        (AdmissionStatus.ACTIVE, "Fontaines", "faute de frappe")]
    scan(qtbot, window, admission_sheet.code(1))
    history = window.admission.history_text()
    assert "<s>FONTAINE Lucie Anne" in history and "faute de frappe" in history
    switch_language("en")
    qtbot.waitUntil(lambda: "Downtime admission" in window.admission.title.text())
    assert window.admission.cells["sex"].text() == "female"
    assert "replaced by mdupont" in window.admission.history_text()


def test_a_half_typed_admission_comes_back_as_a_draft(qtbot, window, sheets, stored):
    admission_sheet, _ = packet(sheets)
    scan(qtbot, window, admission_sheet.code(1))
    type_admission(qtbot, window.admission, PAPER[:3])
    qtbot.waitUntil(lambda: stored.drafts(window.user) != [], timeout=3000)
    window.sign_out()
    assert stored.provisional_patients() == []
    type_sign_in(qtbot, window.sign_in_page, "mdupont")
    drafts = window.scan_page.drafts
    assert drafts.count() == 1 and admission_sheet.temporary_id in drafts.item(0).text()
    drafts.setFocus()
    drafts.setCurrentRow(0)
    qtbot.keyClick(drafts, Qt.Key.Key_Return)
    screen = window.admission
    assert window.pages.currentWidget() is screen
    assert screen.cells["given_names"].text() == "Lucie Anne" and "brouillon" in (
        screen.notice_text())
    assert focused() is screen.cells["used_name"]  # the first field still empty


def test_the_scanned_admission_sheet_is_shown_beside_the_fields(
        qtbot, window, sheets, db_path, tmp_path):
    admission_sheet, _ = packet(sheets)
    [pdf] = (tmp_path / "pdf").glob("*.pdf")  # the ward the `sheets` fixture printed
    page = next(p for p in printed_pages(pdf, 200) if p.serial == admission_sheet.serial)
    stack = write_pdf([scanned(page, random.Random(2), quarter=0).image], tmp_path / "a.pdf", 200)
    store = open_store(db_path)
    try:
        assert import_scans(store, [stack], store.user_by_name("mdupont"),
                            workers=1).identified == 1
    finally:
        store.close()

    scan(qtbot, window, admission_sheet.code(1))
    panel = window.admission.scan_panel
    qtbot.waitUntil(panel.has_image)
    assert focused() is window.admission.cells[PAPER[0][0]]  # the fields keep the keyboard
    qtbot.keyClick(focused(), Qt.Key.Key_F6)
    assert not panel.is_shown()


def test_the_check_and_decision_header_shows_the_temporary_code_of_a_provisional_patient(
        qtbot, window, sheets, stored):
    """The double-entry screens meet the same patient as the entry screen: same identity line."""
    admission_sheet, vitals = packet(sheets)
    code = temporary_code_text(admission_sheet.temporary_id)
    scan(qtbot, window, admission_sheet.code(1))
    type_admission(qtbot, window.admission)
    scan(qtbot, window, vitals.code(1))
    header = SheetHeader(today=lambda: clock.local(NOW).date())
    qtbot.addWidget(header)
    header.show_context(window.entry.context, msg("verify.ui_blind_banner"),
                        msg("verify.ui_blind_banner"))
    assert code in header.banner.provisional_text()
    assert code in header.banner.value_text("ipp") and header.banner.value_text("nda") == "—"
