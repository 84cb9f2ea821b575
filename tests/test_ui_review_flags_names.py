"""The flags list of the quality review at a ward PC's 1,366 × 768: each patient's name and each
flag's state read whole.

« GRESSIER Eliott J… », « RODRIGUEZ Mart… », « résolu… » in the screenshot of the outage demo:
the list cut the names and the resolved flags' reasons. Here each name cell and state cell of
the outage demo's flags (some resolved by the quality team, some by a later run) is checked
with the font's metrics against the cell's own rectangle, and on screen by its painted ink, as
the identity review's names are (tests/test_ui_review_identity_names.py); the IPP and the time
stay whole, every column in view.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView
from qt_windows import at_sign_in, type_sign_in

from reentry.demo.outage import create_outage_demo
from reentry.store import open_store
from ui import theme
from ui.review_flag_model import COLUMNS
from ui.review_window import ReviewWindow

pytestmark = [pytest.mark.qt]

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
WARD_PC = QSize(1366, 768)


@pytest.fixture(autouse=True)
def _settings_in_a_folder_of_the_test(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("settings"))
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, folder)


@pytest.fixture(autouse=True)
def _the_applications_font(qapp):
    before = qapp.font()
    theme.enlarge_application_font(qapp)
    yield
    qapp.setFont(before)


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outage")
    db_path = folder / "outage.sqlite"
    store = open_store(db_path)
    try:
        create_outage_demo(store, folder / "pdf", patients=120, seed=4, as_of=AS_OF)
    finally:
        store.close()
    return db_path


def flags_at(qtbot, db_path, size):
    window = ReviewWindow(db_path)
    at_sign_in(qtbot, window)
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size)
    with qtbot.waitSignal(window.loaded, timeout=20_000):
        type_sign_in(qtbot, window.sign_in_page, "qualite")
    table = window.flags.table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    qtbot.wait(50)  # the columns and rows fitted once the rows are in
    return window, table


def margin(table: QTableView) -> int:
    return table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1


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


def cut_cells(qtbot, table: QTableView, column: int) -> list[tuple[str, list[str]]]:
    """Cells of ``column`` not drawn whole: a line wider than the cell, more lines than it is
    high, a « … », or not the text's own words; and on screen, its ink clear of the cell's right
    edge and as high as its lines."""
    model, metrics = table.model(), table.fontMetrics()
    cut = []
    for row in range(model.rowCount()):
        index = model.index(row, column)
        full = str(model.data(index))
        table.scrollTo(index)
        qtbot.wait(1)
        lines = shown_lines(table, row, column)
        rect = table.visualRect(index)
        room = rect.width() - 2 * margin(table)
        rejoined = re.sub(r"- ", "-", " ".join(lines))  # a line may break after a hyphen
        painted = ink(table, rect)
        whole = (rejoined.split() == full.split() and "…" not in "".join(lines)
                 and all(metrics.horizontalAdvance(line) <= room for line in lines)
                 and len(lines) * metrics.lineSpacing() <= rect.height()
                 and painted.right() < rect.width() - margin(table)
                 and painted.height() > (len(lines) - 1) * metrics.lineSpacing())
        if not whole:
            cut.append((full, lines))
    return cut


def in_view(table: QTableView) -> bool:
    header = table.horizontalHeader()
    last = header.count() - 1
    return (header.sectionViewportPosition(last) + header.sectionSize(last)
            <= table.viewport().width() and table.horizontalScrollBar().maximum() == 0)


def test_names_and_states_read_whole_in_the_flags_list_at_1366(qtbot, outage):
    window, table = flags_at(qtbot, outage, WARD_PC)
    model, metrics = table.model(), table.fontMetrics()
    patient, status = COLUMNS.index("patient"), COLUMNS.index("status")
    names = {str(model.data(model.index(r, patient))) for r in range(model.rowCount())}
    states = {str(model.data(model.index(r, status))) for r in range(model.rowCount())}
    # what the screenshot cut: long names, and states with the reason of the resolution
    assert any(metrics.horizontalAdvance(n) > table.columnWidth(patient) for n in names)
    assert any(s.startswith("résolu : ") for s in states)
    assert cut_cells(qtbot, table, patient) == []
    assert cut_cells(qtbot, table, status) == []
    for column in ("ipp", "time"):  # on one line, whole
        c = COLUMNS.index(column)
        assert all(metrics.horizontalAdvance(str(model.data(model.index(r, c))))
                   + 2 * margin(table) <= table.columnWidth(c) for r in range(model.rowCount()))
    assert in_view(table)
    window.close()


def test_a_row_grows_with_its_lines_and_shrinks_back_when_a_person_widens_the_column(
        qtbot, outage):
    window, table = flags_at(qtbot, outage, WARD_PC)
    model = table.model()
    patient = COLUMNS.index("patient")
    others = [c for c in range(len(COLUMNS)) if c != patient]
    row = next(r for r in range(model.rowCount())
               if len(shown_lines(table, r, patient)) > 1
               and all(len(shown_lines(table, r, c)) == 1 for c in others))
    assert table.rowHeight(row) >= 2 * table.fontMetrics().lineSpacing()
    table.horizontalHeader().resizeSection(patient, 600)  # as a person drags it wider
    qtbot.waitUntil(lambda: len(shown_lines(table, row, patient)) == 1)
    qtbot.waitUntil(lambda: table.rowHeight(row) < 2 * table.fontMetrics().lineSpacing())
    window.close()
