"""What a scanned stack becomes: files, pages attached to sheets, pages waiting for a person.

A page is attached to one (serial, page) of the registry, either by the code read on it or by
the digits a person typed; a page that cannot be attached safely waits in the manual queue with
the reason, and its image is kept either way: a scanned page is never thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from reentry.i18n import Msg


class PageStatus(StrEnum):
    IDENTIFIED = "identified"  # attached to a (serial, page)
    QUEUED = "queued"  # waits for a person in the manual queue
    SET_ASIDE = "set_aside"  # not a sheet (blank page, cover), with the reason


class IdentifiedBy(StrEnum):
    BARCODE = "barcode"  # a code read on the page by the decoder
    TYPED = "typed"  # the code typed by a person looking at the page


class QueueReason(StrEnum):
    """Why a page was not attached automatically; each has a message ``scans.reason_<value>``."""

    NO_CODE = "no_code"  # no readable code anywhere on the page
    BLANK = "blank"  # no code and almost no ink: probably the back of a sheet or a separator
    UNKNOWN_CODE = "unknown_code"  # a well-formed code the registry does not know
    SUPERSEDED = "superseded"  # the code of a sheet replaced by a reprint
    CANCELLED = "cancelled"  # the code of a cancelled sheet
    PAGE_OUT_OF_RANGE = "page_out_of_range"  # a page number the sheet does not have
    CONFLICTING_CODES = "conflicting_codes"  # several different sheet codes on one page


@dataclass(frozen=True)
class ScanPage:
    """One scanned image attached to a page of a sheet."""

    id: int
    serial: int
    page: int
    file_name: str
    file_sha256: str
    page_index: int  # 0-based position of the page in its scan file
    identified_by: IdentifiedBy
    identified_user: str  # who imported it (barcode) or who typed its code
    identified_at: datetime
    imported_at: datetime
    rotation: int  # quarter turn applied to make the image upright: 0, 90, 180 or 270 degrees
    skew: float  # residual tilt measured on the codes, in degrees (the image is not resampled)
    width: int
    height: int
    dpi: int
    rescan: bool  # another image of the same sheet page was attached before this one
    current: bool  # the image the screens show for this page: the most recently imported


@dataclass(frozen=True)
class QueuedPage:
    """A scanned page waiting for a person to type its code or to set it aside."""

    id: int
    file_name: str
    file_sha256: str
    page_index: int
    reason: QueueReason
    message: Msg  # the reason, said for a person (which code was read, what replaced it)
    code_read: str | None  # the code found on the page, when one was found but refused
    imported_at: datetime
    imported_by: str
    width: int
    height: int


@dataclass(frozen=True)
class ScanFileInfo:
    id: int
    sha256: str
    name: str
    kind: str
    page_count: int
    imported_by: str
    started_at: datetime
    completed_at: datetime | None  # None: interrupted; importing the file again completes it


@dataclass(frozen=True)
class AttachedPage:
    """What storing one page changed, for the import counts."""

    page_id: int
    rescan: bool  # the sheet page already had an image
    newly_returned: bool  # this page marked its sheet returned for the first time


@dataclass
class FileOutcome:
    """What happened to one scan file."""

    name: str
    sha256: str
    page_count: int
    already_imported: bool = False
    completed: bool = False
    pages: int = 0  # pages stored by this run
    identified: int = 0
    queued: int = 0
    rescans: int = 0
    pages_stored_before: int = 0  # pages an interrupted earlier run had already stored
    messages: list[Msg] = field(default_factory=list)


@dataclass
class ScanImportResult:
    """Counts over every file of one import, and what to tell the person per file."""

    files: int = 0
    files_already_imported: int = 0
    pages: int = 0
    identified: int = 0
    queued: int = 0
    rescans: int = 0
    sheets_returned: int = 0  # sheets marked returned for the first time by this import
    serials: set[int] = field(default_factory=set)  # sheets that received a page image
    outcomes: list[FileOutcome] = field(default_factory=list)
    # Seconds summed over pages (workers run in parallel): rasterise, decode, encode, store.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def messages(self) -> list[tuple[str, Msg]]:
        """Per-file messages, each with the file name it is about."""
        return [(o.name, m) for o in self.outcomes for m in o.messages]
