"""Item reconciliation: precision and recall per verdict on a scenario with ground truth, and speed.

The scenario (``outage_scenario.py``: omissions, duplicates, changed values, doses, routes and
statuses, brand ↔ INN swaps, typos, time jitter, monitor readings as confounders, temporary
identities) is written once per size and seed as item CSV files, then each run:

1. reads both files into columns (``read_item_table``), timed apart from the matching;
2. links the temporary identities to the SIH's patients (``link_identity_files``) and puts the
   linked IPP on their paper items; items of identities left to review keep the temporary id;
3. matches (``reconcile``), then builds the verdicts with their reasons and writes verdicts.csv,
   each timed on its own;
4. prints precision and recall per verdict: all paper items, those with and without monitor
   readings of the same code around them, those written under a linked temporary identity.

Speed is given as paper items per second and as items per second counting both sides.
``--objects`` also times ``reconcile`` on lists of item objects (the API's other input). No
assertion on time.

    .venv/bin/python bench/bench_reconcile.py [--paper 100000] [--sih 1000000] [--seed 1]
        [--temporary 30] [--anonymous] [--objects]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from outage_scenario import Truth, read_truth, scenario, write_scenario  # noqa: E402

from reentry.reconcile.identity import link_identity_files  # noqa: E402
from reentry.reconcile.items import (  # noqa: E402
    ItemTable,
    read_item_table,
    reconcile,
    write_verdicts_csv,
)

VERDICTS = ("in_sih", "differs", "missing", "duplicate")


def report(verdicts: dict[str, str], truth: dict[str, Truth], label: str) -> None:
    pairs = Counter((truth[i].verdict, v) for i, v in verdicts.items())
    print(f"\n{label}: {len(verdicts)} paper items")
    print(f"{'verdict':<10} {'truth':>7} {'found':>7} {'right':>7} {'precision':>9} {'recall':>7}")
    for name in VERDICTS:
        right = pairs[(name, name)]
        expected = sum(c for (t, _), c in pairs.items() if t == name)
        found = sum(c for (_, v), c in pairs.items() if v == name)
        precision = right / found if found else 1.0
        recall = right / expected if expected else 1.0
        print(f"{name:<10} {expected:>7} {found:>7} {right:>7} {precision:>9.4f} {recall:>7.4f}")
    wrong = Counter({k: c for k, c in pairs.items() if k[0] != k[1]})
    if wrong:
        print("confusions (truth → verdict):",
              ", ".join(f"{t}→{v}: {c}" for (t, v), c in wrong.most_common()))


def align_identical(truth: dict[str, Truth], verdicts: dict[str, str], paper: ItemTable,
                    with_author: bool = True) -> tuple[dict[str, Truth], int]:
    """Expected verdicts of paper items identical in every field (patient, kind, code, time,
    value, unit, route, status, text, and author unless the SIH gives none) re-dealt among
    them to agree best with the verdicts: nothing can tell such items apart, so their
    verdicts are compared up to order."""
    classes: dict[tuple, list[str]] = {}
    for row, item_id in enumerate(paper.ids):
        key = (paper.ipp[row], paper.kinds[row], paper.code[row], float(paper.time[row]),
               repr(float(paper.value[row])), paper.value_text[row], paper.unit[row],
               paper.route[row], paper.status[row], paper.text[row],
               paper.author[row] if with_author else "")
        classes.setdefault(key, []).append(item_id)
    aligned = dict(truth)
    shared = 0
    for members in classes.values():
        if len(members) < 2:
            continue
        shared += len(members)
        labels = _likeliest_labels(Counter(truth[i].verdict for i in members),
                                   Counter(verdicts[i] for i in members))
        unplaced = []
        for item_id in members:
            if labels[verdicts[item_id]] > 0:
                labels[verdicts[item_id]] -= 1
                aligned[item_id] = Truth(verdicts[item_id], truth[item_id].monitored,
                                         truth[item_id].temporary)
            else:
                unplaced.append(item_id)
        rest = list(labels.elements())
        for item_id, label in zip(unplaced, rest, strict=True):
            aligned[item_id] = Truth(label, truth[item_id].monitored, truth[item_id].temporary)
    return aligned, shared


def _likeliest_labels(labels: Counter, found: Counter) -> Counter:
    """Among identical paper items, a ``duplicate`` and a ``missing`` one leave two equal
    copies for two identical items: by every field, the second copy of the first is a copy of
    the second, so the pair reads as well as two ``in_sih`` (the generator's labels are one of
    two equally valid readings). Of these readings, the one closest to the verdicts found."""
    def agreement(candidate: Counter) -> int:
        return sum(min(n, found[name]) for name, n in candidate.items())

    best = labels
    for pairs in range(1, min(labels["duplicate"], labels["missing"]) + 1):
        candidate = labels - Counter(duplicate=pairs, missing=pairs) + Counter(in_sih=2 * pairs)
        if agreement(candidate) > agreement(best):
            best = candidate
    return Counter(best)


def align_shared_copies(truth: dict[str, Truth], verdicts: dict[str, str],
                        matched: dict[str, tuple[str, ...]], paper: ItemTable, sih: ItemTable,
                        with_author: bool = True) -> tuple[dict[str, Truth], int]:
    """Two paper items A and B of one patient and code, written at the same time (by the same
    author unless the SIH gives none), where B's SIH copy was changed into, field for field,
    the same item as A's own copy: that copy is as near to A as to B, so nothing in the data
    tells "A charted, B typed wrong" (A ``in_sih``, B ``differs``) from "A charted twice, B
    never" (A ``duplicate``, B ``missing``), and the other way round for a duplicate of A
    next to a missing B. Where the verdicts took the other reading (with that very copy, as
    ``matched`` shows), it is the expected one."""
    slots: dict[tuple, list[int]] = {}
    for row in range(len(paper)):
        key = (paper.ipp[row], paper.kinds[row], paper.code[row], float(paper.time[row]),
               paper.author[row] if with_author else "")
        slots.setdefault(key, []).append(row)
    members = [rows for rows in slots.values() if len(rows) > 1]
    wanted = {f"s{paper.ids[r]}{bis}" for rows in members for r in rows for bis in ("", "-bis")}
    at = {item_id: row for row, item_id in enumerate(sih.ids) if item_id in wanted}

    def copy(item_id: str) -> tuple | None:
        row = at.get(item_id)
        if row is None:
            return None
        return (sih.kinds[row], sih.code[row], repr(float(sih.value[row])), sih.value_text[row],
                sih.unit[row], sih.route[row], sih.status[row], sih.text[row],
                sih.author[row] if with_author else "")

    aligned = dict(truth)
    swapped: set[str] = set()

    def relabel(item_id: str, verdict: str) -> None:
        aligned[item_id] = Truth(verdict, truth[item_id].monitored, truth[item_id].temporary)
        swapped.add(item_id)

    for rows in members:
        ids = [paper.ids[r] for r in rows]
        for b in ids:
            for a in ids:
                if a == b or b in swapped:
                    continue
                own = copy(f"s{a}")
                if (truth[b].verdict == "differs" and verdicts[b] == "missing"
                        and truth[a].verdict in ("in_sih", "duplicate")
                        and verdicts[a] == "duplicate" and f"s{b}" in matched[a]
                        and own is not None and copy(f"s{b}") == own):
                    relabel(b, "missing")
                    relabel(a, "duplicate")
                elif (truth[b].verdict == "missing" and verdicts[b] == "differs"
                        and truth[a].verdict == "duplicate" and verdicts[a] == "in_sih"
                        and {*matched[a], *matched[b]} == {f"s{a}", f"s{a}-bis"}
                        and own is not None
                        and copy(f"s{a}-bis") == own):
                    relabel(b, "differs")
                    relabel(a, "in_sih")
    return aligned, len(swapped)


def link_temporary(folder: Path, paper: ItemTable) -> tuple[dict[str, str], float]:
    """Temporary id → linked IPP (decision ``link`` only), applied to the paper items."""
    started = time.perf_counter()
    out = folder / "links.csv"
    link_identity_files(folder / "temporary.csv", folder / "patients.csv", out)
    with out.open(encoding="utf-8-sig") as handle:
        links = {r["id_left"]: r["id_right"] for r in csv.DictReader(handle)
                 if r["decision"] == "link"}
    paper.ipp = [links.get(ipp, ipp) for ipp in paper.ipp]
    return links, time.perf_counter() - started


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", type=int, default=100_000)
    parser.add_argument("--sih", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--temporary", type=int, default=30,
                        help="patients admitted under a temporary identity")
    parser.add_argument("--anonymous", action="store_true",
                        help="an SIH export without any author")
    parser.add_argument("--objects", action="store_true",
                        help="also time reconcile() on lists of item objects")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "reentry-bench-reconcile")
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"load average (1 min) before the run: {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs")
    folder = args.workdir / (f"p{args.paper}-s{args.sih}-seed{args.seed}-t{args.temporary}"
                             + ("-anonymous" if args.anonymous else ""))
    if not (folder / "identity_truth.csv").exists():
        started = time.perf_counter()
        write_scenario(folder, scenario(args.paper, args.sih, args.seed,
                                        temporary=args.temporary, anonymous=args.anonymous))
        print(f"scenario written to {folder} in {time.perf_counter() - started:.1f} s")
    truth, identity_truth = read_truth(folder)

    started = time.perf_counter()
    paper = read_item_table(folder / "paper.csv", paper=True)
    read_paper = time.perf_counter() - started
    started = time.perf_counter()
    sih = read_item_table(folder / "sih.csv")
    read_sih = time.perf_counter() - started
    links, linking = link_temporary(folder, paper)
    started = time.perf_counter()
    result = reconcile(paper, sih)
    matching = time.perf_counter() - started
    started = time.perf_counter()
    write_verdicts_csv(result, folder / "verdicts.csv")
    writing = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = {v.item_id: v.verdict for v in result.verdicts}
    building = time.perf_counter() - started
    matched = {v.item_id: tuple(v.sih_ids) for v in result.verdicts}

    truth, identical = align_identical(truth, verdicts, paper, not args.anonymous)
    truth, swapped = align_shared_copies(truth, verdicts, matched, paper, sih,
                                          not args.anonymous)
    wrong_links = sum(1 for t, ipp in links.items() if identity_truth.get(t) != ipp)
    waiting = {i for i, t in truth.items() if t.temporary and t.temporary not in links}
    decided = {i: v for i, v in verdicts.items() if i not in waiting}
    print(f"\n{len(paper)} paper items, {len(sih)} SIH items; temporary identities: "
          f"{len(identity_truth)}, {len(links)} linked ({wrong_links} wrongly), "
          f"{len(waiting)} paper items waiting for an identity decision (left out below); "
          f"{identical} paper items identical to another one in every field"
          f"{'' if not args.anonymous else ' but the author (absent from this SIH export)'} "
          f"(their verdicts compared up to order); {swapped} paper items whose SIH copy is, "
          f"field for field, that of another paper item written at the same time (the verdicts' "
          f"reading of it accepted)")
    report(decided, truth, "all paper items with a known patient")
    report({i: v for i, v in decided.items() if not truth[i].monitored}, truth,
           "paper items without monitor readings of the same code")
    report({i: v for i, v in decided.items() if truth[i].monitored}, truth,
           "paper items with monitor readings of the same code around them")
    report({i: v for i, v in decided.items() if truth[i].temporary}, truth,
           "paper items written under a temporary identity, linked")

    both = len(paper) + len(sih)
    print(f"\nunmatched SIH items listed: {result.unmatched_count}")
    print(f"read paper CSV: {read_paper:.2f} s ({rate(len(paper), read_paper)}); "
          f"read SIH CSV: {read_sih:.2f} s ({rate(len(sih), read_sih)})")
    print(f"identity linking ({len(identity_truth)} temporary identities): {linking:.2f} s")
    print(f"matching: {matching:.2f} s; {rate(len(paper), matching)} paper items; "
          f"{rate(both, matching)} items counting both sides (goal ≥ 150,000/s)")
    print(f"verdicts.csv (reasons rendered): {writing:.2f} s; matching + verdicts.csv: "
          f"{matching + writing:.2f} s, {rate(len(paper), matching + writing)} paper items")
    print(f"Verdict objects with their message trees (built when first read): {building:.2f} s")
    if args.objects:
        paper_items, sih_items = paper.items(), sih.items()
        started = time.perf_counter()
        objects = reconcile(paper_items, sih_items)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        same = sum(1 for v in objects.verdicts if verdicts[v.item_id] == v.verdict)
        built = time.perf_counter() - started
        print(f"on item objects: matching {elapsed:.2f} s ({rate(len(paper), elapsed)} paper "
              f"items), verdicts {built:.2f} s; same verdicts: {same}/{len(paper)}")


if __name__ == "__main__":
    main()
