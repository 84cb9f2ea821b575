"""The box readers on a page printed by reportlab and rasterised by poppler's pdftoppm at 200 dpi
(then stored as JPEG quality 60, as scan import does): comb boxes written with a handwriting font
the digit model never saw, pen strokes for ticks and a correction, crops cut 0.3 mm off. The comb
boxes touch, as printed combs do: each crop's margin holds its neighbours' border and ink."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from pdfcheck import DPI, raster
from PIL import Image
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from reentry.reading import (
    MARGIN_MM,
    CheckboxVerdict,
    InkVerdict,
    read_checkbox,
    read_digits,
    read_ink,
)

HELD_OUT_FONT = Path("/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf")  # fonts-humor-sans
PAGE_MM = (90.0, 30.0)
COMB = (4.5, 5.5)
CHECK = 4.0
PX = DPI / 25.4
# what goes where: (left mm, top mm, kind, content)
BOXES = [
    (5.0, 5.0, "comb", "4"), (9.5, 5.0, "comb", "7"), (14.0, 5.0, "comb", "2"),
    (18.5, 5.0, "comb", "9"), (23.0, 5.0, "comb", ""), (27.5, 5.0, "comb", "crossed"),
    (40.0, 5.0, "check", "tick"), (50.0, 5.0, "check", ""), (60.0, 5.0, "check", "filled"),
    (70.0, 5.0, "check", "cross"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    if not HELD_OUT_FONT.exists():
        pytest.fail("fonts-humor-sans is missing: run scripts/setup.sh")
    return printed_page(tmp_path_factory.mktemp("printed"))


def printed_page(folder: Path) -> np.ndarray:
    """BOXES printed to a PDF, rasterised at 200 dpi, stored as JPEG 60 and read back."""
    pdfmetrics.registerFont(TTFont("HumorSansTest", str(HELD_OUT_FONT)))
    pdf = folder / "boxes.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(PAGE_MM[0] * mm, PAGE_MM[1] * mm))
    height = PAGE_MM[1]

    def at(x: float, y: float) -> tuple[float, float]:
        return x * mm, (height - y) * mm

    for left, top, kind, content in BOXES:
        w, h = COMB if kind == "comb" else (CHECK, CHECK)
        c.setStrokeGray(0)
        c.setLineWidth(0.25 * mm)
        c.rect(left * mm, (height - top - h) * mm, w * mm, h * mm)
        c.setLineWidth(0.45 * mm)
        c.setStrokeColorRGB(0.1, 0.1, 0.45)  # a blue ballpoint
        c.setFillColorRGB(0.1, 0.1, 0.45)
        if kind == "comb" and content.isdigit():
            c.setFont("HumorSansTest", 15)
            c.drawCentredString(*at(left + w / 2 + 0.3, top + h - 1.3), content)
        elif content == "crossed":
            c.setFont("HumorSansTest", 15)
            c.drawCentredString(*at(left + w / 2, top + h - 1.3), "5")
            c.line(*at(left + 0.3, top + 1.0), *at(left + w - 0.3, top + h - 1.2))
            c.line(*at(left + 0.3, top + h - 1.5), *at(left + w - 0.2, top + 1.5))
        elif content == "tick":
            path = c.beginPath()
            path.moveTo(*at(left + 0.8, top + 2.4))
            path.lineTo(*at(left + 1.9, top + 3.8))
            path.lineTo(*at(left + 4.2, top + 0.3))
            c.drawPath(path, stroke=1, fill=0)
        elif content == "cross":
            c.line(*at(left + 0.7, top + 0.7), *at(left + w - 0.7, top + w - 0.7))
            c.line(*at(left + w - 0.7, top + 0.7), *at(left + 0.7, top + w - 0.7))
        elif content == "filled":
            c.rect(left * mm, (height - top - h) * mm, w * mm, h * mm, stroke=0, fill=1)
    c.save()
    image = raster(pdf, 1, folder)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=60)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))


def crop(page: np.ndarray, left: float, top: float, w: float, h: float) -> np.ndarray:
    """The box plus the contract's margin, cut 0.3 mm off as a registration might."""
    x0, y0 = round((left - MARGIN_MM + 0.3) * PX), round((top - MARGIN_MM - 0.3) * PX)
    x1, y1 = round((left + w + MARGIN_MM + 0.3) * PX), round((top + h + MARGIN_MM - 0.3) * PX)
    return page[y0:y1, x0:x1]


def test_printed_comb_boxes_read(page: np.ndarray) -> None:
    combs = [b for b in BOXES if b[2] == "comb"]
    crops = [crop(page, left, top, *COMB) for left, top, _, _ in combs]
    inks = [read_ink(c, PX).verdict for c in crops]
    assert inks == [InkVerdict.WRITTEN] * 4 + [InkVerdict.BLANK, InkVerdict.WRITTEN]
    readings = read_digits(crops, PX)
    assert [r.digit for r in readings[:4]] == [4, 7, 2, 9]  # the likeliest digit, sure or not
    assert sum(r.confident for r in readings[:4]) >= 2
    assert readings[4].digit is None and not readings[4].confident
    assert not readings[5].confident  # the crossed-out 5


def test_printed_checkboxes_read(page: np.ndarray) -> None:
    checks = [b for b in BOXES if b[2] == "check"]
    verdicts = [read_checkbox(crop(page, left, top, CHECK, CHECK), PX).verdict
                for left, top, _, _ in checks]
    assert verdicts == [CheckboxVerdict.TICKED, CheckboxVerdict.EMPTY, CheckboxVerdict.FILLED,
                        CheckboxVerdict.TICKED]
