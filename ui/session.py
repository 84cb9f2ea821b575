"""Who is signed in, once for the whole app: every window works for the same person.

The main window creates one ``Session`` and hands it to each window it opens (re-entry, scanned
pages, outage events, review, print station). Signing in, wherever the form is shown, goes
through ``Session.sign_in``; signing out anywhere signs out everywhere. Windows follow
``user_changed`` rather than keeping a user of their own, so the next nurse at a shared ward PC
never types under the previous one's name.

This is the one place where sign-in happens: every sign-in proves who it is with a secret (a
local password, or the hospital directory's, as the settings say), and the PC locks when left
alone. Someone else signing in at the lock closes the first person's session: their windows keep
what was typed as drafts, and what happens next is recorded under the newcomer.

The forms check a secret off the GUI thread (``SecretCheck``): argon2 takes a moment and a
directory that does not answer takes its whole timeout, during which the window must still paint,
move and close. The check runs on a connection of its own (a store's connection is used by one
thread only); only its answer, back on the GUI thread, changes the session.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from reentry.domain.entry import User
from reentry.errors import UserError
from reentry.i18n import msg, tr
from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation
from reentry.store.opening import open_database
from ui.tasks import QuietTask

Verify = Callable[[Store, str, str], User]  # store, user name, secret → the user, or UserError
Apply = Callable[[User], object]  # what a checked secret does to the session (GUI thread)


def verify_secret(store: Store, username: str, secret: str) -> User:
    """The password (or the directory's) of ``username``, as the command line checks it."""
    from reentry.auth import authenticate
    from reentry.auth.directory import Directory
    from reentry.config import load_settings

    return authenticate(store, username, secret, Directory.from_settings(load_settings()))


class Session(QObject):
    """The signed-in user of this run of the app, or nobody."""

    user_changed = Signal(object)  # User | None, after each sign-in and sign-out
    locked_changed = Signal(bool)  # the screen hides patient data until the same user unlocks

    def __init__(self, parent: QObject | None = None, *, verify: Verify = verify_secret) -> None:
        super().__init__(parent)
        self._user: User | None = None
        self._locked = False
        self._verify = verify

    @property
    def locked(self) -> bool:
        return self._locked

    def lock(self) -> None:
        """Hide patient data (left alone, or asked): the user stays signed in, drafts stay."""
        if self._user is not None and not self._locked:
            self._locked = True
            self.locked_changed.emit(True)

    def unlock(self, store: Store | None, secret: str) -> None:
        """Only the signed-in user's own secret unlocks; anyone else signs in afresh (which
        signs this user out: their drafts are kept in the database)."""
        if self._user is None or not self._locked:
            return
        self.unlocked_by(self.check(store, self._user.username, secret))

    def unlocked_by(self, user: User) -> None:
        """``user``'s secret was right: it unlocks if they are the one signed in, and the
        screen is still locked (``UserError`` otherwise)."""
        if self._user is None or not self._locked:
            return
        if user.id != self._user.id:
            raise UserError("auth.refused")
        self._locked = False
        self.locked_changed.emit(False)

    @property
    def user(self) -> User | None:
        return self._user

    def check(self, store: Store | None, username: str, secret: str) -> User:
        """Who ``username`` is, once ``secret`` is right; nobody's session changes. Raises one
        ``UserError`` for a wrong name and a wrong secret alike (or too many failures).

        On the calling thread, on ``store``: for scripts and tests. A window never calls it on
        the GUI thread (argon2, or the directory, takes a moment): it uses ``SecretCheck``."""
        if store is None:
            raise UserError("session.no_database")
        return self._verify(store, username.strip(), secret)

    def check_work(self, location: DatabaseLocation, username: str,
                   secret: str) -> Callable[[], User]:
        """``check`` as work for a worker thread: on a connection of its own to ``location``,
        closed once the answer is known. Same check, same audit, same limit on failures."""
        verify = self._verify

        def work() -> User:
            store = open_database(location)
            try:
                return verify(store, username.strip(), secret)
            finally:
                store.close()
        return work

    def sign_in(self, store: Store | None, username: str, secret: str) -> User:
        """``username`` signs in with ``secret``; a refusal leaves the session as it was.
        Someone else's session is closed first, as at the lock (``switch_user``)."""
        return self.signed_in_as(self.check(store, username, secret))

    def signed_in_as(self, user: User) -> User:
        """``user``'s secret was right: they sign in (someone else's session closed first)."""
        if self._user is not None and user.id != self._user.id:
            self.sign_out()
        self._set(user)
        return user

    def switch_user(self, store: Store | None, username: str, secret: str) -> User:
        """Someone signs in at the lock. The signed-in person's own secret only unlocks; anyone
        else's closes that session first (every window saves its drafts under the person who
        typed them), then opens theirs. A refusal leaves the screen locked."""
        return self.switched_to(self.check(store, username, secret))

    def switched_to(self, user: User) -> User:
        """``user``'s secret was right at the lock: unlocks for the same person, else closes
        the session and opens theirs."""
        if self._user is not None and user.id == self._user.id:
            if self._locked:
                self._locked = False
                self.locked_changed.emit(False)
            return user
        self.sign_out()
        self._set(user)
        return user

    def sign_out(self) -> None:
        if self._user is not None:
            self._set(None)

    def _set(self, user: User | None) -> None:
        self._user = user
        if self._locked:
            self._locked = False
            self.locked_changed.emit(False)
        self.user_changed.emit(user)

    def status_text(self) -> str:
        """« Connecté : Marie Curie (mcurie) », or « Personne n'est connecté »."""
        if self._user is None:
            return tr("session.nobody")
        return tr("entry_ui.signed_in_as", name=self._user.display_name,
                  username=self._user.username)


def database_of(form: QObject | None) -> DatabaseLocation | None:
    """The database a form checks secrets on: the one its window opened (its lists' reader's:
    the server, or the ward's offline copy when the server did not answer — never a server
    known to be unreachable, waited for up to its timeout), else its window's ``db``, or those
    of the window that opened it (a dialog, a message box under the lock)."""
    found = form
    while found is not None:
        opened = getattr(getattr(found, "reader", None), "location", None)
        location = opened if opened is not None else getattr(found, "db", None)
        if isinstance(location, DatabaseLocation):
            return location
        found = found.parent()
    return None


def keys_on(form: QWidget) -> bool:
    """The keyboard is on ``form`` (or nowhere, as a wait may leave it): when its check ends,
    the form gives the keys back to its secret field, and never takes them from elsewhere."""
    focused = QApplication.focusWidget()
    return focused is None or focused is form or form.isAncestorOf(focused)


class SecretCheck(QObject):
    """A form's check of a secret off the GUI thread, one at a time.

    ``start`` runs ``Session.check_work`` in a ``QuietTask``; back on the GUI thread the user goes
    to ``apply`` (``Session.signed_in_as``, ``unlocked_by``, ``switched_to``), which changes the
    session or raises ``UserError``. ``ended`` comes first, every time (the form takes its
    fields back), then ``passed`` or ``refused``. A form hidden meanwhile (its window closed,
    someone signed in elsewhere) calls ``forget``: the answer, when it comes, changes nothing.

    The task belongs to the session, not to the form: a window closed during a check does not
    wait for the directory; the session's end waits for the thread (``tasks.Threaded``), so Qt never
    destroys it running."""

    ended = Signal()
    passed = Signal(object)  # User
    refused = Signal(object)  # Msg

    def __init__(self, form: QWidget, session: Session) -> None:
        super().__init__(form)
        self.session = session
        self._task: QuietTask | None = None
        self._apply: Apply | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self, username: str, secret: str, apply: Apply) -> None:
        """Check ``secret`` for ``username``; nothing more while a check is under way."""
        if self._task is not None:
            return
        location = database_of(self.parent())
        if location is None:
            self.ended.emit()
            self.refused.emit(msg("session.no_database"))
            return
        task = QuietTask(self.session, self.session.check_work(location, username, secret))
        task.succeeded.connect(self._answered)
        task.failed.connect(self._failed)
        task.finished.connect(task.deleteLater)
        self._task, self._apply = task, apply
        task.start()

    def forget(self) -> None:
        """The check under way, if any, goes on to its end (argon2 and a directory cannot be
        interrupted) but its answer is dropped."""
        task, self._task, self._apply = self._task, None, None
        if task is not None:
            task.succeeded.disconnect(self._answered)
            task.failed.disconnect(self._failed)
            self.ended.emit()

    def _answered(self, user: User) -> None:
        apply = self._end()
        if apply is None:
            return
        try:
            apply(user)
        except UserError as error:
            self.refused.emit(error.msg)
            return
        self.passed.emit(user)

    def _failed(self, error: object) -> None:
        if self._end() is None:
            return
        if isinstance(error, UserError):
            self.refused.emit(error.msg)
            return
        raise error  # type: ignore[misc]  # a bug: the application's error reporter takes it

    def _end(self) -> Apply | None:
        apply, self._task, self._apply = self._apply, None, None
        if apply is not None:
            self.ended.emit()
        return apply


class IdleLock(QObject):
    """Locks ``session`` after ``idle_ms`` without a key press, click or mouse move anywhere in
    the app (shared ward PCs: the next person must not read or type under this name).

    Installed as an event filter on the application; 0 turns it off.
    """

    _ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                 QEvent.Type.Wheel, QEvent.Type.TouchBegin}

    def __init__(self, session: Session, idle_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(idle_ms, 0))
        self.timer.timeout.connect(session.lock)
        self.enabled = idle_ms > 0
        session.user_changed.connect(lambda _user: self.restart())
        session.locked_changed.connect(lambda _locked: self.restart())
        self.restart()

    def restart(self) -> None:
        if self.enabled and self.session.user is not None and not self.session.locked:
            self.timer.start()
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._ACTIVITY and self.timer.isActive():
            self.timer.start()  # from now again
        return False
