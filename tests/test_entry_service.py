"""Re-entry core on real printed sheets: scan, identity, rows, warnings, corrections, drafts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from printed_ward import print_demo_ward

from reentry import clock
from reentry.domain.entry import EntryStatus, ItemKind, RecordRow, Role
from reentry.entry import service
from reentry.errors import UserError

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # the next morning, re-entry time


@pytest.fixture
def printed(store, tmp_path):
    outcome = print_demo_ward(store, tmp_path)
    sheets = store.batch_sheets(outcome.batch_id)
    nurse = service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    return store, sheets, nurse


def sheet(sheets, template):
    return next(s for s in sheets if s.template_id == template and s.patient_id)


def vitals(values=None, **extra):
    row = {"time": "23h15", "systolic": "120", "diastolic": "80", "heart_rate": "72",
           "temperature": "37,5", "spo2": "97", "initials": "AB"}
    row.update(values or {})
    return row


def command(instance, user, values, **kwargs):
    return RecordRow(serial=instance.serial, page=1, section_id=kwargs.pop("section", "readings"),
                     row_index=kwargs.pop("row", 0), values=values,
                     sheet_values={"date": "23/11/2026"}, user=user, **kwargs)


def test_users_sign_in_by_name(printed):
    store, _, nurse = printed
    assert service.sign_in(store, "MDUPONT ").id == nurse.id  # case and spaces forgiven
    with pytest.raises(UserError) as caught:
        service.sign_in(store, "inconnu")
    assert "inconnu" in caught.value.message()
    with pytest.raises(UserError):
        service.add_user(store, "mdupont", "Autre", Role.NURSE)


def test_a_doubtful_code_opens_nothing(printed):
    store, sheets, nurse = printed
    code = sheet(sheets, "vital_signs").code(1)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(service.CodeRefused) as caught:
        service.open_sheet(store, wrong, nurse)
    assert "chiffre de contrôle" in caught.value.message()
    with pytest.raises(service.CodeRefused) as caught:
        service.open_sheet(store, sheet(sheets, "dossier").code(1), nurse)
    assert "n'est pas un formulaire" in caught.value.message()


@pytest.mark.both_backends
def test_a_vital_signs_row_is_saved_with_paper_time_author_and_typist(printed):
    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    context = service.open_sheet(store, instance.code(1), nurse)
    assert context.patient.ipp == instance.ipp and not context.identity_confirmed
    with pytest.raises(service.IdentityNotConfirmed):
        service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    service.confirm_identity(store, nurse, instance.serial)
    entry = service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    assert clock.format_local(entry.event_time, with_zone=False) == "23/11/2026 23:15"
    assert (entry.author, entry.entered_by, entry.entered_at) == ("AB", "mdupont", NOW)
    items = store.items([instance.serial])
    by_code = {i.code: i for i in items}
    assert by_code["8867-4"].value == 72 and by_code["8310-5"].value == 37.5
    assert by_code["8310-5"].unit == "Cel" and by_code["8480-6"].kind is ItemKind.VITAL_SIGN
    assert {i.ipp for i in items} == {instance.ipp}
    reopened = service.open_sheet(store, instance.code(1), nurse)
    assert reopened.identity_confirmed
    assert reopened.entries[0].values["heart_rate"] == "72"
    assert [e["action"] for e in store.sheet_events(instance.serial)].count("returned") == 1


def test_impossible_values_are_refused_and_implausible_ones_need_confirmation(printed):
    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    service.confirm_identity(store, nurse, instance.serial)
    with pytest.raises(service.EntryRefused) as caught:
        service.record_row(store, command(instance, nurse, vitals({"heart_rate": "350"})),
                           now=NOW)
    text = caught.value.problems.errors["heart_rate"].render()
    assert "350" in text and "300" in text and "/min" in text
    with pytest.raises(service.EntryRefused) as caught:
        service.record_row(store, command(instance, nurse, vitals({"heart_rate": "250"})),
                           now=NOW)
    assert set(caught.value.problems.warnings) == {"heart_rate"}
    entry = service.record_row(store, command(instance, nurse, vitals({"heart_rate": "250"}),
                                              confirmed_warnings=frozenset({"heart_rate"})),
                               now=NOW)
    assert entry.warnings_confirmed == ("heart_rate",)
    with pytest.raises(service.EntryRefused) as caught:
        service.record_row(store, command(instance, nurse, vitals({"time": "09:00"}), row=1,
                                          ), now=datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    assert "futur" in caught.value.problems.errors["time"].render()


@pytest.mark.both_backends
def test_a_correction_keeps_the_original_and_needs_a_reason(printed):
    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    service.confirm_identity(store, nurse, instance.serial)
    first = service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    with pytest.raises(UserError):
        service.record_row(store, command(instance, nurse, vitals({"heart_rate": "76"}),
                                          corrects=first.id), now=NOW)
    second = service.record_row(store, command(instance, nurse, vitals({"heart_rate": "76"}),
                                               corrects=first.id, reason="erreur de saisie"),
                                now=NOW)
    history = service.sheet_history(store, instance.serial)
    assert [(e.id, e.status) for e in history] == [(first.id, EntryStatus.CORRECTED),
                                                    (second.id, EntryStatus.ACTIVE)]
    heart = [i for i in store.items([instance.serial]) if i.code == "8867-4"]
    assert [i.value for i in heart] == [76.0]
    assert store.audit("entry")[-1]["action"] == "entry_corrected"


@pytest.mark.both_backends
def test_two_pcs_saving_or_correcting_the_same_row_the_second_is_told_why(printed):
    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    service.confirm_identity(store, nurse, instance.serial)
    first = service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    with pytest.raises(UserError, match="autre poste"):  # typed as new on a second PC
        store.save_entry(replace(first, id=0), [], nurse)
    service.record_row(store, command(instance, nurse, vitals({"heart_rate": "76"}),
                                      corrects=first.id, reason="erreur de saisie"), now=NOW)
    with pytest.raises(UserError, match="autre poste"):  # corrects a version already replaced
        service.record_row(store, command(instance, nurse, vitals({"heart_rate": "78"}),
                                          corrects=first.id, reason="erreur"), now=NOW)
    assert [i.value for i in store.items([instance.serial]) if i.code == "8867-4"] == [76.0]
    assert len(service.sheet_history(store, instance.serial)) == 2  # first and its correction


@pytest.mark.both_backends
def test_medication_record_row_uses_the_planned_dose(printed):
    store, sheets, nurse = printed
    instance = next(s for s in sheets if s.template_id == "medication_administration"
                    and s.patient_id and service.open_sheet(store, s.code(1), nurse).planned_doses)
    context = service.open_sheet(store, instance.code(1), nurse)
    dose = context.planned_doses[0]
    service.confirm_identity(store, nurse, instance.serial)
    planned_local = clock.local(dose.planned_at) if dose.planned_at else None
    values = {"status": "given", "actual_time": planned_local.strftime("%H:%M") if planned_local
              else "22:00", "dose_given": dose.dose.split()[0], "initials": "CD"}
    entry = service.record_row(store, command(instance, nurse, values, section="administrations"),
                               now=NOW)
    if dose.planned_at:
        assert entry.event_time == dose.planned_at  # the right day, even across midnight
    (item,) = store.items([instance.serial])
    assert (item.kind, item.code, item.status) == (ItemKind.MEDICATION_ADMINISTRATION,
                                                   dose.drug, "completed")
    refused = {"status": "refused", "reason": "patient endormi", "initials": "CD"}
    service.record_row(store, command(instance, nurse, refused, section="administrations",
                                      row=1 if len(context.planned_doses) > 1 else 0,
                                      **({} if len(context.planned_doses) > 1 else
                                         {"corrects": entry.id, "reason": "refus"})), now=NOW)
    statuses = sorted(i.status for i in store.items([instance.serial]))
    assert "not-done" in statuses


@pytest.mark.both_backends
def test_drafts_are_kept_and_cleared_row_by_row(printed):
    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    service.save_draft(store, nurse, instance.serial, 1, {"readings:0": vitals(),
                                                         "readings:1": {"time": "23h45"}})
    context = service.open_sheet(store, instance.code(1), nurse)
    assert context.draft.rows["readings:1"] == {"time": "23h45"}
    service.confirm_identity(store, nurse, instance.serial)
    service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    assert list(service.drafts(store, nurse)[0].rows) == ["readings:1"]
    service.discard_draft(store, nurse, instance.serial, 1)
    assert service.drafts(store, nurse) == []


def test_a_killed_process_loses_no_confirmed_row(printed, db_path):
    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    script = textwrap.dedent(f"""
        import sys, time
        from datetime import datetime, UTC
        from reentry.store import open_store
        from reentry.entry import service
        from reentry.domain.entry import RecordRow
        store = open_store({str(db_path)!r})
        nurse = service.sign_in(store, "mdupont")
        service.confirm_identity(store, nurse, {instance.serial})
        row = {vitals()!r}
        service.record_row(store, RecordRow({instance.serial}, 1, "readings", 0, row,
                           {{"date": "23/11/2026"}}, nurse), now=datetime(2026, 11, 24, 7, tzinfo=UTC))
        print("saved", flush=True)
        service.save_draft(store, nurse, {instance.serial}, 1, {{"readings:1": {{"time": "23"}}}})
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "saved"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    (entry,) = service.sheet_history(store, instance.serial)
    assert entry.values["heart_rate"] == "72"
    assert len(store.items([instance.serial])) == 5  # BP x2, HR, temperature, SpO2


def test_progress_counts_and_lists_what_is_missing(printed, db_path):
    from click.testing import CliRunner

    from reentry.cli import cli
    from reentry.entry.progress import ward_progress
    from reentry.sheets.tracking import tracked_sheets

    store, sheets, nurse = printed
    instance = sheet(sheets, "vital_signs")
    service.open_sheet(store, instance.code(1), nurse)
    service.confirm_identity(store, nurse, instance.serial)
    service.record_row(store, command(instance, nurse, vitals()), now=NOW)
    service.mark_sheet_entered(store, nurse, instance.serial)
    states = tracked_sheets(store)
    forms = [s for s in sheets if s.template_id not in ("ward_cover", "dossier")]
    assert len(states) == len(forms)
    (ward,) = ward_progress(states)
    assert (ward.sheets.expected, ward.sheets.returned, ward.sheets.entered,
            ward.sheets.missing) == (len(forms), 1, 1, len(forms) - 1)
    assert [s.serial for s in states if s.state == "entered"] == [instance.serial]
    runner = CliRunner()
    table = runner.invoke(cli, ["--db", str(db_path), "progress", "--state", "missing"])
    assert table.exit_code == 0 and f"{len(forms) - 1} manquantes" in table.output
    assert "mdupont : 1 lignes" in table.output
    exported = runner.invoke(cli, ["--db", str(db_path), "progress", "--format", "csv",
                                   "--state", "entered"])
    lines = exported.output.splitlines()
    assert lines[0].startswith("serial,code,ward") and len(lines) == 2
    assert instance.ipp in lines[1] and ",entered," in lines[1]


def test_users_are_managed_from_the_command_line(db_path):
    from click.testing import CliRunner

    from reentry.cli import cli

    runner = CliRunner(env={"REENTRY_PASSWORD": "secret de l'admin"})
    assert runner.invoke(cli, ["db", "init", str(db_path)]).exit_code == 0
    first = runner.invoke(cli, ["--db", str(db_path), "users", "add", "dsi", "--role", "admin",
                                "--password-stdin"], input="secret de l'admin\n")
    assert first.exit_code == 0, first.output
    added = runner.invoke(cli, ["--db", str(db_path), "users", "add", "cadre1", "--name",
                                "Claire Cadre", "--role", "ward_manager", "--user", "dsi",
                                "--password-stdin"], input="secret de la cadre\n")
    assert added.exit_code == 0 and "cadre1" in added.output
    again = runner.invoke(cli, ["--db", str(db_path), "users", "add", "cadre1", "--user", "dsi",
                                "--password-stdin"], input="secret de la cadre\n")
    assert again.exit_code == 1 and "existe déjà" in again.stderr
    listed = runner.invoke(cli, ["--db", str(db_path), "users", "list"])
    assert "cadre1\tClaire Cadre\tward_manager" in listed.output


def test_the_sheet_date_is_kept_with_each_row(printed):
    store, sheets, nurse = printed
    instance = sheet(sheets, "medication_administration")
    service.confirm_identity(store, nurse, instance.serial)
    context = service.open_sheet(store, instance.code(1), nurse)
    values = ({"status": "refused", "reason": "refus", "initials": "CD"} if context.planned_doses
              else {"drug": "paracétamol", "status": "refused", "reason": "refus",
                    "initials": "CD", "actual_time": "23:00"})
    entry = service.record_row(store, command(instance, nurse, values, section="administrations"),
                               now=NOW)
    assert entry.sheet_values == {"date": "23/11/2026"}
    assert service.open_sheet(store, instance.code(1), nurse).entries[0].sheet_values == {
        "date": "23/11/2026"}
