"""The embedded SQLite file and a PostgreSQL server side by side, in one run (issue 11).

The same work on each store, measure after measure (SQLite, then PostgreSQL, so that both meet
the same load):

1. **print** of the demo hospital (``--patients``, 1,000 by default): every ward, as ``reentry
   print`` does it (plan, register every sheet in one transaction per ward, render in two
   worker processes, mark printed). Goal: PostgreSQL within 1.5x of SQLite.
2. **scan → sheet ready** with ``--sheets`` (100,000) sheets registered: check digit, registry,
   patient, stay, ward, entries, draft, the "returned" mark (``entry.service.open_sheet``, as
   bench_scan.py). Goal: p95 ≤ 100 ms on both.
3. **stored reconciliation run** of an outage of ``--paper`` (50,000) paper items against
   ``--sih`` (150,000) SIH items and ``--temporary`` (300) temporary identities
   (``outage_scenario.py``, files written once and reused): read, link, match, write
   verdicts.csv and the PDF report, store the run and its flags (``reconcile_run``, as
   ``reentry reconcile``). Goal: ≤ 3 s on SQLite, ≤ 1.5x that on PostgreSQL.

The server is a private, throwaway cluster on 127.0.0.1 (``tests/postgres_fixture.py``; the
``postgresql`` Debian package is needed) unless ``--postgres-url`` names one (its database must
be empty). Prints a table and the load average; no assertion on time.

    .venv/bin/python bench/bench_store_backends.py [--patients 1000] [--sheets 100000]
        [--scans 300] [--paper 50000] [--sih 150000] [--temporary 300]
        [--only print,scan,reconcile] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the private server of the tests

from bench_scan import TEMPLATES  # noqa: E402
from outage_scenario import scenario, write_scenario  # noqa: E402

from reentry.demo import create_demo  # noqa: E402
from reentry.domain.entry import Role  # noqa: E402
from reentry.domain.items import Reconciliation  # noqa: E402
from reentry.domain.sheet_plan import SheetPlan  # noqa: E402
from reentry.entry import service  # noqa: E402
from reentry.printing.station import PrintRequest, print_batch  # noqa: E402
from reentry.reconcile_run import run_reconciliation  # noqa: E402
from reentry.store import SqlStore, open_store  # noqa: E402
from reentry.store.location import parse_location  # noqa: E402

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
PRINT_HOURS = 8
PACKETS_PER_WARD = 3
CHUNK = 10_000  # sheets registered per transaction when filling the registry
BACKENDS = ("SQLite", "PostgreSQL")


@dataclass
class Row:
    """One line of the table: a figure per backend, smaller is better."""

    label: str
    unit: str
    goal: str
    values: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


@contextmanager
def server_url(given: str | None) -> Iterator[tuple[str, str]]:
    """A database on the server named, or on a private throwaway cluster; (url, description)."""
    if given:
        yield given, parse_location(given).shown
        return
    from postgres_fixture import PostgresUnavailable, private_postgres

    try:
        with private_postgres() as server:
            with server.admin() as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
            yield server.create_database(), (
                f"private PostgreSQL {version} on 127.0.0.1:{server.port} "
                f"(started in {server.started_in:.1f} s; fsync off, as in the tests)")
    except PostgresUnavailable as why:
        sys.exit(f"PostgreSQL cannot run here: {why}")


def fill_registry(store: SqlStore, have: int, total: int) -> list[str]:
    """Register sheets over the demo's inpatients until the registry, which holds ``have``,
    holds ``total`` (no PDF drawn, as bench_scan.py); returns codes spread over them."""
    rows = store.census()
    snapshot = store.latest_snapshot()
    batch = store.open_batch(snapshot.id if snapshot else None,
                             sorted({r.ward.code for r in rows}), AS_OF, 8, "fr", "bench")
    codes: list[str] = []
    for first in range(have, total, CHUNK):
        plans = [SheetPlan(TEMPLATES[i % len(TEMPLATES)], 1, 1, rows[i % len(rows)].ward.code,
                           rows[i % len(rows)].patient.id, rows[i % len(rows)].stay.id)
                 for i in range(first, min(first + CHUNK, total))]
        sheets = store.register_sheets(batch.id, plans)
        store.mark_printed([s.serial for s in sheets])
        codes.extend(store.form_instance(s.serial).code(1)  # type: ignore[union-attr]
                     for s in sheets[:: max(1, CHUNK // 200)])
    return codes


# The steps of ``run_reconciliation`` (names in its module), timed where it calls them.
RUN_STEPS = {"read_sih_side": "read SIH", "read_paper_csv": "read paper",
             "paper_from_csv": "paper wards", "_link_identities": "link identities",
             "reconcile": "match", "write_verdicts_csv": "verdicts.csv",
             "write_report": "PDF report", "StoredItems": "SIH items as stored",
             "verdict_records": "verdict records"}


@contextmanager
def steps_timed(store: SqlStore, spent: dict[str, float]) -> Iterator[None]:
    """Time each step of one reconciliation run (no change to what it does)."""
    import reentry.reconcile_run as run

    originals = {name: getattr(run, name) for name in RUN_STEPS}

    def stopwatch(label: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*args: Any, **kwargs: Any) -> Any:
            result, seconds = timed(lambda: work(*args, **kwargs))
            spent[label] = spent.get(label, 0.0) + seconds
            return result
        return measured

    for name, label in RUN_STEPS.items():
        setattr(run, name, stopwatch(label, originals[name]))
    store.save_reconciliation_run = stopwatch(  # type: ignore[method-assign]
        "store the run and its flags", store.save_reconciliation_run)
    lines = Reconciliation.verdict_lines  # a method of the result: timed on its class
    Reconciliation.verdict_lines = stopwatch(  # type: ignore[method-assign]
        "verdicts and reasons", lines)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(run, name, original)
        del store.save_reconciliation_run
        Reconciliation.verdict_lines = lines  # type: ignore[method-assign]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


class Bench:
    def __init__(self, args: argparse.Namespace, stores: dict[str, SqlStore],
                 folder: Path) -> None:
        self.args = args
        self.stores = stores
        self.folder = folder
        self.rows: list[Row] = []
        self.codes: dict[str, list[str]] = {}
        self.registered = dict.fromkeys(stores, 0)  # sheets in each registry so far

    def each(self, work: Callable[[str, SqlStore], None]) -> None:
        for name, store in self.stores.items():
            work(name, store)

    def row(self, label: str, unit: str, goal: str) -> Row:
        self.rows.append(Row(label, unit, goal))
        return self.rows[-1]

    # -- 1. print --------------------------------------------------------------------------

    def print_hospital(self) -> None:
        pages = self.row(f"print, {self.args.patients:,} patients (every ward)", "s",
                         "PostgreSQL ≤ 1.5x SQLite")

        def one(name: str, store: SqlStore) -> None:
            out = self.folder / f"print-{name}"
            outcome, seconds = timed(lambda: print_batch(store, PrintRequest(
                out_dir=out, user=store.user_by_name("bench"), hours=PRINT_HOURS, start=AS_OF,
                admission_packets=PACKETS_PER_WARD, workers=2)))
            pages.values[name] = seconds
            self.registered[name] += sum(ward.sheets for ward in outcome.wards)
            pages.notes[name] = f"{outcome.pages:,} pages, {outcome.pages / seconds:,.0f}/s"
            for pdf in out.glob("*.pdf"):
                pdf.unlink()  # a few hundred MB otherwise

        self.each(one)

    # -- 2. scan → sheet ready ---------------------------------------------------------------

    def fill(self) -> None:
        def one(name: str, store: SqlStore) -> None:
            codes, seconds = timed(lambda: fill_registry(store, self.registered[name],
                                                         self.args.sheets))
            self.codes[name] = codes
            print(f"  {name}: registry filled to {self.args.sheets:,} sheets in {seconds:.1f} s")

        self.each(one)

    def scans(self) -> None:
        p95 = self.row(f"scan → sheet ready, p95 ({self.args.sheets:,} sheets)", "ms",
                       "≤ 100 ms on both")
        median = self.row("scan → sheet ready, median", "ms", "")

        def one(name: str, store: SqlStore) -> None:
            nurse = service.sign_in(store, "bench")
            rng = random.Random(1)
            codes = self.codes[name]
            times = []
            for _ in range(self.args.scans):
                code = rng.choice(codes)
                times.append(timed(lambda code=code: service.open_sheet(store, code, nurse))[1])
            ms = [t * 1000 for t in times]
            p95.values[name] = percentile(ms, 0.95)
            p95.notes[name] = f"worst {max(ms):.1f} ms over {len(ms)} scans"
            median.values[name] = statistics.median(ms)

        self.each(one)

    # -- 3. stored reconciliation run -------------------------------------------------------

    def reconcile(self) -> None:
        args = self.args
        files = args.workdir / (f"p{args.paper}-t{args.temporary}-s{args.sih}-"
                                f"n{args.extra_patients}-seed{args.seed}")
        if not (files / "identity_truth.csv").exists():
            _, seconds = timed(lambda: write_scenario(files, scenario(
                args.paper, args.sih, args.seed, per_patient=40, temporary=args.temporary,
                extra_patients=args.extra_patients, monitored_every=10)))
            print(f"  outage scenario written to {files} in {seconds:.1f} s")
        whole = self.row(f"stored reconciliation run, {args.paper:,} paper items", "s",
                         "≤ 3 s SQLite, PostgreSQL ≤ 1.5x")
        storing = self.row("  of which storing the run and its flags", "s", "")

        def one(name: str, store: SqlStore) -> None:
            spent: dict[str, float] = {}
            with steps_timed(store, spent):
                quality = store.user_by_name("qualite") or service.add_user(
                    store, "qualite", "Qualité", Role.QUALITY)
                cpu = time.process_time()
                outcome, seconds = timed(lambda: run_reconciliation(
                    store, [files / "sih.csv"], files / "paper.csv",
                    self.folder / f"reconcile-{name}", user=quality,
                    identities_left=files / "temporary.csv",
                    sih_patients=files / "patients.csv"))
                cpu = time.process_time() - cpu
            whole.values[name] = seconds
            whole.notes[name] = ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items()) + \
                f"; this process's CPU time {cpu:.2f} s (the server's not counted)"
            storing.values[name] = spent.pop("store the run and its flags")
            spent["other"] = seconds - storing.values[name] - sum(spent.values())
            storing.notes[name] = f"{sum(outcome.flag_changes.values()):,} flags; the rest: " + \
                ", ".join(f"{step} {seconds:.2f} s" for step, seconds in spent.items())

        self.each(one)
        counts = {name: row.split(";")[0] for name, row in whole.notes.items()}
        if len(set(counts.values())) > 1:
            print("  the two stores gave different verdicts:", counts)

    # -- the table ---------------------------------------------------------------------------

    def table(self) -> None:
        names = list(self.stores)
        width = max(len(r.label) for r in self.rows) + 2
        head = f"{'':<{width}}" + "".join(f"{n:>14}" for n in names)
        if len(names) == 2:
            head += f"{'ratio':>8}"
        print("\n" + head + "   goal")
        for row in self.rows:
            cells = "".join(f"{row.values[n]:>11.{1 if row.unit == 'ms' else 2}f} {row.unit:<2}"
                            if n in row.values else f"{'—':>14}" for n in names)
            ratio = ""
            if len(names) == 2 and all(n in row.values for n in names) and row.values[names[0]]:
                ratio = f"{row.values[names[1]] / row.values[names[0]]:>7.2f}x"
            print(f"{row.label:<{width}}{cells}{ratio:>8}   {row.goal}")
        if len(names) == 2:
            print(f"(ratio: {names[1]} / {names[0]}; smaller is better everywhere)")
        for row in self.rows:
            for name in names:
                if name in row.notes:
                    print(f"  {row.label.strip()} — {name}: {row.notes[name]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000, help="demo hospital's size")
    parser.add_argument("--sheets", type=int, default=100_000,
                        help="sheets in the registry when scanning")
    parser.add_argument("--scans", type=int, default=300)
    parser.add_argument("--paper", type=int, default=50_000, help="paper items reconciled")
    parser.add_argument("--sih", type=int, default=150_000, help="SIH items")
    parser.add_argument("--temporary", type=int, default=300, help="temporary identities")
    parser.add_argument("--extra-patients", type=int, default=20_000,
                        help="SIH patients in the patient file besides the outage's")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--only", default="print,scan,reconcile",
                        help="comma-separated: print, scan, reconcile")
    parser.add_argument("--postgres-url", default=None,
                        help="an empty database on a server (default: a private cluster)")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "reentry-bench-e2e",
                        help="where the outage scenario's files are kept between runs")
    args = parser.parse_args()
    only = {part.strip() for part in args.only.split(",")}
    unknown = only - {"print", "scan", "reconcile"}
    if unknown:
        parser.error(f"unknown measure(s) for --only: {', '.join(sorted(unknown))}")
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"before: {load()}")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url, described = stack.enter_context(server_url(args.postgres_url))
        print(f"SQLite: a file in {folder} (WAL, synchronous FULL)")
        print(f"PostgreSQL: {described}")
        stores = {"SQLite": open_store(folder / "bench.sqlite"), "PostgreSQL": open_store(url)}
        for store in stores.values():
            stack.callback(store.close)
        bench = Bench(args, stores, folder)
        if only & {"print", "scan"}:
            for name, store in stores.items():
                _, seconds = timed(lambda store=store: create_demo(
                    store, patients=args.patients, seed=1, as_of=AS_OF))
                service.add_user(store, "bench", "Bench", Role.NURSE)
                print(f"  {name}: demo hospital of {args.patients:,} patients stored in "
                      f"{seconds:.1f} s")
        if "print" in only:
            print(f"print… ({load()})")
            bench.print_hospital()
        if "scan" in only:
            print(f"registry… ({load()})")
            bench.fill()
            print(f"scans… ({load()})")
            bench.scans()
        if "reconcile" in only:
            print(f"reconciliation… ({load()})")
            bench.reconcile()
        bench.table()
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
