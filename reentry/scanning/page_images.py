"""One scanned page turned into what the store keeps: its codes and an upright, compressed image.

This is the work done in parallel (one process per core): read the page, find its codes, turn
it upright, bring it to 200 dpi and compress it. The parent process only writes to the store,
so there is one writer and the workers never touch the database.

Images are kept in grayscale JPEG at 200 dpi, quality 70: handwriting and ticks stay legible,
an A4 page is 150–500 kB (noise costs more), and encoding takes about 20 ms where WebP takes
ten times as long. The quarter turn is lossless; a skew of a few degrees is measured and
recorded but the image is not resampled for it.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from PIL import Image

from reentry.scanning.decode import find_codes
from reentry.scanning.sources import PageReader, PageTask

STORED_DPI = 200
JPEG_QUALITY = 70
IMAGE_FORMAT = "image/jpeg"
# A page with less than this share of dark pixels (after averaging away speckles) holds no
# writing: the back of a sheet, a separator. It is still queued, with that reason, not dropped.
BLANK_INK_RATIO = 0.002
_INK_LEVEL = 160
_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
              270: Image.Transpose.ROTATE_90}  # PIL turns counterclockwise
# What PDFium and Pillow raise on a damaged page (Pillow's parsers raise SyntaxError, too).
_DAMAGED = (pdfium.PdfiumError, OSError, ValueError, EOFError, SyntaxError)


@dataclass
class PageResult:
    """Everything about one page that the parent stores; picklable."""

    path: str
    index: int
    codes: tuple[str, ...] = ()
    rotation: int = 0
    skew: float = 0.0
    attempt: str = ""
    blank: bool = False
    image: bytes = b""
    image_format: str = IMAGE_FORMAT
    width: int = 0
    height: int = 0
    dpi: int = 0
    error: str | None = None  # the page could not be read (damaged file): nothing to store
    timings: dict[str, float] = field(default_factory=dict)


def ink_ratio(image: Image.Image) -> float:
    """Share of clearly dark pixels once the page is averaged over 4 × 4 blocks (speckles vanish,
    pen strokes stay)."""
    small = image.reduce(4)
    histogram = small.histogram()
    return sum(histogram[:_INK_LEVEL]) / max(1, small.width * small.height)


def upright(image: Image.Image, rotation: int) -> Image.Image:
    return image.transpose(_TRANSPOSE[rotation]) if rotation in _TRANSPOSE else image


def at_stored_resolution(image: Image.Image, dpi: int) -> tuple[Image.Image, int]:
    if dpi <= STORED_DPI * 1.1:
        return image, dpi
    factor = STORED_DPI / dpi
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BOX), STORED_DPI


def encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def process_page(reader: PageReader, task: PageTask) -> PageResult:
    result = PageResult(task.path, task.index)
    began = time.perf_counter()
    try:
        loaded = reader.read(task)
    except _DAMAGED as error:
        result.error = f"{type(error).__name__}: {error}"
        return result
    read = time.perf_counter()
    found = find_codes(loaded.image)
    decoded = time.perf_counter()
    result.codes, result.rotation, result.skew = found.codes, found.rotation, found.skew
    result.attempt = found.attempt
    image, result.dpi = at_stored_resolution(upright(loaded.image, found.rotation), loaded.dpi)
    if not found.codes:
        result.blank = ink_ratio(image) < BLANK_INK_RATIO
    result.image = encode(image)
    result.width, result.height = image.size
    result.timings = {"rasterise": read - began, "decode": decoded - read,
                      "encode": time.perf_counter() - decoded}
    return result


_reader: PageReader | None = None


def process_page_in_worker(task: PageTask) -> PageResult:
    """Entry point for a pool process: keeps its PDF open between pages of the same file."""
    global _reader
    if _reader is None:
        _reader = PageReader()
    return process_page(_reader, task)
