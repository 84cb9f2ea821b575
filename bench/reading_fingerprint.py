"""Every reading of the scanned-page reader, written out to compare two versions of it (issue 14).

A speed change to the reader must not change what it reads. This writes, one line each, every
box's view (hashes of its darkness, ink and interior, its border sides and marks, its faint
area), ink reading, checkbox or digit reading (floats in full) and every field's reading, on:

- the written ward pages of tests/second_read_ward.py (vital signs, medication record, nursing
  notes; the transfer sheet whose corner marks are cut), read as a stored page is, and each of
  their boxes read alone;
- boxes drawn as bench/bench_reading.py draws them (written digits, empty boxes with specks,
  light pencil, ticked / filled / empty checkboxes, crossed-out digits, two digits, scribbles),
  read alone, all together and three by three.

Run it on both versions and compare the files (`cmp`). What each box was read from is written
too (the page's registration, each crop's hash), so that a difference in what was read shows
apart from one in what was drawn (the whole page is not hashed: its printed header carries the
time it was printed):

    .venv/bin/python bench/reading_fingerprint.py before.txt [--weights digits_weights.npz]
    (other version) .venv/bin/python bench/reading_fingerprint.py after.txt
    cmp before.txt after.txt
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the same BLAS path in both runs

import argparse  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TextIO  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import reading_boxes as rb  # noqa: E402
from bench_reading import DigitSource, _speck  # noqa: E402
from second_read_ward import build  # noqa: E402

import reentry.reading.digits as digits  # noqa: E402
from reentry.barcodes import page_code  # noqa: E402
from reentry.domain.layout import BoxKind, PageLayout  # noqa: E402
from reentry.formdefs import load_forms  # noqa: E402
from reentry.layout.registration import CROP_PX_PER_MM, register_page  # noqa: E402
from reentry.layout.sheet import page_layout  # noqa: E402
from reentry.reading import read_checkbox, read_digits, read_ink, view_box  # noqa: E402
from reentry.second_read import page as second_read_page  # noqa: E402
from reentry.store import open_store  # noqa: E402


def digest(array: np.ndarray | bytes) -> str:
    data = array if isinstance(array, bytes) else np.ascontiguousarray(array).tobytes()
    return hashlib.sha1(data).hexdigest()[:16]


def write_box(out: TextIO, tag: str, crop: np.ndarray, px_per_mm: float, checkbox: bool) -> None:
    try:
        view = view_box(crop, px_per_mm)
    except ValueError as error:
        out.write(f"{tag} refused: {error}\n")
        return
    out.write(f"{tag} crop {digest(crop)} darkness {digest(view.darkness)} ink "
              f"{digest(view.ink)} interior {digest(view.interior)} sides {view.border_found} "
              f"marks {view.marks} faint {view.faint_mm2!r}\n")
    out.write(f"{tag} ink {read_ink(crop, px_per_mm)!r}\n")
    if checkbox:
        out.write(f"{tag} checkbox {read_checkbox(crop, px_per_mm)!r}\n")
    else:
        out.write(f"{tag} digit {read_digits([crop], px_per_mm)[0]!r}\n")


def write_ward(out: TextIO) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ward = build(Path(folder))
        store = open_store(ward.db)
        try:
            for sheet in (ward.vitals, ward.mar, ward.notes, ward.transfer):
                (scan,) = store.scan_pages(sheet.serial)
                image_bytes = store.queued_page_image(scan.id)
                layout = page_layout(store, page_code(sheet.serial, 1)).layout
                write_page(out, sheet.template_id, image_bytes, scan.dpi / 25.4, layout)
        finally:
            store.close()


def write_page(out: TextIO, name: str, image_bytes: bytes, px_per_mm: float,
               layout: PageLayout) -> None:
    page = second_read_page
    form = load_forms()[name]
    with Image.open(io.BytesIO(image_bytes)) as image:
        try:
            fields, residual = page.read_page_image(image, layout, form, px_per_mm)
        except page.MarksNotFound:
            out.write(f"{name} marks not found\n")
            return
        out.write(f"{name} residual {residual!r}\n")
        for field in fields:
            out.write(f"{name} field {field!r}\n")
        gray = image.convert("L")
    registration = register_page(gray, layout, px_per_mm)
    out.write(f"{name} registration {registration.matrix.tolist()!r}\n")
    combs: list[np.ndarray] = []
    for group in page._groups(form, layout):
        if group.kind is BoxKind.COMB_DIGIT:
            crops = [page._comb_crop(c)
                     for c in page._crops(gray, registration, group.boxes[0].digits)]
            combs += crops
        else:
            crops = page._crops(gray, registration, [box.rect for box in group.boxes])
            if group.kind is BoxKind.TEXT_AREA:
                crops = [page._without_rules(crop) for crop in crops]
        for index, crop in enumerate(crops):
            write_box(out, f"{name} {group.key} {index}", crop, CROP_PX_PER_MM,
                      group.kind is not BoxKind.COMB_DIGIT)
    for index, reading in enumerate(read_digits(combs, CROP_PX_PER_MM)):
        out.write(f"{name} comb boxes together {index} {reading!r}\n")


def bench_boxes(seed: int, count: int) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    source = DigitSource(rng)
    boxes = [("digit", rb.digit_box(source.random_alpha(), rng)) for _ in range(count)]
    boxes += [("empty", rb.empty_box(rng, *rb.DIGIT_BOX_MM, speck=i % 2 == 0))
              for i in range(count)]
    boxes += [("light", rb.digit_box(source.random_alpha(), rng, light=True))
              for _ in range(count // 5)]
    marks: dict[str, Callable[[rb.Canvas, float], object]] = {
        "ticked": lambda c, g: rb.tick(c, rng, g),
        "filled": lambda c, g: rb.filled(c, rng, g),
        "empty checkbox": lambda c, g: None,
        "speck": lambda c, g: _speck(c, rng),
    }
    for name, draw in marks.items():
        for _ in range(count // 4):
            canvas = rb.Canvas(rb.CHECKBOX_MM, rb.CHECKBOX_MM)
            draw(canvas, rb.pen_gray(rng, light=rng.random() < 0.3))
            boxes.append((f"checkbox {name}", canvas.scan(rb.Scan.random(rng))))
    def crossed_out(canvas: rb.Canvas, gray: float) -> None:
        rb.place_mark(canvas, source.random_alpha(), rng, gray)
        rb.crossed_out(canvas, rng, gray)

    refusals: dict[str, Callable[[rb.Canvas, float], object]] = {
        "crossed out": crossed_out,
        "two digits": lambda c, g: rb.two_digits(c, source.random_alpha(),
                                                 source.random_alpha(), rng, g),
        "scribble": lambda c, g: rb.scribble(c, rng, g),
    }
    for name, draw in refusals.items():
        for _ in range(count // 4):
            canvas = rb.Canvas(*rb.DIGIT_BOX_MM)
            draw(canvas, rb.pen_gray(rng))
            boxes.append((name, canvas.scan(rb.Scan.random(rng))))
    return boxes


def write_bench_boxes(out: TextIO, seed: int, count: int) -> None:
    px = rb.SCAN_PX_PER_MM
    boxes = bench_boxes(seed, count)
    for index, (kind, crop) in enumerate(boxes):
        write_box(out, f"box {index} {kind}", crop, px, kind.startswith("checkbox"))
    crops = [crop for kind, crop in boxes if not kind.startswith("checkbox")]
    for index, reading in enumerate(read_digits(crops, px)):
        out.write(f"boxes together {index} {reading!r}\n")
    for start in range(0, len(crops), 3):
        for index, reading in enumerate(read_digits(crops[start:start + 3], px), start):
            out.write(f"boxes three by three {index} {reading!r}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--weights", type=Path, help="the digit model to read with (the same "
                        "file for both versions when the model itself is being retrained)")
    parser.add_argument("--boxes", type=int, default=300, help="written boxes drawn (and as "
                        "many empty ones, a fifth as many light ones, ...)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.weights is not None:
        model = digits.load_model(args.weights)
        digits.load_model = lambda *_args, **_kwargs: model  # type: ignore[assignment]
    with args.out.open("w", encoding="utf-8") as out:
        write_ward(out)
        write_bench_boxes(out, args.seed, args.boxes)
    lines = args.out.read_text(encoding="utf-8").count("\n")
    print(f"{lines} readings written to {args.out} "
          f"(sha1 {digest(args.out.read_bytes())})")


if __name__ == "__main__":
    main()
