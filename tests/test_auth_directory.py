"""Directory sign-in against a real OpenLDAP slapd on 127.0.0.1 (tests/ldap_fixture.py): simple
bind over StartTLS or ldaps only, the role from the directory group, the same refusal as local
passwords, accounts created on first sign-in, and the command line configured by the settings
file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from ldap_fixture import PEOPLE, SUFFIX

from reentry import auth
from reentry.auth.directory import Directory
from reentry.cli import cli
from reentry.entry import service
from reentry.entry.model import Role
from reentry.errors import UserError

MARIE = "secret-de-marie"


def _directory(server, **changes) -> Directory:
    settings = dict(url=f"ldap://127.0.0.1:{server.port}",
                    user_dn=f"uid={{username}},{PEOPLE}", ca_file=str(server.ca_file),
                    groups=((Role.WARD_MANAGER, server.group_dn("reentry-cadres")),
                            (Role.NURSE, server.group_dn("reentry-ide"))))
    settings.update(changes)
    return Directory(**settings)


def _audit(store, action):
    return [json.loads(r["detail"]) for r in store._rows("SELECT * FROM audit_log ORDER BY id")
            if r["action"] == action]


def test_starttls_bind_signs_in_and_creates_the_account_with_its_group_role(
        store, ldap_server):
    user = auth.authenticate(store, "mdupont", MARIE, _directory(ldap_server))
    assert (user.username, user.display_name, user.role) == ("mdupont", "Marie Dupont",
                                                             Role.NURSE)
    assert store.user_by_name("mdupont") == user
    assert _audit(store, "user_added")[-1]["by"] == "directory"
    assert _audit(store, "signed_in")[-1]["method"] == "directory"
    again = auth.authenticate(store, "MDUPONT", MARIE, _directory(ldap_server))
    assert again.id == user.id


def test_in_two_groups_the_first_role_of_the_order_wins(store, ldap_server):
    assert auth.authenticate(store, "croux", "secret-de-claire",
                             _directory(ldap_server)).role is Role.WARD_MANAGER


def test_wrong_secret_unknown_name_no_group_and_disabled_read_the_same(store, ldap_server):
    directory = _directory(ldap_server)
    admin = service.add_user(store, "dsi", "", Role.ADMIN)
    auth.set_password(store, admin, "le secret de la DSI")
    auth.authenticate(store, "mdupont", MARIE, directory)
    auth.disable_user(store, "mdupont", admin)
    messages = set()
    for name, secret in [("croux", "pas le bon"), ("personne", "secret"),
                         ("visiteur", "secret-du-visiteur"), ("mdupont", MARIE),
                         ("*)(uid=*", "x")]:
        with pytest.raises(UserError) as refused:
            auth.authenticate(store, name, secret, directory)
        messages.add(refused.value.message())
    assert messages == {"Nom d'utilisateur ou mot de passe incorrect."}
    reasons = [d["reason"] for d in _audit(store, "sign_in_failed")]
    assert reasons == ["directory_refused", "directory_refused", "directory_no_group",
                       "disabled", "directory_refused"]
    assert store.user_by_name("visiteur") is None  # no group, no account


def test_ldaps_with_a_search_base_finds_the_person(store, ldap_server):
    directory = _directory(ldap_server, url=f"ldaps://127.0.0.1:{ldap_server.tls_port}",
                           user_dn="", search_base=SUFFIX, search_attribute="uid")
    assert auth.authenticate(store, "mdupont", MARIE, directory).role is Role.NURSE
    with pytest.raises(UserError, match="incorrect"):
        auth.authenticate(store, "*", MARIE, directory)  # a filter wildcard is a name here


def test_an_untrusted_certificate_is_refused_before_the_secret_is_sent(store, ldap_server):
    directory = _directory(ldap_server, ca_file="")  # the test CA is not the system's
    with pytest.raises(UserError) as refused:
        auth.authenticate(store, "mdupont", MARIE, directory)
    assert "ne répond pas ou refuse la connexion chiffrée" in refused.value.message()
    assert store.user_by_name("mdupont") is None


def test_the_failure_limit_holds_for_directory_names_too(store, ldap_server):
    directory = _directory(ldap_server)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(UserError, match="incorrect"):
            auth.authenticate(store, "mdupont", "pas le bon", directory)
    with pytest.raises(UserError, match="Trop d'essais"):
        auth.authenticate(store, "mdupont", MARIE, directory)


def test_the_command_line_signs_in_through_the_directory_of_the_settings_file(
        db_path, tmp_path, ldap_server):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'ldap_url = "ldap://127.0.0.1:{ldap_server.port}"\n'
        f'ldap_user_dn = "uid={{username}},{PEOPLE}"\n'
        f'ldap_ca_file = "{ldap_server.ca_file}"\n'
        f'ldap_group_ward_manager = "{ldap_server.group_dn("reentry-cadres")}"\n'
        f'ldap_group_nurse = "{ldap_server.group_dn("reentry-ide")}"\n')
    runner = CliRunner(env={"REENTRY_CONFIG": str(settings)})
    assert runner.invoke(cli, ["db", "init", str(db_path)]).exit_code == 0
    declared = runner.invoke(cli, ["--db", str(db_path), "event", "declare", "--title",
                                   "Coupure", "--user", "croux"],
                             env={"REENTRY_PASSWORD": "secret-de-claire"})
    assert declared.exit_code == 0, declared.output
    assert "Coupure" in declared.output
    wrong = runner.invoke(cli, ["--db", str(db_path), "event", "end", "--user", "croux"],
                          env={"REENTRY_PASSWORD": "pas le bon"})
    assert wrong.exit_code == 1 and "mot de passe incorrect" in wrong.stderr
