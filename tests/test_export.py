"""Export to the SIH: FHIR R4 checked by fhir.resources, HL7 v2.5 parsed by python-hl7, the item
CSV read back by ``reentry import``; late entry and authorship carried in every format."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import hl7
import pytest
from fhir.resources.R4B.bundle import Bundle

from reentry import i18n
from reentry.demo import create_demo
from reentry.domain.entry import Item, ItemKind
from reentry.errors import UserError
from reentry.export import export_items, left_out
from reentry.export.csv_items import COLUMNS
from reentry.export.hl7 import escape
from reentry.importing import import_files

EVENT = datetime(2026, 11, 23, 22, 15, tzinfo=UTC)  # 23:15 in Paris, during the outage
TYPED = datetime(2026, 11, 24, 7, 2, tzinfo=UTC)  # 08:02 the next morning
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
IPP, NDA, TEMPORARY = "100001", "500001", "912345678"
LATE_ENTRY_FR = ("Saisie différée (panne du SIH) : écrit sur papier par M.D., saisi dans Reentry "
                 "par jdupont le 24/11/2026 08:02 (UTC+01:00).")


def item(id: int, kind: ItemKind, entry: int | None = None, **fields) -> Item:
    values = dict(entry_id=entry or id, serial=1, effective_time=EVENT, author="M.D.",
                  entered_by="jdupont", entered_at=TYPED, ipp=IPP, nda=NDA)
    values.update(fields)
    return Item(id=id, kind=kind, **values)


def vital(id: int, code: str, value: float | None, unit: str | None, entry: int = 10,
          **fields) -> Item:
    labels = {"8480-6": "Pression artérielle systolique", "8462-4": "Pression artérielle diastolique",
              "8310-5": "Température", "8867-4": "Fréquence cardiaque",
              "80288-4": "Conscience (AVPU)"}
    return item(id, ItemKind.VITAL_SIGN, entry, code=code, label=labels.get(code, ""),
                value=value, unit=unit, **fields)


def dose(id: int, drug: str, value: float | None, unit: str | None, route: str | None,
         **fields) -> Item:
    return item(id, ItemKind.MEDICATION_ADMINISTRATION, code=drug, label=drug, value=value,
                unit=unit, route=route, **fields)


def note(id: int, text: str, **fields) -> Item:
    return item(id, ItemKind.NURSING_NOTE, code="", text=text, **fields)


def shift() -> list[Item]:
    """One night on paper: a full row of vital signs, two doses (one refused), a note."""
    return [
        vital(1, "8480-6", 120, "mm[Hg]"),
        vital(2, "8462-4", 80, "mm[Hg]"),
        vital(3, "8310-5", 37.5, "Cel"),
        vital(4, "80288-4", None, None, value_text="A"),
        dose(5, "paracétamol", 1, "g", "PO"),
        dose(6, "amoxicilline", None, "mg", "IV", status="not-done",
             status_reason="refus du patient"),
        note(7, "Douleur | EN 6^7 ~ a&b \\ fin.\nMédecin prévenu."),
    ]


# -- FHIR ------------------------------------------------------------------------------------


def export_fhir(tmp_path, items, **options) -> dict:
    out = tmp_path / "export.json"
    assert export_items(items, "fhir", out, now=NOW, **options) == len(items)
    data = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(data)  # R4(B) structure, cardinalities, types: raises if invalid
    return data


def resources(data: dict) -> list[dict]:
    return [entry["resource"] for entry in data["entry"]]


def by_item(data: dict, item_id: int) -> dict:
    return next(r for r in resources(data)
                if {"system": "urn:reentry:item", "value": str(item_id)} in r["identifier"])


def test_fhir_bundle_is_a_valid_transaction_of_conditional_creates(tmp_path):
    data = export_fhir(tmp_path, shift())
    parsed = Bundle.model_validate(data)
    assert parsed.type == "transaction"
    assert data["timestamp"] == "2026-11-24T10:30:00+01:00"
    assert [type(e.resource).__name__ for e in parsed.entry] == [
        "Observation", "Observation", "Observation", "MedicationAdministration",
        "MedicationAdministration", "Observation"]
    urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(set(urls)) == len(urls) and all(u.startswith("urn:uuid:") for u in urls)
    for entry in data["entry"]:
        first_id = entry["resource"]["identifier"][0]["value"]
        assert entry["request"] == {"method": "POST", "url": entry["resource"]["resourceType"],
                                    "ifNoneExist": f"identifier=urn:reentry:item|{first_id}"}


def test_fhir_export_again_names_the_same_items_the_same_way(tmp_path):
    first = export_fhir(tmp_path, shift())
    again = export_fhir(tmp_path, shift())
    assert ([(e["fullUrl"], e["request"]) for e in first["entry"]]
            == [(e["fullUrl"], e["request"]) for e in again["entry"]])


def test_fhir_vital_sign_is_a_final_coded_observation_with_ucum_quantity(tmp_path):
    temperature = by_item(export_fhir(tmp_path, shift()), 3)
    assert temperature["status"] == "final"
    assert temperature["category"][0]["coding"][0]["code"] == "vital-signs"
    assert temperature["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "8310-5", "display": "Body temperature"}]
    assert temperature["code"]["text"] == "Température"
    assert temperature["valueQuantity"] == {"value": 37.5, "unit": "°C",
                                            "system": "http://unitsofmeasure.org", "code": "Cel"}
    assert temperature["effectiveDateTime"] == "2026-11-23T23:15:00+01:00"
    assert temperature["subject"]["identifier"]["system"] == "urn:reentry:ipp"
    assert temperature["subject"]["identifier"]["value"] == IPP
    assert temperature["encounter"]["identifier"] == {"system": "urn:reentry:nda", "value": NDA}


def test_fhir_carries_the_late_entry_paper_author_typist_and_entry_time(tmp_path):
    for resource in resources(export_fhir(tmp_path, shift())):
        codes = {(t["system"], t["code"]) for t in resource["meta"]["tag"]}
        assert codes == {("urn:reentry:tag", "late-entry"), ("urn:reentry:tag", "downtime")}
        assert resource["note"] == [{"text": LATE_ENTRY_FR}]
        extension = resource["extension"][0]
        assert extension["url"] == "urn:reentry:late-entry"
        assert {e["url"]: next(v for k, v in e.items() if k.startswith("value"))
                for e in extension["extension"]} == {
            "author": "M.D.", "enteredBy": "jdupont", "enteredAt": "2026-11-24T08:02:00+01:00"}
        if resource["resourceType"] == "Observation":
            assert resource["issued"] == "2026-11-24T08:02:00+01:00"
            assert resource["performer"] == [{"display": "M.D."}]
        else:
            assert resource["performer"] == [{"actor": {"display": "M.D."}}]


def test_fhir_systolic_and_diastolic_of_one_row_make_one_blood_pressure_panel(tmp_path):
    lone = vital(9, "8480-6", 150, "mm[Hg]", entry=11)  # diastolic not written on that row
    data = export_fhir(tmp_path, [*shift(), lone])
    panel = by_item(data, 1)
    assert panel is by_item(data, 2)
    assert [i["value"] for i in panel["identifier"]] == ["1", "2"]
    assert panel["code"]["coding"][0]["code"] == "85354-9"
    assert "valueQuantity" not in panel
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"],
             c["valueQuantity"]["code"]) for c in panel["component"]] == [
        ("8480-6", 120, "mm[Hg]"), ("8462-4", 80, "mm[Hg]")]
    single = by_item(data, 9)
    assert single["code"]["coding"][0]["code"] == "8480-6"
    assert single["valueQuantity"]["value"] == 150


def test_fhir_administrations_given_and_not_given(tmp_path):
    data = export_fhir(tmp_path, shift())
    given, refused = by_item(data, 5), by_item(data, 6)
    assert given["status"] == "completed"
    assert given["medicationCodeableConcept"] == {"text": "paracétamol"}
    assert given["effectiveDateTime"] == "2026-11-23T23:15:00+01:00"
    assert given["dosage"] == {"route": {"text": "PO"},
                               "dose": {"value": 1, "unit": "g",
                                        "system": "http://unitsofmeasure.org", "code": "g"}}
    assert given["context"]["identifier"]["value"] == NDA
    assert "statusReason" not in given
    assert refused["status"] == "not-done"
    assert refused["statusReason"] == [{"text": "refus du patient"}]
    assert refused["dosage"] == {"route": {"text": "IV"}}


def test_fhir_note_and_coded_answer_are_string_values(tmp_path):
    data = export_fhir(tmp_path, shift())
    nurse_note = by_item(data, 7)
    assert nurse_note["code"]["coding"][0] == {"system": "http://loinc.org", "code": "34746-8",
                                               "display": "Nurse Note"}
    assert nurse_note["valueString"] == "Douleur | EN 6^7 ~ a&b \\ fin.\nMédecin prévenu."
    assert "category" not in nurse_note
    assert by_item(data, 4)["valueString"] == "A"


def test_fhir_patient_systems_temporary_identity_and_configured_ipp(tmp_path):
    arrival = vital(8, "8867-4", 72, "/min", entry=12, ipp=None, nda=None, temporary_id=TEMPORARY)
    data = export_fhir(tmp_path, [vital(3, "8310-5", 37.5, "Cel"), arrival],
                       ipp_system="urn:oid:1.2.250.1.999.1.1", nda_system="urn:oid:1.2.250.1.999.1.2")
    known = by_item(data, 3)
    assert known["subject"]["identifier"]["system"] == "urn:oid:1.2.250.1.999.1.1"
    assert known["subject"]["identifier"]["type"]["coding"][0]["code"] == "PI"
    assert known["encounter"]["identifier"]["system"] == "urn:oid:1.2.250.1.999.1.2"
    temporary = by_item(data, 8)
    assert temporary["subject"]["identifier"] == {"use": "temp",
                                                  "system": "urn:reentry:temporary-id",
                                                  "value": TEMPORARY}
    assert "encounter" not in temporary


def test_fhir_late_entry_note_follows_the_language(tmp_path):
    i18n.set_language("en")
    data = export_fhir(tmp_path, [vital(3, "8310-5", 37.5, "Cel")])
    assert by_item(data, 3)["note"][0]["text"] == (
        "Late entry (SIH downtime): written on paper by M.D., typed into Reentry by jdupont "
        "on 24/11/2026 08:02 (UTC+01:00).")


def test_fhir_without_an_author_on_paper_says_so_and_names_no_performer(tmp_path):
    data = export_fhir(tmp_path, [vital(3, "8310-5", 37.5, "Cel", author=" ")])
    resource = by_item(data, 3)
    assert "performer" not in resource
    assert "auteur non indiqué sur le papier" in resource["note"][0]["text"]


# -- HL7 v2.5 --------------------------------------------------------------------------------


def export_hl7(tmp_path, items, **options) -> list[hl7.Message]:
    out = tmp_path / "export.hl7"
    assert export_items(items, "hl7", out, now=NOW, **options) == len(items)
    raw = out.read_bytes().decode("utf-8")
    assert "\n" not in raw and raw.endswith("\r")  # segments end with \r, nothing else
    return [hl7.parse(text) for text in hl7.split_file(raw)]


def field(segment: hl7.Segment, number: int, component: int = 1, sub: int = 1) -> str:
    return str(segment.extract_field(1, number, 1, component, sub))


def names(message: hl7.Message) -> list[str]:
    return [str(segment[0]) for segment in message]


def test_hl7_one_oru_for_results_and_one_ras_for_doses_per_patient(tmp_path):
    arrival = vital(8, "8867-4", 72, "/min", entry=12, ipp=None, nda=None, temporary_id=TEMPORARY)
    messages = export_hl7(tmp_path, [*shift(), arrival], sender="REENTRY-NORD")
    assert [str(m["MSH.F9"]) + "^" + str(m["MSH.F9.R1.C2"]) for m in messages] == [
        "ORU^R01", "RAS^O17", "ORU^R01"]
    controls = [str(m["MSH.F10"]) for m in messages]
    assert len(set(controls)) == 3 and all(0 < len(c) <= 20 for c in controls)
    for message in messages:
        assert str(message["MSH.F3"]) == "REENTRY-NORD"
        assert str(message["MSH.F7"]) == "20261124103000+0100"
        assert str(message["MSH.F9.R1.C3"]) in ("ORU_R01", "RAS_O17")
        assert str(message["MSH.F11"]) == "P"
        assert str(message["MSH.F12"]) == "2.5"
        assert str(message["MSH.F18"]) == "UNICODE UTF-8"
    assert names(messages[0]) == [
        "MSH", "PID", "PV1", "ORC", "OBR", "OBX", "NTE", "OBX", "NTE", "OBX", "NTE", "OBX", "NTE",
        "ORC", "OBR", "OBX", "NTE"]
    assert names(messages[1]) == ["MSH", "PID", "PV1", "ORC", "RXA", "RXR", "ORC", "RXA", "RXR"]
    assert names(messages[2]) == ["MSH", "PID", "ORC", "OBR", "OBX", "NTE"]


def test_hl7_patient_ipp_temporary_identity_and_stay(tmp_path):
    arrival = vital(8, "8867-4", 72, "/min", entry=12, ipp=None, nda=None, temporary_id=TEMPORARY)
    known, _, temporary = export_hl7(tmp_path, [*shift(), arrival],
                                     ipp_system="urn:oid:1.2.250.1.999.1.1")
    pid = known.segment("PID")
    assert (field(pid, 3), field(pid, 3, 5)) == (IPP, "PI")
    assert (field(pid, 3, 4, 2), field(pid, 3, 4, 3)) == ("1.2.250.1.999.1.1", "ISO")
    assert field(pid, 5) == ""  # no name: the SIH's identity is the reference
    assert field(known.segment("PV1"), 19) == NDA
    assert field(known.segment("PV1"), 19, 5) == "AN"
    pid = temporary.segment("PID")
    assert (field(pid, 3), field(pid, 3, 5), field(pid, 3, 4, 2)) == (
        TEMPORARY, "PT", "urn:reentry:temporary-id")


def test_hl7_observations_with_codes_units_times_authors_and_late_entry_notes(tmp_path):
    oru = export_hl7(tmp_path, shift())[0]
    obr = oru.segments("OBR")[0]
    assert (field(obr, 3), field(obr, 3, 2)) == ("1", "REENTRY")
    assert (field(obr, 4), field(obr, 4, 3)) == ("85353-1", "LN")
    assert field(obr, 7) == "20261123231500+0100"
    assert field(obr, 22) == "20261124080200+0100"
    assert field(obr, 25) == "F"
    orc = oru.segments("ORC")[0]
    assert (field(orc, 1), field(orc, 9), field(orc, 10)) == ("RE", "20261124080200+0100",
                                                              "jdupont")
    obx = oru.segments("OBX")
    systolic, temperature, avpu = obx[0], obx[2], obx[3]
    assert field(systolic, 2) == "NM"
    assert [field(systolic, 3, c) for c in (1, 2, 3)] == [
        "8480-6", "Pression artérielle systolique", "LN"]
    assert (field(systolic, 4), field(systolic, 5)) == ("1", "120")
    assert [field(systolic, 6, c) for c in (1, 2, 3)] == ["mm[Hg]", "mmHg", "UCUM"]
    assert field(systolic, 11) == "F"
    assert field(systolic, 14) == "20261123231500+0100"
    assert field(systolic, 16, 2) == "M.D."
    assert (field(temperature, 5), field(temperature, 6)) == ("37.5", "Cel")
    assert (field(avpu, 2), field(avpu, 5)) == ("ST", "A")
    segments = list(oru)
    for index, segment in enumerate(segments):
        if str(segment[0]) == "OBX":
            nte = segments[index + 1]
            assert str(nte[0]) == "NTE"
            assert oru.unescape(field(nte, 3)) == LATE_ENTRY_FR
            assert field(nte, 4) == "RE"


def test_hl7_note_text_is_escaped_and_reads_back_whole(tmp_path):
    oru = export_hl7(tmp_path, shift())[0]
    text_obx = oru.segments("OBX")[4]
    assert field(text_obx, 2) == "TX"
    assert field(text_obx, 3) == "34746-8"
    raw = str(text_obx(5))
    assert raw == "Douleur \\F\\ EN 6\\S\\7 \\R\\ a\\T\\b \\E\\ fin.\\.br\\Médecin prévenu."
    assert oru.unescape(raw).replace("\r", "\n") == (
        "Douleur | EN 6^7 ~ a&b \\ fin.\nMédecin prévenu.")


def test_hl7_escape_covers_every_delimiter_and_line_break():
    assert escape("a|b^c~d\\e&f\r\ng\nh") == "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\.br\\g\\.br\\h"


def test_hl7_administrations_as_rxa_with_status_amount_route_and_typist(tmp_path):
    ras = export_hl7(tmp_path, shift())[1]
    given, refused = ras.segments("RXA")
    assert (field(given, 3), field(given, 5, 2)) == ("20261123231500+0100", "paracétamol")
    assert (field(given, 6), field(given, 7), field(given, 7, 3)) == ("1", "g", "UCUM")
    assert field(given, 10, 2) == "M.D."
    assert field(given, 20) == "CP"
    assert field(given, 22) == "20261124080200+0100"
    assert ras.unescape(field(given, 9, 2)) == LATE_ENTRY_FR
    assert (field(refused, 6), field(refused, 20)) == ("0", "NA")
    assert field(refused, 18, 2) == "refus du patient"
    routes = ras.segments("RXR")
    assert [(field(r, 1), field(r, 1, 3)) for r in routes] == [("PO", "HL70162"),
                                                               ("IV", "HL70162")]
    orc = ras.segments("ORC")[0]
    assert (field(orc, 3), field(orc, 10), field(orc, 9)) == ("5", "jdupont",
                                                              "20261124080200+0100")


def test_hl7_results_read_back_by_the_reentry_oru_reader(store, tmp_path):
    """A real ORU^R01 consumer (Reentry's own importer) files the values on the right patient."""
    create_demo(store, patients=5, seed=1, as_of=EVENT - timedelta(hours=2))
    row = store.census()[0]
    items = [vital(1, "8480-6", 120, "mm[Hg]", ipp=row.patient.ipp, nda=row.stay.nda),
             vital(3, "8310-5", 37.5, "Cel", ipp=row.patient.ipp, nda=row.stay.nda)]
    out = tmp_path / "vitals.hl7"
    export_items(items, "hl7", out, now=NOW)
    import_files(store, [out])
    observations = store.dossier(row.patient.id, since=EVENT).observations
    assert sorted((o.code, o.value, o.unit, o.effective_at) for o in observations) == [
        ("8310-5", 37.5, "Cel", EVENT), ("8480-6", 120.0, "mm[Hg]", EVENT)]


# -- CSV -------------------------------------------------------------------------------------


def read_csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_csv_has_the_documented_columns_then_authorship_and_plain_values(tmp_path):
    out = tmp_path / "items.csv"
    written = export_items(shift(), "csv", out, now=NOW)
    assert written == 6  # the refused dose has no place in the CSV (no status column)
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n", 1)[0].decode() == (
        "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text,"
        "entered_by,entered_at")
    rows = read_csv(out)
    assert tuple(rows[0]) == COLUMNS
    assert [r["record_id"] for r in rows] == ["1", "2", "3", "4", "5", "7"]
    assert rows[2] == {"record_id": "3", "ipp": IPP, "nda": NDA, "kind": "vital_sign",
                       "code": "8310-5", "value": "37.5", "unit": "Cel", "route": "",
                       "effective_time": "2026-11-23T23:15:00+01:00", "author": "M.D.",
                       "text": "", "entered_by": rows[2]["entered_by"],
                       "entered_at": rows[2]["entered_at"]}
    assert rows[2]["entered_by"] and rows[2]["entered_at"].startswith("2026-11-2")
    assert (rows[4]["kind"], rows[4]["code"], rows[4]["value"], rows[4]["unit"],
            rows[4]["route"]) == ("medication_administration", "paracétamol", "1", "g", "PO")
    assert (rows[5]["kind"], rows[5]["code"], rows[5]["text"]) == (
        "nursing_note", "", "Douleur | EN 6^7 ~ a&b \\ fin.\nMédecin prévenu.")


def test_csv_leaves_out_what_it_cannot_carry_and_says_why(tmp_path):
    arrival = vital(8, "8867-4", 72, "/min", entry=12, ipp=None, nda=None, temporary_id=TEMPORARY)
    lost = vital(9, "8867-4", 70, "/min", entry=13, ipp=None, nda=None)
    items = [*shift(), arrival, lost]
    reasons = {i.id: str(why) for i, why in left_out(items, "csv")}
    assert set(reasons) == {6, 8, 9}
    assert "statut" in reasons[6]
    assert TEMPORARY in reasons[8]
    assert "ni IPP" in reasons[9]
    assert [i.id for i, _ in left_out(items, "fhir")] == [9]
    assert export_items(items, "csv", tmp_path / "items.csv", now=NOW) == 6
    assert export_items(items, "hl7", tmp_path / "items.hl7", now=NOW) == 8


def test_csv_round_trip_through_reentry_import(store, db_path, tmp_path):
    create_demo(store, patients=5, seed=1, as_of=EVENT - timedelta(hours=2))
    first, second = store.census()[:2]
    before = store.counts()

    def on(row, made: Item) -> Item:
        return Item(**{**made.__dict__, "ipp": row.patient.ipp, "nda": row.stay.nda})

    items = [on(first, vital(1, "8480-6", 120, "mm[Hg]")), on(first, vital(3, "8310-5", 37.5, "Cel")),
             on(first, dose(5, "paracétamol", 1, "g", "PO")),
             on(second, note(7, "Agitée, « reste couchée », 2 chutes évitées;\nà revoir."))]
    out = tmp_path / "items.csv"
    assert export_items(items, "csv", out, now=NOW) == 4
    import_files(store, [out])
    after = store.counts()
    assert after["observations"] - before["observations"] == 2
    assert after["administrations"] - before["administrations"] == 1
    assert after["notes"] - before["notes"] == 1
    observations = store.dossier(first.patient.id, since=EVENT).observations
    assert sorted((o.source_id, o.code, o.value, o.unit, o.effective_at, o.nda)
                  for o in observations) == [
        ("csv:item:1", "8480-6", 120.0, "mm[Hg]", EVENT, first.stay.nda),
        ("csv:item:3", "8310-5", 37.5, "Cel", EVENT, first.stay.nda)]
    notes = store.dossier(second.patient.id, since=EVENT).notes
    assert [(n.text, n.author, n.written_at) for n in notes] == [
        ("Agitée, « reste couchée », 2 chutes évitées;\nà revoir.", "M.D.", EVENT)]
    with sqlite3.connect(db_path) as db:
        given = db.execute("SELECT drug, dose, unit, route, status, performer FROM administrations"
                           " WHERE source_id = 'csv:item:5'").fetchall()
    assert given == [("paracétamol", 1.0, "g", "PO", "completed", "M.D.")]
    import_files(store, [out])  # the same export again changes nothing
    assert store.counts() == after


def test_csv_coded_answer_round_trips(store, tmp_path):
    create_demo(store, patients=5, seed=1, as_of=EVENT - timedelta(hours=2))
    row = store.census()[0]
    out = tmp_path / "items.csv"
    export_items([vital(4, "80288-4", None, None, value_text="A", ipp=row.patient.ipp,
                        nda=row.stay.nda)], "csv", out, now=NOW)
    import_files(store, [out])
    assert [o.value_text for o in store.dossier(row.patient.id, since=EVENT).observations] == ["A"]


# -- writing the file ------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["fhir", "hl7", "csv"])
def test_a_failed_write_leaves_the_previous_export_untouched(tmp_path, monkeypatch, format):
    out = tmp_path / "export.out"
    out.write_text("previous export", encoding="utf-8")

    def disk_full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(UserError) as caught:
        export_items(shift(), format, out, now=NOW)
    assert caught.value.msg.id == "export.cannot_write"
    assert str(caught.value) == (
        f"Impossible d'écrire {out} (No space left on device). Vérifiez le dossier et la place "
        "disque ; aucun fichier d'export n'a été écrit.")
    assert out.read_text(encoding="utf-8") == "previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["export.out"]  # no temporary file left


def test_a_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as caught:
        export_items(shift(), "csv", tmp_path / "nowhere" / "items.csv", now=NOW)
    assert caught.value.msg.id == "export.cannot_write"
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("format", ["fhir", "hl7", "csv"])
def test_a_successful_write_replaces_the_file_and_leaves_no_temporary(tmp_path, format):
    out = tmp_path / "export.out"
    out.write_text("previous export", encoding="utf-8")
    export_items(shift(), format, out, now=NOW)
    assert out.read_text(encoding="utf-8") != "previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["export.out"]


def test_empty_exports_are_valid_files(tmp_path):
    assert export_fhir(tmp_path, [])["entry"] == []
    assert export_items([], "hl7", tmp_path / "e.hl7", now=NOW) == 0
    assert (tmp_path / "e.hl7").read_bytes() == b""
    assert export_items([], "csv", tmp_path / "e.csv", now=NOW) == 0
    assert read_csv(tmp_path / "e.csv") == []


def test_unknown_format_is_a_user_error_naming_the_formats(tmp_path):
    with pytest.raises(UserError) as caught:
        export_items(shift(), "xml", tmp_path / "x.xml")
    assert str(caught.value) == "Format d'export inconnu « xml ». Formats possibles : fhir, hl7, csv."
    assert not (tmp_path / "x.xml").exists()


def test_an_item_id_given_twice_is_a_bug_not_two_records(tmp_path):
    with pytest.raises(ValueError):
        export_items([vital(1, "8867-4", 70, "/min"), vital(1, "8867-4", 71, "/min")], "fhir",
                     tmp_path / "x.json", now=NOW)


def test_export_command_writes_what_was_re_entered(tmp_path):
    """End to end: outage demo → reentry export in each format."""
    import hl7 as hl7_library
    from cli_passwords import ENV, give_passwords
    from click.testing import CliRunner
    from fhir.resources.R4B.bundle import Bundle

    from reentry.cli import cli
    from reentry.demo.outage import create_outage_demo
    from reentry.store import open_store

    db = tmp_path / "h.sqlite"
    store = open_store(db)
    create_outage_demo(store, tmp_path / "pdf", patients=12, seed=2,
                       as_of=datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    total = len(store.items())
    store.close()
    give_passwords(db)
    runner = CliRunner(env=ENV)
    for fmt in ("fhir", "hl7", "csv"):
        out = tmp_path / f"export.{fmt}"
        result = runner.invoke(cli, ["--db", str(db), "export", "--format", fmt, "--out",
                                     str(out), "--user", "qualite"])
        assert result.exit_code == 0, result.output
        assert f"sur {total}" in result.output and out.exists()
    bundle = Bundle.model_validate_json((tmp_path / "export.fhir").read_text(encoding="utf-8"))
    assert bundle.type == "transaction" and bundle.entry
    text = (tmp_path / "export.hl7").read_text(encoding="utf-8")
    messages = [m for m in text.split("\r\r") if m.strip()] if "\r\r" in text else [text]
    assert hl7_library.parse(messages[0].strip("\r\n").replace("\n", "\r"))
