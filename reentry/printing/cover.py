"""The ward cover sheet: the census in bed order, what the pile holds, and the hand-over.

It is the first sheet of a ward's pile and the checklist of the walk round the ward before the
cut: every inpatient in room and bed order with the traits that tell namesakes apart, how many
patients and sheets were printed, and boxes for who handed the pile over to whom, and when.
Its page count depends only on the number of patients (``layout_cover``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm

from reentry.i18n import tr
from reentry.printing.flow import Column, FixedRow, Part, Placed, paginate, row_height
from reentry.printing.fonts import BOLD, REGULAR, fit_text, fitting_size
from reentry.printing.page import PORTRAIT, Pen, content_box
from reentry.printing.tables import draw_head_row, draw_rules

ORIENTATION = PORTRAIT
COVER_VERSION = 1
SUMMARY_HEIGHT = 33 * mm
TITLE_HEIGHT = 6.5 * mm
CENSUS_ROW_HEIGHT = 6.5 * mm
HANDOVER_HEIGHT = 30 * mm
CENSUS_SIZE = 8.5

_BOX = content_box(ORIENTATION)


def _columns(*specs: tuple[float, str]) -> tuple[Column, ...]:
    total = sum(share for share, _ in specs)
    return tuple(Column(_BOX.width * share / total, font, CENSUS_SIZE) for share, font in specs)


CENSUS_COLUMNS = _columns((12, BOLD), (10, BOLD), (52, BOLD), (40, REGULAR), (24, REGULAR),
                          (26, BOLD), (26, REGULAR))
HEAD_COLUMNS = tuple(Column(c.width, BOLD, 7.5) for c in CENSUS_COLUMNS)
HEAD_HEIGHT = row_height(HEAD_COLUMNS, 1)


@dataclass(frozen=True, slots=True)
class CensusLine:
    """One inpatient as the cover lists them (already in the print language)."""

    room: str
    bed: str
    name: str  # « DUPONT née MARTIN »
    given_names: str
    birth_date: str
    ipp: str
    nda: str


@dataclass(frozen=True, slots=True)
class CoverSummary:
    ward_title: str
    site: str
    data_as_of: str
    printed_at: str
    patients: int
    sheets: int
    pages: int
    packets: int


def layout_cover(patient_count: int) -> list[list[Placed]]:
    census_rows = tuple(FixedRow(CENSUS_ROW_HEIGHT, i) for i in range(max(patient_count, 1)))
    parts = [
        Part("summary", SUMMARY_HEIGHT, ()),
        Part("census", TITLE_HEIGHT + HEAD_HEIGHT, census_rows, CENSUS_COLUMNS),
        Part("handover", TITLE_HEIGHT, (FixedRow(HANDOVER_HEIGHT),), keep_together=True),
    ]
    return paginate(parts, _BOX.height, _BOX.height)


def _title(pen: Pen, top: float, text: str, continued: bool) -> None:
    if continued:
        text = tr("print.continued", title=text)
    pen.text(_BOX.left, top - 4.6 * mm, text, BOLD, 10.5)


def _draw_summary(pen: Pen, top: float, summary: CoverSummary) -> None:
    pen.text(_BOX.left, top - 6 * mm, fit_text(tr("print.cover_title", ward=summary.ward_title),
                                                BOLD, 15, _BOX.width), BOLD, 15)
    lines = [
        summary.site,
        summary.data_as_of,
        summary.printed_at,
        tr("print.cover_counts", patients=summary.patients, sheets=summary.sheets,
           pages=summary.pages),
        tr("print.cover_packets", packets=summary.packets),
    ]
    y = top - 12 * mm
    for line in lines:
        pen.text(_BOX.left, y, fit_text(line, REGULAR, 9.5, _BOX.width), REGULAR, 9.5)
        y -= 4.3 * mm


def _census_cells(line: CensusLine) -> tuple[str, ...]:
    return (line.room, line.bed, line.name, line.given_names, line.birth_date, line.ipp,
            line.nda)


def _draw_census(pen: Pen, placed: Placed, top: float, census: Sequence[CensusLine]) -> None:
    _title(pen, top, tr("print.census_title"), placed.continued)
    y = top - TITLE_HEIGHT
    draw_head_row(pen, _BOX.left, y, HEAD_COLUMNS, (
        tr("print.room"), tr("print.bed"), tr("print.name"), tr("print.given_names"),
        tr("print.birth_date"), tr("print.ipp"), tr("print.nda")), HEAD_HEIGHT)
    y -= HEAD_HEIGHT
    rules = []
    for row in placed.rows:
        assert isinstance(row, FixedRow)
        baseline = y - CENSUS_ROW_HEIGHT / 2 - CENSUS_SIZE / 3
        if row.index < len(census):
            _draw_census_line(pen, baseline, census[row.index])
        else:
            pen.text(_BOX.left + 1.4 * mm, baseline, tr("print.no_patient"), REGULAR,
                     CENSUS_SIZE)
        y -= CENSUS_ROW_HEIGHT
        rules.append(y)
    draw_rules(pen, _BOX.left, _BOX.right, rules)


def _draw_census_line(pen: Pen, baseline: float, line: CensusLine) -> None:
    x = _BOX.left
    for text, column in zip(_census_cells(line), CENSUS_COLUMNS, strict=True):
        room = column.text_width
        size = fitting_size(text, column.font, column.size, room, 6)
        pen.text(x + 1.4 * mm, baseline, fit_text(text, column.font, size, room), column.font,
                 size)
        x += column.width


def _draw_handover(pen: Pen, top: float) -> None:
    _title(pen, top, tr("print.handover_title"), False)
    canvas = pen.canvas
    labels = (tr("print.handed_over_by"), tr("print.received_by"), tr("print.handover_time"))
    width = _BOX.width / len(labels)
    box_top = top - TITLE_HEIGHT
    canvas.setLineWidth(0.8)
    for index, label in enumerate(labels):
        x = _BOX.left + index * width
        canvas.rect(x, box_top - HANDOVER_HEIGHT, width, HANDOVER_HEIGHT, stroke=1, fill=0)
        pen.text(x + 1.5 * mm, box_top - 4 * mm, fit_text(label, BOLD, 8, width - 3 * mm),
                 BOLD, 8)


def draw_cover_page(pen: Pen, page: list[Placed], census: Sequence[CensusLine],
                    summary: CoverSummary) -> None:
    for placed in page:
        top = _BOX.top - placed.top
        kind = placed.part.kind
        if kind == "summary":
            _draw_summary(pen, top, summary)
        elif kind == "census":
            _draw_census(pen, placed, top, census)
        else:
            _draw_handover(pen, top)
