"""The lock over every window: while the app's session is locked each top-level window of the app
(main window, re-entry, print station, any dialog they opened) is covered, so no patient data
shows, and only the signed-in user's secret takes it away. « Changer d'utilisateur » asks another
person's name and secret there, on the lock: only once they are right is the first session
closed (its drafts kept in the database) and theirs opened.

The secret is checked off the GUI thread, as on the sign-in form (``SecretCheck``): meanwhile
« Vérification… », the lock's fields and buttons wait, and the window is still painted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from reentry.domain.entry import User
from reentry.i18n import Msg, tr
from ui import theme
from ui.language import is_language_change
from ui.session import SecretCheck, Session, keys_on


class LockOverlay(QWidget):
    """A child of ``window`` that covers it while ``session`` is locked; the secret is checked
    on the window's database (``database_of``), on a connection of the check's own. The first
    one made for a session also covers, from then on, every other window of the app
    (``LockGuard``)."""

    def __init__(self, window: QWidget, session: Session) -> None:
        super().__init__(window)
        self.setObjectName("lock_overlay")
        self.session = session
        self._error: Msg | None = None
        self._switching = False  # asking another person's name and secret
        self._grown_from: QSize | None = None  # a small dialog made big enough to unlock
        self.setAutoFillBackground(True)
        # a plain QWidget paints a style sheet's background only when asked: without it the
        # window under the lock (patient data included) shows through
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#lock_overlay {{ background: {theme.PANEL}; }}")
        self.title = QLabel(self)
        self.title.setFont(theme.scaled_font(self, 1.5, bold=True))
        self.who = QLabel(self)
        self.secret = QLineEdit(self)
        self.secret.setObjectName("unlock_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.returnPressed.connect(self.submit)
        self.secret_caption = QLabel(self)  # « Mot de passe »: under « Nom d'utilisateur » too
        self.secret_caption.setBuddy(self.secret)
        self.name_caption = QLabel(self)
        self.name = QLineEdit(self)
        self.name.setObjectName("switch_name")
        self.name.setMaxLength(80)
        self.name.returnPressed.connect(
            lambda: self.secret.setFocus(Qt.FocusReason.OtherFocusReason))
        self.name_caption.setBuddy(self.name)
        self.unlock_button = QPushButton(self)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = QPushButton(self)
        self.switch_button.setObjectName("switch_user")
        self.switch_button.clicked.connect(lambda: self.set_switching(not self._switching))
        self.error = theme.error_label(self, "unlock_error")
        self.check = SecretCheck(self, session)
        self.check.ended.connect(self._checked)
        self.check.refused.connect(self._refused)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 40, 60, 40)
        layout.addStretch(1)
        for widget in (self.title, self.who, self.name_caption, self.name, self.secret_caption,
                       self.secret, self.unlock_button, self.switch_button, self.error):
            layout.addWidget(widget)
        layout.addStretch(2)
        window.installEventFilter(self)
        LockGuard.for_session(session)
        session.locked_changed.connect(self._follow)
        self._follow(session.locked)

    def _follow(self, locked: bool) -> None:
        self._switching = False
        self.name.clear()
        self.secret.clear()
        self.show_error(None)
        self._retranslate()
        window = self.parentWidget()
        assert window is not None  # made as the window's child
        if locked:
            self._fit(window)
            self.setGeometry(window.rect())
            self.raise_()
            self.show()
            self.secret.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.hide()
            if self._grown_from is not None:
                window.resize(self._grown_from)
                self._grown_from = None

    def _fit(self, window: QWidget) -> None:
        """A message box or small dialog grows while locked: its lock must be usable (a modal
        dialog takes the keyboard from the windows behind it)."""
        needed = self.sizeHint().expandedTo(QSize(480, 360))
        if window.width() < needed.width() or window.height() < needed.height():
            if self._grown_from is None:
                self._grown_from = window.size()
            window.setMinimumSize(0, 0)
            window.setMaximumSize(16777215, 16777215)
            window.resize(window.size().expandedTo(needed))

    def set_switching(self, switching: bool) -> None:
        """« Changer d'utilisateur »: ask another person's name and secret (and back)."""
        self._switching = switching
        self.name.clear()
        self.secret.clear()
        self.show_error(None)
        self._retranslate()
        field = self.name if switching else self.secret
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def take_focus(self) -> None:
        """The field the person types into next: the other person's name, or the secret."""
        if self.isVisible():
            field = self.name if self._switching and not self.name.text() else self.secret
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab goes round the lock's own fields and buttons, never to the window under it."""
        if not self.isVisible():
            return super().focusNextPrevChild(next)
        stops = [w for w in (self.name, self.secret, self.unlock_button, self.switch_button)
                 if w.isVisible()]
        current = QApplication.focusWidget()
        index = stops.index(current) if current in stops else -1
        stops[(index + (1 if next else -1)) % len(stops)].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def fill(self, text: str) -> None:
        """A badge scanned at the lock: someone else's name, the password asked next; none
        while a password is checked (the answer is for the name shown)."""
        if self.check.running:
            return
        self.set_switching(True)
        self.name.setText(text.strip())
        self.secret.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, message: Msg | None) -> None:
        self._error = message
        self.error.setText(message.render() if message else "")

    @property
    def checking(self) -> bool:
        """A secret typed here is being checked (the lock waits for the answer)."""
        return self.check.running

    def submit(self) -> None:
        if self.check.running:
            return  # Enter pressed again while the first one is checked
        user = self.session.user
        if self._switching:
            self.check_secret(self.name.text(), self.session.switched_to)
        elif user is not None and self.session.locked:
            self.check_secret(user.username, self.session.unlocked_by)

    def check_secret(self, username: str, apply: Callable[[User], object]) -> None:
        self.show_error(None)
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # the keys stay on the lock while it waits
        for widget in self._inputs():
            widget.setEnabled(False)
        self.check.start(username, self.secret.text(), apply)
        self._retranslate()

    def _inputs(self) -> tuple[QWidget, ...]:
        return self.name, self.secret, self.unlock_button, self.switch_button

    def _checked(self) -> None:
        """The answer came, or the lock went meanwhile: the secret is not kept, right or wrong."""
        self.secret.clear()
        for widget in self._inputs():
            widget.setEnabled(True)
        if self.isVisible() and keys_on(self):  # the keys go back where they were typed
            self.secret.setFocus(Qt.FocusReason.OtherFocusReason)
        self._retranslate()

    def _refused(self, message: Msg) -> None:
        self.show_error(message)
        self.secret.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        """Unlocked elsewhere, or the window closed, before the answer: it changes nothing."""
        if not event.spontaneous():
            self.check.forget()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        window = self.parentWidget()
        if window is not None and watched is window and event.type() == QEvent.Type.Resize:
            self.setGeometry(window.rect())
        return False

    def _retranslate(self) -> None:
        self.title.setText(tr("session.locked_title"))
        user = self.session.user
        switching = self._switching
        key = "session.switch_who" if switching else "session.locked_who"
        self.who.setText(tr(key, name=user.display_name, username=user.username) if user else "")
        self.name_caption.setText(tr("session.switch_name"))
        self.secret_caption.setText(tr("session.password_caption"))
        self.name_caption.setVisible(switching)
        self.name.setVisible(switching)
        self.unlock_button.setText(tr("session.checking") if self.check.running else
                                   tr("session.switch_sign_in" if switching else "session.unlock"))
        self.switch_button.setText(tr("session.switch_back", username=user.username)
                                   if switching and user else tr("session.switch_user"))
        if self._error is not None:
            self.error.setText(self._error.render())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


class LockGuard(QObject):
    """One per session: when it locks, every visible top-level window of the session without a
    lock gets one (a dialog opened from a window is a window of its own, which the window's lock
    does not cover), and so does any such window shown while it stays locked; meanwhile the
    windows' shortcuts (print, sign out, open a sheet…) do nothing."""

    _KINDS = {Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet}
    _KEYS = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.Shortcut}

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.setObjectName("lock_guard")
        self.session = session
        session.locked_changed.connect(self._locked)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @classmethod
    def for_session(cls, session: Session) -> LockGuard:
        found = session.findChild(LockGuard, "lock_guard")
        return found if isinstance(found, LockGuard) else cls(session)

    def _locked(self, locked: bool) -> None:
        if locked:
            for window in QApplication.topLevelWidgets():
                self.cover(window)

    def cover(self, window: QWidget) -> None:
        if (window.isVisible() and window.windowType() in self._KINDS
                and self._belongs(window) and not self._covered(window)):
            LockOverlay(window, self.session)  # shows itself: the session is locked

    def _belongs(self, target: QObject) -> bool:
        """Part of a window of this session, or of one it opened (a dialog's parent is its
        window, an action's its window)."""
        found: QObject | None = target
        while found is not None:
            if getattr(found, "session", None) is self.session:
                return True
            found = found.parent()
        return False

    def _covered(self, window: QWidget) -> bool:
        return any(overlay.session is self.session for overlay in _overlays(window))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not getattr(getattr(self, "session", None), "locked", False):
            # unlocked; or a session Python let go of (a window opened alone, gone), in a cycle
            # with its guard: the garbage collector clears their attributes before Qt deletes
            # the guard, which is still the application's event filter meanwhile
            return False
        kind = event.type()
        if kind in self._KEYS and self._belongs(watched) and not _on_a_lock(watched):
            # behind the lock no key types into a hidden field, and no menu or shortcut opens,
            # prints or signs out anything: the keys go to the lock
            if kind == QEvent.Type.KeyPress and isinstance(watched, QWidget):
                for overlay in _overlays(watched.window()):
                    overlay.take_focus()
            return True
        if kind == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.cover(watched)
        return False


def _overlays(window: QWidget) -> list[LockOverlay]:
    return window.findChildren(LockOverlay, options=Qt.FindChildOption.FindDirectChildrenOnly)


def _on_a_lock(target: QObject) -> bool:
    widget = target if isinstance(target, QWidget) else None
    while widget is not None:
        if isinstance(widget, LockOverlay):
            return True
        widget = widget.parentWidget()
    return False
