"""A typical outage end to end: files in, verdicts out, every step timed (goal ≤ 2 s).

50,000 items re-entered from paper (40 per patient over 12 hours), 300 patients admitted under
a temporary identity, and what the SIH holds after recovery (``outage_scenario.py``: the copies
with their defects, monitors on one patient in ten, lab results; 150,000 items by default),
plus the SIH's patient file (the outage's patients and 20,000 others by default). From the
files, as ``reentry reconcile`` would:

1. read the paper items and the SIH export (item CSV);
2. link the temporary identities to the SIH's patients (``link_identity_files``, links.csv)
   and put the linked IPP on their paper items (identities left to review keep theirs: their
   items stay "missing" until the identity cell decides);
3. match every paper item (``reconcile``) and write verdicts.csv with its reasons.

The files are written once per size and seed in the work folder and reused; the timed part
starts with the files on disk. Precision and recall per verdict are printed too. No assertion
on time.

    .venv/bin/python bench/bench_outage_e2e.py [--paper 50000] [--temporary 300]
        [--sih 150000] [--patients 20000] [--seed 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_reconcile import align_identical, report  # noqa: E402
from outage_scenario import read_truth, scenario, write_scenario  # noqa: E402

from reentry.reconcile.identity import link_identity_files  # noqa: E402
from reentry.reconcile.items import read_item_table, reconcile, write_verdicts_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", type=int, default=50_000)
    parser.add_argument("--temporary", type=int, default=300)
    parser.add_argument("--sih", type=int, default=150_000)
    parser.add_argument("--patients", type=int, default=20_000,
                        help="SIH patients in the patient file besides the outage's")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "reentry-bench-e2e")
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"load average (1 min) before the run: {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs")
    folder = args.workdir / (f"p{args.paper}-t{args.temporary}-s{args.sih}-"
                             f"n{args.patients}-seed{args.seed}")
    if not (folder / "identity_truth.csv").exists():
        started = time.perf_counter()
        write_scenario(folder, scenario(args.paper, args.sih, args.seed, per_patient=40,
                                        temporary=args.temporary,
                                        extra_patients=args.patients, monitored_every=10))
        print(f"scenario written to {folder} in {time.perf_counter() - started:.1f} s")

    steps: list[tuple[str, float]] = []
    began = clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps.append((name, now - clock))
        clock = now

    paper = read_item_table(folder / "paper.csv", paper=True)
    step(f"read paper items ({len(paper):,})")
    sih = read_item_table(folder / "sih.csv")
    step(f"read SIH items ({len(sih):,})")
    summary = link_identity_files(folder / "temporary.csv", folder / "patients.csv",
                                  folder / "links.csv")
    with (folder / "links.csv").open(encoding="utf-8-sig") as handle:
        links = {r["id_left"]: r["id_right"] for r in csv.DictReader(handle)
                 if r["decision"] == "link"}
    paper.ipp = [links.get(ipp, ipp) for ipp in paper.ipp]
    step(f"link {summary.total} temporary identities ({summary.link} linked, "
         f"{summary.review} to review)")
    result = reconcile(paper, sih)
    step("match")
    write_verdicts_csv(result, folder / "verdicts.csv")
    step("write verdicts.csv")
    total = time.perf_counter() - began

    with (folder / "patients.csv").open(encoding="utf-8") as handle:
        patients = sum(1 for _ in handle) - 1
    print(f"\n{len(paper):,} paper items, {len(sih):,} SIH items, {summary.total} temporary "
          f"identities against {patients:,} SIH patients")
    for name, seconds in steps:
        print(f"  {name:<55} {seconds:6.2f} s")
    print(f"end to end: {total:.2f} s (goal ≤ 2 s); {result.counts()}")

    truth, identity_truth = read_truth(folder)
    with (folder / "verdicts.csv").open(encoding="utf-8") as handle:
        verdicts = {r["item_id"]: r["verdict"] for r in csv.DictReader(handle)}
    truth, _ = align_identical(truth, verdicts, paper)
    wrong = sum(1 for t, ipp in links.items() if identity_truth.get(t) != ipp)
    waiting = {i for i, t in truth.items() if t.temporary and t.temporary not in links}
    print(f"identity links: {len(links)} of {len(identity_truth)} ({wrong} wrong); "
          f"{len(waiting)} paper items wait for an identity decision (left out below)")
    report({i: v for i, v in verdicts.items() if i not in waiting}, truth,
           "paper items with a known patient")


if __name__ == "__main__":
    main()
