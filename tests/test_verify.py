"""Double entry on real printed sheets in a real SQLite file: policy, blind second entry by
someone else, no first value shown to the second typist, differences, the third person's
decision applied as corrections, the sighted check, progress and the verified-only export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from cli_passwords import ENV, give_passwords
from click.testing import CliRunner
from printed_ward import print_demo_ward

from reentry.cli import cli
from reentry.domain.entry import EntryStatus, RecordRow, Role
from reentry.domain.verification import Choice, Decision, ResolveSheet, Stage, VerifyMode
from reentry.entry import service
from reentry.entry.progress import ward_progress
from reentry.errors import UserError
from reentry.sheets.policy import policy, set_mode
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store
from reentry.verify import decision, routing, second_entry, sighted
from reentry.verify.compare import sheet_differences
from reentry.verify.routing import Opening
from reentry.verify.stage import verification

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # re-entry, the next morning
VITALS = {"time": "23h15", "systolic": "120", "diastolic": "80", "heart_rate": "72",
          "temperature": "37,5", "spo2": "97", "initials": "AB"}


@pytest.fixture
def ward(store, tmp_path):
    """A printed ward, two nurses, a ward manager who decides, a second manager."""
    outcome = print_demo_ward(store, tmp_path / "pdf")
    people = {
        "first": service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE),
        "second": service.add_user(store, "jmartin", "Jean Martin", Role.NURSE),
        "other": service.add_user(store, "lpetit", "Lou Petit", Role.NURSE),
        "manager": service.add_user(store, "croux", "Claire Roux", Role.WARD_MANAGER),
    }
    return store, store.batch_sheets(outcome.batch_id), people


def sheet_of(sheets, template):
    return next(s for s in sheets if s.template_id == template and s.patient_id)


def row(instance, user, values, index=0, section="readings", **extra):
    return RecordRow(serial=instance.serial, page=1, section_id=section, row_index=index,
                     values=values, sheet_values={"date": extra.pop("date", "23/11/2026")},
                     user=user, confirmed_warnings=frozenset(values), **extra)


def first_entry(store, instance, user, rows, section="readings"):
    service.open_sheet(store, instance.code(1), user)
    service.confirm_identity(store, user, instance.serial)
    for index, values in rows.items():
        service.record_row(store, row(instance, user, values, index, section), now=NOW)
    service.mark_sheet_entered(store, user, instance.serial)


def second(store, instance, user, rows, section="readings", date="23/11/2026"):
    opened = routing.open_scanned(store, instance.code(1), user)
    assert opened.kind is Opening.SECOND_ENTRY
    service.confirm_identity(store, user, instance.serial)
    for index, values in rows.items():
        second_entry.record_row(store, row(instance, user, values, index, section, date=date),
                                now=NOW)
    return second_entry.mark_sheet_entered(store, user, instance.serial)


def blind_vitals(store, people, sheets):
    set_mode(store, people["manager"], "vital_signs", "blind")
    return sheet_of(sheets, "vital_signs")


def test_policy_has_safe_defaults_is_shared_and_changed_only_by_a_manager(ward, db_path):
    store, _, people = ward
    modes = {line.template_id: (line.mode, line.is_default) for line in policy(store)}
    assert modes == {
        "medication_administration": (VerifyMode.BLIND, True),
        "nursing_notes": (VerifyMode.NONE, True),
        "transfer_discharge": (VerifyMode.NONE, True),
        "vital_signs": (VerifyMode.NONE, True),
    }
    with pytest.raises(UserError) as refused:
        set_mode(store, people["first"], "vital_signs", "blind")
    assert "cadre de santé" in refused.value.message()
    with pytest.raises(UserError, match="vital_signs"):
        set_mode(store, people["manager"], "vitals", "blind")
    with pytest.raises(UserError, match="vital_signs"):  # checked by identity vigilance instead
        set_mode(store, people["manager"], "downtime_admission", "sighted")
    with pytest.raises(UserError, match="none, sighted, blind"):
        set_mode(store, people["manager"], "vital_signs", "twice")
    line = set_mode(store, people["manager"], "vital_signs", "Blind")
    assert (line.mode, line.is_default, line.changed_by) == (VerifyMode.BLIND, False, "croux")
    other_pc = open_store(db_path)  # every PC of the hospital reads the same rule
    try:
        assert {x.template_id: x.mode for x in policy(other_pc)}["vital_signs"] is VerifyMode.BLIND
    finally:
        other_pc.close()
    (audit,) = [a for a in store.audit() if a["action"] == "double_entry_mode_set"]
    assert audit["username"] == "croux" and '"previous": "none"' in audit["detail"]


@pytest.mark.both_backends
def test_the_second_entry_is_blind_and_never_by_the_first_typist(ward):
    store, sheets, people = ward
    first, other = people["first"], people["second"]
    instance, context = next(
        (s, c) for s in sheets if s.template_id == "medication_administration" and s.patient_id
        and len((c := service.open_sheet(store, s.code(1), first)).planned_doses) >= 2)
    dose = context.planned_doses[0]
    given = {"status": "given", "actual_time": "22h05", "dose_given": dose.dose.split()[0],
             "initials": "QX"}
    service.confirm_identity(store, first, instance.serial)
    service.record_row(store, row(instance, first, given, 0, "administrations"), now=NOW)
    service.save_draft(store, first, instance.serial, 1,
                       {"administrations:1": {"status": "refusé", "initials": "QX"}})
    assert verification(store, instance.serial).stage is Stage.AWAITING_FIRST
    service.mark_sheet_entered(store, first, instance.serial)
    assert verification(store, instance.serial).stage is Stage.AWAITING_SECOND

    with pytest.raises(UserError) as told:
        routing.open_scanned(store, instance.code(1), first)
    assert "autre personne" in told.value.message()
    items_before = len(store.items([instance.serial]))

    opened = routing.open_scanned(store, instance.code(1), other)
    blind = opened.context
    assert opened.kind is Opening.SECOND_ENTRY
    assert blind.entries == [] and blind.draft is None  # nothing the first typist typed
    assert second_entry.sheet_history(store, instance.serial) == []
    assert "QX" not in repr((blind.entries, blind.draft, blind.planned_doses))
    assert blind.planned_doses == context.planned_doses  # printed on the paper: shown
    assert blind.patient == context.patient

    service.confirm_identity(store, other, instance.serial)
    typed = second_entry.record_row(
        store, row(instance, other, {**given, "initials": "QX"}, 0, "administrations"), now=NOW)
    assert typed.entered_by == "jmartin" and typed.values["status"] == "given"
    assert len(store.items([instance.serial])) == items_before  # second rows create no item
    assert [e.entered_by for e in store.entries(instance.serial)] == ["mdupont"]
    fixed = second_entry.record_row(store, row(  # F4 on her own row: corrects her entry only
        instance, other, {**given, "initials": "JM"}, 0, "administrations",
        corrects=typed.id, reason="initiales"), now=NOW)
    assert [(e.status, e.values["initials"]) for e in second_entry.sheet_history(
        store, instance.serial)] == [(EntryStatus.CORRECTED, "QX"), (EntryStatus.ACTIVE, "JM")]
    assert fixed.corrects == typed.id
    assert [e.values["initials"] for e in store.entries(instance.serial)] == ["QX"]
    with pytest.raises(UserError, match="jmartin"):  # one second typist per sheet
        routing.open_scanned(store, instance.code(1), people["other"])
    with pytest.raises(UserError):  # the first typist cannot slip in a second row either
        second_entry.record_row(store, row(instance, first, given, 1, "administrations"),
                                now=NOW)


@pytest.mark.both_backends
def test_an_identical_second_entry_verifies_the_sheet_at_once(ward):
    store, sheets, people = ward
    instance = blind_vitals(store, people, sheets)
    first_entry(store, instance, people["first"], {0: VITALS})
    same_read_differently = {**VITALS, "time": "2315", "temperature": "37.5"}
    assert second(store, instance, people["second"], {0: same_read_differently},
                  date="23.11.2026") == []
    state = verification(store, instance.serial)
    assert (state.stage, state.second_typist, state.verified_by) == (
        Stage.VERIFIED, "jmartin", "jmartin")
    assert "verified" in [e["action"] for e in store.sheet_events(instance.serial)]
    verified = store.verified_items()
    assert {i.serial for i in verified} == {instance.serial} and len(verified) == 5


@pytest.mark.both_backends
def test_differences_are_shown_side_by_side_and_decided_by_a_third_person(ward):
    store, sheets, people = ward
    instance = blind_vitals(store, people, sheets)
    first_entry(store, instance, people["first"], {
        0: VITALS, 1: {**VITALS, "time": "23h45", "heart_rate": "80"}})
    second(store, instance, people["second"], {
        0: {**VITALS, "heart_rate": "78", "spo2": "98"},
        2: {**VITALS, "time": "01h30", "heart_rate": "66"}})
    state = verification(store, instance.serial)
    assert (state.stage, state.differences) == (Stage.AWAITING_DECISION, 16)
    differences = {d.key: d for d in sheet_differences(store, instance.serial)}
    hr = differences["readings:0:heart_rate"]
    assert (hr.first, hr.second, hr.page, hr.row_index) == ("72", "78", 1, 0)
    assert hr.page_code.replace(" ", "") == instance.code(1)
    assert (differences["readings:1:time"].first, differences["readings:1:time"].second) == (
        "23:45", None)
    assert differences["readings:2:heart_rate"].first is None
    assert "readings:0:temperature" not in differences  # same value both times

    manager = people["manager"]
    for someone in (people["first"], people["second"]):  # typists never decide
        with pytest.raises(UserError, match="troisième personne"):
            decision.resolve(store, ResolveSheet(instance.serial, someone, ()))
    with pytest.raises(UserError, match="cadre de santé"):
        decision.resolve(store, ResolveSheet(instance.serial, people["other"], ()))
    with pytest.raises(service.IdentityNotConfirmed):
        decision.resolve(store, ResolveSheet(instance.serial, manager, ()))
    opened = routing.open_scanned(store, instance.code(1), manager)
    assert opened.kind is Opening.DECISION and len(opened.decision.differences) == 16
    service.confirm_identity(store, manager, instance.serial)

    entries_before = store.entries(instance.serial)
    decisions = {key: Decision(key, Choice.SECOND if key.startswith(("readings:1:",
                                                                     "readings:2:"))
                               else Choice.FIRST) for key in differences}
    decisions["readings:0:heart_rate"] = Decision("readings:0:heart_rate", Choice.THIRD, "75")
    with pytest.raises(decision.DecisionRefused) as refused:  # a third value needs a reason
        decision.resolve(store, ResolveSheet(instance.serial, manager,
                                             tuple(decisions.values())[1:]))
    assert set(refused.value.problems) == {"readings:0:heart_rate", next(iter(differences))}
    assert store.entries(instance.serial) == entries_before  # nothing half-applied

    decisions["readings:0:heart_rate"] = Decision("readings:0:heart_rate", Choice.THIRD, "75",
                                                  "relu sur le papier")
    resolution = decision.resolve(store, ResolveSheet(instance.serial, manager,
                                                      tuple(decisions.values())), now=NOW)
    assert len(resolution.corrected) == 2 and len(resolution.withdrawn) == 1

    history = service.sheet_history(store, instance.serial)
    row0 = [e for e in history if e.row_index == 0]
    assert [(e.status, e.values["heart_rate"], e.values["spo2"]) for e in row0] == [
        (EntryStatus.CORRECTED, "72", "97"), (EntryStatus.ACTIVE, "75", "97")]
    assert row0[1].entered_by == "croux" and "croux" in row0[1].reason
    assert [e.status for e in history if e.row_index == 1] == [EntryStatus.CORRECTED]
    (added,) = [e for e in history if e.row_index == 2]
    assert (added.values["heart_rate"], added.author, added.corrects) == ("66", "AB", None)

    items = store.items([instance.serial])
    heart = sorted(i.value for i in items if i.code == "8867-4")
    assert heart == [66.0, 75.0]  # row 0 corrected, row 1 withdrawn, row 2 added
    state = verification(store, instance.serial)
    assert (state.stage, state.verified_by) == (Stage.VERIFIED, "croux")
    assert {i.id for i in store.verified_items()} == {i.id for i in items}
    chosen = {(d["row_index"], d["field_id"]): (d["choice"], d["value"], d["reason"])
              for d in store.double_entry_decisions(instance.serial)}
    assert chosen[(0, "heart_rate")] == ("third", "75", "relu sur le papier")
    assert chosen[(0, "spo2")] == ("first", None, None)
    assert len(chosen) == 16
    actions = [a["action"] for a in store.audit()]
    assert actions.count("double_entry_decided") == 16
    assert {"entry_corrected", "entry_withdrawn", "sheet_verified"} <= set(actions)
    with pytest.raises(UserError):  # decided once
        decision.resolve(store, ResolveSheet(instance.serial, manager,
                                             tuple(decisions.values())))


@pytest.mark.both_backends
def test_a_different_sheet_date_is_one_difference_applied_to_every_row(ward):
    store, sheets, people = ward
    instance = blind_vitals(store, people, sheets)
    first_entry(store, instance, people["first"], {0: VITALS, 1: {**VITALS, "time": "23h45"}})
    second(store, instance, people["second"], {0: VITALS, 1: {**VITALS, "time": "23h45"}},
           date="22/11/2026")
    (difference,) = sheet_differences(store, instance.serial)
    assert (difference.key, difference.first, difference.second) == (
        "sheet:0:date", "2026-11-23", "2026-11-22")
    manager = people["manager"]
    service.confirm_identity(store, manager, instance.serial)
    decision.resolve(store, ResolveSheet(instance.serial, manager,
                                         (Decision(difference.key, Choice.SECOND),)), now=NOW)
    active = store.entries(instance.serial, include_corrected=False)
    assert [e.sheet_values["date"] for e in active] == ["22/11/2026", "22/11/2026"]
    assert {e.event_time.date().isoformat() for e in active} == {"2026-11-22"}


@pytest.mark.both_backends
def test_the_sighted_check_confirms_or_corrects_every_row_then_verifies(ward):
    store, sheets, people = ward
    set_mode(store, people["manager"], "nursing_notes", "sighted")
    instance = sheet_of(sheets, "nursing_notes")
    notes = {0: {"time": "22h00", "text": "Patient calme, dort.", "initials": "AB"},
             1: {"time": "02h00", "text": "Douleur 3/10, paracétamol.", "initials": "AB"}}
    first_entry(store, instance, people["first"], notes, section="notes")
    with pytest.raises(UserError, match="autre personne"):
        routing.open_scanned(store, instance.code(1), people["first"])
    checker = people["second"]
    opened = routing.open_scanned(store, instance.code(1), checker)
    assert opened.kind is Opening.CHECK and opened.check.checked == {}
    first_rows = store.entries(instance.serial, include_corrected=False)
    assert [e.id for e in opened.context.entries] == [e.id for e in first_rows]  # shown
    with pytest.raises(service.IdentityNotConfirmed):
        sighted.confirm_row(store, checker, instance.serial, first_rows[0].id)
    service.confirm_identity(store, checker, instance.serial)
    sighted.confirm_row(store, checker, instance.serial, first_rows[0].id)
    with pytest.raises(UserError, match="1 ligne"):
        sighted.finish_check(store, checker, instance.serial)
    corrected = sighted.correct_row(store, RecordRow(
        instance.serial, 1, "notes", 1, {**notes[1], "text": "Douleur 5/10, paracétamol."},
        {"date": "23/11/2026"}, checker, corrects=first_rows[1].id,
        reason="chiffre mal lu"), now=NOW)
    assert sighted.checked_rows(store, instance.serial) == {
        first_rows[0].id: "confirmed", corrected.id: "corrected"}
    assert verification(store, instance.serial).first_typists == ("mdupont",)
    texts = sorted(i.text for i in store.items([instance.serial]))
    assert texts == ["Douleur 5/10, paracétamol.", "Patient calme, dort."]
    sighted.finish_check(store, checker, instance.serial)
    state = verification(store, instance.serial)
    assert (state.stage, state.verified_by) == (Stage.VERIFIED, "jmartin")
    assert len(store.verified_items([instance.serial])) == 2


@pytest.mark.both_backends
def test_progress_never_counts_single_entry_sheets_as_verified(ward):
    store, sheets, people = ward
    vitals = sheet_of(sheets, "vital_signs")  # typed once (policy none)
    first_entry(store, vitals, people["first"], {0: VITALS})
    mar = next(s for s in sheets if s.template_id == "medication_administration"
               and s.patient_id and store.sheet_content(s.serial).get("doses"))
    given = {"status": "refused", "reason": "nausées", "initials": "AB"}
    first_entry(store, mar, people["first"], {0: given}, section="administrations")
    states = {s.serial: s for s in tracked_sheets(store)}
    assert (states[vitals.serial].double_check, states[mar.serial].double_check) == (
        "not_required", "pending")
    (line,) = ward_progress(list(states.values()))
    assert (line.sheets.entered, line.sheets.verified, line.to_verify,
            line.not_double_checked) == (2, 0, 1, 1)
    second(store, mar, people["second"], {0: given}, section="administrations")
    (line,) = ward_progress(tracked_sheets(store))
    assert (line.sheets.entered, line.sheets.verified, line.to_verify,
            line.not_double_checked) == (2, 1, 0, 1)
    assert [s.serial for s in tracked_sheets(store) if s.state == "verified"] == [mar.serial]


def test_cli_policy_pending_and_the_verified_only_export(ward, db_path, tmp_path):
    store, sheets, people = ward
    vitals = sheet_of(sheets, "vital_signs")
    first_entry(store, vitals, people["first"], {0: VITALS})
    mar = next(s for s in sheets if s.template_id == "medication_administration"
               and s.patient_id and store.sheet_content(s.serial).get("doses"))
    dose = store.sheet_content(mar.serial)["doses"][0]["dose"].split()[0]
    given = {"status": "given", "actual_time": "22h05", "dose_given": dose, "initials": "AB"}
    first_entry(store, mar, people["first"], {0: given}, section="administrations")
    service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)  # who exports
    give_passwords(db_path)
    runner = CliRunner(env=ENV)

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)

    shown = run("double-entry", "show").output
    assert "medication_administration : double saisie à l'aveugle (blind, réglage par défaut)" in shown
    pending = run("double-entry", "pending").output
    assert "attend la seconde saisie" in pending and mar.ipp in pending
    assert pending.count("\n") == 1  # the vital signs are typed once: nothing to check
    refused = run("double-entry", "set", "vital_signs", "sighted", "--user", "mdupont")
    assert refused.exit_code == 1 and "cadre de santé" in refused.output
    done = run("double-entry", "set", "vital_signs", "sighted", "--user", "croux")
    assert done.exit_code == 0 and "vérification à vue" in done.output
    assert "choisi par croux" in run("double-entry", "show").output
    pending = run("double-entry", "pending").output
    assert "attend la vérification à vue" in pending and pending.count("\n") == 2

    second(store, mar, people["second"], {0: given}, section="administrations")
    out = tmp_path / "verified.csv"
    result = runner.invoke(cli, ["--db", str(db_path), "export", "--format", "csv", "--out",
                                 str(out), "--verified-only", "--user", "qualite"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["ipp"] for r in rows} == {mar.ipp} and len(rows) == 1
    assert "5 élément(s) de feuilles non vérifiées" in result.output
    everything = tmp_path / "all.csv"
    run("export", "--format", "csv", "--out", str(everything), "--user", "qualite")
    assert len(list(csv.DictReader(io.StringIO(everything.read_text(encoding="utf-8"))))) == 6
    progress = run("progress").output
    assert "dont 1 en attente de vérification et 0 saisie(s) sans double vérification" in progress
