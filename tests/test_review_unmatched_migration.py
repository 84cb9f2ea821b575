"""Migration 0012 keeps a run's unmatched SIH items as one JSON array per run instead of a row
each: a database written before it reads the same after it (the same items, in the same order,
each run's own), on both engines; a run with none reads as none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from older_database import before_migration

from reentry.store import open_store

MIGRATION = "0012_review_unmatched_per_run"

# (run, item as the old code stored it), in the order written: runs interleaved, run 2 has none.
OLD_ROWS = [
    (1, '{"id": "s1", "ipp": "009000350", "kind": "vital_sign", "code": "8867-4",'
        ' "effective_time": "2026-11-24T01:52:22+00:00", "value": 72.0, "value_text": null,'
        ' "unit": "/min", "route": null, "text": null, "nda": "N1", "author": "Moniteur",'
        ' "status": "completed"}'),
    (3, '{"id": "s9", "ipp": "009000351", "kind": "nursing_note", "code": "",'
        ' "effective_time": "2026-11-24T02:00:00+00:00", "value": null, "value_text": null,'
        ' "unit": null, "route": null, "text": "Dit « j\'ai mal », \\"aïe\\"", "nda": null,'
        ' "author": "Zoé", "status": "completed"}'),
    (1, '{"id": "s0", "ipp": "009000350", "kind": "medication_administration",'
        ' "code": "PARACETAMOL", "effective_time": "2026-11-24T03:00:00+00:00", "value": 1.0,'
        ' "value_text": null, "unit": "g", "route": "IV", "text": null, "nda": null,'
        ' "author": null, "status": "not-done"}'),
    (3, '{"id": "s2", "ipp": "009000352", "kind": "movement", "code": "transfer",'
        ' "effective_time": "2026-11-24T05:00:00+00:00", "value": null, "value_text": null,'
        ' "unit": null, "route": null, "text": "vers Réa 2", "nda": null, "author": null,'
        ' "status": "completed"}'),
]


def _old_runs(execute) -> None:  # type: ignore[no-untyped-def]
    """Three runs and their unmatched items, a row each, as Reentry wrote them before 0012."""
    for run in (1, 2, 3):
        execute("INSERT INTO review_runs (id, at, sih_files, paper_source, counts, unmatched)"
                " VALUES (?, ?, '[]', 'paper.csv', '{}', ?)",
                (run, f"2026-11-24T0{run}:00:00+00:00", sum(r == run for r, _ in OLD_ROWS)))
    for run, item in OLD_ROWS:
        found = json.loads(item)
        execute("INSERT INTO review_unmatched (run_id, sih_id, ipp, kind, code, effective_time,"
                " item) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run, found["id"], found["ipp"], found["kind"], found["code"],
                 found["effective_time"], item))


@pytest.mark.both_backends
def test_unmatched_items_stored_before_the_migration_read_the_same_after_it(
        store_location: Path | str, db_path: Path) -> None:
    before_migration(store_location, db_path, MIGRATION, _old_runs)

    store = open_store(store_location)
    try:
        for run in (1, 2, 3):
            items = [item for r, item in OLD_ROWS if r == run]
            assert store.review_unmatched(run) == [json.loads(item) for item in items]
        assert [item["id"] for item in store.review_unmatched(1)] == ["s1", "s0"]  # row order
        stored = [(run, store.review_unmatched_text(run)) for run in (1, 2, 3)]
        assert stored == [  # the text as it was, byte for byte (compressed since 0013)
            (1, f"[{OLD_ROWS[0][1]}, {OLD_ROWS[2][1]}]"), (2, None),
            (3, f"[{OLD_ROWS[1][1]}, {OLD_ROWS[3][1]}]")]
        assert store.review_unmatched(4) == []
        with pytest.raises(Exception, match="review_unmatched"):
            store.sql.rows("SELECT count(*) FROM review_unmatched")  # gone: one place to read
    finally:
        store.close()
