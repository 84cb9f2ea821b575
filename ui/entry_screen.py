"""The entry screen: one scanned sheet, typed from paper, keyboard only, never on the wrong patient.

The screen is generated from the form definition (same sections, fields and order as the paper).
The patient's identity banner stays above the scrolling rows. Each value is checked as typed
(range and unit in the message); an implausible value needs Enter a second time. A row is stored
the moment it is saved (Ctrl+S, Ctrl+Enter, or Enter on its last cell), after a one-time identity
confirmation per sheet. Leaving a typed row (Tab from its last cell, ↑ ↓, a click elsewhere)
saves it by the same rules, or keeps the focus in it with the reason; a refusal goes away as soon
as its value is fixed. What is typed and not saved yet is kept as a draft every few hundred
milliseconds, and offered back when the sheet is scanned again. Saved rows show what was stored;
F4 corrects one with a reason, the original staying visible, struck through, in the history;
F4 on the sheet's date, locked once rows are saved with it, corrects it for all of them at once
(``reentry.entry.redate``).

The rows are never clipped: the scroll area is as wide as the widest row (the scanned page
beside takes what is left, or goes under the rows), and the focused cell is scrolled into view,
no section heading cut in half by the edge; a sheet opens at its top when its date disagrees
with the paper or when the first cell to type shows from there.

A scan must put the form on screen at once: a form laid out for one sheet is kept and refilled
for the next sheet of the same layout (``ui/built_forms.py``), rather than built again.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.barcodes import group_for_reading
from reentry.domain.entry import Entry, RecordRow, RowProblems, SheetContext, User
from reentry.entry import redate, service
from reentry.errors import UserError
from reentry.formdefs_model import RepeatPer, Section
from reentry.formdefs_values import validate_value
from reentry.i18n import Msg, get_language, msg, tr
from reentry.printing.form_pages import FormPage, form_pages, section_rows
from reentry.second_read.crosscheck import WrittenNotTyped, cross_check
from reentry.second_read.words import sheet_words
from reentry.store.areas import Store
from ui import theme
from ui.built_forms import BuiltForm, BuiltForms, LayoutKey
from ui.entry_fields import CELL_STYLE, Cell, FieldEdit
from ui.entry_history import HistoryView
from ui.entry_rows import REASON_KEY, RowEditor, SectionView, is_sheet_section
from ui.finish_reason import FinishReasonDialog
from ui.identity_banner import IdentityBanner, temporary_identity_banner
from ui.identity_confirm import IdentityConfirmation
from ui.language import is_language_change
from ui.notice import COLOURS, MARKS, screen_labels, show_notice
from ui.paper_check import CONFIRM_KEYS, NEXT_KEYS, PaperCheck
from ui.paper_marks import PAPER_STYLE
from ui.sheet_scan_panel import PLACE_KEYS, TOGGLE_KEYS, beside_scanned_page
from ui.shortcuts import add_shortcut

DRAFT_DELAY_MS = 400
SAVE_KEYS = ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter")
FINISH_KEYS = ("F9", "Ctrl+Shift+Return")
CORRECT_KEYS = ("F4",)
_Saved = TypeVar("_Saved")  # what a save answers: a row's entry, a re-dated sheet's entries



def _context_prefills(context: SheetContext) -> dict[str, str]:
    """What the print station printed from the sheet's patient, stay, ward or temporary id."""
    patient, stay, ward = context.patient, context.stay, context.ward
    values = {
        "temporary_identity.id": context.temporary_id or "",
        "ward.code": context.instance.ward_code,
        "ward.name": ward.name if ward else "",
    }
    if patient is not None:
        values.update({"patient.ipp": patient.ipp or "",
                       "patient.birth_name": patient.birth_name or "",
                       "patient.used_name": patient.used_name or "",
                       "patient.given_names": patient.given_names or "",
                       "patient.birth_date": display.date_text(patient.birth_date)})
    if stay is not None:
        values.update({"stay.nda": stay.nda or "", "stay.room": stay.room or "",
                       "stay.bed": stay.bed or "", "stay.ward": context.instance.ward_code})
    return values


def _dose_section(section: Section) -> bool:
    return section.repeat is not None and section.repeat.per is RepeatPer.PRESCRIPTION_DOSE


def sheet_date_from(entries: list[Entry], field_id: str = "date") -> str:
    """The sheet's date when no draft holds it: as typed with its latest saved row (older rows
    without it: the day most of them happened)."""
    for entry in sorted(entries, key=lambda e: e.entered_at, reverse=True):
        if entry.sheet_values.get(field_id):
            return entry.sheet_values[field_id]
    days = Counter(clock.local(e.event_time).date() for e in entries)
    return display.date_text(days.most_common(1)[0][0]) if days else ""


class EntryScreen(QWidget):
    """Shows one ``SheetContext``; ``store`` and ``user`` are the window's."""

    sheet_finished = Signal(object)  # the SheetContext just finished
    row_saved = Signal(object)  # Entry

    def __init__(self, store: Store, parent: QWidget | None = None, *,
                 now: Callable[[], datetime] = clock.now,
                 draft_delay_ms: int = DRAFT_DELAY_MS) -> None:
        super().__init__(parent)
        self.setObjectName("entry_screen")
        self.setStyleSheet(PAPER_STYLE + CELL_STYLE)  # a refusal's look wins over a paper mark
        self.store = store
        self.user: User | None = None
        self._now = now
        self.context: SheetContext | None = None
        # Where rows are stored: the re-entry service, or a blind second entry (same names).
        self.actions: Any = service
        self._mode_text: Msg | None = None
        self.rows: list[RowEditor] = []
        self.sections: list[SectionView] = []
        self._forms = BuiltForms()  # laid out once per layout, refilled for each sheet
        self._form: BuiltForm | None = None  # the one showing the open sheet
        self.current_row: RowEditor | None = None
        self._identity_confirmed = False
        self._pending_save: RowEditor | None = None
        self._refused: dict[str, dict[str, Msg]] = {}  # row key → field id → service's refusal
        self._steering = False  # the screen itself is moving the focus
        self._fresh = False  # the sheet just opened: nobody has moved or typed yet
        self._notice: tuple[str, Msg] | None = None
        self._draft_dirty = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(draft_delay_ms)
        self._draft_timer.timeout.connect(self.save_draft)
        self._build()
        # The scanned page read as a second reader: marks on the cells, the box beside.
        self.paper = PaperCheck(self, focus=self._focus)
        self.paper.notice.connect(self._paper_notice)
        self.paper.bar_changed.connect(self._show_messages)
        self.paper.changed.connect(self._show_top_if_wanted)
        self.help_or_problems.addWidget(self.paper.bar)
        self.finish_dialog: FinishReasonDialog | None = None
        self._build_actions()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)
        self._retranslate()

    # -- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = IdentityBanner(self)
        self.temporary_banner = temporary_identity_banner(self)
        self.temporary_banner.hide()
        self.sheet_title = QLabel(self)
        self.sheet_title.setObjectName("sheet_title")
        self.sheet_title.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.mode_banner = QLabel(self)  # e.g. "blind second entry": what this screen is for
        self.mode_banner.setObjectName("entry_mode_banner")
        self.mode_banner.setWordWrap(True)
        self.mode_banner.setStyleSheet("background: #e3f2fd; color: #0d47a1; padding: 6px;"
                                       " font-weight: bold;")
        self.mode_banner.hide()
        self.confirmation = IdentityConfirmation(self)
        self.confirmation.confirmed.connect(self._identity_confirmed_now)
        self.confirmation.cancelled.connect(self._identity_refused)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("entry_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.viewport().installEventFilter(self)  # resized: the focus stays in view
        # One scrolled page for every sheet: the built forms (only the open sheet's shown), the
        # MAR's « no planned dose » line and the sheet's history under them.
        self.content = QWidget()
        self.content.setObjectName("entry_content")
        self._column = QVBoxLayout(self.content)
        self.empty_doses = QLabel(self.content)
        self.empty_doses.setObjectName("no_planned_dose")
        self.empty_doses.hide()
        self.history = HistoryView(self.content)
        self._column.addWidget(self.empty_doses)
        self._column.addWidget(self.history)
        self._column.addStretch(1)
        self.scroll_area.setWidget(self.content)
        self.messages, self.notice, self.keys_help = screen_labels(self, "entry")
        self.messages.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        # The row's problems take the keys' help's place while there are any: one block under
        # the rows that leaves them the room (no empty lines kept for problems to come) and does
        # not move them when a problem shows.
        self.help_or_problems = QStackedWidget(self)
        self.help_or_problems.setObjectName("entry_help_or_problems")
        self.help_or_problems.addWidget(self.keys_help)
        self.help_or_problems.addWidget(self.messages)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.banner, self.temporary_banner, self.sheet_title, self.mode_banner,
                       self.confirmation):
            layout.addWidget(widget)
        # The scanned page beside the rows, so the nurse types from the screen (F6 folds it).
        self.scan_panel, self.body = beside_scanned_page(self, self.scroll_area, "entry_body")
        layout.addWidget(self.body, 1)
        layout.addWidget(self.help_or_problems)
        layout.addWidget(self.notice)

    def _build_actions(self) -> None:
        self.save_action = add_shortcut(self, SAVE_KEYS, self.save_current_row)
        self.finish_action = add_shortcut(self, FINISH_KEYS, self.finish_sheet)
        self.correct_action = add_shortcut(self, CORRECT_KEYS, self.correct_current_row)
        self.scan_page_action = add_shortcut(self, TOGGLE_KEYS, self.scan_panel.toggle)
        self.scan_place_action = add_shortcut(self, PLACE_KEYS, self.scan_panel.toggle_place)
        self.paper_confirm_action = add_shortcut(self, CONFIRM_KEYS, self.paper.confirm_focused)
        self.paper_next_action = add_shortcut(self, NEXT_KEYS, self.paper.next_disagreement)

    # -- opening and closing a sheet ------------------------------------------------------------

    def set_user(self, user: User | None) -> None:
        self.close_sheet()
        if user != self.user:  # what the built forms last showed goes with the one who typed it
            for form in self._forms.drop_all():
                self._drop(form)
        self.user = user

    def show_sheet(self, context: SheetContext, actions: Any = None,
                   mode_text: Msg | None = None) -> None:
        """Lay ``context``'s page out, with its saved rows and its draft; focus the next cell.

        ``actions`` stores the rows instead of the re-entry service (a blind second entry), and
        ``mode_text`` says so above the rows."""
        self._close(reopening=True)
        self.context = context
        self.actions = actions or service
        self._mode_text = mode_text
        self._identity_confirmed = context.identity_confirmed or context.patient is None
        self._show_identity(context)
        form = self._lay_out(context)
        self._fit_width()
        self.scan_panel.show_page(self.store, context.instance.serial, context.page)
        restored = self._fill(context)
        self._set_notice("info", msg("entry_ui.draft_restored",
                                     when=clock.format_local(context.draft.updated_at,
                                                             with_zone=False))
                         if context.draft and restored else None)
        self._refresh_history()
        self._retranslate(sections=form.language != get_language())
        self._focus_next(None)
        self._fresh = True
        self._show_top_if_wanted()
        if self.actions is service:  # never on a blind second entry: it would show the first
            self.paper.open_sheet(context.instance.serial, context.page)

    def close_sheet(self) -> None:
        """Keep what was typed (draft), then forget the sheet; nothing is lost."""
        self._close(reopening=False)

    def _close(self, reopening: bool) -> None:
        """``reopening``: another sheet is laid out at once, so its form may stay in view (it is
        refilled or replaced before the next paint) and so may the identity banner."""
        if self.context is None:
            return
        self.save_draft()
        self.confirmation.hide()
        self.scroll_area.setEnabled(True)
        self.context = None
        self.actions = service
        self._mode_text = None
        self.current_row = None
        self._pending_save = None
        self._refused.clear()
        self.paper.close_sheet()
        self.rows = []
        self.sections = []
        if self._form is not None:  # kept for the next sheet of its layout, never shown closed
            focus = QApplication.focusWidget()
            if focus is not None and self._form.widget.isAncestorOf(focus):
                focus.clearFocus()  # left now, as the sheet closes, not once it is refilled
            if not reopening:
                self._form.widget.hide()
                self._form = None
        self.empty_doses.hide()
        self.history.show_history(None, [], set())
        self.scroll_area.setMinimumWidth(0)
        if not reopening:
            self.banner.clear()
        self.scan_panel.clear()
        self._set_notice("info", None)
        self._show_messages()

    def _show_identity(self, context: SheetContext) -> None:
        if context.patient is not None:
            self.banner.set_identity(context.patient, context.stay, context.site, context.ward,
                                     clock.local(self._now()).date(),
                                     temporary_id=context.temporary_id)
            self.banner.show()
            self.temporary_banner.hide()
        else:
            self.banner.clear()
            self.banner.hide()
            self.temporary_banner.show()

    def _page(self, context: SheetContext) -> FormPage:
        pages = form_pages(context.form, len(context.planned_doses))
        return pages[context.page - 1] if 0 < context.page <= len(pages) else pages[0]

    def _row_indices(self, section: Section, page: FormPage, doses: int) -> list[int]:
        if is_sheet_section(section) or not section.repeated:
            return [0] if is_sheet_section(section) or page.first else []
        if section.id != page.section_id:
            return []
        return [i for i in page.rows if i < section_rows(section, doses)]

    def _lay_out(self, context: SheetContext) -> BuiltForm:
        """The sheet's rows, with what the print station printed on this sheet: the form built
        for this layout before, refilled, or a new one (then kept for the next sheets)."""
        page, doses = self._page(context), len(context.planned_doses)
        shown = tuple((section, tuple(indices)) for section in context.form.sections
                      if (indices := self._row_indices(section, page, doses)))
        key: LayoutKey = (context.form.id, context.form.version,
                          tuple((section.id, indices) for section, indices in shown))
        known = _context_prefills(context)
        form = self._forms.take(key)
        if form is None:
            form = self._build_form(context, shown, known)
            self._column.insertWidget(0, form.widget)
        else:
            for row in form.rows:
                row.refill(self._prefilled(context, row.section, row.row_index, known))
        if self._form is not None and self._form is not form:
            self._form.widget.hide()  # the previous sheet's, of another layout
        self._form = form
        for dropped in self._forms.keep(key, form):
            self._drop(dropped)
        self.rows = list(form.rows)
        self.sections = list(form.sections)
        self.empty_doses.setVisible(any(_dose_section(s) for s in context.form.sections)
                                    and doses == 0)
        form.widget.show()
        self.scroll_area.horizontalScrollBar().setValue(0)
        self.scroll_area.verticalScrollBar().setValue(0)  # a new sheet opens at its top
        return form

    def _build_form(self, context: SheetContext,
                    shown: tuple[tuple[Section, tuple[int, ...]], ...],
                    known: dict[str, str]) -> BuiltForm:
        widget = QWidget(self.content)
        widget.setObjectName("entry_form")
        widget.hide()
        column = QVBoxLayout(widget)
        column.setContentsMargins(0, 0, 0, 0)
        rows: list[RowEditor] = []
        sections: list[SectionView] = []
        for section, indices in shown:
            lines = [self._new_row(section, index,
                                   self._prefilled(context, section, index, known), widget)
                     for index in indices]
            rows.extend(lines)
            view = SectionView(section, lines, widget)  # written in the language now
            sections.append(view)
            column.addWidget(view)
        return BuiltForm(widget, rows, sections, get_language())

    def _drop(self, form: BuiltForm) -> None:
        self._column.removeWidget(form.widget)
        form.widget.deleteLater()

    @staticmethod
    def _prefilled(context: SheetContext, section: Section, index: int,
                   known: dict[str, str]) -> dict[str, str]:
        """What the print station printed in this row: the planned dose, the identity…"""
        prefilled: dict[str, str] = {}
        if _dose_section(section) and index < len(context.planned_doses):
            prefilled = service.prefilled_values(section, context.planned_doses[index])
        for field in section.fields:
            if field.prefill in known and field.id not in prefilled:
                prefilled[field.id] = known[field.prefill]
        return prefilled

    def _new_row(self, section: Section, index: int, prefilled: dict[str, str],
                 parent: QWidget) -> RowEditor:
        row = RowEditor(section, index, prefilled, parent)
        row.edited.connect(self._row_edited)
        for cell in [*row.cells.values(), row.reason]:
            cell.advance.connect(partial(self._advance, row, cell))
            cell.move_row.connect(partial(self._move_row, row, cell))
            cell.escape.connect(partial(self._escape, row))
            cell.tab_handler = partial(self._tab, row, cell)
        return row

    def _fit_width(self) -> None:
        """Every column on screen: the scroll area never narrower than the widest row (the
        splitter then gives the scanned page only what is left)."""
        content = self.content
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        frame = 2 * self.scroll_area.frameWidth()
        self.scroll_area.setMinimumWidth(content.minimumSizeHint().width() + bar + frame)

    def _fill(self, context: SheetContext) -> bool:
        """Saved rows, then the draft, then the sheet's date; True if typed rows came back."""
        by_key = {row.key: row for row in self.rows}
        for entry in context.entries:
            row = by_key.get(f"{entry.section_id}:{entry.row_index}")
            if row is not None:
                row.set_saved(entry)
        drafted = context.draft.rows if context.draft else {}
        restored = False
        for key, values in drafted.items():
            if key in by_key:
                by_key[key].load_typed(values)
                restored = restored or by_key[key].recordable or by_key[key].correcting
        for row in self._sheet_rows():
            if row.correcting and context.entries:  # the date's correction, left unsaved
                row.correcting_from({field_id: sheet_date_from(context.entries, field_id)
                                     for field_id in row.cells})
                continue
            if row.correcting:
                row.set_saved(None)  # no row saved with it any more: the date as typed
            if row.is_blank() and context.entries:
                field_id, date_field = next(iter(row.cells.items()), (None, None))
                if date_field is not None and field_id is not None:
                    date_field.setText(sheet_date_from(context.entries, field_id))
            row.lock(bool(context.entries))
        return restored

    # -- navigation -----------------------------------------------------------------------------

    def _sheet_rows(self) -> list[RowEditor]:
        return [row for row in self.rows if not row.recordable]

    def _row_of(self, widget: QWidget | None) -> RowEditor | None:
        owner = getattr(widget, "owner", None)
        return owner if isinstance(owner, RowEditor) and owner in self.rows else None

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if not self._steering and old is not None and new is not None:
            self._fresh = False  # the nurse moved (not the window activated or left)
        self._scroll_to(new)  # Tab into a cell out of view scrolls to it
        self.paper.focus(new)
        owner, left = self._row_of(new), self._row_of(old)
        if owner is not None and owner is not self.current_row:
            self.current_row = owner
            self._show_messages()
        if (not self._steering and owner is not None and left is not None and left is not owner
                and left.has_unsaved_text()):
            # A click (or any other way) out of a typed row: the same rules as Tab, once the
            # focus change is over.
            QTimer.singleShot(0, partial(self._left_row, left, new))

    def _left_row(self, row: RowEditor, target: QWidget | None) -> None:
        if (self.context is None or row not in self.rows or not row.has_unsaved_text()
                or self._row_of(QApplication.focusWidget()) is row):
            return
        if self.save_row(row) is not None and isinstance(target, Cell):
            self._focus(target)

    def _tab(self, row: RowEditor, cell: Cell, forward: bool) -> bool:
        """Tab out of a typed row saves it as Enter on its last cell does (without confirming a
        warning), or keeps the focus in it with the reason; True when the screen moved the
        focus itself. Inside a row, or out of a row with nothing to save, Tab just moves on."""
        editable = row.editable()
        if not row.has_unsaved_text() or cell not in editable:
            return False
        if cell is not (editable[-1] if forward else editable[0]):
            return False
        entry = self.save_row(row)
        if entry is not None and not forward:
            earlier = self.rows[:self.rows.index(row)]
            back = next((r for r in reversed(earlier) if r.editable()), None)
            if back is not None:
                self._focus(back.editable()[-1])
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.scroll_area.viewport():
            QTimer.singleShot(0, self._keep_focus_in_view)  # once the rows are laid out again
        return super().eventFilter(watched, event)

    def _keep_focus_in_view(self) -> None:
        """The page moved under the rows, an edge dragged, the window resized: the cell being
        typed stays on screen (a sheet just opened keeps its top, see ``_top_wanted``)."""
        if not self._show_top_if_wanted():
            self._scroll_to(QApplication.focusWidget())

    def _top_wanted(self) -> bool:
        """A sheet just opened shows its top (its date, the first heading) while nobody has
        moved: when its date disagrees with the paper (the mark must be seen), or when the
        cell to type is in view from there anyway."""
        if not self._fresh or self.context is None:
            return False
        if any(not cell.owner.recordable for cell in self.paper.open_cells()
               if isinstance(cell.owner, RowEditor)):
            return True
        focus, content = QApplication.focusWidget(), self.scroll_area.widget()
        if focus is None or content is None or not content.isAncestorOf(focus):
            return False
        bottom = focus.mapTo(content, focus.rect().bottomLeft()).y()
        return bottom + 8 <= self.scroll_area.viewport().height()

    def _show_top_if_wanted(self) -> bool:
        if not self._top_wanted():
            return False
        self.scroll_area.verticalScrollBar().setValue(0)
        return True

    def _scroll_to(self, cell: QWidget | None) -> None:
        """The whole cell in view (Qt's own ``ensureWidgetVisible`` is content with its text
        cursor, which can leave half the cell under the edge)."""
        content = self.scroll_area.widget()
        if cell is None or content is None or not content.isAncestorOf(cell):
            return
        centre = cell.mapTo(content, cell.rect().center())
        self.scroll_area.ensureVisible(centre.x(), centre.y(), cell.width() // 2 + 8,
                                       cell.height() // 2 + 8)
        self._whole_headings(cell)

    def _whole_headings(self, cell: QWidget) -> None:
        """No section heading cut in half by the edge of the rows: the nearest scroll that
        shows each heading whole or not at all, the cell still in view."""
        content, bar = self.scroll_area.widget(), self.scroll_area.verticalScrollBar()
        height = self.scroll_area.viewport().height()
        assert content is not None
        spans = [(top, top + view.title.height()) for view in self.sections
                 if view.title.isVisible()
                 for top in [view.title.mapTo(content, view.title.rect().topLeft()).y()]]
        cell_top = cell.mapTo(content, cell.rect().topLeft()).y()
        cell_bottom = cell_top + cell.height()

        def cuts(value: int) -> bool:
            return any(top < edge < bottom for top, bottom in spans
                       for edge in (value, value + height))

        value = bar.value()
        if not cuts(value):
            return
        candidates = {edge for top, bottom in spans
                      for edge in (top, bottom, top - height, bottom - height)}
        fitting = [c for c in candidates if bar.minimum() <= c <= bar.maximum()
                   and c <= cell_top and cell_bottom <= c + height and not cuts(c)]
        if fitting:
            bar.setValue(min(fitting, key=lambda c: abs(c - value)))

    def _focus_next(self, after: RowEditor | None) -> None:
        """The first cell still to type: the sheet's date if empty, else the next unsaved row."""
        for sheet_row in self._sheet_rows():
            if (sheet_row.is_blank() or sheet_row.correcting) and sheet_row.editable():
                self._focus(sheet_row.editable()[0])
                return
        start = self.rows.index(after) + 1 if after in self.rows else 0
        ordered = self.rows[start:] + self.rows[:start]
        following = next((r for r in ordered if r.recordable and r.editable()), None)
        if following is not None:
            self._focus(following.editable()[0])

    def _focus(self, cell: Cell) -> None:
        self._fresh = False  # the screen moves on: the cell is what must be seen now
        self._steering = True
        try:
            cell.setFocus(Qt.FocusReason.OtherFocusReason)
        finally:
            self._steering = False
        self._scroll_to(cell)
        if isinstance(cell.owner, RowEditor):
            self.current_row = cell.owner
            self._show_messages()

    def _advance(self, row: RowEditor, cell: Cell) -> None:
        """Enter: confirm an implausible value, else the next cell, else save the row."""
        if row.confirm_warning(cell):
            self._show_messages()
            return
        following = row.next_cell(cell)
        if following is not None:
            self._focus(following)
        elif not row.recordable and not row.correcting:
            self._focus_next(row)
        else:
            self.save_row(row)

    def _move_row(self, row: RowEditor, cell: Cell, step: int) -> None:
        """↑ ↓: the same cell one row up or down, once a typed row is saved (same rules)."""
        view = next((v for v in self.sections if row in v.rows), None)
        target = view.row_after(row, step) if view else None
        if target is None:
            return
        if row.has_unsaved_text() and self.save_row(row) is None:
            return
        if cell.field is not None and cell.field.id in target.cells:
            self._focus(target.cells[cell.field.id])
        elif (first := target.first_cell()) is not None:
            self._focus(first)

    def _escape(self, row: RowEditor) -> None:
        if row.correcting:
            row.cancel_correction()
            self._refused.pop(row.key, None)
            self._schedule_draft()
            self._set_notice("info", msg("entry_ui.correction_cancelled" if row.recordable
                                         else "entry_ui.redate_cancelled"))
            first = row.first_cell()
            if first is not None:
                self._focus(first)

    # -- saving a row ---------------------------------------------------------------------------

    def save_current_row(self) -> Entry | None:
        row = self.current_row
        if row is None or not (row.recordable or row.correcting):
            self._focus_next(row)
            return None
        return self.save_row(row)

    def save_row(self, row: RowEditor) -> Entry | None:
        """Check, confirm the identity once, then store the row at once (one transaction)."""
        context = self.context
        if context is None or self.user is None or not self.confirmation.isHidden():
            return None
        if row.saved:
            self._set_notice("warning", msg("entry_ui.row_already_saved"))
            return None
        if row.is_blank() and not row.correcting:
            self._set_notice("warning", msg("entry.blank_row"))
            return None
        if not self._checked_here(row):
            return None
        if not self._identity_confirmed:
            self._ask_identity(row)
            return None
        return self._store_row(row)

    def _store_row(self, row: RowEditor) -> Entry | None:
        """A row stored, or the sheet's date corrected for every row saved with it."""
        return self._record(row) if row.recordable else self._redate(row)

    def _sheet_values(self) -> dict[str, str]:
        return {field_id: text for row in self._sheet_rows()
                for field_id, text in row.sheet_values().items()}

    def _planned(self, row: RowEditor) -> Any:
        context = self.context
        assert context is not None
        if _dose_section(row.section) and row.row_index < len(context.planned_doses):
            return context.planned_doses[row.row_index]
        return None

    def _checked_here(self, row: RowEditor) -> bool:
        """The service's checks before asking anything: errors, then unconfirmed warnings."""
        problems = self._problems(row)
        unconfirmed = {k: v for k, v in problems.warnings.items()
                       if k not in row.confirmed_fields()}
        if problems.errors or unconfirmed:
            self._refuse(row, RowProblems(problems.errors, unconfirmed))
            return False
        return True

    def _problems(self, row: RowEditor) -> RowProblems:
        """What the service would refuse in ``row`` now (the reason of a correction
        included); for the sheet's date being corrected, the date checked as typed."""
        context = self.context
        assert context is not None
        if row.recordable:
            problems = service.check_row(context.form, row.section.id, row.values(),
                                         self._sheet_values(), planned=self._planned(row),
                                         now=self._now())
        else:
            problems = RowProblems()
            for field_id, cell in row.cells.items():
                if cell.field is not None:
                    check = validate_value(cell.field, cell.text(), required=True)
                    if check.error is not None:
                        problems.errors[field_id] = check.error
                    elif check.warning is not None:
                        problems.warnings[field_id] = check.warning
        if row.correcting and not row.reason.text().strip():
            problems.errors.setdefault(REASON_KEY, msg("entry.reason_required"))
        return problems

    def _refuse(self, row: RowEditor, problems: RowProblems) -> None:
        self._refused[row.key] = {**problems.errors, **problems.warnings}
        row.mark_refused(set(problems.errors))
        self._set_notice("error", msg("entry.row_refused",
                                      count=len(problems.errors) + len(problems.warnings)))
        QApplication.beep()
        target = self._cell_for(row, next(iter(problems.errors or problems.warnings)))
        if target is not None:
            self._focus(target)
        self._show_messages()

    def _cell_for(self, row: RowEditor, field_id: str) -> Cell | None:
        if field_id == REASON_KEY:
            return row.reason
        if field_id in row.cells and not row.cells[field_id].isReadOnly():
            return row.cells[field_id]
        for sheet_row in self._sheet_rows():
            if field_id in sheet_row.cells:
                return sheet_row.cells[field_id]
        return row.first_cell()

    def _ask_identity(self, row: RowEditor) -> None:
        context = self.context
        assert context is not None and context.patient is not None
        self._pending_save = row
        self.scroll_area.setEnabled(False)
        self.confirmation.ask(context.patient, clock.local(self._now()).date())
        self._set_notice("warning", msg("entry_ui.confirm_needed"))

    def _identity_confirmed_now(self) -> None:
        context, row = self.context, self._pending_save
        self._pending_save = None
        self.scroll_area.setEnabled(True)
        if context is None or self.user is None:
            return
        try:
            service.confirm_identity(self.store, self.user, context.instance.serial)
        except UserError as error:
            self._set_notice("error", error.msg)
            return
        self._identity_confirmed = True
        if row is not None:
            self._store_row(row)

    def _identity_refused(self) -> None:
        row, self._pending_save = self._pending_save, None
        self.scroll_area.setEnabled(True)
        self._set_notice("warning", msg("entry_ui.confirm_refused"))
        if row is not None and (first := row.first_cell()) is not None:
            self._focus(first)

    def _record(self, row: RowEditor) -> Entry | None:
        context, user = self.context, self.user
        assert context is not None and user is not None
        command = RecordRow(
            serial=context.instance.serial, page=context.page, section_id=row.section.id,
            row_index=row.row_index, values=row.values(), sheet_values=self._sheet_values(),
            user=user, confirmed_warnings=row.confirmed_fields(),
            corrects=row.entry.id if row.correcting and row.entry else None,
            reason=row.reason.text().strip() or None if row.correcting else None)
        entry = self._saving(row, partial(self.actions.record_row, self.store, command,
                                          now=self._now()))
        if entry is None:
            return None
        self._saved(row, entry)
        return entry

    def _saving(self, row: RowEditor, save: Callable[[], _Saved]) -> _Saved | None:
        """``save()``'s answer; None when it refused ``row`` (its problems shown), wanted the
        patient's identity confirmed first (asked) or failed (said, with a beep)."""
        try:
            return save()
        except service.EntryRefused as refused:
            self._refuse(row, refused.problems)
        except service.IdentityNotConfirmed:
            self._identity_confirmed = False
            self._ask_identity(row)
        except UserError as error:
            self._set_notice("error", error.msg)
            QApplication.beep()
        return None

    def _saved(self, row: RowEditor, entry: Entry) -> None:
        self._refused.pop(row.key, None)
        row.set_saved(entry)
        for sheet_row in self._sheet_rows():
            sheet_row.lock(True)
        self._refresh_history()
        self._set_notice("info", msg("entry_ui.row_saved_notice", row=row.row_index + 1,
                                     time=clock.local(entry.entered_at).strftime("%H:%M")))
        self._schedule_draft()
        self.paper.after_save()
        self.row_saved.emit(entry)
        self._focus_next(row)

    # -- correcting -----------------------------------------------------------------------------

    def correct_current_row(self) -> None:
        row = self.current_row
        if row is not None and not row.recordable:
            self._start_redating(row)
            return
        if row is None or not row.saved:
            self._set_notice("warning", msg("entry_ui.nothing_to_correct"))
            return
        row.start_correction()
        self._set_notice("info", msg("entry_ui.correction_started", row=row.row_index + 1))
        first = row.first_cell()
        if first is not None:
            self._focus(first)

    def _start_redating(self, row: RowEditor) -> None:
        """F4 on the sheet's date locked by its saved rows: typed anew, with a reason, for all
        of them (as a row is corrected); refused before anything is typed when it cannot be."""
        if row.correcting:
            return
        others = [r for r in self.rows if r is not row and r.has_unsaved_text()]
        if self.actions is not service:  # a blind second entry's rows are its own
            refusal: Msg | None = msg("entry_ui.redate_not_here")
        elif not any(cell.isReadOnly() for cell in row.cells.values()):
            refusal = msg("entry.redate_nothing")  # no row saved: typed in its cell
        elif others:
            refusal = msg("entry_ui.redate_unsaved_rows", count=len(others))
        else:
            refusal = None
        if refusal is not None:
            self._set_notice("warning", refusal)
            QApplication.beep()
            return
        row.start_correction()
        self._set_notice("info", msg("entry_ui.redate_started"))
        first = row.first_cell()
        if first is not None:
            self._focus(first)
            if isinstance(first, FieldEdit):
                first.selectAll()  # the new date typed over the old one

    def _redate(self, row: RowEditor) -> Entry | None:
        """Every row saved with the sheet's date corrected to the date typed, at once (one
        transaction, ``reentry.entry.redate``); the rows on screen show the new versions."""
        context, user = self.context, self.user
        assert context is not None and user is not None
        others = [r for r in self.rows if r is not row and r.has_unsaved_text()]
        if others:
            self._set_notice("error", msg("entry_ui.redate_unsaved_rows", count=len(others)))
            QApplication.beep()
            return None
        (field_id, cell), = row.cells.items()
        command = redate.RedateSheet(
            serial=context.instance.serial, date=cell.text(),
            reason=row.reason.text().strip() or None, user=user,
            confirmed_warnings=row.confirmed_fields())
        entries = self._saving(row, partial(redate.redate_sheet, self.store, command,
                                            now=self._now()))
        if entries is None:
            return None
        self._refused.pop(row.key, None)
        row.end_redating()
        shown = {r.key: r for r in self.rows}
        for entry in entries:
            line = shown.get(f"{entry.section_id}:{entry.row_index}")
            if line is not None and entry.page == context.page:
                line.set_saved(entry)
        self._refresh_history()
        self._set_notice("info", msg("entry_ui.redated_notice", count=len(entries),
                                     date=cell.text().strip()))
        self._schedule_draft()
        self.paper.after_save()
        for entry in entries:
            self.row_saved.emit(entry)
        self._focus_next(row)
        return entries[-1]

    def _refresh_history(self) -> None:
        context = self.context
        if context is None:
            return
        try:
            history = self.actions.sheet_history(self.store, context.instance.serial)
        except UserError as error:
            self._set_notice("error", error.msg)
            return
        self.history.show_history(context.form, history, {row.key for row in self.rows})

    def history_text(self) -> str:
        """The history as shown (rich text), for tests and screen readers."""
        return self.history.text()

    # -- drafts and finishing -------------------------------------------------------------------

    def _row_edited(self, row: RowEditor) -> None:
        if self._fresh:  # typing in a cell kept out of view for the sheet's top: shown now
            self._fresh = False
            self._scroll_to(QApplication.focusWidget())
        self._recheck_refusals()
        self._schedule_draft()
        self._show_messages()

    def _recheck_refusals(self) -> None:
        """A refusal stays on screen only while its value is still wrong: after any edit (the
        sheet's date included) each refused row is checked again as the service checks it, and
        what was fixed disappears, with the « not saved » notice once nothing is left."""
        context = self.context
        if context is None or not self._refused:
            return
        for row in [r for r in self.rows if r.key in self._refused]:
            problems = self._problems(row)
            still = {**problems.errors, **{k: v for k, v in problems.warnings.items()
                                           if k not in row.confirmed_fields()}}
            kept = {field_id: still[field_id] for field_id in self._refused[row.key]
                    if field_id in still}
            if kept:
                self._refused[row.key] = kept
            else:
                del self._refused[row.key]
            row.check_cells()
            row.mark_refused(set(kept) & set(problems.errors))
        notice = self._notice[1] if self._notice else None
        if notice is not None and notice.id == "entry.row_refused":
            left = sum(len(problems) for problems in self._refused.values())
            self._set_notice("error", msg("entry.row_refused", count=left) if left else None)

    def _schedule_draft(self) -> None:
        self._draft_dirty = True
        self._draft_timer.start()

    def draft_rows(self) -> dict[str, dict[str, str]]:
        return {row.key: typed for row in self.rows if (typed := row.typed())}

    def save_draft(self) -> None:
        """What is typed and not saved, kept in the database; a crash loses at most the delay."""
        self._draft_timer.stop()
        context, user = self.context, self.user
        if not self._draft_dirty or context is None or user is None:
            return
        try:
            service.save_draft(self.store, user, context.instance.serial, context.page,
                               self.draft_rows())
        except UserError as error:
            self._set_notice("error", error.msg)
            return
        self._draft_dirty = False

    def unsaved_rows(self) -> list[RowEditor]:
        return [row for row in self.rows if row.has_unsaved_text()]

    def finish_sheet(self) -> bool:
        """The sheet is done: refused while a typed row is not saved."""
        context, user = self.context, self.user
        if context is None or user is None:
            return False
        unsaved = self.unsaved_rows()
        if unsaved:
            self._set_notice("error", msg("entry_ui.unsaved_rows", count=len(unsaved)))
            QApplication.beep()
            first = unsaved[0].first_cell()
            if first is not None:
                self._focus(first)
            return False
        return self._finish(context, user, None)

    def _finish(self, context: SheetContext, user: User, reason: str | None) -> bool:
        """Finished through the core; a field written on the paper and not typed asks for a
        reason first (``reason`` given: finished with it)."""
        serial = context.instance.serial
        try:
            if reason is None:
                self.actions.mark_sheet_entered(self.store, user, serial)
            else:
                self.actions.mark_sheet_entered(self.store, user, serial, reason=reason)
            service.discard_draft(self.store, user, serial, context.page)
        except WrittenNotTyped as missing:
            self._set_notice("warning", missing.msg)
            self.paper.show_all()
            self._ask_finish_reason(context)
            return False
        except UserError as error:
            self._set_notice("error", error.msg)
            return False
        self._draft_dirty = False
        self.close_sheet()
        self.sheet_finished.emit(context)
        return True

    def _ask_finish_reason(self, context: SheetContext) -> None:
        """The fields written and not typed, in words, and the reason to finish anyway."""
        serial = context.instance.serial
        check = cross_check(self.store, serial)
        words = sheet_words(self.store, serial, check.fields)
        dialog = FinishReasonDialog([words.field_in_row(f.key)
                                     for f in check.open_written_not_typed], self)
        self.finish_dialog = dialog
        dialog.accepted.connect(partial(self._finish_with_reason, context, dialog))
        dialog.rejected.connect(self._finish_cancelled)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _finish_with_reason(self, context: SheetContext, dialog: FinishReasonDialog) -> None:
        self.finish_dialog = None
        if self.context is context and self.user is not None:
            self._finish(context, self.user, dialog.reason())

    def _finish_cancelled(self) -> None:
        """Back to the sheet, on the first field written and not typed."""
        self.finish_dialog = None
        cells = self.paper.open_cells(written_not_typed=True)
        if cells:
            self._focus(cells[0])

    def _paper_notice(self, kind: str, message: Msg | None) -> None:
        """What the second reading says, unless a refusal is on screen (it stays)."""
        if self._notice is None or self._notice[0] != "error" or kind == "error":
            self._set_notice(kind, message)

    # -- messages -------------------------------------------------------------------------------

    def _set_notice(self, kind: str, message: Msg | None) -> None:
        self._notice = (kind, message) if message is not None else None
        self._render_notice()

    def _render_notice(self) -> None:
        show_notice(self.notice, self._notice, marked=True)

    def notice_text(self) -> str:
        return self.notice.text()

    def message_lines(self) -> list[tuple[str, str]]:
        """The current row's problems as (kind, text): as typed, then the service's refusals."""
        row = self.current_row
        if row is None:
            return []
        lines = [(kind, problem.render()) for kind, problem in row.problems()]
        live = {field_id for field_id, cell in row.cells.items()
                if (check := row.check(cell)) is not None and not check.ok}
        for field_id, problem in self._refused.get(row.key, {}).items():
            if field_id not in live:
                lines.append(("error", problem.render()))
        return [(kind, self._with_hint(kind, text)) for kind, text in lines]

    @staticmethod
    def _with_hint(kind: str, text: str) -> str:
        if kind == "warning":
            return tr("entry_ui.warning_confirm_hint", problem=text)
        if kind == "confirmed":
            return tr("entry_ui.warning_confirmed", problem=text)
        return text

    def message_text(self) -> str:
        return "\n".join(text for _, text in self.message_lines())

    def _show_messages(self) -> None:
        lines = [f'<span style="color:{COLOURS[kind]}">{MARKS[kind]} {html.escape(text)}'
                 "</span>" for kind, text in self.message_lines()]
        self.messages.setText("<br>".join(lines))
        self.help_or_problems.setCurrentWidget(
            self.messages if lines else self.paper.bar if self.paper.bar_wanted()
            else self.keys_help)

    # -- language -------------------------------------------------------------------------------

    def _retranslate(self, sections: bool = True) -> None:
        """Every text in the current language; ``sections`` False keeps the headings, tooltips
        and saved values of a reused form that is already in it."""
        context = self.context
        if context is not None:
            pages = form_pages(context.form, len(context.planned_doses))
            self.sheet_title.setText(tr(
                "entry_ui.sheet_title", form=context.form.title_in(), page=context.page,
                pages=max(context.instance.page_count, len(pages)),
                code=group_for_reading(context.instance.code(context.page)),
                ward=context.ward.name if context.ward else context.instance.ward_code))
            self.temporary_banner.setText(tr("entry_ui.temporary_identity",
                                             id=context.temporary_id or display.DASH))
            self.empty_doses.setText(tr("entry_ui.no_planned_dose"))
        else:
            self.sheet_title.clear()
        self.mode_banner.setText(self._mode_text.render() if self._mode_text else "")
        self.mode_banner.setVisible(self._mode_text is not None)
        if sections:
            for view in self.sections:
                view.retranslate()
            if self._form is not None:
                self._form.language = get_language()
        self.keys_help.setText(tr("entry_ui.keys_help"))
        self.history.refresh()
        self.paper.retranslate()
        self._fit_width()
        self._render_notice()
        self._show_messages()

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
