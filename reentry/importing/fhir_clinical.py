"""FHIR clinical resources as dossier records: observations, prescriptions, administrations and
allergies. Each names its patient (a patient not in the file rejects it) and, when its
Encounter is in the file, its stay.

What is left out, on purpose: observations and administrations without a time (nothing to
place on a chart), observations without a value, resources ``entered-in-error``, cancelled
observations, refuted allergies. Inactive allergies are kept: a dossier shows too much rather
than hiding an allergy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reentry.clinical_codes import (
    BLOOD_PRESSURE_PANELS,
    LOINC,
    charted,
    movement_of,
    vital_sign_codes,
)
from reentry.i18n import msg
from reentry.importing import fhir_values as values
from reentry.importing.fhir_dosage import planned_times
from reentry.importing.fhir_file import FhirFile, Resource
from reentry.model import (
    Administration,
    Allergy,
    ImportBatch,
    Observation,
    PatientKey,
    Prescription,
)

SKIPPED_OBSERVATIONS = frozenset({"entered-in-error", "cancelled"})
SKIPPED_ALLERGIES = frozenset({"entered-in-error", "refuted"})
ACTIVE_PRESCRIPTIONS = frozenset({"active", "on-hold"})
SEVERITY_ORDER = ("severe", "moderate", "mild")


def _code_and_label(concept: Any) -> tuple[str, str] | None:
    """The code Reentry knows a concept by: when it carries several LOINC codes (pulse
    oximetry: 59408-5 and 2708-6) the one the forms chart; a movement by its standard code."""
    coded = [c for c in values.codings(concept) if c.get("code")]
    loinc = [c for c in coded if c.get("system") == LOINC]
    known = vital_sign_codes()
    chosen = (next((c for c in loinc if charted(str(c["code"]))), None)
              or next((c for c in loinc if c["code"] in known), None)
              or next((c for c in coded if movement_of(str(c["code"]), c.get("system"))), None)
              or next(iter(loinc), None) or next(iter(coded), None))
    text = concept.get("text") if isinstance(concept, dict) else None
    if chosen is None:
        return (str(text), str(text)) if text else None
    return str(chosen["code"]), str(chosen.get("display") or text or chosen["code"])


def _value(file: FhirFile, resource: Resource, prefix: str,
           holder: dict[str, Any]) -> tuple[float | None, str | None, str | None] | None:
    """Number, text and unit of ``holder``'s ``value[x]``; None when it has no value."""
    if isinstance(holder.get("valueQuantity"), dict):
        number, unit = file.quantity(resource, f"{prefix}valueQuantity", holder["valueQuantity"])
        return (number, None, unit) if number is not None else None
    if holder.get("valueInteger") is not None:
        return file.number(resource, f"{prefix}valueInteger", holder["valueInteger"]), None, None
    if isinstance(holder.get("valueBoolean"), bool):
        return None, "true" if holder["valueBoolean"] else "false", None
    text = values.concept_text(holder.get("valueCodeableConcept"))
    for name in ("valueString", "valueDateTime", "valueTime"):
        text = text or (str(holder[name]) if holder.get(name) else None)
    return (None, text, None) if text else None


def _observation_time(file: FhirFile, observation: Resource) -> datetime | None:
    for name in ("effectiveDateTime", "effectiveInstant"):
        if observation.get(name) is not None:
            return file.datetime(observation, name, observation.get(name))
    period = observation.get("effectivePeriod")
    if isinstance(period, dict) and period.get("start") is not None:
        return file.datetime(observation, "effectivePeriod.start", period["start"])
    return file.datetime(observation, "issued", observation.get("issued"))


def _observation_records(file: FhirFile, observation: Resource, patient: PatientKey,
                         ) -> list[Observation]:
    code = _code_and_label(observation.get("code"))
    at = _observation_time(file, observation)
    if code is None or at is None:
        return []
    nda = file.stay_of(observation, "encounter", patient)
    components = [c for c in observation.get("component") or () if isinstance(c, dict)]
    if code[0] not in BLOOD_PRESSURE_PANELS or not components:
        parts = [(observation.source_id, code, _value(file, observation, "", observation.data))]
    else:
        parts = []
        for index, component in enumerate(components):
            part = _code_and_label(component.get("code"))
            if part is not None:
                value = _value(file, observation, f"component[{index}].", component)
                parts.append((f"{observation.source_id}:{part[0]}", part, value))
    author = _performer(file, observation) or _device(observation)
    return [Observation(source_id, patient, part_code, label, at, nda, *value, author=author)
            for source_id, (part_code, label), value in parts if value is not None]


def _device(observation: Resource) -> str | None:
    """A reading a device took (``device`` set, no performer): ``device:<its name>``."""
    device = observation.get("device")
    if not isinstance(device, dict):
        return None
    name = device.get("display") or values.reference_text(device)
    return f"device:{name}" if name else "device:"


def read_observations(file: FhirFile, batch: ImportBatch) -> None:
    """Blood-pressure panels give one observation per component (systolic, diastolic), whose
    source id is the panel's suffixed with the component's code."""
    for observation in file.of_type("Observation"):
        patient = file.patient_of(observation, "subject")
        if observation.get("status") not in SKIPPED_OBSERVATIONS:
            batch.observations.extend(_observation_records(file, observation, patient))


def _drug(file: FhirFile, resource: Resource) -> str:
    """The drug as a person reads it: the concept's text or display, or the Medication's."""
    named = values.concept_text(resource.get("medicationCodeableConcept"))
    if named:
        return named
    reference = resource.get("medicationReference")
    medication = file.resolve(reference, resource)
    if medication is not None and medication.type == "Medication":
        named = values.concept_text(medication.get("code"))
    named = named or values.reference_text(reference)
    if not named:
        raise file.reject(resource, "medication[x]",
                          msg("problem.missing_value", name="medication[x]"))
    return named


def _first(items: Any) -> dict[str, Any]:
    """The first object of a list; {} for anything else."""
    return next((i for i in items if isinstance(i, dict)), {}) if isinstance(items, list) else {}


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: optional elements read alike."""
    return value if isinstance(value, dict) else {}


def _prescription(file: FhirFile, request: Resource, patient: PatientKey) -> Prescription:
    dosage = _first(request.get("dosageInstruction"))
    element = "dosageInstruction[0]."
    dose, unit = file.quantity(request, f"{element}doseAndRate[0].doseQuantity",
                               _first(dosage.get("doseAndRate")).get("doseQuantity"),
                               ucum_first=False)
    timing = _object(dosage.get("timing"))
    bounds = _object(_object(timing.get("repeat")).get("boundsPeriod"))
    bounds_at = f"{element}timing.repeat.boundsPeriod"
    start = (file.datetime(request, f"{bounds_at}.start", bounds.get("start"), event=False)
             or file.datetime(request, "authoredOn", request.get("authoredOn")))
    status = str(request.get("status") or "unknown")
    if request.get("doNotPerform") is True:
        status = "do-not-perform"  # an order *not* to give: never on the active list
    elif status in ACTIVE_PRESCRIPTIONS:
        status = "active"
    return Prescription(
        source_id=request.source_id, patient=patient, drug=_drug(file, request),
        nda=file.stay_of(request, "encounter", patient), dose=dose, unit=unit,
        route=values.concept_text(dosage.get("route")), schedule=planned_times(dosage),
        frequency=values.concept_text(timing.get("code")) or _text(dosage.get("text")),
        start=start,
        end=file.datetime(request, f"{bounds_at}.end", bounds.get("end"), end=True, event=False),
        status=status)


def read_prescriptions(file: FhirFile, batch: ImportBatch) -> None:
    """MedicationRequests; ``active`` and ``on-hold`` ones are active prescriptions, the schedule
    follows ``fhir_dosage.planned_times``."""
    for request in file.of_type("MedicationRequest"):
        patient = file.patient_of(request, "subject")
        batch.prescriptions.append(_prescription(file, request, patient))


def _performer(file: FhirFile, resource: Resource) -> str | None:
    """Who did it: an administration's ``performer[].actor``, an observation's
    ``performer[]`` (a reference itself); its display, else the referenced person's name."""
    for performer in resource.get("performer") or ():
        if not isinstance(performer, dict):
            continue
        actor = performer.get("actor") if "actor" in performer else performer
        if isinstance(actor, dict) and actor.get("display"):
            return str(actor["display"])
        person = file.resolve(actor, resource)
        name = _first(person.get("name")) if person is not None else {}
        # The person may be of any type (its shape unchecked): only text is read as a name.
        given = name.get("given")
        given = [g for g in given if isinstance(g, str)] if isinstance(given, list) else []
        family = name.get("family")
        text = name.get("text") if isinstance(name.get("text"), str) else ""
        text = text or " ".join([*given, family if isinstance(family, str) else ""]).strip()
        if text:
            return text
    return None


def read_administrations(file: FhirFile, batch: ImportBatch) -> None:
    for administration in file.of_type("MedicationAdministration"):
        patient = file.patient_of(administration, "subject")
        if administration.get("status") == "entered-in-error":
            continue
        at = _administration_time(file, administration)
        if at is None:
            continue
        dosage = _object(administration.get("dosage"))
        dose, unit = file.quantity(administration, "dosage.dose", dosage.get("dose"),
                                   ucum_first=False)
        nda = (file.stay_of(administration, "context", patient)
               or file.stay_of(administration, "encounter", patient))
        batch.administrations.append(Administration(
            source_id=administration.source_id, patient=patient,
            drug=_drug(file, administration), at=at, nda=nda, dose=dose, unit=unit,
            route=values.concept_text(dosage.get("route")),
            status=str(administration.get("status") or "unknown"),
            performer=_performer(file, administration)))


def _administration_time(file: FhirFile, administration: Resource) -> datetime | None:
    if administration.get("effectiveDateTime") is not None:
        return file.datetime(administration, "effectiveDateTime",
                             administration.get("effectiveDateTime"))
    period = administration.get("effectivePeriod")
    if isinstance(period, dict):
        return file.datetime(administration, "effectivePeriod.start", period.get("start"))
    return None


def _reactions(allergy: Resource) -> tuple[str | None, str | None]:
    """The manifestations of every reaction, and the worst severity among them."""
    labels: dict[str, None] = {}
    severities: set[str] = set()
    for reaction in allergy.get("reaction") or ():
        if not isinstance(reaction, dict):
            continue
        severities.add(str(reaction.get("severity")))
        for manifestation in reaction.get("manifestation") or ():
            label = values.concept_text(manifestation)
            if label:
                labels[label] = None
    severity = next((s for s in SEVERITY_ORDER if s in severities), None)
    return ", ".join(labels) or None, severity


def read_allergies(file: FhirFile, batch: ImportBatch) -> None:
    for allergy in file.of_type("AllergyIntolerance"):
        patient = file.patient_of(allergy, "patient")
        if set(values.concept_codes(allergy.get("verificationStatus"))) & SKIPPED_ALLERGIES:
            continue
        substance = (values.concept_text(allergy.get("code"))
                     or values.concept_text(_first(allergy.get("reaction")).get("substance")))
        if not substance:
            continue
        reaction, severity = _reactions(allergy)
        criticality = allergy.get("criticality")
        batch.allergies.append(Allergy(
            source_id=allergy.source_id, patient=patient, substance=substance,
            reaction=reaction, severity=severity,
            criticality=str(criticality) if criticality else None,
            recorded_at=file.datetime(allergy, "recordedDate", allergy.get("recordedDate"))))
