"""Opening a database the one way the command line and the app share: a typo'd file refused, and
a ward PC whose server does not answer reading the ward's offline copy instead."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from printed_ward import PRINTER

from reentry.cli import cli
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.errors import UserError
from reentry.printing.prepare import offline_copy_path, prepare
from reentry.store import open_store
from reentry.store.database import DatabaseUnreachable
from reentry.store.location import SqliteLocation, parse_location
from reentry.store.opening import open_database, open_or_offline

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def unreachable_url() -> str:
    """A server address where nothing listens (a port just freed): the network is « cut »."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://reentry:s3cr%40t@127.0.0.1:{port}/reentry"


def test_a_missing_file_is_refused_with_the_command_lines_words_and_not_created(tmp_path):
    typo = tmp_path / "reentyr.sqlite"
    with pytest.raises(UserError) as refused:
        open_database(typo)
    assert not typo.exists()
    cli_says = CliRunner().invoke(cli, ["--db", str(typo), "census"]).output
    assert refused.value.message() in cli_says
    assert "reentry db init" in refused.value.message()

    with pytest.raises(UserError) as no_folder:
        open_database(tmp_path / "nowhere" / "reentry.sqlite")
    assert "n'existe pas" in no_folder.value.message()
    with pytest.raises(UserError, match="dossier"):
        open_database(tmp_path)
    open_database(typo, create=True).close()  # db init and demo only
    open_database(typo).close()


def test_prepare_writes_the_copy_where_the_ward_pc_looks_for_it(tmp_path, db_path):
    store = open_store(db_path)
    create_demo(store, patients=8, seed=3, as_of=AS_OF)
    ward = store.census()[0].ward
    prepare(store, tmp_path / "poste", user=PRINTER, wards=(ward.code,), hours=4, admission_packets=0,
            now=AS_OF + timedelta(minutes=10))
    store.close()
    opened = open_or_offline(unreachable_url(), offline_copy_path(tmp_path / "poste"))
    try:
        assert opened.offline is not None
        assert opened.location == SqliteLocation(offline_copy_path(tmp_path / "poste"))
        assert opened.offline.ward_codes == (ward.code,)
        assert opened.offline.ward_names == (ward.name,)
        assert opened.offline.data_as_of == AS_OF
        assert {row.ward.code for row in opened.store.census()} == {ward.code}
        with pytest.raises(UserError, match="copie hors ligne"):
            opened.store.add_user("intrus", "Intrus", Role.ADMIN)
    finally:
        opened.store.close()


def test_a_server_that_answers_is_opened_not_the_copy(postgres_url, tmp_path):
    opened = open_or_offline(postgres_url, tmp_path / "absent.sqlite")
    try:
        assert opened.offline is None and opened.location == parse_location(postgres_url)
    finally:
        opened.store.close()


def test_without_a_copy_the_refusal_says_how_to_get_one_and_hides_the_password(tmp_path):
    url = unreachable_url()
    with pytest.raises(UserError) as no_folder:
        open_or_offline(url, None)
    text = no_folder.value.message()
    assert "ne répond pas" in text and "offline_dir" in text and "reentry prepare --dir" in text
    assert isinstance(no_folder.value.__cause__, DatabaseUnreachable)

    missing = offline_copy_path(tmp_path / "poste")
    with pytest.raises(UserError) as no_copy:
        open_or_offline(url, missing)
    assert str(missing) in no_copy.value.message()
    assert "REENTRY_OFFLINE_DIR" in no_copy.value.message()
    for error in (no_folder.value, no_copy.value):
        assert "s3cr" not in error.message() and "***" in error.message()
        assert "s3cr" not in error.message("en")


def test_an_ordinary_database_where_the_copy_should_be_is_not_opened(tmp_path):
    impostor = offline_copy_path(tmp_path / "poste")
    impostor.parent.mkdir(parents=True)
    open_store(impostor).close()
    with pytest.raises(UserError, match="n'est pas une copie hors ligne"):
        open_or_offline(unreachable_url(), impostor)
