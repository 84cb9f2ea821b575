"""What will be printed, decided before anything is registered or drawn.

Planning is pure: from the census, the dossiers and the form definitions it decides every sheet
(a ward cover, each patient's dossier, each blank form, each admission packet) and how many pages
it has, so that the registry can record each sheet with its page count, in one transaction,
before a single page is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reentry import clock
from reentry.model import Dossier, Site, Snapshot, Ward


@dataclass(frozen=True)
class PlannedDose:
    """One line of the medication administration record: a planned dose of a prescription, or,
    for an "as needed" prescription (no planned time), a blank line to record a dose given."""

    prescription_id: int | None
    drug: str
    dose: str  # as printed, e.g. « 1 g »
    route: str
    planned_at: datetime | None


@dataclass(frozen=True)
class SheetPlan:
    """One sheet (form instance) to print: a template, its pages, and who it is for."""

    template_id: str
    template_version: int
    page_count: int
    ward_code: str
    patient_id: int | None = None
    stay_id: int | None = None
    doses: tuple[PlannedDose, ...] = ()  # medication administration record only
    admission_packet: int | None = None  # index of the downtime-admission packet in the ward
    # Points left at the top of each page for the medication record's band (as tall as the
    # patient's allergies need): kept with the sheet, so that its layout can be found again.
    reserved_top: float = 0.0


@dataclass(frozen=True)
class RegisteredSheet:
    """A planned sheet once the registry has given it its serial (page codes derive from it)."""

    plan: SheetPlan
    serial: int
    temporary_id: str | None = None  # the pre-allocated temporary identifier of a packet


@dataclass(frozen=True)
class PatientPacket:
    dossier: Dossier
    sheets: list[RegisteredSheet]


@dataclass(frozen=True)
class WardPrint:
    """Everything one ward's PDF holds, in print order."""

    site: Site
    ward: Ward
    snapshot: Snapshot | None
    printed_at: datetime
    window_start: datetime  # the window the blank forms cover (the MAR prints it on every page)
    window_hours: float
    cover: RegisteredSheet | None  # None for a one-patient reprint, which has no ward cover
    patients: list[PatientPacket]
    admission_packets: list[list[RegisteredSheet]] = field(default_factory=list)
    language: str = "fr"
    drill: bool = False  # printed from a drill copy: every page says so
    test_print: bool = False  # registered nowhere: every page says so, its codes are refused


def planned_doses(content: dict[str, Any]) -> tuple[PlannedDose, ...]:
    """The doses a printed MAR sheet planned, from its registered content."""
    return tuple(
        PlannedDose(d.get("prescription_id"), d["drug"], d["dose"], d["route"],
                    clock.from_storage(d.get("planned_at")))
        for d in content.get("doses", ()))
