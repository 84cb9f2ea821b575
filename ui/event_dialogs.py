"""The event window's dialogs: declare an outage, declare sheets lost or not used, close.

Each dialog hands what was typed to a ``submit`` callable that does the work; a ``UserError``
it raises is shown inside the dialog, which stays open with everything still typed, so a
refusal at 3 a.m. costs a correction, not a re-entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.barcodes import group_for_reading, page_code
from reentry.domain.entry import User
from reentry.domain.events import OutageEvent
from reentry.domain.sheet_state import SheetState
from reentry.errors import UserError
from reentry.i18n import Msg, tr
from reentry.model import Ward
from reentry.sheets.tracking import TrackedSheet
from ui import theme
from ui.session import SecretCheck, Session


def start_field(parent: QWidget, now: datetime, name: str) -> QDateTimeEdit:
    """The field for when an outage starts, to the minute, set to ``now`` in local time."""
    field = QDateTimeEdit(parent)
    field.setObjectName(name)
    field.setDisplayFormat("dd/MM/yyyy HH:mm")
    local = clock.local(now)
    field.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                QTime(local.hour, local.minute)))
    return field


def start_time(field: QDateTimeEdit) -> datetime:
    """The moment a ``start_field`` shows, in the hospital's time zone."""
    moment = field.dateTime()
    day, hour = moment.date(), moment.time()
    return datetime(day.year(), day.month(), day.day(), hour.hour(), hour.minute(),
                    tzinfo=clock.hospital_zone())


class _SubmitDialog(QDialog):
    """OK runs ``_submit``; a ``UserError`` is shown in red and the dialog stays open."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.error = theme.error_label(self, "dialog_error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _finish_layout(self, layout: QVBoxLayout) -> None:
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _ok(self) -> None:
        try:
            self._submit()
        except UserError as error:
            self.error.setText(error.message())
            return
        self.accept()

    def _submit(self) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class EventForm:
    """What the declare dialog collected."""

    title: str
    started_at: datetime
    planned: bool
    wards: tuple[str, ...] | None
    systems: tuple[str, ...]


class DeclareEventDialog(_SubmitDialog):
    def __init__(self, wards: Sequence[Ward], now: datetime,
                 submit: Callable[[EventForm], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("declare_event_dialog")
        self.setWindowTitle(tr("events.ui_declare_title"))
        self._send = submit
        self.title_field = QLineEdit(self)
        self.title_field.setObjectName("event_title")
        self.title_field.setMaxLength(200)
        self.start_field = start_field(self, now, "event_start")
        self.planned_check = QCheckBox(tr("events.ui_planned"), self)
        self.all_wards = QCheckBox(tr("events.all_wards"), self)
        self.all_wards.setChecked(True)
        self.ward_list = QListWidget(self)
        self.ward_list.setObjectName("event_wards")
        for ward in wards:
            item = QListWidgetItem(f"{ward.code} — {ward.name}", self.ward_list)
            item.setData(Qt.ItemDataRole.UserRole, ward.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.ward_list.setEnabled(False)
        self.all_wards.toggled.connect(lambda checked: self.ward_list.setEnabled(not checked))
        self.systems_field = QLineEdit(self)
        self.systems_field.setObjectName("event_systems")
        self.systems_field.setPlaceholderText(tr("events.ui_systems_hint"))
        form = QFormLayout()
        form.addRow(tr("events.ui_field_title"), self.title_field)
        form.addRow(tr("events.ui_field_start"), self.start_field)
        form.addRow("", self.planned_check)
        form.addRow(tr("events.ui_field_wards"), self.all_wards)
        form.addRow("", self.ward_list)
        form.addRow(tr("events.ui_field_systems"), self.systems_field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self._finish_layout(layout)
        self.resize(520, 520)

    def form(self) -> EventForm:
        started = start_time(self.start_field)
        wards = None
        if not self.all_wards.isChecked():
            wards = tuple(str(self.ward_list.item(i).data(Qt.ItemDataRole.UserRole))
                          for i in range(self.ward_list.count())
                          if self.ward_list.item(i).checkState() == Qt.CheckState.Checked)
            if not wards:
                raise UserError("events.ui_choose_wards")
        systems = tuple(s.strip() for s in self.systems_field.text().split(",") if s.strip())
        return EventForm(self.title_field.text(), started, self.planned_check.isChecked(),
                         wards, systems)

    def _submit(self) -> None:
        self._send(self.form())


def sheet_identity(sheet: TrackedSheet, ward_names: Mapping[str, str] | None = None) -> str:
    """Who the sheet is about, whole: name, birth date, IPP, ward and bed, form and code, as
    people name them (the ward by its name, the form by its title)."""
    return tr("events.ui_sheet_identity",
              name=sheet.patient_name or sheet.temporary_id or "—",
              birth=display.date_text(sheet.birth_date) or "—", ipp=sheet.ipp or "—",
              place=_place(sheet), ward=(ward_names or {}).get(sheet.ward_code)
              or sheet.ward_code, form=display.form_title(sheet.template_id),
              code=group_for_reading(page_code(sheet.serial, 1)))


def _place(sheet: TrackedSheet) -> str:
    return " ".join(p for p in (sheet.room, sheet.bed) if p) or "—"


class DeclareSheetsDialog(_SubmitDialog):
    """The sheets about to be declared, each with its patient's identity, and the reason."""

    def __init__(self, outcome: SheetState, sheets: Sequence[TrackedSheet],
                 submit: Callable[[str], None], parent: QWidget | None = None,
                 ward_names: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("declare_sheets_dialog")
        self.setWindowTitle(tr(f"events.ui_declare_{outcome.value}"))
        self._send = submit
        self.heading = QLabel(tr(f"events.ui_declare_{outcome.value}_heading",
                                 count=len(sheets)), self)
        self.heading.setWordWrap(True)
        self.heading.setFont(theme.scaled_font(self.heading, 1.2, bold=True))
        self.identities = QListWidget(self)
        self.identities.setObjectName("declared_identities")
        for sheet in sheets:
            QListWidgetItem(sheet_identity(sheet, ward_names), self.identities)
        self.reason_field = QLineEdit(self)
        self.reason_field.setObjectName("declare_reason")
        self.reason_field.setMaxLength(300)
        reason_label = QLabel(tr("events.ui_field_reason"), self)
        reason_label.setBuddy(self.reason_field)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.identities, reason_label, self.reason_field):
            layout.addWidget(widget)
        self._finish_layout(layout)
        self.reason_field.setFocus()
        self.resize(760, 420)

    def _submit(self) -> None:
        self._send(self.reason_field.text())


class CloseEventDialog(_SubmitDialog):
    """Close the event; with sheets unaccounted for, a ward manager signs an exception, with
    their password (none asked when the signer is the person signed in).

    ``submit(signer, reason)`` gets the signer once proven: their password is checked off the
    GUI thread first (``SecretCheck``, as at sign-in: « Vérification… », OK pressed twice checks
    once); the dialog closed meanwhile closes nothing."""

    def __init__(self, event: OutageEvent, unaccounted: dict[str, int],
                 submit: Callable[[User | None, str | None], None],
                 session: Session, parent: QWidget | None = None,
                 ward_names: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("close_event_dialog")
        self.setWindowTitle(tr("events.ui_close_title", title=event.title))
        self._send = submit
        self.session = session
        self._signer: User | None = None
        self._ok_text = ""
        self.check = SecretCheck(self, session)
        self.check.ended.connect(self._checked)
        self.check.passed.connect(self._signed)
        self.check.refused.connect(self._refused)
        self.needs_exception = bool(unaccounted)
        count = sum(unaccounted.values())
        names = ward_names or {}
        wards = ", ".join(tr("events.ui_ward_count", ward=names.get(ward) or ward, count=n)
                          for ward, n in unaccounted.items())
        self.explanation = QLabel(
            tr("events.ui_close_exception_needed", count=count, wards=wards)
            if self.needs_exception else tr("events.ui_close_all_accounted"), self)
        self.explanation.setObjectName("close_explanation")
        self.explanation.setWordWrap(True)
        self.signer_field = QLineEdit(self)
        self.signer_field.setObjectName("exception_signer")
        self.signer_secret = QLineEdit(self)
        self.signer_secret.setObjectName("exception_signer_password")
        self.signer_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason_field = QLineEdit(self)
        self.reason_field.setObjectName("exception_reason")
        self.reason_field.setMaxLength(300)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        if self.needs_exception:
            form = QFormLayout()
            form.addRow(tr("events.ui_field_signer"), self.signer_field)
            form.addRow(tr("events.ui_field_signer_password"), self.signer_secret)
            form.addRow(tr("events.ui_field_exception_reason"), self.reason_field)
            layout.addLayout(form)
        else:
            self.signer_field.hide()
            self.signer_secret.hide()
            self.reason_field.hide()
        self._finish_layout(layout)
        self.resize(620, 260)

    @property
    def checking(self) -> bool:
        """The signer's password is being checked (the dialog waits for the answer)."""
        return self.check.running

    def _ok(self) -> None:
        if self.check.running:
            return  # OK pressed again while the password is checked
        self._signer = None
        name = self.signer_field.text().strip()
        secret = self.signer_secret.text()
        self.signer_secret.clear()  # typed again after a refusal, never kept in the dialog
        user = self.session.user
        if not self.needs_exception or not name:
            super()._ok()
        elif not secret and user is not None and name.casefold() == user.username.casefold():
            self._signed(user)  # the person signed in signs: no password asked
        else:
            self.error.clear()
            for widget in self._inputs():
                widget.setEnabled(False)
            self._ok_text = self.ok_button.text()
            self.ok_button.setText(tr("session.checking"))
            self.check.start(name, secret, lambda _user: None)  # nobody's session changes

    def _inputs(self) -> tuple[QWidget, ...]:
        return self.signer_field, self.signer_secret, self.reason_field, self.ok_button

    def _checked(self) -> None:
        for widget in self._inputs():
            widget.setEnabled(True)
        self.ok_button.setText(self._ok_text)

    def _signed(self, signer: User) -> None:
        self._signer = signer
        super()._ok()

    def _refused(self, message: Msg) -> None:
        self.error.setText(message.render())
        self.signer_secret.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        """Closed before the answer: it closes nothing."""
        if not event.spontaneous():
            self.check.forget()
        super().hideEvent(event)

    def _submit(self) -> None:
        if not self.needs_exception:
            self._send(None, None)
            return
        if self._signer is None:
            raise UserError("events.ui_signer_required")
        self._send(self._signer, self.reason_field.text())
