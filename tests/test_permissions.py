"""Every action a person takes through a core service, run as every role, on a real database:
allowed or refused as THE table (``reentry.domain.permissions.GRANTS``) says, a refusal being one
sentence in French that names the action, the role and who may, with nothing written; and
docs/permissions.md says the same as the table.

The outage demo (printed, typed, double entry, a downtime admission, a reconciliation with flags
and an identity case) is built once; each case runs on its own copy of it, so that an allowed
action finds the state it needs and a refused one can be checked to have changed nothing.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from printed_ward import PRINTER

from reentry import auth
from reentry.admission.service import record_admission
from reentry.demo.outage import create_outage_demo
from reentry.domain.admission import RecordAdmission
from reentry.domain.entry import RecordRow, Role, User
from reentry.domain.events import DeclareEvent
from reentry.domain.permissions import GRANTS, Permission, role_label
from reentry.domain.verification import Choice, Decision, ResolveSheet, Stage
from reentry.entry import service
from reentry.errors import UserError
from reentry.events.accounting import declare_sheets
from reentry.events.drill import start_drill
from reentry.events.service import close_event, declare_event, end_event, sign_exception
from reentry.export.service import export_entries
from reentry.formdefs_model import FormKind
from reentry.printing.prepare import prepare
from reentry.printing.station import (
    PrintRequest,
    cancel_sheets,
    print_batch,
    print_test,
    reprint_patient,
)
from reentry.reconcile_run import run_reconciliation
from reentry.reports.audit_pack import write_audit_pack
from reentry.reports.quality import write_quality_report
from reentry.review import service as review
from reentry.scanning.importer import import_scans
from reentry.scanning.queue import identify_page, set_aside_page
from reentry.sheets.policy import set_mode
from reentry.store import open_store
from reentry.verify import decision, second_entry, sighted
from reentry.verify.stage import verification

DOCS = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Paris: the cut
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # the next morning
DATE = "23/11/2026"
# One account per role, none of whom typed anything in the demo (a second typist or a decider
# must not be the first typist).
ACTORS = {Role.NURSE: "t.infirmier", Role.WARD_MANAGER: "t.cadre", Role.QUALITY: "t.qualite",
          Role.IDENTITY_VIGILANCE: "t.idv", Role.ADMIN: "t.admin"}
VITALS = {"time": "23h15", "heart_rate": "72", "initials": "AB"}


@dataclass(frozen=True)
class Hospital:
    """The template database and what the actions work on."""

    db: Path
    files: Path  # the demo's SIH export, its patients, a scan without a code
    event_id: int  # the outage: ended, sheets still missing
    run_id: int  # the demo's reconciliation
    ward: str  # the smallest ward with inpatients (the cheapest to print)
    ipp: str  # an inpatient of that ward
    vitals: int  # a vital-signs sheet printed after the demo: not back, not typed
    admission: int  # the downtime-admission form of that batch
    blind: int  # a medication record typed and finished by a demo nurse: awaiting the second
    flag: str  # an open flag
    identity: str  # the temporary identity of the demo's downtime admission


def _blank_scan(path: Path) -> Path:
    """A page with writing and no sheet code: the scan import puts it in the queue."""
    page = Image.new("L", (1654, 2339), 255)
    ImageDraw.Draw(page).text((200, 300), "Feuille volante, sans code", fill=0)
    page.save(path, "PDF", resolution=200)
    return path


@pytest.fixture(scope="module")
def hospital(tmp_path_factory) -> Hospital:
    folder = tmp_path_factory.mktemp("permissions")
    store = open_store(folder / "template.sqlite")
    try:
        demo = create_outage_demo(store, folder / "demo", patients=16, seed=3, as_of=AS_OF)
        for role, name in ACTORS.items():
            store.add_user(name, name, role)
        manager = store.user_by_name("claire.roux")
        set_mode(store, manager, FormKind.VITAL_SIGNS, "sighted")
        occupancy: dict[str, list[str]] = {}
        for row in store.census():
            occupancy.setdefault(row.ward.code, []).append(row.patient.ipp)
        ward = min(occupancy, key=lambda code: (len(occupancy[code]), code))
        fresh = print_batch(store, PrintRequest(out_dir=folder / "fresh", user=PRINTER,
                                                wards=(ward,), start=AS_OF,
                                                admission_packets=1))
        sheets = store.batch_sheets(fresh.batch_id)
        vitals = next(s for s in sheets if s.template_id == FormKind.VITAL_SIGNS and s.patient_id)
        admission = next(s for s in sheets if s.template_id == FormKind.DOWNTIME_ADMISSION)
        blind = next(s.serial for s in store.batch_sheets(demo.batch_id)
                     if s.template_id == FormKind.MEDICATION_ADMINISTRATION
                     and verification(store, s.serial).stage is Stage.AWAITING_SECOND
                     and len(store.entries(s.serial, include_corrected=False)) >= 2)
        assert demo.review_run is not None and demo.event_id is not None
        flag = review.flags(store, demo.review_run, open_only=True)[0].item_key
        (case,) = store.identity_cases(demo.review_run)
        return Hospital(folder / "template.sqlite", _files(folder, demo), demo.event_id,
                        demo.review_run, ward, occupancy[ward][0], vitals.serial,
                        admission.serial, blind, flag, case.left_id)
    finally:
        store.close()


def _files(folder: Path, demo: Any) -> Path:
    files = folder / "files"
    files.mkdir()
    shutil.copy(demo.sih_export, files / "sih-export.csv")
    shutil.copy(demo.sih_export.with_name("sih-patients.csv"), files / "sih-patients.csv")
    _blank_scan(files / "scan.pdf")
    return files


# -- each action: what it needs first (as someone who may), then the action as ``user`` ----------

Run = Callable[[], object]  # the action itself, once what it needs is in place


@dataclass
class Case:
    """One action on one copy of the template: the store, the hospital, a folder to write in."""

    store: Any
    hospital: Hospital
    db: Path
    out: Path

    def user(self, name: str) -> User:
        found = self.store.user_by_name(name)
        assert found is not None, name
        return found

    def code(self, serial: int) -> str:
        return self.store.form_instance(serial).code(1)

    def typed_vitals(self, nurse: str = "aurore.petit") -> int:
        """The fresh vital-signs sheet opened, one row typed and finished by ``nurse``."""
        who = self.user(nurse)
        serial = self.hospital.vitals
        service.open_sheet(self.store, self.code(serial), who)
        service.confirm_identity(self.store, who, serial)
        service.record_row(self.store, RecordRow(serial, 1, "readings", 0, VITALS,
                                                 {"date": DATE}, who), now=NOW)
        service.mark_sheet_entered(self.store, who, serial)
        return serial

    def queued_page(self) -> int:
        import_scans(self.store, [self.hospital.files / "scan.pdf"], self.user("aurore.petit"),
                     workers=1)
        (page,) = self.store.manual_queue()
        return int(page.id)


def _open(c: Case, user: User) -> Run:
    return lambda: service.open_sheet(c.store, c.code(c.hospital.vitals), user)


def _confirm(c: Case, user: User) -> Run:
    service.open_sheet(c.store, c.code(c.hospital.vitals), c.user("aurore.petit"))
    return lambda: service.confirm_identity(c.store, user, c.hospital.vitals)


def _row(c: Case, user: User) -> Run:
    serial = c.hospital.vitals
    service.open_sheet(c.store, c.code(serial), c.user("aurore.petit"))
    c.store.confirm_identity(user, serial)  # the store's own write: the check is the service's
    command = RecordRow(serial, 1, "readings", 0, VITALS, {"date": DATE}, user)
    return lambda: service.record_row(c.store, command, now=NOW)


def _draft(c: Case, user: User) -> Run:
    rows = {"readings:0": {"heart_rate": "72"}}
    return lambda: service.save_draft(c.store, user, c.hospital.vitals, 1, rows)


def _finished(c: Case, user: User) -> Run:
    serial = c.hospital.vitals
    nurse = c.user("aurore.petit")
    service.open_sheet(c.store, c.code(serial), nurse)
    service.confirm_identity(c.store, nurse, serial)
    service.record_row(c.store, RecordRow(serial, 1, "readings", 0, VITALS, {"date": DATE},
                                          nurse), now=NOW)
    return lambda: service.mark_sheet_entered(c.store, user, serial)


def _second(c: Case, user: User) -> Run:
    serial = c.hospital.blind
    first = c.store.entries(serial, include_corrected=False)[0]
    c.store.confirm_identity(user, serial)
    command = RecordRow(serial, 1, first.section_id, first.row_index, first.values,
                        first.sheet_values, user, confirmed_warnings=frozenset(first.values))
    return lambda: second_entry.record_row(c.store, command, now=NOW)


def _sighted(c: Case, user: User) -> Run:
    serial = c.typed_vitals()
    c.store.confirm_identity(user, serial)
    (entry,) = c.store.entries(serial, include_corrected=False)
    return lambda: sighted.confirm_row(c.store, user, serial, entry.id)


def _decide(c: Case, user: User) -> Run:
    """The medication record typed again, one row short, by another nurse: a difference."""
    serial = c.hospital.blind
    first = c.store.entries(serial, include_corrected=False)
    typists = {e.entered_by for e in first}
    other = next(c.user(n) for n in ("aurore.petit", "karim.benali", "lea.moreau")
                 if n not in typists)
    c.store.confirm_identity(other, serial)
    for entry in first[:-1]:
        second_entry.record_row(c.store, RecordRow(
            serial, 1, entry.section_id, entry.row_index, entry.values, entry.sheet_values,
            other, confirmed_warnings=frozenset(entry.values)), now=NOW)
    differences = second_entry.mark_sheet_entered(c.store, other, serial)
    assert differences
    c.store.confirm_identity(user, serial)
    command = ResolveSheet(serial, user, tuple(Decision(d.key, Choice.FIRST)
                                               for d in differences))
    return lambda: decision.resolve(c.store, command, now=NOW)


def _admit(c: Case, user: User) -> Run:
    serial = c.hospital.admission
    service.open_sheet(c.store, c.code(serial), c.user("aurore.petit"))
    values = {"birth_name": "MARTIN", "given_names": "Louise", "birth_date": "02/03/1971",
              "sex": "F", "birthplace_insee": "75056", "ward": c.hospital.ward,
              "admitted_at": "23/11/2026 23:40", "initials": "AB"}
    command = RecordAdmission(serial, values, user, confirmed_warnings=frozenset(values))
    return lambda: record_admission(c.store, command, now=NOW)


def _scan(c: Case, user: User) -> Run:
    return lambda: import_scans(c.store, [c.hospital.files / "scan.pdf"], user, workers=1)


def _identify(c: Case, user: User) -> Run:
    page, code = c.queued_page(), c.code(c.hospital.vitals)
    return lambda: identify_page(c.store, page, code, user)


def _set_aside(c: Case, user: User) -> Run:
    page = c.queued_page()
    return lambda: set_aside_page(c.store, page, "page sans code de feuille", user)


def _policy(c: Case, user: User) -> Run:
    return lambda: set_mode(c.store, user, FormKind.NURSING_NOTES, "sighted")


def _request(c: Case, user: User) -> PrintRequest:
    return PrintRequest(out_dir=c.out / "pdf", user=user, wards=(c.hospital.ward,),
                        start=AS_OF, admission_packets=0, workers=1)


def _print(c: Case, user: User) -> Run:
    return lambda: print_batch(c.store, _request(c, user))


def _print_test(c: Case, user: User) -> Run:
    return lambda: print_test(c.store, _request(c, user))


def _reprint(c: Case, user: User) -> Run:
    return lambda: reprint_patient(c.store, c.hospital.ipp, c.out / "reprint", user=user,
                                   start=AS_OF)


def _prepare(c: Case, user: User) -> Run:
    return lambda: prepare(c.store, c.out / "poste", user=user, wards=(c.hospital.ward,),
                           admission_packets=0, now=NOW)


def _cancel(c: Case, user: User) -> Run:
    code = c.code(c.hospital.vitals)
    return lambda: cancel_sheets(c.store, [code], "feuille tachée", user)


def _declare_lost(c: Case, user: User) -> Run:
    return lambda: declare_sheets(c.store, [c.hospital.vitals], "lost", "égarée", user)


def _declare_event(c: Case, user: User) -> Run:
    command = DeclareEvent("Panne du DPI", NOW, user, planned=False)
    return lambda: declare_event(c.store, command, now=NOW)


def _ongoing(c: Case) -> int:
    """An outage declared now by the ward manager, on the ward printed last (nothing printed
    for it: every sheet of it accounted for)."""
    command = DeclareEvent("Panne du DPI", NOW, c.user("claire.roux"), planned=False,
                           wards=(c.hospital.ward,))
    return int(declare_event(c.store, command, now=NOW).event.id)


def _end_event(c: Case, user: User) -> Run:
    event_id = _ongoing(c)
    return lambda: end_event(c.store, user, event_id, NOW + timedelta(hours=1))


def _close_event(c: Case, user: User) -> Run:
    event_id = _ongoing(c)
    end_event(c.store, c.user("claire.roux"), event_id, NOW + timedelta(hours=1))
    return lambda: close_event(c.store, user, event_id)


def _drill(c: Case, user: User) -> Run:
    return lambda: start_drill(c.db, c.out / "exercice.sqlite", username=user.username)


def _sign(c: Case, user: User) -> Run:
    return lambda: sign_exception(c.store, c.hospital.event_id, user, "feuilles jamais revenues")


def _reconcile(c: Case, user: User) -> Run:
    files = c.hospital.files
    return lambda: run_reconciliation(c.store, [files / "sih-export.csv"], None,
                                      c.out / "rapprochement", user=user,
                                      sih_patients=files / "sih-patients.csv", now=NOW)


def _resolve(c: Case, user: User) -> Run:
    return lambda: review.resolve_flag(c.store, user, c.hospital.flag, "paper_error")


def _reopen(c: Case, user: User) -> Run:
    review.resolve_flag(c.store, c.user("qualite"), c.hospital.flag, "paper_error")
    return lambda: review.reopen_flag(c.store, user, c.hospital.flag, "à revoir")


def _case(c: Case) -> Any:
    return next(k for k in c.store.identity_cases(c.hospital.run_id)
                if k.left_id == c.hospital.identity)


def _decide_identity(c: Case, user: User) -> Run:
    case = _case(c)
    return lambda: review.decide_identity(c.store, user, case, None, c.hospital.run_id,
                                          "personne inconnue du SIH")


def _undo_link(c: Case, user: User) -> Run:
    case = _case(c)
    if case.linked_to is None:  # linked first by the cell, to its best candidate
        review.decide_identity(c.store, c.user("idv"), case, case.candidates[0].right_id,
                               c.hospital.run_id)
        case = _case(c)
    return lambda: review.undo_link(c.store, user, case, c.hospital.run_id, "lien à revoir")


def _export(c: Case, user: User) -> Run:
    return lambda: export_entries(c.store, user, "csv", c.out / "export.csv", now=NOW)


def _report(c: Case, user: User) -> Run:
    return lambda: write_quality_report(c.store, c.hospital.event_id, c.out / "rapport",
                                        user=user, now=NOW)


def _audit_pack(c: Case, user: User) -> Run:
    return lambda: write_audit_pack(c.store, c.hospital.event_id, c.out / "audit", user=user,
                                    now=NOW)


def _add_account(c: Case, user: User) -> Run:
    return lambda: auth.create_account(c.store, "nouvelle.ide", "Nouvelle IDE", Role.NURSE,
                                       "un secret assez long", user)


def _disable(c: Case, user: User) -> Run:
    return lambda: auth.disable_user(c.store, "lea.moreau", user)


def _other_password(c: Case, user: User) -> Run:
    return lambda: auth.change_password(c.store, "lea.moreau", "un autre secret assez long",
                                        user)


# What each action needs is set up first, by someone who may; then the action itself, as the
# role under test.
ACTIONS: dict[str, tuple[Permission, Callable[[Case, User], Run]]] = {
    "open a scanned sheet": (Permission.ENTER, _open),
    "confirm the identity": (Permission.ENTER, _confirm),
    "type a row": (Permission.ENTER, _row),
    "keep a draft": (Permission.ENTER, _draft),
    "finish a sheet": (Permission.ENTER, _finished),
    "type a sheet again, blind": (Permission.ENTER, _second),
    "check a row at sight": (Permission.ENTER, _sighted),
    "admit on paper": (Permission.ENTER, _admit),
    "import scans": (Permission.ENTER, _scan),
    "identify a scanned page": (Permission.ENTER, _identify),
    "set a scanned page aside": (Permission.ENTER, _set_aside),
    "decide a double entry": (Permission.RESOLVE_DOUBLE_ENTRY, _decide),
    "choose a form's double entry": (Permission.CONFIGURE_DOUBLE_ENTRY, _policy),
    "print a ward": (Permission.PRINT, _print),
    "print a test": (Permission.PRINT, _print_test),
    "reprint a patient": (Permission.PRINT, _reprint),
    "prepare a ward PC's set": (Permission.PRINT, _prepare),
    "cancel a sheet": (Permission.CANCEL_SHEETS, _cancel),
    "declare a sheet lost": (Permission.DECLARE_SHEETS, _declare_lost),
    "declare an outage": (Permission.MANAGE_EVENTS, _declare_event),
    "end an outage": (Permission.MANAGE_EVENTS, _end_event),
    "close an outage": (Permission.MANAGE_EVENTS, _close_event),
    "start a drill": (Permission.MANAGE_EVENTS, _drill),
    "sign the closing exception": (Permission.SIGN_EXCEPTION, _sign),
    "reconcile": (Permission.RECONCILE, _reconcile),
    "resolve a flag": (Permission.REVIEW_FLAGS, _resolve),
    "reopen a flag": (Permission.REVIEW_FLAGS, _reopen),
    "decide an identity": (Permission.DECIDE_IDENTITY, _decide_identity),
    "undo an identity link": (Permission.DECIDE_IDENTITY, _undo_link),
    "export for the SIH": (Permission.EXPORT, _export),
    "write the quality report": (Permission.REPORT, _report),
    "write the audit pack": (Permission.AUDIT_PACK, _audit_pack),
    "add an account": (Permission.MANAGE_USERS, _add_account),
    "disable an account": (Permission.MANAGE_USERS, _disable),
    "set someone's password": (Permission.MANAGE_USERS, _other_password),
}


def test_every_action_of_the_table_is_tried():
    assert {permission for permission, _ in ACTIONS.values()} == set(Permission)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_as_every_role(hospital, tmp_path, name, role):
    permission, ready = ACTIONS[name]
    db = tmp_path / "h.sqlite"
    shutil.copy(hospital.db, db)
    store = open_store(db)
    try:
        (tmp_path / "out").mkdir()
        case = Case(store, hospital, db, tmp_path / "out")
        user = case.user(ACTORS[role])
        act = ready(case, user)
        if permission in GRANTS[role]:
            act()  # done, as the table allows: no refusal, no error
            return
        written = len(store.audit())
        with pytest.raises(UserError) as refused:
            act()
        assert refused.value.msg.id == "permissions.refused", refused.value.message()
        text = refused.value.message()
        assert text.startswith("Vous ne pouvez pas ") and f"({role_label(role)})" in text
        allowed = ", ".join(role_label(r) for r in Role if permission in GRANTS[r])
        assert f"Rôles habilités : {allowed}." in text
        assert "Traceback" not in text and "permission" not in text  # words, not ids
        assert len(store.audit()) == written  # nothing recorded as done
        assert list((tmp_path / "out").iterdir()) == []  # no file written
    finally:
        store.close()


def test_docs_permissions_md_shows_the_table():
    text = DOCS.read_text(encoding="utf-8")
    header = "| action | " + " | ".join(role_label(r) for r in Role) + " |"
    lines = text.splitlines()
    start = lines.index(header)
    shown = {}
    for line in lines[start + 2:]:
        if not line.startswith("| "):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        shown[Permission(cells[0])] = {r for r, c in zip(Role, cells[1:], strict=True)
                                       if c == "✓"}
    assert shown == {p: {r for r in Role if p in GRANTS[r]} for p in Permission}
    for permission in Permission:  # and each action says what it covers
        assert re.search(rf"^\| {permission.value} \| [^|]+ \| [^|]+ \|$", text, re.M), permission
