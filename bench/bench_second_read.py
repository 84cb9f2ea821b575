"""How long the scanned page's second reading takes (issue 14), on really printed, written and
scanned pages (tests/second_read_ward.py: a vital-signs chart and a medication record written
on, rasterised at 200 dpi, turned, grainy, JPEG'd, imported by scan import and typed).

Prints, each the median of several runs on one core:

- reading one stored page image (layout, corner marks, every box), per form: done once per image;
  wall time and CPU time (the wall time includes waiting for a busy CPU; the goal, ≤ 150 ms on
  one core, is about the CPU time);
- the layout of a page alone (the renderer's own drawing, on an unsaved canvas);
- the cross-check of a sheet from its kept reading (what each saved row re-runs);
- saving one row with the entry service, the cross-check included, once the page is read.

    .venv/bin/python bench/bench_second_read.py [--runs 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as the page reader will have

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from second_read_ward import NOW, TYPED, VITALS, build, nurse_of  # noqa: E402

from reentry.barcodes import page_code  # noqa: E402
from reentry.domain.entry import RecordRow  # noqa: E402
from reentry.entry import service  # noqa: E402
from reentry.formdefs import load_forms  # noqa: E402
from reentry.layout.sheet import page_layout  # noqa: E402
from reentry.second_read.crosscheck import check_sheet, cross_check  # noqa: E402
from reentry.second_read.page import read_stored_page  # noqa: E402
from reentry.store import open_store  # noqa: E402


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def median_wall_and_cpu_ms(work: Callable[[], object], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        ward = build(Path(folder))
        print(f"written ward printed, written, scanned, imported and typed in "
              f"{time.perf_counter() - began:.1f} s")
        store = open_store(ward.db)
        try:
            for sheet in (ward.vitals, ward.mar):
                (scan,) = store.scan_pages(sheet.serial)
                image = store.queued_page_image(scan.id)
                layout = page_layout(store, page_code(sheet.serial, 1)).layout
                form = load_forms()[sheet.template_id]
                read, read_cpu = median_wall_and_cpu_ms(partial(
                    read_stored_page, image, scan.dpi, layout, form, scan.id, sheet.serial, 1),
                    runs)
                laid = median_ms(partial(page_layout, store, page_code(sheet.serial, 1)), runs)
                check_sheet(store, sheet.serial)
                compare = median_ms(partial(cross_check, store, sheet.serial), runs * 4)
                fields = len(cross_check(store, sheet.serial).fields)
                print(f"{sheet.template_id}: {len(layout.boxes)} boxes, {fields} fields; "
                      f"reading the stored page {read:.0f} ms, {read_cpu:.0f} ms CPU (1,000 "
                      f"such pages: {read_cpu:.0f} s of CPU), its layout alone {laid:.0f} ms; "
                      f"cross-check from the kept reading {compare:.1f} ms")
            nurse = nurse_of(store)

            def save_row() -> None:
                row = next(e for e in store.entries(ward.vitals.serial, include_corrected=False)
                           if e.section_id == VITALS and e.row_index == 0)
                service.record_row(store, RecordRow(
                    ward.vitals.serial, 1, VITALS, 0, {**TYPED[0], "initials": "MD"},
                    {"date": "23/11/2026"}, nurse, corrects=row.id, reason="bench"), now=NOW)

            saved = median_ms(save_row, runs)
            print(f"saving a row of a scanned sheet (the cross-check re-run, page already "
                  f"read): {saved:.0f} ms")
        finally:
            store.close()


if __name__ == "__main__":
    main()
