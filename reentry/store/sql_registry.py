"""The print registry's SQL: batches, sheets (form instances), temporary identities, events."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reentry import clock
from reentry.domain.sheet_plan import RegisteredSheet, SheetPlan
from reentry.domain.sheet_state import SheetState
from reentry.registry import (
    BatchKind,
    BatchStatus,
    FormInstance,
    PrintBatch,
    SheetStatus,
    temporary_identifier,
)
from reentry.store.database import SqlConnection
from reentry.store.sql_events import ongoing_event_id

_INSTANCE_SELECT = """
    SELECT f.*, p.ipp, s.nda, t.code AS temporary_code
    FROM form_instances f
    LEFT JOIN patients p ON p.id = f.patient_id
    LEFT JOIN stays s ON s.id = f.stay_id
    LEFT JOIN temporary_identities t ON t.id = f.temporary_identity_id
"""


class RegistryQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any

    def open_batch(self, snapshot_id: int | None, wards: Sequence[str], window_start: datetime,
                   window_hours: float, language: str, operator: str | None,
                   kind: BatchKind = BatchKind.PRINT) -> PrintBatch:
        """A print batch belongs to the ongoing (or declared planned) outage event, if any; a
        prepared set belongs to none until an unplanned outage adopts it (docs/events.md)."""
        now = clock.now()
        with self._transaction() as conn:
            event_id = ongoing_event_id(conn) if kind is BatchKind.PRINT else None
            new_id = conn.insert(
                "INSERT INTO print_batches (created_at, operator, snapshot_id, wards,"
                " window_start, window_hours, language, kind, status, event_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (clock.to_storage(now), operator, snapshot_id, json.dumps(list(wards)),
                 clock.to_storage(window_start), window_hours, language, kind.value,
                 BatchStatus.OPEN.value, event_id))
        return PrintBatch(new_id, now, operator, snapshot_id, tuple(wards),
                          window_start, window_hours, language, BatchStatus.OPEN, kind=kind)

    def register_sheets(self, batch_id: int, plans: Sequence[SheetPlan], *,
                        supersede: bool = False, user: str | None = None
                        ) -> list[RegisteredSheet]:
        """Give each planned sheet its serial, in one transaction, before anything is drawn.

        Admission packets (plans sharing ``ward_code`` and ``admission_packet``) share one new
        temporary identity. With ``supersede``, the patient's earlier sheets of the same template
        that have not come back are marked as replaced by the new one.
        """
        now = clock.to_storage(clock.now())
        registered: list[RegisteredSheet] = []
        with self._transaction() as conn:
            snapshot = conn.execute("SELECT snapshot_id FROM print_batches WHERE id = ?",
                                    (batch_id,)).fetchone()
            snapshot_id = snapshot[0] if snapshot else None
            packets: dict[tuple[str, int], tuple[int, str]] = {}
            # Sheets are inserted _SHEETS_PER_STATEMENT at a time (a server pays a round trip
            # per statement: a 100k-sheet registry took minutes); a reprint that supersedes
            # goes a sheet at a time, its events in the order they happen.
            step = 1 if supersede else _SHEETS_PER_STATEMENT
            for start in range(0, len(plans), step):
                group = plans[start:start + step]
                temporaries: list[tuple[int, str] | None] = []
                for plan in group:
                    temporary = None
                    if plan.admission_packet is not None:
                        key = (plan.ward_code, plan.admission_packet)
                        if key not in packets:
                            packets[key] = _new_temporary_identity(conn, batch_id,
                                                                   plan.ward_code)
                        temporary = packets[key]
                    temporaries.append(temporary)
                serials = _insert_sheets(conn, [
                    (plan.template_id, plan.template_version, plan.page_count, batch_id,
                     snapshot_id, plan.ward_code, plan.patient_id, plan.stay_id,
                     temporary[0] if temporary else None, SheetStatus.REGISTERED.value,
                     _content(plan), now) for plan, temporary in zip(group, temporaries,
                                                                     strict=True)])
                conn.executemany("INSERT INTO sheet_events (serial, at, action, \"user\")"
                                 " VALUES (?, ?, ?, ?)",
                                 [(serial, now, "registered", user) for serial in serials])
                for plan, serial, temporary in zip(group, serials, temporaries, strict=True):
                    if supersede and plan.patient_id is not None:
                        _supersede_earlier(conn, plan, serial, now, user)
                    registered.append(RegisteredSheet(plan, serial,
                                                      temporary[1] if temporary else None))
        return registered

    def mark_printed(self, serials: Sequence[int], user: str | None = None) -> None:
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            for start in range(0, len(serials), _SERIALS_PER_STATEMENT):  # not one per sheet
                chunk = serials[start:start + _SERIALS_PER_STATEMENT]
                conn.execute("UPDATE form_instances SET status = 'printed'"
                             f" WHERE serial IN ({', '.join('?' for _ in chunk)})"
                             " AND status = 'registered'", chunk)
            conn.executemany("INSERT INTO sheet_events (serial, at, action, \"user\")"
                             " VALUES (?, ?, ?, ?)", [(s, now, "printed", user) for s in serials])

    def cancel_sheets(self, serials: Sequence[int], user: str | None, reason: str) -> int:
        """Withdraw sheets explicitly; returns how many were still usable and are now cancelled."""
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            changed = 0
            for serial in serials:
                cursor = conn.execute(
                    "UPDATE form_instances SET status = 'cancelled' WHERE serial = ?"
                    " AND status IN ('registered', 'printed')", (serial,))
                if cursor.rowcount:
                    changed += 1
                    conn.execute("INSERT INTO sheet_events (serial, at, action, \"user\", reason)"
                                 " VALUES (?, ?, 'cancelled', ?, ?)", (serial, now, user, reason))
        return changed

    def close_batch(self, batch_id: int, status: BatchStatus) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE print_batches SET status = ?, closed_at = ? WHERE id = ?",
                         (status.value, clock.to_storage(clock.now()), batch_id))

    def form_instance(self, serial: int) -> FormInstance | None:
        rows = self._rows(_INSTANCE_SELECT + " WHERE f.serial = ?", [serial])
        return _instance(rows[0]) if rows else None

    def batch_sheets(self, batch_id: int) -> list[FormInstance]:
        rows = self._rows(_INSTANCE_SELECT + " WHERE f.batch_id = ? ORDER BY f.serial",
                          [batch_id])
        return [_instance(r) for r in rows]

    def batches(self) -> list[PrintBatch]:
        return [_batch(r) for r in self._rows("SELECT * FROM print_batches ORDER BY id")]

    def sheet_events(self, serial: int) -> list[dict[str, Any]]:
        return list(self._rows('SELECT at, action, "user", reason FROM sheet_events'
                               " WHERE serial = ? ORDER BY id", [serial]))


_SHEETS_PER_STATEMENT = 250  # 12 parameters each: 3,000 per statement, well under the limits
_SHEET = "(" + ", ".join("?" * 12) + ")"
_SERIALS_PER_STATEMENT = 500


def _insert_sheets(conn: SqlConnection, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert these form instances in one statement; their serials, in the order of ``rows``
    (serials are given in the order the rows are inserted; ``RETURNING`` may list them in
    another, hence sorted)."""
    cursor = conn.execute(
        "INSERT INTO form_instances (template_id, template_version, page_count, batch_id,"
        " snapshot_id, ward_code, patient_id, stay_id, temporary_identity_id, status, content,"
        f" created_at) VALUES {', '.join(_SHEET for _ in rows)} RETURNING serial",
        [value for row in rows for value in row])
    return sorted(int(r[0]) for r in cursor.fetchall())


def _new_temporary_identity(conn: SqlConnection, batch_id: int, ward_code: str
                            ) -> tuple[int, str]:
    new_id = conn.insert("INSERT INTO temporary_identities (code, batch_id, ward_code)"
                          " VALUES ('', ?, ?)", (batch_id, ward_code))
    identity_id = new_id
    code = temporary_identifier(identity_id)
    conn.execute("UPDATE temporary_identities SET code = ? WHERE id = ?", (code, identity_id))
    return identity_id, code


def _supersede_earlier(conn: SqlConnection, plan: SheetPlan, serial: int, now: str,
                       user: str | None) -> None:
    earlier = [row[0] for row in conn.execute(
        "SELECT serial FROM form_instances f WHERE patient_id = ? AND template_id = ?"
        " AND serial < ? AND status IN ('registered', 'printed')"
        # a sheet already back (scanned, typed) is kept: what is written on it counts
        " AND NOT EXISTS (SELECT 1 FROM sheet_events e WHERE e.serial = f.serial"
        " AND e.action IN (?, ?, ?))",
        (plan.patient_id, plan.template_id, serial, SheetState.RETURNED.value,
         SheetState.ENTERED.value, SheetState.VERIFIED.value))]
    for old in earlier:
        conn.execute("UPDATE form_instances SET status = 'superseded', superseded_by = ?"
                     " WHERE serial = ?", (serial, old))
        conn.execute("INSERT INTO sheet_events (serial, at, action, \"user\", reason)"
                     " VALUES (?, ?, 'superseded', ?, ?)", (old, now, user, f"reprint {serial}"))


def _content(plan: SheetPlan) -> str:
    content: dict[str, Any] = {}
    if plan.doses:
        content["doses"] = [
            {"prescription_id": d.prescription_id, "drug": d.drug, "dose": d.dose,
             "route": d.route,
             "planned_at": clock.to_storage(d.planned_at) if d.planned_at else None}
            for d in plan.doses]
    if plan.reserved_top:
        content["reserved_top"] = plan.reserved_top
    return json.dumps(content, ensure_ascii=False) if content else "{}"


def _instance(r: dict[str, Any]) -> FormInstance:
    return FormInstance(
        serial=r["serial"], template_id=r["template_id"], template_version=r["template_version"],
        page_count=r["page_count"], batch_id=r["batch_id"], ward_code=r["ward_code"],
        status=SheetStatus(r["status"]),
        created_at=clock.from_storage(r["created_at"]),  # type: ignore[arg-type]
        patient_id=r["patient_id"], stay_id=r["stay_id"], ipp=r["ipp"], nda=r["nda"],
        temporary_id=r["temporary_code"], superseded_by=r["superseded_by"],
        snapshot_id=r["snapshot_id"])


def _batch(r: dict[str, Any]) -> PrintBatch:
    return PrintBatch(
        id=r["id"], created_at=clock.from_storage(r["created_at"]),  # type: ignore[arg-type]
        operator=r["operator"], snapshot_id=r["snapshot_id"], wards=tuple(json.loads(r["wards"])),
        window_start=clock.from_storage(r["window_start"]),  # type: ignore[arg-type]
        window_hours=r["window_hours"], language=r["language"], status=BatchStatus(r["status"]),
        closed_at=clock.from_storage(r["closed_at"]), kind=BatchKind(r["kind"]))

