"""Re-entry's SQL: users, entries and their items, drafts, identity confirmations, audit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reentry import clock
from reentry.domain.entry import (
    Draft,
    Entry,
    EntryStatus,
    Item,
    ItemKind,
    Role,
    User,
)
from reentry.domain.sheet_state import DECLARATIONS
from reentry.errors import UserError
from reentry.model import Patient, Stay
from reentry.store import audit_chain
from reentry.store.database import IntegrityViolation, SqlConnection


class EntryQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any
    sql: SqlConnection

    # -- users ----------------------------------------------------------------------------------

    def add_user(self, username: str, display_name: str, role: Role) -> User:
        with self._transaction() as conn:
            new_id = conn.insert(
                "INSERT INTO users (username, display_name, role, created_at) VALUES (?, ?, ?, ?)",
                (username, display_name, role.value, clock.to_storage(clock.now())))
            _audit(conn, None, "user_added", "user", new_id,
                   {"username": username, "role": role.value})
        return User(new_id, username, display_name, role)

    def user_by_name(self, username: str) -> User | None:
        rows = self._rows("SELECT * FROM users WHERE lower(username) = lower(?) AND active = 1",
                          [username])
        return _user(rows[0]) if rows else None

    def users(self) -> list[User]:
        rows = self._rows("SELECT * FROM users WHERE active = 1 ORDER BY username")
        return [_user(r) for r in rows]

    # -- what a sheet is about ------------------------------------------------------------------

    def patient_by_id(self, patient_id: int) -> Patient | None:
        from reentry.store.sql_store import _patient

        rows = self._rows("SELECT * FROM patients WHERE id = ?", [patient_id])
        return _patient(rows[0]) if rows else None

    def stay_by_id(self, stay_id: int) -> Stay | None:
        from reentry.store.sql_store import _stay

        rows = self._rows("SELECT * FROM stays WHERE id = ?", [stay_id])
        return _stay(rows[0], patient_id=rows[0]["patient_id"]) if rows else None

    def sheet_content(self, serial: int) -> dict[str, Any]:
        rows = self._rows("SELECT content FROM form_instances WHERE serial = ?", [serial])
        return json.loads(rows[0]["content"]) if rows else {}

    def mark_returned(self, serial: int, user: User) -> bool:
        """Record that the sheet came back (see ``insert_returned``)."""
        with self._transaction() as conn:
            return insert_returned(conn, serial, user, clock.to_storage(clock.now()))

    def mark_entered(self, serial: int, user: User) -> None:
        with self._transaction() as conn:
            conn.execute('INSERT INTO sheet_events (serial, at, action, "user")'
                         " VALUES (?, ?, ?, ?)",
                         (serial, clock.to_storage(clock.now()), "entered", user.username))

    # -- identity -------------------------------------------------------------------------------

    def confirm_identity(self, user: User, serial: int) -> None:
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            conn.execute("INSERT INTO identity_confirmations (user_id, serial, at)"
                         " VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (user.id, serial, now))
            _audit(conn, user.id, "identity_confirmed", "sheet", serial, {})

    def identity_confirmed(self, user: User, serial: int) -> bool:
        return bool(self._rows("SELECT 1 FROM identity_confirmations WHERE user_id = ?"
                               " AND serial = ?", [user.id, serial]))

    # -- entries --------------------------------------------------------------------------------

    def save_entry(self, entry: Entry, items: Sequence[Item], user: User) -> Entry:
        """Store one row and what it means, in one transaction; a correction retires the row it
        replaces (kept, marked corrected) and that row's items."""
        with self._transaction() as conn:
            entry_id = insert_entry(conn, entry, items, user)
        saved = self.entries(entry.serial, include_corrected=False)
        return next(e for e in saved if e.id == entry_id)

    def entries(self, serial: int, include_corrected: bool = True) -> list[Entry]:
        sql = ("SELECT e.*, u.username FROM entries e JOIN users u ON u.id = e.entered_by"
               " WHERE e.serial = ?")
        if not include_corrected:
            sql += " AND e.status = 'active'"
        return [_entry(r) for r in self._rows(sql + " ORDER BY e.section_id, e.row_index, e.id",
                                             [serial])]

    def items(self, serials: Sequence[int] | None = None) -> list[Item]:
        """Active items (what the paper says now), with the patient they belong to."""
        sql = """
            SELECT i.*, e.author, u.username AS entered_by, e.entered_at, f.patient_id,
                   p.ipp, s.nda, t.code AS temporary_code
            FROM items i
            JOIN entries e ON e.id = i.entry_id
            JOIN users u ON u.id = e.entered_by
            JOIN form_instances f ON f.serial = i.serial
            LEFT JOIN patients p ON p.id = f.patient_id
            LEFT JOIN stays s ON s.id = f.stay_id
            LEFT JOIN temporary_identities t ON t.id = f.temporary_identity_id
            WHERE i.active = 1
        """
        params: list[Any] = []
        if serials is not None:
            sql += f" AND i.serial IN ({', '.join('?' for _ in serials)})"
            params.extend(serials)
        return [_item(r) for r in self._rows(sql + " ORDER BY i.effective_time, i.id", params)]

    # -- drafts ---------------------------------------------------------------------------------

    def save_draft(self, user: User, serial: int, page: int,
                   rows: dict[str, dict[str, str]]) -> None:
        with self._transaction() as conn:
            if not any(any(v.strip() for v in row.values()) for row in rows.values()):
                conn.execute("DELETE FROM drafts WHERE serial = ? AND page = ? AND user_id = ?",
                             (serial, page, user.id))
                return
            conn.execute(
                "INSERT INTO drafts (serial, page, user_id, rows, updated_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(serial, page, user_id) DO UPDATE SET rows = excluded.rows,"
                " updated_at = excluded.updated_at",
                (serial, page, user.id, json.dumps(rows, ensure_ascii=False),
                 clock.to_storage(clock.now())))

    def draft(self, user: User, serial: int, page: int) -> Draft | None:
        rows = self._rows("SELECT d.*, u.username FROM drafts d JOIN users u ON u.id = d.user_id"
                          " WHERE serial = ? AND page = ? AND user_id = ?", [serial, page, user.id])
        return _draft(rows[0]) if rows else None

    def drafts(self, user: User) -> list[Draft]:
        rows = self._rows("SELECT d.*, u.username FROM drafts d JOIN users u ON u.id = d.user_id"
                          " WHERE user_id = ? ORDER BY updated_at DESC", [user.id])
        return [_draft(r) for r in rows]

    def discard_draft(self, user: User, serial: int, page: int) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM drafts WHERE serial = ? AND page = ? AND user_id = ?",
                         (serial, page, user.id))

    def operator_entry_times(self) -> list[dict[str, Any]]:
        return operator_rows(self)

    def audit(self, subject: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT a.*, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
        params: list[Any] = []
        if subject:
            sql += " WHERE subject = ?"
            params.append(subject)
        return list(self._rows(sql + " ORDER BY a.id", params))

    def record_action(self, user: User, action: str, subject: str, record_id: int | None,
                      detail: dict[str, Any]) -> None:
        """An audit record for an action that changes nothing in the database (an export, a
        report written): who, what, which file."""
        with self._transaction() as conn:
            _audit(conn, user.id, action, subject, record_id, detail)

    def verify_audit_chain(self, expected: audit_chain.ChainHead | None = None
                           ) -> audit_chain.ChainCheck:
        """Walk the audit chain (``reentry.store.audit_chain``): intact, or its first break;
        ``expected``, a head noted earlier, must still be in it."""
        return audit_chain.verify_chain(self.sql, expected)


ROW_TABLES = ("entries", "second_entries")  # same columns: a typed row and its versions


def insert_row_version(conn: SqlConnection, table: str, entry: Entry, user: User) -> int:
    """Store ``entry`` as the active version of its row in ``table`` (first entry or blind
    second entry); the version it corrects, if any, must be the active one and becomes
    'corrected'. Returns the new row's id."""
    if table not in ROW_TABLES:
        raise ValueError(f"not a table of typed rows: {table}")
    if entry.corrects is not None:
        cursor = conn.execute(
            f"UPDATE {table} SET status = 'corrected' WHERE id = ? AND status = 'active'"
            " AND serial = ? AND section_id = ? AND row_index = ?",
            (entry.corrects, entry.serial, entry.section_id, entry.row_index))
        if cursor.rowcount != 1:  # corrected meanwhile, on this PC or another one
            raise UserError("entry.row_changed")
    try:
        new_id = conn.insert(
            f"INSERT INTO {table} (serial, page, section_id, row_index, field_values,"
            " sheet_values, event_time, author, entered_by, entered_at, status, corrects,"
            " reason, warnings_confirmed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
            (entry.serial, entry.page, entry.section_id, entry.row_index,
             json.dumps(entry.values, ensure_ascii=False),
             json.dumps(entry.sheet_values, ensure_ascii=False),
             clock.to_storage(entry.event_time),
             entry.author, user.id, clock.to_storage(entry.entered_at), entry.corrects,
             entry.reason, json.dumps(list(entry.warnings_confirmed))))
    except IntegrityViolation as error:
        if not error.unique:
            raise  # anything else is a bug, not a race
        raise UserError("entry.row_changed") from error  # saved meanwhile on another PC
    return new_id


def insert_entry(conn: SqlConnection, entry: Entry, items: Sequence[Item], user: User
                 ) -> int:
    """``save_entry`` inside a transaction the caller holds (a double-entry decision applies
    several corrections as one); returns the new entry's id."""
    entry_id = insert_row_version(conn, "entries", entry, user)
    if entry.corrects is not None:
        conn.execute("UPDATE items SET active = 0 WHERE entry_id = ?", (entry.corrects,))
    conn.executemany(
        "INSERT INTO items (entry_id, serial, kind, code, label, value, value_text, unit,"
        " route, status, status_reason, text, effective_time)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(entry_id, entry.serial, i.kind.value, i.code, i.label, i.value, i.value_text,
          i.unit, i.route, i.status, i.status_reason, i.text,
          clock.to_storage(i.effective_time)) for i in items])
    action = "entry_corrected" if entry.corrects else "entry_recorded"
    _audit(conn, user.id, action, "entry", entry_id, {
        "serial": entry.serial, "row": f"{entry.section_id}:{entry.row_index}",
        "corrects": entry.corrects, "reason": entry.reason,
        "values": entry.values if entry.corrects else None})
    forget_draft_row(conn, entry, user)
    return entry_id


def forget_draft_row(conn: SqlConnection, entry: Entry, user: User) -> None:
    """The row just saved leaves ``user``'s draft of its page (first or second entry)."""
    draft = conn.execute("SELECT rows FROM drafts WHERE serial = ? AND page = ?"
                         " AND user_id = ?", (entry.serial, entry.page, user.id)).fetchone()
    if draft:
        rows = json.loads(draft[0])
        rows.pop(f"{entry.section_id}:{entry.row_index}", None)
        conn.execute("UPDATE drafts SET rows = ? WHERE serial = ? AND page = ?"
                     " AND user_id = ?", (json.dumps(rows, ensure_ascii=False),
                                          entry.serial, entry.page, user.id))


def insert_returned(conn: SqlConnection, serial: int, user: User, at: str) -> bool:
    """The sheet's 'returned' event inside the caller's transaction (a scanned page is stored
    in the same one); True the first time only, and the first time after the sheet was declared
    lost or not used: it is found (``reentry.domain.sheet_state``)."""
    seen = conn.execute(
        "SELECT 1 FROM sheet_events WHERE serial = ? AND action = 'returned' AND id > coalesce("
        "(SELECT max(id) FROM sheet_events WHERE serial = ? AND action IN"
        f" ({', '.join(repr(s.value) for s in DECLARATIONS)})), 0)",
        (serial, serial)).fetchone()
    if seen:
        return False
    conn.execute("INSERT INTO sheet_events (serial, at, action, \"user\") VALUES (?, ?, ?, ?)",
                 (serial, at, "returned", user.username))
    return True


def _audit(conn: SqlConnection, user_id: int | None, action: str, subject: str,
           record_id: int | None, detail: dict[str, Any]) -> None:
    """One record at the end of the audit chain, in the caller's transaction."""
    audit_chain.append(conn, clock.to_storage(clock.now()), user_id, action, subject, record_id,
                       json.dumps(detail, ensure_ascii=False))


def _user(r: dict[str, Any]) -> User:
    return User(r["id"], r["username"], r["display_name"], Role(r["role"]))


def _time(text: str) -> datetime:
    moment = clock.from_storage(text)
    assert moment is not None
    return moment


def _entry(r: dict[str, Any]) -> Entry:
    return Entry(
        id=r["id"], serial=r["serial"], page=r["page"], section_id=r["section_id"],
        row_index=r["row_index"], values=json.loads(r["field_values"]),
        event_time=_time(r["event_time"]), author=r["author"], entered_by=r["username"],
        entered_at=_time(r["entered_at"]), status=EntryStatus(r["status"]),
        corrects=r["corrects"], reason=r["reason"],
        warnings_confirmed=tuple(json.loads(r["warnings_confirmed"])),
        sheet_values=json.loads(r["sheet_values"]))


def _item(r: dict[str, Any]) -> Item:
    return Item(
        id=r["id"], entry_id=r["entry_id"], serial=r["serial"], kind=ItemKind(r["kind"]),
        code=r["code"], effective_time=_time(r["effective_time"]), author=r["author"],
        entered_by=r["entered_by"], entered_at=_time(r["entered_at"]),
        patient_id=r["patient_id"], ipp=r["ipp"], nda=r["nda"],
        temporary_id=r["temporary_code"], label=r["label"], value=r["value"],
        value_text=r["value_text"], unit=r["unit"], route=r["route"], status=r["status"],
        status_reason=r["status_reason"], text=r["text"])


def _draft(r: dict[str, Any]) -> Draft:
    return Draft(r["serial"], r["page"], r["username"], json.loads(r["rows"]),
                 _time(r["updated_at"]))


def operator_rows(store: Any) -> list[dict[str, Any]]:
    """When each row was typed, and by whom, user by user in time order (every version of a
    row counts: a correction is typing too); ``reentry.entry.progress`` finds the time worked."""
    return list(store._rows(
        "SELECT u.username, u.display_name, e.entered_at"
        " FROM entries e JOIN users u ON u.id = e.entered_by"
        " ORDER BY u.username, e.entered_at"))
