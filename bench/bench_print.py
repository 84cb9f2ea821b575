"""Print station throughput: plan every ward of the demo hospital, then render every ward's PDF.

The target is the 1,000-patient demo (about 6,000 pages) at 200 pages/s or more on a two-core
machine, one process per core, one task per ward. First the renderer alone (sheets numbered
1..N by ``SerialCounter``), then the whole ``reentry print`` path (registry transactions, spawn
workers, atomic moves). Prints pages, seconds, pages/s and peak memory; no assertion on time.

    .venv/bin/python bench/bench_print.py [--patients 1000] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from reentry.demo import create_demo
from reentry.domain.entry import Role, User
from reentry.domain.sheet_plan import WardPrint
from reentry.formdefs import load_forms
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.render import render_ward
from reentry.printing.station import PrintRequest, print_batch
from reentry.store import open_store
from reentry.store.areas import Store

AS_OF = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
PRINTER = User(0, "bench", "Poste d'impression", Role.NURSE)  # who prints (looked up by no one)
WINDOW_HOURS = 24
PACKETS_PER_WARD = 3


def plan_hospital(store: Store, lang: str) -> list[WardPrint]:
    """Every ward with inpatients, planned and numbered as the print station would."""
    forms = load_forms()
    occupied = {row.ward.code for row in store.census()}
    sites = {site.code: site for site in store.sites()}
    counter = SerialCounter()
    return [build_ward_print(store, sites[ward.site_code], ward, forms, counter, start=AS_OF,
                             hours=WINDOW_HOURS, printed_at=AS_OF, packets=PACKETS_PER_WARD,
                             lang=lang)
            for ward in store.wards() if ward.code in occupied]


def _render(job: tuple[WardPrint, Path]) -> int:
    ward_print, out = job
    return render_ward(ward_print, out)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_memory_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (ru_maxrss: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--language", default="fr", choices=("fr", "en"))
    parser.add_argument("--keep", type=Path, help="write the PDFs here instead of a temp dir")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        store = open_store(Path(tmp) / "demo.sqlite")
        start = time.perf_counter()
        create_demo(store, patients=args.patients, seed=args.seed, as_of=AS_OF)
        demo = time.perf_counter() - start
        start = time.perf_counter()
        wards = plan_hospital(store, args.language)
        planned = time.perf_counter() - start
        store.close()
        jobs = [(w, folder / f"ward-{w.ward.code}.pdf") for w in wards]
        jobs.sort(key=lambda job: -len(job[0].patients))  # longest first: balanced workers
        start = time.perf_counter()
        cpu_before = _children_cpu()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            pages = sum(pool.map(_render, jobs))
        rendered = time.perf_counter() - start
        render_cpu = _children_cpu() - cpu_before  # the workers, reaped when the pool closes
        size = sum(out.stat().st_size for _, out in jobs)

        # The real thing, as `reentry print` runs it: registry transactions + spawn workers.
        store = open_store(Path(tmp) / "demo.sqlite")
        start = time.perf_counter()
        outcome = print_batch(store, PrintRequest(
            out_dir=folder / "station", user=PRINTER, hours=8, start=AS_OF, language=args.language,
            admission_packets=PACKETS_PER_WARD, workers=args.workers))
        station = time.perf_counter() - start
        store.close()

    patients = sum(len(w.patients) for w in wards)
    own, child = peak_memory_mib()
    sheets = sum(1 + sum(len(p.sheets) for p in w.patients)
                 + sum(len(k) for k in w.admission_packets) for w in wards)
    print(f"demo:   {args.patients} patients generated and stored in {demo:.2f} s")
    print(f"plan:   {len(wards)} wards, {patients} patients, {sheets:,} sheets in "
          f"{planned:.2f} s (dossiers read, sheets planned and numbered)")
    print(f"render: {pages:,} pages in {rendered:.2f} s = {pages / rendered:,.0f} pages/s "
          f"with {args.workers} processes; {size / 2**20:.1f} MiB of PDF")
    print(f"        {render_cpu:.2f} CPU-s in the workers = {pages / render_cpu:,.0f} pages per "
          f"CPU-second (what each core gives when the machine is not shared)")
    print(f"print:  {outcome.pages:,} pages in {station:.2f} s = {outcome.pages / station:,.0f} "
          f"pages/s end to end (reentry print: plan, register in the registry, render, "
          f"move into place)")
    print(f"memory: peak {own:.0f} MiB (this process) + {child:.0f} MiB (largest child) "
          f"= {own + child:.0f} MiB")


if __name__ == "__main__":
    main()
