"""Scanned-stack import throughput: pages per second from a scanner's PDF to pages attached.

    .venv/bin/python bench/bench_scan_import.py [--pages 100] [--dpi 200] [--workers 2]

Prints sheets really printed by the print station, rasterises them at ``--dpi``, turns them
(0/90/180/270°), skews them (±3°) and adds noise as ``tests/scanned_stack.py`` does, writes one
JPEG-in-PDF as a scanner would, then imports it into a fresh database. Prints pages per second
and where the time went (rasterise, decode, encode: summed over the worker processes; store:
the one writer). No assertion on time (goal: ≥ 5 pages/s at 200 dpi on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from printed_ward import PRINTER  # noqa: E402
from scanned_stack import printed_pages, scanned, shuffled, write_pdf  # noqa: E402

from reentry.demo import create_demo  # noqa: E402
from reentry.domain.entry import Role  # noqa: E402
from reentry.entry import service  # noqa: E402
from reentry.printing.station import PrintRequest, print_batch  # noqa: E402
from reentry.scanning.importer import default_workers, import_scans  # noqa: E402
from reentry.store import open_store  # noqa: E402

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
QUARTERS = (0, 180, 90, 270)


def print_sheets(store, folder: Path, pages: int) -> list[Path]:
    """Print wards of a demo hospital large enough for ``pages`` pages."""
    create_demo(store, patients=max(6, pages // 3), seed=5, as_of=AS_OF)
    outcome = print_batch(store, PrintRequest(out_dir=folder, user=PRINTER, start=AS_OF,
                                              admission_packets=1))
    return [ward.pdf for ward in outcome.wards]


def make_stack(pdfs: list[Path], pages: int, dpi: int, target: Path) -> int:
    rng = random.Random(1)
    clean = []
    for pdf in pdfs:
        clean.extend(printed_pages(pdf, dpi))
        if len(clean) >= pages:
            break
    stack = shuffled([scanned(page, rng, quarter=QUARTERS[i % 4])
                      for i, page in enumerate(clean[:pages])], rng)
    write_pdf([p.image for p in stack], target, dpi)
    return len(stack)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = open_store(folder / "bench.sqlite")
        began = time.perf_counter()
        pdfs = print_sheets(store, folder / "printed", args.pages)
        stack = folder / "stack.pdf"
        count = make_stack(pdfs, args.pages, args.dpi, stack)
        print(f"stack: {count} pages at {args.dpi} dpi, {stack.stat().st_size / 1e6:.1f} MB, "
              f"made in {time.perf_counter() - began:.1f} s (printing and simulated scanning)")
        user = service.add_user(store, "bench", "Bench", Role.NURSE)
        began = time.perf_counter()
        result = import_scans(store, [stack], user, workers=args.workers)
        seconds = time.perf_counter() - began
        print(f"import: {result.pages} pages in {seconds:.2f} s = {result.pages / seconds:.1f} "
              f"pages/s with {args.workers} worker(s) on {os.cpu_count()} core(s) "
              f"(goal ≥ 5 pages/s at 200 dpi on 2 cores)")
        print(f"  identified {result.identified}, queued {result.queued}")
        per_page = {name: total / max(1, result.pages) * 1000
                    for name, total in result.timings.items()}
        print("  per page: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in per_page.items())
              + " (rasterise/decode/encode in the workers, store in the one writer)")
        size = store._rows("SELECT sum(length(data)) AS n FROM scan_images")[0]["n"] or 0
        print(f"  stored images: {size / max(1, result.pages) / 1000:.0f} kB per page (JPEG)")
        store.close()


if __name__ == "__main__":
    main()
