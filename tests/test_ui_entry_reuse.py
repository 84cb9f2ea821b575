"""A scan reuses the form laid out for an earlier sheet of the same layout, and shows nothing of
that sheet: not its patient, values, saved marks, confirmations, refusals or draft.

The entry screen keeps one built form per form, version and page layout and refills it for the
next sheet (``ui/built_forms.py``): what a nurse sees must be exactly what a freshly built form
would show, on the right patient.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from functools import partial

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from qt_windows import focused, scan, signed_in

from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.formdefs import load_forms
from reentry.printing.assemble import build_ward_print
from reentry.store import open_store
from ui.language import switch_language
from ui.reentry_window import ReentryWindow

pytestmark = [pytest.mark.qt]

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
ROW = {"time": "23h15", "systolic": "120", "diastolic": "80", "heart_rate": "72",
       "temperature": "37,5", "spo2": "97", "initials": "AB"}


@pytest.fixture
def sheets(db_path):
    """Every patient's sheets of the fullest ward of a small demo hospital, planned and
    registered as the print station does (the PDF is not drawn: the screen never reads it)."""
    store = open_store(db_path)
    try:
        create_demo(store, patients=60, seed=8, as_of=AS_OF)  # six in the fullest ward
        fullest = Counter(row.ward.code for row in store.census()).most_common(1)[0][0]
        ward = next(w for w in store.wards() if w.code == fullest)
        site = next(s for s in store.sites() if s.code == ward.site_code)
        batch = store.open_batch(store.latest_snapshot().id, [ward.code], AS_OF, 8, "fr", "test")
        ward_print = build_ward_print(store, site, ward, load_forms(),
                                      partial(store.register_sheets, batch.id), start=AS_OF,
                                      hours=8, printed_at=AS_OF)
        serials = [s.serial for packet in ward_print.patients for s in packet.sheets]
        store.mark_printed(serials)
        service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
        return [store.form_instance(serial) for serial in serials]
    finally:
        store.close()


@pytest.fixture
def window(qtbot, db_path, sheets):
    return signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))


def of_template(sheets, template):
    return [s for s in sheets if s.template_id == template and s.patient_id]


def type_enter(qtbot, text):
    cell = focused()
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)


def built_forms(screen):
    return screen.content.findChildren(QWidget, "entry_form",
                                       Qt.FindChildOption.FindDirectChildrenOnly)


def assert_as_new(screen):
    """Every row as a freshly printed sheet shows it: nothing typed, saved or marked."""
    for row in screen.rows:
        assert not row.saved and not row.correcting and row.entry is None
        assert row.is_blank() and row.status.text() == ""
        assert row.confirmed_fields() == frozenset()
        for cell in row.cells.values():
            assert cell.state() == "" and not cell.isReadOnly()
    assert screen.message_text() == "" and screen.history_text() == ""


def test_the_next_sheet_of_the_same_form_reuses_its_rows_and_shows_nothing_of_the_last(
        qtbot, window, sheets, stored):
    first, second = of_template(sheets, "vital_signs")[:2]
    assert first.patient_id != second.patient_id
    scan(qtbot, window, first.code(1))
    screen = window.entry
    type_enter(qtbot, "23/11/2026")
    for field_id in screen.rows[1].cells:
        assert focused() is screen.rows[1].cells[field_id]
        type_enter(qtbot, ROW.get(field_id, ""))
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # the identity, confirmed once
    assert screen.rows[1].saved
    for text in ("23h45", "120", "80"):  # a second row typed, not saved
        type_enter(qtbot, text)
    heart_rate = focused()
    qtbot.keyClicks(heart_rate, "250")
    qtbot.keyClick(heart_rate, Qt.Key.Key_Return)  # an implausible value, confirmed
    assert screen.rows[2].confirmed_fields() == {"heart_rate"}
    cells = [cell for row in screen.rows for cell in row.cells.values()]

    scan(qtbot, window, second.code(1))
    assert screen.context.instance.serial == second.serial
    assert [cell for row in screen.rows for cell in row.cells.values()] == cells  # reused
    assert len(built_forms(screen)) == 1
    patient = stored.patient_by_id(second.patient_id)
    assert screen.banner.patient.id == second.patient_id
    assert screen.banner.value_text("ipp") == patient.ipp
    assert_as_new(screen)
    assert screen.rows[0].cells["date"].text() == "" and focused() is screen.rows[0].cells["date"]
    assert "brouillon" not in screen.notice_text()
    assert screen.scroll_area.verticalScrollBar().value() == 0

    scan(qtbot, window, first.code(1))  # back to the first: saved row, then its draft
    assert screen.banner.patient.id == first.patient_id
    assert screen.rows[1].saved and screen.rows[1].cells["heart_rate"].text() == "72"
    assert [screen.rows[2].cells[f].text() for f in ("time", "systolic", "heart_rate")] == [
        "23h45", "120", "250"]
    assert not screen.rows[2].saved and "brouillon" in screen.notice_text()


def test_mar_pages_show_each_patients_planned_doses(qtbot, window, sheets, stored):
    nurse = service.sign_in(stored, "mdupont")
    mars = of_template(sheets, "medication_administration")
    assert len(mars) >= 3
    screen = window.entry
    for instance in mars + mars[:1]:  # the first once more, after the others
        context = service.open_sheet(stored, instance.code(1), nurse)
        scan(qtbot, window, instance.code(1))
        assert screen.context.instance.serial == instance.serial
        doses = [row for row in screen.rows if row.recordable]
        assert len(doses) == min(len(context.planned_doses), 14)
        for row, dose in zip(doses, context.planned_doses, strict=False):
            assert row.fixed["drug"].text() == dose.drug
            assert row.fixed["prescribed_dose"].text() == dose.dose
        assert_as_new(screen)
        assert screen.empty_doses.isVisible() == (not context.planned_doses)
    layouts = {min(len(service.open_sheet(stored, m.code(1), nurse).planned_doses), 14)
               for m in mars}
    assert len(built_forms(screen)) == len(layouts)  # one per number of dose lines, reused


def test_a_kept_form_is_shown_in_the_language_chosen_since(qtbot, window, sheets):
    vitals, notes = of_template(sheets, "vital_signs")[0], of_template(sheets, "nursing_notes")[0]
    scan(qtbot, window, vitals.code(1))
    screen = window.entry
    assert "Fréquence cardiaque" in screen.rows[1].cells["heart_rate"].toolTip()
    scan(qtbot, window, notes.code(1))
    switch_language("en")
    scan(qtbot, window, vitals.code(1))
    assert "Heart rate" in screen.rows[1].cells["heart_rate"].toolTip()
    switch_language("fr")


def test_signing_out_forgets_the_built_forms(qtbot, window, sheets):
    scan(qtbot, window, of_template(sheets, "vital_signs")[0].code(1))
    screen = window.entry
    qtbot.keyClicks(focused(), "23/11/2026")
    assert len(built_forms(screen)) == 1
    window.sign_out()
    QApplication.sendPostedEvents(None, 0)  # the deferred deletions
    qtbot.waitUntil(lambda: built_forms(screen) == [])
    assert screen.context is None and screen.rows == []
