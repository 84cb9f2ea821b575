"""Reconciliation runs stored, flags worked to closure and kept across re-runs, identities decided
by the identity-vigilance cell only: on real SQLite files, real CSV exports, the real matcher."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cli_passwords import ENV, PASSWORD
from click.testing import CliRunner

from reentry.cli import cli
from reentry.domain.entry import RecordRow, Role
from reentry.domain.review import CLOSED, FIXED_IN_SIH, OPEN, SUPERSEDED
from reentry.domain.review_lifecycle import FlagState, transition
from reentry.entry import service as entry_service
from reentry.errors import UserError
from reentry.reconcile_run import run_reconciliation
from reentry.review import service
from reentry.store import open_store

HEADER = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
IDENTITY_HEADER = ("id,birth_name,used_name,given_names,birth_date,sex,birth_place,address,"
                   "postcode,city,national_id\n")
RUN_1 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
RUN_2 = RUN_1 + timedelta(hours=2)

PAPER = [
    "p1,100001,,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,",
    "p2,100001,,medication_administration,paracétamol,1,g,PO,2026-11-23T22:00:00+01:00,AB,",
    "p3,100001,,vital_sign,8310-5,37.5,Cel,,2026-11-23T23:00:00+01:00,AB,",
    "p4,100001,,vital_sign,8867-4,80,/min,,2026-11-23T23:30:00+01:00,AB,",
]
SIH_1 = [
    "s1,100001,,vital_sign,8867-4,72,/min,,2026-11-23T22:10:00+01:00,AB,",
    "s3,100001,,vital_sign,8310-5,38.5,Cel,,2026-11-23T23:00:00+01:00,AB,",
    "s4a,100001,,vital_sign,8867-4,80,/min,,2026-11-23T23:30:00+01:00,AB,",
    "s4b,100001,,vital_sign,8867-4,80,/min,,2026-11-23T23:31:00+01:00,AB,",
    "s9,100001,,vital_sign,9279-1,18,/min,,2026-11-23T22:30:00+01:00,XY,",
]
# The newer export: the paracetamol entered since (with the wrong dose), the duplicate removed.
SIH_2 = [SIH_1[0], SIH_1[1], SIH_1[2],
         "s2,100001,,medication_administration,paracétamol,2,g,PO,2026-11-23T22:05:00+01:00,AB,"]


def write(path, rows, header=HEADER):
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def people(store):
    quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    vigilance = entry_service.add_user(store, "idv", "Inès Vigilance", Role.IDENTITY_VIGILANCE)
    nurse = entry_service.add_user(store, "infirmiere", "Ida Infirmière", Role.NURSE)
    return quality, vigilance, nurse


@pytest.mark.both_backends
def test_a_run_is_stored_with_its_sources_and_every_verdict(store, people, tmp_path):
    quality = people[0]
    sih = write(tmp_path / "sih.csv", SIH_1)
    paper = write(tmp_path / "paper.csv", PAPER)
    outcome = run_reconciliation(store, [sih], paper, tmp_path / "out", user=quality, now=RUN_1)
    run = store.review_run(outcome.run_id)
    assert run.username == "qualite" and run.at == RUN_1
    assert [(s.name, s.sha256) for s in run.sih_files] == [
        ("sih.csv", hashlib.sha256(sih.read_bytes()).hexdigest())]
    assert run.paper_source == "csv:paper.csv"
    assert run.counts == {"in_sih": 1, "differs": 1, "missing": 1, "duplicate": 1}
    assert run.unmatched == 1 and store.review_unmatched(run.id)[0]["id"] == "s9"
    assert run.flag_changes == {"flagged": 3}
    flags = {f.item_key: f for f in store.review_flags(run.id)}
    assert set(flags) == {"p2", "p3", "p4"}  # in_sih is no flag
    assert {k: f.run_verdict for k, f in flags.items()} == {
        "p2": "missing", "p3": "differs", "p4": "duplicate"}
    detail = service.flag_detail(store, run.id, "p3")
    assert detail.paper["value"] == 37.5 and [s["value"] for s in detail.sih] == [38.5]
    assert detail.differs_on == ("value",) and detail.sih_ids == ("s3",)
    assert "38,5" in flags["p3"].reason["fr"] and "38.5" in flags["p3"].reason["en"]
    duplicate = service.flag_detail(store, run.id, "p4")
    assert set(duplicate.sih_ids) == {"s4a", "s4b"} and len(duplicate.sih) == 2
    audit = store.audit("review_run")
    assert audit[-1]["action"] == "reconciliation_run" and audit[-1]["username"] == "qualite"


@pytest.mark.both_backends
def test_resolving_needs_the_right_a_reason_and_is_audited(store, people, tmp_path):
    quality, _vigilance, nurse = people
    run_reconciliation(store, [write(tmp_path / "sih.csv", SIH_1)],
                       write(tmp_path / "paper.csv", PAPER), tmp_path / "out", user=quality,
                       now=RUN_1)
    with pytest.raises(UserError) as refused:
        service.resolve_flag(store, nurse, "p2", "entered_in_sih")
    assert "qualité" in refused.value.message()
    with pytest.raises(UserError) as no_comment:
        service.resolve_flag(store, quality, "p2", "other", "  ")
    assert "commentaire" in no_comment.value.message()
    with pytest.raises(UserError):
        service.resolve_flag(store, quality, "p2", "because")
    with pytest.raises(UserError):
        service.resolve_flag(store, quality, "nope", "paper_error")
    assert store.review_flag("p2")["status"] == OPEN  # nothing half-written by the refusals

    service.resolve_flag(store, quality, "p2", "other", "feuille de démonstration")
    flag = store.review_flag("p2")
    assert (flag["status"], flag["resolution"], flag["comment"]) == (
        CLOSED, "other", "feuille de démonstration")
    with pytest.raises(UserError):
        service.resolve_flag(store, quality, "p2", "paper_error")  # reopen first
    service.reopen_flag(store, quality, "p2", "à revoir")
    assert store.review_flag("p2")["status"] == OPEN
    audit = [a for a in store.audit("review_flag") if a["username"] == "qualite"]
    assert [a["action"] for a in audit] == ["flag_resolved", "flag_reopened"]
    resolved = json.loads(audit[0]["detail"])
    assert resolved == {"item_key": "p2", "verdict": "missing", "resolution": "other",
                        "comment": "feuille de démonstration"}
    assert json.loads(audit[1]["detail"])["previous"]["resolution"] == "other"
    detail = service.flag_detail(store, 1, "p2")
    assert [e.action for e in detail.history] == ["flagged", "resolved", "reopened"]
    assert detail.previous["comment"] == "feuille de démonstration"


@pytest.mark.both_backends
def test_a_rerun_after_a_newer_export_keeps_closes_and_reopens(store, people, tmp_path):
    quality = people[0]
    paper = write(tmp_path / "paper.csv", PAPER)
    first = run_reconciliation(store, [write(tmp_path / "sih1.csv", SIH_1)], paper,
                               tmp_path / "out1", user=quality, now=RUN_1)
    service.resolve_flag(store, quality, "p2", "entered_in_sih")  # missing, typed in the SIH
    service.resolve_flag(store, quality, "p3", "paper_error")  # differs, the paper was wrong

    second = run_reconciliation(store, [write(tmp_path / "sih2.csv", SIH_2)], paper,
                                tmp_path / "out2", user=quality, now=RUN_2)
    assert second.counts == {"in_sih": 2, "differs": 2, "missing": 0, "duplicate": 0}
    assert second.flag_changes == {"kept": 1, "reopened_by_run": 1, "closed_by_run": 1}
    kept, reopened, fixed = (store.review_flag(k) for k in ("p3", "p2", "p4"))
    # Still flagged the same way: the resolution holds.
    assert (kept["status"], kept["resolution"], kept["last_run_id"]) == (
        CLOSED, "paper_error", second.run_id)
    # Flagged another way (missing → differs): open again, the previous resolution shown.
    assert (reopened["status"], reopened["verdict"]) == (OPEN, "differs")
    assert json.loads(reopened["previous"])["resolution"] == "entered_in_sih"
    # Now in the SIH: closed by the run itself, with its id.
    assert (fixed["status"], fixed["resolution"], fixed["closed_by_run"]) == (
        CLOSED, FIXED_IN_SIH, second.run_id)
    rows = {f.item_key: f for f in store.review_flags(second.run_id)}
    assert rows["p4"].run_verdict == "in_sih" and rows["p4"].time_to_closure == RUN_2 - RUN_1
    assert rows["p2"].time_to_closure is None
    # The first run is still there to look at, as it was.
    assert {f.item_key: f.run_verdict for f in store.review_flags(first.run_id)}["p4"] == (
        "duplicate")
    automatic = [a for a in store.audit("review_flag") if a["action"].endswith("_by_run")]
    assert sorted(a["action"] for a in automatic) == ["flag_closed_by_run",
                                                      "flag_reopened_by_run"]


def test_lifecycle_rules_one_by_one():
    assert transition(None, "missing").action == "flagged"
    assert transition(None, "in_sih") is None
    open_missing = FlagState("missing", OPEN, None)
    assert transition(open_missing, "missing").action == "kept"
    assert transition(open_missing, "differs").action == "verdict_changed"
    assert transition(open_missing, "in_sih").resolution == FIXED_IN_SIH
    assert transition(open_missing, None).resolution == SUPERSEDED
    resolved = FlagState("missing", CLOSED, "paper_error")
    assert transition(resolved, "missing").status == CLOSED
    assert transition(resolved, "duplicate").action == "reopened_by_run"
    assert transition(resolved, "in_sih") is None and transition(resolved, None) is None
    fixed = FlagState("missing", CLOSED, FIXED_IN_SIH)
    assert transition(fixed, "missing").action == "reopened_by_run"  # gone from the SIH again


AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_store_items_have_stable_keys_and_a_corrected_row_is_a_new_flag(sheets, db_path,
                                                                          tmp_path):
    store = open_store(db_path)
    nurse = entry_service.sign_in(store, "mdupont")
    instance = next(s for s in sheets if s.template_id == "vital_signs" and s.patient_id)
    entry_service.open_sheet(store, instance.code(1), nurse)
    entry_service.confirm_identity(store, nurse, instance.serial)
    row = {"time": "23h15", "heart_rate": "72", "temperature": "37,5", "initials": "AB"}
    entry = entry_service.record_row(store, RecordRow(
        instance.serial, 1, "readings", 0, row, {"date": "23/11/2026"}, nurse))
    heart = next(i for i in store.items() if i.code == "8867-4")
    sih = write(tmp_path / "sih.csv", [
        f"s1,{instance.ipp},,vital_sign,8867-4,72,/min,,{heart.effective_time.isoformat()},AB,"])
    quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    first = run_reconciliation(store, [sih], None, tmp_path / "out1", user=quality, now=RUN_1)
    flags = store.review_flags(first.run_id)
    temperature = next(f for f in flags if f.code == "8310-5")
    assert temperature.item_key.startswith(f"{instance.serial}/readings/0/")
    assert temperature.run_verdict == "missing" and temperature.ward_code == instance.ward_code
    assert temperature.ipp == instance.ipp and temperature.identity.known
    detail = service.flag_detail(store, first.run_id, temperature.item_key)
    assert (detail.serial, detail.page) == (instance.serial, 1)
    assert detail.paper["entered_by"] == "mdupont"

    second = run_reconciliation(store, [sih], None, tmp_path / "out2", user=quality, now=RUN_2)
    assert second.flag_changes == {"kept": 1}  # same keys: the same flag, not a new one

    entry_service.record_row(store, RecordRow(
        instance.serial, 1, "readings", 0, {**row, "temperature": "38,5"}, {"date": "23/11/2026"},
        nurse, corrects=entry.id, reason="erreur de lecture"))
    third = run_reconciliation(store, [sih], None, tmp_path / "out3", user=quality,
                               now=RUN_2 + timedelta(hours=1))
    assert third.flag_changes == {"flagged": 1, "superseded": 1}
    assert store.review_flag(temperature.item_key)["resolution"] == SUPERSEDED
    new = next(f for f in store.review_flags(third.run_id) if f.code == "8310-5")
    assert new.item_key != temperature.item_key and new.status == OPEN
    store.close()


@pytest.fixture
def identity_files(tmp_path):
    left = write(tmp_path / "left.csv", [
        "PROV-T1,DUPONT,,Marie,1950-04-12,F,75056,,,,",
        "PROV-T2,MARTIN,,Naël,2015-06-01,M,,,,,",
        "PROV-T3,INCONNU,,Zoé,2001-01-01,F,,,,,"], IDENTITY_HEADER)
    right = write(tmp_path / "right.csv", [
        "100001,DUPONT,,Marie,1950-04-12,F,75056,,,,",
        "100002,MARTIN,,Naël,2015-06-01,M,,,,,",
        "100003,MARTIN,,Nahel,2015-06-01,M,,,,,",
        "100004,DURAND,,Paul,1962-03-03,M,,,,,"], IDENTITY_HEADER)
    paper = write(tmp_path / "paper.csv", [
        "t1,PROV-T1,,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,",
        "t2,PROV-T2,,vital_sign,8867-4,90,/min,,2026-11-23T22:00:00+01:00,AB,"])
    sih = write(tmp_path / "sih.csv", [
        "s1,100001,,vital_sign,8867-4,72,/min,,2026-11-23T22:05:00+01:00,AB,",
        "s2,100003,,vital_sign,8867-4,90,/min,,2026-11-23T22:05:00+01:00,AB,"])
    return left, right, paper, sih


@pytest.mark.both_backends
def test_identity_candidates_are_stored_and_decided_by_identity_vigilance_only(
        store, people, identity_files, tmp_path):
    quality, vigilance, _nurse = people
    left, right, paper, sih = identity_files

    def run(name, when):
        return run_reconciliation(store, [sih], paper, tmp_path / name, user=quality,
                                  identities_left=left, sih_patients=right, now=when)

    first = run("out1", RUN_1)
    assert first.identity_counts == {"link": 1, "review": 1, "no_match": 1}
    cases = {c.left_id: c for c in store.identity_cases(first.run_id)}
    assert cases["PROV-T1"].state == "auto_link" and cases["PROV-T1"].applied_right_id == "100001"
    twin = cases["PROV-T2"]
    assert twin.state == "to_decide" and twin.applied_right_id is None
    assert [c.right_id for c in twin.candidates] == ["100002", "100003"]
    assert twin.candidates[1].fields.startswith("birth_name=1.00;given_names=0.95")
    assert twin.candidates[1].traits.given_names == "Nahel"
    assert "100003" in twin.reason["fr"]
    verdicts = {f.item_key: f for f in store.review_flags(first.run_id)}
    assert set(verdicts) == {"t2"}  # t1 was matched under the linked IPP
    assert verdicts["t2"].temporary_id == "PROV-T2" and verdicts["t2"].identity.given_names == (
        "Naël")

    with pytest.raises(UserError) as refused:
        service.decide_identity(store, quality, twin, "100003", first.run_id)
    assert "identitovigilance" in refused.value.message()
    with pytest.raises(UserError):
        service.decide_identity(store, vigilance, twin, "100004", first.run_id)  # no candidate
    assert store.identity_decisions() == {}
    service.decide_identity(store, vigilance, twin, "100003", first.run_id, "jumeau, bracelet")
    service.undo_link(store, vigilance, cases["PROV-T1"], first.run_id, "à vérifier")
    with pytest.raises(UserError):
        service.undo_link(store, vigilance, cases["PROV-T3"], first.run_id)
    audit = store.audit("identity")
    assert [(a["action"], a["username"]) for a in audit] == [
        ("identity_link", "idv"), ("identity_undo_link", "idv")]
    assert json.loads(audit[0]["detail"])["right_id"] == "100003"

    second = run("out2", RUN_2)
    cases = {c.left_id: c for c in store.identity_cases(second.run_id)}
    assert cases["PROV-T2"].state == "linked" and cases["PROV-T2"].applied_right_id == "100003"
    assert cases["PROV-T1"].state == "unlinked" and cases["PROV-T1"].applied_right_id is None
    flags = {f.item_key: f for f in store.review_flags(second.run_id)}
    assert flags["t2"].run_verdict == "in_sih" and flags["t2"].resolution == FIXED_IN_SIH
    assert flags["t1"].run_verdict == "missing" and flags["t1"].status == OPEN


def test_identity_linking_needs_sih_patients(store, people, identity_files, tmp_path):
    left, _right, paper, sih = identity_files
    with pytest.raises(UserError) as caught:
        run_reconciliation(store, [sih], paper, tmp_path / "out", user=people[0],
                           identities_left=left)
    assert "--sih-patients" in caught.value.message()
    assert store.review_runs() == []


def test_cli_stores_the_run_lists_and_resolves_flags(db_path, tmp_path):
    sih = write(tmp_path / "sih.csv", SIH_1)
    paper = write(tmp_path / "paper.csv", PAPER)
    runner = CliRunner(env=ENV)

    def invoke(*args, input=None):
        return runner.invoke(cli, ["--db", str(db_path), *args], input=input)

    assert runner.invoke(cli, ["db", "init", str(db_path)]).exit_code == 0
    assert invoke("users", "add", "dsi", "--role", "admin", "--password-stdin",
                  input=PASSWORD).exit_code == 0
    assert invoke("users", "add", "qualite", "--role", "quality", "--user", "dsi",
                  "--password-stdin", input=PASSWORD).exit_code == 0
    result = invoke("reconcile", "--sih", str(sih), "--paper", str(paper), "--out",
                    str(tmp_path / "out"), "--user", "qualite")
    assert result.exit_code == 0, result.output
    assert "Exécution n° 1 enregistrée : 3 nouveaux écarts" in result.output
    listed = invoke("flags", "list", "--verdict", "differs")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith("Exécution n° 1") and len(lines) == 2
    assert lines[1].split("\t")[:3] == ["p3", "ouvert", "differs"]
    resolved = invoke("flags", "resolve", "p3", "--reason", "paper_error", "--user", "qualite")
    assert resolved.exit_code == 0, resolved.output
    assert "p3" in resolved.output and "erreur sur le papier" in resolved.output
    still_open = invoke("flags", "list", "--open").output.splitlines()[1:]
    assert sorted(line.split("\t")[0] for line in still_open) == ["p2", "p4"]
    refused = invoke("flags", "resolve", "p2", "--reason", "other", "--user", "qualite")
    assert refused.exit_code == 1 and "commentaire" in refused.stderr
    unknown = invoke("flags", "resolve", "p2", "--reason", "paper_error", "--user", "personne")
    assert unknown.exit_code == 1 and "mot de passe incorrect" in unknown.stderr
    assert invoke("flags", "list", "--run", "9").exit_code == 1
    reopened = invoke("flags", "reopen", "p3", "--user", "qualite", "--comment", "à revoir")
    assert reopened.exit_code == 0 and "rouvert" in reopened.output


def test_flags_list_on_an_empty_database_says_what_to_do(db_path):
    assert CliRunner().invoke(cli, ["db", "init", str(db_path)]).exit_code == 0
    result = CliRunner().invoke(cli, ["--db", str(db_path), "flags", "list"])
    assert result.exit_code == 1 and "reentry reconcile" in result.stderr


def test_the_outage_demo_has_a_stored_run_to_review(store, tmp_path):
    from reentry.demo.outage import create_outage_demo

    demo = create_outage_demo(store, tmp_path / "pdf", patients=10, seed=6, as_of=AS_OF)
    run = store.review_run(demo.review_run)
    assert run.username == "qualite" and run.paper_source == "store"
    assert run.sih_files[0].name == "sih-export.csv"
    flags = store.review_flags(run.id)
    assert flags and {f.run_verdict for f in flags} <= {"differs", "missing", "duplicate"}
    assert all(f.ward_code and f.identity.known for f in flags if f.ipp)
    assert store.user_by_name("idv").role is Role.IDENTITY_VIGILANCE


@pytest.mark.both_backends
def test_two_reviewers_closing_the_same_flag_the_second_is_told_why(store, people, tmp_path):
    """Two screens opened on one open flag: the first closes it; the second's write (checked
    again inside its transaction) is refused with a message saying what to do, not a crash."""
    quality, _vigilance, _nurse = people
    run_reconciliation(store, [write(tmp_path / "sih.csv", SIH_1)],
                       write(tmp_path / "paper.csv", PAPER), tmp_path / "out", user=quality,
                       now=RUN_1)
    flag_id = store.review_flag("p2")["id"]  # what both screens read while it was open
    store.resolve_review_flag(flag_id, "paper_error", None, quality)
    with pytest.raises(UserError) as late:
        store.resolve_review_flag(flag_id, "entered_in_sih", None, quality)
    assert "p2" in late.value.message() and "Rouvrez" in late.value.message()
    assert store.review_flag("p2")["resolution"] == "paper_error"
    store.reopen_review_flag(flag_id, None, quality)
    with pytest.raises(UserError) as reopened:
        store.reopen_review_flag(flag_id, None, quality)
    assert "déjà ouvert" in reopened.value.message()
