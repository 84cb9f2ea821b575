"""Registration speed and accuracy: scanned pages mapped onto their printed layout.

Prints a demo patient's vital-signs and medication-record pages, rasterises them at 200 dpi with
pdftoppm, then degrades each one (turned up to 3 degrees, sheared, rescaled to 150-300 dpi,
noise, JPEG) and registers it: CPU time per page for the corner marks and per box for the crop,
and how far the corner marks land from where the affine map puts them. No assertion on time.

    .venv/bin/python bench/bench_registration.py [--pages 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from reentry.demo import create_demo
from reentry.formdefs import load_forms
from reentry.layout.registration import crop_box, register_page
from reentry.layout.sheet import form_layouts
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.render import render_patient
from reentry.store import open_store

if TYPE_CHECKING:  # where the renderer's geometry lives moves with the domain types
    from reentry.domain.layout import PageLayout

AS_OF = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
TEMPLATES = ("vital_signs", "medication_administration")


def printed_pages(folder: Path) -> list[tuple[PageLayout, Image.Image]]:
    """Page 1 of each template, as laid out and as rasterised at 200 dpi."""
    store = open_store(folder / "demo.sqlite")
    create_demo(store, patients=4, seed=5, as_of=AS_OF)
    ward = store.census()[0].ward
    site = next(s for s in store.sites() if s.code == ward.site_code)
    ward_print = build_ward_print(store, site, ward, load_forms(), SerialCounter(), start=AS_OF,
                                  hours=24, printed_at=AS_OF, packets=0)
    store.close()
    packet = ward_print.patients[0]
    pdf = folder / "patient.pdf"
    render_patient(ward_print, packet, pdf)
    forms = load_forms()
    pages, number = [], 0
    for sheet in packet.sheets:
        if sheet.plan.template_id in TEMPLATES:
            layout = form_layouts(forms[sheet.plan.template_id], len(sheet.plan.doses),
                                  sheet.plan.reserved_top)[0]
            prefix = folder / f"page{number + 1}"
            subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", "-f",
                            str(number + 1), "-l", str(number + 1), str(pdf), str(prefix)],
                           check=True)
            pages.append((layout, Image.open(prefix.with_suffix(".png")).convert("L")))
        number += sheet.plan.page_count
    return pages


def degraded(image: Image.Image, rng: np.random.Generator) -> tuple[Image.Image, int]:
    dpi = int(rng.choice([150, 200, 240, 300]))
    page = image.rotate(float(rng.uniform(-3, 3)), resample=Image.Resampling.BICUBIC,
                        expand=True, fillcolor=255)
    page = page.transform(page.size, Image.Transform.AFFINE,
                          (1, float(rng.uniform(-0.01, 0.01)), 0, 0, 1, 0),
                          resample=Image.Resampling.BICUBIC, fillcolor=255)
    page = page.resize((round(page.width * dpi / 200), round(page.height * dpi / 200)),
                       Image.Resampling.BILINEAR)
    pixels = np.asarray(page, dtype=np.float32) + rng.normal(0, 12, (page.height, page.width))
    page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=int(rng.integers(40, 90)))
    scan = Image.open(io.BytesIO(buffer.getvalue()))
    scan.load()
    return scan, dpi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        sources = printed_pages(Path(tmp))
    register_cpu = crop_cpu = 0.0
    boxes = 0
    residuals = []
    for index in range(args.pages):
        layout, image = sources[index % len(sources)]
        scan, _ = degraded(image, rng)
        start = time.process_time()
        registration = register_page(scan, layout)
        register_cpu += time.process_time() - start
        residuals.append(registration.residual_mm)
        start = time.process_time()
        for box in layout.boxes:
            crop_box(scan, registration, box.rect)
        crop_cpu += time.process_time() - start
        boxes += len(layout.boxes)
    print(f"pages:    {args.pages} degraded scans (150-300 dpi, up to 3 degrees, shear, noise, "
          f"JPEG), every one registered")
    print(f"register: {register_cpu / args.pages * 1000:.1f} ms CPU per page (corner marks "
          f"found, affine fitted)")
    print(f"crop:     {crop_cpu / boxes * 1000:.2f} ms CPU per box ({boxes / args.pages:.0f} "
          f"boxes a page, {crop_cpu / args.pages * 1000:.1f} ms a page)")
    print(f"marks:    largest disagreement with the affine map {max(residuals):.3f} mm, "
          f"median {float(np.median(residuals)):.3f} mm")


if __name__ == "__main__":
    main()
