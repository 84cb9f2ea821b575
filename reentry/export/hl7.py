"""Re-entered items as HL7 v2.5 messages: ORU^R01 for vital signs, notes and movements, RAS^O17
for doses.

One ORU^R01 per patient and stay (vital signs, nursing notes and movements: one ORC/OBR per paper
row, one OBX per value, each followed by an NTE that says it is a late entry; a movement's
comments in a second NTE), and one RAS^O17 per patient
and stay for medication administrations (ORC, RXA, RXR per dose). An administration is not a
result: in an OBX it would land in the SIH's results viewer, not in the administration record
where the medication timing is checked; RXA has a field for each thing the paper says (time,
drug, amount, unit, administering nurse, completion status CP/NA from HL7 table 0322, reason).

Segments end with ``\\r``; messages follow one another in the file. Text is escaped (``\\F\\``,
``\\S\\``, ``\\R\\``, ``\\E\\``, ``\\T\\``; line breaks as ``\\.br\\``). Field by field:
docs/export.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from reentry.clinical_codes import movement_coding, movement_label
from reentry.domain.entry import Item, ItemKind
from reentry.export.provenance import PatientIdentity, identity_of, late_entry_text
from reentry.export.settings import TEMPORARY_ID_SYSTEM, ExportSettings
from reentry.export.vocabulary import (
    LOINC,
    NURSE_NOTE,
    SNOMED_CT,
    VITAL_SIGNS_PANEL,
    hospital_time,
    loinc_display,
    number_text,
    ucum_code,
    unit_for_humans,
)
from reentry.i18n import tr

SEGMENT_END = "\r"
VERSION = "2.5"
CHARSET = "UNICODE UTF-8"
# HL7 table 0162 routes that prescriptions write as such; others are sent as text only.
_ROUTES = frozenset({"PO", "IV", "IM", "SC", "SL", "PR", "TD", "NS", "IH", "ID", "TOP", "OP",
                     "OT", "VG", "NG", "GTT", "IO", "IT", "IVP"})
# Code systems as HL7 table 0396 names them.
_CODING_SYSTEMS = {LOINC: "LN", SNOMED_CT: "SCT"}
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"),
            ("\r\n", "\\.br\\"), ("\n", "\\.br\\"), ("\r", "\\.br\\"))

_Key = tuple[str | None, str | None, str | None]


def render(items: Sequence[Item], settings: ExportSettings) -> bytes:
    return "".join(messages(items, settings)).encode("utf-8")


def messages(items: Sequence[Item], settings: ExportSettings) -> list[str]:
    """Every message, patients in the order they first appear, results before doses."""
    by_patient: dict[_Key, list[Item]] = {}
    for item in items:
        identity = identity_of(item)
        assert identity is not None  # unexportable items were left out before
        key = (identity.ipp, identity.temporary_id, identity.nda)
        by_patient.setdefault(key, []).append(item)
    out = []
    for group in by_patient.values():
        identity = identity_of(group[0])
        assert identity is not None
        results = [i for i in group if i.kind != ItemKind.MEDICATION_ADMINISTRATION]
        doses = [i for i in group if i.kind == ItemKind.MEDICATION_ADMINISTRATION]
        if results:
            out.append(_oru(identity, results, settings))
        if doses:
            out.append(_ras(identity, doses, settings))
    return out


# -- syntax ----------------------------------------------------------------------------------


def escape(text: str | None) -> str:
    """``text`` safe inside one HL7 component: delimiters and line breaks escaped."""
    value = text or ""
    for plain, escaped in _ESCAPES:
        value = value.replace(plain, escaped)
    return value


def segment(name: str, fields: dict[int, str]) -> str:
    """``NAME|f1|f2…`` up to the last given field; values are already escaped and composed."""
    last = max(fields, default=0)
    return "|".join([name, *(fields.get(n, "") for n in range(1, last + 1))]) + SEGMENT_END


def components(*values: str) -> str:
    """Escaped components joined with ``^``, trailing empty ones dropped."""
    return "^".join(escape(v) for v in values).rstrip("^")


def timestamp(moment: datetime) -> str:
    """HL7 DTM to the second with the offset: ``20261123141500+0100``."""
    return hospital_time(moment).strftime("%Y%m%d%H%M%S%z")


def control_id() -> str:
    """MSH-10: unique per message, 20 characters at most (v2.5 ST length)."""
    return uuid.uuid4().hex[:20].upper()


def _authority(system: str) -> str:
    """An identifier system as an HD in subcomponents: ``&oid&ISO`` or ``&uri&URI``."""
    if system.startswith("urn:oid:"):
        return f"&{escape(system.removeprefix('urn:oid:'))}&ISO"
    return f"&{escape(system)}&URI"


def _cx(value: str, system: str, id_type: str) -> str:
    return f"{escape(value)}^^^{_authority(system)}^{id_type}"


# -- the patient -----------------------------------------------------------------------------


def _header(message_type: str, identity: PatientIdentity, settings: ExportSettings) -> str:
    code, trigger = message_type.split("^")
    msh = "|".join(["MSH", "^~\\&", escape(settings.sender), "", "", "",
                    timestamp(settings.now), "", f"{code}^{trigger}^{code}_{trigger}",
                    control_id(), "P", VERSION, "", "", "", "", "", CHARSET]) + SEGMENT_END
    return msh + _pid(identity, settings) + _pv1(identity, settings)


def _pid(identity: PatientIdentity, settings: ExportSettings) -> str:
    """PID-3 only: the SIH's identity is authoritative, so no name or birth date is sent."""
    if identity.is_temporary:
        # Not ``PI``: a receiver must never take Reentry's temporary number for one of its IPPs.
        patient_id = _cx(identity.temporary_id or "", TEMPORARY_ID_SYSTEM, "PT")
    else:
        patient_id = _cx(identity.ipp or "", settings.ipp_system, "PI")
    return segment("PID", {1: "1", 3: patient_id})


def _pv1(identity: PatientIdentity, settings: ExportSettings) -> str:
    if identity.nda is None:
        return ""
    return segment("PV1", {1: "1", 2: "U", 19: _cx(identity.nda, settings.nda_system, "AN")})


def _order_control(item: Item, filler: str) -> str:
    """ORC: who typed the row (ORC-10) and when (ORC-9), for programs; the NTE says it in words."""
    return segment("ORC", {1: "RE", 3: filler, 9: timestamp(item.entered_at),
                           10: escape(item.entered_by)})


def _filler(first: Item, settings: ExportSettings) -> str:
    """ORC-3/OBR-3: the Reentry id of the order's first item, unique across every message."""
    return f"{first.id}^{escape(settings.sender)}"


def _paper_author(item: Item) -> str:
    """XCN with the author as written on paper in the family-name component (not an id)."""
    return f"^{escape(item.author.strip())}" if item.author.strip() else ""


# -- ORU^R01: vital signs and notes ------------------------------------------------------------


def _oru(identity: PatientIdentity, items: list[Item], settings: ExportSettings) -> str:
    rows: dict[tuple[int, datetime], list[Item]] = {}
    for item in items:
        rows.setdefault((item.entry_id, item.effective_time), []).append(item)
    text = _header("ORU^R01", identity, settings)
    for number, row in enumerate(rows.values(), start=1):
        text += _observation_request(number, row, settings)
        for obx_number, item in enumerate(row, start=1):
            text += _obx(obx_number, item)
            text += segment("NTE", {1: "1", 2: "O", 3: escape(late_entry_text(item)),
                                    4: "RE^Remark^HL70364"})
            if item.kind == ItemKind.MOVEMENT and item.text:
                text += segment("NTE", {1: "2", 2: "O", 3: escape(item.text),
                                        4: "RE^Remark^HL70364"})
    return text


def _observation_request(number: int, row: list[Item], settings: ExportSettings) -> str:
    first = row[0]
    filler = _filler(first, settings)
    if first.kind == ItemKind.NURSING_NOTE:
        service = components(NURSE_NOTE, tr("export.nurse_note"), "LN")
    elif first.kind == ItemKind.MOVEMENT:
        service = _movement_code(first)
    else:
        service = components(VITAL_SIGNS_PANEL, tr("export.vital_signs"), "LN")
    return _order_control(first, filler) + segment("OBR", {
        1: str(number), 3: filler, 4: service,
        7: timestamp(first.effective_time), 22: timestamp(first.entered_at), 25: "F"})


def _movement_code(item: Item) -> str:
    """CE of a movement: its SNOMED CT code from the form (``SCT``), else its type (local)."""
    standard = movement_coding(item.code)
    text = item.label or movement_label(item.code) or item.code
    if standard is None:
        return components(item.code, text, "L")
    return components(standard.code, text, _CODING_SYSTEMS.get(standard.system, "L"))


def _obx(number: int, item: Item) -> str:
    fields = {1: str(number), 4: str(item.id), 11: "F", 14: timestamp(item.effective_time),
              16: _paper_author(item)}
    if item.kind == ItemKind.NURSING_NOTE:
        fields |= {2: "TX", 3: components(NURSE_NOTE, tr("export.nurse_note"), "LN"),
                   5: escape(item.text)}
        return segment("OBX", fields)
    if item.kind == ItemKind.MOVEMENT:
        fields |= {2: "ST", 3: _movement_code(item), 5: escape(item.value_text)}
        return segment("OBX", fields)
    label = item.label or loinc_display(item.code) or ""
    fields[3] = components(item.code, label, "LN")
    if item.value is not None:
        fields |= {2: "NM", 5: number_text(item.value), 6: _units(item)}
    else:
        fields |= {2: "ST", 5: escape(item.value_text)}
    return segment("OBX", fields)


def _units(item: Item) -> str:
    code, shown = ucum_code(item), unit_for_humans(item)
    if code:
        return components(code, shown or code, "UCUM")
    return components("", shown) if shown else ""


# -- RAS^O17: medication administrations ------------------------------------------------------


def _ras(identity: PatientIdentity, items: list[Item], settings: ExportSettings) -> str:
    text = _header("RAS^O17", identity, settings)
    for item in items:
        text += _order_control(item, _filler(item, settings))
        text += _rxa(item)
        if item.route:
            text += segment("RXR", {1: _route(item.route)})
    return text


def _rxa(item: Item) -> str:
    given = item.status == "completed"
    fields = {1: "0", 2: "1", 3: timestamp(item.effective_time),
              4: timestamp(item.effective_time), 5: components("", item.code or item.label),
              6: number_text(item.value) if item.value is not None else ("" if given else "0"),
              7: _units(item) if item.value is not None else "",
              9: components("", late_entry_text(item)), 10: _paper_author(item),
              20: "CP" if given else "NA", 21: "A", 22: timestamp(item.entered_at)}
    if not given and item.status_reason:
        fields[18] = components("", item.status_reason)
    return segment("RXA", fields)


def _route(route: str) -> str:
    code = route.strip().upper()
    if code in _ROUTES:
        return components(code, route.strip(), "HL70162")
    return components("", route.strip())
