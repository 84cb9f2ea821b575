"""Re-entered items as a FHIR R4 ``transaction`` Bundle: Observations and MedicationAdministrations.

Vital signs, notes and movements (transfer, discharge) are Observations; a movement is coded by
the SNOMED CT code its form gives (never an Encounter: the stay is the SIH's, see docs/export.md).

Why a transaction: the SIH applies it whole or not at all (a half-loaded export is worse than
none), and each entry is a conditional create (``ifNoneExist`` on the item identifier), so the
same export loaded twice creates nothing the second time. Entries get ``urn:uuid`` full URLs
because Reentry does not know the SIH's resource ids; patients and stays are named by identifier
(logical references), for the same reason. Field by field: docs/export.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from reentry.clinical_codes import MOVEMENT_SYSTEM, movement_coding, movement_label
from reentry.domain.entry import Item, ItemKind
from reentry.export.provenance import (
    PatientIdentity,
    identity_of,
    late_entry_text,
)
from reentry.export.settings import (
    ITEM_SYSTEM,
    LATE_ENTRY_EXTENSION,
    TAG_SYSTEM,
    TEMPORARY_ID_SYSTEM,
    ExportSettings,
)
from reentry.export.vocabulary import (
    BLOOD_PRESSURE_PANEL,
    LOINC,
    NURSE_NOTE,
    UCUM,
    blood_pressure_pairs,
    hospital_time,
    loinc_display,
    number_json,
    ucum_code,
    unit_for_humans,
)
from reentry.i18n import tr

Resource = dict[str, Any]

IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
OBSERVATION_CATEGORIES = "http://terminology.hl7.org/CodeSystem/observation-category"
# Stable across exports, so that the same item always gets the same entry URL.
_ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, ITEM_SYSTEM)


def render(items: Sequence[Item], settings: ExportSettings) -> bytes:
    return json.dumps(bundle(items, settings), ensure_ascii=False, indent=2).encode("utf-8")


def bundle(items: Sequence[Item], settings: ExportSettings) -> Resource:
    """The transaction Bundle for ``items`` (all exportable), in the order given."""
    entries = [_entry(_resource(group, settings), group)
               for group in blood_pressure_pairs(items)]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": uuid.uuid4().urn},
        "meta": {"tag": _tags()},
        "type": "transaction",
        "timestamp": _instant(settings.now),
        "entry": entries,
    }


def _entry(resource: Resource, group: tuple[Item, ...]) -> Resource:
    kind = resource["resourceType"]
    return {
        "fullUrl": uuid.uuid5(_ENTRY_NAMESPACE, str(group[0].id)).urn,
        "resource": resource,
        "request": {"method": "POST", "url": kind,
                    "ifNoneExist": f"identifier={ITEM_SYSTEM}|{group[0].id}"},
    }


def _resource(group: tuple[Item, ...], settings: ExportSettings) -> Resource:
    first = group[0]
    if len(group) == 2:
        return _blood_pressure(group, settings)
    if first.kind == ItemKind.VITAL_SIGN:
        return _vital_sign(first, settings)
    if first.kind == ItemKind.MEDICATION_ADMINISTRATION:
        return _administration(first, settings)
    if first.kind == ItemKind.MOVEMENT:
        return _movement(first, settings)
    return _nursing_note(first, settings)


# -- what every resource carries -------------------------------------------------------------


def _common(resource_type: str, items: tuple[Item, ...]) -> Resource:
    """Identifiers (one per item), the late-entry tags and the machine-readable provenance."""
    return {
        "resourceType": resource_type,
        "meta": {"tag": _tags()},
        "extension": [_late_entry_extension(items[0])],
        "identifier": [{"system": ITEM_SYSTEM, "value": str(item.id)} for item in items],
    }


def _tags() -> list[Resource]:
    return [
        {"system": TAG_SYSTEM, "code": "late-entry", "display": tr("export.tag_late_entry")},
        {"system": TAG_SYSTEM, "code": "downtime", "display": tr("export.tag_downtime")},
    ]


def _late_entry_extension(item: Item) -> Resource:
    parts: list[Resource] = []
    if item.author.strip():
        parts.append({"url": "author", "valueString": item.author.strip()})
    parts.append({"url": "enteredBy", "valueString": item.entered_by})
    parts.append({"url": "enteredAt", "valueDateTime": _instant(item.entered_at)})
    return {"url": LATE_ENTRY_EXTENSION, "extension": parts}


def _performer(item: Item, shape: Callable[[str], Resource]) -> Resource:
    """The paper's author as written; none when the paper did not say (the note tells)."""
    author = item.author.strip()
    return {"performer": [shape(author)]} if author else {}


def _note(item: Item) -> list[Resource]:
    return [{"text": late_entry_text(item)}]


def _subject(identity: PatientIdentity, settings: ExportSettings) -> Resource:
    identifier: Resource
    if identity.is_temporary:
        identifier = {"use": "temp", "system": TEMPORARY_ID_SYSTEM,
                      "value": identity.temporary_id}
    else:
        identifier = {"type": {"coding": [{"system": IDENTIFIER_TYPES, "code": "PI"}]},
                      "system": settings.ipp_system, "value": identity.ipp}
    return {"type": "Patient", "identifier": identifier}


def _encounter(identity: PatientIdentity, settings: ExportSettings) -> Resource | None:
    if identity.nda is None:
        return None
    return {"type": "Encounter",
            "identifier": {"system": settings.nda_system, "value": identity.nda}}


def _about(item: Item, settings: ExportSettings, encounter_key: str) -> Resource:
    """Subject, stay, time of care and the author as written on paper."""
    identity = identity_of(item)
    assert identity is not None  # unexportable items were left out before
    about: Resource = {"subject": _subject(identity, settings),
                       "effectiveDateTime": _instant(item.effective_time)}
    encounter = _encounter(identity, settings)
    if encounter is not None:
        about[encounter_key] = encounter
    return about


# -- the resources ---------------------------------------------------------------------------


def _observation(items: tuple[Item, ...], settings: ExportSettings) -> Resource:
    item = items[0]
    return {
        **_common("Observation", items),
        "status": "final",
        **_about(item, settings, "encounter"),
        "issued": _instant(item.entered_at),
        **_performer(item, lambda author: {"display": author}),
        "note": _note(item),
    }


def _vital_sign(item: Item, settings: ExportSettings) -> Resource:
    resource = _observation((item,), settings)
    resource["category"] = _vital_signs_category()
    resource["code"] = _loinc(item.code, item.label)
    resource.update(_value(item))
    return resource


def _blood_pressure(pair: tuple[Item, ...], settings: ExportSettings) -> Resource:
    resource = _observation(pair, settings)
    resource["category"] = _vital_signs_category()
    resource["code"] = _loinc(BLOOD_PRESSURE_PANEL, tr("export.blood_pressure"))
    resource["component"] = [{"code": _loinc(item.code, item.label), **_value(item)}
                             for item in pair]
    return resource


def _nursing_note(item: Item, settings: ExportSettings) -> Resource:
    resource = _observation((item,), settings)
    resource["code"] = _loinc(NURSE_NOTE, tr("export.nurse_note"))
    resource["valueString"] = item.text or ""
    return resource


def _movement(item: Item, settings: ExportSettings) -> Resource:
    """A transfer or discharge as written on the form: coded by its type, the destination as
    the value, the comments as a second note after the late-entry sentence."""
    resource = _observation((item,), settings)
    resource["code"] = movement_concept(item)
    if item.value_text:
        resource["valueString"] = item.value_text
    if item.text:
        resource["note"].append({"text": item.text})
    return resource


def _administration(item: Item, settings: ExportSettings) -> Resource:
    resource: Resource = {
        **_common("MedicationAdministration", (item,)),
        "status": "completed" if item.status == "completed" else "not-done",
        "medicationCodeableConcept": {"text": item.code or item.label},
        **_about(item, settings, "context"),
        **_performer(item, lambda author: {"actor": {"display": author}}),
        "note": _note(item),
    }
    if resource["status"] == "not-done" and item.status_reason:
        resource["statusReason"] = [{"text": item.status_reason}]
    dosage: Resource = {}
    if item.route:
        dosage["route"] = {"text": item.route}
    if item.value is not None:
        dosage["dose"] = _quantity(item)
    if dosage:
        resource["dosage"] = dosage
    return resource


# -- values ------------------------------------------------------------------------------------


def _vital_signs_category() -> list[Resource]:
    return [{"coding": [{"system": OBSERVATION_CATEGORIES, "code": "vital-signs",
                         "display": "Vital Signs"}]}]


def movement_concept(item: Item) -> Resource:
    """The movement's standard code from its form (SNOMED CT), else Reentry's own system."""
    standard = movement_coding(item.code)
    coding: Resource = ({"system": standard.system, "code": standard.code}
                        if standard else {"system": MOVEMENT_SYSTEM, "code": item.code})
    if standard and standard.display:
        coding["display"] = standard.display
    text = item.label or movement_label(item.code) or item.code
    return {"coding": [coding], "text": text}


def _loinc(code: str, text: str) -> Resource:
    coding: Resource = {"system": LOINC, "code": code}
    display = loinc_display(code)
    if display:
        coding["display"] = display
    concept: Resource = {"coding": [coding]}
    if text or display:
        concept["text"] = text or display
    return concept


def _value(item: Item) -> Resource:
    if item.value is not None:
        return {"valueQuantity": _quantity(item)}
    if item.value_text:
        return {"valueString": item.value_text}
    return {}


def _quantity(item: Item) -> Resource:
    assert item.value is not None
    quantity: Resource = {"value": number_json(item.value)}
    shown, code = unit_for_humans(item), ucum_code(item)
    if shown:
        quantity["unit"] = shown
    if code:
        quantity["system"] = UCUM
        quantity["code"] = code
    return quantity


def _instant(moment: datetime) -> str:
    """ISO 8601 to the second, in the hospital's zone, with its offset."""
    return hospital_time(moment).isoformat(timespec="seconds")
