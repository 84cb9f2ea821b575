"""The two fonts of the printed pages, and fast text measuring, wrapping and fitting.

French names and notes need « é è à ç œ » and the guillemets, so the pages use DejaVu Sans (from
the system: Linux packages, the Windows fonts folder, macOS) and fall back on the Vera fonts
bundled with reportlab when DejaVu is absent. Measuring a string is the most repeated operation
of page layout, so widths are cached per text and font.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "Reentry-Sans"
BOLD = "Reentry-Sans-Bold"
ELLIPSIS = "…"

_DEJAVU = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
_VERA = ("Vera.ttf", "VeraBd.ttf")


def _font_folders() -> list[Path]:
    """Where DejaVu is installed on Linux distributions, Windows and macOS."""
    folders = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
               Path("/usr/share/fonts/TTF"), Path("/usr/local/share/fonts"),
               Path.home() / ".local/share/fonts", Path("/Library/Fonts"),
               Path.home() / "Library/Fonts"]
    windows = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windows:
        folders.append(Path(windows) / "Fonts")
    local_app_data = os.environ.get("LOCALAPPDATA")
    if local_app_data:
        folders.append(Path(local_app_data) / "Microsoft" / "Windows" / "Fonts")
    return folders


def find_font_files(folders: Iterable[Path] | None = None) -> tuple[Path, Path]:
    """DejaVu Sans regular and bold from the first folder that has both, else bundled Vera."""
    for folder in folders if folders is not None else _font_folders():
        regular, bold = (folder / name for name in _DEJAVU)
        if regular.is_file() and bold.is_file():
            return regular, bold
    bundled = Path(reportlab.__file__).parent / "fonts"
    return bundled / _VERA[0], bundled / _VERA[1]


@cache
def register_fonts() -> tuple[str, str]:
    """Register the regular and bold fonts once per process; returns their names."""
    regular, bold = find_font_files()
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    return REGULAR, BOLD


@lru_cache(maxsize=65536)
def _width_at_one_point(text: str, font: str) -> float:
    register_fonts()  # measuring (planning) may come before any drawing
    return pdfmetrics.stringWidth(text, font, 1.0)


def text_width(text: str, font: str, size: float) -> float:
    return _width_at_one_point(text, font) * size


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` (only for non-critical texts)."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fitting_size(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size not above ``size`` (down to ``smallest``) at which ``text`` fits.

    Identity is never cut: a long name is printed smaller rather than shortened.
    """
    natural = text_width(text, font, size)
    if natural <= width:
        return size
    return max(smallest, size * width / natural)


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, font, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; a word longer than the line is broken; line breaks in ``text`` kept."""
    lines: list[str] = []
    space = text_width(" ", font, size)
    for paragraph in text.splitlines() or [""]:
        current, current_width = "", 0.0
        for word in paragraph.split():
            word_width = text_width(word, font, size)
            if current and current_width + space + word_width <= width:
                current, current_width = f"{current} {word}", current_width + space + word_width
                continue
            if current:
                lines.append(current)
            if word_width > width:
                *full, word = _split_word(word, font, size, width)
                lines.extend(full)
                word_width = text_width(word, font, size)
            current, current_width = word, word_width
        lines.append(current)
    return lines
