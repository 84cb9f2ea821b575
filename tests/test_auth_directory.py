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
from reentry.domain.entry import Role
from reentry.entry import service
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


def test_a_directory_account_gets_no_local_password_that_would_outlive_it(store, ldap_server):
    directory = _directory(ldap_server)
    admin = service.add_user(store, "dsi", "", Role.ADMIN)
    auth.set_password(store, admin, "le secret de la DSI")
    marie = auth.authenticate(store, "mdupont", MARIE, directory)
    for by in (marie, admin):
        with pytest.raises(UserError) as refused:
            auth.change_password(store, "mdupont", "un secret local", by, directory)
        assert refused.value.message() == (
            "mdupont se connecte avec l'annuaire de l'hôpital : son mot de passe se change dans"
            " l'annuaire, pas dans Reentry.")
    with pytest.raises(UserError, match="incorrect"):
        auth.authenticate(store, "mdupont", "un secret local", directory)
    # a local account keeps its own password, directory or not
    assert auth.change_password(store, "dsi", "un autre secret", admin, directory) == admin


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
    assert "ne répond pas, ou sa connexion chiffrée" in refused.value.message()
    assert store.user_by_name("mdupont") is None


def test_an_attempt_the_directory_could_not_check_is_audited_but_not_held_against_the_name(
        store, ldap_server):
    unreachable = _directory(ldap_server, url="ldap://127.0.0.1:1", timeout=2)
    for _ in range(auth.MAX_FAILURES + 1):
        with pytest.raises(UserError, match="ne répond pas"):
            auth.authenticate(store, "mdupont", MARIE, unreachable)
    assert [d["reason"] for d in _audit(store, "sign_in_failed")] == [
        "directory_unreachable"] * (auth.MAX_FAILURES + 1)
    # the directory is back: Marie is not locked out by its outage
    assert auth.authenticate(store, "mdupont", MARIE, _directory(ldap_server)).role is Role.NURSE


# -- the refusal a person reads: what to do, in their language; ldap3's reason in the log ------

LIBRARY_WORDS = ("errno", "socket", "error", "connection refused", "opening", "ssl",
                 "certificate", "verify", "wrapping", "sending", "invalidcredentials")


def _said_in_their_language(refused: UserError) -> tuple[str, str]:
    french, english = refused.message("fr"), refused.message("en")
    for text in (french, english):
        assert not any(word in text.lower() for word in LIBRARY_WORDS), text
        assert "[" not in text and "127.0.0.1" not in text, text
    assert "service informatique" in french and "compte local" in french
    assert "IT department" in english and "local Reentry account" in english
    assert not any(word in french.lower().split() for word in ("the", "does", "not", "or"))
    return french, english


@pytest.mark.parametrize("url", ["ldaps://127.0.0.1:1", "ldap://127.0.0.1:1"])
def test_an_unreachable_directory_says_what_to_do_and_logs_why(store, caplog, url):
    unreachable = Directory(url=url, user_dn=f"uid={{username}},{PEOPLE}", timeout=2)
    with caplog.at_level("WARNING", logger="reentry.auth.directory"), \
            pytest.raises(UserError) as refused:
        auth.authenticate(store, "mdupont", MARIE, unreachable)
    french, _ = _said_in_their_language(refused.value)
    assert "ne répond pas" in french and "réessayez" in french
    logged = caplog.text
    assert url in logged and "Connection refused" in logged
    assert "mdupont" not in logged and MARIE not in logged


def test_a_refused_certificate_says_what_to_do_and_logs_why(store, caplog, ldap_server):
    for url in (f"ldap://127.0.0.1:{ldap_server.port}",
                f"ldaps://127.0.0.1:{ldap_server.tls_port}"):
        caplog.clear()
        untrusted = _directory(ldap_server, url=url, ca_file="")  # the test CA: not the system's
        with caplog.at_level("WARNING", logger="reentry.auth.directory"), \
                pytest.raises(UserError) as refused:
            auth.authenticate(store, "mdupont", MARIE, untrusted)
        french, _ = _said_in_their_language(refused.value)
        assert "connexion chiffrée" in french
        assert url in caplog.text and "CERTIFICATE_VERIFY_FAILED" in caplog.text
        assert "mdupont" not in caplog.text and MARIE not in caplog.text


def test_a_refused_service_account_says_what_to_do_and_logs_why(store, caplog, ldap_server):
    directory = _directory(ldap_server, user_dn="", search_base=SUFFIX,
                           bind_dn=f"cn=admin,{SUFFIX}", bind_password="pas le bon")
    with caplog.at_level("WARNING", logger="reentry.auth.directory"), \
            pytest.raises(UserError) as refused:
        auth.authenticate(store, "mdupont", MARIE, directory)
    french, _ = _said_in_their_language(refused.value)
    assert "compte de service" in french
    assert f"cn=admin,{SUFFIX}" in caplog.text and "invalidCredentials" in caplog.text
    assert "pas le bon" not in caplog.text and "mdupont" not in caplog.text


def test_the_refusal_reaches_the_command_line_in_french_then_english(db_path, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('ldap_url = "ldaps://127.0.0.1:1"\n'
                        f'ldap_user_dn = "uid={{username}},{PEOPLE}"\n')
    runner = CliRunner(env={"REENTRY_CONFIG": str(settings)})
    assert runner.invoke(cli, ["db", "init", str(db_path)]).exit_code == 0
    for lang, words in (("fr", "ne répond pas"), ("en", "does not answer")):
        refused = runner.invoke(cli, ["--lang", lang, "--db", str(db_path), "event", "declare",
                                      "--title", "Coupure", "--user", "croux"],
                                env={"REENTRY_PASSWORD": "secret-de-claire"})
        assert refused.exit_code == 1, refused.output
        assert words in refused.stderr
        assert "Errno" not in refused.stderr and "socket" not in refused.stderr
        assert "Traceback" not in refused.stderr


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
    passwd = runner.invoke(cli, ["--db", str(db_path), "users", "passwd", "croux"],
                           env={"REENTRY_PASSWORD": "secret-de-claire"}, input="x\nx\n")
    assert passwd.exit_code == 1 and "se change dans l'annuaire" in passwd.stderr
    assert "Nouveau mot de passe" not in passwd.stderr  # refused before it is asked


# -- nested groups: a group that is a member of the role group (tests/ldap_fixture.py) ---------


@pytest.mark.parametrize("mode", ["auto", "expand"])
def test_a_person_in_a_sub_group_of_the_ward_managers_group_is_a_ward_manager(
        store, ldap_server, mode):
    # cadres-pediatrie (a groupOfUniqueNames) is a member of reentry-cadres; OpenLDAP does not
    # know Active Directory's in-chain rule, so "auto" falls back to the expansion
    user = auth.authenticate(store, "pgirard", "secret-de-paul",
                             _directory(ldap_server, nested_groups=mode))
    assert (user.display_name, user.role) == ("Paul Girard", Role.WARD_MANAGER)
    assert _audit(store, "signed_in")[-1]["method"] == "directory"


@pytest.mark.parametrize("mode", ["off", "in_chain"])
def test_without_the_expansion_a_sub_group_member_is_refused_as_usual(store, ldap_server, mode):
    # "in_chain" asks the server for the chain; slapd answers no entry (the rule is AD's only)
    with pytest.raises(UserError) as refused:
        auth.authenticate(store, "pgirard", "secret-de-paul",
                          _directory(ldap_server, nested_groups=mode))
    assert refused.value.message() == "Nom d'utilisateur ou mot de passe incorrect."
    assert _audit(store, "sign_in_failed")[-1]["reason"] == "directory_no_group"


def test_off_still_finds_direct_members(store, ldap_server):
    assert auth.authenticate(store, "croux", "secret-de-claire",
                             _directory(ldap_server, nested_groups="off")).role \
        is Role.WARD_MANAGER


def test_the_depth_bound_counts_the_groups_between_the_person_and_the_role_group(
        store, ldap_server):
    # Nina is in chaine-1, in chaine-2, in chaine-3, in reentry-cadres: three groups between
    with pytest.raises(UserError, match="incorrect"):
        auth.authenticate(store, "nlefort", "secret-de-nina",
                          _directory(ldap_server, nested_depth=2))
    assert store.user_by_name("nlefort") is None
    user = auth.authenticate(store, "nlefort", "secret-de-nina",
                             _directory(ldap_server, nested_depth=3))
    assert user.role is Role.WARD_MANAGER


def test_a_cycle_of_groups_ends_and_the_person_in_no_role_group_is_refused(store, ldap_server):
    # boucle-a and boucle-b are members of each other: each is searched once, then the end
    for mode in ("auto", "expand"):
        with pytest.raises(UserError) as refused:
            auth.authenticate(store, "bmorel", "secret-de-bruno",
                              _directory(ldap_server, nested_groups=mode, nested_depth=50))
        assert refused.value.message() == "Nom d'utilisateur ou mot de passe incorrect."
    assert [d["reason"] for d in _audit(store, "sign_in_failed")] == ["directory_no_group"] * 2
    assert store.user_by_name("bmorel") is None


def test_the_settings_file_chooses_the_nested_group_mode(tmp_path, monkeypatch, ldap_server):
    from reentry.config import load_settings

    settings = tmp_path / "settings.toml"
    settings.write_text(f'ldap_url = "ldap://127.0.0.1:{ldap_server.port}"\n'
                        'ldap_nested_groups = "Expand"\nldap_nested_depth = 3\n')
    directory = Directory.from_settings(load_settings(settings))
    assert directory is not None
    assert (directory.nested_groups, directory.nested_depth) == ("expand", 3)
    monkeypatch.setenv("REENTRY_LDAP_NESTED_GROUPS", "récursif")  # not a mode: the default
    directory = Directory.from_settings(load_settings(settings))
    assert directory is not None and directory.nested_groups == "auto"
