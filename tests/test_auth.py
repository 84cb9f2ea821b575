"""Local passwords: argon2id hashes, one refusal for every wrong half, failed attempts limited
across PCs (the limit is in the database) and written to the audit trail."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from reentry import auth, clock
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.errors import UserError

SECRET = "cheval correct agrafe"


@pytest.fixture
def alice(store):
    user = service.add_user(store, "alice", "Alice Martin", Role.NURSE)
    auth.set_password(store, user, SECRET)
    return user


def _audit(store, action):
    return [r for r in store._rows("SELECT * FROM audit_log ORDER BY id") if r["action"] == action]


@pytest.mark.both_backends
def test_the_right_password_signs_in_whatever_the_case_of_the_name(store, alice):
    assert auth.authenticate(store, "ALICE ", SECRET) == alice
    assert json.loads(_audit(store, "signed_in")[-1]["detail"])["method"] == "password"


def test_the_hash_is_argon2id_and_never_the_password(store, alice):
    stored = store._rows("SELECT password_hash FROM users WHERE id = ?", [alice.id])[0]
    assert stored["password_hash"].startswith("$argon2id$")
    assert SECRET not in stored["password_hash"]


@pytest.mark.both_backends
def test_a_wrong_password_an_unknown_name_and_a_disabled_account_read_the_same(store, alice):
    admin = service.add_user(store, "admin", "", Role.ADMIN)
    auth.set_password(store, admin, "un mot de passe admin")
    bob = service.add_user(store, "bob", "", Role.NURSE)  # no password set yet
    messages = []
    for name, secret in [("alice", "wrong one"), ("nobody", SECRET), ("bob", ""),
                         ("bob", "anything at all")]:
        with pytest.raises(UserError) as refused:
            auth.authenticate(store, name, secret)
        messages.append(refused.value.message())
    auth.disable_user(store, "alice", admin)
    with pytest.raises(UserError) as refused:
        auth.authenticate(store, "alice", SECRET)
    messages.append(refused.value.message())
    assert set(messages) == {"Nom d'utilisateur ou mot de passe incorrect."}
    assert bob.id  # the audit trail, not the message, says which half was wrong
    reasons = [json.loads(r["detail"])["reason"] for r in _audit(store, "sign_in_failed")]
    # an empty secret is refused before any lookup; a disabled account is no account
    assert reasons == ["wrong_password", "unknown_user", "no_password", "unknown_user"]
    assert _audit(store, "user_disabled")[0]["user_id"] == admin.id


@pytest.mark.both_backends
def test_five_failures_in_ten_minutes_refuse_even_the_right_password_on_another_pc(
        store, stored, alice, monkeypatch):
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(UserError, match="incorrect"):
            auth.authenticate(store, "alice", "not it")
    with pytest.raises(UserError) as refused:
        auth.authenticate(stored, "alice", SECRET)  # a second connection: another PC
    assert "10 minutes" in refused.value.message()
    assert json.loads(_audit(store, "sign_in_failed")[-1]["detail"])["reason"] == \
        "too_many_attempts"
    monkeypatch.setattr(clock, "now", lambda: start + auth.FAILURE_WINDOW + timedelta(minutes=1))
    assert auth.authenticate(stored, "alice", SECRET) == alice
    # a success clears the count: one more mistake is not a lock-out
    with pytest.raises(UserError, match="incorrect"):
        auth.authenticate(store, "alice", "typo")
    assert auth.authenticate(store, "alice", SECRET) == alice


def test_a_short_password_is_refused_with_the_minimum(store, alice):
    with pytest.raises(UserError, match="8 caractères"):
        auth.set_password(store, alice, "court")


def test_only_an_admin_disables_and_never_themselves(store, alice):
    admin = service.add_user(store, "admin", "", Role.ADMIN)
    with pytest.raises(UserError, match="administrateur"):
        auth.disable_user(store, "admin", alice)
    with pytest.raises(UserError, match="propre compte"):
        auth.disable_user(store, "admin", admin)


@pytest.mark.both_backends
def test_two_first_admins_at_once_make_one(store, store_location):
    """Both PCs saw an empty database before either wrote: the store checks again inside its
    write transaction, so the second is refused and nothing of it is written."""
    from reentry.auth.passwords import hash_secret
    from reentry.store import open_store

    other_pc = open_store(store_location)
    try:
        assert store.count_users() == other_pc.count_users() == 0
        first = store.add_account("dsi", "DSI", Role.ADMIN, hash_secret(SECRET), None)
        with pytest.raises(UserError, match="Réservé à un administrateur"):
            other_pc.add_account("mallory", "", Role.ADMIN, hash_secret(SECRET), None)
    finally:
        other_pc.close()
    assert [u.username for u in store.users()] == [first.username]
    assert [json.loads(r["detail"])["username"] for r in _audit(store, "user_added")] == ["dsi"]
