"""A window on the database that works for the app's signed-in user: what is done in it is
audited by name.

The store is opened once, by the window; a database that cannot be opened (locked, too new) is
said on the sign-in page instead of crashing. The user is the app's ``Session``: a window opened
while someone is signed in shows its own page at once; while nobody is, it shows the sign-in page,
and signing in there (or anywhere) opens every window; signing out anywhere closes them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from reentry.domain.entry import User
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation, LocationLike, as_location
from ui.language import is_language_change
from ui.lock_screen import LockOverlay
from ui.session import Session
from ui.sign_in import SignInPage

Opener = Callable[[DatabaseLocation], Any]


def open_or_error(open_db: Opener, db: DatabaseLocation) -> tuple[Any, UserError | None]:
    """The store at ``db``, or ``None`` and the error to show on the sign-in page."""
    try:
        return open_db(db), None
    except UserError as error:
        return None, error


def signed_in_text(user: User | None) -> str:
    """« Connecté : Marie Curie (mcurie) », or nothing while nobody is signed in."""
    return (tr("entry_ui.signed_in_as", name=user.display_name, username=user.username)
            if user else "")


class SignedInWindow(QMainWindow):
    """The sign-in page, then ``self.page`` once signed in.

    Subclasses build ``self.page``, call ``_stack_pages`` and, once their texts are set,
    ``_start``; they say what signing in leads to in ``_after_sign_in``.
    """

    def __init__(self, db: LocationLike, parent: QWidget | None = None, *,
                 open_db: Opener,
                 sign_in: type[SignInPage] = SignInPage,
                 session: Session | None = None) -> None:
        super().__init__(parent)
        self.db = as_location(db)  # a SQLite file or a server; ``db.shown`` has no password
        self.session = session if session is not None else Session(self)
        self.user: User | None = None
        self.store: Store | None
        self.store, self._open_error = open_or_error(open_db, self.db)
        self.sign_in_page = sign_in(self.store, self, session=self.session)
        self.page = QWidget(self)

    def _stack_pages(self) -> None:
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.sign_in_page)
        self.pages.addWidget(self.page)
        self.setCentralWidget(self.pages)
        self.lock_overlay = LockOverlay(self, self.session)
        self.session.user_changed.connect(self._user_changed)
        self._following = True

    def _show_open_error(self) -> None:
        if self._open_error is not None:
            self.sign_in_page.show_error(self._open_error.msg)

    def _start(self) -> None:
        """The session's user already signed in (in another window), or the sign-in page."""
        self._user_changed(self.session.user)

    def _user_changed(self, user: User | None) -> None:
        if user is not None and self._open_error is None:
            self.signed_in(user)
        else:
            self.user = None
            self.pages.setCurrentWidget(self.sign_in_page)
            self.sign_in_page.reset()
            self._show_open_error()  # after the reset, which would clear it
            self._retranslate()

    def signed_in(self, user: User) -> None:
        self.user = user
        self.pages.setCurrentWidget(self.page)
        self._retranslate()
        self._after_sign_in()

    def _after_sign_in(self) -> None:
        """What the window does first once someone is signed in."""

    def _retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "_following", False):  # a closed window no longer follows the session
            self.session.user_changed.disconnect(self._user_changed)
            self._following = False
        if self.store is not None:
            self.store.close()
            self.store = None
        super().closeEvent(event)
