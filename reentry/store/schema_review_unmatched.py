"""Migration 0012 — A run's unmatched SIH items kept as one JSON array per run.

They are only ever read whole, a run at a time (``review_unmatched``), and a run of a 50k-item
outage leaves some 80,000 of them: one row each cost the store a third of its writing time, for
columns nothing read. The array holds each item's JSON as the row's ``item`` held it, in the same
order, so a run stored before reads the same after.
"""

from __future__ import annotations

from typing import Any

from reentry.domain.review_run import json_list
from reentry.store.schema import migration


@migration("0012_review_unmatched_per_run")
def _unmatched_per_run(db: Any) -> None:
    db.executescript(
        """
        CREATE TABLE review_unmatched_items (
            run_id INTEGER NOT NULL PRIMARY KEY REFERENCES review_runs(id),
            items TEXT NOT NULL  -- JSON array of the items (ItemJson), in the run's order
        );
        """
    )
    conn = db.conn  # sqlite3's connection, or the server's ``SqlConnection``: both take ``?``
    runs = [r[0] for r in conn.execute(
        "SELECT DISTINCT run_id FROM review_unmatched ORDER BY run_id").fetchall()]
    for run_id in runs:  # a run at a time: a database of many runs is never held whole
        items = conn.execute("SELECT item FROM review_unmatched WHERE run_id = ? ORDER BY id",
                             (run_id,)).fetchall()
        conn.execute("INSERT INTO review_unmatched_items (run_id, items) VALUES (?, ?)",
                     (run_id, json_list(r[0] for r in items)))
    db.executescript("DROP TABLE review_unmatched;")
