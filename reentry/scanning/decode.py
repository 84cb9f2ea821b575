"""Find a scanned page's sheet code with a real decoder, and which way is up.

Every printed page carries its code three times (``printing/page.py``): Code 128 at the top
right and bottom left, DataMatrix at the bottom right, so a page reads even with one symbol
smudged, torn or under a staple. zxing-cpp finds them at any quarter turn and at a few degrees
of skew on the full page at scanner resolution: first the two Code 128 alone (about 15 ms at
200 dpi), then every symbol; the slower variants (another binariser, half size, contrast
stretched, denoised) run only when those found nothing valid. Only 12-digit codes whose Damm
check digit holds count: a symbol that is not ours (a wristband label, a drug's GS1 code) is
ignored, not guessed at.

Orientation comes from the symbols themselves: the decoder reports the direction each was read
in, which gives the quarter turn that makes the page upright; the slant of the bars (or of the
DataMatrix edges) gives the residual skew.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from reentry.barcodes import CODE_LENGTH, has_valid_check_digit

_FORMATS = zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.Code128,
                                     zxingcpp.BarcodeFormat.DataMatrix])


@dataclass(frozen=True)
class PageCodes:
    """What the decoder found on one page."""

    codes: tuple[str, ...]  # distinct valid sheet codes, in the order first seen
    rotation: int  # clockwise quarter turn (0, 90, 180, 270) that makes the page upright
    skew: float  # clockwise tilt (degrees) of the content left after that quarter turn
    attempt: str  # which pass found them ("" when none did), for the benchmark and the docs


def _full(image: Image.Image) -> Image.Image:
    return image


def _median(image: Image.Image) -> Image.Image:
    """Speckle noise (dust, a dirty glass) removed without thickening the bars."""
    return image.filter(ImageFilter.MedianFilter(3))


def _half(image: Image.Image) -> Image.Image:
    """A 300–600 dpi scan with noisy edges reads better averaged down."""
    return image.reduce(2)


def _stretched(image: Image.Image) -> Image.Image:
    """A faint or grey print (toner saving, a photocopy of a copy) with its contrast restored."""
    return ImageOps.autocontrast(image, cutoff=1)


@dataclass(frozen=True)
class _Pass:
    name: str
    prepare: Callable[[Image.Image], Image.Image]
    formats: zxingcpp.BarcodeFormats
    binarizer: zxingcpp.Binarizer
    downscale: bool  # also try zxing's own downscaled pyramid (slower)
    enough: int  # valid symbols needed to stop here


_CODE128 = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128)
_LOCAL = zxingcpp.Binarizer.LocalAverage
_GLOBAL = zxingcpp.Binarizer.GlobalHistogram

# The first pass is what a clean scan needs (the two Code 128 of the frame agreeing, about
# 15 ms at 200 dpi); the next looks for every symbol; the others only run when nothing was found.
PASSES: tuple[_Pass, ...] = (
    _Pass("frame codes", _full, _CODE128, _LOCAL, False, 2),
    _Pass("full page", _full, _FORMATS, _LOCAL, True, 1),
    _Pass("global threshold", _full, _FORMATS, _GLOBAL, True, 1),
    _Pass("half size", _half, _FORMATS, _LOCAL, True, 1),
    _Pass("contrast stretched", _stretched, _FORMATS, _GLOBAL, True, 1),
    _Pass("denoised", _median, _FORMATS, _LOCAL, True, 1),  # the slowest (a median filter)
)


def is_sheet_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and has_valid_check_digit(text)


def find_codes(image: Image.Image) -> PageCodes:
    """The sheet codes on ``image`` (mode "L") and how to turn it upright."""
    for attempt in PASSES:
        found = [b for b in zxingcpp.read_barcodes(
                     attempt.prepare(image), formats=attempt.formats, try_rotate=True,
                     try_downscale=attempt.downscale, try_invert=False,
                     binarizer=attempt.binarizer)
                 if is_sheet_code(b.text)]
        if len(found) >= attempt.enough:
            codes = tuple(dict.fromkeys(b.text for b in found))
            rotation, skew = _orientation(found)
            return PageCodes(codes, rotation, skew, attempt.name)
    return PageCodes((), 0, 0.0, "")


def _orientation(symbols: Sequence[zxingcpp.Barcode]) -> tuple[int, float]:
    """Quarter turn by majority of the symbols; skew by the median of their fine angles."""
    quarters = [round(b.orientation / 90) % 4 for b in symbols]
    quarter = max(set(quarters), key=quarters.count)
    fine = [angle for b, q in zip(symbols, quarters, strict=True) if q == quarter
            for angle in [_fine_angle(b, quarter)] if angle is not None]
    skew = round(statistics.median(fine), 1) if fine else 0.0
    return (-quarter * 90) % 360, skew


def _fine_angle(symbol: zxingcpp.Barcode, quarter: int) -> float | None:
    """Clockwise tilt (degrees, image y pointing down) of ``symbol`` beyond its quarter turn.

    DataMatrix corners follow the symbol, so its top edge gives the angle. A linear code's
    corners follow the scan line (top and bottom may be swapped), so its bars give it instead:
    the left edge is a bar, perpendicular to the reading direction.
    """
    p = symbol.position
    expected = quarter * 90
    if symbol.format == zxingcpp.BarcodeFormat.DataMatrix:
        angle = math.degrees(math.atan2(p.top_right.y - p.top_left.y,
                                        p.top_right.x - p.top_left.x))
        return _wrap(angle - expected, 180)
    dx, dy = p.bottom_left.x - p.top_left.x, p.bottom_left.y - p.top_left.y
    if dx == 0 and dy == 0:
        return None
    bars = math.degrees(math.atan2(dy, dx))
    return _wrap(bars - expected - 90, 90)


def _wrap(angle: float, half_period: float) -> float:
    """``angle`` brought into (-half_period, half_period]."""
    period = 2 * half_period
    wrapped = math.fmod(angle + half_period, period)
    if wrapped <= 0:
        wrapped += period
    return wrapped - half_period
