"""Migration 0013 keeps a run's bulky texts (each verdict's identity, reason, paper item and SIH
copies; the unmatched SIH items) compressed in ``review_texts``: a database written before it
reads the same after it, on both engines — every verdict with every column, byte for byte, the
flags of a run and one flag's detail, the unmatched items — and the rows written by a run
since read the same way."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from older_database import before_migration

from reentry.store import open_store
from reentry.store.review_texts import PART

MIGRATION = "0013_review_texts_compressed"
COLUMNS = ("run_id", "item_key", "verdict", "ipp", "temporary_id", "identity", "search",
           "ward_code", "kind", "code", "effective_time", "sih_ids", "score", "differs_on",
           "reason", "paper", "sih", "serial", "page")
VERDICTS = ("in_sih", "differs", "missing", "duplicate")


def _verdict(run: int, n: int) -> dict[str, Any]:
    """A verdict as Reentry stored it before 0013; texts with accents, quotes, escapes."""
    name = ["LANIER", "Éloïse D'ARC", 'Zoé "la grande"', "N\\ewline"][n % 4]
    identity = json.dumps({"birth_name": name, "used_name": "", "given_names": "Suzanne",
                           "birth_date": "1957-10-05", "sex": "F"}, ensure_ascii=False)
    sih = [{"id": f"s{run}-{n}-{k}", "ipp": "009000638", "kind": "nursing_note", "code": "",
            "effective_time": "2026-11-24T02:56:00+00:00", "value": None,
            "text": "Dit « j'ai mal »,\n\"aïe\"\t½", "status": "completed"}
           for k in range(n % 3)]
    return {
        "run_id": run, "item_key": f"p{n}", "verdict": VERDICTS[n % 4], "ipp": "009000638",
        "temporary_id": "TMP000158" if n % 5 == 0 else None, "identity": identity,
        "search": f"lanier suzanne {n}", "ward_code": "REA" if n % 2 else None,
        "kind": "vital_sign", "code": "8462-4",
        "effective_time": f"2026-11-24T{n % 24:02d}:00:00+00:00",
        "sih_ids": json.dumps([s["id"] for s in sih]), "score": round(n / 7, 4),
        "differs_on": '["value"]' if n % 4 == 1 else "[]",
        "reason": json.dumps({"id": f"reconcile.{VERDICTS[n % 4]}",
                              "params": {"sih_id": f"s{n}", "minutes": str(n % 9)}}),
        "paper": json.dumps({"id": f"p{n}", "value": n + 0.5, "text": None,
                             "entered_by": "Zoé"}, ensure_ascii=False),
        "sih": json.dumps(sih, ensure_ascii=False),
        "serial": 1000 + n if n % 3 else None, "page": n % 4 if n % 3 else None}


# Run 1: more verdicts than a part holds, unmatched items; run 2: no verdict, an empty array;
# run 3: a few verdicts and no unmatched row at all (as migration 0012 left such a run).
OLD = {1: [_verdict(1, n) for n in range(2 * PART + 345)], 2: [], 3: [_verdict(3, n)
                                                                     for n in range(7)]}
UNMATCHED = {
    1: '[{"id": "m1", "ipp": "009000350", "text": "vers Réa 2 « ok »", "value": 99.0}, '
       '{"id": "m2", "ipp": null, "text": "a\\nb", "value": null}]',
    2: "[]"}


def _old_database(execute) -> None:  # type: ignore[no-untyped-def]
    """Three runs, their verdicts, unmatched items and a few flags, as written before 0013."""
    for run, verdicts in OLD.items():
        execute("INSERT INTO review_runs (id, at, sih_files, paper_source, counts, unmatched)"
                " VALUES (?, ?, '[]', 'paper.csv', '{}', 0)",
                (run, f"2026-11-24T0{run}:00:00+00:00"))
        for v in verdicts:
            execute(f"INSERT INTO review_verdicts ({', '.join(COLUMNS)})"
                    f" VALUES ({', '.join('?' for _ in COLUMNS)})", [v[c] for c in COLUMNS])
        if run in UNMATCHED:
            execute("INSERT INTO review_unmatched_items (run_id, items) VALUES (?, ?)",
                    (run, UNMATCHED[run]))
    for n in (1, 2, 3, 1500, 2301):  # flags on verdicts of run 1 (p1, p2, p3: run 3 too)
        execute("INSERT INTO review_flags (item_key, paper_source, verdict, status,"
                " first_run_id, first_flagged_at, last_run_id) VALUES (?, 'paper.csv', ?,"
                " 'open', 1, '2026-11-24T01:00:00+00:00', 1)", (f"p{n}", VERDICTS[n % 4]))


@pytest.mark.both_backends
def test_runs_stored_before_the_migration_read_the_same_after_it(
        store_location: Path | str, db_path: Path) -> None:
    before_migration(store_location, db_path, MIGRATION, _old_database)

    store = open_store(store_location)
    try:
        for run, verdicts in OLD.items():  # every column, every verdict, byte for byte
            assert store.review_verdicts(run) == sorted(verdicts, key=lambda v: v["item_key"])
        assert store.review_unmatched_text(1) == UNMATCHED[1]
        assert store.review_unmatched(1) == json.loads(UNMATCHED[1])
        assert store.review_unmatched_text(2) == "[]" and store.review_unmatched(2) == []
        assert store.review_unmatched_text(3) is None and store.review_unmatched(3) == []

        by_key = {v["item_key"]: v for v in OLD[1]}
        flags = store.review_flags(1)  # its flagged verdicts: p1500 is 'in_sih', not listed
        assert sorted(f.item_key for f in flags) == ["p1", "p2", "p2301", "p3"]
        for flag in flags:
            old = by_key[flag.item_key]
            assert flag.reason_tree == old["reason"]
            assert asdict(flag.identity) == json.loads(old["identity"])
            assert flag.ward_code == (old["ward_code"] or "") and flag.search == old["search"]
        detail = store.review_flag_detail(1, "p2301")
        assert detail is not None
        old = by_key["p2301"]
        assert detail.paper == json.loads(old["paper"]) and detail.sih == json.loads(old["sih"])
        assert detail.row.reason_tree == old["reason"]
        of_run_3 = store.review_flag_detail(3, "p3")  # run 3's own p3, with its own texts
        assert of_run_3 is not None and of_run_3.paper == json.loads(OLD[3][3]["paper"])
        assert of_run_3.row.reason_tree == OLD[3][3]["reason"]
        for gone in ("review_unmatched_items", "review_verdicts_0013"):
            with pytest.raises(Exception, match=gone):
                store.sql.rows(f"SELECT count(*) FROM {gone}")
    finally:
        store.close()
