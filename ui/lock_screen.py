"""The lock over a window: while the app's session is locked it covers the whole window, so no
patient data shows, and only the signed-in user's secret takes it away. « Changer
d'utilisateur » signs that user out (their drafts are kept in the database) for someone else."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from reentry.errors import UserError
from reentry.i18n import Msg, tr
from ui import theme
from ui.language import is_language_change
from ui.session import Session


class LockOverlay(QWidget):
    """A child of ``window`` that covers it while ``session`` is locked; the secret is checked
    on the window's ``store``."""

    def __init__(self, window: QWidget, session: Session) -> None:
        super().__init__(window)
        self.setObjectName("lock_overlay")
        self.session = session
        self._error: Msg | None = None
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"#lock_overlay {{ background: {theme.PANEL}; }}")
        self.title = QLabel(self)
        self.title.setFont(theme.scaled_font(self, 1.5, bold=True))
        self.who = QLabel(self)
        self.secret = QLineEdit(self)
        self.secret.setObjectName("unlock_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton(self)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton(self)
        self.switch_button.setObjectName("switch_user")
        self.switch_button.clicked.connect(session.sign_out)
        self.error = QLabel(self)
        self.error.setObjectName("unlock_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ALLERGY_RED}; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        layout.addStretch(1)
        for widget in (self.title, self.who, self.secret, self.unlock_button, self.switch_button,
                       self.error):
            layout.addWidget(widget)
        layout.addStretch(2)
        window.installEventFilter(self)
        session.locked_changed.connect(self._follow)
        self._retranslate()
        self._follow(session.locked)

    def _follow(self, locked: bool) -> None:
        self.secret.clear()
        self.show_error(None)
        if locked:
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
            self.show()
            self.secret.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.hide()
        self._retranslate()

    def show_error(self, message: Msg | None) -> None:
        self._error = message
        self.error.setText(message.render() if message else "")

    def submit(self) -> None:
        try:
            # the window's own store, read when needed (no reference kept to the window)
            self.session.unlock(getattr(self.parentWidget(), "store", None), self.secret.text())
        except UserError as error:
            self.secret.clear()
            self.show_error(error.msg)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def _retranslate(self) -> None:
        self.title.setText(tr("session.locked_title"))
        user = self.session.user
        self.who.setText(tr("session.locked_who", name=user.display_name,
                            username=user.username) if user else "")
        self.unlock_button.setText(tr("session.unlock"))
        self.switch_button.setText(tr("session.switch_user"))
        if self._error is not None:
            self.error.setText(self._error.render())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
