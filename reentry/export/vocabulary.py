"""Codes, units and numbers as the SIH expects them, shared by the FHIR, HL7 and CSV writers.

Codes, their displays and the units of vital signs come from the form definitions through
``reentry.clinical_codes``: a form that adds a coded field adds it to every export without code
changes. What is here is what only the exporters need: dose units as UCUM, numbers and times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from reentry import clock
from reentry.clinical_codes import (
    BLOOD_PRESSURE_PANEL,
    DIASTOLIC,
    LOINC,
    NURSE_NOTE,
    SNOMED_CT,
    SYSTOLIC,
    UCUM,
    VITAL_SIGNS_PANEL,
)
from reentry.clinical_codes import standard_display as loinc_display
from reentry.display import unit_text
from reentry.domain.entry import Item, ItemKind

__all__ = ["BLOOD_PRESSURE_PANEL", "LOINC", "NURSE_NOTE", "SNOMED_CT", "UCUM",
           "VITAL_SIGNS_PANEL", "blood_pressure_pairs", "hospital_time", "loinc_display",
           "number_json", "number_text", "ucum_code", "unit_for_humans"]

# Dose units as prescriptions write them → UCUM. Anything else (« cp », « sachet ») is kept as
# written, without claiming a UCUM code.
_DOSE_UCUM = {
    "mg": "mg", "g": "g", "µg": "ug", "μg": "ug", "mcg": "ug", "ug": "ug", "ng": "ng",
    "ml": "mL", "mL": "mL", "l": "L", "L": "L", "mmol": "mmol", "meq": "meq", "mEq": "meq",
    "ui": "[iU]", "UI": "[iU]", "IU": "[iU]", "U": "[iU]", "[iU]": "[iU]",
    "mg/h": "mg/h", "g/h": "g/h", "µg/h": "ug/h", "μg/h": "ug/h", "ml/h": "mL/h",
    "mL/h": "mL/h", "UI/h": "[iU]/h", "goutte": "[drp]", "gouttes": "[drp]", "gtt": "[drp]",
}


def ucum_code(item: Item) -> str | None:
    """The UCUM code of the item's unit: vital signs carry one already; doses are mapped."""
    if not item.unit:
        return None
    if item.kind == ItemKind.VITAL_SIGN:
        return item.unit
    return _DOSE_UCUM.get(item.unit.strip())


def unit_for_humans(item: Item) -> str:
    """« mmHg », « °C », « cp »: what a nurse reads next to the number."""
    if item.kind == ItemKind.VITAL_SIGN:
        return unit_text(item.unit)
    return (item.unit or "").strip()


def hospital_time(moment: datetime) -> datetime:
    """The instant in the hospital's zone (a naive time is already hospital time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=clock.hospital_zone())
    return clock.local(moment)


def number_text(value: float) -> str:
    """Decimal point, no exponent, no trailing ``.0``: ``72``, ``37.5``, ``0.125``."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_json(value: float) -> int | float:
    number = float(value)  # an int from a store or a test is a number too
    return int(number) if number.is_integer() else number


def blood_pressure_pairs(items: Sequence[Item]) -> list[tuple[Item, ...]]:
    """The items in order, a systolic and a diastolic typed on the same row joined as one group.

    Only an unambiguous pair is joined: one systolic and one diastolic of the same entry, patient
    and time. Anything else stays one item per group, as typed.
    """
    by_entry: dict[tuple[object, ...], dict[str, list[Item]]] = {}
    for item in items:
        if item.kind == ItemKind.VITAL_SIGN and item.code in (SYSTOLIC, DIASTOLIC):
            key = (item.entry_id, item.effective_time, item.ipp, item.temporary_id)
            by_entry.setdefault(key, {}).setdefault(item.code, []).append(item)
    paired: dict[int, tuple[Item, Item]] = {}
    for codes in by_entry.values():
        systolic, diastolic = codes.get(SYSTOLIC, []), codes.get(DIASTOLIC, [])
        if len(systolic) == 1 and len(diastolic) == 1:
            pair = (systolic[0], diastolic[0])
            paired[id(systolic[0])] = paired[id(diastolic[0])] = pair
    groups: list[tuple[Item, ...]] = []
    emitted: set[int] = set()
    for item in items:
        found = paired.get(id(item))
        if found is None:
            groups.append((item,))
        elif id(found[0]) not in emitted:  # the pair goes where the first of its values was
            emitted.add(id(found[0]))
            groups.append(found)
    return groups
