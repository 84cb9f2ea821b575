"""The scanned page as a second reader: page readings, cross-check outcomes, acknowledgements."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.second_read import (
    Acknowledgement,
    AckOutcome,
    FieldKey,
    FieldReading,
    PageReading,
    ReadOutcome,
    Verdict,
)
from reentry.store.sql_entry import _audit, _time


class SecondReadQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any

    def page_reading(self, scan_page_id: int) -> PageReading | None:
        rows = self._rows("SELECT * FROM page_readings WHERE scan_page_id = ?", [scan_page_id])
        return _reading(rows[0]) if rows else None

    def save_page_reading(self, reading: PageReading) -> PageReading:
        """Keep a page's reading; a page read meanwhile by another PC keeps its first reading,
        which is returned."""
        fields = json.dumps([f.as_dict() for f in reading.fields], ensure_ascii=False)
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO page_readings (scan_page_id, serial, page, outcome, residual_mm,"
                " fields, read_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (scan_page_id) DO NOTHING",
                (reading.scan_page_id, reading.serial, reading.page, str(reading.outcome),
                 reading.residual_mm, fields, clock.to_storage(reading.read_at or clock.now()),
                 reading.seconds))
        stored = self.page_reading(reading.scan_page_id)
        assert stored is not None
        return stored

    def save_sheet_cross_check(self, serial: int, open_disagreements: int,
                               open_written_not_typed: int, counts: dict[str, Any]) -> None:
        """The latest cross-check of a sheet, in place of the previous one."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sheet_cross_checks (serial, checked_at, open_disagreements,"
                " open_written_not_typed, counts) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (serial) DO UPDATE SET checked_at = excluded.checked_at,"
                " open_disagreements = excluded.open_disagreements,"
                " open_written_not_typed = excluded.open_written_not_typed,"
                " counts = excluded.counts",
                (serial, clock.to_storage(clock.now()), open_disagreements,
                 open_written_not_typed, json.dumps(counts, ensure_ascii=False)))

    def sheet_cross_check(self, serial: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM sheet_cross_checks WHERE serial = ?", [serial])
        if not rows:
            return None
        row = rows[0]
        return {**row, "counts": json.loads(row["counts"]),
                "checked_at": clock.from_storage(row["checked_at"])}

    def open_disagreement_counts(self, event_id: int | None = None,
                                 ward_code: str | None = None) -> dict[str, int]:
        """Ward code → sheets whose latest cross-check left a disagreement open."""
        sql = ("SELECT f.ward_code, count(*) AS n FROM sheet_cross_checks c"
               " JOIN form_instances f ON f.serial = c.serial"
               " JOIN print_batches b ON b.id = f.batch_id"
               " WHERE c.open_disagreements > 0")
        params: list[Any] = []
        if event_id is not None:
            sql += " AND b.event_id = ?"
            params.append(event_id)
        if ward_code is not None:
            sql += " AND f.ward_code = ?"
            params.append(ward_code)
        rows = self._rows(sql + " GROUP BY f.ward_code", params)
        return {r["ward_code"]: int(r["n"]) for r in rows}

    def scanned_sheets(self, ward_code: str | None = None) -> list[int]:
        """Serials of the sheets with a scanned page attached (of one ward), in serial order."""
        sql = ("SELECT DISTINCT p.serial FROM scan_pages p"
               " JOIN form_instances f ON f.serial = p.serial WHERE p.status = 'identified'")
        params: list[Any] = []
        if ward_code is not None:
            sql += " AND f.ward_code = ?"
            params.append(ward_code)
        return [int(r["serial"]) for r in self._rows(sql + " ORDER BY p.serial", params)]

    def acknowledgements(self, serial: int) -> list[Acknowledgement]:
        rows = self._rows("SELECT a.*, u.username FROM cross_check_acknowledgements a"
                          " JOIN users u ON u.id = a.user_id WHERE a.serial = ? ORDER BY a.id",
                          [serial])
        return [_acknowledgement(r) for r in rows]

    def save_acknowledgement(self, serial: int, key: FieldKey, verdict: Verdict,
                             typed_value: str | None, read_value: str | None,
                             outcome: AckOutcome, user: User) -> Acknowledgement:
        """One typist's answer to a disagreement, audited."""
        with self._transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO cross_check_acknowledgements (serial, section_id, row_index,"
                " field_id, verdict, typed_value, read_value, outcome, user_id, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (serial, key.section_id, key.row_index, key.field_id, str(verdict), typed_value,
                 read_value, str(outcome), user.id, clock.to_storage(clock.now())))
            _audit(conn, user.id, f"cross_check_{outcome}", "sheet", serial,
                   {"section": key.section_id, "row": key.row_index, "field": key.field_id,
                    "verdict": str(verdict), "acknowledgement": new_id})
        return next(a for a in self.acknowledgements(serial) if a.id == new_id)

    def record_finish_reason(self, serial: int, reason: str, fields: Sequence[dict[str, Any]],
                             user: User) -> None:
        """Why a sheet was finished with fields written on paper but not typed, audited."""
        with self._transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO cross_check_overrides (serial, reason, fields, user_id, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (serial, reason, json.dumps(list(fields), ensure_ascii=False), user.id,
                 clock.to_storage(clock.now())))
            _audit(conn, user.id, "finished_with_written_not_typed", "sheet", serial,
                   {"reason_id": new_id, "fields": len(fields)})

    def finish_reasons(self, serial: int) -> list[dict[str, Any]]:
        rows = self._rows("SELECT o.*, u.username FROM cross_check_overrides o"
                          " JOIN users u ON u.id = o.user_id WHERE o.serial = ? ORDER BY o.id",
                          [serial])
        return [{**r, "fields": json.loads(r["fields"]), "at": _time(r["at"])} for r in rows]


def _reading(r: dict[str, Any]) -> PageReading:
    return PageReading(
        scan_page_id=r["scan_page_id"], serial=r["serial"], page=r["page"],
        outcome=ReadOutcome(r["outcome"]),
        fields=tuple(FieldReading.from_dict(f) for f in json.loads(r["fields"])),
        residual_mm=r["residual_mm"], read_at=clock.from_storage(r["read_at"]),
        seconds=r["seconds"])


def _acknowledgement(r: dict[str, Any]) -> Acknowledgement:
    return Acknowledgement(
        id=r["id"], serial=r["serial"], key=FieldKey(r["section_id"], r["row_index"],
                                                     r["field_id"]),
        verdict=Verdict(r["verdict"]), typed_value=r["typed_value"], read_value=r["read_value"],
        outcome=AckOutcome(r["outcome"]), username=r["username"], at=_time(r["at"]))
