"""The machine-readable marks of a page: its code as Code 128 and as DataMatrix.

Symbols are encoded by zxing-cpp (microseconds, where reportlab's own widgets take milliseconds
and its DataMatrix is broken) and drawn as vector rectangles in a single PDF path per symbol:
the drawing is scaled so that one module is one unit, and each run of dark modules is one
``re`` operator with small integers, which keeps both the Python work and the PDF small.
Only the page code (digits) is ever encoded: no patient data inside any symbol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp
from reportlab.lib.units import mm

# Code 128: 0.33 mm modules (13 mil, read by any hand scanner and at 200 dpi), 10 mm bars,
# quiet zones of 10 modules on each side (ISO/IEC 15417 asks for 10).
CODE128_MODULE = 0.33 * mm
CODE128_BAR_HEIGHT = 10 * mm
CODE128_QUIET_MODULES = 10
DATAMATRIX_MODULE = 0.75 * mm
DATAMATRIX_QUIET_MODULES = 2

_DARK_RUN = re.compile(b"\x00+")


@dataclass(frozen=True, slots=True)
class Symbol:
    """A symbol's dark runs in module units: ``(x, y, width)``, y counted from the bottom row."""

    columns: int
    rows: int
    runs: tuple[tuple[int, int, int], ...]


def _runs(pixels: bytes, columns: int, rows: int) -> tuple[tuple[int, int, int], ...]:
    runs: list[tuple[int, int, int]] = []
    for row in range(rows):
        line = pixels[row * columns:(row + 1) * columns]
        y = rows - 1 - row
        runs.extend((m.start(), y, m.end() - m.start()) for m in _DARK_RUN.finditer(line))
    return tuple(runs)


def _modules(image: object) -> tuple[bytes, int, int]:
    """The module matrix of a zxing image at one pixel per module: bytes, columns, rows."""
    view = memoryview(image)  # type: ignore[arg-type]
    rows, columns = view.shape or (0, 0)
    return view.tobytes(), columns, rows


def code128(code: str) -> Symbol:
    """The bars of ``code`` (one row: every bar runs the full height)."""
    pixels, columns, _ = _modules(zxingcpp.create_barcode(
        code, zxingcpp.BarcodeFormat.Code128).to_image(scale=1, add_quiet_zones=False,
                                                       add_hrt=False))
    return Symbol(columns, 1, _runs(pixels[:columns], columns, 1))


def datamatrix(code: str) -> Symbol:
    pixels, columns, rows = _modules(zxingcpp.create_barcode(
        code, zxingcpp.BarcodeFormat.DataMatrix).to_image(scale=1, add_quiet_zones=False))
    return Symbol(columns, rows, _runs(pixels, columns, rows))


def _path(symbol: Symbol, x: float, y: float, module_x: float, module_y: float) -> str:
    rects = " ".join(f"{rx} {ry} {w} 1 re" for rx, ry, w in symbol.runs)
    return f"q 0 g 1 0 0 1 {x:.2f} {y:.2f} cm {module_x:.4f} 0 0 {module_y:.4f} 0 0 cm " \
           f"{rects} f Q"


def code128_block_width(symbol: Symbol) -> float:
    """Width of the symbol with its two quiet zones (nothing else may be drawn there)."""
    return (symbol.columns + 2 * CODE128_QUIET_MODULES) * CODE128_MODULE


def code128_operators(symbol: Symbol, x: float, y: float) -> str:
    """PDF operators drawing ``symbol`` with its quiet zone starting at ``x``, bars from ``y``."""
    left = x + CODE128_QUIET_MODULES * CODE128_MODULE
    return _path(symbol, left, y, CODE128_MODULE, CODE128_BAR_HEIGHT)


def datamatrix_size(symbol: Symbol) -> float:
    return symbol.columns * DATAMATRIX_MODULE


def datamatrix_operators(symbol: Symbol, x: float, y: float) -> str:
    """PDF operators drawing ``symbol`` with its lower-left corner at ``(x, y)``."""
    return _path(symbol, x, y, DATAMATRIX_MODULE, DATAMATRIX_MODULE)
