"""Blank paper forms drawn from their definitions in ``forms/``, nothing hard-coded per form.

Each page has a static part (title, boxes, table grid, headings with units, tick boxes, writing
hints), the same on every copy, and a few values printed for one patient (the prescription of a
medication row, the temporary identifier, the ward). The static part is drawn once per PDF as a
form XObject and reused on every page, which is what makes thousands of pages fast.

Page counts (``form_pages``) depend only on the definition and on the number of generated rows,
never on the language: the planner registers them before anything is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from reentry import display
from reentry.domain.layout import BoxKind, FieldBox, Rect, Separator
from reentry.formdefs_model import (
    Choice,
    FieldDefinition,
    FieldType,
    FormDefinition,
    RepeatPer,
    Section,
)
from reentry.i18n import get_language, tr
from reentry.printing.fonts import BOLD, REGULAR, fit_text, fitting_size, text_width, wrap_text
from reentry.printing.page import Box, Pen, content_box, page_size

DEFAULT_ROWS_PER_PAGE = 15
FORM_TITLE_HEIGHT = 7.5 * mm
DESCRIPTION_SIZE = 7.5
SECTION_TITLE_HEIGHT = 5.5 * mm
LABEL_SIZE = 7.0
LABEL_HEIGHT = 3.6 * mm
WRITE_LINE = 7.5 * mm
PRINTED_LINE = 11 * mm
BOX_GAP = 1.5 * mm
TICK = 4.0 * mm  # a tick box a pen hits and a scanner reads (OMR asks for 4 mm or more)
TICK_LINE = 5.0 * mm
TICK_MARGIN = 0.8 * mm
COMPACT_CODE_LENGTH = 3
CHOICE_SIZE = 6.5
KEY_GAP = 0.8 * mm  # between an answer's key and its words
HEAD_SIZE = 7.0
HINT_SIZE = 6.5
VALUE_SIZE = 8.5
PAD = 1.2 * mm
# Comb boxes: one digit per box, as wide as a written digit needs and no narrower than reading
# allows (4 x 5 mm); a cell too narrow for the comfortable size gets the smallest one.
COMB_WIDTH = 4.5 * mm
COMB_HEIGHT = 5.5 * mm
SMALLEST_COMB = (4.0 * mm, 5.0 * mm)
COMB_SEPARATOR = 2.0 * mm
COMB_CLEARANCE = 0.5 * mm  # at least, above and below, from the row's rules
SEPARATOR_SIZE = 10.0
UNBOUNDED_DIGITS = 4  # a number without a range in its definition
BOX_LINE = 0.6  # points: the border of tick and comb boxes

HINT_GREY = Color(0.6, 0.6, 0.6)
GRID_GREY = Color(0.35, 0.35, 0.35)


# -- pages (pure: the planner uses this) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormPage:
    """One page of a form: which repeated section it shows, and which of its rows."""

    section_id: str | None
    first: bool  # the first page carries the title, the description and the fixed sections
    rows: range = range(0)

    @property
    def kind(self) -> tuple[str | None, bool]:
        """Pages of the same kind share one static drawing."""
        return self.section_id, self.first


def section_rows(section: Section, dose_count: int) -> int:
    assert section.repeat is not None
    if section.repeat.per is RepeatPer.PRESCRIPTION_DOSE:
        return dose_count
    return section.repeat.rows or 0


def rows_per_page(section: Section, rows: int) -> int:
    return section.layout.rows_per_page or min(max(rows, 1), DEFAULT_ROWS_PER_PAGE)


def form_pages(form: FormDefinition, dose_count: int = 0) -> list[FormPage]:
    """Page 1 holds the fixed sections and the first rows; each repeated section continues on
    its own pages; a generated table with no row still gets one page of blank rows."""
    pages: list[FormPage] = []
    for section in form.sections:
        if not section.repeated:
            continue
        rows = section_rows(section, dose_count)
        per_page = rows_per_page(section, rows)
        for start in range(0, max(rows, 1), per_page):
            pages.append(FormPage(section.id, not pages, range(start, start + per_page)))
    return pages or [FormPage(None, True)]


# -- geometry -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    x: float
    y: float  # bottom
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class TableGeometry:
    section: Section
    cells: tuple[tuple[float, float], ...]  # (x, width) of each field's column
    top: float  # top of the first body row
    row_height: float
    rows: int


@dataclass(slots=True)
class PageGeometry:
    """Where the values printed for one patient go on a page of this kind."""

    boxes: dict[str, Cell] = field(default_factory=dict)
    table: TableGeometry | None = None
    # What a nurse writes in, for reading the scanned page back; a table's rows are counted
    # from the page's first row (``FormPage.rows`` gives the sheet's row).
    fields: list[FieldBox] = field(default_factory=list)


def _unit(field_def: FieldDefinition) -> str:
    return display.unit_text(field_def.unit)


def _label(field_def: FieldDefinition, short: bool = False) -> str:
    lang = get_language()
    text = field_def.short_label_in(lang) if short else field_def.label_in(lang)
    unit = _unit(field_def)
    return tr("print.label_with_unit", label=text, unit=unit) if unit and not short else text


@dataclass(frozen=True, slots=True)
class TickLabel:
    """The words beside a tick box: the answer's key in bold (« A »), then its label."""

    key: str
    text: str
    code: str = ""  # the answer's stored code (« given »), what a ticked box reads as

    def width(self, size: float) -> float:
        return (text_width(self.key, BOLD, size) + (KEY_GAP if self.text else 0.0)
                if self.key else 0.0) + text_width(self.text, REGULAR, size)


def _short_code(choice: Choice) -> str:
    """What a compact tick box shows: the key typed on screen, else the (short) code."""
    return choice.key or choice.code


def _choice_texts(field_def: FieldDefinition, compact: bool) -> list[TickLabel]:
    """Tick box labels; an answer with a key shows it before its words (« A administré »), the
    key the entry screen takes, so the typist reads on the paper which key to press."""
    if field_def.type is FieldType.BOOLEAN:
        return [TickLabel("", tr("print.yes"), "true"), TickLabel("", tr("print.no"), "false")]
    lang = get_language()
    if compact:
        return [TickLabel(_short_code(c), "", c.code) for c in field_def.choices]
    return [TickLabel(c.key or "", c.label_in(lang), c.code) for c in field_def.choices]


def _flow_items(items: Sequence[TickLabel], width: float, size: float) -> list[list[TickLabel]]:
    """Tick boxes with their labels, as many per line as fit ``width``."""
    lines: list[list[TickLabel]] = [[]]
    used = 0.0
    for item in items:
        need = TICK + 1 * mm + item.width(size) + 2 * mm
        if lines[-1] and used + need > width:
            lines.append([])
            used = 0.0
        lines[-1].append(item)
        used += need
    return lines


def _has_ticks(field_def: FieldDefinition) -> bool:
    return field_def.type in (FieldType.CHOICE, FieldType.BOOLEAN)


def _hint(field_def: FieldDefinition) -> str:
    return {
        FieldType.DATE: tr("print.hint_date"),
        FieldType.TIME: tr("print.hint_time"),
        FieldType.DATETIME: tr("print.hint_datetime"),
    }.get(field_def.type, "")


def comb_groups(field_def: FieldDefinition) -> tuple[tuple[int, ...], str] | None:
    """The digit boxes a written value needs, by group, and what is printed between groups:
    a number takes as many digits as its range's widest bound (« 300 » → 3), then its decimals
    after the language's separator; a time « hh:mm » four; a date « jj/mm/aaaa » eight. None:
    not written digit by digit."""
    if field_def.readonly or field_def.prefill:
        return None
    if field_def.type is FieldType.TIME:
        return (2, 2), ":"
    if field_def.type is FieldType.DATE:
        return (2, 2, 4), "/"
    if not field_def.is_numeric:
        return None
    bounds = field_def.range
    widest = max(abs(bounds.min), abs(bounds.max)) if bounds else 10 ** UNBOUNDED_DIGITS - 1
    whole = len(str(int(widest)))
    if field_def.type is FieldType.DECIMAL:
        return (whole, field_def.decimals or 1), tr("display.decimal_separator")
    return (whole,), ""


def comb_width(groups: Sequence[int], box_width: float = COMB_WIDTH) -> float:
    return sum(groups) * box_width + (len(groups) - 1) * COMB_SEPARATOR


def _comb_size(groups: Sequence[int], room: float, height: float) -> tuple[float, float] | None:
    """The comfortable box size if the comb fits ``room`` × ``height``, else the smallest that
    fits; None when even that does not (the field is then written freely, read for ink only)."""
    for width, tall in ((COMB_WIDTH, COMB_HEIGHT), SMALLEST_COMB):
        if comb_width(groups, width) <= room and tall <= height:
            return width, tall
    return None


def _plain_kind(field_def: FieldDefinition) -> BoxKind | None:
    """How a field written without combs or tick boxes is read; None when it is printed."""
    if field_def.readonly or field_def.prefill:
        return None
    if field_def.type is FieldType.INITIALS:
        return BoxKind.INITIALS
    if field_def.type is FieldType.TEXT and field_def.lines > 1:
        return BoxKind.TEXT_AREA
    return BoxKind.WRITE_IN


class _Drawer:
    """Draws the static part of one page kind and records where values go."""

    def __init__(self, pen: Pen, form: FormDefinition, page: FormPage) -> None:
        self.pen = pen
        self.canvas = pen.canvas
        self.form = form
        self.page = page
        self.box: Box = content_box(form.layout.orientation)
        self.y = self.box.top
        self.geometry = PageGeometry()
        self.legends: list[str] = []
        self.page_height = page_size(form.layout.orientation)[1]

    def _rect(self, x: float, bottom: float, width: float, height: float) -> Rect:
        return Rect.from_pdf(x, bottom, width, height, self.page_height)

    def _record(self, box: FieldBox) -> None:
        """Keep a box for reading and draw what it prints (tick and comb boxes): the paper and
        the layout come from the same record."""
        self.geometry.fields.append(box)
        canvas = self.canvas
        canvas.setLineWidth(BOX_LINE)
        if box.kind is BoxKind.CHECKBOX:
            canvas.rect(*box.rect.to_pdf(self.page_height), stroke=1, fill=0)
        for digit in box.digits:
            canvas.rect(*digit.to_pdf(self.page_height), stroke=1, fill=0)
        for separator in box.separators:
            x, bottom, width, _ = separator.rect.to_pdf(self.page_height)
            self.pen.centre(x + width / 2, bottom + 0.4 * mm, separator.text, BOLD,
                            SEPARATOR_SIZE)
        canvas.setLineWidth(0.5)

    def _comb(self, field_def: FieldDefinition, row: int | None, x: float, width: float,
              bottom: float, height: float) -> bool:
        """Digit boxes for ``field_def``, left in the cell and centred in its height; False when
        the field writes no digits or the cell is too small for them."""
        comb = comb_groups(field_def)
        size = _comb_size(comb[0], width - 2 * PAD, height - 2 * COMB_CLEARANCE) if comb else None
        if comb is None or size is None:
            return False
        groups, separator = comb
        box_width, box_height = size
        y = bottom + (height - box_height) / 2
        cursor = x + PAD
        digits: list[Rect] = []
        separators: list[Separator] = []
        for index, count in enumerate(groups):
            if index:
                separators.append(Separator(separator, self._rect(cursor, y, COMB_SEPARATOR,
                                                                  box_height)))
                cursor += COMB_SEPARATOR
            for _ in range(count):
                digits.append(self._rect(cursor, y, box_width, box_height))
                cursor += box_width
        whole = self._rect(x + PAD, y, cursor - x - PAD, box_height)
        self._record(FieldBox(field_def.id, row, BoxKind.COMB_DIGIT, whole,
                              digits=tuple(digits), separators=tuple(separators)))
        return True

    # -- texts and marks ----------------------------------------------------------------------

    def _grey_text(self, x: float, y: float, text: str, size: float = HINT_SIZE) -> None:
        self.canvas.setFillColor(HINT_GREY)
        self.pen.text(x, y, text, REGULAR, size)
        self.canvas.setFillColorRGB(0, 0, 0)

    def _ticks(self, field_def: FieldDefinition, row: int | None, x: float, top: float,
               lines: list[list[TickLabel]], size: float) -> None:
        y = top
        for line in lines:
            cursor = x
            for item in line:
                self._record(FieldBox(field_def.id, row, BoxKind.CHECKBOX,
                                      self._rect(cursor, y - TICK, TICK, TICK), item.code))
                left = cursor + TICK + 1 * mm
                baseline = y - TICK / 2 - size * 0.35
                if item.key:
                    self.pen.text(left, baseline, item.key, BOLD, size)
                    left += text_width(item.key, BOLD, size) + KEY_GAP
                if item.text:
                    self.pen.text(left, baseline, item.text, REGULAR, size)
                cursor += TICK + 1 * mm + item.width(size) + 2 * mm
            y -= TICK_LINE

    # -- title and description ----------------------------------------------------------------

    def title(self) -> None:
        lang = get_language()
        title = self.form.title_in(lang)
        if not self.page.first:
            title = tr("print.continued", title=title)
        self.pen.text(self.box.left, self.y - 5 * mm, title, BOLD, 13)
        self.y -= FORM_TITLE_HEIGHT
        if self.page.first and self.form.description:
            for line in wrap_text(self.form.description.text(lang), REGULAR, DESCRIPTION_SIZE,
                                  self.box.width):
                self.pen.text(self.box.left, self.y - DESCRIPTION_SIZE, line, REGULAR,
                              DESCRIPTION_SIZE)
                self.y -= DESCRIPTION_SIZE * 1.25
            self.y -= 1.5 * mm

    def section_title(self, section: Section) -> None:
        text = section.title_in(get_language())
        if not text:
            return
        if not self.page.first:
            text = tr("print.continued", title=text)
        self.pen.text(self.box.left, self.y - 3.8 * mm, text, BOLD, 9)
        self.y -= SECTION_TITLE_HEIGHT

    # -- fixed sections: boxes ----------------------------------------------------------------

    def _box_content_height(self, field_def: FieldDefinition, width: float) -> float:
        if _has_ticks(field_def):
            lines = _flow_items(_choice_texts(field_def, False), width - 2 * PAD, CHOICE_SIZE)
            return len(lines) * TICK_LINE + 2 * PAD
        if field_def.type is FieldType.TEXT:
            return field_def.lines * WRITE_LINE
        if field_def.readonly:  # printed, not written: the temporary identifier, in large type
            return PRINTED_LINE
        if comb_groups(field_def):
            return max(WRITE_LINE, COMB_HEIGHT + 2 * TICK_MARGIN)
        return WRITE_LINE

    def fixed_section(self, section: Section) -> None:
        self.section_title(section)
        columns = section.layout.columns
        unit = self.box.width / columns
        line: list[tuple[FieldDefinition, float]] = []
        used = 0
        for field_def in section.fields:
            span = min(columns, max(1, round(field_def.width)))
            if line and used + span > columns:
                self._box_line(line)
                line, used = [], 0
            line.append((field_def, span * unit))
            used += span
        if line:
            self._box_line(line)

    def _box_line(self, line: list[tuple[FieldDefinition, float]]) -> None:
        height = LABEL_HEIGHT + max(self._box_content_height(f, w) for f, w in line)
        x = self.box.left
        for field_def, width in line:
            self._box(field_def, x, width, height)
            x += width
        self.y -= height + BOX_GAP

    def _box(self, field_def: FieldDefinition, x: float, width: float, height: float) -> None:
        canvas = self.canvas
        bottom = self.y - height
        canvas.setLineWidth(0.6)
        canvas.rect(x, bottom, width, height, stroke=1, fill=0)
        label = fit_text(_label(field_def), REGULAR, LABEL_SIZE, width - 2 * PAD)
        self.pen.text(x + PAD, self.y - LABEL_SIZE - 0.8 * mm, label, REGULAR, LABEL_SIZE)
        area_top = self.y - LABEL_HEIGHT
        if _has_ticks(field_def):
            lines = _flow_items(_choice_texts(field_def, False), width - 2 * PAD, CHOICE_SIZE)
            self._ticks(field_def, None, x + PAD, area_top - PAD, lines, CHOICE_SIZE)
        elif self._comb(field_def, None, x, width, bottom, area_top - bottom):
            pass
        else:
            if field_def.type is FieldType.TEXT and field_def.lines > 1:
                self._writing_lines(x, width, area_top, field_def.lines)
            elif _hint(field_def) and not field_def.prefill:
                self._grey_text(x + PAD, bottom + 2 * mm, _hint(field_def))
            kind = _plain_kind(field_def)
            if kind is not None:
                self.geometry.fields.append(FieldBox(
                    field_def.id, None, kind, self._rect(x, bottom, width, area_top - bottom)))
        self.geometry.boxes[field_def.id] = Cell(x, bottom, width, area_top - bottom)

    def _writing_lines(self, x: float, width: float, top: float, lines: int,
                       spacing: float = WRITE_LINE) -> None:
        """Faint lines to write on, ``lines`` of them per box or table cell."""
        canvas = self.canvas
        canvas.setStrokeColor(HINT_GREY)
        canvas.setLineWidth(0.3)
        canvas.lines([(x + PAD, top - k * spacing, x + width - PAD, top - k * spacing)
                      for k in range(1, lines)])
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.5)

    # -- repeated section: a table ------------------------------------------------------------

    def _column_cells(self, section: Section) -> tuple[tuple[float, float], ...]:
        total = sum(f.width for f in section.fields)
        x, cells = self.box.left, []
        for field_def in section.fields:
            width = self.box.width * field_def.width / total
            cells.append((x, width))
            x += width
        return tuple(cells)

    def _head_lines(self, field_def: FieldDefinition, width: float) -> list[str]:
        lines = wrap_text(_label(field_def, short=True), BOLD, HEAD_SIZE, width - 2 * PAD)
        unit = _unit(field_def)
        return [*lines, f"({unit})"] if unit else lines

    def _compact(self, field_def: FieldDefinition, width: float, row_height: float) -> bool:
        """Labels that do not fit the cell become their codes, explained in a legend; only
        short codes (AVPU's A, V, P, U) are worth it, others keep their words."""
        if any(len(_short_code(c)) > COMPACT_CODE_LENGTH for c in field_def.choices):
            return False
        lines = _flow_items(_choice_texts(field_def, False), width - 2 * PAD, CHOICE_SIZE)
        return len(lines) * TICK_LINE - (TICK_LINE - TICK) > row_height - 2 * TICK_MARGIN

    def _legend(self, field_def: FieldDefinition) -> str:
        lang = get_language()
        pairs = [tr("print.legend_item", code=_short_code(c), label=c.label_in(lang))
                 for c in field_def.choices]
        return tr("print.legend", label=field_def.short_label_in(lang), items=", ".join(pairs))

    def table(self, section: Section) -> None:
        self.section_title(section)
        cells = self._column_cells(section)
        heads = [self._head_lines(f, w) for f, (_, w) in zip(section.fields, cells, strict=True)]
        head_height = max(len(h) for h in heads) * HEAD_SIZE * 1.2 + 2 * PAD
        rows = len(self.page.rows)
        room = self.y - head_height - self.box.bottom
        compact: set[str] = set()
        legends: list[str] = []
        for _ in range(2):  # a legend takes room, which may make another choice compact
            row_height = (room - len(legends) * HINT_SIZE * 1.4) / rows
            compact = {f.id for f, (_, w) in zip(section.fields, cells, strict=True)
                       if f.type is FieldType.CHOICE and self._compact(f, w, row_height)}
            legends = [self._legend(f) for f in section.fields if f.id in compact]
        row_height = (room - len(legends) * HINT_SIZE * 1.4) / rows
        self._table_head(cells, heads, head_height)
        top = self.y - head_height
        self._table_grid(section, cells, top, row_height, rows, head_height, compact)
        self.geometry.table = TableGeometry(section, cells, top, row_height, rows)
        y = top - rows * row_height - HINT_SIZE * 1.3
        for legend in legends:
            self.pen.text(self.box.left, y, fit_text(legend, REGULAR, HINT_SIZE, self.box.width),
                          REGULAR, HINT_SIZE)
            y -= HINT_SIZE * 1.4

    def _table_head(self, cells: Sequence[tuple[float, float]], heads: list[list[str]],
                    height: float) -> None:
        canvas = self.canvas
        canvas.setFillColor(Color(0.9, 0.9, 0.9))
        canvas.rect(self.box.left, self.y - height, self.box.width, height, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        for (x, _), lines in zip(cells, heads, strict=True):
            y = self.y - PAD - HEAD_SIZE
            for line in lines:
                self.pen.text(x + PAD, y, line, BOLD, HEAD_SIZE)
                y -= HEAD_SIZE * 1.2

    def _table_grid(self, section: Section, cells: Sequence[tuple[float, float]], top: float,
                    row_height: float, rows: int, head_height: float, compact: set[str]) -> None:
        canvas = self.canvas
        left, right = self.box.left, self.box.right
        bottom = top - rows * row_height
        canvas.setStrokeColor(GRID_GREY)
        canvas.setLineWidth(0.5)
        canvas.lines([(left, top - k * row_height, right, top - k * row_height)
                      for k in range(1, rows)])
        canvas.lines([(x, bottom, x, top + head_height) for x, _ in cells[1:]])
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.9)
        canvas.rect(left, bottom, right - left, top + head_height - bottom, stroke=1, fill=0)
        canvas.line(left, top, right, top)
        canvas.setLineWidth(0.5)
        for field_def, (x, width) in zip(section.fields, cells, strict=True):
            self._column_marks(field_def, x, width, top, row_height, rows,
                               field_def.id in compact)

    def _column_marks(self, field_def: FieldDefinition, x: float, width: float, top: float,
                      row_height: float, rows: int, compact: bool) -> None:
        """Tick boxes, comb boxes or writing hints repeated down a column."""
        if _has_ticks(field_def):
            lines = _flow_items(_choice_texts(field_def, compact), width - 2 * PAD, CHOICE_SIZE)
            height = len(lines) * TICK_LINE - (TICK_LINE - TICK)
            for k in range(rows):
                row_top = top - k * row_height
                offset = max(TICK_MARGIN, (row_height - height) / 2)
                self._ticks(field_def, k, x + PAD, row_top - offset, lines, CHOICE_SIZE)
            return
        if comb_groups(field_def) and all(
                self._comb(field_def, k, x, width, top - (k + 1) * row_height, row_height)
                for k in range(rows)):
            return
        kind = _plain_kind(field_def)
        if kind is not None:
            self.geometry.fields.extend(
                FieldBox(field_def.id, k, kind,
                         self._rect(x, top - (k + 1) * row_height, width, row_height))
                for k in range(rows))
        if field_def.type is FieldType.TEXT and field_def.lines > 1:
            for k in range(rows):
                row_top = top - k * row_height
                self._writing_lines(x, width, row_top, field_def.lines,
                                    row_height / field_def.lines)
            return
        hint = "" if field_def.prefill else _hint(field_def)
        if hint and field_def.type is FieldType.TIME:
            for k in range(rows):
                baseline = top - k * row_height - row_height / 2 - HINT_SIZE / 3
                self.canvas.setFillColor(HINT_GREY)
                self.pen.centre(x + width / 2, baseline, hint, REGULAR, HINT_SIZE)
            self.canvas.setFillColorRGB(0, 0, 0)


def draw_form_static(pen: Pen, form: FormDefinition, page: FormPage,
                     reserved_top: float = 0.0) -> PageGeometry:
    """Draw what every copy of this page kind shows; returns where the values go.

    ``reserved_top``: height left free at the top for what the caller prints on every page of
    the sheet (the medication record's window and allergies); the table takes the rest."""
    drawer = _Drawer(pen, form, page)
    drawer.y -= reserved_top
    drawer.title()
    if page.first:
        for section in form.sections:
            if not section.repeated:
                drawer.fixed_section(section)
    table = next((s for s in form.sections if s.id == page.section_id), None)
    if table is not None:
        drawer.table(table)
    return drawer.geometry


# -- values printed for one patient -------------------------------------------------------------


def draw_box_values(pen: Pen, geometry: PageGeometry, values: Mapping[str, str]) -> None:
    """Pre-filled values of fixed fields, large and bold, in the box's writing area."""
    for field_id, text in values.items():
        cell = geometry.boxes.get(field_id)
        if cell is None or not text:
            continue
        size = min(20.0, max(9.0, cell.height * 0.6))
        size = fitting_size(text, BOLD, size, cell.width - 2 * PAD, 7)
        baseline = cell.y + (cell.height - size * 0.72) / 2
        pen.text(cell.x + PAD, baseline, fit_text(text, BOLD, size, cell.width - 2 * PAD),
                 BOLD, size)


def _cell_text(pen: Pen, text: str, x: float, width: float, top: float, height: float) -> None:
    """A value in a table cell: wrapped in bold, shrunk if needed; lines after a line break
    (the day under a planned time) in small regular type."""
    main, *notes = text.split("\n")
    inner = width - 2 * PAD
    size = VALUE_SIZE
    capacity = max(1, int((height - 2 * PAD) // (size * 1.15)) - len(notes))
    lines = wrap_text(main, BOLD, size, inner)
    if len(lines) > capacity:
        size = 6.5
        capacity = max(1, int((height - 2 * PAD) // (size * 1.15)) - len(notes))
        lines = wrap_text(main, BOLD, size, inner)
    drawn = [(line, BOLD, size) for line in lines[:capacity]]
    drawn += [(note, REGULAR, min(size, 7.0)) for note in notes]
    block = sum(s * 1.15 for _, _, s in drawn)
    baseline = top - (height - block) / 2 - drawn[0][2] * 0.85
    for line, font, line_size in drawn:
        pen.text(x + PAD, baseline, fit_text(line, font, line_size, inner), font, line_size)
        baseline -= line_size * 1.15


def draw_row_values(pen: Pen, geometry: PageGeometry, rows: Sequence[Mapping[str, str]]) -> None:
    """Pre-filled cells of generated rows (drug, dose, route, planned time of a medication)."""
    table = geometry.table
    if table is None:
        return
    for index, values in enumerate(rows[:table.rows]):
        top = table.top - index * table.row_height
        for field_def, (x, width) in zip(table.section.fields, table.cells, strict=True):
            text = values.get(field_def.id)
            if text:
                _cell_text(pen, text, x, width, top, table.row_height)


def needs_doses(form: FormDefinition) -> bool:
    """Whether the form has a table generated from the prescriptions."""
    return any(s.repeat is not None and s.repeat.per is RepeatPer.PRESCRIPTION_DOSE
               for s in form.sections)
