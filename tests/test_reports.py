"""Quality reports and audit packs on a real small outage: sheets printed and registered, typed,
checked, declared lost and not used; two reconciliation runs against hand-written SIH exports;
flags resolved by a person and by a run at known times. The numbers in the report, the PDF (read
back with poppler's pdftotext), the CSV and the audit pack (checked with sha256sum) must say
exactly what was done."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_passwords import ENV, give_passwords
from click.testing import CliRunner
from printed_ward import PRINTER

from reentry import clock
from reentry.barcodes import group_for_reading
from reentry.cli import cli
from reentry.demo import create_demo
from reentry.domain.entry import RecordRow, Role
from reentry.domain.events import DeclareEvent
from reentry.entry import service
from reentry.errors import Cancelled, UserError
from reentry.events.accounting import declare_sheets
from reentry.events.service import declare_event, end_event
from reentry.export.csv_items import ITEM_COLUMNS
from reentry.printing.station import PrintRequest, print_batch
from reentry.progress import CancelToken
from reentry.reconcile_run import run_reconciliation
from reentry.reports.audit_pack import write_audit_pack
from reentry.reports.gather import gather_report
from reentry.reports.quality import write_quality_report
from reentry.review import service as review
from reentry.sheets.policy import set_mode
from reentry.store import open_store
from reentry.verify import routing, sighted

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
END = AS_OF + timedelta(hours=3)  # the SIH is back at 23:00 UTC
NOW = END + timedelta(hours=10)  # when the report is made
NOT_SHEETS = {"ward_cover", "dossier"}


class FakeClock:
    """The store stamps resolutions with ``clock.now()``: this one says what the test says."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@dataclass
class Outage:
    db: Path
    event_id: int
    wards: tuple[str, str]
    names: dict[str, str]
    printed: dict[str, int]  # ward → form sheets printed
    returned_sheet: str  # code of the sheet back but not typed
    lost_serial: int
    runs: tuple[int, int]


def _sheet(sheets, ward, template):
    return next(s for s in sheets if s.ward_code == ward and s.template_id == template)


def _type(store, sheet, nurse, rows):
    service.open_sheet(store, sheet.code(1), nurse)
    service.confirm_identity(store, nurse, sheet.serial)
    for index, values in enumerate(rows):
        service.record_row(store, RecordRow(sheet.serial, 1, "readings", index, values,
                                            {"date": "23/11/2026"}, nurse,
                                            confirmed_warnings=frozenset(values)), now=END)
    service.mark_sheet_entered(store, nurse, sheet.serial)


def _sih_row(item, record_id, value=None, minutes=0):
    moment = clock.local(item.effective_time + timedelta(minutes=minutes))
    return {"record_id": record_id, "ipp": item.ipp, "nda": item.nda or "",
            "kind": item.kind.value, "code": item.code,
            "value": f"{value if value is not None else item.value:g}", "unit": item.unit or "",
            "route": "", "effective_time": moment.isoformat(timespec="seconds"),
            "author": item.author, "text": ""}


def _write_sih(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ITEM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def outage(tmp_path_factory) -> Outage:
    """Two wards of one planned outage. Ward 1: a vital-signs sheet typed (heart rate 72 and
    temperature 37.5) and checked by a second nurse, the medication sheet back but not typed.
    Ward 2: a vital-signs sheet typed (heart rate 80 and 84), the notes declared lost, the
    transfer sheet declared not used. The SIH holds the 72, the temperature as 38.5 (differs),
    not the 80 (missing), the 84 twice (duplicate). Two hours after the end the duplicate is
    resolved by hand; six hours after, a newer export holds the 80 and a second run closes it."""
    folder = tmp_path_factory.mktemp("outage")
    fake = FakeClock(AS_OF - timedelta(hours=1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", fake.now)
        store = open_store(folder / "reentry.sqlite")
        create_demo(store, patients=12, seed=8, as_of=AS_OF)
        wards = tuple(sorted({row.ward.code for row in store.census()})[:2])
        manager = service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
        nurse = service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
        checker = service.add_user(store, "jmartin", "Jean Martin", Role.NURSE)
        quality = service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
        set_mode(store, manager, "vital_signs", "sighted")
        event = declare_event(store, DeclareEvent(
            title="Coupure réseau", started_at=AS_OF, user=manager, planned=True,
            wards=wards)).event
        batch = print_batch(store, PrintRequest(user=PRINTER, out_dir=folder / "pdf", wards=wards, start=AS_OF,
                                                admission_packets=0))
        sheets = store.batch_sheets(batch.batch_id)
        end_event(store, manager, event.id, END)

        fake.moment = END + timedelta(minutes=20)
        first, second = wards
        vitals_1 = _sheet(sheets, first, "vital_signs")
        _type(store, vitals_1, nurse, [{"time": "21:00", "heart_rate": "72",
                                        "temperature": "37,5", "initials": "MD"}])
        routing.open_scanned(store, vitals_1.code(1), checker)
        service.confirm_identity(store, checker, vitals_1.serial)
        for entry in sighted.rows_to_check(store, vitals_1.serial):
            sighted.confirm_row(store, checker, vitals_1.serial, entry.id)
        sighted.finish_check(store, checker, vitals_1.serial)
        back = _sheet(sheets, first, "medication_administration")
        service.open_sheet(store, back.code(1), nurse)  # returned, not typed
        vitals_2 = _sheet(sheets, second, "vital_signs")
        _type(store, vitals_2, nurse, [{"time": "21:30", "heart_rate": "80", "initials": "MD"},
                                       {"time": "22:30", "heart_rate": "84", "initials": "MD"}])
        lost = _sheet(sheets, second, "nursing_notes")
        declare_sheets(store, [lost.serial], "lost", "égarée au brancardage", manager)
        declare_sheets(store, [_sheet(sheets, second, "transfer_discharge").serial],
                       "not_used", "patient resté dans l'unité", manager)

        items = {(i.serial, i.code, i.value): i for i in store.items()}
        hr72 = items[(vitals_1.serial, "8867-4", 72)]
        temp = items[(vitals_1.serial, "8310-5", 37.5)]
        hr80 = items[(vitals_2.serial, "8867-4", 80)]
        hr84 = items[(vitals_2.serial, "8867-4", 84)]
        rows = [_sih_row(hr72, "s1"), _sih_row(temp, "s2", value=38.5),
                _sih_row(hr84, "s3a"), _sih_row(hr84, "s3b", minutes=1)]
        run_1 = run_reconciliation(store, [_write_sih(folder / "sih-1.csv", rows)], None,
                                   folder / "run-1", user=quality, now=END + timedelta(hours=1))
        fake.moment = END + timedelta(hours=2)
        duplicate = next(f for f in review.flags(store, run_1.run_id) if f.verdict == "duplicate")
        review.resolve_flag(store, quality, duplicate.item_key, "duplicate_removed")
        fake.moment = END + timedelta(hours=6)
        run_2 = run_reconciliation(store, [_write_sih(folder / "sih-2.csv",
                                                      [*rows, _sih_row(hr80, "s4")])],
                                   None, folder / "run-2", user=quality, now=fake.moment)
        printed = {ward: sum(1 for s in sheets if s.ward_code == ward
                             and s.template_id not in NOT_SHEETS) for ward in wards}
        names = {w.code: w.name for w in store.wards() if w.code in wards}
        store.close()
    return Outage(folder / "reentry.sqlite", event.id, wards, names, printed,
                  group_for_reading(back.code(1)), lost.serial, (run_1.run_id, run_2.run_id))


def _quality(store):
    """Who writes the reports and packs here: the quality team (``Permission.REPORT``)."""
    return store.user_by_name("qualite")


@pytest.fixture
def report_store(outage):
    store = open_store(outage.db)
    yield store
    store.close()


def test_gathered_numbers_are_what_was_done(outage, report_store):
    report = gather_report(report_store, outage.event_id, now=NOW)
    first, second = outage.wards
    by_ward = {w.ward_code: w for w in report.wards}
    assert list(by_ward) == [first, second]
    one, two = by_ward[first], by_ward[second]
    assert one.ward_name == outage.names[first]
    assert (one.sheets.expected, one.sheets.returned, one.sheets.entered, one.sheets.verified,
            one.sheets.lost, one.sheets.not_used, one.sheets.unaccounted) == (
        outage.printed[first], 2, 1, 1, 0, 0, outage.printed[first] - 1)
    assert (two.sheets.expected, two.sheets.returned, two.sheets.entered, two.sheets.verified,
            two.sheets.lost, two.sheets.not_used, two.sheets.unaccounted) == (
        outage.printed[second], 1, 1, 0, 1, 1, outage.printed[second] - 3)
    # Verdicts of the latest run: the 80 is in the SIH now, the duplicate still doubled.
    assert report.verdict_run.id == outage.runs[1]
    assert [r.id for r in report.runs] == list(outage.runs)
    assert one.verdicts == {"in_sih": 1, "differs": 1, "missing": 0, "duplicate": 0}
    assert two.verdicts == {"in_sih": 1, "differs": 0, "missing": 0, "duplicate": 1}
    # Flags: the temperature still open; the duplicate resolved 2 h after the end of the outage,
    # the missing 80 closed by the second run 6 h after.
    assert (one.closure.open, one.closure.closed, one.closure.median_hours) == (1, 0, None)
    assert (two.closure.open, two.closure.closed) == (0, 2)
    assert (two.closure.median_hours, two.closure.max_hours) == (4.0, 6.0)
    total = report.total
    assert (total.sheets.expected, total.sheets.unaccounted) == (
        sum(outage.printed.values()), sum(outage.printed.values()) - 4)
    assert total.verdicts == {"in_sih": 2, "differs": 1, "missing": 0, "duplicate": 1}
    assert (total.closure.open, total.closure.closed, total.closure.max_hours) == (1, 2, 6.0)
    assert report.flags_total == 3
    assert [(h, round(p, 1)) for h, p in report.closure_curve] == [
        (0.0, 0.0), (2.0, 33.3), (6.0, 66.7)]
    assert report.horizon_hours == 10.0  # a flag is still open: the curve runs on to now

    flags = [i for i in report.open_items if i.category == "flag"]
    assert [(i.ward_code, i.kind, i.status) for i in flags] == [(first, "vital_sign", "differs")]
    assert flags[0].since == END + timedelta(hours=1) and flags[0].ipp
    assert flags[0].patient_name and flags[0].birth_date
    assert "38,5 °C" in flags[0].reason["fr"] and "38.5 °C" in flags[0].reason["en"]
    sheets = [i for i in report.open_items if i.category == "sheet"]
    assert len(sheets) == total.sheets.unaccounted
    back = next(i for i in sheets if i.reference == outage.returned_sheet)
    assert (back.status, back.kind, back.since) == (
        "returned_not_entered", "medication_administration", END + timedelta(minutes=20))
    assert {i.status for i in sheets if i is not back} == {"not_returned"}
    assert all(i.since == END for i in sheets if i is not back)
    assert all(i.patient_name and i.ipp for i in report.open_items)  # identity always there


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _layout_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_the_pdf_and_csv_say_the_same_numbers(outage, report_store, tmp_path):
    files = write_quality_report(report_store, outage.event_id, tmp_path / "out", user=_quality(report_store), now=NOW)
    assert files.pdf.read_bytes().startswith(b"%PDF") and files.pages >= 2
    text = _layout_text(files.pdf)
    first, second = outage.wards
    assert "Rapport qualité — Coupure réseau" in text
    assert "Feuilles par unité" in text and "Clôture des signalements" in text
    row = re.search(rf"{first} — {re.escape(outage.names[first])}\s+((?:\d+\s+){{6}}\d+)", text)
    assert row, text
    assert row.group(1).split() == [str(outage.printed[first]), "2", "1", "1", "0", "0",
                                    str(outage.printed[first] - 1)]
    row = re.search(rf"{second} — {re.escape(outage.names[second])}\s+((?:\d+\s+){{5}}\d+)"
                    r"\s+(\d+) ?h\s+(\d+) ?h", text)
    assert row, text
    assert row.group(1).split() == ["1", "0", "0", "1", "0", "2"]  # verdicts, open, closed
    assert (row.group(2), row.group(3)) == ("4", "6")  # hours: median, max after the end
    assert "Éléments ouverts" in text and outage.returned_sheet in text
    assert "rendue, non saisie" in text and "différent" in text

    with files.wards_csv.open(encoding="utf-8") as handle:
        wards = list(csv.DictReader(handle))
    assert list(wards[0]) == [
        "ward", "ward_name", "expected", "returned", "entered", "verified", "lost", "not_used",
        "unaccounted", "in_sih", "differs", "missing", "duplicate", "flags_open",
        "flags_closed", "closure_median_hours", "closure_max_hours",
        "second_read_disagreements"]
    assert [w["ward"] for w in wards] == [first, second]
    assert [w["second_read_disagreements"] for w in wards] == ["0", "0"]  # nothing scanned
    assert wards[1]["ward_name"] == outage.names[second]
    assert (wards[1]["lost"], wards[1]["not_used"], wards[1]["duplicate"]) == ("1", "1", "1")
    assert (wards[1]["closure_median_hours"], wards[1]["closure_max_hours"]) == ("4.00", "6.00")
    assert wards[0]["closure_median_hours"] == ""

    with files.open_items_csv.open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle))
    assert list(items[0]) == [
        "category", "ward", "patient_name", "birth_date", "ipp", "temporary_id", "kind",
        "kind_label", "status", "status_label", "reason", "since", "reference"]
    flag = next(i for i in items if i["category"] == "flag")
    assert (flag["status"], flag["status_label"], flag["kind_label"]) == (
        "differs", "différent", "constante")
    assert flag["since"] == clock.local(END + timedelta(hours=1)).isoformat(timespec="minutes")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", flag["birth_date"]) and flag["ipp"]
    assert sum(i["category"] == "sheet" for i in items) == sum(outage.printed.values()) - 4


def test_english_on_request(outage, report_store, tmp_path):
    files = write_quality_report(report_store, outage.event_id, tmp_path, user=_quality(report_store), lang="en", now=NOW)
    text = _layout_text(files.pdf)
    assert "Quality report — Coupure réseau" in text and "Sheets per ward" in text
    assert "Open items" in text and "Made on" in text and "Rapport qualité" not in text
    with files.open_items_csv.open(encoding="utf-8") as handle:
        flag = next(r for r in csv.DictReader(handle) if r["category"] == "flag")
    assert flag["status_label"] == "differs" and "38.5 °C" in flag["reason"]  # English numbers in English


def test_the_audit_pack_is_complete_and_its_manifest_verifies(outage, report_store, tmp_path):
    out = tmp_path / "pack"
    pack = write_audit_pack(report_store, outage.event_id, out, user=_quality(report_store), now=NOW)
    assert {"README.txt", "manifest.json", "SHA256SUMS", "evenement.json",
            "cycle-de-vie-feuilles.csv", "verdicts.csv", "resolutions.csv", "journal-audit.csv",
            "rapport-qualite.pdf", "par-unite.csv", "elements-ouverts.csv"} <= set(pack.files)
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]  # no temporary folder left

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(pack.files) - {"manifest.json", "SHA256SUMS"}
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with (out / "par-unite.csv").open("a", encoding="utf-8") as handle:
        handle.write("tampered\n")
    tampered = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True,
                              text=True)
    assert tampered.returncode != 0 and "par-unite.csv: FAILED" in tampered.stdout

    event = json.loads((out / "evenement.json").read_text(encoding="utf-8"))
    assert (event["id"], event["status"], event["ended_at"]) == (
        outage.event_id, "ended", clock.to_storage(END))
    lifecycle = list(_read(out / "cycle-de-vie-feuilles.csv"))
    lost = [r for r in lifecycle if r["serial"] == str(outage.lost_serial)]
    assert [r["action"] for r in lost][-1] == "lost" and lost[-1]["reason"] == "égarée au brancardage"
    assert {"printed", "returned", "entered", "verified", "lost", "not_used"} <= {
        r["action"] for r in lifecycle}
    runs = list(_read(out / "rapprochements.csv"))
    assert [int(r["id"]) for r in runs] == list(outage.runs)
    verdicts = list(_read(out / "verdicts.csv"))
    assert len(verdicts) == 8  # four paper items in each of the two runs
    steps = [(r["action"], r["username"]) for r in
             _read(out / "resolutions.csv")]
    assert ("resolved", "qualite") in steps and ("closed_by_run", "") in steps
    audit = {r["action"] for r in _read(out / "journal-audit.csv")}
    assert {"event_declared", "event_ended", "sheet_declared_lost", "entry_recorded",
            "sheet_verified", "reconciliation_run", "flag_resolved",
            "flag_closed_by_run"} <= audit
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "Dossier d'audit" in readme and "sha256sum -c SHA256SUMS" in readme
    assert all(name in readme for name in pack.files if name != "README.txt")


def test_the_audit_pack_never_overwrites(outage, report_store, tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "notes.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(UserError) as refused:
        write_audit_pack(report_store, outage.event_id, out, user=_quality(report_store), now=NOW)
    assert "n'est pas vide" in refused.value.message()
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "SHA256SUMS" in write_audit_pack(report_store, outage.event_id, empty, user=_quality(report_store), now=NOW).files


def test_a_cancelled_pack_leaves_nothing_behind(outage, report_store, tmp_path):
    token = CancelToken()
    seen = []

    def progress(step):
        seen.append(step.label.render())
        if len(seen) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        write_audit_pack(report_store, outage.event_id, tmp_path / "pack", user=_quality(report_store), now=NOW,
                         progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == [] and seen[0] == "Écriture de evenement.json…"


def test_commands(outage, tmp_path):
    give_passwords(outage.db)
    runner = CliRunner(env=ENV)

    def run(*args):
        return runner.invoke(cli, ["--db", str(outage.db), *map(str, args), "--user", "qualite"])

    done = run("report", "--event", outage.event_id, "--out", tmp_path / "r")
    assert done.exit_code == 0, done.output
    assert "écrit dans" in done.output
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "elements-ouverts.csv", "par-unite.csv", "rapport-qualite.pdf"]
    english = run("report", "--event", outage.event_id, "--out", tmp_path / "en", "--lang", "en")
    assert english.exit_code == 0 and "Quality report" in _layout_text(
        tmp_path / "en" / "rapport-qualite.pdf")
    unknown = run("report", "--event", 99, "--out", tmp_path / "x")
    assert unknown.exit_code == 1 and "99" in unknown.output and "reentry event list" in (
        unknown.output)
    packed = run("audit-pack", "--event", outage.event_id, "--out", tmp_path / "pack")
    assert packed.exit_code == 0 and "sha256sum" in packed.output
    again = run("audit-pack", "--event", outage.event_id, "--out", tmp_path / "pack")
    assert again.exit_code == 1 and "jamais" in again.output


@pytest.mark.both_backends
def test_paper_from_a_csv_belongs_to_the_event_whose_outage_it_was_written_in(store, tmp_path):
    """Items of a paper CSV have no sheet: they count for the event when written during the
    outage, in a ward it affects."""
    create_demo(store, patients=12, seed=8, as_of=AS_OF)
    manager = service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    row = store.census()[0]
    event = declare_event(store, DeclareEvent(title="Panne", started_at=AS_OF, user=manager,
                                              planned=False)).event
    end_event(store, manager, event.id, END)
    ipp = row.patient.ipp
    paper = tmp_path / "paper.csv"
    paper.write_text(
        ",".join(ITEM_COLUMNS) + "\n"
        f"p1,{ipp},,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,\n"
        f"p2,{ipp},,vital_sign,8867-4,75,/min,,2026-11-25T10:00:00+01:00,AB,\n",
        encoding="utf-8")
    other = store.census()[1].patient.ipp  # the SIH holds something, about someone else
    sih = tmp_path / "sih.csv"
    sih.write_text(",".join(ITEM_COLUMNS) + "\n"
                   f"s1,{other},,vital_sign,8867-4,60,/min,,2026-11-23T22:00:00+01:00,XY,\n",
                   encoding="utf-8")
    quality = service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    run_reconciliation(store, [sih], paper, tmp_path / "run", user=quality,
                       now=END + timedelta(hours=1))
    report = gather_report(store, event.id, now=NOW)
    assert [(w.ward_code, w.verdicts["missing"]) for w in report.wards] == [(row.ward.code, 1)]
    assert [i.reference for i in report.open_items] == ["p1"]
    assert report.wards[0].sheets.expected == 0  # nothing printed for this event


@pytest.mark.both_backends
def test_an_event_with_nothing_yet_still_reports(store, tmp_path):
    create_demo(store, patients=3, seed=8, as_of=AS_OF)
    manager = service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    event = declare_event(store, DeclareEvent(title="Panne en cours", started_at=AS_OF,
                                              user=manager, planned=False)).event
    files = write_quality_report(store, event.id, tmp_path, user=manager, now=NOW)
    assert files.report.wards == [] and files.report.verdict_run is None
    assert files.report.closure_curve == []
    text = _layout_text(files.pdf)
    assert "Aucun rapprochement" in text and "Aucun élément ouvert" in text
    assert "en cours" in text


def test_a_failed_csv_leaves_the_previous_file_and_no_partial(tmp_path: Path) -> None:
    """A report CSV is written whole or not at all: a failure half-way (here, the rows cannot
    be produced) keeps the file already there and leaves no ``.partial`` beside it."""
    from reentry.reports.csv_out import write_csv

    target = tmp_path / "par-unite.csv"
    assert write_csv(target, ("ward", "sheets"), [("MED1", 3)]) == 1
    before = target.read_bytes()

    def rows():  # type: ignore[no-untyped-def]
        yield ("MED1", 4)
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_csv(target, ("ward", "sheets"), rows())
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["par-unite.csv"]
