"""The demo's accounts get real passwords, made up here and printed once by ``reentry demo``:
the demo signs in as a hospital would, and nobody needs a manual step to try it.

Only what the demo itself creates: its admin is the first account of an empty database (the
store refuses an account created by nobody anywhere else), and passwords go to the accounts
this run added. Run against a hospital's database, the demo makes no admin and gives no
password to an account it did not create (a directory account has no local password: it
would get one, printed on the screen)."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass

from reentry.auth.passwords import AccountStore, hash_secret, set_password
from reentry.domain.entry import Role

DEMO_ADMIN = ("admin", "Administrateur (démo)")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str


def create_demo_admin(store: AccountStore) -> DemoAccount | None:
    """The demo's admin, as the first account of a database that has none (before the demo
    scenario adds its own); None in a database that already has accounts."""
    if store.count_users():
        return None
    secret = _new_secret()
    admin = store.add_account(DEMO_ADMIN[0], DEMO_ADMIN[1], Role.ADMIN, hash_secret(secret),
                              None)
    return DemoAccount(admin.username, admin.role, secret)


def give_demo_passwords(store: AccountStore, before: Collection[int]) -> list[DemoAccount]:
    """A fresh password for every account this run added (ids not in ``before``) that has
    none: the demo scenario's ward manager, quality, identity vigilance, nurses. Run again,
    the demo adds nobody and prints nothing new."""
    given: list[DemoAccount] = []
    admin = store.user_by_name(DEMO_ADMIN[0])
    for user in store.users():
        if user.id in before:
            continue
        found = store.password_hash(user.username)
        if found is not None and found[1] is None:
            secret = _new_secret()
            set_password(store, user, secret, admin if admin and admin.role is Role.ADMIN
                         else None)
            given.append(DemoAccount(user.username, user.role, secret))
    return given


def _new_secret() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, 72 random bits
