"""The quality review at scale: store a run with thousands of flags, load them, filter them.

A synthetic paper CSV (vital signs of many patients) against an SIH export that lacks some and
changes others; two runs (the second after a "newer export" that fixes some), then the review
window's reads: every flag of a run, the patient search, and one flag's detail. Prints seconds;
no assertion on time.

    .venv/bin/python bench/bench_review.py [--items 20000] [--patients 400] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reentry.domain.entry import Role
from reentry.entry import service
from reentry.reconcile_run import run_reconciliation
from reentry.review.filters import FlagFilter
from reentry.store import open_store

HEADER = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def write_files(folder: Path, items: int, patients: int, seed: int) -> tuple[Path, Path, Path]:
    rng = random.Random(seed)
    paper, sih_old, sih_new = [HEADER], [HEADER], [HEADER]
    for n in range(items):
        ipp = str(100000 + rng.randrange(patients))
        moment = (START + timedelta(minutes=15 * (n % 48))).isoformat()
        value = rng.randint(55, 110)
        line = f"{{id}},{ipp},,vital_sign,8867-4,{{value}},/min,,{moment},AB,\n"
        paper.append(line.format(id=f"p{n}", value=value))
        draw = rng.random()
        if draw < 0.1:  # missing, entered before the newer export half of the time
            if rng.random() < 0.5:
                sih_new.append(line.format(id=f"n{n}", value=value))
            continue
        if draw < 0.2:  # differs in the first export, fixed in the newer one
            sih_old.append(line.format(id=f"s{n}", value=value + 7))
            sih_new.append(line.format(id=f"s{n}", value=value))
            continue
        sih_old.append(line.format(id=f"s{n}", value=value))
        sih_new.append(line.format(id=f"s{n}", value=value))
    paths = folder / "paper.csv", folder / "sih-1.csv", folder / "sih-2.csv"
    for path, lines in zip(paths, (paper, sih_old, sih_new), strict=True):
        path.write_text("".join(lines), encoding="utf-8")
    return paths


def timed(label: str, work):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = work()
    print(f"{label:<42} {time.perf_counter() - began:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        paper, sih_old, sih_new = write_files(folder, args.items, args.patients, args.seed)
        store = open_store(folder / "bench.sqlite")
        quality = service.add_user(store, "qualite", "Qualité", Role.QUALITY)
        first = timed("run 1 (match, CSV, PDF, store)", lambda: run_reconciliation(
            store, [sih_old], paper, folder / "out1", user=quality))
        print(f"  flags: {first.flag_changes}")
        second = timed("run 2 after a newer export", lambda: run_reconciliation(
            store, [sih_new], paper, folder / "out2", user=quality))
        print(f"  flags: {second.flag_changes}")
        rows = timed("load every flag of run 2", lambda: store.review_flags(second.run_id))
        print(f"  {len(rows)} rows")
        found = timed("patient search « 10012 » over them",
                      lambda: FlagFilter(patient="10012").apply(rows))
        print(f"  {len(found)} rows")
        timed("one flag's detail (side by side)",
              lambda: store.review_flag_detail(second.run_id, rows[-1].item_key))
        store.close()


if __name__ == "__main__":
    main()
