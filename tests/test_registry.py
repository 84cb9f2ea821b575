"""The print registry on a real SQLite file, and ``reentry barcode`` resolving its codes."""

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from reentry.barcodes import page_code
from reentry.cli import cli
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.domain.sheet_plan import PlannedDose, SheetPlan
from reentry.registry import BatchStatus, SheetStatus, resolve_code

AS_OF = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def hospital(store):
    create_demo(store, patients=8, seed=2, as_of=AS_OF)
    return store


def plans_for(row, pages=2):
    return [SheetPlan("dossier", 1, pages, row.ward.code, row.patient.id, row.stay.id),
            SheetPlan("medication_administration", 1, 1, row.ward.code, row.patient.id,
                      row.stay.id, doses=(PlannedDose(1, "paracétamol", "1 g", "PO", AS_OF),))]


@pytest.mark.both_backends
def test_sheets_are_registered_with_everything_that_identifies_them(hospital):
    row = hospital.census()[0]
    batch = hospital.open_batch(hospital.latest_snapshot().id, [row.ward.code], AS_OF, 8, "fr",
                                "opérateur")
    sheets = hospital.register_sheets(batch.id, plans_for(row))
    instance = hospital.form_instance(sheets[0].serial)
    assert instance.status is SheetStatus.REGISTERED and instance.page_count == 2
    assert (instance.ipp, instance.nda, instance.ward_code) == (
        row.patient.ipp, row.stay.nda, row.ward.code)
    assert instance.snapshot_id == hospital.latest_snapshot().id
    hospital.mark_printed([s.serial for s in sheets])
    hospital.close_batch(batch.id, BatchStatus.COMPLETE)
    assert {s.status for s in hospital.batch_sheets(batch.id)} == {SheetStatus.PRINTED}
    assert hospital.batches()[0].status is BatchStatus.COMPLETE
    assert [e["action"] for e in hospital.sheet_events(sheets[0].serial)] == [
        "registered", "printed"]


@pytest.mark.both_backends
def test_admission_packets_share_one_new_temporary_identity(hospital):
    ward = hospital.census()[0].ward.code
    batch = hospital.open_batch(None, [ward], AS_OF, 8, "fr", None)
    plans = [SheetPlan("downtime_admission", 1, 1, ward, admission_packet=i) for i in (0, 0, 1)]
    sheets = hospital.register_sheets(batch.id, plans)
    assert sheets[0].temporary_id == sheets[1].temporary_id != sheets[2].temporary_id
    assert len(sheets[0].temporary_id) == 9 and sheets[0].temporary_id.startswith("9")
    resolution = resolve_code(hospital, page_code(sheets[2].serial, 1))
    assert resolution.ok and resolution.instance.temporary_id == sheets[2].temporary_id


@pytest.mark.both_backends
def test_a_reprint_supersedes_the_earlier_sheets_of_the_same_patient(hospital):
    row = hospital.census()[0]
    batch = hospital.open_batch(None, [row.ward.code], AS_OF, 8, "fr", None)
    first = hospital.register_sheets(batch.id, plans_for(row))
    again = hospital.register_sheets(batch.id, plans_for(row), supersede=True, user="it")
    old = resolve_code(hospital, page_code(first[0].serial, 1))
    assert not old.ok and old.instance.status is SheetStatus.SUPERSEDED
    assert old.instance.superseded_by == again[0].serial
    assert str(again[0].serial) in old.problem.render().replace(" ", "")
    assert resolve_code(hospital, page_code(again[0].serial, 2)).ok


@pytest.mark.both_backends
def test_a_reprint_keeps_a_sheet_that_already_came_back(hospital):
    # What is written on a scanned sheet counts: a reprint must not withdraw it from the
    # accounting (the new copy is printed beside it, the old one stays expected).
    row = hospital.census()[0]
    batch = hospital.open_batch(None, [row.ward.code], AS_OF, 8, "fr", None)
    first = hospital.register_sheets(batch.id, plans_for(row))
    hospital.mark_printed([s.serial for s in first])
    nurse = hospital.add_user("n.roux", "Nina Roux", Role.NURSE)
    assert hospital.mark_returned(first[0].serial, nurse)
    hospital.register_sheets(batch.id, plans_for(row), supersede=True, user="it")
    assert hospital.form_instance(first[0].serial).status is SheetStatus.PRINTED
    assert hospital.form_instance(first[1].serial).status is SheetStatus.SUPERSEDED


@pytest.mark.both_backends
def test_interrupted_batch_leaves_registered_but_not_printed_sheets(hospital):
    rows = hospital.census()[:2]
    batch = hospital.open_batch(None, [rows[0].ward.code], AS_OF, 8, "fr", None)
    done = hospital.register_sheets(batch.id, plans_for(rows[0]))
    hospital.mark_printed([s.serial for s in done])
    hospital.register_sheets(batch.id, plans_for(rows[1]))
    hospital.close_batch(batch.id, BatchStatus.INTERRUPTED)
    statuses = [s.status for s in hospital.batch_sheets(batch.id)]
    assert statuses == [SheetStatus.PRINTED] * 2 + [SheetStatus.REGISTERED] * 2


@pytest.mark.parametrize("mutate, reason", [
    (lambda c: c[:5] + str((int(c[5]) + 1) % 10) + c[6:], "chiffre de contrôle"),
    (lambda c: c[:3] + c[4] + c[3] + c[5:] if c[3] != c[4] else c[:-1] + "x", ""),
])
def test_barcode_command_resolves_and_refuses(hospital, db_path, mutate, reason):
    row = hospital.census()[0]
    batch = hospital.open_batch(None, [row.ward.code], AS_OF, 8, "fr", None)
    sheets = hospital.register_sheets(batch.id, plans_for(row))
    code = page_code(sheets[0].serial, 2)
    runner = CliRunner()
    ok = runner.invoke(cli, ["--db", str(db_path), "barcode", "--format", "json", code])
    assert ok.exit_code == 0
    data = json.loads(ok.output)
    assert (data["ipp"], data["page"], data["pages"], data["valid"]) == (
        row.patient.ipp, 2, 2, True)
    text = runner.invoke(cli, ["--db", str(db_path), "barcode", code[:4] + " " + code[4:]])
    assert text.exit_code == 0 and row.patient.ipp in text.output
    bad = runner.invoke(cli, ["--db", str(db_path), "barcode", mutate(code)])
    assert bad.exit_code == 2 and "refusé" in bad.stderr and reason in bad.stderr


def test_unknown_and_cancelled_codes_are_refused_with_their_reason(hospital, db_path):
    row = hospital.census()[0]
    batch = hospital.open_batch(None, [row.ward.code], AS_OF, 8, "fr", None)
    sheets = hospital.register_sheets(batch.id, plans_for(row))
    assert hospital.cancel_sheets([sheets[1].serial], "cadre", "erreur d'impression") == 1
    cancelled = resolve_code(hospital, page_code(sheets[1].serial, 1))
    assert not cancelled.ok and "annulée" in cancelled.problem.render()
    unknown = resolve_code(hospital, page_code(99999, 1))
    assert unknown.instance is None and "registre" in unknown.problem.render()
    beyond = resolve_code(hospital, page_code(sheets[0].serial, 3))
    assert not beyond.ok and "2 page" in beyond.problem.render()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--lang", "en", "barcode",
                                      "--format", "json", page_code(99999, 1)])
    assert result.exit_code == 2 and json.loads(result.output)["valid"] is False
