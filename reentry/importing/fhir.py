"""FHIR R4 import: Bundles (any type), single resources, JSON arrays of resources, NDJSON.

Reads Patient, Encounter, Observation, MedicationRequest, MedicationAdministration and
AllergyIntolerance; Location, Organization and Medication only to name places and drugs. Every
other resource type is ignored, whatever it holds (the Inferno sample carries a non-R4 element
in a Media resource). Plain ``json`` and dictionaries, no FHIR model library: a snapshot of a
whole hospital must import in seconds.

The file is checked whole and rejected whole: broken JSON, JSON nested deeper or numbers longer
than ``limits`` allow, a resource without ``resourceType``, an element read of the wrong JSON
type (``fhir_shapes``), a bad date, an invalid INS key, or a clinical resource whose patient is
not in the file. Places are forgiving: a Location the file does not hold is named from its
reference's display.

Each record's source id is ``fhir:{resourceType}/{id}`` (the fullUrl when there is no id), so
importing another export of the same data updates rather than duplicates. The snapshot's "data
as of" is the Bundle's ``timestamp``, else its ``meta.lastUpdated``, else the latest event time
in the data, else the file's modification time.
"""

from __future__ import annotations

from datetime import datetime

from reentry import clock
from reentry.importing.fhir_clinical import (
    read_administrations,
    read_allergies,
    read_observations,
    read_prescriptions,
)
from reentry.importing.fhir_file import FhirFile, Resource, read
from reentry.importing.fhir_patient import read_patient
from reentry.importing.fhir_stays import read_stays
from reentry.importing.source import SourceFile
from reentry.model import ImportBatch

FORMAT = "fhir"


def _declared_as_of(file: FhirFile) -> datetime | None:
    """The time the Bundle itself says it was made, if it says."""
    if file.bundle is None:
        return None
    bundle = Resource(file.bundle, "Bundle", file.bundle.get("id"), None)
    meta = file.bundle.get("meta")
    last_updated = meta.get("lastUpdated") if isinstance(meta, dict) else None
    return (file.datetime(bundle, "timestamp", file.bundle.get("timestamp"), event=False)
            or file.datetime(bundle, "meta.lastUpdated", last_updated, event=False))


def _data_as_of(file: FhirFile, source: SourceFile) -> datetime:
    declared = _declared_as_of(file)
    if declared is not None:
        return declared
    if file.times:
        return max(file.times)
    return datetime.fromtimestamp(source.path.stat().st_mtime, tz=clock.hospital_zone())


def parse(source: SourceFile) -> ImportBatch:
    file = read(source)
    patients = []
    for resource in file.of_type("Patient"):
        patient = read_patient(file, resource)
        file.patient_keys[resource] = patient.key
        patients.append(patient)
    batch = source.batch(FORMAT, clock.now())  # "data as of" is known once all is read
    batch.patients.extend(patients)
    read_stays(file, batch)
    read_observations(file, batch)
    read_prescriptions(file, batch)
    read_administrations(file, batch)
    read_allergies(file, batch)
    batch.data_as_of = _data_as_of(file, source)
    return batch
