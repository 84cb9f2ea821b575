"""Confirming a print: what comes out of which printer, for how long, and for which outage.

Printed sheets belong to an outage event: every one of them is expected back, and one printed for
no event is a sheet nobody will ever look for. So the operator prints for the ongoing event,
declares it here, or makes an explicit test print, which registers nothing and says so on every
page. Nothing is printed until this dialog is confirmed; Cancel prints nothing and changes
nothing.

The dialog only collects the choice; ``submit`` does the work. A ``UserError`` it raises (an
wrong name or password, a missing title, an event ended meanwhile) is shown in the dialog, which
stays open with everything still typed. Who declares, when nobody is signed in, proves it with
their password first, checked off the GUI thread as at sign-in (``SecretCheck``): « Vérification… »
on the button meanwhile, and the dialog closed before the answer prints and declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.events import OutageEvent
from reentry.errors import UserError
from reentry.i18n import Msg, tr
from reentry.printing.mar import window_text
from ui import theme
from ui.event_dialogs import start_field, start_time
from ui.session import SecretCheck, Session

SHOWN_WARDS = 6  # more are counted, not listed: the dialog must fit a 1,366 x 768 screen


class EventChoice(StrEnum):
    ONGOING = "ongoing"  # the batch belongs to the ongoing (or declared planned) event
    DECLARE = "declare"  # declare the event, then print for it
    TEST = "test"  # a test print: registers nothing, every page says so


@dataclass(frozen=True)
class PrintSummary:
    """What the print will be, as the station planned it (nothing registered yet)."""

    wards: tuple[str, ...]  # ward names
    patients: int
    sheets: int
    pages: int
    printer: str | None  # None: PDFs only
    folder: Path
    minutes: float
    speed: int
    window_start: datetime
    window_hours: float


@dataclass(frozen=True)
class NewEvent:
    title: str
    started_at: datetime
    planned: bool
    declared_by: str | None  # the user name typed, when nobody is signed in
    declarer: User | None = None  # that person, once their password was checked


@dataclass(frozen=True)
class PrintChoice:
    kind: EventChoice
    event_id: int | None = None  # ONGOING: the event shown, checked again when printing
    new_event: NewEvent | None = None  # DECLARE


class PrintConfirmDialog(QDialog):
    def __init__(self, summary: PrintSummary, ongoing: OutageEvent | None,
                 outside_wards: Sequence[str], signed_in: User | None, now: datetime,
                 submit: Callable[[PrintChoice], None], parent: QWidget | None = None, *,
                 session: Session | None = None) -> None:
        """``session``: the app's, which the declarer signs in (a station opened alone checks
        the password without signing anyone in)."""
        super().__init__(parent)
        self.setObjectName("print_confirm")
        self.setWindowTitle(tr("print_ui.confirm_title"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.summary = summary
        self.ongoing = ongoing
        self.signed_in = signed_in
        self.now = now
        self._submit = submit
        self._signs_in = session.signed_in_as if session is not None else None
        # without a session of its own, the check belongs to one of the application's: a
        # dialog closed during it does not wait for the directory's answer (SecretCheck)
        self.check = SecretCheck(self, session if session is not None
                                 else Session(QCoreApplication.instance()))
        self.check.ended.connect(self._checked)
        self.check.passed.connect(self._declarer_checked)
        self.check.refused.connect(self._refused)
        self._pending: PrintChoice | None = None
        self._ok_text = ""

        heading = QLabel(tr("print_ui.confirm_heading"), self)
        heading.setFont(theme.scaled_font(heading, 1.2, bold=True))
        self.facts = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for name, label, value in self._facts():
            shown = QLabel(value, self)
            shown.setObjectName(f"confirm_{name}")
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[name] = shown
            self.facts.addRow(label, shown)

        self.event_box = QGroupBox(tr("print_ui.event_group"), self)
        self.for_ongoing = QRadioButton(self._ongoing_text(), self.event_box)
        self.for_ongoing.setObjectName("print_for_ongoing")
        self.for_ongoing.setEnabled(ongoing is not None)
        self.declare = QRadioButton(tr("print_ui.declare"), self.event_box)
        self.declare.setObjectName("print_declare")
        self.declare.setEnabled(ongoing is None)
        if ongoing is not None:
            self.declare.setToolTip(tr("print_ui.declare_busy"))
        self.test = QRadioButton(tr("print_ui.test"), self.event_box)
        self.test.setObjectName("print_test")
        self.choices = QButtonGroup(self)
        for button in (self.for_ongoing, self.declare, self.test):
            self.choices.addButton(button)
        self.declare_form = self._declare_form(now)
        self.outside = QLabel(tr("print_ui.outside_wards", wards=_names(outside_wards))
                              if outside_wards else "", self.event_box)
        self.outside.setObjectName("print_outside_wards")
        self.outside.setWordWrap(True)
        self.outside.setStyleSheet(f"color: {theme.ALLERGY_RED};")
        self.outside.setVisible(bool(outside_wards))
        box_layout = QVBoxLayout(self.event_box)
        for widget in (self.for_ongoing, self.outside, self.declare, self.declare_form,
                       self.test):
            box_layout.addWidget(widget)

        self.error = theme.error_label(self, "dialog_error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(self.facts)
        layout.addWidget(self.event_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.choices.buttonToggled.connect(self._chosen)
        (self.for_ongoing if ongoing is not None else self.declare).setChecked(True)
        self._chosen()
        self.resize(660, 0)

    # -- what will be printed -----------------------------------------------------------------

    def _facts(self) -> list[tuple[str, str, str]]:
        s = self.summary
        names = _names(s.wards)
        printer = s.printer or tr("print_ui.no_printer", folder=str(s.folder))
        window = window_text(s.window_start, s.window_hours)
        return [
            ("wards", tr("print_ui.wards"), tr("print_ui.wards_value", count=len(s.wards),
                                               names=names)),
            ("patients", tr("print_ui.patients"), str(s.patients)),
            ("sheets", tr("print_ui.sheets"), tr("print_ui.sheets_value", sheets=s.sheets)),
            ("pages", tr("print_ui.pages"), str(s.pages)),
            ("printer", tr("print_ui.printer"), printer),
            ("time", tr("print_ui.time"), tr("print_ui.time_value",
                                             minutes=max(1, round(s.minutes)),
                                             speed=s.speed)),
            ("window", tr("print_ui.window"), tr("print_ui.window_value", window=window)),
        ]

    def fact(self, name: str) -> str:
        return self.values[name].text()

    # -- for which event ----------------------------------------------------------------------

    def _ongoing_text(self) -> str:
        event = self.ongoing
        if event is None:
            return tr("print_ui.event_none")
        key = "print_ui.event_planned" if event.not_started_at(self.now) else (
            "print_ui.event_ongoing")
        return tr(key, title=event.title, start=clock.format_local(event.started_at))

    def _declare_form(self, now: datetime) -> QWidget:
        form = QWidget(self.event_box)
        self.title_field = QLineEdit(form)
        self.title_field.setObjectName("declare_title")
        self.title_field.setMaxLength(200)
        self.start_field = start_field(form, now, "declare_start")
        self.planned_check = QCheckBox(tr("events.ui_planned"), form)
        self.planned_check.setObjectName("declare_planned")
        self.by_field = QLineEdit(form)
        self.by_field.setObjectName("declare_by")
        self.by_field.setMaxLength(80)
        self.by_secret = QLineEdit(form)
        self.by_secret.setObjectName("declare_by_password")
        self.by_secret.setEchoMode(QLineEdit.EchoMode.Password)
        scope = QLabel(tr("print_ui.declare_scope"), form)
        scope.setWordWrap(True)
        layout = QFormLayout(form)
        layout.setContentsMargins(24, 0, 0, 0)
        layout.addRow(tr("events.ui_field_title"), self.title_field)
        layout.addRow(tr("events.ui_field_start"), self.start_field)
        layout.addRow("", self.planned_check)
        if self.signed_in is not None:
            self.by_field.hide()
            self.by_secret.hide()
            layout.addRow(tr("print_ui.declared_by"), QLabel(
                f"{self.signed_in.display_name} ({self.signed_in.username})", form))
        else:
            layout.addRow(tr("print_ui.declare_by"), self.by_field)
            layout.addRow(tr("print_ui.declare_by_password"), self.by_secret)
        layout.addRow(scope)
        return form

    def choice_kind(self) -> EventChoice:
        if self.test.isChecked():
            return EventChoice.TEST
        if self.declare.isChecked():
            return EventChoice.DECLARE
        return EventChoice.ONGOING

    def _chosen(self, *_: object) -> None:
        kind = self.choice_kind()
        self.declare_form.setEnabled(kind is EventChoice.DECLARE)
        self.declare_form.setVisible(self.ongoing is None)
        self.error.clear()
        self.ok_button.setText(tr("print_ui.print_test", pages=self.summary.pages)
                               if kind is EventChoice.TEST
                               else tr("print_ui.print_pages", pages=self.summary.pages))
        if kind is EventChoice.DECLARE:
            self.title_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.choice_kind() is EventChoice.DECLARE:  # ready to type the event's title
            self.title_field.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def choice(self) -> PrintChoice:
        kind = self.choice_kind()
        if kind is EventChoice.TEST:
            return PrintChoice(kind)
        if kind is EventChoice.ONGOING:
            assert self.ongoing is not None
            return PrintChoice(kind, event_id=self.ongoing.id)
        declared_by = None
        if self.signed_in is None:
            declared_by = self.by_field.text().strip()
            if not declared_by:
                raise UserError("print_ui.name_required")
        started = start_time(self.start_field)
        return PrintChoice(kind, new_event=NewEvent(self.title_field.text(), started,
                                                    self.planned_check.isChecked(),
                                                    declared_by))

    @property
    def checking(self) -> bool:
        """The declarer's password is being checked (the dialog waits for the answer)."""
        return self.check.running

    def _ok(self) -> None:
        if self.check.running:
            return  # OK pressed again while the password is checked
        try:
            choice = self.choice()
        except UserError as error:
            self._refused(error.msg)
            return
        new = choice.new_event
        if new is None or new.declared_by is None:
            self._send(choice)
            return
        secret = self.by_secret.text()
        self.by_secret.clear()  # a password is typed again, never kept after a refusal
        self.error.clear()
        self._pending = choice
        for widget in (self.event_box, self.ok_button):
            widget.setEnabled(False)
        self._ok_text = self.ok_button.text()
        self.ok_button.setText(tr("session.checking"))
        self.check.start(new.declared_by, secret, self._signs_in or (lambda _user: None))

    def _checked(self) -> None:
        for widget in (self.event_box, self.ok_button):
            widget.setEnabled(True)
        self.ok_button.setText(self._ok_text)

    def _declarer_checked(self, declarer: User) -> None:
        choice, self._pending = self._pending, None
        if choice is not None and choice.new_event is not None:
            self._send(replace(choice, new_event=replace(choice.new_event, declarer=declarer)))

    def _send(self, choice: PrintChoice) -> None:
        try:
            self._submit(choice)
        except UserError as error:
            self._refused(error.msg)
            return
        self.accept()

    def _refused(self, message: Msg) -> None:
        self.error.setText(message.render())
        self.by_secret.clear()  # a password is typed again, never kept after a refusal
        if self.by_secret.isVisible() and self.by_field.text().strip():
            self.by_secret.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        """Closed before the answer: nothing is declared or printed."""
        if not event.spontaneous():
            self.check.forget()
            self._pending = None
        super().hideEvent(event)


def _names(wards: Sequence[str]) -> str:
    """The first few ward names, then how many more: the dialog keeps its size."""
    names = ", ".join(wards[:SHOWN_WARDS])
    if len(wards) > SHOWN_WARDS:
        return tr("print_ui.wards_more", names=names, more=len(wards) - SHOWN_WARDS)
    return names
