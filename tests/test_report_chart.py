"""The quality report's bar charts read back from the PDF: each ward's bars stand above its own
name (issue 13, item 9: a rotated name ran under the bars of the ward beside it, so a ward's
« non soldées » bar seemed to belong to the next ward).

The words are located by poppler (``pdftotext -bbox``), the bars on the page rasterised by
``pdftoppm``: what a reader sees, not what the code meant to draw.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

from pdfcheck import page_texts
from PIL import Image

from reentry.domain.events import EventKind, EventStatus, OutageEvent
from reentry.domain.review import VERDICTS
from reentry.domain.sheet_state import SheetCounts
from reentry.reports.gather import ClosureStats, QualityReport, WardReport
from reentry.reports.pdf import SHEET_COLOURS, write_pdf

DPI = 100
START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NAMES = ("Cardiologie", "USIC", "Pneumologie", "Réanimation polyvalente", "Neurologie",
         "Néphrologie", "Chirurgie viscérale", "Orthopédie - traumatologie",
         "Soins médicaux et de réadaptation", "Gériatrie aiguë", "Maternité", "Pédiatrie",
         "Oncologie", "Médecine interne", "Gastro-entérologie")


def _report(names: tuple[str, ...]) -> QualityReport:
    event = OutageEvent(1, EventKind.REAL, "Coupure réseau", True, START, None, ("DPI",),
                        "cadre", START, EventStatus.ENDED, ended_at=START + timedelta(hours=3))
    wards = [WardReport(f"{1100 + 10 * n}", name,
                        SheetCounts(expected=30 + 3 * n, returned=20, entered=12, verified=4,
                                    lost=2, not_used=3),
                        {v: 0 for v in VERDICTS}, ClosureStats())
             for n, name in enumerate(names)]
    total = WardReport("", "", sum((w.sheets for w in wards), SheetCounts()),
                       {v: 0 for v in VERDICTS}, ClosureStats())
    return QualityReport(event, START + timedelta(hours=5), wards, total, [], None, [], 0)


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float


def _words(pdf: Path, page: int) -> list[Word]:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [Word(unescape(text), float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text
            in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                          r'yMax="([\d.]+)">([^<]*)</word>', out)]


def _raster(pdf: Path, page: int, folder: Path) -> Image.Image:
    prefix = folder / f"chart-{page}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-f", str(page), "-l",
                    str(page), str(pdf), str(prefix)], check=True)
    with Image.open(prefix.with_suffix(".png")) as image:
        return image.convert("RGB")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _is(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(pixel, colour, strict=True))


@dataclass(frozen=True)
class Bar:
    series: int
    left: float  # points
    right: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def _bars(image: Image.Image, legend_left: float) -> tuple[list[Bar], float]:
    """The bars of one chart, left to right, read on the row just above the value axis' zero;
    and that row's height on the page (points). The legend's swatches are left out."""
    palette = [_rgb(c) for c in SHEET_COLOURS]
    pixels = image.load()
    scale = 72 / DPI
    limit = int(legend_left / scale) - 2
    unaccounted = palette[-1]
    # the bottom of the « non soldées » bars: the zero line of the chart
    bottom = max(y for x in range(limit) for y in range(image.height)
                 if _is(pixels[x, y], unaccounted))
    row = bottom - 1
    bars: list[Bar] = []
    x = 0
    while x < limit:
        found = next((n for n, c in enumerate(palette) if _is(pixels[x, row], c)), None)
        if found is None:
            x += 1
            continue
        start = x
        while x < limit and _is(pixels[x, row], palette[found]):
            x += 1
        bars.append(Bar(found, start * scale, x * scale))
    return bars, row * scale


def _label_boxes(words: list[Word], names: tuple[str, ...], axis: float
                 ) -> list[tuple[float, float]]:
    """Each ward name's horizontal extent under the axis (all of its words, on every line)."""
    below = [w for w in words if axis < w.top < axis + 40]
    boxes = []
    for name in names:
        parts = name.split()
        mine = [w for w in below if w.text in parts]
        # the words of one name sit together: keep those near the first word found
        first = next(w for w in below if w.text == parts[0])
        mine = [w for w in mine if abs((w.left + w.right) / 2 - (first.left + first.right) / 2)
                < 60]
        assert {w.text for w in mine} == set(parts), (name, mine)
        boxes.append((min(w.left for w in mine), max(w.right for w in mine)))
    return boxes


def test_every_ward_s_bars_stand_above_its_own_name(tmp_path):
    names = NAMES[:9]  # one chart
    pdf = tmp_path / "rapport.pdf"
    write_pdf(_report(names), pdf)
    # the chart's page: the one with its legend at the right of the chart
    pages = {n: _words(pdf, n) for n in range(1, len(page_texts(pdf)) + 1)}
    page, words = next((n, found) for n, found in pages.items()
                       if any(w.text == "Attendues" and w.left > 600 for w in found))
    legend_left = min(w.left for w in words if w.text == "Attendues" and w.left > 600)
    bars, axis = _bars(_raster(pdf, page, tmp_path), legend_left)
    series = len(SHEET_COLOURS)
    assert len(bars) == series * len(names)  # every value > 0: every bar on the zero line
    groups = [bars[i:i + series] for i in range(0, len(bars), series)]
    for group in groups:  # the series in their order, side by side, within each ward
        assert [b.series for b in group] == list(range(series))
    # where one ward ends and the next begins: halfway across the gap between their bars
    bounds = [groups[0][0].left - 50]
    bounds += [(a[-1].right + b[0].left) / 2 for a, b in zip(groups, groups[1:], strict=False)]
    bounds.append(groups[-1][-1].right + 50)
    labels = _label_boxes(words, names, axis)
    for n, (name, (left, right)) in enumerate(zip(names, labels, strict=True)):
        # the name, all its lines, lies under its own ward's bars, not the neighbours'
        assert bounds[n] <= left and right <= bounds[n + 1], name
        unaccounted = groups[n][-1]
        centres = [(a + b) / 2 for a, b in labels]
        nearest = min(range(len(names)), key=lambda i: abs(centres[i] - unaccounted.centre))
        assert nearest == n, f"the « non soldées » bar of {name} is nearer {names[nearest]}"
        # and the name is centred under its group
        middle = (groups[n][0].left + groups[n][-1].right) / 2
        assert abs(centres[n] - middle) < 3, name


def test_many_wards_are_charted_in_parts_on_one_scale(tmp_path):
    pdf = tmp_path / "rapport.pdf"
    write_pdf(_report(NAMES), pdf)
    text = "\n".join(page_texts(pdf))
    assert "Feuilles par unité (1/2)" in text and "Feuilles par unité (2/2)" in text
    for name in ("Cardiologie", "Gastro-entérologie", "Réanimation"):
        assert name in text  # every ward named under its bars, never its code
