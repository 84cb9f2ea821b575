"""Registering a scanned page to its printed layout: every box's crop lands on the printed box.

Pages of a demo ward printed by the real print station are rasterised at 200 dpi by poppler, then
turned a few degrees, skewed, rescaled (150 to 300 dpi), blurred, speckled and JPEG-compressed
with Pillow, some brought to what scan import stores; each tick and comb box is cut out through
the registration and its printed border must be found in the crop within 0.5 mm of where the
crop says it is.
"""

from __future__ import annotations

import io

import numpy as np
import pdfcheck
import pytest
from PIL import Image, ImageFilter
from printed_ward import print_demo_ward

from reentry.barcodes import group_for_reading
from reentry.domain.layout import BoxKind, Rect
from reentry.layout.registration import (
    CROP_PX_PER_MM,
    MarksNotFound,
    crop_box,
    register_page,
)
from reentry.layout.sheet import page_layout
from reentry.scanning.page_images import at_stored_resolution, encode
from reentry.store import open_store

MARGIN_MM = 1.5
SEARCH_MM = 1.0  # around the expected border
TOLERANCE_MM = 0.5


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """(layout, 200 dpi image) of a vital-signs and a medication-record page."""
    folder = tmp_path_factory.mktemp("registration")
    store = open_store(folder / "reentry.sqlite")
    try:
        outcome = print_demo_ward(store, folder / "pdf", admission_packets=0)
        sheets = store.batch_sheets(outcome.batch_id)
        chosen = [next(s for s in sheets if s.template_id == t)
                  for t in ("vital_signs", "medication_administration")]
        layouts = [page_layout(store, s.code(1)).layout for s in chosen]
    finally:
        store.close()
    pdf = outcome.wards[0].pdf
    texts = pdfcheck.page_texts(pdf)
    images = []
    for sheet in chosen:
        (number,) = [n for n, t in enumerate(texts, 1) if group_for_reading(sheet.code(1)) in t]
        images.append(pdfcheck.raster(pdf, number, folder))
    return list(zip(layouts, images, strict=True))


def _degrade(image: Image.Image, angle: float, dpi: int, shear: float, noise: float,
             quality: int, seed: int) -> Image.Image:
    """What a scanner and its compression do to a page."""
    page = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if shear:
        page = page.transform(page.size, Image.Transform.AFFINE, (1, shear, 0, 0, 1, 0),
                              resample=Image.Resampling.BICUBIC, fillcolor=255)
    if dpi != pdfcheck.DPI:
        factor = dpi / pdfcheck.DPI
        page = page.resize((round(page.width * factor), round(page.height * factor)),
                           Image.Resampling.LANCZOS)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    rng = np.random.default_rng(seed)
    pixels = np.asarray(page, dtype=np.float32) + rng.normal(0, noise, (page.height, page.width))
    specks = rng.random(pixels.shape) < 0.002  # dust
    pixels[specks] = 0
    page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _border_error(crop: np.ndarray, rect: Rect) -> float:
    """The largest distance (mm) between a side of the box as the crop places it and the
    darkest line found near it."""
    scale = CROP_PX_PER_MM
    values = crop.astype(np.float32)
    height, width = values.shape
    rows = slice(round((MARGIN_MM + rect.height * 0.25) * scale),
                 round((MARGIN_MM + rect.height * 0.75) * scale))
    columns = slice(round((MARGIN_MM + rect.width * 0.25) * scale),
                    round((MARGIN_MM + rect.width * 0.75) * scale))
    across = values[rows, :].mean(axis=0)  # dark at the left and right sides
    down = values[:, columns].mean(axis=1)  # dark at the top and bottom sides
    worst = 0.0
    for profile, sides in ((across, (MARGIN_MM, MARGIN_MM + rect.width)),
                           (down, (MARGIN_MM, MARGIN_MM + rect.height))):
        for side in sides:
            low = max(1, int((side - SEARCH_MM) * scale))
            high = min(len(profile) - 1, int((side + SEARCH_MM) * scale) + 1)
            # The printed lines near the side: dark local minima of the profile (a table's
            # rule may run close by); the side is the one nearest to where the crop puts it.
            lines = [i for i in range(low, high) if profile[i] < 170
                     and profile[i] <= profile[i - 1] and profile[i] <= profile[i + 1]]
            assert lines, "no printed line near the side"
            worst = max(worst, min(abs((i + 0.5) / scale - side) for i in lines))
    assert (height, width) == (round((rect.height + 2 * MARGIN_MM) * scale),
                               round((rect.width + 2 * MARGIN_MM) * scale))
    return worst


def _boxes(layout):
    for box in layout.boxes:
        if box.kind is BoxKind.CHECKBOX:
            yield box.rect
        yield from box.digits


@pytest.mark.parametrize(("angle", "dpi", "shear", "noise", "quality", "stored"), [
    (0.0, 200, 0.0, 0.0, 90, False),
    (2.5, 150, 0.0, 12.0, 60, False),
    (-3.0, 300, 0.0, 18.0, 70, True),
    (1.2, 240, 0.012, 10.0, 50, True),
    (-0.7, 180, -0.01, 25.0, 40, False),
])
def test_every_box_cut_from_a_degraded_scan_lands_on_the_printed_box(pages, angle, dpi, shear,
                                                                    noise, quality, stored):
    for index, (layout, image) in enumerate(pages):
        scan = _degrade(image, angle, dpi, shear, noise, quality, seed=index)
        scan_dpi = dpi
        if stored:  # as scan import keeps it: at most 200 dpi, grayscale JPEG
            scan, scan_dpi = at_stored_resolution(scan, dpi)
            scan = Image.open(io.BytesIO(encode(scan)))
        registration = register_page(scan, layout)
        assert registration.residual_mm < 0.3
        assert abs(registration.px_per_mm - scan_dpi / 25.4) < 0.02 * scan_dpi / 25.4
        boxes = list(_boxes(layout))
        assert len(boxes) > 40
        errors = [_border_error(crop_box(scan, registration, rect, MARGIN_MM), rect)
                  for rect in boxes]
        assert max(errors) <= TOLERANCE_MM, (angle, dpi, max(errors))


def test_a_page_without_its_marks_is_refused_with_a_message(pages):
    layout, image = pages[0]
    with pytest.raises(MarksNotFound) as refused:
        register_page(Image.new("L", image.size, 255), layout)
    assert "repères d'angle" in refused.value.message("fr")
    cut = image.crop((0, 0, image.width // 2, image.height))  # the right half not scanned
    with pytest.raises(MarksNotFound):
        register_page(cut, layout)
