"""The demo's accounts get real passwords, made up here and printed once by ``reentry demo``:
the demo signs in as a hospital would, and nobody needs a manual step to try it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from reentry.auth.passwords import AuthStore, hash_secret, set_password
from reentry.domain.entry import Role, User

DEMO_ADMIN = ("admin", "Administrateur (démo)")


class DemoStore(AuthStore, Protocol):
    def users(self) -> list[User]: ...


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str


def give_demo_passwords(store: DemoStore) -> list[DemoAccount]:
    """A demo admin when there is none, then a fresh password for every account that has none
    (the demo scenario's ward manager, quality, identity vigilance, nurses). Accounts that
    already have one keep it: run again, the demo prints nothing new."""
    given: list[DemoAccount] = []
    admin = store.user_by_name(DEMO_ADMIN[0])
    if admin is None:
        secret = _new_secret()
        admin = store.add_account(DEMO_ADMIN[0], DEMO_ADMIN[1], Role.ADMIN, hash_secret(secret),
                                  None)
        given.append(DemoAccount(admin.username, admin.role, secret))
    for user in store.users():
        found = store.password_hash(user.username)
        if found is not None and found[1] is None:
            secret = _new_secret()
            set_password(store, user, secret, admin)
            given.append(DemoAccount(user.username, user.role, secret))
    return given


def _new_secret() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, 72 random bits
