"""Operator pace over the time actually worked, and the `reentry progress` / `reentry barcode`
outputs people read (issue 13, items 8, 11 and 16): sheet codes, form titles, ward names,
states in words, and a pace that does not drop because a nurse typed more rows after a break.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from reentry.barcodes import group_for_reading, page_code
from reentry.cli import cli
from reentry.domain.entry import RecordRow, Role
from reentry.entry import service
from reentry.entry.progress import PAUSE, operator_pace, operators, pace_text, worked_text
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
TWO_MINUTES = timedelta(minutes=2)


def _every(start: datetime, rows: int, gap: timedelta = TWO_MINUTES) -> list[datetime]:
    return [start + n * gap for n in range(rows)]


def test_a_break_is_not_counted_so_more_rows_keep_the_pace():
    morning = _every(START, 10)
    after_lunch = _every(START + timedelta(hours=6), 10)
    before = operator_pace("aurore", "Aurore", morning)
    after = operator_pace("aurore", "Aurore", morning + after_lunch)
    # 9 gaps of 2 min, and the first row counted at the usual 2 min: 20 min for 10 rows
    assert (before.worked, before.sittings, before.rows) == (timedelta(minutes=20), 1, 10)
    assert (after.worked, after.sittings, after.rows) == (timedelta(minutes=40), 2, 20)
    assert before.rows_per_hour == after.rows_per_hour == 30
    # first row to last row would have said 20 rows in 6 h 18: 3 rows/h
    assert 20 / ((after.last_at - after.first_at).total_seconds() / 3600) < 4


def test_gaps_up_to_the_pause_are_work_longer_ones_are_breaks():
    times = [START, START + PAUSE, START + PAUSE + PAUSE + timedelta(seconds=1)]
    pace = operator_pace("karim", "Karim", times)
    assert pace.sittings == 2
    assert pace.worked == PAUSE + 2 * PAUSE  # the 15-min gap, and two first rows at 15 min


def test_nothing_to_measure_says_so():
    assert operator_pace("lea", "Léa", [START]).rows_per_hour is None
    assert operator_pace("lea", "Léa", [START] * 5).rows_per_hour is None  # saved at once
    assert pace_text(operator_pace("lea", "Léa", [START])) == "—"
    assert worked_text(timedelta(minutes=40)) == "40 min"
    assert worked_text(timedelta(hours=7, minutes=5)) == "7 h 05"


def _type_rows(store, nurse, instances, times, first_row=0):
    """One row per time, on the vital-signs sheets in turn, saved at that time."""
    for n, at in enumerate(times):
        instance = instances[n % len(instances)]
        service.open_sheet(store, instance.code(1), nurse)
        service.confirm_identity(store, nurse, instance.serial)
        service.record_row(store, RecordRow(
            instance.serial, 1, "readings", first_row + n // len(instances),
            {"time": "23h15", "heart_rate": str(60 + n), "initials": "AB"},
            {"date": "23/11/2026"}, nurse), now=at)


def test_operators_pace_from_a_real_store(sheets, db_path):
    store = open_store(db_path)
    try:
        vitals = [s for s in sheets if s.template_id == "vital_signs" and s.patient_id]
        marie = service.sign_in(store, "mdupont")
        paul = service.add_user(store, "pmartin", "Paul Martin", Role.NURSE)
        _type_rows(store, marie, vitals, _every(START, 4) + _every(START + timedelta(hours=3), 4))
        _type_rows(store, paul, vitals, _every(START, 4, timedelta(minutes=3)), first_row=8)
        found = {o.username: o for o in operators(store)}
    finally:
        store.close()
    assert [found["mdupont"].rows, found["pmartin"].rows] == [8, 4]
    assert found["mdupont"].rows_per_hour == 30 and found["mdupont"].sittings == 2
    assert found["pmartin"].rows_per_hour == 20 and found["pmartin"].worked == timedelta(
        minutes=12)

    result = CliRunner().invoke(cli, ["--db", str(db_path), "progress"])
    assert result.exit_code == 0, result.output
    assert ("mdupont : 8 lignes saisies en 16 min de saisie (2 séance(s)), soit 30 lignes/h"
            in result.output)
    assert "pause de plus de 15 min" in result.output


def test_progress_lists_sheets_by_their_code_and_names(sheets, db_path):
    store = open_store(db_path)
    try:
        expected = tracked_sheets(store)
        wards = {w.code: w.name for w in store.wards()}
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "progress", "--state", "missing"])
    assert result.exit_code == 0, result.output
    ward = expected[0].ward_code
    assert f"{wards[ward]} (UF {ward}) : {len(expected)} feuilles attendues" in result.output
    assert f"{len(expected)} non soldées" in result.output
    assert "Non soldées : ni saisies" in result.output  # what the figures count
    listed = [line for line in result.output.splitlines() if line.startswith("  0")]
    assert [line.split("  ")[1] for line in listed] == [
        group_for_reading(page_code(s.serial, 1)) for s in expected]
    first = next(line for line in listed if "Surveillance des paramètres vitaux" in line)
    assert wards[ward] in first
    for line in listed:
        assert not re.search(r"\bvital_signs\b|\bmedication_administration\b|\bmissing\b", line)
        assert not re.search(rf"\b{ward}\b", line)

    english = CliRunner().invoke(cli, ["--db", str(db_path), "--lang", "en", "progress"])
    assert f"{len(expected)} sheets expected" in english.output
    assert f"{len(expected)} unaccounted for" in english.output


def test_barcode_names_the_form_the_patient_the_ward_and_the_state(sheets, db_path):
    instance = next(s for s in sheets if s.template_id == "vital_signs" and s.ipp)
    store = open_store(db_path)
    try:
        ward = next(w.name for w in store.wards() if w.code == instance.ward_code)
    finally:
        store.close()
    code = page_code(instance.serial, 1)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "barcode", code])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert line.startswith(f"{group_for_reading(code)} : Surveillance des paramètres vitaux, "
                           "page 1/1")
    assert f"IPP {instance.ipp}" in line and f"{ward} (UF {instance.ward_code})" in line
    assert line.endswith("— imprimée")
    assert "vital_signs" not in line and "(printed)" not in line
    english = CliRunner().invoke(cli, ["--db", str(db_path), "--lang", "en", "barcode", code])
    assert "Vital signs chart" in english.output and english.output.strip().endswith("printed")
    raw = CliRunner().invoke(cli, ["--db", str(db_path), "barcode", code, "--format", "json"])
    assert '"template": "vital_signs"' in raw.output  # machines keep the codes
