"""Local accounts: argon2id hashes, one refusal that never says which half was wrong, and a
limit on failed attempts kept in the database (so it holds across every PC of a server).

Each attempt, good or bad, is in the audit trail: the auditor reads there which name was tried
and why it failed; the person at the keyboard only ever reads "name or password incorrect".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from reentry import clock
from reentry.auth.directory import Directory
from reentry.domain.entry import Role, User
from reentry.domain.permissions import Permission, require
from reentry.errors import UserError
from reentry.store.areas import AuthStore, EntryStore

MAX_FAILURES = 5  # failed attempts on one name within FAILURE_WINDOW, then refused for a while
FAILURE_WINDOW = timedelta(minutes=10)
MIN_LENGTH = 8

_HASHER = PasswordHasher()  # argon2id, with the library's current (RFC 9106) parameters
# Verified against when the name is unknown, so that an unknown name costs the same time as a
# wrong password: the delay must not tell which one it was.
_DECOY = _HASHER.hash("reentry: no such account")


class AccountStore(AuthStore, EntryStore, Protocol):
    """What sign-in and account management read and write: the auth area, and users by name."""


def check_new_password(secret: str) -> None:
    if len(secret) < MIN_LENGTH:
        raise UserError("auth.password_too_short", minimum=MIN_LENGTH)
    if not secret.strip():
        raise UserError("auth.password_blank")


def set_password(store: AccountStore, user: User, secret: str, by: User | None = None) -> None:
    """Store the argon2id hash of ``secret`` for ``user``; ``by`` is who did it (None: the user
    themselves at creation, or the first admin of an empty database)."""
    check_new_password(secret)
    store.set_password_hash(user, _HASHER.hash(secret), by)


def hash_secret(secret: str) -> str:
    check_new_password(secret)
    return _HASHER.hash(secret)


def create_account(store: AccountStore, username: str, display_name: str, role: Role, secret: str,
                   by: User | None) -> User:
    """A new local account with its password. Only an admin (``by``) creates accounts, except
    the very first one, which must then be an admin: whoever installs Reentry creates the admin,
    and nobody after them creates one unasked. "First" while nobody can sign in: an empty
    database, or one upgraded from before passwords (names only), whose IT needs a way in."""
    name = username.strip()
    if not name:
        raise UserError("entry.username_required")
    if by is not None:
        require(by, Permission.MANAGE_USERS)
    elif store.accounts_able_to_sign_in():
        raise UserError("auth.admin_only")
    elif role is not Role.ADMIN:
        raise UserError("auth.first_admin_only")
    if store.user_by_name(name) is not None:
        raise UserError("entry.user_exists", username=name)
    check_new_password(secret)
    return store.add_account(name, display_name.strip() or name, role, _HASHER.hash(secret), by)


def change_password(store: AccountStore, username: str, secret: str, by: User,
                    directory: Directory | None = None) -> User:
    """``by`` (already signed in) changes their own password, or an admin anyone's."""
    user = password_change_target(store, username, by, directory)
    set_password(store, user, secret, by)
    return user


def password_change_target(store: AccountStore, username: str, by: User,
                           directory: Directory | None = None) -> User:
    """The account whose password ``by`` may change, refused before a new one is typed.

    With a ``directory``, an account with no local password signs in through it: a local
    password would take over and outlive the person's directory account (someone who left,
    disabled there, would still sign in here), so it is changed in the directory only."""
    found = store.password_hash(username.strip())
    if found is None:
        raise UserError("entry.unknown_user", username=username.strip())
    if found[0].id != by.id:  # one's own password, or someone who manages accounts
        require(by, Permission.MANAGE_USERS)
    if found[1] is None and directory is not None:
        raise UserError("auth.directory_password", username=found[0].username)
    return found[0]


def authenticate(store: AccountStore, username: str, secret: str,
                 directory: Directory | None = None) -> User:
    """The active user whose local password is ``secret``, or one ``UserError`` that is the same
    for an unknown name, a disabled account, an account without a password and a wrong one.

    With a ``directory``, a name with no local password is checked by the directory instead
    (its role from the directory group); the same limit on failures applies to both."""
    name = username.strip()
    if not name or not secret:
        raise UserError("auth.refused")
    if store.sign_in_failures_since(name, clock.now() - FAILURE_WINDOW) >= MAX_FAILURES:
        found = store.password_hash(name)
        store.record_sign_in_failure(name, "too_many_attempts", found[0] if found else None)
        raise UserError("auth.too_many", minutes=int(FAILURE_WINDOW.total_seconds() // 60))
    found = store.password_hash(name)
    user, stored = found if found else (None, None)
    if stored is None and directory is not None:
        return _directory_sign_in(store, name, secret, directory)
    if not _verify(stored, secret):
        reason = ("unknown_user" if user is None else
                  "no_password" if stored is None else "wrong_password")
        store.record_sign_in_failure(name, reason, user)
        raise UserError("auth.refused")
    assert user is not None and stored is not None
    if _HASHER.check_needs_rehash(stored):  # parameters raised since: upgrade silently
        store.set_password_hash(user, _HASHER.hash(secret), user)
    store.record_sign_in(user, "password")
    return user


def _directory_sign_in(store: AccountStore, name: str, secret: str, directory: Directory) -> User:
    try:
        person = directory.sign_in(name, secret)
    except UserError:  # unreachable, or its certificate refused: audited, not held against them
        store.record_sign_in_failure(name, "directory_unreachable", None, counted=False)
        raise
    user = None
    if person is not None and person.role is not None:
        user = store.directory_account(person.username, person.display_name, person.role)
    if user is None:
        reason = ("directory_refused" if person is None else
                  "directory_no_group" if person.role is None else "disabled")
        store.record_sign_in_failure(name, reason, None)
        raise UserError("auth.refused")
    store.record_sign_in(user, "directory")
    return user


def disable_user(store: AccountStore, username: str, by: User) -> User:
    require(by, Permission.MANAGE_USERS)
    found = store.password_hash(username.strip())
    if found is None:
        raise UserError("entry.unknown_user", username=username.strip())
    if found[0].id == by.id:
        raise UserError("auth.cannot_disable_self")
    store.disable_user(found[0], by)
    return found[0]


def _verify(stored: str | None, secret: str) -> bool:
    try:
        return _HASHER.verify(stored or _DECOY, secret) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
