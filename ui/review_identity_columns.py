"""The identity review's tables: every name read whole, as the decisions are.

A name cut to « RENAUD … » is how the wrong patient gets linked: the identity-vigilance cell
must read the whole name of each side. So the columns of names have room before any other that
may give some up: while the table is wide enough every column is as wide as its content; when it
is not, the free texts (a candidate's concordance of traits) give up room first, then a case's
decision and state go on two lines (never narrower than that), then a name goes on two lines,
the family name over the given names (« DE LA ROCHEFOUCAULD-MONTBRISON / Marie-Éléonore »).
Each row is as high as the lines its cells need. Only when even that does not fit does a name
wrap between its words (after a hyphen too), and a word wider than its column — an absurdly long
name on a narrow screen — ends in « … », whole in its tooltip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from reentry.domain.review import PatientIdentity
from ui.column_memory import fitted_widths
from ui.figure_tables import FittedColumns, WrappedTexts

# A name cell's two parts: the family name (« DUPONT née MARTIN ») and the given names.
NAME_PARTS_ROLE = Qt.ItemDataRole.UserRole + 1
ELLIPSIS = "…"


def name_item(traits: PatientIdentity) -> QTableWidgetItem:
    """A cell holding ``traits``' whole name, and its two parts for when it has to wrap."""
    full = traits.name()
    given = traits.given_names.strip()
    family = full[: len(full) - len(given)].rstrip() if given and full.endswith(given) else full
    item = QTableWidgetItem(full)
    item.setData(NAME_PARTS_ROLE, (family, given if family != full else ""))
    return item


def _pieces(part: str) -> list[tuple[str, str]]:
    """``part`` cut where a line may break: between words, and after a hyphen; each piece with
    what joins it to the one before (a space, or nothing after a hyphen)."""
    pieces: list[tuple[str, str]] = []
    for w, word in enumerate(part.split()):
        for h, piece in enumerate(re.findall(r"[^-]+-?|-", word)):
            pieces.append((piece, " " if w and not h else ""))
    return pieces


def _wrapped(part: str, metrics: QFontMetrics, width: int) -> list[str]:
    """``part`` on as few lines of ``width`` pixels as its pieces allow; a piece wider than a
    line (nothing else to do) ends in « … »."""
    lines: list[str] = []
    line = ""
    for piece, joint in _pieces(part):
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
    return [line for part in (family, given) if part for line in _wrapped(part, metrics, width)]


def text_margin(table: QTableWidget) -> int:
    """Pixels the style leaves on each side of a cell's text."""
    return table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1


class NameCell(QStyledItemDelegate):
    """Draws a name on the lines ``name_lines`` gives for its cell's width (its size hint stays
    the one-line width: what the name would take when there is room)."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table

    def lines(self, index: QModelIndex | QPersistentModelIndex, width: int) -> list[str]:
        """What a cell ``width`` pixels wide shows, line by line."""
        full = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        parts = index.data(NAME_PARTS_ROLE)
        room = width - 2 * text_margin(self.table)
        return name_lines(full, tuple(parts) if parts else None, self.table.fontMetrics(), room)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
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
        margin = text_margin(self.table)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, shown, widget)
        painter.save()
        painter.setFont(shown.font)
        painter.setPen(shown.palette.color(group, role))
        painter.drawText(area.adjusted(margin, 0, -margin, 0),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         "\n".join(self.lines(index, option.rect.width())))
        painter.restore()


class IdentityColumns(FittedColumns):
    """``FittedColumns`` for the identity tables: names keep their room first (see the module),
    rows as high as their cells' lines."""

    def __init__(self, table: QTableWidget, whole: Sequence[int], wrapped: WrappedTexts,
                 names: Sequence[int]) -> None:
        super().__init__(table, whole, wrapped)
        self.names = tuple(names)
        self.name_cell = NameCell(table)
        for column in self.names:
            table.setItemDelegateForColumn(column, self.name_cell)

    def fit(self) -> None:
        table = self.table
        header = table.horizontalHeader()
        count = header.count()
        available = table.viewport().width()
        if count == 0 or available <= 0 or self.chosen:
            return
        headings = [header.sectionSizeHint(c) for c in range(count)]
        if self._natural is None or len(self._natural) != count:
            self._natural = [table.sizeHintForColumn(c) for c in range(count)]
        pad = 2 * text_margin(table) + 1
        wanted = [max(h, n) for h, n in zip(headings, self._natural, strict=True)]
        for column, texts in self.wrapped.items():  # as wide as any word it may say: no jump
            said = [table.fontMetrics().horizontalAdvance(t) + pad for t in texts() if t]
            wanted[column] = max([wanted[column], *said])
        two_lines = {c: max(headings[c], self._two_lines(c)) for c in self.wrapped}
        named = {c: max(headings[c], self._name_two_lines(c)) for c in self.names}
        free = [c for c in range(count)
                if c not in self.whole and c not in self.wrapped and c not in self.names]
        widths = list(wanted)
        # Who gives up room, in turn, and down to what: the free texts to their heading, a
        # decision to two lines, a name to two lines; then a name or a decision wraps further
        # (its widest word whole, the row higher); last, all columns down to their heading.
        words = {c: max(headings[c], self._widest_word(c)) for c in (*self.names, *self.wrapped)}
        stages = [{c: headings[c] for c in free}, two_lines, named, words,
                  dict(enumerate(headings))]
        for least in stages:
            excess = sum(widths) - available
            if excess <= 0:
                break
            group = [c for c in least if widths[c] > least[c]]
            if not group:
                continue
            own = [widths[c] for c in group]
            floor = [least[c] for c in group]
            room = max(sum(floor), sum(own) - excess)
            for column, size in zip(group, fitted_widths(own, floor, room), strict=True):
                widths[column] = size
        self._quiet = True
        try:
            for column, size in enumerate(widths):
                header.resizeSection(column, size)
        finally:
            self._quiet = False
        self._fit_rows()

    def _name_two_lines(self, column: int) -> int:
        """Room for each name of the column on two lines: family name, given names."""
        table, metrics = self.table, self.table.fontMetrics()
        widest = 0
        for row in range(table.rowCount()):
            item = table.item(row, column)
            if item is None:
                continue
            parts = item.data(NAME_PARTS_ROLE) or (item.text(), "")
            widest = max(widest, *(metrics.horizontalAdvance(p) for p in parts))
        return widest + 2 * text_margin(table) + 1

    def _widest_word(self, column: int) -> int:
        """Room for the widest piece a line of the column may not break."""
        table, metrics = self.table, self.table.fontMetrics()
        texts = {item.text() for row in range(table.rowCount())
                 if (item := table.item(row, column)) is not None}
        if column in self.wrapped:
            texts.update(self.wrapped[column]())
        widest = max((metrics.horizontalAdvance(piece) for text in texts
                      for piece, _joint in _pieces(text)), default=0)
        return widest + 2 * text_margin(table) + 1

    def _fit_rows(self) -> None:
        """Each row as high as the most lines one of its cells needs at the columns' widths."""
        table = self.table
        metrics = table.fontMetrics()
        margin = text_margin(table)
        vertical = table.verticalHeader()
        one_line = metrics.lineSpacing() + 2 * margin
        if vertical.defaultSectionSize() < one_line:
            vertical.setDefaultSectionSize(one_line)
        for row in range(table.rowCount()):
            lines = 1
            for column in self.names:
                index = table.model().index(row, column)
                lines = max(lines, len(self.name_cell.lines(index, table.columnWidth(column))))
            for column in self.wrapped:
                item = table.item(row, column)
                if item is None or not item.text():
                    continue
                room = table.columnWidth(column) - 2 * margin
                box = metrics.boundingRect(QRect(0, 0, max(room, 1), 100_000),
                                           Qt.TextFlag.TextWordWrap, item.text())
                lines = max(lines, -(-box.height() // metrics.lineSpacing()))
            height = max(vertical.defaultSectionSize(), lines * metrics.lineSpacing() + 2 * margin)
            if vertical.sectionSize(row) != height:
                vertical.resizeSection(row, height)


def identity_table(parent: QWidget, columns: int, whole: Sequence[int],
                   wrapped: WrappedTexts, names: Sequence[int]) -> QTableWidget:
    """A read-only table as ``ui.figure_tables.read_only_table`` builds, its columns fitted by
    ``IdentityColumns``."""
    table = QTableWidget(0, columns, parent)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    IdentityColumns(table, whole, wrapped, names)
    return table

