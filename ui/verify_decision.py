"""The decision on a blind double entry: the two entries side by side, one choice per difference.

A third person (ward manager, quality team), who typed neither entry, takes the paper page the
screen names and, for each difference, keeps the first value (1), the second (2) or types a
third one read on paper (3) with the reason. Ctrl+S or F9 applies every decision at once, after
the identity confirmation; nothing is recorded if one decision is missing or refused. A third
value outside the plausible range is applied only when the person applies a second time.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reentry import clock
from reentry.domain.verification import (
    SHEET_KEY_SECTION,
    Choice,
    Decision,
    Difference,
    ResolveSheet,
)
from reentry.entry import service
from reentry.errors import UserError
from reentry.i18n import msg, tr
from reentry.store.areas import Store
from reentry.verify import decision as core
from ui import theme
from ui.entry_fields import STATE_ERROR, STATE_WARNING, FieldEdit
from ui.notice import WARNING_COLOUR
from ui.shortcuts import add_shortcut
from ui.slots import discarding
from ui.verify_sheet import SheetScreen, sheet_code, value_text

APPLY_KEYS = ("Ctrl+S", "F9")
COLUMNS = ("page", "row", "field", "first", "second", "choice", "value", "reason")
CHOICES = (Choice.FIRST, Choice.SECOND, Choice.THIRD)


class DifferenceLine:
    """One difference: what each entry says, and the widgets that decide it."""

    def __init__(self, difference: Difference, opened: core.DecisionContext,
                 parent: QWidget) -> None:
        self.difference = difference
        self.field = core.field_of(opened.context.form, difference)
        self.cells = [QLabel(parent) for _ in range(5)]
        self.cells[3].setObjectName("first_value")
        self.cells[4].setObjectName("second_value")
        self.choice = QComboBox(parent)
        self.choice.setObjectName("decision_choice")
        self.value = FieldEdit(self.field, parent)
        self.value.setObjectName("third_value")
        self.reason = QLineEdit(parent)
        self.reason.setObjectName("third_reason")
        self.reason.setMaxLength(200)
        self.choice.currentIndexChanged.connect(lambda _index: self._enable())
        self.retranslate()
        self._enable()

    def widgets(self) -> list[QWidget]:
        return [*self.cells, self.choice, self.value, self.reason]

    def decision(self) -> Decision:
        choice = CHOICES[max(self.choice.currentIndex(), 0)]
        third = choice is Choice.THIRD
        return Decision(self.difference.key, choice,
                        self.value.text() if third else None,
                        self.reason.text() if third else None)

    def mark(self, state: str) -> None:
        self.value.set_state(state)
        colour = theme.ALLERGY_RED if state == STATE_ERROR else WARNING_COLOUR
        self.choice.setStyleSheet(f"border: 2px solid {colour};" if state else "")

    def _enable(self) -> None:
        third = CHOICES[max(self.choice.currentIndex(), 0)] is Choice.THIRD
        self.value.setEnabled(third)
        self.reason.setEnabled(third)

    def retranslate(self) -> None:
        d = self.difference
        first, second = value_text(self.field, d.first), value_text(self.field, d.second)
        row = (tr("verify.ui_sheet_row") if d.section_id == SHEET_KEY_SECTION
               else str(d.row_index + 1))
        texts = (tr("verify.ui_page_ref", page=d.page, code=d.page_code), row,
                 self.field.label_in(), first, second)
        for label, text in zip(self.cells, texts, strict=True):
            label.setText(text)
        current = max(self.choice.currentIndex(), 0)
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItems([tr("verify.ui_choice_first", value=first),
                              tr("verify.ui_choice_second", value=second),
                              tr("verify.ui_choice_third")])
        self.choice.setCurrentIndex(current)
        self.choice.blockSignals(False)
        self.reason.setPlaceholderText(tr("verify.ui_reason_placeholder"))


class DecisionScreen(SheetScreen):
    """Shows one ``DecisionContext``; emits ``finished(Msg)`` once the sheet is verified."""

    def __init__(self, store: Store, parent: QWidget | None = None, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        super().__init__(store, "decision", parent, now=now)
        self.opened: core.DecisionContext | None = None
        self.lines: list[DifferenceLine] = []
        self._confirmed: set[str] = set()  # keys whose plausibility warning was shown once
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self._headings: list[QLabel] = []
        self.apply_button = QPushButton(self)
        self.apply_button.setObjectName("apply_decisions")
        self.apply_button.clicked.connect(discarding(self.apply))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.scroll_area, 1)
        for widget in (self.messages, self.notice, self.apply_button, self.keys_help):
            layout.addWidget(widget)
        add_shortcut(self, APPLY_KEYS, self.apply)
        self._retranslate()

    def show_decision(self, opened: core.DecisionContext) -> None:
        self.close_sheet()
        self.opened = opened
        context = opened.context
        self._identity_confirmed = (context.patient is None or context.identity_confirmed)
        content = QWidget()
        grid = QGridLayout(content)
        grid.setHorizontalSpacing(10)
        self._headings = []
        for column in range(len(COLUMNS)):
            heading = QLabel(content)
            heading.setStyleSheet(f"color: {theme.MUTED}; font-weight: bold;")
            self._headings.append(heading)
            grid.addWidget(heading, 0, column)
        for line_number, difference in enumerate(opened.differences, start=1):
            line = DifferenceLine(difference, opened, content)
            self.lines.append(line)
            for column, widget in enumerate(line.widgets()):
                grid.addWidget(widget, line_number, column)
        grid.setRowStretch(len(opened.differences) + 1, 1)
        self.scroll_area.setWidget(content)
        self._retranslate()
        if self.lines:
            self.lines[0].choice.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_sheet(self) -> None:
        self.opened = None
        self.lines = []
        self._confirmed.clear()
        self.header.clear()
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self._set_notice(None)
        self.messages.clear()

    # -- applying -------------------------------------------------------------------------------

    def apply(self) -> bool:
        """Every decision at once: identity confirmed first, then one transaction."""
        if self.opened is None or self.user is None or self.header.confirmation.isVisible():
            return False
        if not self._identity_confirmed:
            self.header.ask_identity()
            self._set_notice(("warning", msg("entry_ui.confirm_needed")))
            return False
        opened, user = self.opened, self.user
        command = ResolveSheet(opened.context.instance.serial, user,
                               tuple(line.decision() for line in self.lines),
                               frozenset(self._confirmed))
        try:
            resolution = core.resolve(self.store, command, now=self._now())
        except core.DecisionRefused as refused:
            self._show_refusal(refused)
            return False
        except service.IdentityNotConfirmed:
            self._identity_confirmed = False
            self.header.ask_identity()
            return False
        except UserError as error:
            self._set_notice(("error", error.msg))
            QApplication.beep()
            return False
        context = opened.context
        self.close_sheet()
        self.finished.emit(msg("verify.ui_decided", form=context.form.title.as_msg(),
                               code=sheet_code(context),
                               count=len(resolution.corrected) + len(resolution.withdrawn)))
        return True

    def _show_refusal(self, refused: core.DecisionRefused) -> None:
        self._confirmed |= set(refused.warnings)  # applying again confirms what was shown
        by_key = {line.difference.key: line for line in self.lines}
        lines = []
        for line in self.lines:
            line.mark("")
        for kind, problems in (("error", refused.problems), ("warning", refused.warnings)):
            for key, problem in problems.items():
                refused_line = by_key.get(key)
                if refused_line is None:
                    continue
                refused_line.mark(STATE_ERROR if kind == "error" else STATE_WARNING)
                text = tr("verify.ui_problem", row=refused_line.cells[1].text(),
                          field=refused_line.field.label_in(), problem=problem.render())
                if kind == "warning":
                    text = tr("verify.ui_warning_apply_again", problem=text)
                colour = theme.ALLERGY_RED if kind == "error" else WARNING_COLOUR
                lines.append(f'<span style="color:{colour}">{html.escape(text)}</span>')
        self.messages.setText("<br>".join(lines))
        self._set_notice(("error", refused.msg))
        QApplication.beep()
        first = next((by_key[k] for k in [*refused.problems, *refused.warnings] if k in by_key),
                     None)
        if first is not None:
            target = first.value if first.value.isEnabled() else first.choice
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _identity_confirmed_now(self) -> None:
        if self.opened is None or self.user is None:
            return
        if self._confirm_identity(self.opened.context.instance.serial):
            self.apply()

    def _identity_refused(self) -> None:
        self._set_notice(("warning", msg("entry_ui.confirm_refused")))
        if self.lines:
            self.lines[0].choice.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- texts ----------------------------------------------------------------------------------

    def message_text(self) -> str:
        return self.messages.text()

    def _retranslate(self) -> None:
        opened = self.opened
        if opened is not None:
            context, state = opened.context, opened.verification
            self.header.show_context(
                context,
                msg("verify.ui_decision_title", form=context.form.title.as_msg(),
                    code=sheet_code(context)),
                msg("verify.ui_decision_explanation", first=", ".join(state.first_typists),
                    second=state.second_typist or "", count=len(opened.differences)))
        for heading, column in zip(self._headings, COLUMNS, strict=False):
            heading.setText(tr(f"verify.ui_column_{column}"))
        for line in self.lines:
            line.retranslate()
        self.apply_button.setText(tr("verify.ui_apply"))
        self.keys_help.setText(tr("verify.ui_decision_keys"))
        if self._notice is not None:
            self._set_notice(self._notice)
