"""What the quality report and the audit pack read about one outage event.

Reconciliation runs are not tied to an event (one run may cover paper of several), so what
belongs to an event is decided here, once, for every query: a paper item re-entered from a
sheet belongs to the event of the sheet's print batch; an item of a paper CSV (no sheet)
belongs to the event when its time falls within the outage (start to end, or to now while it
is ongoing) in a ward the event affects. A flag belongs to the event of its paper item.

Read-only: nothing here writes.
"""

from __future__ import annotations

from typing import Any

from reentry.store.sql_review import verdict_columns

# The event's sheets and the (run, paper item) pairs of its verdicts. Parameters: event id,
# event id.
_EVENT_ITEMS = """
    WITH ev AS (
        SELECT started_at, coalesce(ended_at, '9999') AS ended_at, wards
        FROM outage_events WHERE id = ?
    ),
    event_sheets AS (
        SELECT f.serial FROM form_instances f
        JOIN print_batches b ON b.id = f.batch_id WHERE b.event_id = ?
    ),
    mine AS (
        SELECT v.run_id, v.item_key FROM review_verdicts v, ev
        WHERE v.serial IN (SELECT serial FROM event_sheets)
           OR (v.serial IS NULL
               AND v.effective_time >= ev.started_at AND v.effective_time <= ev.ended_at
               AND (ev.wards IS NULL
                    OR v.ward_code IN (SELECT value FROM json_each(ev.wards))))
    )
"""

_EVENT_TEMPORARIES = """
    SELECT t.code FROM temporary_identities t
    JOIN print_batches b ON b.id = t.batch_id WHERE b.event_id = ?
"""


# What ``report_flags`` gives, in its order (a verdict's texts read from ``review_texts``).
_FLAG_COLUMNS = (
    "flag_id", "item_key", "paper_source", "verdict", "status", "resolution", "comment",
    "first_run_id", "first_flagged_at", "last_run_id", "closed_at", "closed_by_run", "previous",
    "closed_by", "verdict_run_id", "run_verdict", "ipp", "temporary_id", "identity",
    "ward_code", "kind", "code", "effective_time", "reason", "serial", "page")


class ReportQueries:
    """Mixed into ``SqlStore``; relies on its ``_rows`` and, for a verdict's texts, on
    ``ReviewQueries.verdict_texts``."""

    _rows: Any
    verdict_texts: Any

    def report_runs(self, event_id: int) -> list[dict[str, Any]]:
        """Runs with at least one paper item of the event, oldest first, with how many."""
        return list(self._rows(
            _EVENT_ITEMS + """
            SELECT r.id, r.at, r.sih_files, r.paper_source, r.paper_sha256, r.counts,
                   r.unmatched, r.flag_changes, u.username, count(*) AS event_items
            FROM review_runs r JOIN mine m ON m.run_id = r.id
            LEFT JOIN users u ON u.id = r.user_id
            GROUP BY r.id, u.username ORDER BY r.id""", [event_id, event_id]))

    def report_verdict_counts(self, event_id: int, run_id: int) -> list[dict[str, Any]]:
        """Per ward and verdict, how many of the event's paper items one run classified."""
        return list(self._rows(
            _EVENT_ITEMS + """
            SELECT v.ward_code, v.verdict, count(*) AS n
            FROM review_verdicts v JOIN mine m ON m.run_id = v.run_id AND m.item_key = v.item_key
            WHERE v.run_id = ? GROUP BY v.ward_code, v.verdict""", [event_id, event_id, run_id]))

    def report_verdicts(self, event_id: int) -> list[dict[str, Any]]:
        """Every verdict of every run on the event's paper items (the audit pack keeps all)."""
        return [verdict_columns(r) for r in self.verdict_texts(self._rows(
            _EVENT_ITEMS + """
            SELECT v.* FROM review_verdicts v
            JOIN mine m ON m.run_id = v.run_id AND m.item_key = v.item_key
            ORDER BY v.run_id, v.ward_code, v.item_key""", [event_id, event_id]))]

    def report_flags(self, event_id: int) -> list[dict[str, Any]]:
        """The event's flags as they stand, each with the paper item as its latest run saw it
        (who, where, what, why) and who closed it."""
        rows = self.verdict_texts(self._rows(
            _EVENT_ITEMS + """,
            latest AS (SELECT item_key, max(run_id) AS run_id FROM mine GROUP BY item_key)
            SELECT f.id AS flag_id, f.item_key, f.paper_source, f.verdict, f.status,
                   f.resolution, f.comment, f.first_run_id, f.first_flagged_at, f.last_run_id,
                   f.closed_at, f.closed_by_run, f.previous, u.username AS closed_by,
                   v.run_id AS verdict_run_id, v.verdict AS run_verdict, v.ipp, v.temporary_id,
                   v.ward_code, v.kind, v.code, v.effective_time, v.serial, v.page,
                   v.run_id, v.texts_part, v.texts_row
            FROM review_flags f JOIN latest l ON l.item_key = f.item_key
            JOIN review_verdicts v ON v.run_id = l.run_id AND v.item_key = l.item_key
            LEFT JOIN users u ON u.id = f.closed_by
            ORDER BY f.id""", [event_id, event_id]), ("identity", "reason"))
        return [{name: r[name] for name in _FLAG_COLUMNS} for r in rows]

    def report_flag_events(self, event_id: int) -> list[dict[str, Any]]:
        """Every step in the life of the event's flags: raised, resolved, reopened, closed."""
        return list(self._rows(
            _EVENT_ITEMS + """
            SELECT e.id, e.flag_id, f.item_key, e.at, e.action, u.username, e.run_id,
                   e.verdict, e.resolution, e.comment
            FROM review_flag_events e JOIN review_flags f ON f.id = e.flag_id
            LEFT JOIN users u ON u.id = e.user_id
            WHERE f.item_key IN (SELECT item_key FROM mine)
            ORDER BY e.id""", [event_id, event_id]))

    def report_sheet_events(self, event_id: int) -> list[dict[str, Any]]:
        """The lifecycle of every sheet of the event's batches (registered, printed, returned,
        entered, verified, lost, not used, superseded, cancelled), in the order it happened."""
        return list(self._rows(
            "SELECT e.id, e.serial, f.template_id, f.ward_code, f.batch_id,"
            ' f.status AS sheet_status, e.at, e.action, e."user", e.reason'
            " FROM sheet_events e JOIN form_instances f ON f.serial = e.serial"
            " JOIN print_batches b ON b.id = f.batch_id"
            " WHERE b.event_id = ? ORDER BY e.id", [event_id]))

    def report_identity_decisions(self, event_id: int) -> list[dict[str, Any]]:
        """The identity-vigilance cell's decisions on the event's temporary identities."""
        return list(self._rows(
            "SELECT d.id, d.left_id, d.action, d.right_id, u.username, d.at, d.run_id,"
            " d.comment FROM identity_decisions d LEFT JOIN users u ON u.id = d.user_id"
            f" WHERE d.left_id IN ({_EVENT_TEMPORARIES}) ORDER BY d.id", [event_id]))

    def report_audit(self, event_id: int) -> list[dict[str, Any]]:
        """The audit log lines about the event, its sheets and what was typed from them, its
        reconciliation runs, flags and temporary identities."""
        return list(self._rows(
            _EVENT_ITEMS + f""",
            flags AS (SELECT id FROM review_flags
                      WHERE item_key IN (SELECT item_key FROM mine)),
            temporaries AS ({_EVENT_TEMPORARIES})
            SELECT a.id, a.at, u.username, a.action, a.subject, a.record_id, a.detail, a.seq,
                   a.hash
            FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
            WHERE (a.subject = 'event' AND a.record_id = ?)
               OR (a.subject = 'sheet' AND a.record_id IN (SELECT serial FROM event_sheets))
               OR (a.subject = 'entry' AND a.record_id IN (
                       SELECT id FROM entries
                       WHERE serial IN (SELECT serial FROM event_sheets)))
               OR (a.subject = 'review_flag' AND a.record_id IN (SELECT id FROM flags))
               OR (a.subject = 'review_run' AND a.record_id IN (SELECT run_id FROM mine))
               OR (a.subject = 'identity' AND a.record_id IN (
                       SELECT id FROM identity_decisions
                       WHERE left_id IN (SELECT code FROM temporaries)))
               OR json_extract(a.detail, '$.serial') IN (SELECT serial FROM event_sheets)
            ORDER BY a.id""", [event_id, event_id, event_id, event_id]))
