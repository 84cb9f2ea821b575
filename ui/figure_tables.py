"""Read-only tables of counts and lines (progress, outage accounting, identity cases).

One look for every such table: no row numbers, numbers aligned right so that columns of counts
can be compared at a glance, and every column inside the table on a 1,366-pixel ward PC. Columns
are as wide as their content while the table has the room; when it has not, the longest texts
give up room first (``fitted_widths``), never a heading, so the last column is never cut at the
right edge; a cell cut short ends with « … » and shows its whole text as a tooltip. A column a
person drags keeps its width until the table is opened again.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QWidget,
)

from ui.column_memory import fitted_widths


def read_only_table(parent: QWidget, columns: int, whole: Sequence[int] = ()) -> QTableWidget:
    """``whole``: columns never cut while the table has room for them and every heading (a
    date, an IPP: a part of one misleads)."""
    table = QTableWidget(0, columns, parent)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    FittedColumns(table, whole)
    return table


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

    def __init__(self, table: QTableWidget, whole: Sequence[int] = ()) -> None:
        super().__init__(table)
        self.table = table
        self.whole = frozenset(whole)
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
        least = [max(h, n) if c in self.whole else h
                 for c, (h, n) in enumerate(zip(headings, self._natural, strict=True))]
        if sum(least) > available:  # too narrow even for them: cut them too rather than scroll
            least = headings
        widths = fitted_widths(self._natural, least, available)
        self._quiet = True
        try:
            # The last one too: it stretches into any room left, and keeps this width when
            # there is none (not the width it was created with).
            for column, size in enumerate(widths):
                header.resizeSection(column, size)
        finally:
            self._quiet = False

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
