"""What the screenshot pass at 1,366 x 768 found, checked in the widgets themselves.

On the outage demo, each screen is shown at a ward PC's size and read as a person reads it: no
column runs off the right edge of its table and no heading is cut (event window, progress,
review), the review's short columns (IPP, time, an open flag's state, a discrepancy's verdict)
read whole, the stale-data banner has no brackets inside brackets, the entry grid keeps the room under it, and
Qt's own file chooser opens large enough for its places and file types.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QListView,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTreeView,
)
from qt_windows import at_sign_in, focused, scan, signed_in, type_sign_in
from ward_pc import (  # noqa: F401  (ward_pc_settings, ward_pc_font: autouse fixtures)
    AS_OF,
    WARD_PC,
    at_size,
    fits,
    margin,
    outage_demo,
    review_at,
    ward_pc_font,
    ward_pc_settings,
)

from reentry import i18n
from reentry.domain.review import (
    CLOSED,
    IDENTITY_DECISIONS,
    IDENTITY_STATES,
    OPEN,
    ResolutionReason,
)
from reentry.i18n import tr
from reentry.model import Snapshot
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store
from ui.event_window import EventWindow
from ui.file_chooser import DATE_SAMPLE, TYPE_SAMPLE, WANTED, FileChooser
from ui.language import switch_language
from ui.progress_view import ProgressDialog
from ui.reentry_window import ReentryWindow
from ui.review_flag_model import COLUMNS
from ui.snapshot_status import SnapshotStatus

pytestmark = [pytest.mark.qt]

NOW = AS_OF + timedelta(days=2)
# The ward PC, and a narrower screen: the tables follow the width they are given.
SIZES = [pytest.param(WARD_PC, id="1366"), pytest.param(QSize(1240, 768), id="1240")]


@pytest.fixture(scope="module")
def outage_copy(tmp_path_factory):
    """The outage demo as ``reentry demo --scenario outage`` builds it (printed, returned,
    typed, reconciled), once for the module."""
    folder = tmp_path_factory.mktemp("outage")
    return outage_demo(folder / "outage.sqlite", folder / "pdf")


@pytest.fixture
def outage(outage_copy, db_path):
    shutil.copy(outage_copy, db_path)
    return db_path


def cut_headings(view: QTableView) -> list[str]:
    """Headings not shown whole, or whose column ends beyond the table's right edge."""
    header, model = view.horizontalHeader(), view.model()
    right = view.viewport().width()
    cut = []
    for column in range(header.count()):
        heading = str(model.headerData(column, Qt.Orientation.Horizontal))
        end = header.sectionViewportPosition(column) + header.sectionSize(column)
        if header.sectionSize(column) < header.sectionSizeHint(column) or end > right:
            cut.append(heading)
    return cut


def assert_every_column_in_view(view: QTableView) -> None:
    assert cut_headings(view) == []
    assert view.horizontalScrollBar().maximum() == 0  # nothing off to the right


def heading_index(view: QTableView, heading: str) -> int:
    model = view.model()
    return next(c for c in range(model.columnCount())
                if model.headerData(c, Qt.Orientation.Horizontal) == heading)


@pytest.mark.parametrize("size", SIZES)
def test_the_event_windows_tables_fit_with_their_last_column_whole(qtbot, outage, size):
    window = EventWindow(outage, now=lambda: NOW)
    at_sign_in(qtbot, window)
    at_size(qtbot, window, size)
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        type_sign_in(qtbot, window.sign_in_page, "claire.roux")
    table = window.sheets_table
    qtbot.waitUntil(lambda: table.rowCount() > 0)
    returned = heading_index(table, "Rendue")
    assert returned == table.columnCount() - 1  # the one the screenshot showed cut
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)
    assert_every_column_in_view(table)
    assert_every_column_in_view(window.accounts_table)
    combo = window.ward_filter
    assert combo.currentText() == "toutes les unités"
    qtbot.waitUntil(lambda: combo.width() >= combo.sizeHint().width())  # never « toutes le… »


@pytest.mark.parametrize("size", SIZES)
def test_progress_tables_fit_with_their_last_column_whole(qtbot, outage, size):
    dialog = ProgressDialog(outage)
    qtbot.addWidget(dialog)
    dialog.show()
    at_size(qtbot, dialog, size)
    with qtbot.waitSignal(dialog.refreshed, timeout=20_000):
        dialog.refresh()
    table = dialog.sheets_table
    assert table.rowCount() == len(_tracked(outage)) > 0
    assert heading_index(table, "Rendue le") == table.columnCount() - 1
    for view in (dialog.wards_table, table, dialog.operators_table):
        qtbot.waitUntil(lambda view=view: view.horizontalScrollBar().maximum() == 0)
        assert_every_column_in_view(view)
    dialog.show_missing()  # the table refilled: still in view
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)
    assert_every_column_in_view(table)


def _tracked(db_path):
    store = open_store(db_path)
    try:
        return tracked_sheets(store)
    finally:
        store.close()


@pytest.fixture
def review(qtbot, outage):
    return review_at(qtbot, outage)


def test_review_flags_short_columns_read_whole_at_1366(qtbot, review):
    table, model = review.flags.table, review.flags.model
    assert model.rowCount() > 0
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)
    assert_every_column_in_view(table)
    header = table.horizontalHeader()
    width = {name: header.sectionSize(COLUMNS.index(name)) for name in COLUMNS}
    cut = []
    for row in range(model.rowCount()):
        flag = model.flag(row)
        whole = ["ipp", "time"]
        if flag.status == OPEN:
            whole.append("status")  # « ouv… » in the screenshot
        if flag.run_verdict in ("differs", "missing", "duplicate"):
            whole.append("verdict")
        for name in whole:
            text = model.data(model.index(row, COLUMNS.index(name)))
            if not fits(text, table, width[name]):
                cut.append((name, text))
    assert cut == []
    assert fits("Cardiologie", table, width["ward"])  # « Cardiolo… » in the screenshot
    assert width["patient"] >= 140  # the longest texts still get the most room


def test_a_resolved_flag_still_reads_resolu(qtbot, review):
    """« résol… » in the screenshot once a flag was resolved: its reason may be cut, the word
    saying it is closed is not."""
    flags, model = review.flags, review.flags.model
    key = model.flag(0).item_key
    assert review.resolve(key, ResolutionReason.ENTERED_IN_SIH, "")
    qtbot.waitUntil(lambda: model.flag(model.row_of(key)).status == CLOSED)
    status = COLUMNS.index("status")
    text = model.data(model.index(model.row_of(key), status))
    assert text.startswith("résolu") and len(text) > len("résolu")
    assert fits("résolu…", flags.table, flags.table.horizontalHeader().sectionSize(status))


def test_a_flag_without_a_scanned_page_gives_its_comparison_the_width(qtbot, review):
    """« Saturati… en … », « 03/12/2… » and the deciding value below the fold in the screenshot:
    an empty « pas de page numérisée » box took two fifths of the flag's detail."""
    flags, model = review.flags, review.flags.model
    row = next(r for r in range(model.rowCount()) if model.flag(r).run_verdict == "differs")
    assert flags.select_key(model.flag(row).item_key)
    detail = flags.detail
    table = detail.comparison
    qtbot.waitUntil(lambda: table.rowCount() > 0 and table.isVisible())
    qtbot.wait(50)  # the layout settles
    assert not detail.page_box.isVisible()
    metrics = table.fontMetrics()
    cut = [word for r in range(table.rowCount()) for c in range(table.columnCount())
           for word in (table.item(r, c).text() if table.item(r, c) else "").split()
           if metrics.horizontalAdvance(word) + 2 * margin(table) > table.columnWidth(c)]
    assert cut == []
    deciding = [r for r in range(table.rowCount())
                if table.verticalHeaderItem(r).data(Qt.ItemDataRole.UserRole)
                in detail.deciding_rows()]
    assert deciding
    for r in deciding:  # what makes it a discrepancy is in view without scrolling
        assert table.rowViewportPosition(r) + table.rowHeight(r) <= table.viewport().height()


def test_review_identity_headings_are_whole_at_1366(qtbot, review):
    review.tabs.setCurrentIndex(1)
    tab = review.tabs.currentWidget()
    for table in (tab.cases, tab.candidates):
        qtbot.waitUntil(lambda table=table: table.isVisible())
        assert_every_column_in_view(table)  # « Déci… » in the screenshot
    decision = heading_index(tab.cases, "Décision")
    assert "automatique" in tab.cases.horizontalHeaderItem(decision).toolTip()


def test_review_identity_dates_and_numbers_read_whole_at_1366(qtbot, review):
    """« 14/07/19… » under « Naissance » in the screenshot: a provisional identity's date of
    birth, its code, the IPP it is linked to and a candidate's score are never cut; names and
    decisions give up room first (whole in their tooltips)."""
    review.tabs.setCurrentIndex(1)
    tab = review.identities
    qtbot.waitUntil(lambda: tab.cases.isVisible() and tab.cases.rowCount() > 0)
    tab.cases.selectRow(0)
    qtbot.waitUntil(lambda: tab.candidates.rowCount() > 0)
    checked = {tab.cases: (tr("review.ui.identity_column_temporary"), "Naissance", "Rattachée à"),
               tab.candidates: ("IPP", "Naissance", "Score")}
    for table, headings in checked.items():
        qtbot.waitUntil(lambda table=table: table.horizontalScrollBar().maximum() == 0)
        qtbot.wait(20)  # the columns fitted once the rows are in
        assert_every_column_in_view(table)
        for heading in headings:
            column = heading_index(table, heading)
            for row in range(table.rowCount()):
                text = table.item(row, column).text()
                assert fits(text, table, table.columnWidth(column)), (heading, text)


def bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_stale_data_banner_has_no_brackets_inside_brackets(qtbot, language):
    i18n.set_language(language)
    banner = SnapshotStatus(lambda: NOW, stale_after_hours=4)
    qtbot.addWidget(banner)
    banner.set_snapshot(Snapshot("census.csv", "csv", "h", AS_OF))
    assert banner.is_stale
    assert "23/11/2026 21:00 (UTC+01:00)" in banner.text()
    assert bracket_depth(banner.text()) == 1


def test_the_entry_grid_keeps_the_room_under_it(qtbot, outage):
    window = signed_in(qtbot, ReentryWindow(outage, now=lambda: NOW, beep=lambda: None),
                       "aurore.petit")
    at_size(qtbot, window)
    store = open_store(outage)
    try:
        code = next(store.form_instance(s.serial).code(1) for s in tracked_sheets(store)
                    if s.template_id == "vital_signs" and s.rows_entered == 0 and s.ipp)
    finally:
        store.close()
    scan(qtbot, window, code)
    screen = window.entry
    area, under = screen.scroll_area, screen.help_or_problems
    qtbot.waitUntil(lambda: screen.keys_help.isVisible())
    assert not screen.messages.isVisible()  # no empty lines kept for problems to come
    gap = under.mapTo(screen, under.rect().topLeft()).y() - area.mapTo(
        screen, area.rect().bottomLeft()).y()
    assert gap <= screen.layout().spacing() + 1
    height = area.height()
    qtbot.keyClicks(focused(), "23/11/2026")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "99h99")  # an impossible time: a problem to show
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.messages.isVisible())
    assert not screen.keys_help.isVisible() and screen.message_text()
    assert area.height() == height  # the rows did not move


def test_the_file_chooser_opens_large_enough_to_read(qtbot, tmp_path):
    (tmp_path / "pile-du-3B.pdf").write_bytes(b"%PDF-1.4\n")
    chooser = FileChooser(None, "Pages numérisées", str(tmp_path))
    chooser.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own, as on a bare X
    qtbot.addWidget(chooser)
    chooser.resize(WANTED)  # what it opens at on the ward PC (the test's screen may be smaller)
    chooser.show()
    qtbot.waitExposed(chooser)
    least = chooser.least_size()
    assert chooser.width() >= least.width() and chooser.height() >= least.height()
    assert least.width() >= min(900, int(chooser.screen().availableGeometry().width() * 0.9))
    sidebar = chooser.findChild(QListView, "sidebar")
    model = sidebar.model()
    room = sidebar.viewport().width() - sidebar.iconSize().width()
    for row in range(model.rowCount()):  # « O… » in the screenshot
        name = str(model.index(row, 0).data())
        assert sidebar.fontMetrics().horizontalAdvance(name) < room, name
    tree = chooser.findChild(QTreeView, "treeView")
    assert tree.header().sectionSize(2) > tree.fontMetrics().horizontalAdvance(TYPE_SAMPLE)
    header = tree.header()  # « Dernière modific… » and « 10:1… » in the screenshot: the name
    qtbot.waitUntil(lambda: header.sectionViewportPosition(3) + header.sectionSize(3)
                    <= tree.viewport().width())  # gives up room, the date stays in view
    assert header.sectionSize(3) > tree.fontMetrics().horizontalAdvance(DATE_SAMPLE)
    heading = header.model().headerData(3, Qt.Orientation.Horizontal)  # « Dernière modificatio… »
    assert header.sectionSize(3) > header.fontMetrics().horizontalAdvance(heading)
    assert header.sectionSize(0) >= tree.fontMetrics().horizontalAdvance("pile-du-3B.pdf")


def reads_whole(text: str, table: QTableWidget, column: int) -> bool:
    """``text`` shown whole in ``column``: on one line, or wrapped between words on as many
    lines as its rows are high when the column wraps (never cut at the side or the foot)."""
    width = table.columnWidth(column) - 2 * margin(table)
    metrics = table.fontMetrics()
    if metrics.horizontalAdvance(text) <= width:
        return True
    option = QStyleOptionViewItem()
    table.itemDelegateForIndex(table.model().index(0, column)).initStyleOption(
        option, table.model().index(0, column))
    if not option.features & QStyleOptionViewItem.ViewItemFeature.WrapText:
        return False  # cut: « rattachée par l'identi… »
    lines = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
    return lines.width() <= width and all(
        lines.height() <= table.rowHeight(row) for row in range(table.rowCount()))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_review_identity_decisions_and_states_read_whole_at_1366(qtbot, review, language):
    """« rattac… » under « Décision » and « État » in the screenshot: the automatic decision and
    the case's state (« rattachée par l'identitovigilance ») are what the cell works from; they
    read whole at a ward PC's width, as the dates and numbers do, in either language."""
    if language != "fr":
        switch_language(language)
    review.tabs.setCurrentIndex(1)
    tab = review.identities
    qtbot.waitUntil(lambda: tab.cases.isVisible() and tab.cases.rowCount() > 0)
    table = tab.cases
    qtbot.wait(20)  # the columns fitted once the rows are in
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)
    assert_every_column_in_view(table)
    # every word a case can show there, not only those of the demo's cases: a decision taken
    # at 3 a.m. turns « à décider » into « rattachée par l'identitovigilance »
    said = {"decision": IDENTITY_DECISIONS, "state": IDENTITY_STATES}
    cut = []
    for name, values in said.items():
        column = heading_index(table, tr(f"review.ui.identity_column_{name}"))
        texts = {table.item(row, column).text() for row in range(table.rowCount())}
        assert texts
        texts |= {tr(f"review.ui.identity_{name}_{value}") for value in values}
        cut += [(name, text, table.columnWidth(column)) for text in sorted(texts)
                if not reads_whole(text, table, column)]
    assert cut == []
    assert fits("14/07/1950", table, table.columnWidth(heading_index(
        table, tr("review.ui.identity_column_birth"))))  # and the dates still whole
    # the headings put on two lines to give them room read whole too, not « Identité … »
    header = table.horizontalHeader()
    for column in range(header.count()):
        heading = str(table.model().headerData(column, Qt.Orientation.Horizontal))
        if "\n" in heading:
            assert header.textElideMode() == Qt.TextElideMode.ElideNone  # else cut as one line
            assert all(header.fontMetrics().horizontalAdvance(line) < header.sectionSize(column)
                       for line in heading.split("\n")), heading
