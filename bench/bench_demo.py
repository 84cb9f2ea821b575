"""Demo hospital throughput: time to generate the batch, then to store it in a fresh SQLite file.

The target is 1,000 patients generated and stored in under 20 s on a two-core machine. Prints
the figures; no assertion on time.

    .venv/bin/python bench/bench_demo.py [--patients 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from reentry.demo import generate_hospital
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    batch = generate_hospital(args.patients, args.seed, AS_OF)
    generated = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "demo.sqlite")
        start = time.perf_counter()
        store.apply_import(batch)
        stored = time.perf_counter() - start
        rows = store.counts()
        store.close()

    total = generated + stored
    records = sum(batch.counts().values())
    print(f"generate: {args.patients} patients, {records:,} records in {generated:.2f} s "
          f"= {args.patients / generated:,.0f} patients/s")
    print(f"store:    {sum(rows.values()):,} rows in {stored:.2f} s "
          f"= {args.patients / stored:,.0f} patients/s")
    print(f"total:    {total:.2f} s = {args.patients / total:,.0f} patients/s")
    print("rows:     " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))


if __name__ == "__main__":
    main()
