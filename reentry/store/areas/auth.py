"""Accounts, password hashes and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.entry import Role, User


class AuthStore(UnitOfWork, Protocol):
    """Accounts, password hashes and sign-in attempts."""

    def password_hash(self, username: str) -> tuple[User, str | None] | None:
        """The active account of that name and its stored hash (None: no local password)."""
        ...

    def add_account(
        self, username: str, display_name: str, role: Role, password_hash: str, by: User | None
    ) -> User:
        """One transaction: the account, its hash and the audit record naming who created
        it."""
        ...

    def directory_account(self, username: str, display_name: str, role: Role) -> User | None:
        """The local row of a person the directory just accepted: created on their first
        sign-in, their role following their directory group; None when an admin disabled the
        account here (the directory does not re-enable it)."""
        ...

    def set_password_hash(self, user: User, password_hash: str, by: User | None) -> None: ...
    def disable_user(self, user: User, by: User) -> None: ...
    def accounts_able_to_sign_in(self) -> int:
        """Accounts with a password, or that ever signed in through the directory."""
        ...

    def count_users(self) -> int:
        """Every account, disabled ones too: a database with none has no admin yet."""
        ...

    def sign_in_failures_since(self, username: str, since: datetime) -> int: ...
    def record_sign_in_failure(self, username: str, reason: str, user: User | None,
                               counted: bool = True) -> None:
        """``reason`` goes to the audit trail only (who reads it is an auditor, not the
        person at the keyboard): unknown name, wrong secret, too many attempts. Not
        ``counted`` towards the limit: an attempt the directory could not check."""
        ...

    def record_sign_in(self, user: User, method: str) -> None:
        """A success clears that name's failures (the limit counts consecutive ones)."""
        ...
