"""Scanned stacks: files, pages, page images and the manual identification queue."""

from __future__ import annotations

import json
from typing import Any

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.scans import (
    AttachedPage,
    IdentifiedBy,
    PageStatus,
    QueuedPage,
    QueueReason,
    ScanFileInfo,
    ScanPage,
)
from reentry.errors import NotFound, UserError
from reentry.i18n import Msg, msg
from reentry.store.database import SqlConnection
from reentry.store.sql_entry import _audit, _time, insert_returned

_PAGE_COLUMNS = """
    p.id, p.file_id, p.page_index, p.status, p.serial, p.page, p.identified_by,
    p.identified_at, p.rescan, p.code_read, p.queue_reason, p.queue_message, p.queue_params,
    p.rotation, p.skew, p.width, p.height, p.dpi, p.imported_at,
    f.name AS file_name, f.sha256 AS file_sha256,
    iu.username AS identified_username, mu.username AS imported_username
"""
_PAGE_JOINS = """
    FROM scan_pages p
    JOIN scan_files f ON f.id = p.file_id
    JOIN users mu ON mu.id = p.imported_by
    LEFT JOIN users iu ON iu.id = p.identified_user
"""


class ScanQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any

    # -- files ----------------------------------------------------------------------------------

    def scan_file_by_sha256(self, sha256: str) -> ScanFileInfo | None:
        rows = self._rows("SELECT f.*, u.username FROM scan_files f"
                          " JOIN users u ON u.id = f.imported_by WHERE f.sha256 = ?", [sha256])
        return _file(rows[0]) if rows else None

    def scan_files(self) -> list[ScanFileInfo]:
        rows = self._rows("SELECT f.*, u.username FROM scan_files f"
                          " JOIN users u ON u.id = f.imported_by ORDER BY f.id")
        return [_file(r) for r in rows]

    def start_scan_file(self, sha256: str, name: str, kind: str, page_count: int,
                        user: User) -> int:
        """The file's id; a file whose earlier import was interrupted keeps its id and pages."""
        with self._transaction() as conn:
            row = conn.execute("SELECT id FROM scan_files WHERE sha256 = ?", (sha256,)).fetchone()
            if row:
                return int(row[0])
            new_id = conn.insert(
                "INSERT INTO scan_files (sha256, name, kind, page_count, imported_by, started_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sha256, name, kind, page_count, user.id, clock.to_storage(clock.now())))
            return new_id

    def stored_page_indices(self, file_id: int) -> set[int]:
        rows = self._rows("SELECT page_index FROM scan_pages WHERE file_id = ?", [file_id])
        return {r["page_index"] for r in rows}

    def complete_scan_file(self, file_id: int, user: User, counts: dict[str, int]) -> None:
        """Every page is stored: importing the same bytes again will change nothing."""
        with self._transaction() as conn:
            conn.execute("UPDATE scan_files SET completed_at = ? WHERE id = ?",
                         (clock.to_storage(clock.now()), file_id))
            _audit(conn, user.id, "scan_file_imported", "scan_file", file_id, counts)

    # -- pages ----------------------------------------------------------------------------------

    def store_scan_page(self, file_id: int, page_index: int, *, image: bytes, image_format: str,
                        width: int, height: int, dpi: int, rotation: int, skew: float,
                        user: User, serial: int | None = None, page: int | None = None,
                        code_read: str | None = None, reason: QueueReason | None = None,
                        message: Msg | None = None) -> AttachedPage | None:
        """One scanned page, its image and (when attached) its sheet marked returned, together:
        after a crash the page is either wholly there or not at all. None when that page of
        that file is already stored (two PCs importing the same file at once)."""
        now = clock.to_storage(clock.now())
        attached = serial is not None and page is not None
        with self._transaction() as conn:
            rescan = attached and _has_image(conn, serial, page)  # type: ignore[arg-type]
            inserted = conn.execute(
                "INSERT INTO scan_pages (file_id, page_index, status, serial, page, identified_by,"
                " identified_user, identified_at, rescan, code_read, queue_reason, queue_message,"
                " queue_params, rotation, skew, width, height, dpi, imported_by, imported_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (file_id, page_index) DO NOTHING RETURNING id",
                (file_id, page_index,
                 PageStatus.IDENTIFIED.value if attached else PageStatus.QUEUED.value,
                 serial, page, IdentifiedBy.BARCODE.value if attached else None,
                 user.id if attached else None, now if attached else None, int(rescan),
                 code_read, reason.value if reason else None, message.id if message else None,
                 json.dumps(message.params if message else {}, ensure_ascii=False),
                 rotation, skew, width, height, dpi, user.id, now))
            row = inserted.fetchone()
            if row is None:  # that page of that file is already stored
                return None
            page_id = int(row[0])
            conn.execute("INSERT INTO scan_images (page_id, format, data) VALUES (?, ?, ?)",
                         (page_id, image_format, image))
            returned = attached and insert_returned(conn, serial, user, now)  # type: ignore[arg-type]
        return AttachedPage(page_id, rescan, returned)

    def attach_queued_page(self, page_id: int, serial: int, page: int, user: User,
                           code: str) -> AttachedPage:
        """A queued page given its sheet by a person; refused if someone else did it first."""
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            rescan = _has_image(conn, serial, page)
            cursor = conn.execute(
                "UPDATE scan_pages SET status = 'identified', serial = ?, page = ?,"
                " identified_by = 'typed', identified_user = ?, identified_at = ?, rescan = ?"
                " WHERE id = ? AND status = 'queued'",
                (serial, page, user.id, now, int(rescan), page_id))
            if cursor.rowcount != 1:
                raise _not_queued(conn, page_id)
            returned = insert_returned(conn, serial, user, now)
            _audit(conn, user.id, "scan_page_identified", "scan_page", page_id,
                   {"serial": serial, "page": page, "code": code, "rescan": rescan})
        return AttachedPage(page_id, rescan, returned)

    def set_aside_scan_page(self, page_id: int, reason: str, user: User) -> None:
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE scan_pages SET status = 'set_aside', set_aside_reason = ?,"
                " identified_user = ?, identified_at = ? WHERE id = ? AND status = 'queued'",
                (reason, user.id, clock.to_storage(clock.now()), page_id))
            if cursor.rowcount != 1:
                raise _not_queued(conn, page_id)
            _audit(conn, user.id, "scan_page_set_aside", "scan_page", page_id, {"reason": reason})

    # -- reading --------------------------------------------------------------------------------

    def scan_page_image(self, serial: int, page: int) -> bytes | None:
        """The image the screens show for a sheet page: the most recently imported scan."""
        rows = self._rows(
            "SELECT i.data FROM scan_pages p JOIN scan_images i ON i.page_id = p.id"
            " WHERE p.serial = ? AND p.page = ? AND p.status = 'identified'"
            " ORDER BY p.id DESC LIMIT 1", [serial, page])
        return bytes(rows[0]["data"]) if rows else None

    def scan_pages(self, serial: int) -> list[ScanPage]:
        """Every image attached to the sheet, by page, the one shown first."""
        rows = self._rows(f"SELECT {_PAGE_COLUMNS} {_PAGE_JOINS}"
                          " WHERE p.serial = ? AND p.status = 'identified'"
                          " ORDER BY p.page, p.id DESC", [serial])
        pages: list[ScanPage] = []
        shown: set[int] = set()
        for r in rows:
            pages.append(_scan_page(r, current=r["page"] not in shown))
            shown.add(r["page"])
        return pages

    def manual_queue(self) -> list[QueuedPage]:
        rows = self._rows(f"SELECT {_PAGE_COLUMNS} {_PAGE_JOINS} WHERE p.status = 'queued'"
                          " ORDER BY p.id")
        return [_queued(r) for r in rows]

    def queued_page_image(self, page_id: int) -> bytes:
        """The image of any scanned page (queued, attached or set aside) by its id."""
        rows = self._rows("SELECT data FROM scan_images WHERE page_id = ?", [page_id])
        if not rows:
            raise NotFound(what=msg("scans.page"), key=page_id)
        return bytes(rows[0]["data"])

    def scan_page_status(self, page_id: int) -> PageStatus | None:
        rows = self._rows("SELECT status FROM scan_pages WHERE id = ?", [page_id])
        return PageStatus(rows[0]["status"]) if rows else None

    def scan_counts(self) -> dict[str, int]:
        """Pages by status, for a summary line (no image is read)."""
        counts = {s.value: 0 for s in PageStatus}
        for r in self._rows("SELECT status, count(*) AS n FROM scan_pages GROUP BY status"):
            counts[r["status"]] = r["n"]
        return counts


def _has_image(conn: SqlConnection, serial: int, page: int) -> bool:
    return conn.execute("SELECT 1 FROM scan_pages WHERE serial = ? AND page = ?"
                        " AND status = 'identified' LIMIT 1", (serial, page)).fetchone() is not None


def _not_queued(conn: SqlConnection, page_id: int) -> UserError:
    row = conn.execute("SELECT status FROM scan_pages WHERE id = ?", (page_id,)).fetchone()
    if row is None:
        return NotFound(what=msg("scans.page"), key=page_id)
    return UserError("scans.page_not_queued", page=page_id,
                     status=msg(f"scans.status_{row[0]}"))


def _file(r: dict[str, Any]) -> ScanFileInfo:
    return ScanFileInfo(r["id"], r["sha256"], r["name"], r["kind"], r["page_count"],
                        r["username"], _time(r["started_at"]),
                        clock.from_storage(r["completed_at"]))


def _scan_page(r: dict[str, Any], current: bool) -> ScanPage:
    return ScanPage(
        id=r["id"], serial=r["serial"], page=r["page"], file_name=r["file_name"],
        file_sha256=r["file_sha256"], page_index=r["page_index"],
        identified_by=IdentifiedBy(r["identified_by"]),
        identified_user=r["identified_username"] or "", identified_at=_time(r["identified_at"]),
        imported_at=_time(r["imported_at"]), rotation=r["rotation"], skew=r["skew"],
        width=r["width"], height=r["height"], dpi=r["dpi"], rescan=bool(r["rescan"]),
        current=current)


def _queued(r: dict[str, Any]) -> QueuedPage:
    reason = QueueReason(r["queue_reason"])
    message = Msg(r["queue_message"] or f"scans.reason_{reason.value}",
                  json.loads(r["queue_params"]))
    return QueuedPage(
        id=r["id"], file_name=r["file_name"], file_sha256=r["file_sha256"],
        page_index=r["page_index"], reason=reason, message=message, code_read=r["code_read"],
        imported_at=_time(r["imported_at"]), imported_by=r["imported_username"],
        width=r["width"], height=r["height"])
