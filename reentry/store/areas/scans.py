"""Scanned files and pages, the manual queue, page images."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.entry import User
    from reentry.domain.scans import (
        AttachedPage,
        PageStatus,
        QueuedPage,
        QueueReason,
        ScanFileInfo,
        ScanPage,
    )
    from reentry.i18n import Msg


class ScanStore(UnitOfWork, Protocol):
    """Scanned files and pages, the manual queue, page images."""

    def scan_file_by_sha256(self, sha256: str) -> ScanFileInfo | None: ...
    def scan_files(self) -> list[ScanFileInfo]: ...
    def start_scan_file(
        self, sha256: str, name: str, kind: str, page_count: int, user: User
    ) -> int:
        """The file's id; a file whose earlier import was interrupted keeps its id and
        pages."""
        ...

    def stored_page_indices(self, file_id: int) -> set[int]: ...
    def complete_scan_file(self, file_id: int, user: User, counts: dict[str, int]) -> None:
        """Every page is stored: importing the same bytes again will change nothing."""
        ...

    def store_scan_page(
        self,
        file_id: int,
        page_index: int,
        *,
        image: bytes,
        image_format: str,
        width: int,
        height: int,
        dpi: int,
        rotation: int,
        skew: float,
        user: User,
        serial: int | None = None,
        page: int | None = None,
        code_read: str | None = None,
        reason: QueueReason | None = None,
        message: Msg | None = None,
    ) -> AttachedPage | None:
        """One scanned page, its image and (when attached) its sheet marked returned,
        together: after a crash the page is either wholly there or not at all. None when
        that page of that file is already stored (two PCs importing the same file at
        once)."""
        ...

    def attach_queued_page(
        self, page_id: int, serial: int, page: int, user: User, code: str
    ) -> AttachedPage:
        """A queued page given its sheet by a person; refused if someone else did it
        first."""
        ...

    def set_aside_scan_page(self, page_id: int, reason: str, user: User) -> None: ...
    def scan_page_image(self, serial: int, page: int) -> bytes | None:
        """The image the screens show for a sheet page: the most recently imported scan."""
        ...

    def scan_pages(self, serial: int) -> list[ScanPage]:
        """Every image attached to the sheet, by page, the one shown first."""
        ...

    def manual_queue(self) -> list[QueuedPage]: ...
    def queued_page_image(self, page_id: int) -> bytes:
        """The image of any scanned page (queued, attached or set aside) by its id."""
        ...

    def scan_page_status(self, page_id: int) -> PageStatus | None: ...
    def scan_counts(self) -> dict[str, int]:
        """Pages by status, for a summary line (no image is read)."""
        ...
