"""reentry reconcile and reentry link-identities, end to end, on the outage demo and files."""

import csv
import subprocess
from datetime import UTC, datetime

from cli_passwords import ENV, PASSWORD, give_passwords
from click.testing import CliRunner

from reentry.cli import cli
from reentry.demo.outage import create_outage_demo
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def _first_admin(db):
    """A new database's first account, an admin (who may reconcile), as its installer makes it."""
    added = CliRunner().invoke(cli, ["--db", str(db), "users", "add", "dsi", "--role", "admin",
                                     "--password-stdin"], input=PASSWORD)
    assert added.exit_code == 0, added.output


def test_reconcile_the_outage_demo_against_its_sih_export(tmp_path):
    db = tmp_path / "h.sqlite"
    store = open_store(db)
    demo = create_outage_demo(store, tmp_path / "pdf", patients=25, seed=6, as_of=AS_OF)
    paper = len(store.items())
    store.close()
    give_passwords(db)
    result = CliRunner(env=ENV).invoke(cli, ["--db", str(db), "reconcile", "--sih",
                                             str(demo.sih_export), "--out", str(tmp_path / "out"),
                                             "--user", "qualite"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "verdicts.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["item_id", "verdict", "ipp", "kind", "sih_ids", "score", "reason"]
    assert len(rows) == paper  # one verdict per paper item
    verdicts = {r["verdict"] for r in rows}
    assert {"in_sih", "missing"} <= verdicts
    assert all(r["reason"] for r in rows)
    pages = subprocess.run(["pdfinfo", str(tmp_path / "out" / "rapport.pdf")],
                           capture_output=True, text=True, check=True).stdout
    assert "Pages:" in pages
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "rapport.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Rapprochement papier / SIH" in text and "absent du SIH" in text


def test_reconcile_works_on_a_fresh_database_given_both_files(tmp_path):
    paper = tmp_path / "paper.csv"
    sih = tmp_path / "sih.csv"
    header = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
    paper.write_text(header
                     + "p1,100001,,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,\n"
                     + "p2,100001,,medication_administration,paracétamol,1,g,PO,"
                       "2026-11-23T22:00:00+01:00,AB,\n", encoding="utf-8")
    sih.write_text(header
                   + "s1,100001,,vital_sign,8867-4,72,/min,,2026-11-23T22:10:00+01:00,AB,\n",
                   encoding="utf-8")
    fresh = tmp_path / "new.sqlite"  # the spelling: --db after the command name
    assert CliRunner().invoke(cli, ["db", "init", str(fresh)]).exit_code == 0
    _first_admin(fresh)
    result = CliRunner(env=ENV).invoke(cli, [
        "reconcile", "--db", str(fresh), "--sih", str(sih), "--paper", str(paper), "--out",
        str(tmp_path / "out"), "--user", "dsi"])
    assert result.exit_code == 0, result.output
    assert fresh.is_file()  # the run is stored in the database named there
    with (tmp_path / "out" / "verdicts.csv").open(encoding="utf-8") as handle:
        rows = {r["item_id"]: r for r in csv.DictReader(handle)}
    assert rows["p1"]["verdict"] == "in_sih" and rows["p1"]["sih_ids"] == "s1"
    assert rows["p2"]["verdict"] == "missing"


def test_reconcile_needs_an_sih_export(tmp_path):
    assert CliRunner().invoke(cli, ["db", "init", str(tmp_path / "h.sqlite")]).exit_code == 0
    _first_admin(tmp_path / "h.sqlite")
    result = CliRunner(env=ENV).invoke(cli, ["--db", str(tmp_path / "h.sqlite"), "reconcile",
                                             "--out", str(tmp_path / "out"), "--user", "dsi"])
    assert result.exit_code == 1 and "--sih" in result.stderr


def test_link_identities_command(tmp_path):
    left, right = tmp_path / "left.csv", tmp_path / "right.csv"
    columns = ("id,birth_name,used_name,given_names,birth_date,sex,birth_place,address,"
               "postcode,city,national_id\n")
    left.write_text(columns + "T1,,DUPONT,Marie,1950-04-12,F,,,,,\n"
                    + "T2,INCONNU,,Zoé,2001-01-01,F,,,,,\n", encoding="utf-8")
    right.write_text(columns + "P1,MARTIN,DUPONT,Marie Claire,1950-04-12,F,75056,,,,\n"
                     + "P2,DURAND,,Paul,1962-03-03,M,,,,,\n", encoding="utf-8")
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(cli, ["link-identities", str(left), str(right), "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as handle:  # a BOM, so that Excel reads the accents
        rows = {r["id_left"]: r for r in csv.DictReader(handle)}
    assert rows["T1"]["id_right"] == "P1" and rows["T1"]["decision"] in ("link", "review")
    assert rows["T2"]["decision"] == "no_match"


def test_reconcile_reads_a_fhir_sih_export(tmp_path, samples_dir):
    from reentry.reconcile_sources import sih_items_from_files

    sample = samples_dir / "fhir-r4" / "inpatient_us_quality_core.json"
    heart = next(i for i in sih_items_from_files([sample]) if i.code == "8867-4")
    assert heart.ipp == "12345" and heart.kind == "vital_sign" and heart.value is not None
    paper = tmp_path / "paper.csv"
    paper.write_text(
        "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
        f"p1,12345,,vital_sign,8867-4,{heart.value:g},{heart.unit},,"
        f"{heart.effective_time.isoformat()},AB,\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["db", "init", str(tmp_path / "h.sqlite")]).exit_code == 0
    _first_admin(tmp_path / "h.sqlite")
    result = CliRunner(env=ENV).invoke(cli, ["--db", str(tmp_path / "h.sqlite"), "reconcile",
                                             "--sih", str(sample), "--paper", str(paper),
                                             "--out", str(tmp_path / "out"), "--user", "dsi"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "verdicts.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["verdict"] == "in_sih" and heart.id in row["sih_ids"]
