"""The registry of printed sheets: what was printed, for whom, and what became of each sheet.

Every sheet (form instance) gets a serial in the same transaction that records its template,
patient, stay, ward, page count, batch and snapshot, before its PDF is drawn; its page codes
derive from that serial. A batch interrupted half-way therefore leaves sheets that are registered
but not printed, never printed sheets that are unknown.

Reprints and cancellations are explicit and recorded. A reprint gives new serials and marks the
patient's earlier sheets of the same template, if not yet returned, as superseded by the new
one: scanning a superseded code is refused with the code of the sheet that replaced it, so that
two papers for the same purpose never both count. A cancelled sheet is refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reentry.barcodes import (
    code_problem,
    group_for_reading,
    normalise_typed_code,
    page_code,
    split_code,
    with_check_digit,
)
from reentry.i18n import Msg, msg


class PrintedTemplate(StrEnum):
    """The templates drawn by the print station itself rather than from a form in ``forms/``:
    read, never written on, so never typed back nor expected back. Any other template id is
    the id of a form definition."""

    WARD_COVER = "ward_cover"
    DOSSIER = "dossier"


# The same, as plain values: ``template_id in NOT_FORMS`` (also a bind list for SQL).
NOT_FORMS = tuple(template.value for template in PrintedTemplate)


class SheetStatus(StrEnum):
    REGISTERED = "registered"  # serial allocated; PDF not written yet, or only pre-rendered
    PRINTED = "printed"  # PDF written for paper (and sent to a printer, when one was chosen)
    SUPERSEDED = "superseded"  # replaced by a reprint before it came back
    CANCELLED = "cancelled"  # withdrawn explicitly, with a reason


class BatchKind(StrEnum):
    PRINT = "print"  # printed at the print station, on paper
    PREPARED = "prepared"  # rendered ahead into a ward PC's folder for an unplanned outage


class BatchStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class PrintBatch:
    id: int
    created_at: datetime
    operator: str | None
    snapshot_id: int | None
    wards: tuple[str, ...]
    window_start: datetime
    window_hours: float
    language: str
    status: BatchStatus
    closed_at: datetime | None = None
    kind: BatchKind = BatchKind.PRINT


@dataclass(frozen=True)
class FormInstance:
    serial: int
    template_id: str
    template_version: int
    page_count: int
    batch_id: int
    ward_code: str
    status: SheetStatus
    created_at: datetime
    patient_id: int | None = None
    stay_id: int | None = None
    ipp: str | None = None
    nda: str | None = None
    temporary_id: str | None = None
    superseded_by: int | None = None
    snapshot_id: int | None = None

    def code(self, page: int = 1) -> str:
        return page_code(self.serial, page)


@dataclass(frozen=True)
class CodeResolution:
    """What a scanned or typed code designates, or why it designates nothing usable."""

    code: str
    instance: FormInstance | None = None
    page: int | None = None
    problem: Msg | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def temporary_identifier(sequence: int) -> str:
    """A temporary patient identifier: « 9 », 7 digits, a Damm check digit (9 digits)."""
    return with_check_digit(f"9{sequence:07d}")


def resolve_code(store: object, text: str) -> CodeResolution:
    """Check digit first, then the registry: unknown, page out of range, superseded, cancelled."""
    code = normalise_typed_code(text)
    problem = code_problem(code)
    if problem is not None:
        return CodeResolution(code, problem=problem)
    parts = split_code(code)
    instance = store.form_instance(parts.serial)  # type: ignore[attr-defined]
    if instance is None:
        return CodeResolution(code, problem=msg("registry.unknown_code",
                                                code=group_for_reading(code)))
    if parts.page > instance.page_count:
        return CodeResolution(code, instance, parts.page, msg(
            "registry.page_out_of_range", page=parts.page, pages=instance.page_count))
    if instance.status is SheetStatus.SUPERSEDED:
        replacement = (group_for_reading(page_code(instance.superseded_by, min(
            parts.page, 99))) if instance.superseded_by else "?")
        return CodeResolution(code, instance, parts.page, msg(
            "registry.superseded", replacement=replacement))
    if instance.status is SheetStatus.CANCELLED:
        return CodeResolution(code, instance, parts.page, msg("registry.cancelled"))
    return CodeResolution(code, instance, parts.page)
