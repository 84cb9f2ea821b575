"""The command line signs people in: passwords from the terminal (no echo) or REENTRY_PASSWORD,
accounts created by an admin only (or the first admin of an empty database), passwd, disable,
operators who are known users, and the demo's accounts with passwords printed once."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reentry.cli import cli
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.store import open_store

ADMIN_SECRET = "le secret de la DSI"
NURSE_SECRET = "le secret de Marie"


@pytest.fixture
def run(db_path):
    assert CliRunner().invoke(cli, ["db", "init", str(db_path)]).exit_code == 0

    def invoke(*args, password=None, input=None):
        env = {"REENTRY_PASSWORD": password} if password is not None else {}
        return CliRunner(env=env).invoke(cli, ["--db", str(db_path), *map(str, args)],
                                         input=input)
    return invoke


@pytest.fixture
def accounts(run):
    assert run("users", "add", "dsi", "--role", "admin", "--password-stdin",
               input=ADMIN_SECRET + "\n").exit_code == 0
    added = run("users", "add", "mdupont", "--user", "dsi", "--password-stdin",
                password=ADMIN_SECRET, input=NURSE_SECRET + "\n")
    assert added.exit_code == 0, added.output
    return run


def _audit(db_path, action):
    store = open_store(db_path)
    try:
        return [r for r in store._rows("SELECT * FROM audit_log ORDER BY id")
                if r["action"] == action]
    finally:
        store.close()


def test_the_first_account_of_an_empty_database_must_be_an_admin(run):
    refused = run("users", "add", "mdupont", "--password-stdin", input=NURSE_SECRET + "\n")
    assert refused.exit_code == 1 and "premier compte créé doit être un administrateur" in (
        refused.stderr)
    first = run("users", "add", "dsi", "--role", "admin", "--password-stdin",
                input=ADMIN_SECRET + "\n")
    assert first.exit_code == 0 and "Compte créé : dsi (admin)" in first.output
    assert ADMIN_SECRET not in first.output


def test_a_database_from_before_passwords_gets_its_first_admin(run, db_path):
    """Upgraded from a version where people signed in by name: nobody has a password, so the
    hospital's IT creates the first admin as in an empty database, and only that one."""
    store = open_store(db_path)
    service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)  # a name, no password
    store.close()
    nurse = run("users", "add", "cadre", "--password-stdin", input=NURSE_SECRET + "\n")
    assert nurse.exit_code == 1 and "premier compte créé doit être un administrateur" in (
        nurse.stderr)
    first = run("users", "add", "dsi", "--role", "admin", "--password-stdin",
                input=ADMIN_SECRET + "\n")
    assert first.exit_code == 0, first.output
    again = run("users", "add", "mallory", "--role", "admin", "--password-stdin",
                input="un secret quelconque\n")
    assert again.exit_code == 1 and "--user" in again.stderr


def test_no_first_admin_once_someone_signed_in_through_the_directory(run, db_path):
    store = open_store(db_path)
    person = store.directory_account("jroux", "Jeanne Roux", Role.ADMIN)  # no local password
    store.record_sign_in(person, "directory")
    store.close()
    refused = run("users", "add", "mallory", "--role", "admin", "--password-stdin",
                  input="un secret quelconque\n")
    assert refused.exit_code == 1 and "--user" in refused.stderr


def test_after_the_first_only_a_signed_in_admin_adds_accounts(accounts, db_path):
    nobody = accounts("users", "add", "mallory", "--role", "admin", "--password-stdin",
                      input="un secret quelconque\n")
    assert nobody.exit_code == 1 and "--user" in nobody.stderr
    nurse = accounts("users", "add", "mallory", "--role", "admin", "--user", "mdupont",
                     "--password-stdin", password=NURSE_SECRET, input="un secret quelconque\n")
    assert nurse.exit_code == 1 and "administrateur" in nurse.stderr
    guessed = accounts("users", "add", "mallory", "--role", "admin", "--user", "dsi",
                       "--password-stdin", password="pas le bon", input="un secret quelconque\n")
    assert guessed.exit_code == 1 and "mot de passe incorrect" in guessed.stderr
    listed = accounts("users", "list").output
    assert "mallory" not in listed and "mdupont" in listed
    added = _audit(db_path, "user_added")
    assert json.loads(added[-1]["detail"])["by"] == "dsi" and added[-1]["user_id"] is not None


def test_a_new_password_is_typed_twice_without_echo(accounts):
    differ = accounts("users", "add", "jmartin", "--user", "dsi", password=ADMIN_SECRET,
                      input="premier secret\nsecond secret\n")
    assert differ.exit_code == 1 and "différents" in differ.stderr
    same = accounts("users", "add", "jmartin", "--user", "dsi", password=ADMIN_SECRET,
                    input="premier secret\npremier secret\n")
    assert same.exit_code == 0, same.output
    assert "premier secret" not in same.output
    assert "Nouveau mot de passe de jmartin" in same.stderr
    assert accounts("users", "passwd", "jmartin", "--password-stdin",
                    password="premier secret", input="autre secret\n").exit_code == 0


def test_the_acting_password_is_asked_on_the_terminal_or_read_from_the_environment(
        accounts, tmp_path):
    typed = accounts("event", "declare", "--title", "Coupure", "--user", "mdupont",
                     input=NURSE_SECRET + "\n")
    assert "Mot de passe de mdupont" in typed.stderr and NURSE_SECRET not in typed.output
    assert "cadre de santé" in typed.output  # signed in: then refused for the role, not the name
    no_terminal = accounts("event", "declare", "--title", "Coupure", "--user", "mdupont")
    assert no_terminal.exit_code == 1 and "REENTRY_PASSWORD" in no_terminal.stderr
    assert "Traceback" not in no_terminal.output


def test_passwd_and_disable(accounts, db_path):
    own = accounts("users", "passwd", "mdupont", "--password-stdin", password=NURSE_SECRET,
                   input="tout nouveau secret\n")
    assert own.exit_code == 0 and "Mot de passe changé : mdupont" in own.output
    other = accounts("users", "passwd", "dsi", "--user", "mdupont", "--password-stdin",
                     password="tout nouveau secret", input="je prends la main\n")
    assert other.exit_code == 1 and "administrateur" in other.stderr
    disabled = accounts("users", "disable", "mdupont", "--user", "dsi", password=ADMIN_SECRET)
    assert disabled.exit_code == 0 and "désactivé" in disabled.output
    after = accounts("users", "passwd", "mdupont", "--password-stdin",
                     password="tout nouveau secret", input="encore un secret\n")
    assert after.exit_code == 1 and "mot de passe incorrect" in after.stderr
    assert "mdupont" not in accounts("users", "list").output
    assert _audit(db_path, "user_disabled")


@pytest.mark.parametrize("command", [
    ["print", "--out", "pdf"], ["reprint", "123", "--out", "pdf"], ["prepare", "--dir", "poste"],
    ["cancel-sheets", "123", "--reason", "x"]], ids=lambda c: c[0])
def test_an_operator_must_be_a_known_user_who_signs_in(accounts, db_path, tmp_path, command):
    """``--operator`` is ``--user``: an unknown name, or a known one with a wrong password, is
    refused before anything is written, with the one message that does not say which."""
    command = [str(tmp_path / a) if a in ("pdf", "poste") else a for a in command]
    for operator, password in [("n'importe qui", ADMIN_SECRET), ("dsi", "pas le bon")]:
        refused = accounts(*command, "--operator", operator, password=password)
        assert refused.exit_code == 1, refused.output
        assert refused.stderr == "Erreur : Nom d'utilisateur ou mot de passe incorrect.\n"
    assert [json.loads(r["detail"])["reason"] for r in _audit(db_path, "sign_in_failed")] == [
        "unknown_user", "wrong_password"]
    assert not (tmp_path / "pdf").exists() and not (tmp_path / "poste").exists()


def test_the_demo_creates_an_admin_and_prints_each_password_once(tmp_path):
    db = tmp_path / "demo.sqlite"
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", str(db), "demo", "--patients", "5"])
    assert first.exit_code == 0, first.output
    line = next(line for line in first.output.splitlines() if line.startswith("  admin (admin)"))
    secret = line.split(" : ")[1]
    again = runner.invoke(cli, ["--db", str(db), "demo", "--patients", "5"])
    assert secret not in again.output and "admin (admin)" not in again.output
    added = runner.invoke(cli, ["--db", str(db), "users", "add", "ide1", "--user", "admin",
                                "--password-stdin"], input="secret de l'IDE\n",
                          env={"REENTRY_PASSWORD": secret})
    assert added.exit_code == 0, added.output


def test_the_demo_makes_no_admin_and_gives_no_password_in_a_hospitals_database(accounts, db_path):
    """Run against a database that has accounts (an admin, someone signing in through the
    directory, with no local password), the demo creates neither an admin nor a password."""
    from reentry.domain.entry import Role
    from reentry.entry import service

    store = open_store(db_path)
    try:
        service.add_user(store, "jmartin", "Jeanne Martin", Role.ADMIN)  # a directory account
    finally:
        store.close()
    demo = accounts("demo", "--patients", "5")
    assert demo.exit_code == 0, demo.output
    assert "Comptes de démonstration" not in demo.output
    store = open_store(db_path)
    try:
        assert store.user_by_name("admin") is None
        assert store.password_hash("jmartin")[1] is None
    finally:
        store.close()


def test_the_outage_demo_makes_its_admin_first_then_its_accounts_passwords(tmp_path):
    db = tmp_path / "panne.sqlite"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--scenario", "outage",
                                      "--patients", "6"])
    assert result.exit_code == 0, result.output
    given = [line.split(" (")[0].strip() for line in result.output.splitlines()
             if line.startswith("  ") and " : " in line and "(" in line]
    assert given[0] == "admin" and {"claire.roux", "qualite", "idv"} <= set(given)
    store = open_store(db)
    try:
        first = store._rows("SELECT * FROM audit_log WHERE action = 'user_added' ORDER BY seq")
        assert json.loads(first[0]["detail"]) == {"username": "admin", "role": "admin",
                                                  "by": "first_admin"}
        assert all(store.password_hash(u.username)[1] for u in store.users())
    finally:
        store.close()
