"""The frame of every printed page: identity banner, page codes, page x / n, data as of.

Whatever a page carries (census, dossier, blank form), its frame says whose it is and which page
it is: a loose sheet found on a trolley must name its patient and its place in the pile. The
frame's geometry is fixed, so that layout (and therefore page counts) never depends on the data
printed in it; a long name is printed smaller, never cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reentry.barcodes import group_for_reading
from reentry.domain.layout import POINTS_PER_MM, Rect
from reentry.printing import marks
from reentry.printing.fonts import BOLD, REGULAR, fit_text, fitting_size, text_width

PORTRAIT = "portrait"
LANDSCAPE = "landscape"

MARGIN = 10 * mm
HEADER_HEIGHT = 22 * mm
FOOTER_HEIGHT = 16 * mm
GAP = 3 * mm
BAR_LIFT = 1 * mm  # bottom bars sit just above the margin

# Registration marks: a solid square in each corner, inside the margin, clear of the codes' quiet
# zones (the codes start at the margin) and of a printer's unprintable edge (about 4 mm).
CORNER_MARK = 4.0  # mm
CORNER_INSET = 4.5  # mm from the paper's edges

BANNER_TITLE_SIZE = 12.5
BANNER_TEXT_SIZE = 8.5
SMALLEST_IDENTITY_SIZE = 6.0


def page_size(orientation: str) -> tuple[float, float]:
    return landscape(A4) if orientation == LANDSCAPE else A4


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


def corner_marks(orientation: str) -> tuple[Rect, Rect, Rect, Rect]:
    """The four registration marks, top-left, top-right, bottom-right, bottom-left, in mm."""
    width, height = (side / POINTS_PER_MM for side in page_size(orientation))
    left, top = CORNER_INSET, CORNER_INSET
    right, bottom = width - CORNER_INSET - CORNER_MARK, height - CORNER_INSET - CORNER_MARK
    return tuple(Rect(x, y, CORNER_MARK, CORNER_MARK)  # type: ignore[return-value]
                 for x, y in ((left, top), (right, top), (right, bottom), (left, bottom)))


def content_box(orientation: str) -> Box:
    """Where a page's own content goes, between the banner and the footer."""
    width, height = page_size(orientation)
    return Box(MARGIN, MARGIN + FOOTER_HEIGHT + GAP, width - MARGIN,
               height - MARGIN - HEADER_HEIGHT - GAP)


class Pen:
    """Draws text on a canvas, sending a font change only when the font really changes."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._font: tuple[str, float] | None = None

    def forget_font(self) -> None:
        """After a new page or a form XObject, the canvas no longer has our font set."""
        self._font = None

    def _use(self, font: str, size: float) -> None:
        if self._font != (font, size):
            self.canvas.setFont(font, size)
            self._font = (font, size)

    def text(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 8.5) -> None:
        if text:
            self._use(font, size)
            self.canvas.drawString(x, y, text)

    def right(self, x: float, y: float, text: str, font: str = REGULAR,
              size: float = 8.5) -> None:
        if text:
            self.text(x - text_width(text, font, size), y, text, font, size)

    def centre(self, x: float, y: float, text: str, font: str = REGULAR,
               size: float = 8.5) -> None:
        if text:
            self.text(x - text_width(text, font, size) / 2, y, text, font, size)

    def fitted(self, x: float, y: float, text: str, width: float, font: str = REGULAR,
               size: float = 8.5, smallest: float = SMALLEST_IDENTITY_SIZE) -> None:
        """Shrunk to fit ``width``; if even the smallest size is too wide, cut as a last resort."""
        size = fitting_size(text, font, size, width, smallest)
        self.text(x, y, fit_text(text, font, size, width), font, size)


@dataclass(frozen=True, slots=True)
class Banner:
    """Whose page it is: the same on every page of one patient, packet or ward."""

    title: str  # bold first line: the patient's name, the temporary identifier, the ward
    lines: tuple[str, ...]  # up to three smaller lines
    title_size: float = BANNER_TITLE_SIZE


@dataclass(frozen=True, slots=True)
class Footer:
    """What every page of one document says about the data and the print run."""

    data_as_of: str
    printed_at: str
    drill_mark: str = ""  # « EXERCICE » on every page printed from a drill copy


@dataclass(frozen=True, slots=True)
class Stamp:
    """What only this page says: its code, its place among the pages, its sheet."""

    code: str
    page: int
    pages: int
    page_label: str  # « Page 3 / 7 »
    sheet_title: str


def draw_frame(pen: Pen, orientation: str, banner: Banner, footer: Footer, stamp: Stamp) -> None:
    width, height = page_size(orientation)
    top_symbol = marks.code128(stamp.code)
    _draw_header(pen, width, height, banner, stamp, top_symbol)
    _draw_footer(pen, width, footer, stamp, top_symbol)
    _draw_corner_marks(pen, orientation, height)
    if footer.drill_mark:
        _draw_drill_mark(pen, width, height, footer.drill_mark)


def _draw_corner_marks(pen: Pen, orientation: str, height: float) -> None:
    """Four solid squares a scanned page is registered by, in one path."""
    rects = " ".join("{:.2f} {:.2f} {:.2f} {:.2f} re".format(*mark.to_pdf(height))
                     for mark in corner_marks(orientation))
    pen.canvas.addLiteral(f"q 0 g {rects} f Q")


def _draw_drill_mark(pen: Pen, width: float, height: float, mark: str) -> None:
    """A large grey diagonal line of text: nobody can take a drill sheet for a real one, and
    handwriting over it stays legible (light grey, outside the codes)."""
    canvas = pen.canvas
    canvas.saveState()
    canvas.setFillGray(0.85)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    size = min(54.0, 0.9 * min(width, height) / max(len(mark), 1) * 1.9)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(0, -size / 3, mark)
    canvas.restoreState()
    pen.forget_font()


def _draw_header(pen: Pen, width: float, height: float, banner: Banner, stamp: Stamp,
                 symbol: marks.Symbol) -> None:
    canvas = pen.canvas
    block = marks.code128_block_width(symbol)
    bars_x = width - MARGIN - block
    bars_y = height - MARGIN - marks.CODE128_BAR_HEIGHT
    canvas.addLiteral(marks.code128_operators(symbol, bars_x, bars_y))
    pen.centre(bars_x + block / 2, bars_y - 4.2 * mm, group_for_reading(stamp.code), BOLD, 10)
    text_width_left = bars_x - MARGIN - 2 * mm
    y = height - MARGIN - banner.title_size * 0.85
    pen.fitted(MARGIN, y, banner.title, text_width_left, BOLD, banner.title_size)
    y -= banner.title_size * 0.45 + BANNER_TEXT_SIZE * 1.1
    for line in banner.lines[:3]:
        pen.fitted(MARGIN, y, line, text_width_left, REGULAR, BANNER_TEXT_SIZE)
        y -= BANNER_TEXT_SIZE * 1.3
    rule_y = height - MARGIN - HEADER_HEIGHT
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)


def _draw_footer(pen: Pen, width: float, footer: Footer, stamp: Stamp,
                 symbol: marks.Symbol) -> None:
    canvas = pen.canvas
    canvas.addLiteral(marks.code128_operators(symbol, MARGIN, MARGIN + BAR_LIFT))
    square = marks.datamatrix(stamp.code)
    side = marks.datamatrix_size(square)
    square_x = width - MARGIN - side
    canvas.addLiteral(marks.datamatrix_operators(square, square_x, MARGIN + BAR_LIFT))
    quiet = marks.DATAMATRIX_QUIET_MODULES * marks.DATAMATRIX_MODULE
    pen.right(square_x - quiet - 1 * mm, MARGIN + BAR_LIFT + side / 2 - 3,
              group_for_reading(stamp.code), BOLD, 9)
    left = MARGIN + marks.code128_block_width(symbol) + 2 * mm
    right = square_x - quiet - 33 * mm
    middle = (left + right) / 2
    room = right - left
    base = MARGIN + BAR_LIFT
    pen.centre(middle, base + 10.6 * mm, stamp.page_label, BOLD, 10.5)
    pen.centre(middle, base + 6.8 * mm, fit_text(footer.data_as_of, REGULAR, 7.5, room),
               REGULAR, 7.5)
    pen.centre(middle, base + 3.6 * mm, fit_text(footer.printed_at, REGULAR, 7.5, room),
               REGULAR, 7.5)
    pen.centre(middle, base + 0.4 * mm, fit_text(stamp.sheet_title, REGULAR, 7, room),
               REGULAR, 7)
    rule_y = MARGIN + FOOTER_HEIGHT
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)
