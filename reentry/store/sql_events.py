"""Outage events: start, end, wards and systems, who declared them; sheet accounting.

The rules that must hold whoever writes at the same time are checked inside the write
transaction: one ongoing event at a time, no sheet declared lost once entered, no event closed
while a sheet is unaccounted for and not covered by a signed exception.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.events import (
    EventKind,
    EventStatus,
    OutageEvent,
    SheetToDeclare,
    SignedException,
)
from reentry.domain.sheet_state import UNACCOUNTED, SheetState, sheet_state
from reentry.errors import DatabaseError
from reentry.registry import SheetStatus
from reentry.store.database import POSTGRESQL, SqlConnection
from reentry.store.sql_entry import _audit
from reentry.store.sql_sheets import sheet_fact_rows

_CHUNK = 500  # serials per IN (...) list, well under either engine's parameter limit

_EVENT_SELECT = """
    SELECT o.*, d.username AS declared_name, e.username AS ended_name,
           c.username AS closed_name, x.username AS signer_name
    FROM outage_events o
    JOIN users d ON d.id = o.declared_by
    LEFT JOIN users e ON e.id = o.ended_by
    LEFT JOIN users c ON c.id = o.closed_by
    LEFT JOIN users x ON x.id = o.exception_signed_by
"""


class EventQueries:
    """Mixed into ``SqlStore``; relies on its ``sql``, ``_transaction``, ``_errors`` and
    ``_rows``. Reads and writes only: whether an event may end or close is decided by
    ``reentry.events.service`` in one unit of work."""

    sql: SqlConnection
    _transaction: Any
    _errors: Any
    _rows: Any

    # -- the event itself -----------------------------------------------------------------------

    def insert_outage_event(self, *, kind: EventKind, title: str, planned: bool,
                            started_at: datetime, wards: Sequence[str] | None,
                            systems: Sequence[str], user: User) -> tuple[OutageEvent, list[int]]:
        """Record the event; an unplanned one adopts the latest prepared set of each affected
        ward (see docs/events.md). Returns the event and the batches adopted."""
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO outage_events (kind, title, planned, started_at, wards, systems,"
                " declared_by, declared_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ongoing')",
                (kind.value, title, int(planned), clock.to_storage(started_at),
                 json.dumps(list(wards), ensure_ascii=False) if wards is not None else None,
                 json.dumps(list(systems), ensure_ascii=False), user.id, now))
            event_id = new_id
            adopted = [] if planned else _adopt_prepared(conn, event_id, wards)
            _audit(conn, user.id, "event_declared", "event", event_id, {
                "kind": kind.value, "title": title, "planned": planned,
                "started_at": clock.to_storage(started_at),
                "wards": list(wards) if wards is not None else "all",
                "systems": list(systems), "adopted_batches": adopted})
        event = self.outage_event(event_id)
        assert event is not None
        return event, adopted

    def outage_event(self, event_id: int) -> OutageEvent | None:
        rows = self._rows(_EVENT_SELECT + " WHERE o.id = ?", [event_id])
        return _event(rows[0]) if rows else None

    def outage_events(self) -> list[OutageEvent]:
        """Newest first."""
        return [_event(r) for r in self._rows(_EVENT_SELECT + " ORDER BY o.id DESC")]

    def ongoing_event(self) -> OutageEvent | None:
        rows = self._rows(_EVENT_SELECT + " WHERE o.status = 'ongoing'")
        return _event(rows[0]) if rows else None

    def end_outage_event(self, event_id: int, user: User, ended_at: datetime) -> OutageEvent:
        with self._transaction() as conn:
            conn.execute("UPDATE outage_events SET status = 'ended', ended_at = ?, ended_by = ?"
                         " WHERE id = ?", (clock.to_storage(ended_at), user.id, event_id))
            _audit(conn, user.id, "event_ended", "event", event_id,
                   {"ended_at": clock.to_storage(ended_at)})
        event = self.outage_event(event_id)
        assert event is not None
        return event

    def unaccounted_sheets(self, event_id: int) -> dict[int, str]:
        """Serial → ward of every sheet of the event still owed (``UNACCOUNTED`` states)."""
        with self._errors():
            return {r["serial"]: r["ward_code"] for r in sheet_fact_rows(self.sql, event_id)
                    if sheet_state(r["facts"]) in UNACCOUNTED}

    def record_event_exception(self, event_id: int, signer: User, reason: str,
                               signed_at: datetime, sheets: Mapping[int, str]) -> None:
        """The signer's exception for ``sheets`` (serial → ward), replacing any earlier one."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE outage_events SET exception_signed_by = ?, exception_signed_at = ?,"
                " exception_reason = ?, exception_sheets = ? WHERE id = ?",
                (signer.id, clock.to_storage(signed_at), reason, json.dumps(sorted(sheets)),
                 event_id))
            _audit(conn, signer.id, "event_exception_signed", "event", event_id, {
                "reason": reason, "sheets": sorted(sheets),
                "by_ward": dict(sorted(Counter(sheets.values()).items()))})

    def close_outage_event(self, event_id: int, user: User, unaccounted: int) -> OutageEvent:
        """Close the event; ``unaccounted`` sheets (covered by its exception) are noted."""
        with self._transaction() as conn:
            conn.execute("UPDATE outage_events SET status = 'closed', closed_by = ?,"
                         " closed_at = ? WHERE id = ?",
                         (user.id, clock.to_storage(clock.now()), event_id))
            _audit(conn, user.id, "event_closed", "event", event_id,
                   {"unaccounted": unaccounted, "with_exception": bool(unaccounted)})
        event = self.outage_event(event_id)
        assert event is not None
        return event

    # -- what belongs to an event ---------------------------------------------------------------

    def event_of_serial(self, serial: int) -> int | None:
        rows = self._rows("SELECT b.event_id FROM form_instances f"
                          " JOIN print_batches b ON b.id = f.batch_id WHERE f.serial = ?", [serial])
        return rows[0]["event_id"] if rows else None

    def event_of_batch(self, batch_id: int) -> int | None:
        rows = self._rows("SELECT event_id FROM print_batches WHERE id = ?", [batch_id])
        return rows[0]["event_id"] if rows else None

    def event_batch_ids(self, event_id: int) -> list[int]:
        return [r["id"] for r in self._rows(
            "SELECT id FROM print_batches WHERE event_id = ? ORDER BY id", [event_id])]

    # -- declaring sheets -----------------------------------------------------------------------

    def sheets_to_declare(self, serials: Sequence[int]) -> dict[int, SheetToDeclare]:
        """What the registry and the events say of each of ``serials`` (absent: unknown)."""
        found: dict[int, SheetToDeclare] = {}
        unique = list(dict.fromkeys(serials))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for r in self._rows(
                    "SELECT f.serial, f.status, f.template_id, o.status AS event_status,"
                    " EXISTS (SELECT 1 FROM sheet_events s WHERE s.serial = f.serial"
                    "         AND s.action = 'entered') AS entered"
                    " FROM form_instances f JOIN print_batches b ON b.id = f.batch_id"
                    " LEFT JOIN outage_events o ON o.id = b.event_id"
                    f" WHERE f.serial IN ({marks})", chunk):
                found[r["serial"]] = SheetToDeclare(
                    SheetStatus(r["status"]), r["template_id"],
                    EventStatus(r["event_status"]) if r["event_status"] else None,
                    bool(r["entered"]))
        return found

    def declare_sheet_outcomes(self, serials: Sequence[int], outcome: SheetState,
                               reason: str, user: User) -> int:
        """Record ``outcome`` for every sheet, with the reason and who says so (audited)."""
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO sheet_events (serial, at, action, \"user\", reason)"
                " VALUES (?, ?, ?, ?, ?)",
                [(serial, now, outcome.value, user.username, reason) for serial in serials])
            for serial in serials:
                _audit(conn, user.id, f"sheet_declared_{outcome.value}", "sheet", serial,
                       {"reason": reason})
        return len(serials)

    # -- facts about the database itself --------------------------------------------------------

    def reserve_serial_ranges(self, first_serial: int, first_temporary: int) -> None:
        """From now on, new sheets and temporary identities are numbered from these values
        (a drill copy's, so that its papers can never be taken for the real database's)."""
        with self._transaction() as conn:
            for table, first in (("form_instances", first_serial),
                                 ("temporary_identities", first_temporary)):
                if conn.dialect == POSTGRESQL:  # the next value of the identity's sequence
                    key = "serial" if table == "form_instances" else "id"
                    conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'),"
                                 f" GREATEST(?, (SELECT coalesce(max({key}), 0) FROM {table})))",
                                 (first - 1,))
                    continue
                row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                   (table,)).fetchone()
                if row is None:
                    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                 (table, first - 1))
                elif row[0] < first - 1:
                    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                                 (first - 1, table))

    def store_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM store_meta WHERE key = ?", [key])
        return rows[0]["value"] if rows else None

    def set_store_meta(self, key: str, value: str, user: User | None = None) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT INTO store_meta (key, value) VALUES (?, ?)"
                         " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
            _audit(conn, user.id if user else None, "store_meta_set", "store", None,
                   {"key": key, "value": value})


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup through a read-only connection: consistent while another process
    has ``source`` open (committed work still in its WAL included), and ``source`` is never
    written, not even by a checkpoint."""
    uri = f"file:{quote(str(source.resolve()))}?mode=ro"
    try:
        reader = sqlite3.connect(uri, uri=True, timeout=5.0)
        try:
            writer = sqlite3.connect(str(target))
            try:
                reader.backup(writer)
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise DatabaseError(path=str(source), detail=str(error)) from error


def ongoing_event_id(conn: SqlConnection) -> int | None:
    """The event a print batch opened now belongs to (inside the caller's transaction)."""
    row = conn.execute("SELECT id FROM outage_events WHERE status = 'ongoing'").fetchone()
    return int(row[0]) if row else None


def _adopt_prepared(conn: SqlConnection, event_id: int,
                    wards: Sequence[str] | None) -> list[int]:
    """The newest complete prepared set holding each affected ward is what that ward's PC has."""
    latest: dict[str, int] = {}
    for batch_id, ward in conn.execute(
            "SELECT b.id, j.value FROM print_batches b, json_each(b.wards) j"
            " WHERE b.kind = 'prepared' AND b.status = 'complete' ORDER BY b.id DESC"):
        latest.setdefault(ward, batch_id)
    chosen = sorted({batch for ward, batch in latest.items() if wards is None or ward in wards})
    adopted = []
    for batch_id in chosen:
        cursor = conn.execute("UPDATE print_batches SET event_id = ? WHERE id = ?"
                              " AND event_id IS NULL", (event_id, batch_id))
        if cursor.rowcount:
            adopted.append(batch_id)
    return adopted


def _event(r: dict[str, Any]) -> OutageEvent:
    exception = None
    if r["exception_signed_by"] is not None:
        exception = SignedException(
            r["signer_name"], clock.from_storage(r["exception_signed_at"]),  # type: ignore[arg-type]
            r["exception_reason"] or "", tuple(json.loads(r["exception_sheets"] or "[]")))
    return OutageEvent(
        id=r["id"], kind=EventKind(r["kind"]), title=r["title"], planned=bool(r["planned"]),
        started_at=clock.from_storage(r["started_at"]),  # type: ignore[arg-type]
        wards=tuple(json.loads(r["wards"])) if r["wards"] is not None else None,
        systems=tuple(json.loads(r["systems"])), declared_by=r["declared_name"],
        declared_at=clock.from_storage(r["declared_at"]),  # type: ignore[arg-type]
        status=EventStatus(r["status"]), ended_at=clock.from_storage(r["ended_at"]),
        ended_by=r["ended_name"], closed_by=r["closed_name"],
        closed_at=clock.from_storage(r["closed_at"]), exception=exception)
