"""Drawing the rows that ``flow`` laid out: cells of wrapped text between thin rules."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.colors import Color

from reentry.printing.flow import (
    CELL_PAD_X,
    CELL_PAD_Y,
    Column,
    TextRow,
    cell_lines,
    line_height,
    row_font,
)
from reentry.printing.page import Pen

RULE_GREY = Color(0.55, 0.55, 0.55)
HEAD_FILL = Color(0.9, 0.9, 0.9)


def draw_cells(pen: Pen, left: float, top: float, columns: Sequence[Column],
               texts: Sequence[str], lines: int, bold: bool = False) -> None:
    """Each text wrapped in its column, at most ``lines`` lines (the height planned for it)."""
    leading = line_height(columns)
    x = left
    for text, column in zip(texts, columns, strict=False):
        baseline = top - CELL_PAD_Y - column.size
        for line in cell_lines(text, column, bold)[:lines]:
            pen.text(x + CELL_PAD_X, baseline, line, row_font(column, bold), column.size)
            baseline -= leading
        x += column.width


def draw_text_row(pen: Pen, left: float, top: float, columns: Sequence[Column],
                  row: TextRow) -> None:
    texts = row.texts()
    if row.spans:
        whole = Column(sum(c.width for c in columns), columns[0].font, columns[0].size)
        draw_cells(pen, left, top, [whole], texts[:1], row.lines, row.bold)
    else:
        draw_cells(pen, left, top, columns, texts, row.lines, row.bold)


def draw_head_row(pen: Pen, left: float, top: float, columns: Sequence[Column],
                  texts: Sequence[str], height: float, lines: int = 1) -> None:
    """Column headings on a grey band."""
    canvas = pen.canvas
    canvas.setFillColor(HEAD_FILL)
    canvas.rect(left, top - height, sum(c.width for c in columns), height, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    draw_cells(pen, left, top, columns, texts, lines, bold=True)


def draw_rules(pen: Pen, left: float, right: float, ys: Sequence[float]) -> None:
    """Thin grey rules under rows: cheap to draw, easy to follow with a finger."""
    if not ys:
        return
    canvas = pen.canvas
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.4)
    canvas.lines([(left, y, right, y) for y in ys])
    canvas.setStrokeColorRGB(0, 0, 0)
