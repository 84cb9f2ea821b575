"""Who is at the keyboard: local passwords (argon2id) and the hospital directory (LDAP)."""

from reentry.auth.passwords import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    authenticate,
    change_password,
    check_new_password,
    create_account,
    disable_user,
    password_change_target,
    set_password,
)

__all__ = ["FAILURE_WINDOW", "MAX_FAILURES", "authenticate", "change_password",
           "check_new_password", "create_account", "disable_user", "password_change_target",
           "set_password"]
