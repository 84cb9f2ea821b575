"""The JSON types of the FHIR elements the importer reads, checked before anything is read.

A file whose ``identifier`` is a number or whose ``coding`` holds a list where a code belongs is
not FHIR; read as it is, it would stop the import half-way with a Python error, or put
``['x']`` in a patient's record. So each resource of a type the importer reads (and each
resource it contains) is checked first against the shapes below, and the first element of the
wrong type rejects the file, named by its path (``identifier[0].value``) with the type expected
and the type found.

Only the elements the importer reads are listed, each with the type FHIR gives it; any other
element is left alone, whatever it holds. JSON ``null`` stands for an absent element. A
primitive (``VALUE``) may be a string, a number or a boolean: the importer reads them as text
or checks them itself (dates, numbers), with its own messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reentry.i18n import Msg, msg


@dataclass(frozen=True)
class OneOf:
    """Either shape (an R4 ``Coding`` or an R5 list of ``CodeableConcept``)."""

    shapes: tuple[Any, ...]
    expected: str  # message id naming the alternatives


VALUE = "value"
ANY_OBJECT: dict[str, Any] = {}

CODING = {"system": VALUE, "code": VALUE, "display": VALUE}
CONCEPT = {"coding": [CODING], "text": VALUE}
IDENTIFIER = {"system": VALUE, "value": VALUE, "use": VALUE, "type": CONCEPT}
REFERENCE = {"reference": VALUE, "display": VALUE, "identifier": IDENTIFIER}
PERIOD = {"start": VALUE, "end": VALUE}
QUANTITY = {"value": VALUE, "unit": VALUE, "code": VALUE}
EXTENSION: dict[str, Any] = {"url": VALUE, "valueString": VALUE, "valueCode": VALUE,
                             "valueCoding": CODING, "valueCodeableConcept": CONCEPT}
EXTENSION["extension"] = [EXTENSION]  # extensions nest (the French profiles nest them)
EXTENSION["valueAddress"] = {"extension": [EXTENSION]}
HUMAN_NAME = {"use": VALUE, "family": VALUE, "given": [VALUE], "text": VALUE,
              "extension": [EXTENSION]}
ADDRESS = {"use": VALUE, "line": [VALUE], "postalCode": VALUE, "city": VALUE,
           "extension": [EXTENSION]}
VALUE_X = {"valueQuantity": QUANTITY, "valueInteger": VALUE, "valueBoolean": VALUE,
           "valueCodeableConcept": CONCEPT, "valueString": VALUE, "valueDateTime": VALUE,
           "valueTime": VALUE}
DOSAGE = {
    "doseAndRate": [{"doseQuantity": QUANTITY}], "route": CONCEPT, "text": VALUE,
    "asNeededBoolean": VALUE, "asNeededCodeableConcept": CONCEPT,
    "timing": {"code": CONCEPT, "repeat": {
        "boundsPeriod": PERIOD, "timeOfDay": [VALUE], "when": [VALUE], "frequency": VALUE,
        "period": VALUE, "periodUnit": VALUE}},
}
MEDICATION_X = {"medicationCodeableConcept": CONCEPT, "medicationReference": REFERENCE}

COMMON = {"id": VALUE, "resourceType": VALUE, "meta": {"lastUpdated": VALUE},
          "extension": [EXTENSION], "contained": [ANY_OBJECT]}

RESOURCES: dict[str, dict[str, Any]] = {
    "Bundle": {**COMMON, "timestamp": VALUE,
               "entry": [{"fullUrl": VALUE, "resource": ANY_OBJECT}]},
    "Patient": {**COMMON, "identifier": [IDENTIFIER], "name": [HUMAN_NAME], "gender": VALUE,
                "birthDate": VALUE, "address": [ADDRESS]},
    "Encounter": {**COMMON, "subject": REFERENCE, "identifier": [IDENTIFIER], "status": VALUE,
                  "class": OneOf((CODING, [CONCEPT]), "fhir.expect_object_or_list"),
                  "period": PERIOD, "serviceProvider": REFERENCE,
                  "location": [{"status": VALUE, "location": REFERENCE}]},
    "Location": {**COMMON, "identifier": [IDENTIFIER], "name": VALUE, "physicalType": CONCEPT,
                 "partOf": REFERENCE, "managingOrganization": REFERENCE},
    "Organization": {**COMMON, "identifier": [IDENTIFIER], "name": VALUE},
    "Medication": {**COMMON, "code": CONCEPT},
    "Observation": {**COMMON, **VALUE_X, "subject": REFERENCE, "encounter": REFERENCE,
                    "status": VALUE, "code": CONCEPT, "effectiveDateTime": VALUE,
                    "effectiveInstant": VALUE, "effectivePeriod": PERIOD, "issued": VALUE,
                    "performer": [REFERENCE], "device": REFERENCE,
                    "component": [{**VALUE_X, "code": CONCEPT}]},
    "MedicationRequest": {**COMMON, **MEDICATION_X, "subject": REFERENCE,
                          "encounter": REFERENCE, "status": VALUE, "doNotPerform": VALUE,
                          "authoredOn": VALUE, "dosageInstruction": [DOSAGE]},
    "MedicationAdministration": {**COMMON, **MEDICATION_X, "subject": REFERENCE,
                                 "context": REFERENCE, "encounter": REFERENCE, "status": VALUE,
                                 "effectiveDateTime": VALUE, "effectivePeriod": PERIOD,
                                 "dosage": {"dose": QUANTITY, "route": CONCEPT},
                                 "performer": [{"actor": REFERENCE}]},
    "AllergyIntolerance": {**COMMON, "patient": REFERENCE, "verificationStatus": CONCEPT,
                           "code": CONCEPT, "criticality": VALUE, "recordedDate": VALUE,
                           "reaction": [{"severity": VALUE, "manifestation": [CONCEPT],
                                         "substance": CONCEPT}]},
}


@dataclass(frozen=True)
class Mismatch:
    """The first element of the wrong type: its path, what was expected, what was found."""

    path: str
    expected: Msg
    found: Msg


def check(resource: dict[str, Any]) -> Mismatch | None:
    """The first element of ``resource`` whose JSON type is wrong, if any: its own elements,
    then those of the resources it contains. Types the importer does not read are not checked."""
    shape = RESOURCES.get(str(resource.get("resourceType")))
    mismatch = _check(shape, resource, "") if shape is not None else None
    if mismatch is not None:
        return mismatch
    contained = resource.get("contained")
    for index, inner in enumerate(contained if isinstance(contained, list) else ()):
        shape = RESOURCES.get(str(inner.get("resourceType"))) if isinstance(inner, dict) else None
        mismatch = _check(shape, inner, f"contained[{index}]") if shape is not None else None
        if mismatch is not None:
            return mismatch
    return None


def _check(shape: Any, value: Any, path: str) -> Mismatch | None:
    if value is None:
        return None
    if isinstance(shape, OneOf):
        if any(_check(option, value, path) is None for option in shape.shapes):
            return None
        return Mismatch(path, msg(shape.expected), _found(value))
    if shape == VALUE:
        if isinstance(value, str | int | float):
            return None
        return Mismatch(path, msg("fhir.expect_value"), _found(value))
    if isinstance(shape, list):
        if not isinstance(value, list):
            return Mismatch(path, msg("fhir.expect_list"), _found(value))
        for index, item in enumerate(value):
            mismatch = _check(shape[0], item, f"{path}[{index}]")
            if mismatch is not None:
                return mismatch
        return None
    if not isinstance(value, dict):
        return Mismatch(path, msg("fhir.expect_object"), _found(value))
    for name, inner in shape.items():
        if name in value:
            mismatch = _check(inner, value[name], f"{path}.{name}" if path else name)
            if mismatch is not None:
                return mismatch
    return None


def _found(value: Any) -> Msg:
    if isinstance(value, dict):
        return msg("fhir.found_object")
    if isinstance(value, list):
        return msg("fhir.found_list")
    if isinstance(value, bool):
        return msg("fhir.found_boolean", value="true" if value else "false")
    if isinstance(value, int | float):
        return msg("fhir.found_number", value=str(value)[:40])
    text = str(value)
    return msg("fhir.found_text", value=text if len(text) <= 40 else text[:40] + "…")
