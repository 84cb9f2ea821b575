"""Observations of an ORU^R01 message: one per OBX that carries a clinical value.

An ORU may hold several patients (PID) and several orders (OBR); each OBX belongs to the PID and
the OBR above it. Its time is OBX-14, else the order's OBR-7, else the message's MSH-7.
Skipped on purpose: DMP / MSSanté routing flags (CI-SIS ``MetaDMPMSS`` codes), results deleted,
wrong or not obtainable (OBX-11 ``D``/``W``/``X``), OBX without a value. An embedded document
(ED) is recorded by its type, never its payload, which can hold a whole report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from reentry.i18n import msg
from reentry.importing.hl7v2_patient import read_patient
from reentry.importing.hl7v2_segments import Message, Segment
from reentry.model import Observation, Patient, PatientKey, Stay

_ROUTING_SYSTEMS = frozenset({"MetaDMPMSS"})
_SKIPPED_STATUSES = frozenset({"D", "W", "X"})
_CODED_TYPES = frozenset({"CE", "CWE", "CNE", "CF"})


@dataclass
class Results:
    """What one ORU message says: its patients, the stays it names and the observations."""

    patients: list[Patient] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


@dataclass
class _Context:
    """Where the walk through the message stands: the current patient, stay and order."""

    patient: PatientKey | None = None
    account: str | None = None
    nda: str | None = None
    order_time: datetime | None = None


def read_results(message: Message, sent: datetime, ipp_authority: str = "") -> Results:
    """Patients, stays and observations of one ORU^R01 message sent at ``sent``."""
    message.require("PID")
    sender = message.msh.get(3) or "hl7"
    control = message.msh.get(10)
    if not control:
        raise message.msh.reject(10, msg("problem.missing_value", name="MSH-10"))
    results, context = Results(), _Context()
    obx_number = 0
    for segment in message.segments:
        if segment.name == "PID":
            patient = read_patient(segment, ipp_authority)
            results.patients.append(patient)
            context = _Context(patient.key, segment.get(18) or None)
        elif segment.name == "PV1":
            context.nda = segment.get(19) or context.account
            if context.nda and context.patient:
                results.stays.append(Stay(context.nda, context.patient))
        elif segment.name == "OBR":
            context.order_time = segment.timestamp(7)
        elif segment.name == "OBX":
            obx_number += 1
            source_id = f"hl7:{sender}:{control}:OBX{obx_number}"
            observation = _observation(segment, context, sent, source_id)
            if observation is not None:
                results.observations.append(observation)
    return results


def _observation(obx: Segment, context: _Context, sent: datetime, source_id: str
                 ) -> Observation | None:
    if context.patient is None:
        raise obx.reject(None, msg("problem.missing_segment", segment="PID"))
    code = obx.get(3, 1)
    if (not code or obx.get(3, 3) in _ROUTING_SYSTEMS
            or obx.get(11).upper() in _SKIPPED_STATUSES):
        return None
    value, text = _value(obx)
    if value is None and text is None:
        return None
    at = obx.timestamp(14) or context.order_time or sent
    return Observation(source_id, context.patient, code, obx.get(3, 2) or code, at, context.nda,
                       value, text, obx.get(6, 1) or None, author=_observer(obx))


def _observer(obx: Segment) -> str | None:
    """OBX-16, the responsible observer (family and given names, else the id), or OBX-18, the
    equipment that took the reading, as ``device:<id>``."""
    names = " ".join(part for part in (obx.get(16, 3), obx.get(16, 2)) if part)
    if names or obx.get(16):
        return names or obx.get(16)
    equipment = obx.get(18)
    return f"device:{equipment}" if equipment else None


def _value(obx: Segment) -> tuple[float | None, str | None]:
    """OBX-5 as a number (NM, plain SN) or as text (coded value's label, document type...)."""
    value_type = obx.get(2).upper()
    if value_type == "ED":
        return None, document_label(obx.get(5, 2), obx.get(5, 3))
    if value_type in _CODED_TYPES:
        return None, obx.get(5, 2) or obx.get(5, 1) or None
    if value_type == "SN":
        return _structured_number(obx)
    text = _text(obx)
    if value_type == "NM" and text:
        number = _number(text)
        if number is not None:
            return number, None
    return None, text  # "<5", ">100": kept as written, never guessed


def _structured_number(obx: Segment) -> tuple[float | None, str | None]:
    """SN is comparator^number^separator^number: a plain number only without the others."""
    comparator, first, separator, second = (obx.get(5, c) for c in (1, 2, 3, 4))
    if not comparator and not separator and not second:
        number = _number(first)
        if number is not None:
            return number, None
    return None, "".join((comparator, first, separator, second)) or None


def _number(text: str) -> float | None:
    """A decimal number (point or comma); None for anything else, "inf" and "NaN" included."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _text(obx: Segment) -> str | None:
    """Every repetition of OBX-5, one per line (FT line breaks ``\\.br\\`` kept as lines)."""
    lines = [obx.get(5, rep=rep) for rep in range(1, obx.repetitions(5) + 1)]
    text = "\n".join(line for line in lines if line).replace("\r\n", "\n").replace("\r", "\n")
    return text or None


def document_label(kind: str, subtype: str) -> str:
    """What an embedded document is (``[document TEXT/XML]``), without its payload."""
    described = "/".join(part for part in (kind, subtype) if part) or "?"
    return f"[document {described}]"
