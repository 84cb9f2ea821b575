"""Outage events on real SQLite files and real printed batches: declare, adopt prepared sets,
account for every sheet, declare lost / not used, close (refused, or with a signed exception),
permissions and audit; drills on a copy that leave the real database untouched."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
from cli_passwords import ENV, PASSWORD, give_passwords
from click.testing import CliRunner
from printed_ward import PRINTER

from reentry.cli import cli
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.domain.events import (
    DeclareEvent,
    EventKind,
    EventStatus,
    ExceptionRequest,
    UnaccountedSheets,
)
from reentry.domain.sheet_state import SheetState
from reentry.entry import service
from reentry.entry.progress import ward_progress
from reentry.errors import UserError
from reentry.events.accounting import (
    account_lines,
    accounting_csv,
    declare_sheets,
    unaccounted_by_ward,
)
from reentry.events.drill import DRILL_FIRST_SERIAL, is_drill, start_drill
from reentry.events.service import close_event, declare_event, end_event, sign_exception
from reentry.printing.station import PrintRequest, print_batch, reprint_patient
from reentry.registry import BatchKind, resolve_code
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOT_SHEETS = {"ward_cover", "dossier"}


@pytest.fixture
def hospital(store):
    create_demo(store, patients=10, seed=8, as_of=AS_OF)
    users = {
        "manager": service.add_user(store, "claire.roux", "Claire Roux", Role.WARD_MANAGER),
        "nurse": service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE),
        "quality": service.add_user(store, "q.team", "Qualité", Role.QUALITY),
    }
    return store, users


def _wards(store):
    return sorted({row.ward.code for row in store.census()})


def _declare(store, user, **changes):
    values = dict(title="Coupure réseau", started_at=AS_OF, user=user, planned=True)
    values.update(changes)
    return declare_event(store, DeclareEvent(**values), now=AS_OF - timedelta(hours=2))


def _print(store, tmp_path, ward, kind=BatchKind.PRINT, packets=1):
    outcome = print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / f"pdf-{kind.value}",
                                              wards=(ward,), start=AS_OF,
                                              admission_packets=packets, kind=kind))
    return outcome.batch_id, store.batch_sheets(outcome.batch_id)


def _forms(sheets):
    return [s for s in sheets if s.template_id not in NOT_SHEETS]


def _page_texts(pdf):
    """Every page's text, diagonal text included (pdftotext's layout mode leaves it out)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _audit_actions(store):
    return [row["action"] for row in store.audit()]


@pytest.mark.both_backends
def test_a_planned_event_owns_the_batches_printed_for_it(hospital, tmp_path):
    store, users = hospital
    ward = _wards(store)[0]
    before, _ = _print(store, tmp_path, ward)  # printed before anything was declared
    declared = _declare(store, users["manager"], wards=(ward,), systems=("DPI", "pharmacie"))
    event = declared.event
    assert (event.kind, event.status, event.planned) == (EventKind.REAL, EventStatus.ONGOING,
                                                         True)
    assert event.wards == (ward,) and event.systems == ("DPI", "pharmacie")
    assert event.declared_by == "claire.roux" and declared.adopted_batches == ()
    batch_id, sheets = _print(store, tmp_path, ward)
    assert store.event_of_batch(batch_id) == event.id and store.event_of_batch(before) is None
    assert store.event_batch_ids(event.id) == [batch_id]
    assert {store.event_of_serial(s.serial) for s in sheets} == {event.id}
    assert "event_declared" in _audit_actions(store)

    with pytest.raises(UserError) as second:
        _declare(store, users["manager"], title="Autre panne")
    assert "déjà en cours" in second.value.message()


@pytest.mark.both_backends
def test_declaring_needs_the_right_a_title_and_known_wards(hospital):
    store, users = hospital
    with pytest.raises(UserError) as refused:
        _declare(store, users["nurse"])
    assert "cadre de santé" in refused.value.message()
    with pytest.raises(UserError):
        _declare(store, users["manager"], title="   ")
    with pytest.raises(UserError) as unknown:
        _declare(store, users["manager"], wards=("NOPE",))
    assert "NOPE" in unknown.value.message()
    assert store.outage_events() == []


@pytest.mark.both_backends
def test_an_unplanned_event_adopts_the_latest_prepared_set_of_each_affected_ward(hospital,
                                                                                 tmp_path):
    store, users = hospital
    first, second = _wards(store)[:2]
    older, _ = _print(store, tmp_path, first, BatchKind.PREPARED, packets=0)
    latest, prepared = _print(store, tmp_path, first, BatchKind.PREPARED, packets=0)
    other, _ = _print(store, tmp_path, second, BatchKind.PREPARED, packets=0)

    declared = _declare(store, users["manager"], planned=False, wards=(first,))
    assert declared.adopted_batches == (latest,)
    assert store.event_of_batch(older) is None and store.event_of_batch(other) is None
    accounts = tracked_sheets(store, event_id=declared.event.id)
    assert sorted(a.serial for a in accounts) == sorted(s.serial for s in _forms(prepared))
    assert {a.batch_kind for a in accounts} == {"prepared"}

    end_event(store, users["manager"], declared.event.id, AS_OF + timedelta(hours=3))
    again = _declare(store, users["manager"], title="Incendie", planned=False)
    assert again.adopted_batches == (other,)  # the first ward's set already belongs to an event
    planned = store.outage_event(again.event.id)
    assert planned.wards is None


@pytest.mark.both_backends
def test_accounting_numbers_on_a_real_printed_batch(hospital, tmp_path):
    store, users = hospital
    ward = _wards(store)[0]
    event = _declare(store, users["manager"]).event
    batch_id, printed = _print(store, tmp_path, ward)
    forms = _forms(printed)
    patient_forms = [s for s in forms if s.patient_id]
    packet = next(s for s in forms if s.temporary_id)
    nurse = users["nurse"]
    for sheet in patient_forms[:3]:
        service.open_sheet(store, sheet.code(1), nurse)  # returned
    entered, verified = patient_forms[0], patient_forms[1]
    service.mark_sheet_entered(store, nurse, entered.serial)
    service.mark_sheet_entered(store, nurse, verified.serial)
    with store._transaction() as conn:  # what the double-entry helper writes
        conn.execute('INSERT INTO sheet_events (serial, at, action, "user")'
                     " VALUES (?, '2026-11-24T08:00:00+00:00', 'verified', 'q.team')",
                     (verified.serial,))
    lost = patient_forms[3]
    declare_sheets(store, [lost.serial], "lost", "égarée au brancardage", users["manager"])
    declare_sheets(store, [packet.serial], "not_used", "dossier d'admission vierge",
                   users["manager"])

    accounts = tracked_sheets(store, event_id=event.id)
    assert len(accounts) == len(forms)
    [line] = account_lines(accounts)
    assert (line.event_id, line.batch_id, line.ward_code) == (event.id, batch_id, ward)
    assert (line.sheets.expected, line.sheets.returned, line.sheets.entered,
            line.sheets.verified, line.sheets.lost, line.sheets.not_used) == (
        len(forms), 3, 2, 1, 1, 1)
    assert line.sheets.unaccounted == len(forms) - 4
    assert unaccounted_by_ward(accounts) == {ward: len(forms) - 4}
    by_serial = {a.serial: a for a in accounts}
    assert by_serial[lost.serial].state is SheetState.LOST
    assert by_serial[lost.serial].declared_reason == "égarée au brancardage"
    assert by_serial[lost.serial].declared_by == "claire.roux"
    shown = by_serial[patient_forms[2].serial]
    assert shown.state is SheetState.RETURNED and shown.returned  # back, not typed yet
    assert shown.patient_name and shown.birth_date and shown.ipp  # identity always there
    assert by_serial[packet.serial].temporary_id

    csv_lines = accounting_csv(account_lines(accounts)).splitlines()
    assert csv_lines[0].split(",")[-1] == "unaccounted"
    assert csv_lines[1].split(",")[-1] == str(len(forms) - 4)

    # The re-entry progress screen tells the same story as the accounting.
    states = {s.serial: s.state for s in tracked_sheets(store, ward_code=ward)}
    assert (states[lost.serial], states[packet.serial]) == ("lost", "not_used")
    [progress] = ward_progress(tracked_sheets(store, ward_code=ward))
    assert progress.sheets == line.sheets
    assert progress.sheets.missing == len(forms) - 3 - 2  # neither returned nor declared


@pytest.mark.both_backends
def test_a_reprint_replaces_the_old_sheet_in_the_expected_count(hospital, tmp_path):
    store, users = hospital
    ward = _wards(store)[0]
    event = _declare(store, users["manager"]).event
    _, printed = _print(store, tmp_path, ward)
    before = len(tracked_sheets(store, event_id=event.id))
    ipp = next(s.ipp for s in printed if s.ipp)
    again = reprint_patient(store, ipp, tmp_path / "reprint", user=PRINTER, start=AS_OF)
    accounts = {a.serial for a in tracked_sheets(store, event_id=event.id)}
    assert len(accounts) == before  # new sheets in, the superseded ones out
    assert set(again.serials) & accounts


@pytest.mark.both_backends
def test_declaring_sheets_is_all_or_nothing_with_a_reason_and_the_right(hospital, tmp_path):
    store, users = hospital
    _declare(store, users["manager"])
    _, printed = _print(store, tmp_path, _wards(store)[0])
    forms = [s for s in _forms(printed) if s.patient_id]
    service.open_sheet(store, forms[0].code(1), users["nurse"])
    service.mark_sheet_entered(store, users["nurse"], forms[0].serial)
    cover = next(s for s in printed if s.template_id == "ward_cover")

    with pytest.raises(UserError) as no_right:
        declare_sheets(store, [forms[1].serial], "lost", "perdue", users["nurse"])
    assert "cadre de santé" in no_right.value.message()
    with pytest.raises(UserError) as no_reason:
        declare_sheets(store, [forms[1].serial], "lost", "  ", users["manager"])
    assert "motif" in no_reason.value.message()
    with pytest.raises(UserError) as entered:
        declare_sheets(store, [forms[1].serial, forms[0].serial], "lost", "perdue",
                       users["manager"])
    assert "déjà saisie" in entered.value.message()
    with pytest.raises(UserError):
        declare_sheets(store, [cover.serial], "not_used", "inutile", users["manager"])
    assert [e for e in store.sheet_events(forms[1].serial) if e["action"] == "lost"] == []

    assert declare_sheets(store, [forms[1].serial, forms[1].serial], "lost", "perdue",
                          users["quality"]) == 1
    audit = [r for r in store.audit("sheet") if r["action"] == "sheet_declared_lost"]
    assert [(r["record_id"], r["username"], json.loads(r["detail"])["reason"])
            for r in audit] == [(forms[1].serial, "q.team", "perdue")]


@pytest.mark.both_backends
def test_close_is_refused_while_sheets_are_unaccounted_then_allowed_with_an_exception(
        hospital, tmp_path):
    store, users = hospital
    ward = _wards(store)[0]
    manager, quality, nurse = users["manager"], users["quality"], users["nurse"]
    event = _declare(store, manager).event
    _, printed = _print(store, tmp_path, ward)
    forms = _forms(printed)
    with pytest.raises(UserError) as ongoing:
        close_event(store, manager, event.id)
    assert "terminé" in ongoing.value.message()
    end_event(store, manager, event.id, AS_OF + timedelta(hours=3))

    with pytest.raises(UnaccountedSheets) as refused:
        close_event(store, manager, event.id)
    assert refused.value.by_ward == {ward: len(forms)}
    text = refused.value.message()
    assert f"{ward} ({len(forms)})" in text and "exception" in text and "déclarez" in text
    with pytest.raises(UserError) as no_signature_right:
        close_event(store, quality, event.id, ExceptionRequest(quality, "fin de crise"))
    assert "cadre de santé" in no_signature_right.value.message()
    with pytest.raises(UserError):
        close_event(store, manager, event.id, ExceptionRequest(manager, " "))
    assert store.outage_event(event.id).status is EventStatus.ENDED

    declare_sheets(store, [forms[0].serial], "lost", "égarée", manager)
    closed = close_event(store, quality, event.id,
                         ExceptionRequest(manager, "feuilles détruites (dégât des eaux)"))
    assert closed.status is EventStatus.CLOSED and closed.closed_by == "q.team"
    assert closed.exception.signed_by == "claire.roux"
    assert sorted(closed.exception.serials) == sorted(s.serial for s in forms[1:])
    assert {"event_ended", "event_exception_signed", "event_closed"} <= set(
        _audit_actions(store))
    with pytest.raises(UserError) as final:
        declare_sheets(store, [forms[1].serial], "lost", "trop tard", manager)
    assert "clos" in final.value.message()
    with pytest.raises(UserError) as nurse_end:
        end_event(store, nurse)
    assert "cadre de santé" in nurse_end.value.message()


@pytest.mark.both_backends
def test_an_exception_covers_only_the_sheets_missing_when_it_was_signed(hospital, tmp_path):
    store, users = hospital
    manager = users["manager"]
    event = _declare(store, manager).event
    _, printed = _print(store, tmp_path, _wards(store)[0])
    forms = [s for s in _forms(printed) if s.patient_id]
    declare_sheets(store, [forms[0].serial], "lost", "égarée", manager)
    end_event(store, manager)
    signed = sign_exception(store, event.id, manager, "accord de la direction des soins")
    assert forms[0].serial not in signed.serials
    service.open_sheet(store, forms[0].code(1), users["nurse"])  # the lost sheet came back
    with pytest.raises(UnaccountedSheets) as refused:
        close_event(store, manager, event.id)
    assert refused.value.by_ward == {forms[0].ward_code: 1}
    assert "depuis la signature" in refused.value.message()
    service.mark_sheet_entered(store, users["nurse"], forms[0].serial)
    assert close_event(store, manager, event.id).status is EventStatus.CLOSED


@pytest.mark.both_backends
def test_an_event_with_every_sheet_accounted_for_closes_without_exception(hospital, tmp_path):
    store, users = hospital
    manager = users["manager"]
    event = _declare(store, manager).event
    _, printed = _print(store, tmp_path, _wards(store)[0], packets=0)
    forms = _forms(printed)
    declare_sheets(store, [s.serial for s in forms], "not_used", "patients sortis", manager)
    end_event(store, manager)
    with pytest.raises(UserError) as nothing:
        sign_exception(store, event.id, manager, "inutile")
    assert "aucune exception" in nothing.value.message()
    closed = close_event(store, manager)
    assert closed.status is EventStatus.CLOSED and closed.exception is None


@pytest.mark.both_backends
def test_an_end_before_the_start_is_refused(hospital):
    store, users = hospital
    event = _declare(store, users["manager"]).event
    with pytest.raises(UserError) as early:
        end_event(store, users["manager"], event.id, AS_OF - timedelta(minutes=1))
    assert "précéder" in early.value.message()
    assert store.ongoing_event().id == event.id


# -- drills -------------------------------------------------------------------------------------


def _hash(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_drill_copy_is_consistent_while_the_app_has_the_database_open(hospital, db_path,
                                                                        tmp_path):
    store, users = hospital  # the application's connection stays open, its WAL unmerged
    _declare(store, users["manager"])
    copy_path = tmp_path / "exercice.sqlite"
    info = start_drill(db_path, copy_path, username="claire.roux")
    assert info.started_by == "claire.roux"
    copy = open_store(copy_path)
    try:
        assert is_drill(copy) and not is_drill(store)
        assert [e.title for e in copy.outage_events()] == ["Coupure réseau"]  # from the WAL
        assert copy.user_by_name("mdupont") is not None
    finally:
        copy.close()
    with pytest.raises(UserError) as exists:
        start_drill(db_path, copy_path)
    assert "existe déjà" in exists.value.message()
    with pytest.raises(UserError):
        start_drill(db_path, tmp_path / "other.sqlite", username="nobody")
    assert not (tmp_path / "other.sqlite").exists()
    assert not list(tmp_path.glob("*.partial"))


def test_a_whole_drill_journey_never_writes_the_real_database(db_path, tmp_path):
    real = open_store(db_path)
    create_demo(real, patients=8, seed=3, as_of=AS_OF)
    service.add_user(real, "claire.roux", "Claire Roux", Role.WARD_MANAGER)
    service.add_user(real, "mdupont", "Marie Dupont", Role.NURSE)
    ward = _wards(real)[0]
    _, real_sheets = _print(real, tmp_path / "real", ward)
    real.close()
    before = _hash(db_path)

    copy_path = tmp_path / "exercice.sqlite"
    start_drill(db_path, copy_path)
    drill = open_store(copy_path)
    manager, nurse = drill.user_by_name("claire.roux"), drill.user_by_name("mdupont")
    event = _declare(drill, manager, title="Exercice PCA").event
    assert event.kind is EventKind.DRILL
    _, sheets = _print(drill, tmp_path / "drill", ward)
    forms = [s for s in _forms(sheets) if s.patient_id]
    [drill_pdf] = (tmp_path / "drill").rglob("*.pdf")
    [real_pdf] = (tmp_path / "real").rglob("*.pdf")
    assert all("EXERCICE" in text for text in _page_texts(drill_pdf))  # every page says so
    assert not any("EXERCICE" in text for text in _page_texts(real_pdf))
    assert min(s.serial for s in sheets) >= DRILL_FIRST_SERIAL
    assert all(s.temporary_id.startswith("99") for s in sheets if s.temporary_id)
    service.open_sheet(drill, forms[0].code(1), nurse)
    service.mark_sheet_entered(drill, nurse, forms[0].serial)
    declare_sheets(drill, [forms[1].serial], "lost", "exercice", manager)
    end_event(drill, manager)
    close_event(drill, manager, exception=ExceptionRequest(manager, "fin d'exercice"))
    drill_code = forms[0].code(1)
    service.add_user(drill, "qualite", "Quentin Qualité", Role.QUALITY)  # who exports
    drill.close()
    give_passwords(copy_path)
    refused = CliRunner(env=ENV).invoke(cli, ["--db", str(copy_path), "export", "--format",
                                              "csv", "--out", str(tmp_path / "x.csv"),
                                              "--user", "qualite"])
    assert refused.exit_code == 1 and "EXERCICE" in refused.output
    assert not (tmp_path / "x.csv").exists()
    allowed = CliRunner(env=ENV).invoke(cli, ["--db", str(copy_path), "export", "--format",
                                              "csv", "--out", str(tmp_path / "x.csv"),
                                              "--drill-ok", "--user", "qualite"])
    assert allowed.exit_code == 0, allowed.output

    assert _hash(db_path) == before
    real = open_store(db_path)
    try:
        assert real.outage_events() == [] and not is_drill(real)
        assert not resolve_code(real, drill_code).ok  # a drill paper opens nothing real
        assert resolve_code(real, real_sheets[-1].code(1)).ok
    finally:
        real.close()


# -- the command line ---------------------------------------------------------------------------


def test_command_line_end_to_end(db_path, tmp_path):
    runner = CliRunner(env=ENV)  # commands acting as a person read REENTRY_PASSWORD

    def run(*args, input=None):
        return runner.invoke(cli, ["--db", str(db_path), *map(str, args)],
                             catch_exceptions=False, input=input)

    store = open_store(db_path)
    create_demo(store, patients=8, seed=5, as_of=AS_OF)
    ward = _wards(store)[0]
    store.close()
    new = f"{PASSWORD}\n"
    assert run("users", "add", "dsi", "--role", "admin", "--password-stdin",
               input=new).exit_code == 0  # the first account of an empty database
    assert run("users", "add", "claire.roux", "--role", "ward_manager", "--user", "dsi",
               "--password-stdin", input=new).exit_code == 0
    assert run("users", "add", "mdupont", "--user", "dsi", "--password-stdin",
               input=new).exit_code == 0

    refused = run("event", "declare", "--title", "Coupure", "--user", "mdupont")
    assert refused.exit_code == 1 and "cadre de santé" in refused.output
    declared = run("event", "declare", "--title", "Coupure réseau", "--start",
                   "2026-11-23 21:00", "--planned", "--wards", ward, "--systems",
                   "DPI,pharmacie", "--user", "claire.roux")
    assert declared.exit_code == 0, declared.output
    assert "Coupure réseau" in declared.output and "DPI, pharmacie" in declared.output
    printed = run("print", "--out", tmp_path / "pdf", "--ward", ward, "--from",
                  "2026-11-23 21:00", "--admission-packets", "1", "--user", "claire.roux")
    assert printed.exit_code == 0, printed.output

    table = run("accounting", "--unaccounted")
    assert table.exit_code == 0 and "Non soldées" in table.output
    rows = run("accounting", "--format", "csv").output.splitlines()
    assert rows[0].startswith("event,batch,ward,expected")
    expected = int(rows[1].split(",")[3])
    listed = [line for line in table.output.splitlines() if line.startswith("  ")
              and "IPP" in line]
    assert len(listed) == expected
    code = listed[0].split("  ")[1]

    bad = run("sheets", "declare", "--outcome", "lost", "--reason", "égarée", "--user",
              "claire.roux", "1234")
    assert bad.exit_code == 1
    done = run("sheets", "declare", "--outcome", "lost", "--reason", "égarée", "--user",
               "claire.roux", code)
    assert done.exit_code == 0 and "1 feuille(s) déclarée(s) perdue(s)" in done.output
    after = run("accounting", "--format", "csv").output.splitlines()[1].split(",")
    assert after[7] == "1" and int(after[9]) == expected - 1

    assert run("event", "end", "--user", "claire.roux", "--at", "2026-11-24 00:00").exit_code == 0
    closing = run("event", "close", "--user", "claire.roux")
    assert closing.exit_code == 1 and f"{ward} ({expected - 1})" in closing.output
    closed = run("event", "close", "--user", "claire.roux", "--exception-reason",
                 "feuilles détruites")
    assert closed.exit_code == 0 and "Exception signée par claire.roux" in closed.output
    listing = run("event", "list").output
    assert "clos" in listing and "feuilles détruites" in listing

    copy = tmp_path / "drill.sqlite"
    started = run("drill", "start", "--out", copy)
    assert started.exit_code == 0 and "exercice" in started.output.lower()
    again = run("drill", "start", "--out", copy)
    assert again.exit_code == 1
