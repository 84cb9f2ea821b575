"""``reentry second-read``: per field of each scanned page, the typed value, the ink, the
reading, its confidence and the verdict, in French by default, English with --lang en; one
clear line for a wrong code, a sheet not scanned yet, a page to rescan (second_read_ward)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from second_read_ward import build

from reentry.barcodes import group_for_reading
from reentry.cli import cli
from reentry.store import open_store


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    return build(tmp_path_factory.mktemp("second_read_cli"))


def _run(ward, *arguments):
    return CliRunner().invoke(cli, ["--db", str(ward.db), "second-read", *arguments],
                              catch_exceptions=False)


def test_the_table_names_rows_and_fields_as_on_paper(ward):
    result = _run(ward, "--sheet", ward.vitals.code(1))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["Feuille", "Page", "Ligne"]
    differs = [line for line in lines if "diffère" in line]
    assert len(differs) == 2
    (short,) = [line for line in differs if "EN" in line]  # 10 written, 1 typed
    assert "ligne 4, 20:00" in short and " 1 " in short
    differs.remove(short)
    assert "FC" in differs[0] and "ligne 2, 12:30" in differs[0]
    assert "93" in differs[0] and "95" in differs[0]
    assert group_for_reading(ward.vitals.code(1)) in differs[0]
    (untyped,) = [line for line in lines if "écrit, non saisi" in line]
    assert "SpO2" in untyped and "ligne 3, 16:00" in untyped and "95" in untyped
    (unwritten,) = [line for line in lines if "saisi, non écrit" in line]
    assert "FR" in unwritten and "ligne 4, 20:00" in unwritten
    assert "37,4" in result.stdout  # typed values as the paper writes them
    assert "heart_rate" not in result.stdout and "readings" not in result.stdout
    assert "4 désaccord(s) ouvert(s)" in lines[-1]


def test_json_and_csv_carry_every_field(ward):
    result = _run(ward, "--ward", ward.ward, "--format", "json")
    assert result.exit_code == 0
    lines = json.loads(result.stdout)
    verdicts = {(d["field_id"], d["row_index"], d["verdict"]) for d in lines
                if d["verdict"] not in ("agrees", "unsure")}
    assert verdicts == {("heart_rate", 1, "differs"), ("spo2", 2, "written_not_typed"),
                        ("respiratory_rate", 3, "typed_not_written"), ("pain", 3, "differs"),
                        ("status", 0, "differs"), ("date", None, "differs"),
                        ("text", 1, "written_not_typed")}
    rate = next(d for d in lines if d["field_id"] == "heart_rate" and d["row_index"] == 1)
    assert (rate["typed"], rate["reading"], rate["field"]) == ("93", "95", "FC")
    assert 0.5 < rate["confidence"] <= 1
    dose = next(d for d in lines if d["field_id"] == "status" and d["row_index"] == 0)
    assert dose["reading"] == "refused" and dose["typed"] == "not_given"
    assert " à " in dose["row"]  # the planned dose's drug and time, as printed
    table = list(csv.reader(io.StringIO(_run(ward, "--ward", ward.ward, "--format",
                                             "csv").stdout)))
    assert table[0] == ["code", "page", "row", "field", "typed", "ink", "reading",
                        "confidence", "verdict"]
    assert len(table) == len(lines) + 1
    # the page whose marks were cut off is said on stderr, to be rescanned
    assert "rescannez" in result.stderr and result.stderr.count("\n") == 1


def test_english_and_options_after_the_command(ward):
    result = CliRunner().invoke(cli, ["second-read", "--sheet", ward.mar.code(1), "--db",
                                      str(ward.db), "--lang", "en"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Verdict" in result.stdout and "differs" in result.stdout
    (line,) = [x for x in result.stdout.splitlines() if "differs" in x]
    assert " R " in f" {line} " and " N " in f" {line} "  # the answers' keys, as printed
    help_text = CliRunner().invoke(cli, ["second-read", "--help"]).output
    assert "--sheet" in help_text and "--ward" in help_text and "--format" in help_text


def test_clear_one_line_errors(ward):
    unknown = _run(ward, "--sheet", "123456789012")
    assert unknown.exit_code == 1 and unknown.output.count("\n") == 1
    assert "code inconnu" in unknown.output
    store = open_store(ward.db)
    try:
        sheets = store.batch_sheets(ward.vitals.batch_id)
    finally:
        store.close()
    unscanned = next(s for s in sheets if s.template_id == "downtime_admission")
    not_yet = _run(ward, "--sheet", unscanned.code(1))
    assert not_yet.exit_code == 1 and not_yet.output.count("\n") == 1
    assert "pas encore scannée" in not_yet.output and "scan-import" in not_yet.output
    dossier = next(s for s in sheets if s.template_id == "dossier")
    assert "page sans case à lire" in _run(ward, "--sheet", dossier.code(1)).output
    assert "service inconnu : XX" in _run(ward, "--ward", "XX").output
    cut = _run(ward, "--sheet", ward.transfer.code(1))
    assert cut.exit_code == 1 and cut.stdout == ""
    assert "repères d'angle introuvables" in cut.stderr and "rescannez" in cut.stderr
    english = CliRunner().invoke(cli, ["--lang", "en", "--db", str(ward.db), "second-read",
                                       "--sheet", ward.transfer.code(1)])
    assert "rescan it" in english.stderr
    assert "Traceback" not in unknown.output + not_yet.output + cut.output
