"""Who is signed in, once for the whole app: every window works for the same person.

The main window creates one ``Session`` and hands it to each window it opens (re-entry, scanned
pages, outage events, review, print station). Signing in, wherever the form is shown, goes
through ``Session.sign_in``; signing out anywhere signs out everywhere. Windows follow
``user_changed`` rather than keeping a user of their own, so the next nurse at a shared ward PC
never types under the previous one's name.

This is the one place where sign-in happens: authentication (a secret, the hospital directory)
and locking the PC when left alone belong here, on top of ``sign_in`` / ``sign_out``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from reentry.entry import service
from reentry.entry.model import User
from reentry.i18n import tr

Authenticate = Callable[[Any, str], User]


class Session(QObject):
    """The signed-in user of this run of the app, or nobody."""

    user_changed = Signal(object)  # User | None, after each sign-in and sign-out

    def __init__(self, parent: QObject | None = None, *,
                 authenticate: Authenticate = service.sign_in) -> None:
        super().__init__(parent)
        self._user: User | None = None
        self._authenticate = authenticate

    @property
    def user(self) -> User | None:
        return self._user

    def sign_in(self, store: Any, username: str) -> User:
        """Look ``username`` up in ``store``; raises ``UserError`` (unknown user) unchanged."""
        user = self._authenticate(store, username.strip())
        self._set(user)
        return user

    def sign_out(self) -> None:
        if self._user is not None:
            self._set(None)

    def _set(self, user: User | None) -> None:
        self._user = user
        self.user_changed.emit(user)

    def status_text(self) -> str:
        """« Connecté : Marie Curie (mcurie) », or « Personne n'est connecté »."""
        if self._user is None:
            return tr("session.nobody")
        return tr("entry_ui.signed_in_as", name=self._user.display_name,
                  username=self._user.username)
