"""Migration 0013 — A run's bulky JSON texts kept compressed, by part (``review_texts``).

Each verdict's ``identity``, ``reason``, ``paper`` and ``sih`` leave ``review_verdicts`` for
``review_texts``, the texts of up to ``review_texts.PART`` verdicts together, compressed; the
verdict's row says where its own are. The unmatched SIH items (migration 0012's one JSON array
per run) go there too, compressed. Storing a run of a 50k-item outage wrote some 90 MB before,
twice (log, then file); the texts read back are the very same (``reentry.store.review_texts``).

Runs stored before are converted here, a run at a time and ``PART`` verdicts at a time (a
database of many runs is never held whole), on both engines alike.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from reentry.store.review_texts import PART, UNMATCHED, VERDICT_TEXTS, pack, pack_slices
from reentry.store.schema import migration

# review_verdicts as 0008 made it, less the texts: the columns kept, in their order.
KEPT = ("run_id", "item_key", "verdict", "ipp", "temporary_id", "search", "ward_code", "kind",
        "code", "effective_time", "sih_ids", "score", "differs_on", "serial", "page")


@migration("0013_review_texts_compressed")
def _texts_compressed(db: Any) -> None:
    db.executescript(
        """
        CREATE TABLE review_texts (
            run_id INTEGER NOT NULL REFERENCES review_runs(id),
            name TEXT NOT NULL,  -- a review_verdicts column (identity, reason, paper, sih),
                                 -- or 'unmatched' (unmatched SIH items of the run)
            part INTEGER NOT NULL,
            texts BLOB NOT NULL,  -- zlib: texts joined by newlines (a column of verdicts),
                                  -- or a slice of the JSON array (unmatched)
            PRIMARY KEY (run_id, name, part)
        );
        CREATE TABLE review_verdicts_0013 (
            run_id INTEGER NOT NULL REFERENCES review_runs(id),
            item_key TEXT NOT NULL,
            verdict TEXT NOT NULL,
            ipp TEXT,
            temporary_id TEXT,
            search TEXT NOT NULL DEFAULT '',
            ward_code TEXT,
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            effective_time TEXT NOT NULL,
            sih_ids TEXT NOT NULL,
            score REAL NOT NULL,
            differs_on TEXT NOT NULL,
            serial INTEGER,
            page INTEGER,
            texts_part INTEGER NOT NULL,  -- its identity, reason, paper and sih in review_texts
            texts_row INTEGER NOT NULL,  -- (this part, this place in it)
            PRIMARY KEY (run_id, item_key)
        );
        """
    )
    conn = db.conn  # sqlite3's connection, or the server's ``SqlConnection``: both take ``?``
    runs = [r[0] for r in conn.execute("SELECT id FROM review_runs ORDER BY id").fetchall()]
    columns = ", ".join(KEPT)
    for run_id in runs:
        _verdicts(conn, run_id, columns)
        items = conn.execute("SELECT items FROM review_unmatched_items WHERE run_id = ?",
                             (run_id,)).fetchall()
        for part, blob in enumerate(pack_slices(items[0][0]) if items else []):
            conn.execute("INSERT INTO review_texts (run_id, name, part, texts)"
                         " VALUES (?, ?, ?, ?)", (run_id, UNMATCHED, part, blob))
    db.executescript(
        """
        DROP TABLE review_unmatched_items;
        DROP TABLE review_verdicts;
        ALTER TABLE review_verdicts_0013 RENAME TO review_verdicts;
        CREATE INDEX review_verdicts_verdict ON review_verdicts(run_id, verdict);
        """
    )


def _verdicts(conn: Any, run_id: int, columns: str) -> None:
    """A run's verdicts, ``PART`` at a time in key order, into the new table and their texts
    into ``review_texts``."""
    marks = ", ".join("?" for _ in KEPT)
    select = f"SELECT {columns}, {', '.join(VERDICT_TEXTS)} FROM review_verdicts WHERE run_id = ?"
    after: str | None = None
    for part in count():
        rows = conn.execute(
            f"{select} ORDER BY item_key LIMIT ?", (run_id, PART)) if after is None else \
            conn.execute(f"{select} AND item_key > ? ORDER BY item_key LIMIT ?",
                         (run_id, after, PART))
        rows = rows.fetchall()
        if not rows:
            return
        conn.executemany(
            f"INSERT INTO review_verdicts_0013 ({columns}, texts_part, texts_row)"
            f" VALUES ({marks}, ?, ?)",
            [(*r[:len(KEPT)], part, n) for n, r in enumerate(rows)])
        for at, name in enumerate(VERDICT_TEXTS, start=len(KEPT)):
            conn.execute("INSERT INTO review_texts (run_id, name, part, texts)"
                         " VALUES (?, ?, ?, ?)", (run_id, name, part, pack([r[at] for r in rows])))
        after = rows[-1][1]
