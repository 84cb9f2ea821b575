"""Table columns a person can read on a 1,366-pixel ward PC, and that stay as they were left.

Until a person resizes them, a table's columns share the width it has and follow the window's
size: each column as wide as its content when they all fit (what is left shared by weight);
when they do not, the longest texts give up room first (``fitted_widths``), so that short
columns (a status, an IPP, a time) stay whole and no heading is ever cut. Every column can be
dragged wider or narrower, and the widths a person chose are kept (``QSettings``, per table) for
the next time the window opens. A cell cut short ends with « … » and shows its whole text as a
tooltip (the model gives ``ToolTipRole``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

PADDING = 24  # pixels around a heading's text: margins and the sort indicator's room


def fitted_widths(natural: Sequence[int], least: Sequence[int], available: int,
                  weights: Sequence[float] | None = None) -> list[int]:
    """Column widths within ``available`` pixels: each column its ``natural`` width when they
    all fit, what is left shared by ``weights`` (none: left to the last column, which
    stretches). When they do not fit, the widest columns are cut down to a common cap (scaled by
    their weight) so that narrow ones stay whole, and none below its ``least`` (its heading);
    if the headings alone do not fit, each gets its heading's width."""
    count = len(natural)
    shares = list(weights or [1.0] * count)
    wanted = [max(n, m) for n, m in zip(natural, least, strict=True)]
    if sum(wanted) <= available:
        if weights is None:
            return wanted
        spare, total = available - sum(wanted), sum(shares) or 1.0
        return [w + int(spare * s / total) for w, s in zip(wanted, shares, strict=True)]
    if sum(least) >= available:
        return list(least)

    def capped(cap: float) -> list[int]:
        return [min(w, max(m, int(cap * s)))
                for w, m, s in zip(wanted, least, shares, strict=True)]

    low, high = 0.0, max(w / s for w, s in zip(wanted, shares, strict=True) if s > 0)
    for _ in range(40):  # the largest cap that fits: sum(capped(cap)) grows with cap
        middle = (low + high) / 2
        if sum(capped(middle)) > available:
            high = middle
        else:
            low = middle
    widths = capped(low)
    left = available - sum(widths)
    for column in sorted(range(count), key=lambda c: wanted[c] - widths[c], reverse=True):
        if left <= 0 or widths[column] >= wanted[column]:
            break
        widths[column] += 1  # the rounding's pixels to the columns cut the most
        left -= 1
    return widths


def app_settings() -> QSettings:
    """The application's settings (per user; tests point ``QSettings`` at a folder of theirs)."""
    return QSettings("Reentry", "Reentry")


class ColumnMemory(QObject):
    """Shares ``view``'s width between its columns by ``weights`` (one per column), following
    the window's size, until the person drags a column: from then on, and in every later
    session, the widths are theirs (kept under ``key``)."""

    def __init__(self, view: QTableView, key: str, weights: Sequence[float],
                 whole: Sequence[int] = (),
                 readable: Mapping[int, Callable[[], Sequence[str]]] | None = None) -> None:
        """``whole``: columns never cut while the table has room for them and every heading
        (an IPP, a time: a part of one misleads); ``readable``: by column, the texts it always
        shows whole (« ouvert » in a column whose resolved flags say more), in the language of
        the moment."""
        super().__init__(view)
        self.view = view
        self.key = f"columns/{key}"
        self.weights = tuple(weights)
        self.whole = frozenset(whole)
        self.readable = dict(readable or {})
        self._quiet = False
        header = self.header
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsMovable(False)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.chosen = self._restore()
        self._fitted_rows = False  # the last fit saw rows (their content)
        header.sectionResized.connect(self._resized)
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.layoutChanged):
                signal.connect(self._rows_arrived)
            model.headerDataChanged.connect(self._headings_changed)

    @property
    def header(self) -> QHeaderView:
        return self.view.horizontalHeader()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # the type first: while the table is destroyed its viewport still sends events
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and not self.chosen:
            self.fit()
        return False

    def _rows_arrived(self) -> None:
        """The first rows (or other ones after none): sized to them once, not at every filter
        change, so that columns do not move while a person types in a filter."""
        if not self.chosen and not self._fitted_rows and self.view.model().rowCount() > 0:
            self.fit()

    def _headings_changed(self) -> None:
        if not self.chosen:
            self.fit()  # another language: other headings

    def fit(self) -> None:
        """Each column as wide as its heading and content when they fit, the room left shared
        by weight; else the longest texts cut first (``fitted_widths``)."""
        header = self.header
        count = header.count()
        width = self.view.viewport().width()
        if count == 0 or width <= 0:
            return
        headings = [self._heading_width(c) for c in range(count)]
        natural = [self.view.sizeHintForColumn(c) for c in range(count)]
        least = [max(h, n) if c in self.whole else max(h, self._texts_width(c))
                 for c, (h, n) in enumerate(zip(headings, natural, strict=True))]
        least = self._relaxed(least, headings, width)
        if sum(least) > width:  # too narrow even for them: cut them too rather than scroll
            least = headings
        widths = self._shared(fitted_widths(natural, least, width, self.weights[:count]),
                              natural, least)
        model = self.view.model()
        self._fitted_rows = model is not None and model.rowCount() > 0
        self._quiet = True
        try:
            for column, size in enumerate(widths):  # the last stretches into any room left
                header.resizeSection(column, size)
        finally:
            self._quiet = False
        self._fitted()

    def _relaxed(self, least: list[int], headings: list[int], width: int) -> list[int]:
        """The least widths, some given up when they do not all fit in ``width`` (a subclass's
        say: here none) before every column is cut to its heading."""
        return least

    def _shared(self, widths: list[int], natural: list[int], least: list[int]) -> list[int]:
        """The widths ``fitted_widths`` shared, moved between columns (a subclass's say)."""
        return widths

    def _fitted(self) -> None:
        """Once the columns have their widths (a subclass's say: the rows' heights)."""

    def forget(self) -> None:
        """Back to the shared widths of a first session (the person's choice dropped)."""
        app_settings().remove(self.key)
        self.chosen = False
        self.fit()

    def _texts_width(self, column: int) -> int:
        texts = self.readable[column]() if column in self.readable else ()
        metrics = self.view.fontMetrics()
        margin = self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                               self.view) + 1
        return max((metrics.horizontalAdvance(t) for t in texts), default=-1) + 2 * margin + 1

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
