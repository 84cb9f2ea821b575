"""Read-only tables of counts and lines (progress, outage accounting, identity cases).

One look for every such table: no row numbers, numbers aligned right so that columns of counts
can be compared at a glance, and every column inside the table on a 1,366-pixel ward PC. Columns
are as wide as their content while the table has the room; when it has not, the longest texts
give up room first (``fitted_widths``), never a heading, so the last column is never cut at the
right edge; a cell cut short ends with « … » and shows its whole text as a tooltip. A column of
phrases that must read whole (an identity case's decision and state) may instead wrap them on
two lines: it keeps room for each text it may show on two lines (not only those of the rows in
view, so that it does not jump as a decision changes them), every row two lines high. A column
a person drags keeps its width until the table is opened again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QHelpEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QWidget,
)

from ui.column_memory import fitted_widths

# A wrapped column → every text it may show, in the language of the moment.
WrappedTexts = Mapping[int, Callable[[], Sequence[str]]]


def read_only_table(parent: QWidget, columns: int, whole: Sequence[int] = (),
                    wrapped: WrappedTexts | None = None) -> QTableWidget:
    """``whole``: columns never cut while the table has room for them and every heading (a
    date, an IPP: a part of one misleads); ``wrapped``: columns whose phrases wrap on two lines
    rather than being cut (« rattachée par / l'identitovigilance »), with the texts they may
    show."""
    table = QTableWidget(0, columns, parent)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    FittedColumns(table, whole, wrapped)
    return table


def two_line_width(metrics: QFontMetrics, text: str) -> int:
    """The least width in which ``text`` wraps on at most two lines, between words."""
    words = text.split(" ")
    return min(max(metrics.horizontalAdvance(" ".join(words[:cut])),
                   metrics.horizontalAdvance(" ".join(words[cut:])))
               for cut in range(1, len(words) + 1))


class WrappedText(QStyledItemDelegate):
    """A cell whose text wraps between words instead of ending in « … »."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText


def fill_table(table: QTableWidget, rows: list[list[object]]) -> None:
    """Replace the table's rows; whole numbers are aligned right."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


class FittedColumns(QObject):
    """Keeps ``table``'s columns inside its width as its rows, headings and size change."""

    def __init__(self, table: QTableWidget, whole: Sequence[int] = (),
                 wrapped: WrappedTexts | None = None) -> None:
        super().__init__(table)
        self.table = table
        self.whole = frozenset(whole)
        self.wrapped = dict(wrapped or {})
        for column in self.wrapped:
            table.setItemDelegateForColumn(column, WrappedText(table))
        self.chosen = False  # a person dragged a column: the widths are theirs from then on
        self._quiet = False
        self._natural: list[int] | None = None  # content widths, until the rows change
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.sectionResized.connect(self._resized)
        self._timer = QTimer(self)  # one fit once a refill is over, not one per cell
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.dataChanged, model.headerDataChanged, model.layoutChanged):
            signal.connect(self._later)
        table.viewport().installEventFilter(self)

    def _later(self, *_args: object) -> None:
        self._natural = None
        if not self.chosen and not self._timer.isActive():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # the type first: while the table is destroyed its viewport still sends events
        kind = event.type()
        if kind in (QEvent.Type.Resize, QEvent.Type.Show) and not self.chosen:
            self.fit()
        elif kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            return self._tooltip(event)
        return False

    def fit(self) -> None:
        """Content widths when they fit; else the longest texts cut first, headings whole."""
        table = self.table
        header = table.horizontalHeader()
        count = header.count()
        available = table.viewport().width()
        if count == 0 or available <= 0 or self.chosen:
            return
        headings = [header.sectionSizeHint(c) for c in range(count)]
        if self._natural is None or len(self._natural) != count:
            self._natural = [table.sizeHintForColumn(c) for c in range(count)]
        widths = self._widths(headings, self._natural, available)
        self._quiet = True
        try:
            # The last one too: it stretches into any room left, and keeps this width when
            # there is none (not the width it was created with).
            for column, size in enumerate(widths):
                header.resizeSection(column, size)
        finally:
            self._quiet = False
        self._fitted()

    def _widths(self, headings: list[int], natural: list[int], available: int) -> list[int]:
        """The columns' widths in ``available`` pixels, given their headings' and contents'."""
        if self.wrapped:
            self._fit_rows()
        least = [max(h, n) if c in self.whole else
                 max(h, self._two_lines(c)) if c in self.wrapped else h
                 for c, (h, n) in enumerate(zip(headings, natural, strict=True))]
        if sum(least) > available:  # too narrow even for them: cut them too rather than scroll
            least = headings
        return fitted_widths(natural, least, available)

    def _fitted(self) -> None:
        """Once the columns have their widths (a subclass's say)."""

    def _margin(self) -> int:
        table = self.table
        return table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                         table) + 1

    def _two_lines(self, column: int) -> int:
        """Room for each text of a wrapped column on two lines, shown or to come."""
        table = self.table
        metrics = table.fontMetrics()
        texts = {item.text() for row in range(table.rowCount())
                 if (item := table.item(row, column)) is not None}
        texts.update(self.wrapped[column]())
        return max((two_line_width(metrics, t) for t in texts if t), default=0) + (
            2 * self._margin() + 1)

    def _fit_rows(self) -> None:
        """Every row two lines high, so that a wrapped phrase is never cut at its foot."""
        vertical = self.table.verticalHeader()
        height = 2 * self.table.fontMetrics().lineSpacing() + 2 * self._margin()
        if vertical.defaultSectionSize() != height:
            vertical.setDefaultSectionSize(height)

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._quiet and column != self.table.horizontalHeader().count() - 1:
            self.chosen = True

    def _tooltip(self, event: QHelpEvent) -> bool:
        """A cell cut short shows its whole text (a cell with its own tooltip shows that)."""
        table = self.table
        item = table.itemAt(event.pos())
        if item is None or item.toolTip():
            return False
        text = item.text()
        rect = table.visualItemRect(item)
        margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                           table) + 1
        if table.fontMetrics().horizontalAdvance(text) + 2 * margin <= rect.width():
            QToolTip.hideText()
            return True
        QToolTip.showText(event.globalPos(), text, table.viewport(), rect)
        return True
