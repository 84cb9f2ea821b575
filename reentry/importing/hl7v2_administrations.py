"""Medication administrations of an RAS^O17 message: one per RXA, as ``reentry export`` writes
them and as pharmacy and MAR interfaces send them.

Each RXA belongs to the PID (and PV1 stay) above it. RXA-3 is the time of administration,
RXA-5 the drug (its text, else its code), RXA-6/RXA-7 the amount and its unit (the unit as
printed, else its code), RXA-10 who gave it, RXA-20 the completion status (``CP``/``PA``
given, ``NA``/``RE`` not given or refused); the RXR that follows gives the route (as printed,
else its table 0162 code). Skipped on purpose: an RXA whose action code (RXA-21) is ``D``
(deleted), and one without a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from reentry.i18n import msg
from reentry.importing.csv_tables import parse_number
from reentry.importing.hl7v2_patient import read_patient
from reentry.importing.hl7v2_segments import Message, Segment
from reentry.model import Administration, Patient, PatientKey, Stay

NOT_GIVEN = frozenset({"NA", "RE"})


@dataclass
class Administrations:
    """What one RAS message says: its patients, the stays it names and the doses."""

    patients: list[Patient] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)


def read_administrations(message: Message, ipp_authority: str = "") -> Administrations:
    """Patients, stays and administrations of one RAS^O17 message."""
    message.require("PID")
    sender = message.msh.get(3) or "hl7"
    control = message.msh.get(10)
    if not control:
        raise message.msh.reject(10, msg("problem.missing_value", name="MSH-10"))
    found = Administrations()
    patient: PatientKey | None = None
    nda: str | None = None
    rxa_number = 0
    pending: list[tuple[Segment, str]] = []  # each RXA waits for the RXR after it
    for segment in message.segments:
        if segment.name == "PID":
            read = read_patient(segment, ipp_authority)
            found.patients.append(read)
            patient, nda = read.key, segment.get(18) or None
        elif segment.name == "PV1":
            nda = segment.get(19) or nda
            if nda and patient:
                found.stays.append(Stay(nda, patient))
        elif segment.name == "RXA":
            rxa_number += 1
            if patient is None:
                raise segment.reject(None, msg("problem.missing_segment", segment="PID"))
            _flush(found, pending, patient, nda, None)
            pending.append((segment, f"hl7:{sender}:{control}:RXA{rxa_number}"))
        elif segment.name == "RXR" and pending and patient is not None:
            _flush(found, pending, patient, nda, segment.get(1, 2) or segment.get(1, 1) or None)
    if patient is not None:
        _flush(found, pending, patient, nda, None)
    return found


def _flush(found: Administrations, pending: list[tuple[Segment, str]], patient: PatientKey,
           nda: str | None, route: str | None) -> None:
    for rxa, source_id in pending:
        administration = _administration(rxa, source_id, patient, nda, route)
        if administration is not None:
            found.administrations.append(administration)
    pending.clear()


def _administration(rxa: Segment, source_id: str, patient: PatientKey, nda: str | None,
                    route: str | None) -> Administration | None:
    at: datetime | None = rxa.timestamp(3)
    if at is None or rxa.get(21).upper() == "D":
        return None
    drug = rxa.get(5, 2) or rxa.get(5, 1)
    if not drug:
        raise rxa.reject(5, msg("problem.missing_value", name="RXA-5"))
    amount = rxa.get(6)
    try:
        dose = parse_number(amount) if amount else None
    except ValueError:
        raise rxa.reject(6, msg("problem.bad_number", value=amount)) from None
    status = "not-done" if rxa.get(20).upper() in NOT_GIVEN else "completed"
    performer = " ".join(part for part in (rxa.get(10, 3), rxa.get(10, 2)) if part)
    return Administration(source_id, patient, drug, at, nda, dose,
                          rxa.get(7, 2) or rxa.get(7, 1) or None, route, status,
                          performer or rxa.get(10) or None)
