"""Item reconciliation scored on adversarial, labelled data written without reading the matcher.

The files come from ``bench/sih_variants.py`` (see its docstring for what varies, the labels
and the exclusion rules); they are written once per size, seed and round under the system temp
folder and reused. Printed: verdict accuracy, precision and recall per verdict against the
goals, recall per variation tag (so a failing variant shows), the confusions with example item
ids and their rows in both files, what the matcher said of the excluded items (for
information), and speed: paper items per second for the matching alone, and for the whole
(reading every file, matching, building the verdict rows), with the machine's load average
and the matching's CPU time (on a shared machine the wall-clock figure says more about the
others' load than about the matching). Figures only; nothing here asserts on time.

    .venv/bin/python bench/bench_reconcile_variants.py [--paper 20000] [--sih 200000] [--seed 7]
    .venv/bin/python bench/bench_reconcile_variants.py --round 2      # only the second round
    .venv/bin/python bench/bench_reconcile_variants.py --round 1      # only the first round
    .venv/bin/python bench/bench_reconcile_variants.py --paper 100000 --sih 1000000
    .venv/bin/python bench/bench_reconcile_variants.py --no-extras   # only the issue's variations

Rounds 2 and ``all`` (the default) deliver part of the SIH as FHIR R4 (a Bundle and NDJSON) and
HL7 v2.5 ORU^R01 files next to the item CSV: those are read by the public path of the
reconciliation (``reentry.reconcile_run.read_sih_and_patients``), the CSV by the column reader
(``read_item_table``, which ``read_sih`` uses too), and the two joined into one table
(``read_sih_side``; the tests check it gives the verdicts of ``read_sih``).

Excluded items (data that cannot decide, see the generator) are counted, never scored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sih_variants import ROUNDS, VERDICTS, Generated, TruthRow, cached, read_truth  # noqa: E402

from reentry.reconcile.csv_columns import Categorical  # noqa: E402
from reentry.reconcile.items import ItemTable, read_item_table, reconcile  # noqa: E402
from reentry.reconcile_run import read_sih_and_patients  # noqa: E402

GOALS = (("accuracy", None, 0.999), ("recall", "missing", 1.0),
         ("precision", "missing", 0.999), ("recall", "duplicate", 0.995))


def _join(first: Any, second: Sequence[Any]) -> Any:
    """One column of two tables: a ``Categorical`` stays one (its values extended)."""
    if isinstance(first, np.ndarray):
        return np.concatenate((first, np.asarray(second, dtype=first.dtype)))
    if not isinstance(first, Categorical):
        return [*first, *second]
    values = list(first.values)
    codes = first.codes % max(1, len(values))           # -1 stands for the last value
    number: dict[Any, int] = {}
    for index, value in enumerate(values):
        number.setdefault(value, index)
    more = []
    for value in second:
        if value not in number:
            number[value] = len(values)
            values.append(value)
        more.append(number[value])
    return Categorical(np.concatenate((codes, np.asarray(more, dtype=codes.dtype))), values)


def join_tables(first: ItemTable, second: ItemTable) -> ItemTable:
    names = ("ids", "ipp", "kinds", "kind", "code", "time", "value", "value_text", "unit",
             "route", "text", "nda", "author", "status")
    return ItemTable(**{name: _join(getattr(first, name), getattr(second, name))
                        for name in names}, paper=False)


def read_sih_side(paths: Generated) -> ItemTable:
    """Every SIH file: the item CSV as columns, the FHIR and HL7 files through the public
    reader of the reconciliation; one table."""
    table = read_item_table(paths.sih)
    if not paths.extra:
        return table
    items, _ = read_sih_and_patients(list(paths.extra))
    return join_tables(table, ItemTable.from_items(items))


def raw_rows(paths: Generated, ids: set[str]) -> dict[str, str]:
    """The rows as the files write them: a CSV line, a FHIR resource, an HL7 OBX and its PID."""
    found: dict[str, str] = {}
    for path in (paths.paper, paths.sih):
        with path.open(encoding="utf-8-sig") as handle:
            for line in handle:
                head = line.split(",", 1)[0].split(";", 1)[0]
                if head in ids:
                    found[head] = f"{path.name}: {line.rstrip()}"
    for path in paths.extra:
        if path.suffix in (".json", ".ndjson"):
            text = path.read_text(encoding="utf-8")
            resources = ([e["resource"] for e in json.loads(text)["entry"]]
                         if path.suffix == ".json" else
                         [json.loads(line) for line in text.splitlines() if line])
            for r in resources:
                label = f"fhir:{r['resourceType']}/{r.get('id')}"
                for rid in [i for i in ids if i == label or i.startswith(label + ":")]:
                    found[rid] = f"{path.name}: {json.dumps(r, ensure_ascii=False)}"
        else:
            pid = control = ""
            with path.open(encoding="utf-8", newline="") as handle:
                segments = handle.read().split("\r")
            for segment in segments:
                fields = segment.split("|")
                if fields[0] == "MSH":
                    control = fields[9]
                elif fields[0] == "PID":
                    pid = segment
                elif fields[0] == "OBX":
                    rid = f"hl7:DPI:{control}:OBX{fields[1]}"
                    if rid in ids:
                        found[rid] = f"{path.name}: {pid} / {segment}"
    return found


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def score(truth: Sequence[TruthRow], predicted: dict[str, tuple[str, str]],
          examples: int, paths: Generated | None = None) -> None:
    """Prints every quality figure for the scored (non-excluded) paper items."""
    excluded = Counter(t.excluded for t in truth if t.excluded)
    scored = [t for t in truth if not t.excluded]
    said: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truth:
        if t.excluded:
            said[t.excluded][predicted.get(t.record_id, ("(none)", ""))[0]] += 1
    print(f"paper items: {len(truth)}, scored: {len(scored)}, excluded: {sum(excluded.values())}"
          + "".join(f"\n  excluded {rule}: {n} (not scored; the matcher said "
                    + ", ".join(f"{v} {c}" for v, c in said[rule].most_common()) + ")"
                    for rule, n in sorted(excluded.items())))
    lost = [t.record_id for t in scored if t.record_id not in predicted]
    if lost:
        print(f"NO VERDICT for {len(lost)} paper items, e.g. {', '.join(lost[:5])}")
    got = {t.record_id: predicted.get(t.record_id, ("(none)", ""))[0] for t in scored}
    confusion = Counter((t.label, got[t.record_id]) for t in scored)
    correct = sum(n for (label, guess), n in confusion.items() if label == guess)
    accuracy = ratio(correct, len(scored))
    figures: dict[tuple[str, str | None], float] = {("accuracy", None): accuracy}
    print(f"\naccuracy: {accuracy:.5f} ({correct}/{len(scored)})")
    print(f"{'verdict':<10} {'labelled':>9} {'predicted':>9} {'precision':>9} {'recall':>8}")
    for verdict in VERDICTS:
        labelled = sum(n for (label, _), n in confusion.items() if label == verdict)
        guessed = sum(n for (_, guess), n in confusion.items() if guess == verdict)
        hits = confusion[(verdict, verdict)]
        figures[("precision", verdict)] = ratio(hits, guessed)
        figures[("recall", verdict)] = ratio(hits, labelled)
        print(f"{verdict:<10} {labelled:>9} {guessed:>9} {ratio(hits, guessed):>9.5f} "
              f"{ratio(hits, labelled):>8.5f}")
    print("\ngoals:")
    for measure, verdict, goal in GOALS:
        value = figures[(measure, verdict)]
        name = f"{measure} of {verdict}" if verdict else measure
        print(f"  {name:<22} {value:.5f}  goal {goal}  {'ok' if value >= goal else 'MISSED'}")

    print("\nper kind:")
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for t in scored:
        by_kind[t.kind].append(got[t.record_id] == t.label)
    for kind, hits_list in sorted(by_kind.items()):
        print(f"  {kind:<28} {len(hits_list):>7} {ratio(sum(hits_list), len(hits_list)):.5f}")

    print("\nrecall per tag (share of tagged items with the right verdict), worst first:")
    by_tag: dict[str, list[bool]] = defaultdict(list)
    by_tag_label: dict[str, Counter[str]] = defaultdict(Counter)
    for t in scored:
        for tag in t.tags:
            by_tag[tag].append(got[t.record_id] == t.label)
            by_tag_label[tag][t.label] += 1
    rows = sorted(by_tag.items(), key=lambda kv: (ratio(sum(kv[1]), len(kv[1])), kv[0]))
    for tag, hits_list in rows:
        labels = ", ".join(f"{v} {n}" for v, n in by_tag_label[tag].most_common())
        wrong = len(hits_list) - sum(hits_list)
        print(f"  {tag:<22} {len(hits_list):>7} {ratio(sum(hits_list), len(hits_list)):.5f}"
              f"  wrong {wrong:<6} ({labels})")

    print("\nconfusions (label -> verdict), with examples:")
    mistakes = sorted(((n, pair) for pair, n in confusion.items() if pair[0] != pair[1]),
                      reverse=True)
    if not mistakes:
        print("  none")
    by_pair: dict[tuple[str, str], list[TruthRow]] = defaultdict(list)
    for t in scored:
        pair = (t.label, got[t.record_id])
        if pair[0] != pair[1]:
            by_pair[pair].append(t)
    shown = [t for _, pair in mistakes for t in by_pair[pair][:examples]]
    wanted = {t.record_id for t in shown} | {i for t in shown for i in t.expected_sih_ids} | {
        i for t in shown for i in predicted.get(t.record_id, ("", ""))[1].split("|") if i}
    rows = raw_rows(paths, wanted) if paths is not None and wanted else {}
    for n, pair in mistakes:
        print(f"  {pair[0]} -> {pair[1]}: {n}")
        tag_counts = Counter(tag for t in by_pair[pair] for tag in t.tags)
        print("    tags: " + ", ".join(f"{tag} {c}" for tag, c in tag_counts.most_common(10)))
        cases = Counter(t.case for t in by_pair[pair])
        print("    cases: " + ", ".join(f"{case} {c}" for case, c in cases.most_common(8)))
        for t in by_pair[pair][:examples]:
            sih_ids = predicted.get(t.record_id, ("", ""))[1]
            print(f"    {t.record_id} {t.kind} {t.code!r} case={t.case} "
                  f"expected=[{' '.join(t.expected_sih_ids)}] got=[{sih_ids}] "
                  f"tags={'|'.join(t.tags)}")
            for rid in [t.record_id, *t.expected_sih_ids,
                        *(i for i in sih_ids.split("|") if i and i not in t.expected_sih_ids)]:
                if rid in rows:
                    print(f"      {rid} = {rows[rid][:420]}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", type=int, default=20_000, help="paper items (about)")
    parser.add_argument("--sih", type=int, default=200_000, help="SIH rows (at least the copies)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-extras", action="store_true",
                        help="leave out variations the issue does not name (route spelling...)")
    parser.add_argument("--round", choices=ROUNDS, default="all",
                        help="1: the first variations; 2: only the second round (FHIR, HL7, "
                             "units, salts, busy patients...); all: both (default)")
    parser.add_argument("--examples", type=int, default=4, help="example ids per confusion")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "reentry-bench-variants")
    args = parser.parse_args(argv)

    paths = cached(args.workdir, args.paper, args.sih, args.seed, not args.no_extras,
                   rounds=args.round)
    started = time.perf_counter()
    paper = read_item_table(paths.paper, paper=True)
    read_paper = time.perf_counter()
    sih = read_sih_side(paths)
    read_sih = time.perf_counter()
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    result = reconcile(paper, sih)
    counts = result.counts()
    matched = time.perf_counter()
    match_cpu = time.process_time() - cpu_before
    load_after = os.getloadavg()
    rows = list(result.verdict_rows())
    built = time.perf_counter()
    predicted = {row[0]: (row[1], row[4]) for row in rows}
    truth = read_truth(paths.truth)
    sih_rows = len(sih)

    print(f"files: {paths.paper.parent} (round {args.round}; SIH files: "
          + ", ".join(p.name for p in paths.sih_files) + ")")
    print(f"paper items {len(truth)}, SIH items {sih_rows}, verdict counts {dict(counts)}")
    score(truth, predicted, args.examples, paths)

    n = len(truth)
    match_s = matched - read_sih
    print("\nspeed:")
    print(f"  read paper   {read_paper - started:7.2f} s")
    sih_s = read_sih - read_paper
    print(f"  read SIH     {sih_s:7.2f} s  ({sih_rows / sih_s:,.0f} items/s, every file)")
    print(f"  matching     {match_s:7.2f} s  ({n / match_s:,.0f} paper items/s, matching alone)")
    print(f"  matching CPU {match_cpu:7.2f} s  ({n / match_cpu:,.0f} paper items/s: this process's "
          "CPU time, what the matching costs whatever else the cores are doing)")
    print(f"  verdict rows {built - matched:7.2f} s")
    print(f"  whole        {built - started:7.2f} s  ({n / (built - started):,.0f} paper items/s)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory  {peak_mb:7.0f} MB (this process, generation included if it ran)")
    print(f"  load average {' '.join(f'{x:.2f}' for x in load_before)} before matching, "
          f"{' '.join(f'{x:.2f}' for x in load_after)} after (1, 5, 15 min; "
          f"{os.cpu_count()} cores, shared)")


if __name__ == "__main__":
    main()
