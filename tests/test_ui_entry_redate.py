"""The sheet's date corrected on the entry screen once rows are saved with it (F4, a reason).

On the written ward's nursing notes, 22/11/2026 is typed where 23/11/2026 is written and a line
is saved with it, so the date is locked. Driven from the keyboard as a nurse does: F8 to the
marked date, F4, the new date, Enter, the reason, Enter: the saved line is corrected to the new
date (the old version in the history), the date locked again, the second reader's mark gone and
its disagreement recorded as corrected. Without a reason nothing is saved; Escape puts the date
back. At 1,366 x 768 with the scanned page beside (rows ~180 px high), the notes open with
their marked date in view, the vital signs with « Paramètres » whole; the date cell says
« jj/mm/aaaa » while empty.
"""

from __future__ import annotations

# ruff: noqa: F811  (the written ward's fixtures, imported from test_ui_paper_check)
import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from qt_windows import focused
from second_read_ward import MISTYPED_DATE, NOTES_DATE
from test_ui_paper_check import cell, db, opened, ward, window  # noqa: F401  (fixtures)

from reentry.domain.entry import EntryStatus
from reentry.domain.second_read import AckOutcome, Verdict
from reentry.second_read.crosscheck import cross_check
from ui.entry_rows import SectionView
from ui.language import switch_language
from ui.paper_marks import shown_symbol

pytestmark = [pytest.mark.qt]

WARD_PC = QSize(1366, 768)
WRITTEN = "23/11/2026"


def date_disagrees(stored, ward) -> None:
    found = next((f for f in cross_check(stored, ward.notes.serial).fields
                  if f.key == NOTES_DATE), None)
    assert found is not None and found.verdict is Verdict.DIFFERS  # 23/11 written, 22/11 typed


def to_the_date(qtbot, screen):
    date = cell(screen, 0, "date")
    qtbot.keyClick(focused(), Qt.Key.Key_F8)  # the date is the one disagreement shown
    qtbot.waitUntil(lambda: focused() is date)
    return date


def written_over(qtbot, window, ward):
    """The notes opened, their date clicked, F4 and the written date typed (not yet Enter):
    the screen and the date cell."""
    screen = opened(qtbot, window, ward.notes)
    date = cell(screen, 0, "date")
    qtbot.mouseClick(date, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: focused() is date)
    qtbot.keyClick(date, Qt.Key.Key_F4)
    qtbot.keyClicks(date, WRITTEN)
    qtbot.waitUntil(lambda: date.text() == WRITTEN)
    return screen, date


def test_f4_on_the_locked_date_re_dates_every_saved_row_and_the_mark_goes(
        qtbot, window, ward, stored):
    date_disagrees(stored, ward)
    screen = opened(qtbot, window, ward.notes)
    date = to_the_date(qtbot, screen)
    (old,) = stored.entries(ward.notes.serial, include_corrected=False)
    assert date.text() == MISTYPED_DATE and date.isReadOnly() and shown_symbol(date) == "≠"
    qtbot.keyClick(date, Qt.Key.Key_F4)
    assert not date.isReadOnly() and focused() is date
    assert "Correction de la date de la feuille" in screen.notice_text()
    qtbot.keyClicks(date, WRITTEN)  # typed over the old date, selected
    qtbot.waitUntil(lambda: date.text() == WRITTEN)  # digits held a moment (a scanner?)
    qtbot.keyClick(date, Qt.Key.Key_Return)
    row = date.owner
    assert focused() is row.reason and row.reason.isVisible()
    qtbot.keyClicks(row.reason, "le papier dit le 23")
    qtbot.keyClick(row.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: date.isReadOnly())
    assert date.text() == WRITTEN and not row.reason.isVisible()
    (new,) = stored.entries(ward.notes.serial, include_corrected=False)
    assert new.corrects == old.id and new.sheet_values == {"date": WRITTEN}
    assert new.values == old.values and new.reason == "le papier dit le 23"
    assert {e.status for e in stored.entries(ward.notes.serial)} == {EntryStatus.ACTIVE,
                                                                      EntryStatus.CORRECTED}
    saved = cell(screen, 0, "time").owner
    assert saved.entry.id == new.id  # the line on screen shows the new version
    assert "Date de la feuille corrigée" in screen.notice_text() and WRITTEN in \
        screen.notice_text()
    assert shown_symbol(date) is None and date not in screen.paper.open_cells()
    (ack,) = [a for a in stored.acknowledgements(ward.notes.serial) if a.key == NOTES_DATE]
    assert ack.outcome is AckOutcome.CORRECTED
    assert "le papier dit le 23" in screen.history_text()
    assert f"Date {MISTYPED_DATE}" in screen.history_text()  # the old date, struck through


def test_no_reason_no_re_dating_and_escape_puts_the_date_back(qtbot, window, ward,
                                                              stored):
    screen, date = written_over(qtbot, window, ward)
    qtbot.keyClick(date, Qt.Key.Key_Return)
    row = date.owner
    qtbot.keyClick(row.reason, Qt.Key.Key_Return)  # no reason
    assert focused() is row.reason and "motivée" in screen.message_text()
    assert not date.isReadOnly()
    (entry,) = stored.entries(ward.notes.serial)
    assert entry.sheet_values == {"date": MISTYPED_DATE}  # nothing saved
    qtbot.keyClick(row.reason, Qt.Key.Key_Escape)
    assert date.text() == MISTYPED_DATE and date.isReadOnly() and not row.reason.isVisible()
    assert "Correction de la date annulée" in screen.notice_text()
    assert stored.entries(ward.notes.serial) == [entry]


def test_a_date_correction_left_unsaved_comes_back_with_the_sheet(qtbot, window, ward,
                                                                   stored):
    written_over(qtbot, window, ward)
    screen = opened(qtbot, window, ward.notes)  # scanned again: its draft comes back
    date = cell(screen, 0, "date")
    row = date.owner
    assert date.text() == WRITTEN and not date.isReadOnly() and row.reason.isVisible()
    assert focused() is date  # the correction to finish first
    (entry,) = stored.entries(ward.notes.serial)
    assert entry.sheet_values == {"date": MISTYPED_DATE}  # nothing saved meanwhile
    assert screen._sheet_values() == {"date": MISTYPED_DATE}  # what a row saved now takes
    qtbot.keyClick(date, Qt.Key.Key_Escape)
    assert date.text() == MISTYPED_DATE and date.isReadOnly() and not row.reason.isVisible()


def test_f4_on_the_date_waits_for_a_row_typed_and_not_saved(qtbot, window, ward):
    screen = opened(qtbot, window, ward.notes)
    row = cell(screen, 1, "time").owner
    qtbot.mouseClick(row.cells["time"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(row.cells["time"], "23:00")  # typed, not saved
    qtbot.waitUntil(lambda: row.cells["time"].text() == "23:00")
    date = cell(screen, 0, "date")
    screen._focus(date)  # a click would save the row first (leaving a typed row saves it)
    qtbot.keyClick(date, Qt.Key.Key_F4)
    assert date.isReadOnly() and "non enregistrée" in screen.notice_text()


def in_view(screen, widget) -> bool:
    viewport = screen.scroll_area.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    return viewport.rect().contains(QRect(top_left, widget.size()))


def cut_headings(screen) -> list[str]:
    viewport = screen.scroll_area.viewport()
    cut = []
    for view in screen.findChildren(SectionView):
        title = view.title
        if not title.isVisible():
            continue
        top = title.mapTo(viewport, title.rect().topLeft()).y()
        if top < 0 < top + title.height() or top < viewport.height() < top + title.height():
            cut.append(title.text())
    return cut


def opened_at_the_ward_pc(qtbot, window, sheet, rows_height=180):
    """Opened 1,366 px wide with the scanned page beside and the rows ``rows_height`` high: on
    the ward PC at 768 px, its title bar, taskbar and font leave them ~180 px; offscreen has
    none of them, so the window is made as much shorter (the sheet scanned again each time)."""
    window.resize(WARD_PC)
    qtbot.waitUntil(lambda: window.size() == WARD_PC)
    screen = window.entry
    for _attempt in range(4):
        opened(qtbot, window, sheet)
        qtbot.waitUntil(screen.scan_panel.page_view.has_image)
        qtbot.wait(50)  # the page beside and the marks laid out
        extra = screen.scroll_area.viewport().height() - rows_height
        if extra == 0:
            break
        height = window.height() - extra
        window.resize(WARD_PC.width(), height)
        qtbot.waitUntil(lambda: window.height() == height)  # noqa: B023
    assert screen.scan_panel.isVisible()
    assert abs(screen.scroll_area.viewport().height() - rows_height) <= 4
    return screen


def content_span(screen, widget) -> tuple[int, int]:
    top = widget.mapTo(screen.content, QPoint(0, 0)).y()
    return top, top + widget.height()


def test_at_1366_the_sheet_opens_with_its_marked_date_in_view(qtbot, window, ward, stored):
    date_disagrees(stored, ward)
    screen = opened_at_the_ward_pc(qtbot, window, ward.notes)
    date = cell(screen, 0, "date")
    assert shown_symbol(date) == "≠"
    assert in_view(screen, date), screen.scroll_area.verticalScrollBar().value()
    assert cut_headings(screen) == []
    typing = cell(screen, 1, "time")
    assert focused() is typing  # the first row to type keeps the focus
    qtbot.keyClicks(typing, "2")  # typing shows it
    qtbot.waitUntil(lambda: in_view(screen, typing))
    assert cut_headings(screen) == []


def test_at_1366_the_first_row_to_type_shows_with_its_heading_whole(qtbot, window, ward):
    """The rows' height that put the edge across « Paramètres » as the first row to type was
    scrolled into view (as seen on the ward PC): the heading is shown whole, or not at all."""
    screen = opened_at_the_ward_pc(qtbot, window, ward.vitals)
    typing = focused()
    assert typing is cell(screen, 4, "time")  # four lines saved
    heading = screen.findChild(SectionView, "section_readings").title
    assert heading.text() == "Paramètres"
    top, bottom = content_span(screen, heading)
    bar = screen.scroll_area.verticalScrollBar()
    assert 0 < bar.value() < top  # scrolled down to the row, the heading whole above it
    lowest = bar.value() + screen.scroll_area.viewport().height()  # what the row wants seen
    across = lowest - (top + bottom) // 2  # rows this high put the edge mid-heading
    screen = opened_at_the_ward_pc(qtbot, window, ward.vitals, rows_height=across)
    assert focused() is typing and in_view(screen, typing)
    assert cut_headings(screen) == []


def test_the_date_cell_says_how_to_write_it(qtbot, window, ward):
    screen = opened(qtbot, window, ward.notes)
    date = cell(screen, 0, "date")
    assert date.placeholderText() == "jj/mm/aaaa"
    switch_language("en")
    qtbot.waitUntil(lambda: date.placeholderText() == "dd/mm/yyyy")
