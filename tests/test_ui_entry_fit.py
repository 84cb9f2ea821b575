"""Every form's entry grid on a ward PC's 1,366 x 768 screen: nothing clipped, the focus in view.

A real ward is printed, one patient's sheets are scanned and imported by the core; the re-entry
window is shown at 1,366 x 768 and each sheet is opened as a nurse opens it. Every column of
every row (cells, printed cells, the row's status) lies inside the visible part of the grid,
with the scanned page folded away (no page), beside the fields, or moved under them; Tab through
the whole sheet keeps the focused cell on screen.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime

import pytest
from printed_ward import print_demo_ward
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionFrame
from qt_windows import focused, scan, signed_in
from scanned_stack import printed_pages, scanned, write_pdf

from reentry.domain.entry import Role
from reentry.entry import service
from reentry.formdefs_model import FieldType
from reentry.scanning.importer import import_scans
from reentry.store import open_store
from ui import theme
from ui.entry_fields import FieldEdit, keyed_choices
from ui.language import switch_language
from ui.reentry_window import ReentryWindow

pytestmark = [pytest.mark.qt]

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
WARD_PC = QSize(1366, 768)
GRIDS = ("vital_signs", "medication_administration", "nursing_notes", "transfer_discharge")
CHOOSING = ("vital_signs", "medication_administration", "transfer_discharge")  # with choices


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One ward printed once for the module (a copy of its database kept with no scan), then
    page 1 of each sheet of its first patient scanned and imported."""
    folder = tmp_path_factory.mktemp("fit")
    store = open_store(folder / "printed.sqlite")
    try:
        outcome = print_demo_ward(store, folder / "pdf")
        sheets = store.batch_sheets(outcome.batch_id)
        service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    finally:
        store.close()
    shutil.copy(folder / "printed.sqlite", folder / "scanned.sqlite")
    store = open_store(folder / "scanned.sqlite")
    try:
        nurse = store.user_by_name("mdupont")
        patient = next(s.patient_id for s in sheets if s.template_id == "vital_signs")
        mine = {s.serial for s in sheets if s.patient_id == patient}
        pages = [p for p in printed_pages(outcome.wards[0].pdf, 150)
                 if p.serial in mine and p.page == 1]
        rng = random.Random(13)
        stack = write_pdf([scanned(p, rng, quarter=0).image for p in pages],
                          folder / "pile.pdf", 150)
        assert import_scans(store, [stack], nurse, workers=1).identified == len(pages)
    finally:
        store.close()
    return folder, {s.template_id: s for s in sheets if s.patient_id == patient}


def shown_at_ward_pc_size(qtbot, db_path):
    window = signed_in(qtbot, ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None))
    window.resize(WARD_PC)
    qtbot.waitUntil(lambda: window.size() == WARD_PC)
    return window


@pytest.fixture
def window(qtbot, printed, db_path):
    """Every sheet of the patient has its scanned page."""
    shutil.copy(printed[0] / "scanned.sqlite", db_path)
    return shown_at_ward_pc_size(qtbot, db_path)


@pytest.fixture
def unscanned(qtbot, printed, db_path):
    """No sheet has a scanned page yet."""
    shutil.copy(printed[0] / "printed.sqlite", db_path)
    return shown_at_ward_pc_size(qtbot, db_path)


def sheet(printed, template):
    return printed[1][template]


def grid_widgets(screen):
    """What each row shows, column by column: cells, printed cells and the row's status."""
    for row in screen.rows:
        for field_id, widget in [*row.cells.items(), *row.fixed.items()]:
            yield f"row {row.row_index + 1} {field_id}", widget
        yield f"row {row.row_index + 1} status", row.status.parentWidget()


def on_screen(screen, widget) -> QRect:
    viewport = screen.scroll_area.viewport()
    return QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())


def clipped_columns(screen):
    """Every column not wholly inside the grid's visible width."""
    width = screen.scroll_area.viewport().width()
    return [name for name, widget in grid_widgets(screen)
            if (rect := on_screen(screen, widget)).left() < 0 or rect.right() >= width]


def open_sheet(qtbot, window, instance):
    scan(qtbot, window, instance.code(1))
    screen = window.entry
    assert screen.context.instance.serial == instance.serial
    settle(qtbot, screen)
    return screen


def settle(qtbot, screen):
    """Until the rows are laid out in the visible width (scroll bars come and go first)."""
    area = screen.scroll_area
    qtbot.waitUntil(lambda: area.widget().width() == area.viewport().width())


def assert_fits(window, screen):
    assert window.size() == WARD_PC
    assert window.minimumSizeHint().width() <= WARD_PC.width()
    assert window.minimumSizeHint().height() <= WARD_PC.height()
    assert screen.scroll_area.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    assert clipped_columns(screen) == []


@pytest.mark.parametrize("template", GRIDS)
def test_every_column_fits_a_ward_pc_when_the_sheet_has_no_scanned_page(
        qtbot, unscanned, printed, template):
    window = unscanned
    screen = open_sheet(qtbot, window, sheet(printed, template))
    panel = screen.scan_panel
    assert panel.is_shown() and not panel.is_unfolded()  # folded away: no page to show
    assert panel.width() < 60
    assert "Pas de page numérisée" in panel.toggle_button.toolTip()
    assert_fits(window, screen)


@pytest.mark.parametrize("template", GRIDS)
def test_every_column_fits_with_the_scanned_page_beside_or_under_the_rows(
        qtbot, window, printed, template):
    screen = open_sheet(qtbot, window, sheet(printed, template))
    panel = screen.scan_panel
    qtbot.waitUntil(panel.has_image)
    assert panel.is_unfolded()
    scroll = screen.scroll_area
    if panel.is_below():  # the rows leave too little room beside them to read the page
        assert template in ("vital_signs", "medication_administration")  # wide, landscape
        assert panel.mapTo(window, QPoint(0, 0)).y() >= scroll.mapTo(window, QPoint(0, 0)).y() + (
            scroll.height())
        assert panel.page_view.image_size().width() > panel.page_view.image_size().height()
    else:
        assert panel.width() >= 480  # room enough to read the (portrait) page beside the rows
    assert_fits(window, screen)

    chosen = not panel.is_below()  # the person's choice: the other way
    qtbot.keyClick(focused(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, screen)
    assert panel.has_image()
    assert_fits(window, screen)  # beside only if the rows leave it room, else still under
    screen = open_sheet(qtbot, window, sheet(printed, "transfer_discharge"))  # a narrow form
    qtbot.waitUntil(panel.has_image)  # placed once its page is shown
    qtbot.waitUntil(lambda: panel.is_below() == chosen)  # the choice holds for the next sheets
    settle(qtbot, screen)
    assert_fits(window, screen)


def text_room(cell) -> int:
    """Pixels a line edit gives its text: its contents, less its trailing drop-down button."""
    option = QStyleOptionFrame()
    cell.initStyleOption(option)
    contents = cell.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, cell)
    button = cell.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) + 6  # Qt's side
    return contents.width() - button - 4  # and the text's own margins


@pytest.mark.parametrize("template", ("vital_signs", "medication_administration"))
def test_one_key_answers_show_their_keys_whole_with_the_page_beside(
        qtbot, window, printed, template):
    """« A / V /… » in the screenshot with the page beside the vital signs: the keys of a
    one-key answer are its only cue on screen."""
    screen = open_sheet(qtbot, window, sheet(printed, template))
    panel = screen.scan_panel
    qtbot.waitUntil(panel.has_image)
    if panel.is_below():
        qtbot.keyClick(focused(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        settle(qtbot, screen)
    # the page beside: the least width for the rows, where they leave it room (else it stays
    # under them and says why: the MAR's answers whole leave too little at 1,366 px)
    assert not panel.is_below() or "Pas la place" in panel.place_button.toolTip()
    if panel.is_below():  # Shift+F6 again: under for every sheet, as the tooltip says
        qtbot.keyClick(focused(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        assert panel.is_below() and "Pas la place" not in panel.place_button.toolTip()
        qtbot.keyClick(focused(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        settle(qtbot, screen)
    keyed = [cell for row in screen.rows for cell in row.cells.values()
             if keyed_choices(cell.field)]
    assert keyed
    for cell in keyed:
        keys = cell.placeholderText()
        assert cell.fontMetrics().horizontalAdvance(keys) <= text_room(cell), (
            cell.objectName(), keys, cell.width())
    assert_fits(window, screen)


def test_dragging_the_page_edge_never_clips_the_rows(qtbot, window, printed):
    screen = open_sheet(qtbot, window, sheet(printed, "nursing_notes"))
    qtbot.waitUntil(screen.scan_panel.has_image)
    assert not screen.scan_panel.is_below()
    body = screen.body
    total = sum(body.sizes())
    body.setSizes([100, total - 100])  # as far left as a mouse could drag it
    assert body.sizes()[0] >= screen.scroll_area.minimumWidth()
    settle(qtbot, screen)
    assert clipped_columns(screen) == []


@pytest.mark.parametrize("template", GRIDS)
def test_the_focused_cell_stays_in_view_while_tabbing_through_the_sheet(
        qtbot, window, printed, template):
    screen = open_sheet(qtbot, window, sheet(printed, template))
    qtbot.waitUntil(screen.scan_panel.has_image)  # the page beside or under: the least room
    settle(qtbot, screen)
    viewport = screen.scroll_area.viewport()
    cells = [c for row in screen.rows for c in row.editable()]
    assert focused() is cells[0]
    seen = set()
    for _ in cells[1:]:
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # nothing typed: Tab only moves on
        cell = focused()
        seen.add(cell)
        assert viewport.rect().contains(on_screen(screen, cell)), (
            cell.owner.row_index, cell.objectName())
    assert seen == set(cells[1:])  # every cell reached


def test_the_grid_still_fits_in_english(qtbot, unscanned, printed):
    switch_language("en")
    screen = open_sheet(qtbot, unscanned, sheet(printed, "medication_administration"))
    row = screen.rows[1]
    assert row.cells["status"].placeholderText() == "A / N / R"  # the keys are the paper's
    assert_fits(unscanned, screen)
    switch_language("fr")
    settle(qtbot, screen)
    assert_fits(unscanned, screen)


@pytest.fixture
def application_font(qapp):
    """The font the application sets for itself (``prepare_application``), as on the ward PC
    and in the screenshots: the answers the cells must hold are that wide."""
    before = qapp.font()
    theme.enlarge_application_font(qapp)
    yield
    qapp.setFont(before)


def visible_text_width(cell: FieldEdit) -> int:
    """Pixels a line edit shows its text in: its contents, less the room each icon shown at
    its sides takes (the drop-down button, a paper mark) and the text's own margins, as
    QLineEdit lays them out (an icon 16 + 6 pixels wide, 4 pixels from the next)."""
    option = QStyleOptionFrame()
    cell.initStyleOption(option)
    contents = cell.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, cell)
    icon = cell.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
    shown = [action for action in cell.actions() if action.isVisible()]
    margins = cell.textMargins()
    return (contents.width() - margins.left() - margins.right()
            - len(shown) * (icon + 6 + icon // 4) - 4)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("template", CHOOSING)
def test_every_answer_of_a_choice_reads_whole_saved_or_typed(
        qtbot, application_font, window, printed, template, language):
    """« réagit à la vo » in the screenshot of a saved vital-signs row: the drop-down button and
    the column's width cut « réagit à la voix ». Every answer of every choice field reads whole
    at 1,366 px, in a row being typed (its drop-down shown) and in a saved row (read-only, as
    ``RowEditor.set_saved`` leaves its cells), with the scanned page beside the rows and under
    them, and the grid still wholly in view."""
    if language != "fr":
        switch_language(language)
    screen = open_sheet(qtbot, window, sheet(printed, template))
    panel = screen.scan_panel
    qtbot.waitUntil(panel.has_image)
    settle(qtbot, screen)
    cells = [cell for row in screen.rows for cell in row.cells.values()
             if isinstance(cell, FieldEdit) and cell.field is not None
             and cell.field.type is FieldType.CHOICE]
    assert cells
    for _placement in ("as opened", "the other way"):
        assert_fits(window, screen)
        cut = []
        for cell in cells:
            for saved in (False, True):
                cell.setReadOnly(saved)
                for choice in cell.field.choices:
                    text = choice.label_in()
                    cell.setText(text)
                    if cell.fontMetrics().horizontalAdvance(text) > visible_text_width(cell):
                        cut.append((cell.objectName(), saved, text, visible_text_width(cell)))
            cell.setReadOnly(False)
            cell.clear()
        assert cut == [], panel.is_below()
        if keyed_choices(cells[0].field):  # the keys still read whole
            keys = cells[0].placeholderText()
            assert cells[0].fontMetrics().horizontalAdvance(keys) <= visible_text_width(
                cells[0])
        qtbot.keyClick(focused(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        settle(qtbot, screen)
