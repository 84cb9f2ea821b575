"""Command-line tests act as a person, so that person needs a password: every account of the
database gets PASSWORD, and the commands read it from REENTRY_PASSWORD as a scheduled job does."""

from __future__ import annotations

from pathlib import Path

PASSWORD = "mot de passe de test"
ENV = {"REENTRY_PASSWORD": PASSWORD}


def give_passwords(location: Path | str) -> None:
    from reentry.auth import set_password
    from reentry.store import open_store

    store = open_store(location)
    try:
        for user in store.users():
            found = store.password_hash(user.username)
            if found is not None and found[1] is None:
                set_password(store, user, PASSWORD)
    finally:
        store.close()
