"""A ward PC's 1,366 × 768 for the UI tests that read a screen as a person there reads it.

The outage demo, the settings in a folder of the test and the application's own font (autouse fixtures: import
them into the test module), a review window signed in at a given size, and the measures of a
table's cells: the delegate's margin, the lines a cell draws, the ink it paints, whether its
text is drawn whole, whether every column is in view.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView
from qt_windows import at_sign_in, type_sign_in

from reentry.demo.outage import create_outage_demo
from reentry.store import open_store
from ui import theme
from ui.review_window import ReviewWindow

WARD_PC = QSize(1366, 768)
AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # the evening of the demos


def outage_demo(db_path: Path, pdf_folder: Path) -> Path:
    """The outage demo as ``reentry demo --scenario outage`` builds it (printed, returned,
    typed, reconciled), in ``db_path`` as of ``AS_OF``."""
    store = open_store(db_path)
    try:
        create_outage_demo(store, pdf_folder, patients=120, seed=4, as_of=AS_OF)
    finally:
        store.close()
    return db_path


@pytest.fixture(autouse=True)
def ward_pc_settings(tmp_path_factory):
    """Column widths and splitters a test leaves behind stay in its own folder."""
    folder = str(tmp_path_factory.mktemp("settings"))
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, folder)


@pytest.fixture(autouse=True)
def ward_pc_font(qapp):
    """The font the application sets for itself (``prepare_application``), as on the ward PC
    and in the screenshots: the texts the columns must hold are that wide."""
    before = qapp.font()
    theme.enlarge_application_font(qapp)
    yield
    qapp.setFont(before)


def at_size(qtbot, window, size=WARD_PC):
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size)
    return window


def review_at(qtbot, db_path, size=WARD_PC, username="qualite") -> ReviewWindow:
    """The review window on ``db_path`` at ``size``, ``username`` signed in, its data loaded."""
    window = ReviewWindow(db_path)
    at_sign_in(qtbot, window)
    at_size(qtbot, window, size)
    with qtbot.waitSignal(window.loaded, timeout=20_000):
        type_sign_in(qtbot, window.sign_in_page, username)
    return window


def margin(table: QTableView) -> int:
    """A cell's margin on each side, as the view's delegate leaves it."""
    return table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1


def fits(text: str, view: QTableView, width: int) -> bool:
    """``text`` shown whole in a cell ``width`` pixels wide (the delegate's margins too)."""
    return view.fontMetrics().horizontalAdvance(text) + 2 * margin(view) <= width


def shown_lines(table: QTableView, row: int, column: int) -> list[str]:
    """The lines the cell draws: its delegate's own when it lays its text out on lines, else
    its text as the view draws one line of it (« … » when cut)."""
    index = table.model().index(row, column)
    delegate = table.itemDelegateForIndex(index)
    rect = table.visualRect(index)
    if hasattr(delegate, "lines"):
        return delegate.lines(index, rect.width())
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, index)
    room = rect.width() - 2 * margin(table)
    return [table.fontMetrics().elidedText(option.text, Qt.TextElideMode.ElideRight, room)]


def ink(table: QTableView, rect: QRect) -> QRect:
    """Where the cell, as painted on screen, differs from its background (the grid left out)."""
    image = table.viewport().grab(rect.adjusted(0, 0, -2, -2)).toImage()
    colours = Counter(image.pixel(x, y) for x in range(image.width())
                      for y in range(image.height()))
    background = colours.most_common(1)[0][0]
    inked = [(x, y) for x in range(image.width()) for y in range(image.height())
             if image.pixel(x, y) != background]
    if not inked:
        return QRect()
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    return QRect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def drawn_whole(table: QTableView, row: int, column: int, full: str) -> tuple[bool, list[str]]:
    """Whether the cell draws ``full`` whole, and the lines it draws: not whole with a line
    wider than the cell, more lines than it is high, a « … », or not the text's own words; and
    on screen, its ink clear of the cell's right edge and as high as its lines."""
    metrics = table.fontMetrics()
    lines = shown_lines(table, row, column)
    rect = table.visualRect(table.model().index(row, column))
    room = rect.width() - 2 * margin(table)
    rejoined = re.sub(r"- ", "-", " ".join(lines))  # a line may break after a hyphen
    painted = ink(table, rect)
    whole = (rejoined.split() == full.split() and "…" not in "".join(lines)
             and all(metrics.horizontalAdvance(line) <= room for line in lines)
             and len(lines) * metrics.lineSpacing() <= rect.height()
             and painted.right() < rect.width() - margin(table)
             and painted.height() > (len(lines) - 1) * metrics.lineSpacing())
    return whole, lines


def in_view(table: QTableView) -> bool:
    """The table's last column ends inside its viewport, nothing off to the right."""
    header = table.horizontalHeader()
    last = header.count() - 1
    return (header.sectionViewportPosition(last) + header.sectionSize(last)
            <= table.viewport().width() and table.horizontalScrollBar().maximum() == 0)
