"""FHIR R4 import, end to end into a real SQLite store: the real Inferno and Synthea samples, their
NDJSON variants, a synthetic French (FR Core) Bundle, and files that must be rejected whole."""

import copy
import json

import pytest

from reentry.errors import FileRejected
from reentry.importing import import_files, parse_file
from reentry.importing.fhir_dosage import planned_times

INPATIENT = "inpatient_us_quality_core.json"
SYNTHEA = "synthea_complete_patient.json"
VITAL_SIGNS = {"8867-4", "8480-6", "8462-4", "8310-5", "2708-6", "9279-1"}
RECORDS = ("patients", "stays", "movements", "allergies", "prescriptions", "observations",
           "administrations", "sites", "wards", "beds")


def sample(samples_dir, name):
    return samples_dir / "fhir-r4" / name


def records(store):
    counts = store.counts()
    return {name: counts[name] for name in RECORDS}


def write_json(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def write_ndjson(tmp_path, name, bundle):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(e["resource"]) for e in bundle["entry"]) + "\n",
                    encoding="utf-8")
    return path


def load(samples_dir, name):
    return json.loads(sample(samples_dir, name).read_text(encoding="utf-8"))


def resource(bundle, kind, resource_id=None):
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
                and resource_id in (None, e["resource"].get("id")))


# -- the real samples ---------------------------------------------------------------------------


def test_inpatient_sample_gives_the_census_vitals_medication_and_allergies(store, samples_dir):
    import_files(store, [sample(samples_dir, INPATIENT)])

    [row] = store.census()
    assert row.patient.ipp == "12345"  # the identifier typed MR
    assert (row.patient.birth_name, row.patient.used_name, row.patient.given_names) == (
        "Windsor", "Chalmers", "Peter James")  # maiden name is the birth name
    assert row.ward.name == "South Wing, second floor"  # the Location in the Bundle
    assert row.site.name == "Health Level Seven International"
    assert row.stay.discharged_at is None  # in progress

    dossier = store.dossier(row.patient.id)
    by_code = {o.code: o for o in dossier.observations}
    assert VITAL_SIGNS <= set(by_code)
    assert all(by_code[code].nda == row.stay.nda for code in VITAL_SIGNS)
    systolic, diastolic = by_code["8480-6"], by_code["8462-4"]
    assert (systolic.value, diastolic.value, systolic.unit) == (109.0, 44.0, "mm[Hg]")
    assert systolic.source_id.endswith("usqualitycore-us-core-blood-pressure:8480-6")
    assert "85354-9" not in by_code  # the panel itself is split, not stored
    assert (by_code["8867-4"].value, by_code["8867-4"].unit) == (44.0, "/min")

    [active] = dossier.prescriptions  # the "do not perform" heparin order is not active
    assert active.drug == "alemtuzumab 10 MG/ML [Lemtrada]"
    assert (active.dose, active.unit, active.route) == (5.0, "ml", "oral administration of treatment")
    assert active.schedule == ("08:00", "14:00", "20:00")  # 3 per day
    assert active.frequency == "1 tablet 3 times daily"
    assert len(dossier.allergies) == 21
    assert dossier.allergies[0].substance == "Cashew nuts"
    counts = store.counts()
    assert (counts["prescriptions"], counts["administrations"]) == (2, 2)


def test_synthea_sample_gives_37_stays_and_names_the_unresolved_ward(store, samples_dir):
    path = sample(samples_dir, SYNTHEA)
    import_files(store, [path])

    assert store.counts()["stays"] == 37
    [ward] = store.wards()
    assert ward.name == "BETH ISRAEL DEACONESS HOSPITAL-MILTON INC"
    inpatient = [m for m in parse_file(path).movements if m.ward_code]
    assert {m.kind for m in inpatient} == {"admission", "discharge"}
    assert {m.ward_code for m in inpatient} == {ward.code}
    assert store.census() == []  # the inpatient stay is finished

    patient = store.patient_by_ipp("d5582579-7193-4866-5560-a01e723b6552")
    dossier = store.dossier(patient.id)
    assert VITAL_SIGNS <= {o.code for o in dossier.observations}
    assert "cefazolin 2000 MG Injection" in {p.drug for p in dossier.prescriptions}
    assert store.counts()["administrations"] == 4


@pytest.mark.parametrize("name", [INPATIENT, SYNTHEA])
def test_ndjson_variant_imports_the_same_records(store, samples_dir, tmp_path, name):
    bundle_path = sample(samples_dir, name)
    ndjson_path = write_ndjson(tmp_path, "export.ndjson", load(samples_dir, name))
    assert parse_file(ndjson_path).counts() == parse_file(bundle_path).counts()

    import_files(store, [bundle_path])
    before = records(store)
    [outcome] = import_files(store, [ndjson_path])
    assert not outcome.already_imported
    assert records(store) == before  # same source ids: an update, not a duplicate


def test_importing_the_same_file_again_changes_nothing(store, samples_dir):
    path = sample(samples_dir, INPATIENT)
    import_files(store, [path])
    before = store.counts()
    [again] = import_files(store, [path])
    assert again.already_imported
    assert store.counts() == before


# -- a French export (synthetic identities) -----------------------------------------------------

INS_TEST_NIR = "279035121518989"


def french_bundle():
    def ref(kind, rid):
        return {"reference": f"urn:uuid:{kind.lower()}-{rid}"}

    def entry(document):
        return {"fullUrl": f"urn:uuid:{document['resourceType'].lower()}-{document['id']}",
                "resource": document}

    loinc = "http://loinc.org"
    patient = {
        "resourceType": "Patient", "id": "1",
        "extension": [
            {"url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
             "extension": [{"url": "identityStatus", "valueCoding": {"code": "VALI"}}]},
            {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
             "valueAddress": {"city": "Reims", "extension": [{
                 "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code",
                 "valueCoding": {"code": "51454"}}]}},
        ],
        "identifier": [
            {"use": "official", "type": {"coding": [{"code": "INS-NIR-TEST"}]},
             "system": "urn:oid:1.2.250.1.213.1.4.10", "value": INS_TEST_NIR},
            {"type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:1.2.3.4", "value": "100001"},
        ],
        "name": [
            {"use": "usual", "family": "DURAND", "given": ["Marie"]},
            {"use": "official", "family": "MARTIN", "given": ["Marie"], "extension": [{
                "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-birth-list-given-name",
                "valueString": "Marie Claire Louise"}]},
        ],
        "gender": "female", "birthDate": "1979-03-28",
        "address": [{"use": "home", "line": ["1 rue de la Paix"], "postalCode": "75002",
                     "city": "Paris"}],
    }
    organization = {"resourceType": "Organization", "id": "1", "name": "Hôpital Nord",
                    "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.2",
                                    "value": "990000001"}]}
    ward = {"resourceType": "Location", "id": "ward", "name": "Cardiologie",
            "identifier": [{"value": "UF-1201"}], "physicalType": {"coding": [{"code": "wa"}]},
            "managingOrganization": ref("Organization", "1")}
    room = {"resourceType": "Location", "id": "room", "name": "12",
            "physicalType": {"coding": [{"code": "ro"}]}, "partOf": ref("Location", "ward")}
    bed = {"resourceType": "Location", "id": "bed", "name": "A",
           "physicalType": {"coding": [{"code": "bd"}]}, "partOf": ref("Location", "room")}
    encounter = {
        "resourceType": "Encounter", "id": "1", "status": "in-progress", "class": {"code": "IMP"},
        "identifier": [{"type": {"coding": [{"code": "VN"}]}, "value": "NDA-5001"},
                       {"value": "IMP"}],
        "subject": ref("Patient", "1"), "period": {"start": "2026-11-20T08:00:00+01:00"},
        "location": [{"location": ref("Location", "ward"), "status": "completed"},
                     {"location": ref("Location", "bed"), "status": "active"}],
    }
    heart_rate = {
        "resourceType": "Observation", "id": "hr", "status": "final",
        "code": {"coding": [{"system": loinc, "code": "8867-4", "display": "Fréquence cardiaque"}]},
        "subject": ref("Patient", "1"), "encounter": ref("Encounter", "1"),
        "effectiveDateTime": "2026-11-23T10:00:00Z",
        "valueQuantity": {"value": 82, "unit": "bpm", "code": "/min"},
    }
    pressure = {
        "resourceType": "Observation", "id": "bp", "status": "final",
        "code": {"coding": [{"system": loinc, "code": "85354-9"}]},
        "subject": ref("Patient", "1"), "encounter": ref("Encounter", "1"),
        "effectivePeriod": {"start": "2026-11-23T10:05:00+01:00"},
        "component": [
            {"code": {"coding": [{"system": loinc, "code": "8480-6", "display": "PAS"}]},
             "valueQuantity": {"value": 128, "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": loinc, "code": "8462-4", "display": "PAD"}]},
             "valueQuantity": {"value": 76, "code": "mm[Hg]"}},
        ],
    }
    paracetamol = {
        "resourceType": "MedicationRequest", "id": "rx1", "status": "on-hold",
        "medicationCodeableConcept": {"text": "PARACETAMOL 1 g cp"},
        "subject": ref("Patient", "1"), "encounter": ref("Encounter", "1"),
        "dosageInstruction": [{
            "timing": {"code": {"text": "2 fois par jour"},
                       "repeat": {"timeOfDay": ["20:00:00", "08:00:00"]}},
            "route": {"coding": [{"display": "voie orale"}]},
            "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "g", "code": "g"}}]}],
    }
    amoxicillin = {
        "resourceType": "MedicationRequest", "id": "rx2", "status": "active",
        "contained": [{"resourceType": "Medication", "id": "m",
                       "code": {"text": "AMOXICILLINE 1 g"}}],
        "medicationReference": {"reference": "#m"}, "subject": ref("Patient", "1"),
        "dosageInstruction": [{"timing": {"repeat": {"frequency": 4, "period": 1,
                                                     "periodUnit": "d"}}}],
    }
    stopped = {"resourceType": "MedicationRequest", "id": "rx3", "status": "stopped",
               "medicationCodeableConcept": {"text": "MORPHINE"}, "subject": ref("Patient", "1")}
    penicillin = {
        "resourceType": "AllergyIntolerance", "id": "a1", "patient": ref("Patient", "1"),
        "code": {"text": "Pénicilline"}, "recordedDate": "2020-01-02",
        "reaction": [{"severity": "moderate", "manifestation": [{"text": "urticaire"}]}],
    }
    refuted = {
        "resourceType": "AllergyIntolerance", "id": "a2", "patient": ref("Patient", "1"),
        "code": {"text": "Latex"},
        "verificationStatus": {"coding": [{"code": "refuted"}]},
    }
    ignored = {"resourceType": "Media", "id": "x", "content": {"link": "not R4"}}
    documents = [patient, organization, ward, room, bed, encounter, heart_rate, pressure,
                 paracetamol, amoxicillin, stopped, penicillin, refuted, ignored]
    return {"resourceType": "Bundle", "type": "collection",
            "timestamp": "2026-11-23T18:00:00+01:00",
            "entry": [entry(d) for d in documents] + [{"request": {"method": "DELETE",
                                                                   "url": "Patient/9"}}]}


def test_french_bundle_gives_strict_identity_bed_and_schedules(store, tmp_path):
    import_files(store, [write_json(tmp_path, "fr.json", french_bundle())])

    [row] = store.census()
    patient = row.patient
    assert (patient.ipp, patient.ins_nir, patient.identity_status) == ("100001", INS_TEST_NIR,
                                                                       "VALI")
    assert (patient.birth_name, patient.used_name, patient.given_names) == (
        "MARTIN", "DURAND", "Marie Claire Louise")
    assert (patient.birth_date.isoformat(), patient.sex, patient.birthplace_insee) == (
        "1979-03-28", "F", "51454")
    assert (patient.address, patient.postcode, patient.city) == ("1 rue de la Paix", "75002",
                                                                 "Paris")
    assert (row.stay.nda, row.stay.room, row.stay.bed) == ("NDA-5001", "12", "A")
    assert (row.ward.code, row.ward.name) == ("UF-1201", "Cardiologie")
    assert (row.site.code, row.site.name) == ("990000001", "Hôpital Nord")
    assert store.latest_snapshot().data_as_of.isoformat() == "2026-11-23T17:00:00+00:00"

    dossier = store.dossier(patient.id)
    rx = {p.drug: p for p in dossier.prescriptions}
    assert set(rx) == {"PARACETAMOL 1 g cp", "AMOXICILLINE 1 g"}  # on-hold is active, stopped not
    assert rx["PARACETAMOL 1 g cp"].schedule == ("08:00", "20:00")
    assert rx["PARACETAMOL 1 g cp"].frequency == "2 fois par jour"
    assert rx["AMOXICILLINE 1 g"].schedule == ("08:00", "14:00", "20:00", "02:00")
    assert {(o.code, o.value, o.nda) for o in dossier.observations} == {
        ("8867-4", 82.0, "NDA-5001"), ("8480-6", 128.0, "NDA-5001"), ("8462-4", 76.0, "NDA-5001")}
    [allergy] = dossier.allergies  # the refuted one is left out
    assert (allergy.substance, allergy.reaction, allergy.severity) == (
        "Pénicilline", "urticaire", "moderate")


@pytest.mark.parametrize("dosage, times", [
    ({"timing": {"repeat": {"timeOfDay": ["22:00:00", "08:00:00"]}}}, ("08:00", "22:00")),
    ({"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}, ("08:00",)),
    ({"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}}, ("08:00", "20:00")),
    ({"timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}}},
     ("08:00", "14:00", "20:00")),
    ({"timing": {"repeat": {"frequency": 1, "period": 8, "periodUnit": "h"}}},
     ("08:00", "16:00", "00:00")),
    ({"timing": {"repeat": {"when": ["MORN", "HS"]}}}, ("08:00", "22:00")),
    ({"timing": {"repeat": {"frequency": 1, "period": 2, "periodUnit": "d"}}}, ()),
    ({"timing": {"repeat": {"frequency": 1, "period": 5, "periodUnit": "h"}}}, ()),
    ({"asNeededBoolean": True, "timing": {"repeat": {"frequency": 3, "period": 1,
                                                     "periodUnit": "d"}}}, ()),
    ({}, ()),
])
def test_planned_times_follow_the_documented_rule(dosage, times):
    assert planned_times(dosage) == times


# -- files rejected whole -----------------------------------------------------------------------


def broken_line(text):
    """The sample with a stray line inserted as line 4067; the error is at its 4th column."""
    lines = text.splitlines()
    return "\n".join([*lines[:4066], "   @", *lines[4066:]])


def dangling_subject(bundle):
    resource(bundle, "Observation", "usqualitycore-us-core-heart-rate")["subject"] = {
        "reference": "Patient/nobody"}


def bad_ins_key(bundle):
    resource(bundle, "Patient")["identifier"].append(
        {"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "279035121518988"})


def bad_birth_date(bundle):
    resource(bundle, "Patient")["birthDate"] = "1974-13-25"


def bad_effective_time(bundle):
    resource(bundle, "Observation", "usqualitycore-us-core-heart-rate")[
        "effectiveDateTime"] = "1999-07-02T25:00:00Z"


def no_resource_type(bundle):
    del resource(bundle, "Encounter")["resourceType"]


def no_patient_key(bundle):
    resource(bundle, "Patient")["identifier"] = [{"system": "http://example.org/ssn",
                                                  "value": "999"}]


@pytest.mark.parametrize("change, where, problem", [
    (dangling_subject, "ressource Observation/usqualitycore-us-core-heart-rate, élément subject",
     "référence introuvable « Patient/nobody »"),
    (bad_ins_key, "ressource Patient/usqualitycore-patient, élément identifier",
     "INS-NIR invalide « 279035121518988 » : la clé de contrôle ne correspond pas"),
    (bad_birth_date, "ressource Patient/usqualitycore-patient, élément birthDate",
     "date invalide « 1974-13-25 »"),
    (bad_effective_time,
     "ressource Observation/usqualitycore-us-core-heart-rate, élément effectiveDateTime",
     "date et heure invalides « 1999-07-02T25:00:00Z »"),
    (no_resource_type, "entrée n° ", "ce n'est pas une ressource FHIR"),
    (no_patient_key, "ressource Patient/usqualitycore-patient, élément identifier",
     "patient sans IPP ni INS"),
])
def test_a_bad_resource_rejects_the_whole_file(store, samples_dir, tmp_path, change, where,
                                               problem):
    import_files(store, [sample(samples_dir, SYNTHEA)])
    before = store.counts()
    bundle = load(samples_dir, INPATIENT)
    change(bundle)
    path = write_json(tmp_path, "bad.json", bundle)
    with pytest.raises(FileRejected) as caught:
        import_files(store, [path])
    message = caught.value.message()
    assert message.startswith(str(path)) and where in message and problem in message
    assert message.endswith("Rien de ce fichier n'a été importé.")
    assert store.counts() == before


def test_broken_json_is_rejected_naming_line_and_column(store, samples_dir, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(broken_line(sample(samples_dir, INPATIENT).read_text(encoding="utf-8")),
                    encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        import_files(store, [path])
    message = caught.value.message()
    assert "ligne 4067, colonne 4" in message and "JSON invalide" in message
    assert store.counts()["snapshots"] == 0


def test_broken_ndjson_line_is_rejected_naming_the_line(store, samples_dir, tmp_path):
    path = write_ndjson(tmp_path, "export.ndjson", load(samples_dir, SYNTHEA))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:-1]  # an object cut short
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        import_files(store, [path])
    assert "ligne 3 : JSON invalide" in caught.value.message()
    assert store.counts()["snapshots"] == 0


def test_an_encounter_of_another_patient_rejects_the_file(store, tmp_path):
    bundle = french_bundle()
    other = copy.deepcopy(resource(bundle, "Patient"))
    other.update(id="2", identifier=[{"type": {"coding": [{"code": "PI"}]}, "value": "100002"}])
    bundle["entry"].append({"fullUrl": "urn:uuid:patient-2", "resource": other})
    resource(bundle, "Observation", "hr")["subject"] = {"reference": "urn:uuid:patient-2"}
    with pytest.raises(FileRejected) as caught:
        import_files(store, [write_json(tmp_path, "fr.json", bundle)])
    assert "ressource Observation/hr, élément encounter" in caught.value.message()
    assert "concerne un autre patient" in caught.value.message()
    assert store.counts()["patients"] == 0


def test_rejection_reads_in_english_too(store, samples_dir, tmp_path):
    from reentry import i18n

    bundle = load(samples_dir, INPATIENT)
    dangling_subject(bundle)
    with pytest.raises(FileRejected) as caught:
        import_files(store, [write_json(tmp_path, "bad.json", bundle)])
    i18n.set_language("en")
    assert ("resource Observation/usqualitycore-us-core-heart-rate, element subject"
            in caught.value.message())
