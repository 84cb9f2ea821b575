"""The scanned page as a second reader on the entry screen (issue 14, item 3).

When a scanned sheet opens, its pages are read off the GUI thread (``paper_read``: the core's
``check_sheet``, about a tenth of a second per page, and where each field's boxes lie on the
image); the marks appear on the cells when the reading is in, and again after every row saved
(the core re-checks as it saves; reading the outcome costs no image). For the cell in focus, a
disagreement's boxes are framed and zoomed on the scanned page beside the rows, and the bar under
the rows says what the paper shows and what to do: correct (type it; F4 on a saved row, or on
the sheet's date locked by its rows) or keep what is typed, « Conforme au papier » (F7), stored
through the core as an acknowledgement. F8 goes to the next disagreement, saved rows included.
Nothing is ever typed by the machine.

Only the first typing gets this: a blind second entry must not see what the first one typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from reentry.domain.second_read import FieldCheck, FieldKey, SheetCheck, Verdict
from reentry.errors import UserError
from reentry.i18n import msg, tr
from reentry.second_read.crosscheck import confirm_as_typed, cross_check
from ui.entry_fields import Cell
from ui.entry_rows import RowEditor, is_sheet_section
from ui.paper_marks import MARK_COLOUR, SYMBOLS, mark_text, show_mark
from ui.store_reader import StoreReader

if TYPE_CHECKING:
    from ui.entry_screen import EntryScreen
    from ui.paper_read import PaperReading

CONFIRM_KEYS = ("F7",)
NEXT_KEYS = ("F8",)


def cell_key(row: RowEditor, field_id: str) -> FieldKey:
    """Where the core's cross-check names this cell (the sheet's own date: no row)."""
    if is_sheet_section(row.section):
        return FieldKey(row.section.id, None, field_id)
    return FieldKey(row.section.id, row.row_index, field_id)


def _hint(cell: Cell) -> str:
    """What the bar tells to do with the cell in focus: a saved row is corrected with F4, an
    unsaved cell typed or confirmed empty; the sheet's date, typed, is corrected in its cell, or,
    once rows are saved with it, with F4 for all of them (``reentry.entry.redate``), or kept."""
    row = cell.owner
    if isinstance(row, RowEditor) and is_sheet_section(row.section) and cell.text():
        return "paper_ui.hint_sheet_locked" if cell.isReadOnly() else "paper_ui.hint_sheet"
    return ("paper_ui.hint_saved" if isinstance(row, RowEditor) and row.saved
            else "paper_ui.hint_unsaved")


class PaperBar(QWidget):
    """Under the rows, in the keys' help's place while the cell in focus disagrees with the
    paper: what the paper shows, and the button that keeps what is typed."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("paper_bar")
        self.text = QLabel(self)
        self.text.setObjectName("paper_bar_text")
        self.text.setWordWrap(True)
        self.text.setStyleSheet(f"color: {MARK_COLOUR}; font-weight: bold;")
        self.confirm_button = QPushButton(self)
        self.confirm_button.setObjectName("paper_confirm")
        self.confirm_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cell keeps the focus
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.confirm_button)

    def retranslate(self) -> None:
        self.confirm_button.setText(tr("paper_ui.confirm_button"))
        self.confirm_button.setToolTip(tr("paper_ui.confirm_tip"))


class PaperCheck(QObject):
    """The entry screen's second reader: ``open_sheet`` when a sheet opens, ``after_save``
    when a row is stored, ``focus`` as the focus moves, ``close_sheet`` when it goes."""

    changed = Signal()  # the marks show the sheet's cross-check as it is now
    notice = Signal(str, object)  # kind, Msg: for the screen's notice line
    bar_changed = Signal()

    def __init__(self, screen: EntryScreen, focus: Callable[[Cell], None]) -> None:
        super().__init__(screen)
        self.screen = screen
        self._focus_cell = focus
        self.reader: StoreReader | None = None
        self.check: SheetCheck | None = None
        self.areas: dict[FieldKey, QRectF] = {}
        self.reading = False  # a page is being read off the GUI thread
        self._sheet: tuple[int, int] | None = None  # serial, page on screen
        self._changes = 0  # rows saved or answers given since the sheet opened
        self._focused: Cell | None = None
        self._marks: dict[Cell, FieldCheck | None] = {}  # what each cell shows
        self._all = False  # every field written and not typed marked, rows not typed included
        self.bar = PaperBar(screen)
        self.bar.confirm_button.clicked.connect(lambda _checked=False: self.confirm_focused())
        self.bar.retranslate()

    def use_reader(self, reader: StoreReader | None) -> None:
        """Where pages are read: a reader with its own connection and thread (the window's);
        without one the screen shows no marks (a bench typing rows, no scanned page)."""
        self.reader = reader

    def stop(self) -> None:
        """The window closes: the reading in progress ends, its connection closes."""
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.close()
            reader.wait()

    # -- the sheet --------------------------------------------------------------------------------

    def open_sheet(self, serial: int, page: int) -> None:
        """Read the sheet's scanned pages in the background; the marks come when it is done."""
        self.close_sheet()
        self._sheet = (serial, page)
        if self.reader is None:
            return
        try:
            if not self.screen.store.scan_pages(serial):
                return
        except UserError:
            return  # the scan panel beside says why there is no page
        from ui.paper_read import read_paper  # numpy and Pillow once a scanned sheet opens

        self.reading = True
        asked = (serial, page, self._changes)
        self.reader.read(partial(read_paper, serial=serial, page=page),
                         partial(self._read, asked), partial(self._read_failed, asked))

    def close_sheet(self) -> None:
        """No sheet: no mark left on the cells (the form is kept for the next sheet)."""
        self._sheet = None
        self.check = None
        self.areas = {}
        self.reading = False
        self._changes = 0
        self._all = False
        for cell, _key in self._cells():
            show_mark(cell, None)
        self._marks = {}
        self._focused = None
        self.screen.scan_panel.show_area(None)
        self.bar_changed.emit()

    def _read(self, asked: tuple[int, int, int], reading: PaperReading) -> None:
        serial, page, changes = asked
        if self._sheet != (serial, page):
            return  # another sheet is on screen now
        self.reading = False
        self.areas = {key: QRectF(*area) for key, area in reading.areas.items()}
        check = reading.check
        if changes != self._changes:  # a row saved meanwhile: the outcome as it is now
            check = cross_check(self.screen.store, serial)
        self._show(check)
        if check.unreadable_pages:
            self.notice.emit("warning", msg("paper_ui.unreadable", pages=", ".join(
                str(p) for p in check.unreadable_pages)))
        elif shown := self.open_cells():
            self.notice.emit("warning", msg("paper_ui.found", count=len(shown)))

    def _read_failed(self, asked: tuple[int, int, int], error: Exception) -> None:
        if self._sheet != asked[:2]:
            return
        self.reading = False
        if not isinstance(error, UserError):
            raise error  # a bug: the application's error reporter takes it
        self.notice.emit("error", msg("paper_ui.read_failed", reason=error.msg))

    def after_save(self) -> None:
        """A row was stored: the core checked it again; show the outcome."""
        self._changes += 1
        if self._sheet is None or self.check is None:
            return  # not scanned, or the reading still running will show it
        try:
            self._show(cross_check(self.screen.store, self._sheet[0]))
        except UserError as error:
            self.notice.emit("error", error.msg)

    # -- the cells --------------------------------------------------------------------------------

    def _cells(self) -> list[tuple[Cell, FieldKey]]:
        return [(cell, cell_key(row, field_id)) for row in self.screen.rows
                for field_id, cell in row.cells.items()]

    def _show(self, check: SheetCheck) -> None:
        self.check = check
        found = {f.key: f for f in check.fields}
        self._marks = {}
        for row in self.screen.rows:
            for field_id, cell in row.cells.items():
                shown = self._visible(row, found.get(cell_key(row, field_id)))
                self._marks[cell] = shown
                show_mark(cell, shown)
        self._refresh_focus()
        self.changed.emit()

    def _visible(self, row: RowEditor, check: FieldCheck | None) -> FieldCheck | None:
        """A field written on a row nobody has typed yet is still to type, not a disagreement:
        marked once a later row of its table is saved (the row was passed over), or when the
        sheet is being finished (``show_all``)."""
        if (check is None or not check.open or check.verdict is not Verdict.WRITTEN_NOT_TYPED
                or self._all or row.entry is not None or not row.recordable):
            return check
        passed = any(other.entry is not None for other in self.screen.rows
                     if other.section is row.section and other.row_index > row.row_index)
        return check if passed else None

    def show_all(self) -> None:
        """Finishing was refused for fields written and not typed: mark them all."""
        self._all = True
        if self.check is not None:
            self._show(self.check)

    def field_check(self, cell: Cell) -> FieldCheck | None:
        """What the cell shows of the cross-check (None: nothing)."""
        return self._marks.get(cell)

    def open_cells(self, written_not_typed: bool = False) -> list[Cell]:
        """The marked cells, whose disagreement nobody has answered yet, in paper order (only
        those written on the paper and not typed, when asked)."""
        return [cell for cell, _key in self._cells()
                if (found := self._marks.get(cell)) is not None and found.open
                and (not written_not_typed or found.verdict is Verdict.WRITTEN_NOT_TYPED)]

    def retranslate(self) -> None:
        self.bar.retranslate()
        if self.check is not None:
            self._show(self.check)

    # -- the cell in focus ------------------------------------------------------------------------

    def focus(self, widget: object) -> None:
        """The focus moved: a cell of the sheet becomes the one compared with the paper (a click
        on the page beside keeps the last one)."""
        if not any(widget is cell for cell, _key in self._cells()):
            return
        assert isinstance(widget, Cell)
        self._focused = widget
        self._refresh_focus()

    def _open_focused(self) -> FieldCheck | None:
        found = self.field_check(self._focused) if self._focused is not None else None
        return found if found is not None and found.open else None

    def _refresh_focus(self) -> None:
        found = self._open_focused()
        page = self._sheet[1] if self._sheet is not None else None
        area = self.areas.get(found.key) if found is not None and found.page == page else None
        self.screen.scan_panel.show_area(area)
        if found is not None and self._focused is not None:
            field = self._focused.field
            self.bar.text.setText(f"{SYMBOLS[found.verdict]} " + tr(
                _hint(self._focused), mark=mark_text(found, self._focused),
                field=field.label_in() if field is not None else ""))
        self.bar_changed.emit()

    def bar_wanted(self) -> bool:
        return self._open_focused() is not None

    def confirm_focused(self) -> None:
        """F7: the typist looked at the paper and keeps what is typed (or keeps it empty)."""
        found, user = self._open_focused(), self.screen.user
        if found is None or self._sheet is None or user is None:
            self.notice.emit("warning", msg("second_read.nothing_to_confirm"))
            return
        try:
            check = confirm_as_typed(self.screen.store, user, self._sheet[0], found.key)
        except UserError as error:
            self.notice.emit("error", error.msg)
            return
        self._changes += 1
        self._show(check)
        assert self._focused is not None
        field = self._focused.field
        self.notice.emit("info", msg("paper_ui.confirmed_notice",
                                     field=field.label_in() if field is not None else ""))

    def next_disagreement(self) -> None:
        """F8: the next cell, in paper order, whose disagreement is still open."""
        cells = self.open_cells()
        if not cells:
            self.notice.emit("info", msg("paper_ui.none_open") if self.check is not None
                             else None)
            return
        order = [cell for cell, _key in self._cells()]
        start = order.index(self._focused) + 1 if self._focused in order else 0
        following = next((c for c in order[start:] + order[:start] if c in cells), cells[0])
        self._focus_cell(following)

