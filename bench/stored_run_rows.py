"""Every row a reconciliation run leaves in the store, in an order both engines give alike (a
flag's id stands for itself: both databases number flags in the order the run writes them).

Used to prove that a change leaves a run's results as they were (bench/reconcile_run_fingerprint
.py) and that both engines store the same (tests/test_review_stored_run.py). A run's unmatched SIH
items are compared apart, through what the store reads back, whatever table holds them.

The verdicts are read through the store (``review_verdicts``: every column as migration 0008 made
it, the texts that migration 0013 keeps compressed in ``review_texts`` put back): what the
screens, reports and exports read, whatever the stored form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _verdicts(store: Any) -> list[dict[str, Any]]:
    """Every verdict of every run, by run then item key."""
    return [row for run in sorted(r.id for r in store.review_runs())
            for row in store.review_verdicts(run)]


STORED: dict[str, str | Callable[[Any], list[dict[str, Any]]]] = {
    "review_runs": "SELECT id, at, user_id, sih_files, paper_source, paper_sha256, counts,"
                   " unmatched, identity_counts, flag_changes FROM review_runs ORDER BY id",
    "review_verdicts": _verdicts,
    "review_flags": "SELECT * FROM review_flags ORDER BY id",
    "review_flag_events": "SELECT * FROM review_flag_events ORDER BY id",
    "review_identities": "SELECT * FROM review_identities ORDER BY run_id, left_id",
    "review_identity_candidates": "SELECT * FROM review_identity_candidates"
                                  " ORDER BY run_id, left_id, rank",
    "flag audit": "SELECT action, record_id, detail FROM audit_log"
                  " WHERE subject IN ('review_flag', 'review_run') ORDER BY id",
}


def stored_rows(store: Any, stored: dict[str, Any] | None = None
                ) -> dict[str, list[dict[str, Any]]]:
    """The rows of each entry of ``stored`` (``STORED``): its query's, or its reader's."""
    return {name: what(store) if callable(what) else store.sql.rows(what)
            for name, what in (stored or STORED).items()}
