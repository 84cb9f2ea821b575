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
    found = _check(shape, resource) if shape is not None else None
    contained = resource.get("contained")
    for index, inner in enumerate(contained if isinstance(contained, list) else ()):
        if found is not None:
            break
        shape = RESOURCES.get(str(inner.get("resourceType"))) if isinstance(inner, dict) else None
        found = _check(shape, inner) if shape is not None else None
        if found is not None:
            found.path.extend((index, "contained"))
    if found is None:
        return None
    path = ""
    for part in reversed(found.path):
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return Mismatch(path, found.expected, _found(found.value))


@dataclass
class _Found:
    """A mismatch on its way up: the path from the element to the resource, reversed."""

    path: list[str | int]
    expected: Msg
    value: Any


_SIMPLE = (str, int, float)


def _check(shape: Any, value: Any) -> _Found | None:
    """The mismatch within ``value`` (not None); kept cheap, as every resource goes through it:
    simple values are checked in the loops, paths are built only for a mismatch."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return _Found([], msg("fhir.expect_object"), value)
        for name, inner in shape.items():
            item = value.get(name)
            if item is None:
                continue
            if inner is VALUE:
                if not isinstance(item, _SIMPLE):
                    return _Found([name], msg("fhir.expect_value"), item)
                continue
            found = _check(inner, item)
            if found is not None:
                found.path.append(name)
                return found
        return None
    if isinstance(shape, list):
        if not isinstance(value, list):
            return _Found([], msg("fhir.expect_list"), value)
        inner = shape[0]
        for index, item in enumerate(value):
            if item is None:
                continue
            if inner is VALUE:
                if not isinstance(item, _SIMPLE):
                    return _Found([index], msg("fhir.expect_value"), item)
                continue
            found = _check(inner, item)
            if found is not None:
                found.path.append(index)
                return found
        return None
    if isinstance(shape, OneOf):
        if any(_check(option, value) is None for option in shape.shapes):
            return None
        return _Found([], msg(shape.expected), value)
    if not isinstance(value, _SIMPLE):  # VALUE at the top: never the case for a resource
        return _Found([], msg("fhir.expect_value"), value)
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
