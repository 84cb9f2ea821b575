"""What the stored reconciliation run of the bench's 50k-item outage leaves behind, as hashes:
verdicts.csv of each run and every review_* table (with the review audit lines), so that a change
made for speed can be shown to store and write exactly the same thing. What the store gives back
is compared too, as the review screens, reports and exports read it: every verdict with every
column (``stored_run_rows``), the unmatched items, the flags of each run, the detail of every
seventh flag, and the verdicts and flags of a quality report; where the stored form changed
(migration 0013 compresses the texts), these are what must stay the same.

Two runs on a fresh SQLite file, as tests/test_review_stored_run.py does on a small outage: the
second after a newer SIH export (every seventh SIH item gone) and a third of the first run's open
flags resolved, so flags are kept, opened, closed and reopened.

    .venv/bin/python bench/reconcile_run_fingerprint.py --out before.json
    .venv/bin/python bench/reconcile_run_fingerprint.py --out after.json --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from outage_scenario import scenario, write_scenario  # noqa: E402
from stored_run_rows import stored_rows  # noqa: E402

from reentry.domain.entry import Role  # noqa: E402
from reentry.domain.events import EventKind  # noqa: E402
from reentry.entry import service as entry_service  # noqa: E402
from reentry.reconcile_run import run_reconciliation  # noqa: E402
from reentry.review import service  # noqa: E402
from reentry.store import SqlStore, open_store  # noqa: E402

RUN_1 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
RUN_2 = RUN_1 + timedelta(hours=3)



def outage_files(workdir: Path) -> Path:
    """The bench's default outage (bench_store_backends.py's files), and ``sih2.csv``."""
    files = workdir / "p50000-t300-s150000-n20000-seed3"
    if not (files / "identity_truth.csv").exists():
        write_scenario(files, scenario(50_000, 150_000, 3, per_patient=40, temporary=300,
                                       extra_patients=20_000, monitored_every=10))
    newer = files / "sih2.csv"
    if not newer.exists():
        header, *lines = (files / "sih.csv").read_text(encoding="utf-8").splitlines(True)
        newer.write_text(header + "".join(line for n, line in enumerate(lines) if n % 7 != 3),
                         encoding="utf-8")
    return files


def _digest(rows: list[Any]) -> str:
    text = json.dumps(rows, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(files: Path, folder: Path) -> dict[str, str]:
    store = open_store(folder / "reentry.sqlite")
    try:
        quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
        out: dict[str, str] = {}

        def run(sih: str, now: datetime, name: str) -> int:
            outcome = run_reconciliation(
                store, [files / sih], files / "paper.csv", folder / name, user=quality,
                identities_left=files / "temporary.csv", sih_patients=files / "patients.csv",
                now=now)
            out[f"{name} verdicts.csv"] = hashlib.sha256(
                outcome.verdicts_csv.read_bytes()).hexdigest()
            assert outcome.run_id is not None
            return outcome.run_id

        first = run("sih.csv", RUN_1, "run1")
        for n, flag in enumerate(f for f in store.review_flags(first) if f.status == "open"):
            if n % 3 == 0:
                service.resolve_flag(store, quality, flag.item_key, "paper_error",
                                     now=RUN_1 + timedelta(minutes=n))
        run("sih2.csv", RUN_2, "run2")
        for table, rows in stored_rows(store).items():
            out[f"{table} ({len(rows)} rows)"] = _digest(rows)
        runs = [r.id for r in store.review_runs()]
        out["unmatched items as stored, per run"] = _digest(_unmatched_texts(store, runs))
        out["unmatched items as read (review_unmatched)"] = _digest(
            [store.review_unmatched(run) for run in runs])
        flags = {run: store.review_flags(run) for run in runs}  # what the review screen lists
        out["flags as read (review_flags), per run"] = _digest(
            [[asdict(f) for f in flags[run]] for run in runs])
        out["flag details as read (review_flag_detail), every 7th flag"] = _digest(
            [asdict(store.review_flag_detail(run, f.item_key))  # type: ignore[arg-type]
             for run in runs for f in flags[run][::7]])
        # The quality report and audit pack of an outage covering every paper item (the CSV's
        # items belong to an event by their time, in any ward): its verdicts and flags.
        event, _ = store.insert_outage_event(
            kind=EventKind.REAL, title="fingerprint", planned=True,
            started_at=RUN_1 - timedelta(days=30), wards=None, systems=[], user=quality)
        out["report verdicts as read (report_verdicts)"] = _digest(
            store.report_verdicts(event.id))
        out["report flags as read (report_flags)"] = _digest(store.report_flags(event.id))
        return out
    finally:
        store.close()


def _unmatched_texts(store: SqlStore, runs: list[int]) -> list[list[Any]]:
    """Each run's unmatched items as one JSON array of their stored text: one row per item
    before migration 0012 (joined here in their order), one array per run after it, that
    array compressed in ``review_texts`` after 0013 (the text read back)."""
    tables = {r["name"] for r in store.sql.rows("SELECT name FROM sqlite_master")}
    if "review_texts" in tables:
        return [[run, store.review_unmatched_text(run) or "[]"] for run in sorted(runs)]
    if "review_unmatched" in tables:
        return [[run, "[" + ", ".join(r["item"] for r in store.sql.rows(
            "SELECT item FROM review_unmatched WHERE run_id = ? ORDER BY id", (run,))) + "]"]
            for run in sorted(runs)]
    found = {r["run_id"]: r["items"] for r in store.sql.rows(
        "SELECT run_id, items FROM review_unmatched_items")}
    return [[run, found.get(run, "[]")] for run in sorted(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the hashes")
    parser.add_argument("--compare", type=Path, help="hashes of an earlier version")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "reentry-bench-e2e")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        prints = fingerprint(outage_files(args.workdir), Path(folder))
    args.out.write_text(json.dumps(prints, indent=1) + "\n", encoding="utf-8")
    for name, digest in prints.items():
        print(f"{digest}  {name}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        for name in sorted(before.keys() ^ prints.keys()):  # a table a migration replaced
            print(f"only in {'before' if name in before else 'now'}: {name}")
        differ = [k for k in before.keys() & prints.keys() if before[k] != prints[k]]
        print("identical" if not differ else f"DIFFERENT: {', '.join(sorted(differ))}")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
