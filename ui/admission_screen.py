"""The downtime admission screen: the identity written on a packet's admission form, typed in.

A patient who arrived during the outage has only a paper admission form and a temporary
identifier printed on every sheet of the packet. This screen is generated from the admission
form's definition (same fields, same order as the paper) and is used from the keyboard like the
entry screen: Enter moves to the next field and, on the last one, saves; Ctrl+S saves from
anywhere; a value that needs a confirmation (an admission outside the outage window, a patient
the hospital may already know) is shown first and confirmed by Enter a second time. Saving
creates the provisional patient and puts every sheet of the packet on it, at once. Once saved,
the admission is shown read-only; F4 corrects it with a reason, the old version staying in view.
What is typed and not saved is kept as a draft, as on the entry screen.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.admission import service
from reentry.barcodes import group_for_reading
from reentry.domain.admission import (
    Admission,
    AdmissionSheet,
    AdmissionStatus,
    RecordAdmission,
    temporary_code_text,
)
from reentry.domain.entry import RowProblems, SheetContext, User
from reentry.entry.packets import is_admission_form
from reentry.errors import UserError
from reentry.formdefs_model import FieldDefinition
from reentry.formdefs_values import validate_value
from reentry.i18n import Msg, msg, tr
from reentry.store.areas import Store
from ui import theme
from ui.entry_fields import (
    CELL_STYLE,
    STATE_CONFIRMED,
    STATE_ERROR,
    STATE_SAVED,
    STATE_WARNING,
    FieldEdit,
    display_value,
    field_hint,
)
from ui.language import is_language_change
from ui.notice import COLOURS, DONE_COLOUR, MARKS, screen_labels, show_notice
from ui.sheet_scan_panel import TOGGLE_KEYS, beside_scanned_page
from ui.shortcuts import add_shortcut
from ui.slots import discarding

DRAFT_DELAY_MS = 400
SAVE_KEYS = ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter")
CORRECT_KEYS = ("F4",)
REASON_KEY = "_reason"  # the correction's reason in the draft (field ids never start with "_")



def is_admission_sheet(context: SheetContext) -> bool:
    """A scanned sheet that this screen (not the entry screen) types."""
    return is_admission_form(context.form)


def saved_notice(admission: Admission) -> Msg:
    """What the scan page says once an admission is saved: who exists now, under which code."""
    return msg("admission.saved_notice", name=display.full_name(admission.patient),
               code=temporary_code_text(admission.temporary_code))


class AdmissionScreen(QWidget):
    """Shows one ``AdmissionSheet``; ``store`` and ``user`` are the window's."""

    admission_saved = Signal(object)  # the Admission just stored

    def __init__(self, store: Store, parent: QWidget | None = None, *,
                 now: Callable[[], datetime] = clock.now,
                 draft_delay_ms: int = DRAFT_DELAY_MS) -> None:
        super().__init__(parent)
        self.setObjectName("admission_screen")
        self.setStyleSheet(CELL_STYLE)
        self.store = store
        self.user: User | None = None
        self._now = now
        self.sheet: AdmissionSheet | None = None
        self.cells: dict[str, FieldEdit] = {}
        self.fixed: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}
        self._titles: list[tuple[QLabel, Any]] = []
        self.correcting = False
        self._prefilled: dict[str, str] = {}
        self._confirmed: dict[str, str] = {}  # field id → text whose warning was confirmed
        self._seen: dict[str, str] = {}  # field id → text whose warning was shown
        self._checked = RowProblems()  # the service's last verdict …
        self._checked_values: dict[str, str] = {}  # … on these values
        self._notice: tuple[str, Msg] | None = None
        self._draft_dirty = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(draft_delay_ms)
        self._draft_timer.timeout.connect(self.save_draft)
        self._build()
        self._build_actions()
        self._retranslate()

    # -- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(self)
        self.title.setObjectName("admission_title")
        self.title.setWordWrap(True)
        self.title.setFont(theme.scaled_font(self, 1.5, bold=True))
        self.title.setStyleSheet(
            f"#admission_title {{ background: {theme.PANEL}; padding: 10px;"
            f" color: {theme.PROVISIONAL_IDENTITY}; border: 2px solid {theme.BORDER}; }}")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("admission_subtitle")
        self.subtitle.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("admission_status")
        self.status.setWordWrap(True)
        self.status.setFont(theme.scaled_font(self, 1.1, bold=True))
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("admission_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.reason_caption = QLabel(self)
        self.reason = FieldEdit(None, self, owner=self)
        self.reason.setObjectName("correction_reason")
        self.reason_caption.setBuddy(self.reason)
        self.reason.textEdited.connect(lambda _text: self._schedule_draft())
        self.reason.advance.connect(discarding(self.save))
        self.reason.escape.connect(self._escape)
        self.reason.move_row.connect(lambda step: self._move(self.reason, step))
        self.history = QLabel(self)
        self.history.setObjectName("admission_history")
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setWordWrap(True)
        self.messages, self.notice, self.keys_help = screen_labels(self, "admission")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.subtitle, self.status):
            layout.addWidget(widget)
        # The scanned admission sheet beside the fields, as on the entry screen (F6 folds it).
        self.scan_panel, self.body = beside_scanned_page(self, self.scroll_area,
                                                         "admission_body")
        layout.addWidget(self.body, 1)
        for below in (self.reason_caption, self.reason, self.history, self.messages,
                      self.notice, self.keys_help):
            layout.addWidget(below)
        self._show_reason(False)

    def _build_actions(self) -> None:
        add_shortcut(self, SAVE_KEYS, self.save)
        self.scan_page_action = add_shortcut(self, TOGGLE_KEYS, self.scan_panel.toggle)
        add_shortcut(self, CORRECT_KEYS, self.start_correction)

    def _build_form(self, sheet: AdmissionSheet) -> None:
        """The form's sections and fields, in paper order, as labelled boxes."""
        content = QWidget()
        content.setObjectName("admission_content")
        column = QVBoxLayout(content)
        grid = QGridLayout()  # one grid: the boxes of every section line up
        grid.setHorizontalSpacing(8)
        line = 0
        for section in sheet.form.sections:
            title = QLabel(content)
            title.setFont(theme.scaled_font(content, 1.15, bold=True))
            self._titles.append((title, section))
            grid.addWidget(title, line, 0, 1, 3)
            line += 1
            for field in section.fields:
                caption = QLabel(content)
                self._captions[field.id] = caption
                widget = self._field_widget(field, content)
                caption.setBuddy(widget)
                grid.addWidget(caption, line, 0)
                grid.addWidget(widget, line, 1)
                line += 1
        grid.setColumnStretch(2, 1)
        column.addLayout(grid)
        column.addStretch(1)
        self.scroll_area.setWidget(content)

    def _field_widget(self, field: FieldDefinition, parent: QWidget) -> QWidget:
        if field.readonly:
            label = QLabel(parent)
            label.setObjectName(f"fixed_{field.id}")
            label.setFont(theme.scaled_font(parent, 1.2, bold=True))
            label.setStyleSheet(f"color: {theme.PROVISIONAL_IDENTITY};")
            self.fixed[field.id] = label
            return label
        cell = FieldEdit(field, parent, owner=self)
        cell.textEdited.connect(lambda _text, cell=cell: self._typed(cell))
        cell.advance.connect(lambda cell=cell: self._advance(cell))
        cell.move_row.connect(lambda step, cell=cell: self._move(cell, step))
        cell.escape.connect(self._escape)
        self.cells[field.id] = cell
        return cell

    # -- opening and closing --------------------------------------------------------------------

    def set_user(self, user: User | None) -> None:
        self.close_sheet()
        self.user = user

    def show_context(self, context: SheetContext) -> None:
        """Show the admission form the re-entry window opened (``service.open_sheet``)."""
        self.save_draft()
        self.show_sheet(service.admission_sheet(self.store, context))

    def show_sheet(self, sheet: AdmissionSheet) -> None:
        """Lay the form out with what is saved (read-only) or the draft; focus what to type."""
        self.close_sheet()
        self.sheet = sheet
        self._prefilled = service.prefilled_values(sheet)
        self._build_form(sheet)
        self.scan_panel.show_page(self.store, sheet.instance.serial, 1)
        for field_id, label in self.fixed.items():
            label.setText(temporary_code_text(self._prefilled.get(field_id, "")))
        self._show_saved(sheet.active)
        restored = self._restore_draft(sheet)
        self._set_notice("info", msg("admission.draft_restored") if restored else None)
        self._retranslate()
        self._focus_first()

    def close_sheet(self) -> None:
        """Keep what was typed (draft), then forget the sheet; nothing is lost."""
        if self.sheet is None:
            return
        self.save_draft()
        self.sheet = None
        self.scan_panel.clear()
        self.correcting = False
        self.cells, self.fixed, self._captions, self._titles = {}, {}, {}, []
        self._confirmed.clear()
        self._seen.clear()
        self._checked, self._checked_values = RowProblems(), {}
        self.reason.clear()
        self._show_reason(False)
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self._set_notice("info", None)
        self._show_messages()

    def _show_saved(self, admission: Admission | None) -> None:
        """The saved values, read-only; or, before the first save, the printed ones editable."""
        for field_id, cell in self.cells.items():
            if admission is not None:
                stored = admission.values.get(field_id, "")
                assert cell.field is not None
                cell.setText(display_value(cell.field, stored) if stored else "")
            else:
                cell.setText(self._prefilled.get(field_id, ""))
            self._lock(cell, admission is not None)
        self.correcting = False
        self._show_reason(False)

    @staticmethod
    def _lock(cell: FieldEdit, locked: bool) -> None:
        cell.setReadOnly(locked)
        cell.setFocusPolicy(Qt.FocusPolicy.ClickFocus if locked else Qt.FocusPolicy.StrongFocus)
        cell.set_state(STATE_SAVED if locked else "")

    def _restore_draft(self, sheet: AdmissionSheet) -> bool:
        typed = sheet.draft.rows.get(service.DRAFT_KEY, {}) if sheet.draft else {}
        if not typed:
            return False
        if sheet.active is not None:
            self._begin_correction()
            self.reason.setText(typed.get(REASON_KEY, ""))
        for field_id, text in typed.items():
            if field_id in self.cells:
                self.cells[field_id].setText(text)
        self._refresh_cells()
        return True

    def _show_reason(self, visible: bool) -> None:
        self.reason_caption.setVisible(visible)
        self.reason.setVisible(visible)

    # -- navigation -----------------------------------------------------------------------------

    def _editable(self) -> list[FieldEdit]:
        cells = [cell for cell in self.cells.values() if not cell.isReadOnly()]
        return cells + ([self.reason] if self.correcting else [])

    def _focus_first(self) -> None:
        editable = self._editable()
        empty = next((c for c in editable if not c.text().strip()), None)
        target = empty or (editable[0] if editable else next(iter(self.cells.values()), None))
        if target is not None:
            self._focus(target)

    def _focus(self, cell: FieldEdit) -> None:
        cell.setFocus(Qt.FocusReason.OtherFocusReason)
        if cell is not self.reason:
            self.scroll_area.ensureWidgetVisible(cell)
        self._show_messages()

    def _move(self, cell: FieldEdit, step: int) -> None:
        editable = self._editable()
        if cell in editable:
            index = editable.index(cell) + step
            if 0 <= index < len(editable):
                self._focus(editable[index])

    def _advance(self, cell: FieldEdit) -> None:
        """Enter: show, then confirm, a value's warning; else the next field; else save."""
        if cell.field is not None and not cell.isReadOnly():
            self._check_with_service()
            field_id, text = cell.field.id, cell.text()
            warning = self._warning(field_id)
            if warning is not None and not self._is_confirmed(field_id):
                if self._seen.get(field_id) == text:
                    self._confirmed[field_id] = text
                else:
                    self._seen[field_id] = text
                    QApplication.beep()
                self._refresh_cells()
                return
        editable = self._editable()
        if cell in editable and editable.index(cell) + 1 < len(editable):
            self._focus(editable[editable.index(cell) + 1])
        else:
            self.save()

    def _escape(self) -> None:
        if self.correcting and self.sheet is not None:
            self._show_saved(self.sheet.active)
            self.reason.clear()
            self._confirmed.clear()
            self._checked, self._checked_values = RowProblems(), {}
            self._schedule_draft()
            self._set_notice("info", msg("admission.correction_cancelled"))
            self._refresh_cells()
            self._focus_first()

    # -- checks ---------------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """What the form says now, by field id (printed fields included)."""
        values = {f: v for f, v in self._prefilled.items() if f in self.fixed}
        values.update({field_id: cell.text() for field_id, cell in self.cells.items()})
        return values

    def _check_with_service(self) -> RowProblems:
        sheet = self.sheet
        if sheet is None:
            return RowProblems()
        values = self.values()
        try:
            self._checked = service.check_admission(self.store, sheet, values, now=self._now())
        except UserError as error:
            self._set_notice("error", error.msg)
            self._checked = RowProblems()
        self._checked_values = values
        return self._checked

    def _live(self, cell: FieldEdit) -> tuple[Msg | None, Msg | None]:
        """(error, warning) for ``cell``: as typed, then the service's if the text is the same."""
        assert cell.field is not None
        check = validate_value(cell.field, cell.text(), required=False)
        error, warning = check.error, check.warning
        field_id = cell.field.id
        if self._checked_values.get(field_id) == cell.text():
            error = error or self._checked.errors.get(field_id)
            warning = warning or self._checked.warnings.get(field_id)
        return error, warning

    def _warning(self, field_id: str) -> Msg | None:
        cell = self.cells.get(field_id)
        return self._live(cell)[1] if cell is not None else None

    def _is_confirmed(self, field_id: str) -> bool:
        cell = self.cells.get(field_id)
        return cell is not None and self._confirmed.get(field_id) == cell.text()

    def confirmed_fields(self) -> frozenset[str]:
        return frozenset(f for f in self.cells if self._is_confirmed(f))

    def _typed(self, cell: FieldEdit) -> None:
        if cell.field is not None and self._live(cell)[1] is not None:
            self._seen[cell.field.id] = cell.text()  # shown as typed: Enter confirms it
        self._refresh_cells()
        self._schedule_draft()

    def _refresh_cells(self) -> None:
        editing = self.sheet is not None and (self.sheet.active is None or self.correcting)
        for field_id, cell in self.cells.items():
            if not editing:
                continue
            error, warning = self._live(cell)
            if error is not None:
                cell.set_state(STATE_ERROR)
            elif warning is not None:
                cell.set_state(STATE_CONFIRMED if self._is_confirmed(field_id) else STATE_WARNING)
            else:
                cell.set_state("")
        self._show_messages()

    def message_lines(self) -> list[tuple[str, str]]:
        """Every field's problem now, in paper order: (kind, text)."""
        if self.sheet is None or (self.sheet.active is not None and not self.correcting):
            return []
        lines = []
        for field_id, cell in self.cells.items():
            error, warning = self._live(cell)
            if error is not None:
                lines.append(("error", error.render()))
            elif warning is not None:
                if self._is_confirmed(field_id):
                    lines.append(("confirmed", tr("entry_ui.warning_confirmed",
                                                  problem=warning.render())))
                else:
                    lines.append(("warning", tr("entry_ui.warning_confirm_hint",
                                                problem=warning.render())))
        reason_error = self._checked.errors.get(REASON_KEY)
        if self.correcting and reason_error is not None and not self.reason.text().strip():
            lines.append(("error", reason_error.render()))
        return lines

    def message_text(self) -> str:
        return "\n".join(text for _, text in self.message_lines())

    def _show_messages(self) -> None:
        self.messages.setText("<br>".join(
            f'<span style="color:{COLOURS[kind]}">{MARKS[kind]} {html.escape(text)}</span>'
            for kind, text in self.message_lines()))

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> Admission | None:
        """Check everything, then store the admission (or its correction) in one transaction."""
        sheet, user = self.sheet, self.user
        if sheet is None or user is None:
            return None
        if sheet.active is not None and not self.correcting:
            self._set_notice("warning", msg("admission.already_saved"))
            return None
        problems = self._check_with_service()
        errors = dict(problems.errors)
        unconfirmed = {k: v for k, v in problems.warnings.items() if not self._is_confirmed(k)}
        reason = self.reason.text().strip()
        if self.correcting and not reason:
            errors[REASON_KEY] = msg("entry.reason_required")
            self._checked = RowProblems(errors, problems.warnings)
        if errors or unconfirmed:
            self._refuse(errors, unconfirmed)
            return None
        command = RecordAdmission(
            serial=sheet.instance.serial, values=self.values(), user=user,
            confirmed_warnings=self.confirmed_fields(),
            corrects=sheet.active.id if self.correcting and sheet.active else None,
            reason=reason or None)
        try:
            admission = service.record_admission(self.store, command, now=self._now())
        except service.AdmissionRefused as refused:
            self._checked, self._checked_values = refused.problems, self.values()
            self._refuse(refused.problems.errors, refused.problems.warnings)
            return None
        except UserError as error:
            self._set_notice("error", error.msg)
            QApplication.beep()
            return None
        self._saved(admission)
        return admission

    def _refuse(self, errors: dict[str, Msg], warnings: dict[str, Msg]) -> None:
        for field_id, cell in self.cells.items():
            if field_id in warnings:
                self._seen[field_id] = cell.text()  # shown now: Enter on it confirms
        self._refresh_cells()
        for field_id in errors:
            if field_id in self.cells:
                self.cells[field_id].set_state(STATE_ERROR)
        self._set_notice("error", msg("admission.refused", count=len(errors) + len(warnings)))
        QApplication.beep()
        first = next(iter(errors or warnings))
        self._focus(self.reason if first == REASON_KEY else self.cells.get(first, self.reason))

    def _saved(self, admission: Admission) -> None:
        sheet, user = self.sheet, self.user
        assert sheet is not None and user is not None
        try:
            service.discard_draft(self.store, user, sheet.instance.serial)
        except UserError as error:
            self._set_notice("error", error.msg)
        self._draft_dirty = False
        self.close_sheet()
        self.admission_saved.emit(admission)

    # -- correcting -----------------------------------------------------------------------------

    def start_correction(self) -> None:
        """F4 on a saved admission: fields editable again, a reason required to save."""
        if self.sheet is None:
            return
        if self.sheet.active is None or self.correcting:
            self._set_notice("warning", msg("admission.nothing_to_correct"))
            return
        self._begin_correction()
        self._set_notice("info", msg("admission.correction_started"))
        self._focus_first()

    def _begin_correction(self) -> None:
        self.correcting = True
        for cell in self.cells.values():
            self._lock(cell, False)
        self._show_reason(True)
        self._refresh_cells()

    # -- drafts ---------------------------------------------------------------------------------

    def _schedule_draft(self) -> None:
        self._draft_dirty = True
        self._draft_timer.start()

    def draft_values(self) -> dict[str, str]:
        """What was typed and not saved: fields that differ from the printed or saved value."""
        sheet = self.sheet
        if sheet is None or (sheet.active is not None and not self.correcting):
            return {}
        base = self._prefilled
        if sheet.active is not None:
            base = {f: display_value(c.field, sheet.active.values.get(f, ""))
                    if c.field and sheet.active.values.get(f) else ""
                    for f, c in self.cells.items()}
        typed = {f: c.text() for f, c in self.cells.items()
                 if c.text().strip() != base.get(f, "").strip()}
        if self.correcting and (typed or self.reason.text().strip()):
            typed[REASON_KEY] = self.reason.text()
        return typed

    def save_draft(self) -> None:
        """Kept in the database every few hundred milliseconds; a crash loses at most that."""
        self._draft_timer.stop()
        sheet, user = self.sheet, self.user
        if not self._draft_dirty or sheet is None or user is None:
            return
        try:
            service.save_draft(self.store, user, sheet.instance.serial, self.draft_values())
        except UserError as error:
            self._set_notice("error", error.msg)
            return
        self._draft_dirty = False

    # -- texts ----------------------------------------------------------------------------------

    def _set_notice(self, kind: str, message: Msg | None) -> None:
        self._notice = (kind, message) if message is not None else None
        self._render_notice()

    def _render_notice(self) -> None:
        show_notice(self.notice, self._notice, marked=True)

    def notice_text(self) -> str:
        return self.notice.text()

    def history_text(self) -> str:
        return self.history.text()

    def _history_lines(self, sheet: AdmissionSheet) -> list[str]:
        replaced_by = {a.corrects: a for a in sheet.history if a.corrects is not None}
        lines = []
        for old in sheet.history:
            new = replaced_by.get(old.id)
            if old.status is not AdmissionStatus.CORRECTED or new is None:
                continue
            lines.append(tr(
                "admission.history_line", version=f"<s>{html.escape(_summary(old))}</s>",
                user=html.escape(new.entered_by),
                when=clock.format_local(new.entered_at, with_zone=False),
                reason=html.escape(new.reason or "")))
        return lines

    def _retranslate(self) -> None:
        sheet = self.sheet
        if sheet is not None:
            self.title.setText(tr("admission.screen_title",
                                  code=temporary_code_text(sheet.packet.code)))
            self.subtitle.setText(tr(
                "admission.screen_subtitle", form=sheet.form.title_in(),
                code=group_for_reading(sheet.instance.code(1)),
                ward=sheet.ward.name if sheet.ward else sheet.packet.ward_code))
            active = sheet.active
            self.status.setText(
                tr("admission.screen_saved", user=active.entered_by,
                   when=clock.format_local(active.entered_at, with_zone=False))
                if active is not None else tr("admission.screen_new"))
            self.status.setStyleSheet(f"color: {DONE_COLOUR if active else theme.TEXT};")
            lines = self._history_lines(sheet)
            self.history.setText("<br>".join(
                [f"<b>{html.escape(tr('admission.history_title'))}</b>", *lines])
                if lines else "")
            self.history.setVisible(bool(lines))
            if active is not None and not self.correcting:
                self._show_saved(active)
        else:
            for label in (self.title, self.subtitle, self.status, self.history):
                label.clear()
        for title, section in self._titles:
            title.setText(section.title_in())
        for field_id, caption in self._captions.items():
            field = sheet.form.field(field_id) if sheet else None
            if field is not None:
                caption.setText(field.label_in() + (" *" if field.required else ""))
                caption.setToolTip(field_hint(field))
                if field_id in self.cells:
                    self.cells[field_id].setToolTip(field_hint(field))
        self.reason_caption.setText(tr("admission.reason_caption"))
        self.reason.setPlaceholderText(tr("entry_ui.reason_placeholder"))
        self.keys_help.setText(tr("admission.keys_help"))
        self._render_notice()
        self._show_messages()

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


def _summary(admission: Admission) -> str:
    """One line saying what a version of the admission said."""
    patient = admission.patient
    return tr("admission.summary", name=display.full_name(patient),
              birth=display.date_text(patient.birth_date) or display.DASH,
              sex=display.sex_label(patient.sex), ward=admission.ward_code,
              room=admission.room or display.DASH, bed=admission.bed or display.DASH,
              admitted=clock.format_local(admission.admitted_at, with_zone=False))

