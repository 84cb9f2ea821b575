"""Downtime admissions on real printed packets in a real SQLite file.

A packet (admission form + blank charts, one temporary identifier) is printed; the admission is
typed; the patient then exists with a provisional identity and every sheet of the packet is
about them; the charts are typed and exported under the temporary identifier; the identity is
offered to the identity linking.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from printed_ward import print_demo_ward

from reentry import clock
from reentry.admission import provisional_identities, service
from reentry.admission.identities import IDENTITY_COLUMNS
from reentry.cli import cli
from reentry.domain.admission import (
    PROVISIONAL_NDA_PREFIX,
    AdmissionError,
    AdmissionStatus,
    LinkStatus,
    RecordAdmission,
)
from reentry.domain.entry import RecordRow, Role
from reentry.entry import service as entry_service
from reentry.errors import UserError
from reentry.export import export_items
from reentry.model import IdentityStatus, Sex
from reentry.reconcile.identity import link_identity_files
from reentry.reconcile.identity_table import COLUMNS

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # the next morning, re-entry time
PAPER = {"birth_name": "Fontaine", "used_name": "", "given_names": "Lucie Anne",
         "birth_date": "12/05/1958", "sex": "F", "birthplace_insee": "75056", "room": "12",
         "bed": "B", "admitted_at": "23/11/2026 23h40", "initials": "AB"}


@pytest.fixture
def hospital(store, tmp_path):
    outcome = print_demo_ward(store, tmp_path / "pdf", admission_packets=2)
    sheets = store.batch_sheets(outcome.batch_id)
    nurse = entry_service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    return store, sheets, nurse, outcome.wards[0].ward_code


def packets(sheets):
    """Sheets of each packet, by temporary code, the admission form first (as printed)."""
    found: dict[str, list] = {}
    for sheet in sheets:
        if sheet.temporary_id:
            found.setdefault(sheet.temporary_id, []).append(sheet)
    return list(found.values())


def admit(store, sheet, nurse, ward_code, /, **changes):
    values = {**PAPER, "ward": ward_code, **changes}
    return service.record_admission(store, RecordAdmission(sheet.serial, values, nurse), now=NOW)


@pytest.mark.both_backends
def test_an_admission_creates_a_provisional_patient_and_puts_the_packet_on_them(hospital):
    store, sheets, nurse, ward = hospital
    packet, other_packet = packets(sheets)
    admission_sheet = packet[0]
    assert admission_sheet.template_id == "downtime_admission"
    opened = service.open_admission(store, admission_sheet.code(1), nurse)
    assert opened.active is None and opened.packet.code == admission_sheet.temporary_id
    assert service.prefilled_values(opened) == {"temporary_id": admission_sheet.temporary_id,
                                                "ward": ward}
    admission = admit(store, admission_sheet, nurse, ward)
    patient = store.patient_by_id(admission.patient.id)
    assert patient.ipp is None and patient.identity_status is IdentityStatus.PROV
    assert (patient.birth_name, patient.given_names, patient.sex) == (
        "Fontaine", "Lucie Anne", Sex.FEMALE)
    assert patient.birth_date.isoformat() == "1958-05-12" and patient.birthplace_insee == "75056"
    stay = store.stay_by_id(admission.stay_id)
    assert (stay.ward_code, stay.room, stay.bed) == (ward, "12", "B")
    assert stay.nda == PROVISIONAL_NDA_PREFIX + admission_sheet.temporary_id
    assert clock.format_local(stay.admitted_at, with_zone=False) == "23/11/2026 23:40"
    for sheet in packet:
        again = store.form_instance(sheet.serial)
        assert (again.patient_id, again.stay_id) == (patient.id, stay.id)
    assert all(store.form_instance(s.serial).patient_id is None for s in other_packet)
    assert store.packet(admission_sheet.temporary_id).patient_id == patient.id
    assert "entered" in [e["action"] for e in store.sheet_events(admission_sheet.serial)]
    (audit,) = store.audit("admission")
    detail = json.loads(audit["detail"])
    assert (audit["action"], audit["username"], detail["sheets_attached"]) == (
        "admission_recorded", "mdupont", len(packet))
    assert any(row.patient.id == patient.id for row in store.census(ward))  # now on the ward


@pytest.mark.both_backends
def test_a_packet_sheet_opens_only_after_its_admission_on_the_provisional_patient(hospital):
    store, sheets, nurse, ward = hospital
    admission_sheet, vitals = packets(sheets)[0][:2]
    with pytest.raises(entry_service.CodeRefused) as refused:
        entry_service.open_sheet(store, vitals.code(1), nurse)
    text = refused.value.message()
    assert "saisissez d'abord sa feuille d'admission" in text
    assert admission_sheet.code(1)[:4] + " " + admission_sheet.code(1)[4:8] in text
    assert store.sheet_events(vitals.serial)[-1]["action"] != "returned"  # nothing opened
    admit(store, admission_sheet, nurse, ward)
    context = entry_service.open_sheet(store, vitals.code(1), nurse)
    assert context.patient.identity_status is IdentityStatus.PROV
    assert context.patient.birth_name == "Fontaine" and context.temporary_id == vitals.temporary_id
    with pytest.raises(entry_service.IdentityNotConfirmed):  # as for any patient
        entry_service.record_row(store, RecordRow(
            vitals.serial, 1, "readings", 0, {"time": "23h50", "heart_rate": "88",
                                              "initials": "AB"},
            {"date": "23/11/2026"}, nurse), now=NOW)
    entry_service.confirm_identity(store, nurse, vitals.serial)
    entry_service.record_row(store, RecordRow(
        vitals.serial, 1, "readings", 0, {"time": "23h50", "heart_rate": "88", "initials": "AB"},
        {"date": "23/11/2026"}, nurse), now=NOW)
    (item,) = store.items([vitals.serial])
    assert item.ipp is None and item.temporary_id == vitals.temporary_id


@pytest.mark.both_backends
def test_a_second_admission_for_the_same_packet_is_refused(hospital):
    store, sheets, nurse, ward = hospital
    admission_sheet = packets(sheets)[0][0]
    admit(store, admission_sheet, nurse, ward)
    patients = store.counts()["patients"]
    with pytest.raises(AdmissionError) as refused:
        admit(store, admission_sheet, nurse, ward, birth_name="Autre")
    text = refused.value.message()
    assert "déjà été saisie" in text and "F4" in text
    assert store.counts()["patients"] == patients
    # Two PCs at once: record_admission decides in one unit of work (tests/test_unit_of_work.py)
    first = service.open_admission(store, admission_sheet.code(1), nurse).active
    assert [v.status for v in store.admission_versions(first.temporary_identity_id)] == [
        AdmissionStatus.ACTIVE]


@pytest.mark.both_backends
def test_a_correction_updates_the_patient_keeps_the_history_and_is_audited(hospital):
    store, sheets, nurse, ward = hospital
    admission_sheet, vitals = packets(sheets)[0][:2]
    first = admit(store, admission_sheet, nurse, ward)
    fixed = {**PAPER, "ward": ward, "birth_name": "Fontaines", "bed": "A"}
    with pytest.raises(UserError) as no_reason:
        service.record_admission(store, RecordAdmission(admission_sheet.serial, fixed, nurse,
                                                        corrects=first.id), now=NOW)
    assert "motivée" in no_reason.value.message()
    with pytest.raises(AdmissionError) as unchanged:
        service.record_admission(store, RecordAdmission(
            admission_sheet.serial, {**PAPER, "ward": ward}, nurse, corrects=first.id,
            reason="faute de frappe"), now=NOW)
    assert "Rien n'a changé" in unchanged.value.message()
    second = service.record_admission(store, RecordAdmission(
        admission_sheet.serial, fixed, nurse, corrects=first.id, reason="faute de frappe"),
        now=NOW)
    assert second.patient.id == first.patient.id and second.corrects == first.id
    versions = store.admission_versions(first.temporary_identity_id)
    assert [(v.status, v.patient.birth_name) for v in versions] == [
        (AdmissionStatus.CORRECTED, "Fontaine"), (AdmissionStatus.ACTIVE, "Fontaines")]
    assert store.patient_by_id(first.patient.id).birth_name == "Fontaines"
    assert store.stay_by_id(first.stay_id).bed == "A"
    assert store.form_instance(vitals.serial).patient_id == first.patient.id
    corrected = store.audit("admission")[-1]
    detail = json.loads(corrected["detail"])
    assert corrected["action"] == "admission_corrected" and detail["reason"] == "faute de frappe"
    assert (detail["before"]["birth_name"], detail["after"]["birth_name"]) == (
        "Fontaine", "Fontaines")
    with pytest.raises(AdmissionError):  # the first version is no longer the one to correct
        service.record_admission(store, RecordAdmission(
            admission_sheet.serial, {**fixed, "bed": "C"}, nurse, corrects=first.id,
            reason="lit"), now=NOW)


@pytest.mark.parametrize(("field", "typed", "expected"), [
    ("birth_date", "31/02/1980", "date invalide"),
    ("birth_date", "12/05/2027", "naissance dans le futur"),
    ("birth_date", "24/11/2026", "postérieure à l'admission"),
    ("admitted_at", "24/11/2026 14h00", "dans le futur"),
    ("admitted_at", "30/02/2026 10h00", "invalides"),
    ("birthplace_insee", "7505", "5 caractères"),
    ("ward", "NOWHERE", "unité inconnue"),
    ("sex", "", "obligatoire"),
])
@pytest.mark.both_backends
def test_impossible_values_are_refused_with_what_to_do_and_nothing_is_written(
        hospital, field, typed, expected):
    store, sheets, nurse, ward = hospital
    admission_sheet = packets(sheets)[0][0]
    before = store.counts()
    with pytest.raises(entry_service.EntryRefused) as refused:
        admit(store, admission_sheet, nurse, ward, **{field: typed})
    assert set(refused.value.problems.errors) == {field}
    assert expected in refused.value.problems.errors[field].render()
    assert store.counts() == before and store.packet(admission_sheet.temporary_id).patient_id is None


@pytest.mark.both_backends
def test_an_admission_outside_the_outage_window_needs_a_confirmation(hospital):
    store, sheets, nurse, ward = hospital
    admission_sheet = packets(sheets)[0][0]
    values = {**PAPER, "ward": ward, "admitted_at": "23/11/2026 08h00"}
    with pytest.raises(entry_service.EntryRefused) as refused:
        admit(store, admission_sheet, nurse, ward, admitted_at="23/11/2026 08h00")
    warning = refused.value.problems.warnings["admitted_at"].render()
    assert "en dehors de la période de panne" in warning and "23/11/2026 21:00" in warning
    admission = service.record_admission(store, RecordAdmission(
        admission_sheet.serial, values, nurse, confirmed_warnings=frozenset({"admitted_at"})),
        now=NOW)
    assert admission.warnings_confirmed == ("admitted_at",)


@pytest.mark.both_backends
def test_a_ward_typed_by_name_is_stored_as_its_code(hospital):
    store, sheets, nurse, ward = hospital
    other = next(w for w in store.wards() if w.code != ward)
    admission = admit(store, packets(sheets)[0][0], nurse, ward, ward=other.name.upper())
    assert admission.ward_code == other.code
    assert store.stay_by_id(admission.stay_id).ward_code == other.code


@pytest.mark.both_backends
def test_a_patient_the_hospital_may_already_know_needs_a_confirmation(hospital):
    store, sheets, nurse, ward = hospital
    known = store.census(ward)[0].patient
    same = {"birth_name": known.used_name or known.birth_name,
            "given_names": known.given_names, "sex": known.sex.value,
            "birth_date": known.birth_date.strftime("%d/%m/%Y"), "birthplace_insee": ""}
    with pytest.raises(entry_service.EntryRefused) as refused:
        admit(store, packets(sheets)[0][0], nurse, ward, **same)
    warning = refused.value.problems.warnings["birth_name"].render()
    assert f"IPP {known.ipp}" in warning and "identitovigilance" in warning


@pytest.mark.both_backends
def test_only_a_user_who_may_enter_sheets_admits(hospital):
    store, sheets, nurse, ward = hospital
    cell = entry_service.add_user(store, "iv", "Cellule IV", Role.IDENTITY_VIGILANCE)
    with pytest.raises(UserError) as refused:
        admit(store, packets(sheets)[0][0], cell, ward)
    assert "saisir des feuilles" in refused.value.message()


@pytest.mark.both_backends
def test_exports_name_the_provisional_patient_by_the_temporary_identifier(hospital, tmp_path):
    store, sheets, nurse, ward = hospital
    admission_sheet, vitals = packets(sheets)[0][:2]
    admit(store, admission_sheet, nurse, ward)
    entry_service.confirm_identity(store, nurse, vitals.serial)
    entry_service.record_row(store, RecordRow(
        vitals.serial, 1, "readings", 0, {"time": "23h50", "heart_rate": "88", "initials": "AB"},
        {"date": "23/11/2026"}, nurse), now=NOW)
    items = store.items([vitals.serial])
    assert export_items(items, "fhir", tmp_path / "out.json") == 1
    (entry,) = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["entry"]
    resource = entry["resource"]
    assert resource["subject"]["identifier"] == {
        "use": "temp", "system": "urn:reentry:temporary-id", "value": vitals.temporary_id}
    assert "encounter" not in resource  # Reentry's stay number is not an NDA of the SIH
    assert export_items(items, "hl7", tmp_path / "out.hl7") == 1
    message = (tmp_path / "out.hl7").read_bytes().decode("utf-8")
    pid = next(s for s in message.split("\r") if s.startswith("PID"))
    assert vitals.temporary_id in pid and "PROV-" not in message


@pytest.mark.both_backends
def test_provisional_identities_feed_the_identity_linking(hospital, tmp_path):
    store, sheets, nurse, ward = hospital
    first, second = packets(sheets)
    admit(store, first[0], nurse, ward)
    admit(store, second[0], nurse, ward, birth_name="Garnier", given_names="Paul",
          birth_date="02/03/1990", sex="M", birthplace_insee="69123", bed="C")
    rows = provisional_identities(store)
    assert IDENTITY_COLUMNS == COLUMNS
    assert [r["id"] for r in rows] == [first[0].temporary_id, second[0].temporary_id]
    assert rows[0] == {"id": first[0].temporary_id, "birth_name": "Fontaine", "used_name": "",
                       "given_names": "Lucie Anne", "birth_date": "1958-05-12", "sex": "F",
                       "birth_place": "75056", "address": "", "postcode": "", "city": "",
                       "national_id": ""}
    left = tmp_path / "left.csv"
    service_rows = len(provisional_identities(store))
    from reentry.admission import write_identity_file

    assert write_identity_file(store, left) == service_rows
    right = tmp_path / "sih.csv"
    with right.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerow(["00123456", "FONTAINE", "", "Lucie Anne", "1958-05-12", "F", "75056",
                         "", "", "", ""])
        writer.writerow(["00999999", "DURAND", "", "Marc", "1971-01-01", "M", "13055",
                         "", "", "", ""])
    summary = link_identity_files(left, right, tmp_path / "links.csv")
    assert (summary.link, summary.no_match) == (1, 1)
    links = list(csv.DictReader(
        (tmp_path / "links.csv").read_text(encoding="utf-8-sig").splitlines()))
    linked = next(r for r in links if r["decision"] == "link")
    assert (linked["id_left"], linked["id_right"]) == (first[0].temporary_id, "00123456")


@pytest.mark.both_backends
def test_a_linked_identity_is_no_longer_offered_nor_corrected_from_paper(hospital):
    store, sheets, nurse, ward = hospital
    admission = admit(store, packets(sheets)[0][0], nurse, ward)
    with store._transaction() as conn:  # what identity vigilance does once the IPP is known
        conn.execute("UPDATE patients SET ipp = '00123456', identity_status = 'VALI'"
                     " WHERE id = ?", (admission.patient.id,))
    (row,) = service.provisional_patients(store)
    assert row.link_status is LinkStatus.LINKED and provisional_identities(store) == []
    with pytest.raises(AdmissionError) as refused:
        service.record_admission(store, RecordAdmission(
            admission.serial, {**PAPER, "ward": ward, "bed": "D"}, nurse,
            corrects=admission.id, reason="lit"), now=NOW)
    assert "identitovigilance" in refused.value.message()


def test_the_admissions_commands_list_and_write_the_identities(hospital, db_path, tmp_path):
    store, sheets, nurse, ward = hospital
    admit(store, packets(sheets)[0][0], nurse, ward)
    runner = CliRunner()
    listed = runner.invoke(cli, ["--db", str(db_path), "admissions", "list"])
    assert listed.exit_code == 0, listed.output
    code = packets(sheets)[0][0].temporary_id
    assert "900 000" in listed.output and "FONTAINE Lucie Anne" in listed.output
    assert "23/11/2026 23:40" in listed.output and "non rattachée" in listed.output
    as_csv = runner.invoke(cli, ["--db", str(db_path), "admissions", "list", "--format", "csv"])
    (row,) = list(csv.DictReader(as_csv.output.splitlines()))
    assert (row["temporary_id"], row["ward"], row["bed"], row["link_status"]) == (
        code, ward, "B", "provisional")
    out = tmp_path / "provisoires.csv"
    written = runner.invoke(cli, ["--db", str(db_path), "admissions", "identities",
                                  "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)
    other = next(w.code for w in store.wards() if w.code != ward)
    empty = runner.invoke(cli, ["--db", str(db_path), "admissions", "list", "--ward", other])
    assert empty.exit_code == 0 and "Aucune admission" in empty.output
    unknown = runner.invoke(cli, ["--db", str(db_path), "admissions", "list", "--ward", "NOWHERE"])
    assert unknown.exit_code == 1 and "NOWHERE" in unknown.output
