"""The identity check before the first row is saved on a patient: read, then confirm.

Wrong patient is the worst error. Before anything typed from a sheet is stored, the nurse reads
the strict traits of the patient the sheet was printed for and states that the paper in her
hand is about that person. Enter confirms, Escape goes back without saving anything.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from reentry import display
from reentry.i18n import tr
from reentry.model import Patient
from ui import theme
from ui.language import is_language_change


class IdentityConfirmation(QFrame):
    """An inline panel (not a modal box: scans and timers keep running)."""

    confirmed = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identity_confirmation")
        self.setStyleSheet(
            f"#identity_confirmation {{ background: {theme.ALLERGY_BACKGROUND};"
            f" border: 3px solid {theme.PROVISIONAL_IDENTITY}; border-radius: 6px; }}")
        self._patient: Patient | None = None
        self._today = date.today()
        self.heading = QLabel(self)
        self.heading.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.statement = QLabel(self)
        self.statement.setObjectName("identity_statement")
        self.statement.setWordWrap(True)
        self.statement.setFont(theme.scaled_font(self, 1.3, bold=True))
        self.statement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirm_button = QPushButton(self)
        self.confirm_button.setObjectName("identity_confirm_button")
        self.confirm_button.setAutoDefault(True)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.heading)
        layout.addWidget(self.statement)
        layout.addLayout(buttons)
        self.hide()
        self._retranslate()

    def ask(self, patient: Patient, today: date) -> None:
        """Show the statement for ``patient`` and put the focus on "I confirm"."""
        self._patient = patient
        self._today = today
        self._retranslate()
        self.show()
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def statement_text(self) -> str:
        return self.statement.text()

    def confirm(self) -> None:
        if self.isVisible():
            self.hide()
            self.confirmed.emit()

    def cancel(self) -> None:
        if self.isVisible():
            self.hide()
            self.cancelled.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm()
        elif event.key() == Qt.Key.Key_Escape:
            self.cancel()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _retranslate(self) -> None:
        self.heading.setText(tr("entry_ui.confirm_heading"))
        self.confirm_button.setText(tr("entry_ui.confirm_button"))
        self.cancel_button.setText(tr("entry_ui.confirm_cancel"))
        patient = self._patient
        if patient is None:
            self.statement.clear()
            return
        self.statement.setText(tr(
            "entry_ui.confirm_statement", name=display.full_name(patient),
            birth_date=display.birth_date_text(patient, self._today),
            sex=display.sex_label(patient.sex), ipp=patient.ipp or display.DASH))

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
