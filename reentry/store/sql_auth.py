"""Sign-in's SQL: password hashes, failed attempts (the rate limit), disabled accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reentry import clock
from reentry.domain.entry import Role, User
from reentry.errors import UserError
from reentry.store.database import SqlConnection
from reentry.store.sql_entry import _audit, _user


class AuthQueries:
    """Mixed into ``SqlStore``; relies on its ``_transaction`` and ``_rows``. Every change is
    audited in the same transaction (``_audit``)."""

    _transaction: Any
    _rows: Any
    sql: SqlConnection

    def password_hash(self, username: str) -> tuple[User, str | None] | None:
        """The active account of that name and its stored hash (None: no local password)."""
        rows = self._rows("SELECT * FROM users WHERE lower(username) = lower(?) AND active = 1",
                          [username])
        return (_user(rows[0]), rows[0]["password_hash"]) if rows else None

    def add_account(self, username: str, display_name: str, role: Role, password_hash: str,
                    by: User | None) -> User:
        """One transaction: the account, its hash and the audit record naming who created it.
        Without ``by`` (the first admin) nobody may be able to sign in yet, checked in that
        same transaction: two first admins typed at once on two PCs make one."""
        with self._transaction() as conn:
            if by is None and _able_to_sign_in(conn):
                raise UserError("auth.admin_only")
            new_id = conn.insert(
                "INSERT INTO users (username, display_name, role, created_at, password_hash)"
                " VALUES (?, ?, ?, ?, ?)",
                (username, display_name, role.value, clock.to_storage(clock.now()),
                 password_hash))
            _audit(conn, by.id if by else None, "user_added", "user", new_id,
                   {"username": username, "role": role.value,
                    "by": by.username if by else "first_admin"})
        return User(new_id, username, display_name, role)

    def directory_account(self, username: str, display_name: str, role: Role) -> User | None:
        """The local row of a person the directory just accepted: created on their first
        sign-in, their role following their directory group; None when an admin disabled the
        account here (the directory does not re-enable it)."""
        with self._transaction() as conn:
            rows = conn.rows("SELECT * FROM users WHERE lower(username) = lower(?)", (username,))
            if rows and not rows[0]["active"]:
                return None
            if not rows:
                new_id = conn.insert(
                    "INSERT INTO users (username, display_name, role, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (username, display_name, role.value, clock.to_storage(clock.now())))
                _audit(conn, None, "user_added", "user", new_id,
                       {"username": username, "role": role.value, "by": "directory"})
                return User(new_id, username, display_name, role)
            user = _user(rows[0])
            if user.role is not role:
                conn.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, user.id))
                _audit(conn, None, "user_role_changed", "user", user.id,
                       {"username": user.username, "from": user.role.value, "to": role.value,
                        "by": "directory"})
            return User(user.id, user.username, user.display_name, role)

    def set_password_hash(self, user: User, password_hash: str, by: User | None) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                         (password_hash, user.id))
            _audit(conn, by.id if by else None, "password_set", "user", user.id,
                   {"username": user.username})

    def disable_user(self, user: User, by: User) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE users SET active = 0 WHERE id = ?", (user.id,))
            _audit(conn, by.id, "user_disabled", "user", user.id, {"username": user.username})

    def accounts_able_to_sign_in(self) -> int:
        """Accounts with a password, or that ever signed in through the directory: none in an
        empty database, nor in one from before sign-in asked a secret (names only), whose
        first admin is then created as in an empty one."""
        return _able_to_sign_in(self.sql)

    def count_users(self) -> int:
        """Every account, disabled ones too: a database with none has no admin yet."""
        return int(self._rows("SELECT count(*) AS n FROM users")[0]["n"])

    def sign_in_failures_since(self, username: str, since: datetime) -> int:
        return int(self._rows(
            "SELECT count(*) AS n FROM sign_in_failures WHERE username = ? AND at >= ?",
            [username.lower(), clock.to_storage(since)])[0]["n"])

    def record_sign_in_failure(self, username: str, reason: str, user: User | None,
                               counted: bool = True) -> None:
        """``reason`` goes to the audit trail only (who reads it is an auditor, not the person
        at the keyboard): unknown name, wrong secret, too many attempts. Not ``counted``
        towards the limit: an attempt the directory could not check (not the person's
        mistake; a directory down must not lock everyone out once it is back)."""
        with self._transaction() as conn:
            if counted:
                conn.execute("INSERT INTO sign_in_failures (username, at) VALUES (?, ?)",
                             (username.lower(), clock.to_storage(clock.now())))
            _audit(conn, user.id if user else None, "sign_in_failed", "user",
                   user.id if user else None, {"username": username, "reason": reason})

    def record_sign_in(self, user: User, method: str) -> None:
        """A success clears that name's failures (the limit counts consecutive ones)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM sign_in_failures WHERE username = ?",
                         (user.username.lower(),))
            _audit(conn, user.id, "signed_in", "user", user.id,
                   {"username": user.username, "method": method})


def _able_to_sign_in(conn: SqlConnection) -> int:
    return int(conn.rows(
        "SELECT count(*) AS n FROM users WHERE password_hash IS NOT NULL OR id IN"
        " (SELECT user_id FROM audit_log WHERE action = 'signed_in')")[0]["n"])
