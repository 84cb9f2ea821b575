"""What re-entry works with: users, the sheet a scan opened, rows typed from paper, items.

An ``Entry`` is one row of a paper form as typed (values by field id, in the form's own
canonical text: "37.5", "14:05", "given"). It keeps the event time written on the paper, the
entry time, who wrote the paper and who typed it; every entry is a late entry and is never
backdated. A correction is a new entry that replaces the old one, which stays visible.
``Item``s are what an entry means for the SIH (one per observation, administration, note or
movement): they feed the export and the reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from reentry.domain.sheet_plan import PlannedDose
from reentry.formdefs_model import FormDefinition
from reentry.i18n import Msg
from reentry.model import Patient, Site, Stay, Ward
from reentry.registry import FormInstance


class Role(StrEnum):
    NURSE = "nurse"
    WARD_MANAGER = "ward_manager"
    QUALITY = "quality"
    IDENTITY_VIGILANCE = "identity_vigilance"  # the cell that decides who a patient is
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role


class EntryStatus(StrEnum):
    ACTIVE = "active"
    CORRECTED = "corrected"  # replaced by a later entry; kept and shown


@dataclass(frozen=True)
class Entry:
    id: int
    serial: int
    page: int
    section_id: str
    row_index: int
    values: dict[str, str]
    event_time: datetime
    author: str  # who wrote the paper, as written (initials or name)
    entered_by: str  # the signed-in user who typed it
    entered_at: datetime
    status: EntryStatus = EntryStatus.ACTIVE
    corrects: int | None = None  # the entry this one replaces
    reason: str | None = None  # why it was corrected
    warnings_confirmed: tuple[str, ...] = ()  # fields whose implausible value was confirmed
    sheet_values: dict[str, str] = field(default_factory=dict)  # the sheet's date, as typed


@dataclass(frozen=True)
class Draft:
    """An unfinished sheet, kept as typed, offered back after a restart."""

    serial: int
    page: int
    username: str
    rows: dict[str, dict[str, str]]  # "section:row" → field id → raw text
    updated_at: datetime


@dataclass(frozen=True)
class SheetContext:
    """Everything the entry screen needs once a code has been scanned."""

    instance: FormInstance
    page: int
    form: FormDefinition
    patient: Patient | None
    stay: Stay | None
    ward: Ward | None
    site: Site | None
    temporary_id: str | None
    planned_doses: tuple[PlannedDose, ...]  # the MAR's pre-printed lines, in paper order
    entries: list[Entry]  # active entries of the whole sheet
    draft: Draft | None
    identity_confirmed: bool  # by this user, for this patient, already


@dataclass(frozen=True)
class RecordRow:
    """Command: one row typed from paper, to store at once (one transaction)."""

    serial: int
    page: int
    section_id: str
    row_index: int
    values: dict[str, str]  # raw text as typed, by field id (the row's fields)
    sheet_values: dict[str, str]  # the non-repeated fields of the sheet (its date)
    user: User
    confirmed_warnings: frozenset[str] = frozenset()  # fields whose warning was confirmed
    corrects: int | None = None  # when correcting: the entry replaced
    reason: str | None = None  # required with ``corrects``


@dataclass(frozen=True)
class RowProblems:
    errors: dict[str, Msg] = field(default_factory=dict)  # field id → why refused
    warnings: dict[str, Msg] = field(default_factory=dict)  # field id → needs confirmation

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings


class ItemKind(StrEnum):
    """What an item is, for the export, the item CSV and the reconciliation (one list)."""

    VITAL_SIGN = "vital_sign"
    MEDICATION_ADMINISTRATION = "medication_administration"
    NURSING_NOTE = "nursing_note"
    MOVEMENT = "movement"  # a transfer or discharge written on the transfer/discharge form


@dataclass(frozen=True)
class Item:
    """One thing re-entered from paper, as the SIH would hold it (export and reconciliation)."""

    id: int
    entry_id: int
    serial: int
    kind: ItemKind
    # LOINC for vital signs, the drug as written for administrations, "" for notes, the
    # movement type (``transfer`` / ``discharge``) for movements
    code: str
    effective_time: datetime
    author: str
    entered_by: str
    entered_at: datetime
    patient_id: int | None = None
    ipp: str | None = None
    nda: str | None = None
    temporary_id: str | None = None
    label: str = ""
    value: float | None = None
    value_text: str | None = None  # a coded answer (AVPU), or a movement's destination
    unit: str | None = None
    route: str | None = None
    status: str = "completed"  # administrations: completed / not-done (refused or not given)
    status_reason: str | None = None
    text: str | None = None  # notes; a movement's comments
