"""The ``reentry`` command line, through click's runner and as a real process."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from reentry.cli import CENSUS_COLUMNS, cli

from test_import_csv import CENSUS, ITEMS


@pytest.fixture
def run(db_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "init", str(db_path)]).exit_code == 0

    def invoke(*args, lang=None):
        options = ["--db", str(db_path)] + (["--lang", lang] if lang else [])
        return runner.invoke(cli, [*options, *map(str, args)], catch_exceptions=False)

    return invoke


@pytest.fixture
def census_file(tmp_path):
    path = tmp_path / "census.csv"
    path.write_text(CENSUS, encoding="utf-8")
    return path


def test_every_command_has_help(run):
    for command in cli.commands:
        result = run(command, "--help")
        assert result.exit_code == 0 and "--help" in result.output, command
        assert cli.commands[command].help, f"{command} has no help text"


def test_import_then_census_in_every_format(run, census_file):
    result = run("import", census_file)
    assert result.exit_code == 0 and "importé" in result.output
    again = run("import", census_file)
    assert "déjà importé" in again.output

    rows = list(csv.DictReader(io.StringIO(run("census", "--format", "csv").output)))
    assert list(rows[0]) == list(CENSUS_COLUMNS)
    assert [(r["ipp"], r["ward"], r["room"], r["bed"]) for r in rows] == [
        ("100002", "1201", "2", "B"), ("100001", "1201", "10", "A")]
    assert rows[1]["used_name"] == "DURAND" and rows[1]["birth_name"] == "MARTIN"

    data = json.loads(run("census", "--ward", "1201", "--format", "json").output)
    assert [r["ipp"] for r in data] == ["100002", "100001"]
    table = run("census").output
    assert "Cardiologie" in table and "MARTIN (DURAND)" in table


def test_unknown_ward_is_one_clear_line_and_exit_1(run, census_file):
    run("import", census_file)
    result = run("census", "--ward", "9999", lang="en")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Unknown ward: 9999. Known wards: 1201."


def test_dossier_of_unknown_patient(run, census_file):
    run("import", census_file)
    result = run("dossier", "424242")
    assert result.exit_code == 1 and "424242" in result.stderr


def test_dossier_shows_identity_and_items(run, census_file, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text(ITEMS, encoding="utf-8")
    extracted = datetime(2026, 11, 23, 14, 0, tzinfo=UTC).timestamp()  # the items' day, not today
    for path in (census_file, items):
        os.utime(path, (extracted, extracted))
    run("import", census_file, items)
    out = run("dossier", "100001").output
    assert "MARTIN" in out and "DURAND" in out and "100001" in out
    assert "Patiente calme." in out


def test_a_bad_file_exits_non_zero_as_a_real_process(tmp_path, census_file):
    exe = shutil.which("reentry") or str(
        __import__("pathlib").Path(sys.executable).with_name("reentry"))
    bad = tmp_path / "bad.csv"
    bad.write_text(CENSUS.replace("12/04/1950", "1950-13-45"), encoding="utf-8")
    db = tmp_path / "cli.sqlite"
    subprocess.run([exe, "db", "init", db], check=True, capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=60)
    ok = subprocess.run([exe, "--db", db, "import", census_file], capture_output=True, text=True,
                        stdin=subprocess.DEVNULL, timeout=60)
    assert ok.returncode == 0, ok.stderr
    result = subprocess.run([exe, "--db", db, "import", bad], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 1
    assert "bad.csv" in result.stderr and "birth_date" in result.stderr
    assert "Traceback" not in result.stderr
