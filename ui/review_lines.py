"""Cells of the review's tables that read whole: a patient's name, a decision, a flag's state.

A name cut to « RENAUD … » is how the wrong patient gets linked, and « résolu… » hides how a
flag was closed. Such a cell is drawn on as many lines as its column's width needs, its row as
high as its lines: a name on one line when it fits, else the family name over the given names
(« DE LA ROCHEFOUCAULD-MONTBRISON / Marie-Éléonore »), each wrapped further between words (after
a hyphen too) only when it must; any other text wraps between words. Only a word wider than its
column — an absurdly long name on a narrow screen — ends in « … », whole in its tooltip.

Shared by the identity review (``ui.review_identity_columns``) and the flags list
(``ui.review_flags``): the lines a cell shows, the delegate that draws them, the rows' heights,
and the widths a column needs for its texts on a given number of lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from reentry.domain.review import PatientIdentity

# A name cell's two parts: the family name (« DUPONT née MARTIN ») and the given names.
NAME_PARTS_ROLE = Qt.ItemDataRole.UserRole + 1
ELLIPSIS = "…"

Index = QModelIndex | QPersistentModelIndex


def name_parts(traits: PatientIdentity) -> tuple[str, str]:
    """``traits``' whole name cut in two: the family name, the given names (or the whole name
    and nothing, when it does not end with them)."""
    full = traits.name()
    given = traits.given_names.strip()
    family = full[: len(full) - len(given)].rstrip() if given and full.endswith(given) else full
    return family, given if family != full else ""


def pieces(part: str) -> list[tuple[str, str]]:
    """``part`` cut where a line may break: between words, and after a hyphen; each piece with
    what joins it to the one before (a space, or nothing after a hyphen)."""
    found: list[tuple[str, str]] = []
    for w, word in enumerate(part.split()):
        for h, piece in enumerate(re.findall(r"[^-]+-?|-", word)):
            found.append((piece, " " if w and not h else ""))
    return found


def wrapped(part: str, metrics: QFontMetrics, width: int) -> list[str]:
    """``part`` on as few lines of ``width`` pixels as its pieces allow; a piece wider than a
    line (nothing else to do) ends in « … »."""
    lines: list[str] = []
    line = ""
    for piece, joint in pieces(part):
        if line and metrics.horizontalAdvance(line + joint + piece) <= width:
            line += joint + piece
            continue
        if line:
            lines.append(line)
        line = piece
        if metrics.horizontalAdvance(piece) > width:
            lines.append(metrics.elidedText(piece, Qt.TextElideMode.ElideRight, width))
            line = ""
    if line:
        lines.append(line)
    return lines


def name_lines(full: str, parts: tuple[str, str] | None, metrics: QFontMetrics,
               width: int) -> list[str]:
    """The lines a name is shown on in ``width`` pixels: one when it fits, else the family name
    over the given names, each wrapped further only when it must."""
    if metrics.horizontalAdvance(full) <= width:
        return [full]
    family, given = parts if parts else (full, "")
    return [line for part in (family, given) if part for line in wrapped(part, metrics, width)]


def text_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """Any other text in ``width`` pixels: one line when it fits, else wrapped between words."""
    if metrics.horizontalAdvance(text) <= width or not text:
        return [text]
    return wrapped(text, metrics, width)


def text_margin(view: QAbstractItemView) -> int:
    """Pixels the style leaves on each side of a cell's text."""
    return view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1


def room_for(view: QAbstractItemView, text_width: int) -> int:
    """A column's width for a text of ``text_width`` pixels."""
    return text_width + 2 * text_margin(view) + 1


def lines_width(metrics: QFontMetrics, text: str, most: int) -> int:
    """The least text width in which ``text`` shows on at most ``most`` lines (or on as few
    lines as its widest piece allows)."""
    low = max((metrics.horizontalAdvance(p) for p, _ in pieces(text)), default=0)
    high = max(low, metrics.horizontalAdvance(text))
    while low < high:  # the number of lines only falls as the width grows
        middle = (low + high) // 2
        if len(text_lines(text, metrics, middle)) <= most:
            high = middle
        else:
            low = middle + 1
    return low


def names_width(metrics: QFontMetrics, names: Iterable[tuple[str, tuple[str, str] | None]]
                ) -> int:
    """The text width in which each name shows on two lines at most: the family name over the
    given names."""
    return max((metrics.horizontalAdvance(part) for full, parts in names
                for part in (parts or (full,)) if part), default=0)


class LinesCell(QStyledItemDelegate):
    """Draws a cell on the lines its column's width needs: a name (``NAME_PARTS_ROLE`` given)
    by ``name_lines``, any other text by ``text_lines``. Its size hint stays the one-line
    width: what the text would take when there is room."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def lines(self, index: Index, width: int) -> list[str]:
        """What a cell ``width`` pixels wide shows, line by line."""
        return self.text_lines(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                               index.data(NAME_PARTS_ROLE), width)

    def text_lines(self, full: str, parts: object, width: int) -> list[str]:
        """The lines of a cell ``width`` pixels wide holding ``full`` (a name: its ``parts``)."""
        room = width - 2 * text_margin(self.view)
        metrics = self.view.fontMetrics()
        if isinstance(parts, tuple | list) and parts:
            return name_lines(full, (str(parts[0]), str(parts[1])), metrics, room)
        return text_lines(full, metrics, room)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The cell as the style draws it (background, selection, focus), then its lines: the
        style draws an item's text on one line whatever it holds."""
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        shown.text = ""
        widget = shown.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, shown, painter, widget)
        state = shown.state
        group = (QPalette.ColorGroup.Disabled if not state & QStyle.StateFlag.State_Enabled
                 else QPalette.ColorGroup.Active if state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        role = (QPalette.ColorRole.HighlightedText if state & QStyle.StateFlag.State_Selected
                else QPalette.ColorRole.Text)
        margin = text_margin(self.view)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, shown, widget)
        painter.save()
        painter.setFont(shown.font)
        painter.setPen(shown.palette.color(group, role))
        painter.drawText(area.adjusted(margin, 0, -margin, 0),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         "\n".join(self.lines(index, option.rect.width())))
        painter.restore()


Cell = tuple[str, object]  # a cell's text and its name's parts (None: not a name)


def fit_rows(view: QTableView, cell: LinesCell, columns: Sequence[int],
             extra: Sequence[int] = (),
             cells: Callable[[int, int], Cell] | None = None) -> None:
    """Each row of ``view`` (a table) as high as the most lines one of its ``columns`` (drawn by
    ``cell``) needs at the columns' widths; ``extra``: columns whose text the style wraps
    between words (``WrapText``), counted the same way. Rows needing one line keep the default
    height, so that a long list is only walked, not re-laid out. ``cells``: a row's and
    column's ``Cell`` read straight from the model's rows (thousands of flags), rather than
    through Qt's indexes."""
    model = view.model()

    def through_qt(row: int, column: int) -> Cell:
        index = model.index(row, column)
        return str(index.data(Qt.ItemDataRole.DisplayRole) or ""), index.data(NAME_PARTS_ROLE)

    read = cells or through_qt
    metrics = view.fontMetrics()
    margin = text_margin(view)
    vertical = view.verticalHeader()
    spacing = metrics.lineSpacing()
    one_line = spacing + 2 * margin
    if vertical.defaultSectionSize() < one_line:
        vertical.setDefaultSectionSize(one_line)
    default = vertical.defaultSectionSize()
    widths = {c: view.columnWidth(c) for c in (*columns, *extra)}
    seen: dict[tuple[int, str, object], int] = {}  # the same name on many rows: laid out once
    for row in range(model.rowCount()):
        lines = 1
        for column in (*columns, *extra):
            text, parts = read(row, column)
            key = (column, text, parts)
            if key not in seen:
                if column in columns:
                    seen[key] = len(cell.text_lines(text, parts, widths[column]))
                else:
                    room = max(widths[column] - 2 * margin, 1)
                    box = metrics.boundingRect(QRect(0, 0, room, 100_000),
                                               Qt.TextFlag.TextWordWrap, text) if text else None
                    seen[key] = -(-box.height() // spacing) if box is not None else 1
            lines = max(lines, seen[key])
        height = max(default, lines * spacing + 2 * margin)
        if view.rowHeight(row) != height:
            vertical.resizeSection(row, height)
