"""Reading printed PDFs back with real tools: poppler (pdfinfo, pdftotext, pdftoppm) and zxing-cpp.

A page is checked the way a scanner sees it: rasterised at 200 dpi, then decoded; bars are
measured on the pixels, not taken from the code that drew them.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image

DPI = 200
MM_PER_PIXEL = 25.4 / DPI
DARK = 128


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:page_count(pdf)]


def raster(pdf: Path, page: int, folder: Path) -> Image.Image:
    """Page ``page`` (from 1) as a greyscale image at 200 dpi."""
    prefix = folder / f"page-{page}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-gray", "-singlefile", "-f", str(page),
                    "-l", str(page), str(pdf), str(prefix)], check=True)
    with Image.open(prefix.with_suffix(".png")) as image:
        return image.convert("L")


@dataclass(frozen=True)
class Found:
    format: str
    text: str
    left: int
    top: int
    right: int
    bottom: int


def decode(image: Image.Image) -> list[Found]:
    found = []
    for result in zxingcpp.read_barcodes(image):
        corners = (result.position.top_left, result.position.top_right,
                   result.position.bottom_right, result.position.bottom_left)
        xs, ys = [c.x for c in corners], [c.y for c in corners]
        found.append(Found(result.format.name, result.text, min(xs), min(ys), max(xs),
                           max(ys)))
    return found


@dataclass(frozen=True)
class BarMeasure:
    module_mm: float
    height_mm: float
    quiet_left_modules: float
    quiet_right_modules: float


def _dark_run_down(image: Image.Image, x: int, y: int) -> int:
    """Height in pixels of the dark run through ``(x, y)`` in column ``x``."""
    pixels = image.load()
    top = y
    while top > 0 and pixels[x, top - 1] < DARK:
        top -= 1
    bottom = y
    while bottom < image.height - 1 and pixels[x, bottom + 1] < DARK:
        bottom += 1
    return bottom - top + 1


def _light_run(image: Image.Image, x: int, y: int, step: int) -> int:
    """Pixels that are not dark from ``x`` (excluded) in direction ``step`` along row ``y``."""
    pixels = image.load()
    count, cursor = 0, x + step
    while 0 <= cursor < image.width and pixels[cursor, y] >= DARK:
        count += 1
        cursor += step
    return count


def measure_code128(image: Image.Image, found: Found, modules: int = 101) -> BarMeasure:
    """Module width, bar height and quiet zones of a decoded Code 128 symbol, on the pixels."""
    pixels = image.load()
    middle = (found.top + found.bottom) // 2
    first = found.left
    while pixels[first, middle] >= DARK:  # the decoder's box may start just outside the bar
        first += 1
    last = found.right
    while pixels[last, middle] >= DARK:
        last -= 1
    width = last - first + 1
    module = width / modules
    height = _dark_run_down(image, first + 1, middle)
    rows = range(middle - height // 3, middle + height // 3)
    left = min(_light_run(image, first, y, -1) for y in rows)
    right = min(_light_run(image, last, y, 1) for y in rows)
    return BarMeasure(module * MM_PER_PIXEL, height * MM_PER_PIXEL, left / module,
                      right / module)
