"""Double entry: second entries, discrepancies and the decisions that resolve them.

The second entry of a blind double entry lives in its own table (``second_entries``): it never
creates items and is never read by the first entry's screens. Every step that changes where a
sheet stands is one transaction, with its audit line and, once verified, a ``verified`` sheet
event and the id of the last entry the check covered (later corrections are not verified).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reentry import clock
from reentry.domain.entry import Entry, Item, User
from reentry.errors import UserError
from reentry.store.database import SqlConnection
from reentry.store.sql_entry import (
    _audit,
    _entry,
    forget_draft_row,
    insert_entry,
    insert_row_version,
)

_SHEET_SELECT = """
    SELECT d.*, s.username AS second_username, v.username AS verified_username
    FROM double_entry_sheets d
    LEFT JOIN users s ON s.id = d.second_user_id
    LEFT JOIN users v ON v.id = d.verified_by
"""


class VerifyQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any

    # -- policy ---------------------------------------------------------------------------------

    def double_entry_policy_rows(self) -> list[dict[str, Any]]:
        """The modes chosen by the hospital (templates not listed keep their default)."""
        return list(self._rows(
            "SELECT p.template_id, p.mode, p.changed_at, u.username AS changed_by"
            " FROM double_entry_policy p LEFT JOIN users u ON u.id = p.changed_by"
            " ORDER BY p.template_id"))

    def set_double_entry_mode(self, template_id: str, mode: str, previous: str,
                              user: User) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO double_entry_policy (template_id, mode, changed_by, changed_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(template_id) DO UPDATE SET"
                " mode = excluded.mode, changed_by = excluded.changed_by,"
                " changed_at = excluded.changed_at",
                (template_id, mode, user.id, clock.to_storage(clock.now())))
            _audit(conn, user.id, "double_entry_mode_set", "double_entry_policy", None,
                   {"template": template_id, "mode": mode, "previous": previous})

    # -- where a sheet stands -------------------------------------------------------------------

    def double_entry_sheet(self, serial: int) -> dict[str, Any] | None:
        rows = self._rows(_SHEET_SELECT + " WHERE d.serial = ?", [serial])
        return rows[0] if rows else None

    def double_entry_sheets(self) -> dict[int, dict[str, Any]]:
        return {r["serial"]: r for r in self._rows(_SHEET_SELECT)}

    def first_typists(self, serial: int) -> list[str]:
        """Who typed the first entry (every version of every row), not who checked it."""
        return [r["username"] for r in self._rows(
            "SELECT u.username FROM entries e JOIN users u ON u.id = e.entered_by"
            " WHERE e.serial = ? AND e.id NOT IN (SELECT correction_id FROM sighted_checks"
            " WHERE serial = ? AND correction_id IS NOT NULL)"
            " GROUP BY u.username ORDER BY min(e.id)", [serial, serial])]

    def sheet_entered(self, serial: int) -> bool:
        return bool(self._rows("SELECT 1 FROM sheet_events WHERE serial = ?"
                               " AND action = 'entered' LIMIT 1", [serial]))

    # -- blind second entry ---------------------------------------------------------------------

    def save_second_entry(self, entry: Entry, user: User) -> Entry:
        """Store one row of the second entry; the first row saved makes ``user`` the sheet's
        second typist (whether they may is ``reentry.verify``'s decision, in its unit of
        work)."""
        with self._transaction() as conn:
            _claim_second_entry(conn, entry.serial, user)
            second_id = insert_row_version(conn, "second_entries", entry, user)
            _audit(conn, user.id, "second_entry_corrected" if entry.corrects
                   else "second_entry_recorded", "second_entry", second_id,
                   {"serial": entry.serial, "row": f"{entry.section_id}:{entry.row_index}",
                    "corrects": entry.corrects, "reason": entry.reason})
            forget_draft_row(conn, entry, user)
        return next(e for e in self.second_entries(entry.serial, include_corrected=False)
                    if e.id == second_id)

    def second_entries(self, serial: int, include_corrected: bool = True) -> list[Entry]:
        sql = ("SELECT e.*, u.username FROM second_entries e"
               " JOIN users u ON u.id = e.entered_by WHERE e.serial = ?")
        if not include_corrected:
            sql += " AND e.status = 'active'"
        return [_entry(r) for r in self._rows(sql + " ORDER BY e.section_id, e.row_index, e.id",
                                             [serial])]

    def finish_second_entry(self, serial: int, user: User, differences: int) -> None:
        """The second typist is done; with no difference the sheet is verified at once."""
        with self._transaction() as conn:
            _claim_second_entry(conn, serial, user)
            conn.execute("UPDATE double_entry_sheets SET second_done_at = ?, differences = ?"
                         " WHERE serial = ?",
                         (clock.to_storage(clock.now()), differences, serial))
            _audit(conn, user.id, "second_entry_finished", "sheet", serial,
                   {"differences": differences})
            if differences == 0:
                _mark_verified(conn, serial, user, "blind")

    # -- sighted check --------------------------------------------------------------------------

    def sighted_checks(self, serial: int) -> dict[int, dict[str, Any]]:
        """Checked first-entry rows by entry id: outcome, who, when, the correction's id."""
        rows = self._rows("SELECT c.*, u.username FROM sighted_checks c"
                          " JOIN users u ON u.id = c.user_id WHERE c.serial = ?", [serial])
        return {r["entry_id"]: r for r in rows}

    def confirm_checked_row(self, serial: int, entry_id: int, user: User) -> None:
        with self._transaction() as conn:
            active = conn.execute("SELECT 1 FROM entries WHERE id = ? AND serial = ?"
                                  " AND status = 'active'", (entry_id, serial)).fetchone()
            if not active:  # corrected by someone else since the screen opened
                raise UserError("verify.row_changed")
            conn.execute(
                "INSERT INTO sighted_checks (entry_id, serial, user_id, at, outcome)"
                " VALUES (?, ?, ?, ?, 'confirmed') ON CONFLICT(entry_id) DO UPDATE SET"
                " user_id = excluded.user_id, at = excluded.at, outcome = 'confirmed'",
                (entry_id, serial, user.id, clock.to_storage(clock.now())))
            _audit(conn, user.id, "row_checked", "entry", entry_id, {"serial": serial})

    def save_checked_correction(self, entry: Entry, items: Sequence[Item], user: User
                                ) -> Entry:
        """A checker's correction: the new row (items updated, audited) and the check at once."""
        assert entry.corrects is not None
        with self._transaction() as conn:
            entry_id = insert_entry(conn, entry, items, user)
            conn.execute(
                "INSERT INTO sighted_checks (entry_id, serial, user_id, at, outcome,"
                " correction_id) VALUES (?, ?, ?, ?, 'corrected', ?)"
                " ON CONFLICT(entry_id) DO UPDATE SET user_id = excluded.user_id,"
                " at = excluded.at, outcome = 'corrected', correction_id = excluded.correction_id",
                (entry.corrects, entry.serial, user.id, clock.to_storage(clock.now()), entry_id))
        return next(e for e in self.entries(entry.serial, include_corrected=False)  # type: ignore[attr-defined]
                    if e.id == entry_id)

    def finish_sighted_check(self, serial: int, user: User) -> None:
        with self._transaction() as conn:
            _mark_verified(conn, serial, user, "sighted")

    # -- decision on a blind double entry's differences -----------------------------------------

    def apply_double_entry_decision(
            self, serial: int, user: User, corrections: Sequence[tuple[Entry, Sequence[Item]]],
            withdrawals: Sequence[int], decisions: Sequence[dict[str, Any]]) -> list[int]:
        """Corrections of the first entry, rows withdrawn, the decisions and the verification,
        all in one transaction; returns the ids of the new entries."""
        now = clock.to_storage(clock.now())
        with self._transaction() as conn:
            created = [insert_entry(conn, entry, items, user) for entry, items in corrections]
            for entry_id in withdrawals:
                cursor = conn.execute("UPDATE entries SET status = 'corrected' WHERE id = ?"
                                      " AND serial = ? AND status = 'active'", (entry_id, serial))
                if cursor.rowcount != 1:  # changed since the differences were compared
                    raise UserError("verify.decisions_stale")
                conn.execute("UPDATE items SET active = 0 WHERE entry_id = ?", (entry_id,))
                _audit(conn, user.id, "entry_withdrawn", "entry", entry_id,
                       {"serial": serial, "reason": "double_entry_decision"})
            for decision in decisions:
                new_id = conn.insert(
                    "INSERT INTO double_entry_decisions (serial, section_id, row_index, field_id,"
                    " first_value, second_value, choice, value, reason, decided_by, decided_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (serial, decision["section_id"], decision["row_index"],
                     decision["field_id"], decision["first"], decision["second"],
                     decision["choice"], decision["value"], decision["reason"], user.id, now))
                _audit(conn, user.id, "double_entry_decided", "double_entry_decision",
                       new_id,
                       {"serial": serial, **decision})
            _mark_verified(conn, serial, user, "blind")
        return created

    def double_entry_decisions(self, serial: int) -> list[dict[str, Any]]:
        return list(self._rows(
            "SELECT d.*, u.username AS decided_by_username FROM double_entry_decisions d"
            " JOIN users u ON u.id = d.decided_by WHERE d.serial = ? ORDER BY d.id", [serial]))

    # -- what is verified -----------------------------------------------------------------------

    def verified_sheets(self) -> dict[int, int]:
        """Verified sheets: serial → id of the last entry the verification covered."""
        return {r["serial"]: r["last_entry_id"] or 0 for r in self._rows(
            "SELECT serial, last_entry_id FROM double_entry_sheets"
            " WHERE verified_at IS NOT NULL")}

    def verified_items(self, serials: Sequence[int] | None = None) -> list[Item]:
        """Active items of verified sheets, as they were when verified (a later correction of a
        row is not verified and is left out)."""
        covered = self.verified_sheets()
        asked = None if serials is None else set(serials)
        wanted = [s for s in covered if asked is None or s in asked]
        if not wanted:
            return []
        items: list[Item] = self.items(wanted)  # type: ignore[attr-defined]
        return [i for i in items if i.entry_id <= covered[i.serial]]


def _claim_second_entry(conn: SqlConnection, serial: int, user: User) -> None:
    row = conn.execute("SELECT second_user_id FROM double_entry_sheets WHERE serial = ?",
                       (serial,)).fetchone()
    if row is None:
        conn.execute("INSERT INTO double_entry_sheets (serial, second_user_id) VALUES (?, ?)",
                     (serial, user.id))
        return
    if row[0] is None:
        conn.execute("UPDATE double_entry_sheets SET second_user_id = ? WHERE serial = ?",
                     (user.id, serial))


def _mark_verified(conn: SqlConnection, serial: int, user: User, mode: str) -> None:
    """The ``verified`` sheet event, and the last entry id the verification covers."""
    now = clock.to_storage(clock.now())
    last = conn.execute("SELECT max(id) FROM entries WHERE serial = ?", (serial,)).fetchone()[0]
    conn.execute(
        "INSERT INTO double_entry_sheets (serial, verified_mode, verified_by, verified_at,"
        " last_entry_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT(serial) DO UPDATE SET"
        " verified_mode = excluded.verified_mode, verified_by = excluded.verified_by,"
        " verified_at = excluded.verified_at, last_entry_id = excluded.last_entry_id",
        (serial, mode, user.id, now, last))
    conn.execute("INSERT INTO sheet_events (serial, at, action, \"user\", reason)"
                 " VALUES (?, ?, 'verified', ?, ?)", (serial, now, user.username, mode))
    _audit(conn, user.id, "sheet_verified", "sheet", serial, {"mode": mode,
                                                              "last_entry_id": last})

