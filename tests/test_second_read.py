"""The scanned page as a second reader (issue 14): pages printed by the print station, written
on (digits from a handwriting font and held-out MNIST digits composited into the comb boxes,
ticks and initials as pen strokes), rasterised by pdftoppm at 200 dpi, turned, grainy and
JPEG-compressed, imported by the real scan import and typed with the entry service, with four
known differences (see second_read_ward). Each verdict must come out where it should and no
disagreement anywhere else; the machine never fills anything in."""

from __future__ import annotations

import csv

import pdfcheck
import pytest
from second_read_ward import (
    DIFFERENT_RATE,
    MISTYPED_DATE,
    NOTES,
    NOTES_DATE,
    NOW,
    REFUSED_DOSE,
    SHORT_PAIN,
    TYPED,
    UNTYPED_NOTE,
    UNTYPED_SPO2,
    UNWRITTEN_RATE,
    VITALS,
    build,
    nurse_of,
)
from store_copies import place_database

from reentry.domain.entry import RecordRow
from reentry.domain.second_read import (
    AckOutcome,
    FieldKey,
    FieldReading,
    Ink,
    ReadOutcome,
    Verdict,
)
from reentry.entry import service
from reentry.entry.progress import ward_progress
from reentry.errors import Cancelled, UserError
from reentry.layout.sheet import page_layout
from reentry.progress import CancelToken
from reentry.reports.csv_out import write_wards_csv
from reentry.reports.gather import gather_report
from reentry.reports.pdf import write_pdf
from reentry.second_read.counts import open_disagreements_by_ward
from reentry.second_read.crosscheck import (
    WrittenNotTyped,
    check_sheet,
    confirm_as_typed,
    cross_check,
    verdict,
)
from reentry.second_read.page import field_rect
from reentry.second_read.report import second_read_report
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store

EXPECTED = {
    DIFFERENT_RATE: Verdict.DIFFERS,
    UNTYPED_SPO2: Verdict.WRITTEN_NOT_TYPED,
    UNWRITTEN_RATE: Verdict.TYPED_NOT_WRITTEN,
    SHORT_PAIN: Verdict.DIFFERS,
    REFUSED_DOSE: Verdict.DIFFERS,
    UNTYPED_NOTE: Verdict.WRITTEN_NOT_TYPED,
}


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    return build(tmp_path_factory.mktemp("second_read"))


@pytest.fixture
def store(ward, store_location):
    """The written ward in this test's database: a copy of the file, or, for a test marked
    ``both_backends``, copied onto a fresh database of the private PostgreSQL server."""
    place_database(ward.db, store_location)
    opened = open_store(store_location)
    yield opened
    opened.close()


def _checks(store, ward):
    """Every field of the three sheets written on, by key; the sheets' dates (one key on each
    sheet) are checked apart (``_dates``)."""
    return {f.key: f for sheet in (ward.vitals, ward.mar, ward.notes)
            for f in check_sheet(store, sheet.serial).fields if f.key != NOTES_DATE}


def _dates(store, ward):
    return {sheet.template_id: next(f for f in check_sheet(store, sheet.serial).fields
                                    if f.key == NOTES_DATE)
            for sheet in (ward.vitals, ward.mar, ward.notes)}


def test_each_sheet_date_is_read_in_its_comb(ward, store):
    """« 23/11/2026 » written in the date's comb at the top of each sheet: agreeing with the
    date typed (or unsure where a digit is not told), differing where 22/11 was typed."""
    dates = _dates(store, ward)
    for template in ("vital_signs", "medication_administration"):
        assert dates[template].reading.ink is Ink.WRITTEN
        assert dates[template].verdict in (Verdict.AGREES, Verdict.UNSURE)
        assert dates[template].typed == "2026-11-23"
        assert dates[template].reading.text.startswith("2")
    notes = dates["nursing_notes"]
    assert (notes.typed, notes.verdict) == ("2026-11-22", Verdict.DIFFERS)
    line = next(line for line in second_read_report(store, ward.notes.code(1)).lines
                if line.check.key == NOTES_DATE)
    assert line.typed == MISTYPED_DATE  # as the paper writes a date, not « 2026-11-22 »


def test_each_verdict_where_it_should_be_and_nowhere_else(ward, store):
    checks = _checks(store, ward)
    disagreements = {key: c.verdict for key, c in checks.items()
                     if c.verdict not in (Verdict.AGREES, Verdict.UNSURE)}
    assert disagreements == EXPECTED
    assert checks[DIFFERENT_RATE].reading.value == "95"  # what the paper says, shown
    assert checks[DIFFERENT_RATE].typed == "93"
    assert checks[REFUSED_DOSE].reading.value == "refused"
    assert checks[REFUSED_DOSE].typed == "not_given"
    # the written fields around them are seen written and agree or are left to the person
    for row, values in TYPED.items():
        for field_id in values:
            check = checks[FieldKey(VITALS, row, field_id)]
            assert check.verdict in (Verdict.AGREES, Verdict.UNSURE, EXPECTED.get(check.key))
            if check.key not in EXPECTED:
                assert check.reading.ink != "blank", check
    # the AVPU ticks are read, a typed key (« v ») normalised like the paper
    assert checks[FieldKey(VITALS, 1, "consciousness")].verdict is Verdict.AGREES
    # rows nobody wrote nor typed: blank and in agreement, every box of them
    blank_rows = [c for c in checks.values() if c.key.section_id == VITALS
                  and c.key.row_index is not None and c.key.row_index >= 4]
    assert len(blank_rows) >= 8 * 9
    assert {(c.reading.ink, c.verdict) for c in blank_rows} == {("blank", Verdict.AGREES)}
    # free writing in a table's cell: a note's ruled area (its rules are not ink), a reason
    note = checks[FieldKey(NOTES, 0, "text")]
    assert (note.reading.ink, note.verdict) == ("written", Verdict.AGREES)
    reason = checks[FieldKey("administrations", 0, "reason")]
    assert (reason.reading.ink, reason.verdict) == ("written", Verdict.AGREES)
    empty_notes = [c for c in checks.values() if c.key.section_id == NOTES
                   and c.key.row_index >= 2]
    assert {c.key.field_id for c in empty_notes} == {"time", "text", "initials"}
    assert {(c.reading.ink, c.verdict) for c in empty_notes} == {("blank", Verdict.AGREES)}
    # a confident reading that agrees exists (the comparison is not only ever "unsure")
    assert sum(c.verdict is Verdict.AGREES and c.reading.value is not None
               for c in checks.values()) >= 3


def test_confident_readings_are_right_and_values_normalised(ward, store):
    """Where the machine gives a value, it is the one on paper, in the typed value's text
    (« 37,4 » written, 37.4 typed: the same)."""
    for check in _checks(store, ward).values():
        if check.reading.value is not None and check.key not in EXPECTED and check.typed:
            assert check.reading.value == check.typed, check


@pytest.mark.both_backends
def test_each_page_image_is_read_once(ward, store):
    first = cross_check(store, ward.vitals.serial)
    (scan,) = store.scan_pages(ward.vitals.serial)
    reading = store.page_reading(scan.id)
    assert reading is not None and reading.outcome is ReadOutcome.READ
    nurse = nurse_of(store)
    service.record_row(store, RecordRow(ward.vitals.serial, 1, VITALS, 5,
                                        {"time": "23:00", "pain": "3", "initials": "MD"},
                                        {"date": "23/11/2026"}, nurse), now=NOW)
    again = store.page_reading(scan.id)
    assert again == reading  # kept, not read again
    after = cross_check(store, ward.vitals.serial)
    # the new row is typed, not written: the comparison was re-run without reading
    new = {c.key.field_id: c.verdict for c in after.fields if c.key.row_index == 5}
    assert new["pain"] is Verdict.TYPED_NOT_WRITTEN
    assert len(after.open) == len(first.open) + 3  # time, pain and initials


@pytest.mark.both_backends
def test_finishing_over_a_field_written_not_typed_needs_a_reason(ward, store):
    nurse = nurse_of(store)
    serial = ward.vitals.serial
    with pytest.raises(WrittenNotTyped) as refused:
        service.mark_sheet_entered(store, nurse, serial)
    message = refused.value.message()
    assert "Saturation en oxygène (SpO2)" in message and "ligne 3, 16:00" in message
    assert "spo2" not in message
    english = refused.value.message("en")
    assert "Oxygen saturation (SpO2)" in english and "line 3, 16:00" in english
    assert not [e for e in store.sheet_events(serial) if e["action"] == "entered"]
    with pytest.raises(WrittenNotTyped):
        service.mark_sheet_entered(store, nurse, serial, reason="   ")
    service.mark_sheet_entered(store, nurse, serial, reason="valeur barrée sur le papier")
    assert [e for e in store.sheet_events(serial) if e["action"] == "entered"]
    (kept,) = store.finish_reasons(serial)
    assert kept["reason"] == "valeur barrée sur le papier" and kept["username"] == "mdupont"
    assert kept["fields"] == [{"section": VITALS, "row": 2, "field": "spo2", "page": 1}]
    assert [a for a in store.audit("sheet") if a["action"] == "finished_with_written_not_typed"
            and a["record_id"] == serial]


@pytest.mark.both_backends
def test_a_correction_typed_resolves_and_is_recorded(ward, store):
    nurse = nurse_of(store)
    serial = ward.vitals.serial
    row = next(e for e in store.entries(serial, include_corrected=False)
               if e.section_id == VITALS and e.row_index == 2)
    service.record_row(store, RecordRow(serial, 1, VITALS, 2,
                                        {**TYPED[2], "spo2": "95", "initials": "MD"},
                                        {"date": "23/11/2026"}, nurse, corrects=row.id,
                                        reason="SpO2 oubliée"), now=NOW)
    check = cross_check(store, serial)
    spo2 = next(c for c in check.fields if c.key == UNTYPED_SPO2)
    assert spo2.verdict is Verdict.AGREES and spo2.typed == "95"
    (ack,) = [a for a in store.acknowledgements(serial) if a.key == UNTYPED_SPO2]
    assert (ack.outcome, ack.username) == (AckOutcome.CORRECTED, "mdupont")
    assert [a for a in store.audit("sheet") if a["action"] == "cross_check_corrected"]
    assert not check.open_written_not_typed
    service.mark_sheet_entered(store, nurse, serial)  # nothing written is left untyped
    assert store.finish_reasons(serial) == []


@pytest.mark.both_backends
def test_a_disagreement_confirmed_as_typed_stays_shown_but_closed(ward, store):
    nurse = nurse_of(store)
    serial = ward.vitals.serial
    before = check_sheet(store, serial)
    check = confirm_as_typed(store, nurse, serial, DIFFERENT_RATE)
    rate = next(c for c in check.fields if c.key == DIFFERENT_RATE)
    assert rate.verdict is Verdict.DIFFERS and not rate.open
    assert rate.acknowledgement is not None
    assert rate.acknowledgement.outcome is AckOutcome.CONFIRMED
    assert len(check.open) == len(before.open) - 1
    assert [a for a in store.audit("sheet") if a["action"] == "cross_check_confirmed"]
    with pytest.raises(UserError) as again:
        confirm_as_typed(store, nurse, serial, DIFFERENT_RATE)
    assert "rien à confirmer" in again.value.message()
    # typed differently afterwards: the answer no longer covers it
    row = next(e for e in store.entries(serial, include_corrected=False)
               if e.section_id == VITALS and e.row_index == 1)
    service.record_row(store, RecordRow(serial, 1, VITALS, 1,
                                        {**TYPED[1], "heart_rate": "86", "initials": "MD"},
                                        {"date": "23/11/2026"}, nurse, corrects=row.id,
                                        reason="relu"), now=NOW)
    rate = next(c for c in cross_check(store, serial).fields if c.key == DIFFERENT_RATE)
    assert rate.verdict is Verdict.DIFFERS and rate.typed == "86"
    assert rate.acknowledgement is None and rate.open  # a new disagreement, to answer again


@pytest.mark.both_backends
def test_a_page_whose_marks_are_cut_off_is_not_read(ward, store):
    check = check_sheet(store, ward.transfer.serial)
    assert check.unreadable_pages == (1,)
    assert check.fields == ()
    (scan,) = store.scan_pages(ward.transfer.serial)
    assert store.page_reading(scan.id).outcome is ReadOutcome.MARKS_NOT_FOUND


@pytest.mark.both_backends
def test_sheets_with_open_disagreements_are_counted_per_ward(ward, store):
    nurse = nurse_of(store)
    _checks(store, ward)
    assert open_disagreements_by_ward(store) == {ward.ward: 3}
    for key in (DIFFERENT_RATE, UNTYPED_SPO2, UNWRITTEN_RATE, SHORT_PAIN):
        confirm_as_typed(store, nurse, ward.vitals.serial, key)
    assert open_disagreements_by_ward(store) == {ward.ward: 2}
    confirm_as_typed(store, nurse, ward.mar.serial, REFUSED_DOSE)
    confirm_as_typed(store, nurse, ward.notes.serial, UNTYPED_NOTE)
    assert open_disagreements_by_ward(store) == {ward.ward: 1}  # the notes' date
    confirm_as_typed(store, nurse, ward.notes.serial, NOTES_DATE)
    assert open_disagreements_by_ward(store) == {}


def test_progress_and_the_quality_report_count_sheets_left_in_disagreement(ward, store,
                                                                           tmp_path):
    _checks(store, ward)
    (progress,) = ward_progress(tracked_sheets(store), open_disagreements_by_ward(store))
    assert (progress.ward_code, progress.open_disagreements) == (ward.ward, 3)
    assert ward_progress(tracked_sheets(store))[0].open_disagreements == 0  # not asked for
    report = gather_report(store, ward.event_id)
    (line,) = report.wards
    assert (line.ward_code, line.disagreements, report.total.disagreements) == (ward.ward, 3, 3)
    write_wards_csv(report, tmp_path / "wards.csv")
    with (tmp_path / "wards.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["second_read_disagreements"] == "3"
    pdf = tmp_path / "report.pdf"
    write_pdf(report, pdf)
    text = " ".join(pdfcheck.page_texts(pdf))
    assert "Relecture des scans" in text and "3 feuille(s) dont la page scannée" in text
    confirm_as_typed(store, nurse_of(store), ward.mar.serial, REFUSED_DOSE)
    assert gather_report(store, ward.event_id).total.disagreements == 2
    assert open_disagreements_by_ward(store, ward.event_id + 1) == {}  # another event's


def test_the_box_of_a_disagreement_can_be_found_on_the_page(ward, store):
    """Where the entry screen zooms: the heart rate's comb of line 2, all three digit boxes."""
    rect = field_rect(store, ward.vitals.serial, 1, DIFFERENT_RATE)
    layout = page_layout(store, ward.vitals.code(1)).layout
    (comb,) = [b for b in layout.boxes if b.field_id == "heart_rate" and b.row == 1]
    assert (rect.x, rect.y, rect.right, rect.bottom) == pytest.approx(
        (comb.rect.x, comb.rect.y, comb.rect.right, comb.rect.bottom))
    avpu = field_rect(store, ward.vitals.serial, 1, FieldKey(VITALS, 1, "consciousness"))
    boxes = [b.rect for b in layout.boxes if b.field_id == "consciousness" and b.row == 1]
    assert avpu.x == min(r.x for r in boxes) and avpu.right == max(r.right for r in boxes)
    assert field_rect(store, ward.vitals.serial, 1, FieldKey(VITALS, 1, "drug")) is None


def test_a_failing_reader_never_stops_typing(ward, store, monkeypatch, caplog):
    """A bug in the reader is logged (the sheet's serial, no patient data) and the page left
    unread; the row typed is saved and the sheet can be finished; the page is read later."""
    def broken(*args, **kwargs):
        raise RuntimeError("reader bug")

    monkeypatch.setattr("reentry.second_read.page.read_page_image", broken)
    nurse = nurse_of(store)
    serial = ward.notes.serial
    (scan,) = store.scan_pages(serial)
    store.sql.execute("DELETE FROM page_readings WHERE scan_page_id = ?", (scan.id,))
    entry = service.record_row(store, RecordRow(serial, 1, "notes", 3, {
        "time": "23:30", "text": "Patient calme", "initials": "MD"}, {"date": "23/11/2026"},
        nurse), now=NOW)
    assert entry.id and entry.id in [e.id for e in store.entries(serial)]
    assert store.page_reading(scan.id) is None
    assert f"second reading of sheet {serial} failed" in caplog.text
    assert "Patient calme" not in caplog.text
    service.mark_sheet_entered(store, nurse, serial, reason="note barrée")
    monkeypatch.undo()
    check_sheet(store, serial)  # read now
    assert store.page_reading(scan.id).outcome is ReadOutcome.READ


@pytest.mark.parametrize(("text", "value", "typed", "expected"), [
    ("88", "88", "83", Verdict.DIFFERS),  # read whole, typed otherwise
    ("8?", None, "83", Verdict.UNSURE),  # the digit that differs is not read
    ("?8", None, "83", Verdict.DIFFERS),  # a confident 8 where 3 is typed
    ("?8", None, "88", Verdict.UNSURE),  # nothing contradicts, nothing confirms
    ("3?,4", None, "37.4", Verdict.UNSURE),
    ("3?,5", None, "37.4", Verdict.DIFFERS),
    ("3?", None, "37.0", Verdict.UNSURE),  # « 37 » written, 37.0 typed: same digits
    ("?2:3?", None, "12:35", Verdict.UNSURE),
    ("?2:4?", None, "12:35", Verdict.DIFFERS),
    ("??", None, "125", Verdict.UNSURE),  # two boxes written, three digits typed: no telling
    ("1?5", None, "15", Verdict.UNSURE),
])
def test_a_comb_read_in_part_differs_only_on_a_confident_digit(text, value, typed, expected):
    reading = FieldReading(FieldKey(VITALS, 0, "heart_rate"), "comb_digit", Ink.WRITTEN, value,
                           text, 0.99 if value else None)
    assert verdict(reading, typed) is expected


@pytest.mark.parametrize(("text", "ruled_out", "typed", "expected"), [
    ("?", ("234567890",), "7", Verdict.DIFFERS),  # a 7 typed where the box holds no 7
    ("?", ("234567890",), "1", Verdict.UNSURE),  # a 1 typed: not ruled out, not vouched for
    ("1??", ("", "0"), "105", Verdict.UNSURE),  # the second « ? » rules out 0, not the first
    ("1??", ("0", ""), "105", Verdict.DIFFERS),
    ("3?,?", ("", "4"), "37.4", Verdict.DIFFERS),  # the « ? » after the comma
    ("?2:3?", ("1", "5"), "12:35", Verdict.DIFFERS),
    ("?2:3?", ("1", "5"), "22:36", Verdict.UNSURE),
    ("??", ("1", "2"), "125", Verdict.UNSURE),  # three digits typed for two boxes: no telling
])
def test_a_box_not_read_still_rules_out_digits(text, ruled_out, typed, expected):
    reading = FieldReading(FieldKey(VITALS, 0, "heart_rate"), "comb_digit", Ink.WRITTEN, None,
                           text, None, ruled_out)
    assert verdict(reading, typed) is expected
    assert FieldReading.from_dict(reading.as_dict()) == reading


@pytest.mark.parametrize(("text", "ruled_out", "typed", "expected"), [
    ("?00", ("",), "10", Verdict.DIFFERS),  # 100 written, 10 typed: « 010 » against « ?00 »
    ("?0", ("",), "3", Verdict.DIFFERS),  # 30 written, 3 typed
    ("??", ("", ""), "1", Verdict.UNSURE),  # « 01 » could be written: nothing tells
    ("??", ("0", ""), "1", Verdict.DIFFERS),  # …but the first box is no 0
    ("?", ("",), "12", Verdict.DIFFERS),  # two digits typed, one box written
    ("8:0?", ("",), "08:05", Verdict.UNSURE),  # « 8:05 » written, 08:05 typed
    ("?8:0?", ("", "3"), "08:05", Verdict.UNSURE),
    ("3?", ("",), "37.0", Verdict.UNSURE),  # decimals left blank, 37.0 typed
    ("3?", ("",), "37.5", Verdict.DIFFERS),  # decimals left blank, 37.5 typed
    ("3?,?", ("", ""), "37", Verdict.UNSURE),  # a decimal written, 37 typed: « 37,0 »?
    ("3?,?", ("", ""), "37.0", Verdict.UNSURE),
    ("3?,?", ("", "0"), "37", Verdict.DIFFERS),  # …the decimal box is no 0
    (",?", ("",), "0.5", Verdict.UNSURE),  # only decimals written
    ("23/11/20?6", ("",), "2026-11-23", Verdict.UNSURE),  # a date, typed in ISO
    ("23/11/20?6", ("2",), "2026-11-23", Verdict.DIFFERS),
    ("2?/11/2026", ("",), "2026-11-24", Verdict.UNSURE),
    ("2?/11/2026", ("",), "2026-12-24", Verdict.DIFFERS),  # the month read differs
    ("?/11/26", ("",), "2026-11-03", Verdict.UNSURE),  # « 3/11/26 »: leading zero, short year
    ("?/11/26", ("",), "2026-11-13", Verdict.DIFFERS),  # one box for the day, 13 typed
    ("?/11/26", ("",), "2025-11-03", Verdict.DIFFERS),
])
def test_boxes_counted_for_sure_tell_a_digit_typed_too_many_or_too_few(text, ruled_out, typed,
                                                                       expected):
    reading = FieldReading(FieldKey(VITALS, 0, "temperature"), "comb_digit", Ink.WRITTEN, None,
                           text, None, ruled_out, counted=True)
    assert verdict(reading, typed) is expected
    assert FieldReading.from_dict(reading.as_dict()) == reading
    uncounted = FieldReading(FieldKey(VITALS, 0, "temperature"), "comb_digit", Ink.WRITTEN,
                             None, text, None, ruled_out)
    if len(text.replace(",", "").replace(":", "")) != len(typed.replace(".", "").replace(
            ":", "")):
        assert verdict(uncounted, typed) is Verdict.UNSURE  # boxes unsure: nothing tells


def test_the_report_tells_its_progress_and_stops_when_cancelled(ward, store):
    seen = []
    report = second_read_report(store, ward=ward.ward, progress=seen.append)
    assert report.sheets == 4 and [(p.done, p.total) for p in seen] == [
        (0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert "Relecture des feuilles scannées : 4 sur 4" == seen[-1].label.render()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        second_read_report(store, ward=ward.ward, cancel=token)
