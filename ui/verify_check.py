"""The sighted check: the first entry beside the paper, row by row, keyboard only.

Up and Down go from row to row; Enter confirms that the row says what the paper says; F4 opens
the row in a correction line (same cells and checks as the entry screen, a reason required),
Enter from cell to cell and on the reason saves it. F9 finishes once every row of the sheet is
checked, and the sheet is verified. The patient's identity is confirmed once, before the first
row is confirmed or corrected.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reentry import clock
from reentry.domain.entry import Entry, RecordRow, RowProblems
from reentry.entry import service
from reentry.errors import UserError
from reentry.formdefs_values import validate_value
from reentry.i18n import msg, tr
from reentry.store.areas import Store
from reentry.verify import sighted
from ui import theme
from ui.entry_fields import (
    STATE_CONFIRMED,
    STATE_ERROR,
    STATE_WARNING,
    FieldEdit,
    display_value,
    header_text,
)
from ui.notice import WARNING_COLOUR
from ui.shortcuts import add_shortcut
from ui.slots import discarding
from ui.verify_sheet import SheetScreen, entry_text, sheet_code

FINISH_KEYS = ("F9",)
CORRECT_KEYS = ("F4",)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class RowTable(QTableWidget):
    """The first entry's rows; Enter confirms the current one."""

    confirm = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.confirm.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class CorrectionLine(QFrame):
    """One row being corrected: a cell per field, filled with what was typed, and a reason."""

    save = Signal()
    cancel = Signal()

    def __init__(self, entry: Entry, fields: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("correction_line")
        self.entry = entry
        self.confirmed: dict[str, str] = {}  # field id → text whose warning was confirmed
        self.cells: dict[str, FieldEdit] = {}
        grid = QGridLayout(self)
        for column, field in enumerate(fields):
            heading = QLabel(header_text(field), self)
            cell = FieldEdit(field, self, owner=self)
            stored = entry.values.get(field.id)
            cell.setText(display_value(field, stored) if stored else "")
            cell.advance.connect(partial(self._advance, cell))
            cell.escape.connect(self.cancel)
            self.cells[field.id] = cell
            grid.addWidget(heading, 0, column)
            grid.addWidget(cell, 1, column)
        self.reason_caption = QLabel(tr("verify.ui_reason_caption"), self)
        self.reason = FieldEdit(None, self, owner=self)
        self.reason.setObjectName("correction_reason")
        self.reason.setMinimumWidth(180)
        self.reason.advance.connect(self.save)
        self.reason.escape.connect(self.cancel)
        grid.addWidget(self.reason_caption, 0, len(fields))
        grid.addWidget(self.reason, 1, len(fields))

    def order(self) -> list[FieldEdit]:
        return [*self.cells.values(), self.reason]

    def _advance(self, cell: FieldEdit) -> None:
        """Enter: confirm an implausible value once, else the next cell."""
        field = cell.field
        check = validate_value(field, cell.text(), required=False) if field else None
        if (field is not None and check is not None and check.needs_confirmation
                and self.confirmed.get(field.id) != cell.text()):
            self.confirmed[field.id] = cell.text()
            cell.set_state(STATE_CONFIRMED)
            return
        cells = self.order()
        cells[cells.index(cell) + 1].setFocus(Qt.FocusReason.OtherFocusReason)

    def confirmed_fields(self) -> frozenset[str]:
        return frozenset(k for k, cell in self.cells.items()
                         if self.confirmed.get(k) == cell.text())

    def values(self) -> dict[str, str]:
        """Pre-printed values as stored, typed ones as in the cells."""
        values = {k: v for k, v in self.entry.values.items() if k not in self.cells}
        values.update({k: cell.text() for k, cell in self.cells.items()})
        return values

    def mark(self, problems: RowProblems) -> None:
        for field_id, cell in self.cells.items():
            cell.set_state(STATE_ERROR if field_id in problems.errors else
                           STATE_WARNING if field_id in problems.warnings else "")


class CheckScreen(SheetScreen):
    """Shows one ``CheckContext``; emits ``finished(Msg)`` once the sheet is verified."""

    def __init__(self, store: Store, parent: QWidget | None = None, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        super().__init__(store, "check", parent, now=now)
        self.opened: sighted.CheckContext | None = None
        self.rows: list[Entry] = []
        self.checked: dict[int, str] = {}
        self.correction: CorrectionLine | None = None
        self._pending: Callable[[], None] | None = None
        self.table = RowTable(0, 3, self)
        self.table.setObjectName("check_rows")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.confirm.connect(self.confirm_current_row)
        self.correction_holder = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.correction_holder)
        for widget in (self.messages, self.notice, self.keys_help):
            layout.addWidget(widget)
        add_shortcut(self, FINISH_KEYS, self.finish)
        add_shortcut(self, CORRECT_KEYS, self.correct_current_row)
        self._retranslate()

    def show_check(self, opened: sighted.CheckContext) -> None:
        self.close_sheet()
        self.opened = opened
        context = opened.context
        self._identity_confirmed = context.patient is None or context.identity_confirmed
        self.checked = dict(opened.checked)
        self.rows = [e for e in context.entries if e.page == context.page]
        self._fill()
        self._retranslate()
        self._focus_next(0)

    def close_sheet(self) -> None:
        self.opened = None
        self.rows = []
        self.checked = {}
        self._pending = None
        self._drop_correction()
        self.header.clear()
        self.table.setRowCount(0)
        self._set_notice(None)
        self.messages.clear()

    # -- the rows -------------------------------------------------------------------------------

    def _fill(self) -> None:
        opened = self.opened
        assert opened is not None
        form = opened.context.form
        self.table.setRowCount(len(self.rows))
        for r, entry in enumerate(self.rows):
            cells = (str(entry.row_index + 1), entry_text(form, entry), self._status(entry))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def _status(self, entry: Entry) -> str:
        outcome = self.checked.get(entry.id)
        return tr(f"verify.ui_check_{outcome}") if outcome else tr("verify.ui_check_todo")

    def status_texts(self) -> list[str]:
        statuses = (self.table.item(r, 2) for r in range(self.table.rowCount()))
        return [item.text() if item is not None else "" for item in statuses]

    def _focus_next(self, start: int) -> None:
        """The next row still to check (or the first row when all are checked)."""
        order = list(range(start, len(self.rows))) + list(range(0, start))
        target = next((r for r in order if self.rows[r].id not in self.checked), 0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.rows:
            self.table.setCurrentCell(target, 0)

    def _current(self) -> Entry | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # -- confirming, correcting, finishing ------------------------------------------------------

    def _with_identity(self, action: Callable[[], None]) -> None:
        if self._identity_confirmed:
            action()
            return
        self._pending = action
        self.header.ask_identity()
        self._set_notice(("warning", msg("entry_ui.confirm_needed")))

    def confirm_current_row(self) -> None:
        entry = self._current()
        if self.opened is None or self.user is None or entry is None:
            return
        self._with_identity(partial(self._confirm, entry))

    def _confirm(self, entry: Entry) -> None:
        assert self.opened is not None and self.user is not None
        try:
            sighted.confirm_row(self.store, self.user, self.opened.context.instance.serial,
                                entry.id)
        except service.IdentityNotConfirmed:
            self._identity_confirmed = False
            self._with_identity(partial(self._confirm, entry))
            return
        except UserError as error:
            self._set_notice(("error", error.msg))
            QApplication.beep()
            return
        self.checked[entry.id] = sighted.CONFIRMED
        self._fill()
        self._set_notice(("info", msg("verify.ui_row_confirmed", row=entry.row_index + 1)))
        self._focus_next(self.rows.index(entry) + 1)

    def correct_current_row(self) -> None:
        entry = self._current()
        if self.opened is None or self.user is None or entry is None:
            return
        self._with_identity(partial(self._open_correction, entry))

    def _open_correction(self, entry: Entry) -> None:
        assert self.opened is not None
        self._drop_correction()
        section = service.section_of(self.opened.context.form, entry.section_id)
        line = CorrectionLine(entry, [f for f in section.fields if not f.readonly], self)
        line.save.connect(discarding(self.save_correction))
        line.cancel.connect(self._cancel_correction)
        self.correction = line
        self.correction_holder.addWidget(line)
        self._set_notice(("info", msg("verify.ui_correcting", row=entry.row_index + 1)))
        line.order()[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def save_correction(self) -> Entry | None:
        line, opened, user = self.correction, self.opened, self.user
        if line is None or opened is None or user is None:
            return None
        entry = line.entry
        command = RecordRow(
            serial=opened.context.instance.serial, page=entry.page, section_id=entry.section_id,
            row_index=entry.row_index, values=line.values(), sheet_values=entry.sheet_values,
            user=user, confirmed_warnings=line.confirmed_fields(), corrects=entry.id,
            reason=line.reason.text().strip() or None)
        try:
            saved = sighted.correct_row(self.store, command, now=self._now())
        except service.EntryRefused as refused:
            self._refuse(line, refused.problems)
            return None
        except UserError as error:
            self._set_notice(("error", error.msg))
            QApplication.beep()
            if error.msg.id == "entry.reason_required":
                line.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        index = self.rows.index(entry)
        self.rows[index] = saved
        self.checked[saved.id] = sighted.CORRECTED
        self._drop_correction()
        self._fill()
        self._set_notice(("info", msg("verify.ui_row_corrected", row=entry.row_index + 1)))
        self._focus_next(index + 1)
        return saved

    def _refuse(self, line: CorrectionLine, problems: RowProblems) -> None:
        line.mark(problems)
        texts = [(theme.ALLERGY_RED, p.render()) for p in problems.errors.values()]
        texts += [(WARNING_COLOUR, tr("entry_ui.warning_confirm_hint", problem=p.render()))
                  for p in problems.warnings.values()]
        self.messages.setText("<br>".join(f'<span style="color:{c}">{html.escape(t)}</span>'
                                          for c, t in texts))
        self._set_notice(("error", msg("entry.row_refused", count=len(texts))))
        QApplication.beep()
        target = next((line.cells[k] for k in [*problems.errors, *problems.warnings]
                       if k in line.cells), line.reason)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _cancel_correction(self) -> None:
        entry = self.correction.entry if self.correction else None
        self._drop_correction()
        self._set_notice(("info", msg("entry_ui.correction_cancelled")))
        self._focus_next(self.rows.index(entry) if entry in self.rows else 0)

    def _drop_correction(self) -> None:
        if self.correction is not None:
            self.correction.hide()
            self.correction.deleteLater()
            self.correction = None
        self.messages.clear()

    def finish(self) -> bool:
        opened, user = self.opened, self.user
        if opened is None or user is None or self.correction is not None:
            return False
        try:
            sighted.finish_check(self.store, user, opened.context.instance.serial)
        except UserError as error:
            self._set_notice(("error", error.msg))
            QApplication.beep()
            return False
        context = opened.context
        self.close_sheet()
        self.finished.emit(msg("verify.ui_checked", form=context.form.title.as_msg(),
                               code=sheet_code(context)))
        return True

    # -- identity -------------------------------------------------------------------------------

    def _identity_confirmed_now(self) -> None:
        pending, self._pending = self._pending, None
        if self.opened is None or self.user is None:
            return
        if not self._confirm_identity(self.opened.context.instance.serial):
            return
        self._set_notice(None)
        if pending is not None:
            pending()

    def _identity_refused(self) -> None:
        self._pending = None
        self._set_notice(("warning", msg("entry_ui.confirm_refused")))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- texts ----------------------------------------------------------------------------------

    def _retranslate(self) -> None:
        opened = self.opened
        if opened is not None:
            context = opened.context
            self.header.show_context(
                context,
                msg("verify.ui_check_title", form=context.form.title.as_msg(),
                    code=sheet_code(context)),
                msg("verify.ui_check_explanation",
                    typists=", ".join(opened.verification.first_typists)))
            self._fill()
        self.table.setHorizontalHeaderLabels([tr("verify.ui_column_row"),
                                              tr("verify.ui_column_values"),
                                              tr("verify.ui_column_status")])
        self.keys_help.setText(tr("verify.ui_check_keys"))
        if self._notice is not None:
            self._set_notice(self._notice)
