"""``reentry db copy``: a print station's file joins the server, the server is copied back into
a file for an audit, every table proven equal; a copy never overwrites data."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reentry.cli import cli
from reentry.store import open_store


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def summary(location: Path | str) -> tuple:
    store = open_store(location)
    try:
        census = [(r.patient.ipp, r.ward.code, r.stay.bed) for r in store.census()]
        sheets = sorted((b.id, len(store.batch_sheets(b.id))) for b in store.batches())
        return census, sheets, len(store.audit()), [u.username for u in store.users()]
    finally:
        store.close()


def test_a_station_file_is_copied_to_the_server_and_back_identical(tmp_path, postgres_url):
    station = tmp_path / "station.sqlite"
    made = invoke("--db", station, "demo", "--patients", "20", "--scenario", "outage",
                  "--out", tmp_path / "pdf")
    assert made.exit_code == 0, made.output
    to_server = invoke("db", "copy", station, postgres_url)
    assert to_server.exit_code == 0, to_server.output
    assert "SHA-256" in to_server.output
    assert summary(postgres_url) == summary(station)
    back = tmp_path / "audit" / "copie.sqlite"
    to_file = invoke("db", "copy", postgres_url, back)
    assert to_file.exit_code == 0, to_file.output
    assert summary(back) == summary(station)
    # The server goes on numbering after the copied records: a new batch gets a new id.
    store = open_store(postgres_url)
    try:
        copied = max(b.id for b in store.batches())
        batch = store.open_batch(None, ["W1"], store.batches()[0].window_start, 8, "fr", None)
        assert batch.id == copied + 1
    finally:
        store.close()


def test_a_copy_never_goes_into_a_database_that_holds_data(tmp_path):
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for path in (first, second):
        assert invoke("--db", path, "demo", "--patients", "5").exit_code == 0
    before = summary(second)
    refused = invoke("--lang", "en", "db", "copy", first, second)
    assert refused.exit_code == 1 and "already holds data" in refused.stderr
    assert summary(second) == before
    same = invoke("--lang", "en", "db", "copy", first, first)
    assert same.exit_code == 1 and "same database" in same.stderr
    missing = invoke("db", "copy", tmp_path / "typo.sqlite", tmp_path / "c.sqlite")
    assert missing.exit_code == 1 and not (tmp_path / "c.sqlite").exists()
