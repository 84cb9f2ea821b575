"""``--db`` and ``--lang`` on every command, and a database that is never created by accident.

Every command and sub-command of the click group is walked, so a command added tomorrow is
checked too: it takes ``--db`` and ``--lang`` before and after its name, the one after wins, a
file or folder that does not exist is refused in one line (only ``db init`` and ``demo`` create),
and a PostgreSQL URL's password never reaches the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reentry import i18n
from reentry.cli import cli
from reentry.cli.base import Context
from reentry.store import open_store
from reentry.store.location import (
    PostgresLocation,
    SqliteLocation,
    mask_passwords,
    parse_location,
)

SECRET = "s3cr@t:pa%2Fss"  # "@" and ":" as typed, "/" percent-encoded
URL = f"postgresql://reentry:{SECRET}@db.hopital.local:5432/reentry"
UNREACHABLE = "does not answer"
CREATORS = {("db", "init"), ("demo",)}


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


PATHS = [path for path, _ in command_paths()]
LEAVES = [path for path, command in command_paths() if not isinstance(command, click.Group)]
# Commands that run with no argument at all: run for real against a missing database.
BARE = [path for path, command in command_paths()
        if not isinstance(command, click.Group) and path not in CREATORS
        and not any(p.required for p in command.params)]


def ids(path: tuple[str, ...]) -> str:
    return " ".join(path)


def invoke(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def parse_after(path: tuple[str, ...], args: list[str]) -> Context:
    """Parse ``reentry PATH... ARGS`` as click does, options after the last name; the context
    that the command would receive. A missing required argument is fine here: the eager
    ``--db`` and ``--lang`` are processed before it, and an unknown option is not swallowed."""
    state = Context(None)
    ctx = click.Context(cli, info_name="reentry", obj=state)
    group: click.Command = cli
    with ctx:
        for depth, name in enumerate(path):
            assert isinstance(group, click.Group)
            command = group.get_command(ctx, name)
            assert command is not None
            last = depth == len(path) - 1
            try:
                ctx = command.make_context(name, args if last else [path[depth + 1]],
                                           parent=ctx)
            except click.MissingParameter:
                assert last
            group = command
    return state


def test_the_walk_finds_nested_commands():
    assert ("event", "declare") in LEAVES and ("db", "init") in LEAVES and ("census",) in BARE
    assert ("event",) in PATHS and len(LEAVES) > 30


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_db_and_lang_are_accepted_before_and_after_the_name(path, tmp_path):
    db = tmp_path / "h.sqlite"
    for args in (["--db", db, "--lang", "en", *path, "--help"],
                 [*path, "--db", db, "--lang", "en", "--help"],
                 ["--lang", "fr", *path[:1], "--db", db, *path[1:], "--lang", "en", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "--db" in result.output and "--lang" in result.output
    assert list(tmp_path.iterdir()) == []  # asking for help touches no database


@pytest.mark.parametrize("path", PATHS, ids=ids)
def test_the_options_after_the_name_reach_the_command(path, tmp_path):
    db = str(tmp_path / "after.sqlite")
    state = parse_after(path, ["--db", db, "--lang", "en"])
    assert state.given == db and state.location == SqliteLocation(Path(db))
    assert i18n.get_language() == "en"


@pytest.mark.parametrize("path", BARE, ids=ids)
def test_a_missing_file_is_refused_in_one_line_and_nothing_is_created(path, tmp_path):
    missing = tmp_path / "typo.sqlite"
    for args in (["--db", missing, *path], [*path, "--db", missing, "--lang", "en"]):
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        line = one_line(result.stderr)
        assert str(missing) in line and "db init" in line
        assert result.stdout == ""
    assert "There is no Reentry database" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", BARE, ids=ids)
def test_a_missing_folder_is_refused_and_not_created(path, tmp_path):
    missing = tmp_path / "no-such-folder" / "reentry.sqlite"
    result = invoke(*path, "--db", missing)
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "Le dossier" in line and str(missing.parent) in line and "n'existe pas" in line
    assert list(tmp_path.iterdir()) == []


def test_the_db_after_the_name_wins_over_the_one_before(tmp_path):
    before, after = tmp_path / "avant.sqlite", tmp_path / "apres.sqlite"
    result = invoke("--db", before, "--lang", "en", "census", "--db", after, "--lang", "fr")
    line = one_line(result.stderr)
    assert str(after) in line and str(before) not in line and "Aucune base" in line
    nested = invoke("--db", before, "event", "--db", tmp_path / "x.sqlite", "list", "--db", after)
    assert str(after) in one_line(nested.stderr)


def test_commands_that_need_arguments_still_check_the_database(tmp_path):
    work, inputs = tmp_path / "base", tmp_path / "in"
    work.mkdir()
    inputs.mkdir()
    missing = work / "typo.sqlite"
    export = inputs / "export.csv"
    export.write_text("ipp\n", encoding="utf-8")
    for args in (["import", export, "--db", missing],
                 ["dossier", "100001", "--db", missing],
                 ["event", "declare", "--title", "Panne", "--user", "x", "--db", missing],
                 ["reconcile", "--db", missing, "--sih", export, "--out", inputs / "out",
                  "--user", "x"],
                 ["drill", "start", "--out", inputs / "copy.sqlite", "--db", missing]):
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        assert str(missing) in one_line(result.stderr)
    assert list(work.iterdir()) == []


def test_reentry_db_naming_a_missing_file_is_refused_too(tmp_path):
    missing = tmp_path / "typo.sqlite"
    result = invoke("users", "list", env={"REENTRY_DB": str(missing)})
    assert result.exit_code == 1 and str(missing) in one_line(result.stderr)
    assert not missing.exists()


def test_a_folder_given_as_the_database_is_refused(tmp_path):
    result = invoke("census", "--db", tmp_path, "--lang", "en")
    assert result.exit_code == 1 and "is a folder" in one_line(result.stderr)
    init = invoke("db", "init", tmp_path)
    assert init.exit_code == 1 and list(tmp_path.iterdir()) == []


def test_db_init_creates_an_empty_database_and_keeps_an_existing_one(tmp_path):
    db = tmp_path / "nouveau" / "hopital.sqlite"
    created = invoke("db", "init", db)
    assert created.exit_code == 0, created.output
    assert "Base Reentry créée" in created.output and str(db) in created.output
    assert db.is_file()
    assert invoke("census", "--db", db).exit_code == 0
    added = CliRunner().invoke(cli, ["--db", str(db), "users", "add", "claire.roux", "--role",
                                     "admin", "--password-stdin"], input="un secret assez long\n")
    assert added.exit_code == 0, added.output
    again = invoke("db", "init", db, "--lang", "en")
    assert again.exit_code == 0 and "already exists" in again.output
    store = open_store(db)
    try:
        assert store.user_by_name("claire.roux") is not None
    finally:
        store.close()


def test_db_init_without_a_path_creates_what_db_or_reentry_db_names(tmp_path):
    by_option = tmp_path / "option.sqlite"
    assert invoke("db", "init", "--db", by_option).exit_code == 0 and by_option.is_file()
    by_env = tmp_path / "env.sqlite"
    assert invoke("db", "init", env={"REENTRY_DB": str(by_env)}).exit_code == 0
    assert by_env.is_file()


def test_demo_creates_its_hospital(tmp_path):
    db = tmp_path / "demo" / "hopital.sqlite"
    result = invoke("demo", "--patients", 4, "--db", db)
    assert result.exit_code == 0, result.output
    assert db.is_file() and str(db) in result.output
    assert invoke("census", "--db", db, "--format", "csv").output.count("\n") == 1 + 4


@pytest.mark.parametrize("args", [
    ["--db", URL, "census"],
    ["census", "--db", URL],
    ["event", "list", "--db", URL, "--lang", "en"],
    ["db", "init", URL],
    ["demo", "--patients", "3", "--db", URL],
    ["drill", "start", "--out", "copie.sqlite", "--db", URL],
    ["--db", URL.replace(":5432", ":cinq"), "users", "list"],
    ["--db", URL.replace("%2F", "/"), "users", "list"],  # a "/" not encoded: not a port
    ["--db", URL.replace(":5432/reentry", ":5432/"), "users", "list"],
    ["--db", URL.replace("postgresql", "mysql"), "users", "list"],
    ["--db", URL.replace(":5432/reentry", ":5432/reentry?password=Zq9x"), "census"],
], ids=lambda args: " ".join(a.replace(URL, "URL") for a in args))
def test_a_password_in_a_url_is_never_printed(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    line = one_line(result.stderr)
    assert "s3cr" not in result.output and "Zq9x" not in result.output
    assert "***" in line and "db.hopital.local" in line
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_does_not_answer_is_said_in_one_line_without_its_password():
    result = invoke("--lang", "en", "census", "--db", URL)
    assert result.exit_code == 1 and SECRET not in result.output
    assert UNREACHABLE in one_line(result.stderr)
    assert "postgresql://reentry:***@db.hopital.local:5432/reentry" in result.stderr
    from_env = invoke("census", env={"REENTRY_DB": URL})
    assert from_env.exit_code == 1 and SECRET not in from_env.output
    assert "ne répond pas" in one_line(from_env.stderr)


def test_every_command_works_on_a_server_database(postgres_url, tmp_path):
    created = invoke("db", "init", postgres_url)
    assert created.exit_code == 0, created.output
    demo = invoke("--db", postgres_url, "demo", "--patients", "20")
    assert demo.exit_code == 0, demo.output
    census = invoke("census", "--db", postgres_url, "--format", "csv")
    assert census.exit_code == 0 and len(census.stdout.splitlines()) > 10
    drill = invoke("drill", "start", "--db", postgres_url, "--out", str(tmp_path / "d.sqlite"))
    assert drill.exit_code == 1 and "reentry db copy" in one_line(drill.stderr)


def test_a_bad_reentry_db_stops_only_the_commands_that_use_the_database(tmp_path):
    env = {"REENTRY_DB": "ftp://x:secret@y/z"}
    assert invoke("barcode", "--help", env=env).exit_code == 0
    refused = invoke("census", env=env)
    assert refused.exit_code == 1 and "secret" not in refused.output
    db = tmp_path / "h.sqlite"
    assert invoke("db", "init", db).exit_code == 0
    assert invoke("census", "--db", db, env=env).exit_code == 0  # --db wins over REENTRY_DB


def test_parse_location():
    location = parse_location(URL)
    assert isinstance(location, PostgresLocation)
    assert (location.host, location.port, location.dbname, location.user) == (
        "db.hopital.local", 5432, "reentry", "reentry")
    assert location.has_password and location.url == URL
    assert SECRET not in repr(location) and SECRET not in str(location)
    assert SECRET not in f"{location!r} {location}"
    assert location.shown == "postgresql://reentry:***@db.hopital.local:5432/reentry"
    bare = parse_location("postgres://db/reentry")
    assert isinstance(bare, PostgresLocation) and not bare.has_password
    assert bare.shown == "postgres://db/reentry"
    assert parse_location("postgresql+psycopg://u@h/d").dbname == "d"
    assert parse_location("  hopital.sqlite ") == SqliteLocation(Path("hopital.sqlite"))
    assert parse_location(Path("/x/y.sqlite")) == SqliteLocation(Path("/x/y.sqlite"))
    assert parse_location("C:\\Reentry\\h.sqlite") == SqliteLocation(Path("C:\\Reentry\\h.sqlite"))


def test_mask_passwords_in_any_text():
    assert mask_passwords(f"à {URL}. Réessayez") == (
        "à postgresql://reentry:***@db.hopital.local:5432/reentry. Réessayez")
    assert mask_passwords("postgresql://u@h:5432/d et postgresql://h:5432/d") == (
        "postgresql://u@h:5432/d et postgresql://h:5432/d")
    assert mask_passwords("host=h password=secret dbname=d") == "host=h password=*** dbname=d"
    assert mask_passwords("postgresql://h/d?sslmode=require&password=x") == (
        "postgresql://h/d?sslmode=require&password=***")
    assert mask_passwords("hopital.sqlite") == "hopital.sqlite"
