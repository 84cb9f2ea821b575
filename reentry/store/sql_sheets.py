"""The facts about every sheet, for ``reentry.domain.sheet_state.sheet_state`` to decide its state.

One query serves re-entry progress, the event accounting, the check that refuses to close an
event, the quality report and the demo: it fetches what the registry and each sheet's history
say and decides nothing. Which sheets are expected back, and in which state, is the rule's.
"""

from __future__ import annotations

from typing import Any

from reentry.domain.sheet_state import DECLARATIONS, SheetFacts, SheetState
from reentry.registry import BatchKind, SheetStatus
from reentry.store.database import SqlConnection

_DECLARED = ", ".join(f"'{s.value}'" for s in DECLARATIONS)
_RETURNED, _ENTERED, _VERIFIED = (f"'{s.value}'" for s in (
    SheetState.RETURNED, SheetState.ENTERED, SheetState.VERIFIED))

# One row per registered sheet. A sheet's history is aggregated once (latest id and time per
# action), which keeps this one pass over ``sheet_events`` even for 10 000 sheets; the latest
# declaration is joined back for its reason and author. ``adopted``: the sheet's batch belongs
# to an outage event that affects its ward.
_FACTS_SELECT = f"""
    WITH marks AS (
        SELECT serial,
               max(CASE WHEN action = {_RETURNED} THEN id END) AS returned_id,
               max(CASE WHEN action = {_RETURNED} THEN at END) AS returned_at,
               max(CASE WHEN action = {_ENTERED} THEN id END) AS entered_id,
               max(CASE WHEN action = {_ENTERED} THEN at END) AS entered_at,
               max(CASE WHEN action = {_VERIFIED} THEN id END) AS verified_id,
               max(CASE WHEN action = {_VERIFIED} THEN at END) AS verified_at,
               max(CASE WHEN action IN ({_DECLARED}) THEN id END) AS declared_id
        FROM sheet_events
        WHERE action IN ({_RETURNED}, {_ENTERED}, {_VERIFIED}, {_DECLARED})
        GROUP BY serial
    )
    SELECT f.serial, f.template_id, f.ward_code, f.batch_id, f.status, b.kind AS batch_kind,
           b.event_id,
           (o.id IS NOT NULL AND (o.wards IS NULL OR f.ward_code IN (
               SELECT value FROM json_each(o.wards)))) AS adopted,
           p.ipp, p.birth_name, p.used_name, p.given_names, p.birth_date, p.sex,
           s.room, s.bed, t.code AS temporary_code,
           m.returned_id, m.returned_at, m.entered_id, m.entered_at, m.verified_id,
           m.verified_at, m.declared_id, d.action AS declared, d.at AS declared_at,
           d.reason AS declared_reason, d."user" AS declared_by,
           (SELECT count(*) FROM entries n WHERE n.serial = f.serial
            AND n.status = 'active') AS rows_entered
    FROM form_instances f
    JOIN print_batches b ON b.id = f.batch_id
    LEFT JOIN outage_events o ON o.id = b.event_id
    LEFT JOIN patients p ON p.id = f.patient_id
    LEFT JOIN stays s ON s.id = f.stay_id
    LEFT JOIN temporary_identities t ON t.id = f.temporary_identity_id
    LEFT JOIN marks m ON m.serial = f.serial
    LEFT JOIN sheet_events d ON d.id = m.declared_id
    WHERE 1 = 1
"""


def sheet_fact_rows(conn: SqlConnection, event_id: int | None = None,
                    ward_code: str | None = None, batch_id: int | None = None
                    ) -> list[dict[str, Any]]:
    """Every registered sheet (of the event, ward or batch given), as a dict of its columns
    with its ``facts``; works inside the caller's transaction."""
    sql, params = _FACTS_SELECT, []
    for column, value in (("b.event_id", event_id), ("f.ward_code", ward_code),
                          ("f.batch_id", batch_id)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    rows = conn.rows(sql + " ORDER BY f.serial", params)
    for row in rows:
        row["facts"] = _facts(row)
    return rows


def _facts(r: dict[str, Any]) -> SheetFacts:
    return SheetFacts(
        template_id=r["template_id"], status=SheetStatus(r["status"]),
        batch_kind=BatchKind(r["batch_kind"]), adopted=bool(r["adopted"]),
        returned=r["returned_id"], entered=r["entered_id"], verified=r["verified_id"],
        declared=SheetState(r["declared"]) if r["declared"] else None,
        declared_position=r["declared_id"])


class SheetQueries:
    """Mixed into ``SqlStore``; relies on its ``sql`` and ``_errors``."""

    sql: SqlConnection
    _errors: Any

    def sheet_facts(self, event_id: int | None = None, ward_code: str | None = None,
                    batch_id: int | None = None) -> list[dict[str, Any]]:
        """See ``sheet_fact_rows``."""
        with self._errors():
            return sheet_fact_rows(self.sql, event_id, ward_code, batch_id)
