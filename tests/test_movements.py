"""Transfer and discharge sheets: typed like any form, exported in every format, read back.

A movement item is what the transfer/discharge form says: its type (the code), when, where the
patient went (the value), the comments (the text) and who wrote it. The exports code it by the
SNOMED CT code the form gives its type; the readers the reconciliation uses find it again.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import hl7
import pytest
from fhir.resources.R4B.bundle import Bundle
from printed_ward import print_demo_ward

from reentry import clinical_codes, clock
from reentry.domain.entry import Item, ItemKind, RecordRow, Role
from reentry.entry import service
from reentry.export import export_items
from reentry.formdefs import get_form
from reentry.importing import import_files, parse_file
from reentry.reconcile_sources import sih_items_from_batch

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
MOVED = datetime(2026, 11, 23, 22, 40, tzinfo=UTC)  # 23:40 in Paris
COMMENT = "Parti en ambulance | dossier papier joint"


@pytest.fixture
def typed(store, tmp_path):
    """A transfer typed from the sheet of the first printed patient."""
    outcome = print_demo_ward(store, tmp_path)
    sheets = store.batch_sheets(outcome.batch_id)
    nurse = service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    instance = next(s for s in sheets if s.template_id == "transfer_discharge" and s.patient_id)
    service.open_sheet(store, instance.code(1), nurse)
    service.confirm_identity(store, nurse, instance.serial)
    service.record_row(store, RecordRow(
        serial=instance.serial, page=1, section_id="movement", row_index=0,
        values={"movement": "transfer", "moved_at": "23/11/2026 23:40",
                "destination": "Cardiologie B, ch. 12", "comments": COMMENT, "initials": "AB"},
        sheet_values={}, user=nurse), now=NOW)
    (item,) = store.items([instance.serial])
    return store, item


def test_a_transfer_sheet_means_one_movement_item(typed):
    _, item = typed
    assert (item.kind, item.code, item.value_text, item.text, item.author) == (
        ItemKind.MOVEMENT, "transfer", "Cardiologie B, ch. 12", COMMENT, "AB")
    assert item.effective_time == MOVED and item.entered_by == "mdupont"
    assert item.label == "transfert" and item.ipp and item.value is None


def test_fhir_movement_is_an_observation_coded_in_snomed_ct(typed, tmp_path):
    _, item = typed
    out = tmp_path / "export.json"
    assert export_items([item], "fhir", out, now=NOW) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    resource = data["entry"][0]["resource"]
    assert resource["resourceType"] == "Observation" and resource["status"] == "final"
    assert resource["code"] == {"coding": [{"system": "http://snomed.info/sct",
                                            "code": "107724000", "display": "Patient transfer"}],
                                "text": "transfert"}
    assert resource["valueString"] == "Cardiologie B, ch. 12"
    assert resource["effectiveDateTime"] == "2026-11-23T23:40:00+01:00"
    assert resource["performer"] == [{"display": "AB"}]
    assert resource["note"][1] == {"text": COMMENT}
    assert "encounter" in resource  # the stay, by its NDA: an Encounter is never created


def test_fhir_movement_reads_back_as_a_movement_item(typed, tmp_path):
    store, item = typed
    out = tmp_path / "export.json"
    export_items([item], "fhir", out, now=NOW)
    data = json.loads(out.read_text(encoding="utf-8"))
    # What the SIH exports after loading it: the patient, with the observation.
    data["entry"].append({"resource": {
        "resourceType": "Patient", "id": "p1",
        "identifier": [{"system": "urn:reentry:ipp", "value": item.ipp}],
        "name": [{"family": "DUPONT", "given": ["Marie"]}], "birthDate": "1950-01-01"}})
    sih = tmp_path / "sih.json"
    sih.write_text(json.dumps(data), encoding="utf-8")
    (read,) = sih_items_from_batch(parse_file(sih))
    assert (read.kind, read.code, read.value_text, read.ipp, read.effective_time) == (
        "movement", "transfer", "Cardiologie B, ch. 12", item.ipp, MOVED)


def test_hl7_movement_is_an_obx_with_its_comments_and_reads_back(typed, tmp_path):
    store, item = typed
    out = tmp_path / "export.hl7"
    assert export_items([item], "hl7", out, now=NOW) == 1
    message = read_hl7(out)
    assert str(message.segment("MSH")[9]) == "ORU^R01^ORU_R01"
    obr, obx = message.segment("OBR"), message.segment("OBX")
    assert str(obr[4]) == "107724000^transfert^SCT"
    assert (str(obx[2]), str(obx[3]), str(obx[5]), str(obx[14])) == (
        "ST", "107724000^transfert^SCT", "Cardiologie B, ch. 12", "20261123234000+0100")
    notes = [str(s[3]) for s in message.segments("NTE")]
    assert notes[0].startswith("Saisie différée") and notes[1] == hl7_escaped(COMMENT)
    (read,) = sih_items_from_batch(parse_file(out))
    assert (read.kind, read.code, read.value_text, read.ipp, read.effective_time) == (
        "movement", "transfer", "Cardiologie B, ch. 12", item.ipp, MOVED)


def read_hl7(path) -> hl7.Message:
    (message,) = hl7.split_file(path.read_bytes().decode("utf-8"))  # segments end with \r
    return hl7.parse(message)


def hl7_escaped(text: str) -> str:
    return text.replace("|", "\\F\\")


def test_csv_movement_row_and_read_back(typed, tmp_path):
    store, item = typed
    out = tmp_path / "items.csv"
    assert export_items([item], "csv", out, now=NOW) == 1
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline=""))
    assert (row["kind"], row["code"], row["value"], row["unit"], row["text"], row["author"],
            row["effective_time"]) == ("movement", "transfer", "Cardiologie B, ch. 12", "",
                                       COMMENT, "AB", "2026-11-23T23:40:00+01:00")
    (read,) = sih_items_from_batch(parse_file(out))
    assert (read.kind, read.code, read.value_text, read.ipp, read.effective_time) == (
        "movement", "transfer", "Cardiologie B, ch. 12", item.ipp, MOVED)
    before = store.counts()["observations"]
    import_files(store, [out])  # ``reentry import`` files it in the dossier, coded as exported
    (recorded,) = [o for o in store.dossier(item.patient_id, since=MOVED).observations
                   if o.source_id == f"csv:item:{item.id}"]
    assert (recorded.code, recorded.label, recorded.value_text) == (
        "107724000", "transfert", "Cardiologie B, ch. 12")
    assert store.counts()["observations"] == before + 1


def test_csv_import_refuses_an_unknown_movement_type(store, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
                    "1,100001,,movement,escape,Lyon,,,2026-11-23T23:40:00+01:00,AB,\n",
                    encoding="utf-8")
    with pytest.raises(Exception) as caught:
        parse_file(path)
    text = str(caught.value)
    assert "escape" in text and "transfer, discharge" in text


def test_a_discharge_without_comments_exports_its_own_code(tmp_path):
    discharge = Item(id=1, entry_id=1, serial=1, kind=ItemKind.MOVEMENT, code="discharge",
                     effective_time=MOVED, author="AB", entered_by="mdupont", entered_at=NOW,
                     ipp="100001", label="sortie", value_text="domicile")
    out = tmp_path / "export.json"
    export_items([discharge], "fhir", out, now=NOW)
    resource = json.loads(out.read_text(encoding="utf-8"))["entry"][0]["resource"]
    assert resource["code"]["coding"][0]["code"] == "58000006"
    assert len(resource["note"]) == 1  # the late-entry sentence only
    export_items([discharge], "hl7", tmp_path / "export.hl7", now=NOW)
    message = read_hl7(tmp_path / "export.hl7")
    assert str(message.segment("OBX")[3]) == "58000006^sortie^SCT"
    assert len(list(message.segments("NTE"))) == 1


def test_every_movement_type_of_the_form_has_a_standard_code():
    field = get_form("transfer_discharge").field("movement")
    for choice in field.choices:
        coding = clinical_codes.movement_coding(choice.code)
        assert coding is not None and coding.system == clinical_codes.SNOMED_CT
        assert clinical_codes.movement_of(coding.code) == choice.code
        assert clinical_codes.movement_of(coding.code, coding.system) == choice.code
    assert clock.local(MOVED).hour == 23
