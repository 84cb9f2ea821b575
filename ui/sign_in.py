"""Signing in with a name and a secret: every row stored says who typed it, and only that
person could have typed under their name.

The secret is the account's password, or the hospital directory's when the settings name one
(``Session.sign_in`` checks it as the command line does). A badge read by the scanner only fills
the name and waits in the password field: a badge can be lost or copied, a password cannot be
read off it. A refusal never says which of the two was wrong. Signing in goes through the app's
one ``Session``: once signed in on any window, every window is.

The secret is checked off the GUI thread (``SecretCheck``): meanwhile the form says
« Vérification… », its fields and button wait (Enter pressed twice checks once), and the window
still paints, moves and closes; closed before the answer, nobody is signed in by it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reentry.domain.entry import User
from reentry.i18n import Msg, msg, tr
from reentry.store.areas import Store
from ui import theme
from ui.language import is_language_change
from ui.session import SecretCheck, Session, keys_on


class SignInPage(QWidget):
    """The form; ``session`` is the app's (a window opened alone makes its own)."""

    signed_in = Signal(object)  # User

    def __init__(self, store: Store | None, parent: QWidget | None = None, *,
                 session: Session | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_page")
        self.store = store
        self.session = session if session is not None else Session(self)
        self._error: Msg | None = None
        self.title = QLabel(self)
        self.title.setFont(theme.scaled_font(self, 1.5, bold=True))
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.caption = QLabel(self)
        self.name_field = QLineEdit(self)
        self.name_field.setObjectName("username_field")
        self.name_field.setMaxLength(80)
        self.name_field.returnPressed.connect(self._name_entered)
        self.caption.setBuddy(self.name_field)
        self.password_caption = QLabel(self)
        self.password_field = QLineEdit(self)
        self.password_field.setObjectName("password_field")
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.returnPressed.connect(self.submit)
        self.password_caption.setBuddy(self.password_field)
        self.button = QPushButton(self)
        self.button.setAutoDefault(False)  # Enter in the name goes to the password, not here
        self.button.clicked.connect(self.submit)
        self.error = theme.error_label(self, "sign_in_error")
        self.check = SecretCheck(self, self.session)
        self.check.ended.connect(self._checked)
        self.check.passed.connect(self._passed)
        self.check.refused.connect(self._refused)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        for widget in (self.title, self.explanation, self.caption, self.name_field,
                       self.password_caption, self.password_field, self.button, self.error):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._retranslate()

    def fill(self, text: str) -> None:
        """A badge scan: the name it carries, then the password is asked (never signs in);
        none while a password is checked (the answer is for the name shown)."""
        if self.check.running:
            return
        self.name_field.setText(text.strip())
        self.password_field.clear()
        self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.name_field.clear()
        self.password_field.clear()
        self.show_error(None)
        self.name_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _name_entered(self) -> None:
        """Enter in the name goes on to the password, as a nurse expects from any sign-in."""
        if not self.name_field.text().strip():
            self.show_error(msg("entry.username_required"))
            return
        self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, message: Msg | None) -> None:
        self._error = message
        self.error.setText(message.render() if message else "")

    @property
    def checking(self) -> bool:
        """A secret typed here is being checked (the form waits for the answer)."""
        return self.check.running

    def submit(self) -> None:
        if self.check.running:
            return  # Enter pressed again while the first one is checked
        name = self.name_field.text().strip()
        if not name:
            self.show_error(msg("entry.username_required"))
            self.name_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not self.password_field.text():
            self.show_error(msg("session.password_required"))
            self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if self.store is None:
            return
        self.show_error(None)
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # the keys stay on the form while it waits
        for widget in (self.name_field, self.password_field, self.button):
            widget.setEnabled(False)
        self.check.start(name, self.password_field.text(), self.session.signed_in_as)
        self._retranslate()

    def _checked(self) -> None:
        """The answer came, or the form was hidden meanwhile: the fields are given back, and
        the secret is not left in them, right or wrong."""
        self.password_field.clear()
        for widget in (self.name_field, self.password_field, self.button):
            widget.setEnabled(True)
        if self.isVisible() and keys_on(self):  # the keys go back where they were typed
            self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)
        self._retranslate()

    def _passed(self, user: User) -> None:
        self.show_error(None)
        self.signed_in.emit(user)

    def _refused(self, message: Msg) -> None:
        self.show_error(message)
        self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        """Closed or replaced before the answer (not minimised): it signs nobody in."""
        if not event.spontaneous():
            self.check.forget()
        super().hideEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(tr("entry_ui.sign_in_title"))
        self.explanation.setText(tr("entry_ui.sign_in_explanation"))
        self.caption.setText(tr("entry_ui.sign_in_caption"))
        self.password_caption.setText(tr("session.password_caption"))
        self.button.setText(tr("session.checking") if self.check.running
                            else tr("entry_ui.sign_in_button"))
        if self._error is not None:
            self.error.setText(self._error.render())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


class AppSignIn(SignInPage):
    """The sign-in form titled for the whole app (the main window's « Se connecter… »)."""

    def _retranslate(self) -> None:
        super()._retranslate()
        self.title.setText(tr("session.sign_in_title"))
        self.explanation.setText(tr("session.sign_in_explanation"))


class SignInDialog(QDialog):
    """The sign-in form on its own: accepted once someone is signed in."""

    def __init__(self, store: Store | None, session: Session,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_dialog")
        self.form = AppSignIn(store, self, session=session)
        column = self.form.layout()
        assert column is not None  # the form lays its fields out in one column
        column.setContentsMargins(20, 20, 20, 10)
        self.form.reset()
        if store is None:
            self.form.show_error(msg("session.no_database"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)  # Enter belongs to the form's fields
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.form.signed_in.connect(lambda _user: self.accept())
        self.setWindowTitle(tr("session.sign_in_title"))
        self.resize(560, 420)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self.setWindowTitle(tr("session.sign_in_title"))
        super().changeEvent(event)
