"""Migration 0009 — Local passwords (argon2id hashes) and the failed sign-ins that rate-limit."""

from __future__ import annotations

from typing import Any

from reentry.store.schema import migration


@migration("0009_passwords")
def _passwords(db: Any) -> None:
    """A user without a hash has no local password (a directory account, or one created before
    passwords: an admin sets it). Failed sign-ins are rows in the database, not counters in a
    PC's memory, so that the limit holds across every PC on the same server."""
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN password_hash TEXT;
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_by_name ON sign_in_failures(username, at);
        """
    )
