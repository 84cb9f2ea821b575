"""Every row a reconciliation run leaves in the store, in an order both engines give alike (a
flag's id stands for itself: both databases number flags in the order the run writes them).

Used to prove that a change leaves a run's results as they were (bench/reconcile_run_fingerprint
.py) and that both engines store the same (tests/test_review_stored_run.py). A run's unmatched SIH
items are compared apart, through what the store reads back, whatever table holds them.
"""

STORED = {
    "review_runs": "SELECT id, at, user_id, sih_files, paper_source, paper_sha256, counts,"
                   " unmatched, identity_counts, flag_changes FROM review_runs ORDER BY id",
    "review_verdicts": "SELECT * FROM review_verdicts ORDER BY run_id, item_key",
    "review_flags": "SELECT * FROM review_flags ORDER BY id",
    "review_flag_events": "SELECT * FROM review_flag_events ORDER BY id",
    "review_identities": "SELECT * FROM review_identities ORDER BY run_id, left_id",
    "review_identity_candidates": "SELECT * FROM review_identity_candidates"
                                  " ORDER BY run_id, left_id, rank",
    "flag audit": "SELECT action, record_id, detail FROM audit_log"
                  " WHERE subject IN ('review_flag', 'review_run') ORDER BY id",
}
