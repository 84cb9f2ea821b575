"""Rows of fixed height flowed down pages: the pure layout shared by planning and drawing.

A sheet is registered with its page count before it is drawn, and every page code derives from
that count, so the planner and the renderer must cut pages at exactly the same rows. Both call
the functions here, which depend only on the data, never on a canvas or on the language of the
print run: a row mixing words and data is measured in every language and keeps the most lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm

from reentry.i18n import LANGUAGES, language
from reentry.printing.fonts import BOLD, REGULAR, wrap_text

CELL_PAD_X = 1.4 * mm
CELL_PAD_Y = 1.3
LEADING = 1.22  # line height as a multiple of the font size
PART_GAP = 3 * mm

Texts = Callable[[], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Column:
    width: float
    font: str = REGULAR
    size: float = 8.0

    @property
    def text_width(self) -> float:
        return self.width - 2 * CELL_PAD_X


@dataclass(frozen=True, slots=True)
class TextRow:
    """One table row: ``texts`` gives its cells in the current language; its height is fixed."""

    texts: Texts
    lines: int
    height: float
    spans: bool = False  # one text across every column (« Aucun », a note too long for cells)
    bold: bool = False


@dataclass(frozen=True, slots=True)
class FixedRow:
    """A row drawn by its part's own drawer (a signature box, a census line)."""

    height: float
    index: int = 0


Row = TextRow | FixedRow


@dataclass(frozen=True, slots=True)
class Part:
    """A titled block of rows; its head (title, column headings) repeats on every page it spans."""

    kind: str
    head_height: float
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()
    keep_together: bool = False
    title: Callable[[], str] | None = None  # in the current language
    column_titles: Texts | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    """A part (or the piece of it) on one page; ``top`` is measured down from the content top."""

    part: Part
    rows: tuple[Row, ...]
    top: float
    continued: bool


def row_font(column: Column, bold: bool) -> str:
    return BOLD if bold else column.font


def cell_lines(text: str, column: Column, bold: bool = False) -> list[str]:
    return wrap_text(text, row_font(column, bold), column.size, column.text_width)


def line_height(columns: Sequence[Column]) -> float:
    return max(c.size for c in columns) * LEADING


def row_height(columns: Sequence[Column], lines: int) -> float:
    return lines * line_height(columns) + 2 * CELL_PAD_Y


def _lines_of(texts: Sequence[str], columns: Sequence[Column], spans: bool, bold: bool) -> int:
    if spans:
        whole = Column(sum(c.width for c in columns), columns[0].font, columns[0].size)
        return len(cell_lines(texts[0], whole, bold))
    return max(len(cell_lines(t, c, bold)) for t, c in zip(texts, columns, strict=False))


def text_row(texts: Texts, columns: Sequence[Column], *, translated: bool = True,
             spans: bool = False, bold: bool = False) -> TextRow:
    """A row as tall as its tallest cell in any language (data-only rows are measured once)."""
    languages = LANGUAGES if translated else LANGUAGES[:1]
    lines = 1
    for lang in languages:
        with language(lang):
            lines = max(lines, _lines_of(texts(), columns, spans, bold))
    return TextRow(texts, lines, row_height(columns, lines), spans, bold)


def paginate(parts: Sequence[Part], first_height: float, next_height: float
             ) -> list[list[Placed]]:
    """Cut ``parts`` into pages; a part's head is never left alone at the bottom of a page."""
    pages: list[list[Placed]] = [[]]
    used, capacity = 0.0, first_height

    def new_page() -> None:
        nonlocal used, capacity
        pages.append([])
        used, capacity = 0.0, next_height

    for part in parts:
        total = part.head_height + sum(r.height for r in part.rows)
        if part.keep_together and used and used + total > capacity and total <= next_height:
            new_page()
        rows, continued = list(part.rows), False
        while True:
            first = rows[0].height if rows else 0.0
            if used and used + part.head_height + first > capacity:
                new_page()
            top, chunk = used, list[Row]()
            used += part.head_height
            while rows and (used + rows[0].height <= capacity or (not chunk and not top)):
                used += rows[0].height
                chunk.append(rows.pop(0))
            pages[-1].append(Placed(part, tuple(chunk), top, continued))
            if not rows:
                used += PART_GAP
                break
            new_page()
            continued = True
    return pages
