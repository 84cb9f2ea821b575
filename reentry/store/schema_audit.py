"""Migration 0010 — The audit trail becomes a hash chain (``reentry.store.audit_chain``)."""

from __future__ import annotations

from typing import Any

from reentry.store.audit_chain import chain_existing
from reentry.store.schema import migration


@migration("0010_audit_chain")
def _audit_chain(db: Any) -> None:
    """Each record gets its rank, its predecessor's hash and its own; records written before
    are chained here, in the order they were written (by id), so that the trail is whole from
    its first line. The head row is created by the first writer, or here when there are
    records already (a new database stays empty, hence copyable into)."""
    db.executescript(
        """
        ALTER TABLE audit_log ADD COLUMN seq INTEGER;
        ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit_log ADD COLUMN hash TEXT;
        CREATE UNIQUE INDEX audit_log_seq ON audit_log(seq);
        CREATE TABLE audit_chain_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            record_id INTEGER
        );
        """
    )
    conn = db.conn  # sqlite3's connection, or the server's ``SqlConnection``: both take ``?``
    rows = conn.execute("SELECT id, at, user_id, action, subject, record_id, detail"
                        " FROM audit_log ORDER BY id").fetchall()
    chained = chain_existing(rows)
    conn.executemany("UPDATE audit_log SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     chained)
    if chained:
        seq, _prev, digest, record = chained[-1]
        conn.execute("INSERT INTO audit_chain_head (id, seq, hash, record_id) VALUES (1, ?, ?, ?)",
                (seq, digest, record))
