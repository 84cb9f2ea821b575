"""Re-entry progress at scale: the sheets and their states, the per-ward counts, and each
operator's pace over the time worked (every row's time read back, sittings found in Python).

Builds the outage demo (``--patients``) in a temporary folder, then times what the progress
screen and ``reentry progress`` do on refresh; then the pace rule alone on ``--rows``
synthetic row times (one operator typing in sittings with breaks). Prints seconds; no
assertion on time.

    .venv/bin/python bench/bench_progress.py [--patients 1000] [--rows 500000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reentry.demo.outage import create_outage_demo
from reentry.entry.progress import operator_pace, operators, ward_progress
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def timed(label: str, work):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = work()
    print(f"{label:<48} {time.perf_counter() - began:8.3f} s")
    return result


def synthetic_times(rows: int, seed: int) -> list[datetime]:
    """Rows 20 s to 4 min apart, a break of 20 min to 3 h every 30 to 120 rows."""
    rng = random.Random(seed)
    moment, times, until_break = AS_OF, [], rng.randint(30, 120)
    for _ in range(rows):
        times.append(moment)
        until_break -= 1
        if until_break == 0:
            moment += timedelta(minutes=rng.randint(20, 180))
            until_break = rng.randint(30, 120)
        else:
            moment += timedelta(seconds=rng.randint(20, 240))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "progress.sqlite"
        store = open_store(db)
        try:
            timed(f"outage demo, {args.patients} patients", lambda: create_outage_demo(
                store, Path(folder) / "pdf", patients=args.patients, seed=args.seed,
                as_of=AS_OF))
            sheets = timed("tracked sheets (states of every sheet)", lambda: tracked_sheets(store))
            wards = timed("counts per ward", lambda: ward_progress(sheets))
            people = timed("operators' pace (every row's time)", lambda: operators(store))
        finally:
            store.close()
        rows = sum(p.rows for p in people)
        print(f"{len(sheets)} sheets expected back in {len(wards)} wards, {rows} rows typed by "
              f"{len(people)} operators")
        for person in people:
            rate = person.rows_per_hour
            print(f"  {person.username}: {person.rows} rows, {person.worked} worked in "
                  f"{person.sittings} sittings, {rate:.1f} rows/h" if rate else
                  f"  {person.username}: {person.rows} rows")
    times = synthetic_times(args.rows, args.seed)
    pace = timed(f"pace rule on {args.rows} row times", lambda: operator_pace("x", "X", times))
    span = (pace.last_at - pace.first_at) if pace.first_at and pace.last_at else timedelta(0)
    print(f"  {pace.sittings} sittings, {pace.worked} worked of {span} from first to last row: "
          f"{pace.rows_per_hour:.1f} rows/h over the time worked, "
          f"{pace.rows / (span.total_seconds() / 3600):.1f} rows/h from first to last")


if __name__ == "__main__":
    main()
