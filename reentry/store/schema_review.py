"""Migration 0008 — Reconciliation runs, their verdicts, and the quality team's resolutions."""

from __future__ import annotations

from sqlite_utils import Database

from reentry.store.schema import migration


@migration("0008_review")
def _review(db: Database) -> None:
    """Every run kept whole (so a flag can be shown without re-running), flags keyed by the paper
    item so that a resolution outlives the run that raised it, identity decisions append-only."""
    db.executescript(
        """
        CREATE TABLE review_runs (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            sih_files TEXT NOT NULL,
            paper_source TEXT NOT NULL,
            paper_sha256 TEXT,
            counts TEXT NOT NULL,
            unmatched INTEGER NOT NULL,
            identity_counts TEXT NOT NULL DEFAULT '{}',
            flag_changes TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE review_verdicts (
            run_id INTEGER NOT NULL REFERENCES review_runs(id),
            item_key TEXT NOT NULL,
            verdict TEXT NOT NULL,
            ipp TEXT,
            temporary_id TEXT,
            identity TEXT NOT NULL DEFAULT '{}',
            search TEXT NOT NULL DEFAULT '',
            ward_code TEXT,
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            effective_time TEXT NOT NULL,
            sih_ids TEXT NOT NULL,
            score REAL NOT NULL,
            differs_on TEXT NOT NULL,
            reason TEXT NOT NULL,  -- message tree (JSON), rendered when read: review/reasons.py
            paper TEXT NOT NULL,  -- the paper item as it was (JSON)
            sih TEXT NOT NULL,  -- its SIH copies as they were (JSON list)
            serial INTEGER,
            page INTEGER,
            PRIMARY KEY (run_id, item_key)
        );
        CREATE INDEX review_verdicts_verdict ON review_verdicts(run_id, verdict);
        CREATE TABLE review_unmatched (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES review_runs(id),
            sih_id TEXT NOT NULL,
            ipp TEXT,
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            effective_time TEXT NOT NULL,
            item TEXT NOT NULL
        );
        CREATE INDEX review_unmatched_run ON review_unmatched(run_id);
        CREATE TABLE review_flags (
            id INTEGER PRIMARY KEY,
            item_key TEXT NOT NULL UNIQUE,
            paper_source TEXT NOT NULL,
            verdict TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
            first_run_id INTEGER NOT NULL REFERENCES review_runs(id),
            first_flagged_at TEXT NOT NULL,
            last_run_id INTEGER NOT NULL REFERENCES review_runs(id),
            closed_at TEXT,
            closed_by INTEGER REFERENCES users(id),
            closed_by_run INTEGER REFERENCES review_runs(id),
            resolution TEXT,
            comment TEXT,
            previous TEXT
        );
        CREATE TABLE review_flag_events (
            id INTEGER PRIMARY KEY,
            flag_id INTEGER NOT NULL REFERENCES review_flags(id),
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            run_id INTEGER REFERENCES review_runs(id),
            verdict TEXT,
            resolution TEXT,
            comment TEXT
        );
        CREATE INDEX review_flag_events_flag ON review_flag_events(flag_id);
        CREATE TABLE review_identities (
            run_id INTEGER NOT NULL REFERENCES review_runs(id),
            left_id TEXT NOT NULL,
            decision TEXT NOT NULL,
            right_id TEXT,
            score REAL NOT NULL,
            fields TEXT NOT NULL,
            reason TEXT NOT NULL,
            traits TEXT NOT NULL,
            applied_right_id TEXT,
            PRIMARY KEY (run_id, left_id)
        );
        CREATE TABLE review_identity_candidates (
            run_id INTEGER NOT NULL REFERENCES review_runs(id),
            left_id TEXT NOT NULL,
            rank INTEGER NOT NULL,
            right_id TEXT NOT NULL,
            score REAL NOT NULL,
            fields TEXT NOT NULL,
            traits TEXT NOT NULL,
            PRIMARY KEY (run_id, left_id, rank)
        );
        CREATE TABLE identity_decisions (
            id INTEGER PRIMARY KEY,
            left_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('link', 'no_match', 'undo_link')),
            right_id TEXT,
            user_id INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL,
            run_id INTEGER REFERENCES review_runs(id),
            comment TEXT
        );
        CREATE INDEX identity_decisions_left ON identity_decisions(left_id, id);
        """
    )
