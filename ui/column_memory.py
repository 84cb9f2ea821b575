"""Table columns a person can read on a 1,366-pixel ward PC, and that stay as they were left.

Until a person resizes them, a table's columns share the width it has, by weight, none
narrower than its heading, and follow the window's size; every column can be dragged wider or
narrower, and the widths a person chose are kept (``QSettings``, per table) for the next time
the window opens. A cell cut short
ends with « … » and shows its whole text as a tooltip (the model gives ``ToolTipRole``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView

PADDING = 24  # pixels around a heading's text: margins and the sort indicator's room


def app_settings() -> QSettings:
    """The application's settings (per user; tests point ``QSettings`` at a folder of theirs)."""
    return QSettings("Reentry", "Reentry")


class ColumnMemory(QObject):
    """Shares ``view``'s width between its columns by ``weights`` (one per column), following
    the window's size, until the person drags a column: from then on, and in every later
    session, the widths are theirs (kept under ``key``)."""

    def __init__(self, view: QAbstractItemView, key: str, weights: Sequence[float]) -> None:
        super().__init__(view)
        self.view = view
        self.key = f"columns/{key}"
        self.weights = tuple(weights)
        self._quiet = False
        header = self.header
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsMovable(False)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.chosen = self._restore()
        header.sectionResized.connect(self._resized)
        view.viewport().installEventFilter(self)

    @property
    def header(self) -> QHeaderView:
        header = self.view.horizontalHeader()  # type: ignore[attr-defined]
        assert isinstance(header, QHeaderView)
        return header

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # the type first: while the table is destroyed its viewport still sends events
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and not self.chosen:
            self.fit()
        return False

    def fit(self) -> None:
        """Share the visible width by weight, each column at least as wide as its heading."""
        header = self.header
        count = header.count()
        width = self.view.viewport().width()
        if count == 0 or width <= 0:
            return
        least = [self._heading_width(c) for c in range(count)]
        total = sum(self.weights[:count]) or 1.0
        widths = [max(least[c], int(width * self.weights[c] / total)) for c in range(count)]
        excess = sum(widths) - width
        if excess > 0:  # headings took more than their share: take it back from the widest
            spare = [max(0, w - m) for w, m in zip(widths, least, strict=True)]
            room = sum(spare) or 1
            widths = [w - math.ceil(excess * s / room)
                      for w, s in zip(widths, spare, strict=True)]
        self._quiet = True
        try:
            for column, size in enumerate(widths[:-1]):
                header.resizeSection(column, size)
        finally:
            self._quiet = False

    def forget(self) -> None:
        """Back to the shared widths of a first session (the person's choice dropped)."""
        app_settings().remove(self.key)
        self.chosen = False
        self.fit()

    def _heading_width(self, column: int) -> int:
        model = self.view.model()
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "") if model else ""
        return self.header.fontMetrics().horizontalAdvance(text) + PADDING

    def _restore(self) -> bool:
        state = app_settings().value(self.key)
        if not isinstance(state, QByteArray | bytes) or not state:
            return False
        self._quiet = True
        try:
            restored = self.header.restoreState(QByteArray(state))
        finally:
            self._quiet = False
        return bool(restored) and self.header.count() == len(self.weights)

    def _resized(self, column: int, _old: int, _new: int) -> None:
        # Only a person resizes a column other than the last one (which stretches with the
        # window) outside ``fit``.
        if self._quiet or column == self.header.count() - 1:
            return
        self.chosen = True
        app_settings().setValue(self.key, self.header.saveState())
