"""The audit pack of one outage event: a folder that tells the whole story, checkable offline.

For continuity exercises (PCA/PRA) and for the quality team's files: the event record, the
accounting of every sheet and each sheet's lifecycle, the reconciliation runs with every
verdict, the flags with every resolution, the identity-vigilance decisions, the audit log lines
about the event, the quality report itself, a README in the user's language (French by
default) and a manifest with the SHA-256 of every file (``sha256sum -c SHA256SUMS``).

Data files keep the database's own values (times in UTC, ISO 8601) so that they can be compared
with it line by line; the report files show local time. The folder is built under a temporary
name beside the target and moved into place at the end: a pack is complete or absent. It never
overwrites: a folder that exists and is not empty is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reentry import __version__, clock, i18n
from reentry.barcodes import group_for_reading, page_code
from reentry.domain.entry import User
from reentry.domain.events import EventKind, OutageEvent
from reentry.domain.permissions import Permission, require
from reentry.domain.review import PatientIdentity
from reentry.domain.review_reasons import render_reason
from reentry.errors import UserError
from reentry.events.accounting import account_lines, accounting_csv
from reentry.files import make_private_folder, write_private_text
from reentry.i18n import msg, tr
from reentry.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from reentry.reports.csv_out import write_csv
from reentry.reports.gather import report_event
from reentry.reports.quality import REPORT_FILES, guard_write, report_files
from reentry.sheets.tracking import tracked_sheets
from reentry.store.areas import ReportStore, Store
from reentry.store.audit_chain import ChainHead

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
README = "README.txt"

# File name → the README's key describing it, in the order the README lists them.
CONTENTS = (
    ("evenement.json", "event"),
    ("comptabilite.csv", "accounting"),
    ("feuilles.csv", "sheets"),
    ("cycle-de-vie-feuilles.csv", "lifecycle"),
    ("rapprochements.csv", "runs"),
    ("verdicts.csv", "verdicts"),
    ("signalements.csv", "flags"),
    ("resolutions.csv", "resolutions"),
    ("identites.csv", "identities"),
    ("journal-audit.csv", "audit"),
    ("rapport-qualite.pdf", "report_pdf"),
    ("par-unite.csv", "report_wards"),
    ("elements-ouverts.csv", "report_open"),
)


@dataclass(frozen=True)
class AuditPack:
    folder: Path
    files: tuple[str, ...]  # every file of the pack, manifest included


def write_audit_pack(store: Store, event_id: int, out: Path, *, user: User,
                     lang: str | None = None, now: datetime | None = None,
                     progress: ProgressCallback = ignore_progress,
                     cancel: CancelToken | None = None) -> AuditPack:
    """Write the pack of event ``event_id`` into ``out`` (absent or empty), all or nothing, as
    ``user``, who may (``Permission.AUDIT_PACK``) and is named in the audit trail."""
    require(user, Permission.AUDIT_PACK)
    token = cancel or CancelToken()
    out = Path(out)
    moment = now or clock.now()
    with i18n.language(lang or i18n.get_language()):
        event = report_event(store, event_id)
        _refuse_non_empty(out)
        chain = store.verify_audit_chain()
        if not chain.intact:  # a forged trail is not exported as if it were the record
            raise UserError("audit.pack_refused", reason=chain.message())
        guard_write(out.parent, lambda: make_private_folder(out.parent))
        work = Path(guard_write(out.parent, lambda: tempfile.mkdtemp(
            prefix=f".{out.name}-", suffix=".partial", dir=out.parent)))
        done = False
        try:
            guard_write(out, lambda: _fill(store, event, work, moment, progress, token,
                                           chain.head))
            _refuse_non_empty(out)  # someone wrote there meanwhile: leave their files alone
            if out.exists():
                out.rmdir()
            guard_write(out, lambda: os.replace(work, out))
            done = True
        finally:
            if not done:  # failed or cancelled: no half-written pack is left behind
                shutil.rmtree(work, ignore_errors=True)
    files = tuple(sorted(p.name for p in out.iterdir()))
    store.record_action(user, "audit_pack_written", "event", event_id, {
        "folder": str(out), "audit_chain_head": chain.head.text()})
    return AuditPack(out, files)


def _refuse_non_empty(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError("reports.pack_not_empty", path=str(out))


def _fill(store: Store, event: OutageEvent, work: Path, now: datetime,
          progress: ProgressCallback, token: CancelToken, head: ChainHead) -> None:
    steps: list[tuple[str, Callable[[Path], None]]] = [
        ("evenement.json", lambda p: _write_json(p, _event_record(event))),
        ("comptabilite.csv", lambda p: _write_accounting(store, event.id, p)),
        ("feuilles.csv", lambda p: _write_sheets(store, event.id, p)),
        ("cycle-de-vie-feuilles.csv", lambda p: _write_lifecycle(store, event.id, p)),
        ("rapprochements.csv", lambda p: _write_runs(store, event.id, p)),
        ("verdicts.csv", lambda p: _write_verdicts(store, event.id, p)),
        ("signalements.csv", lambda p: _write_flags(store, event.id, p)),
        ("resolutions.csv", lambda p: _write_rows(
            p, store.report_flag_events(event.id),
            ("id", "flag_id", "item_key", "at", "action", "username", "run_id", "verdict",
             "resolution", "comment"))),
        ("identites.csv", lambda p: _write_rows(
            p, store.report_identity_decisions(event.id),
            ("id", "left_id", "action", "right_id", "username", "at", "run_id", "comment"))),
        ("journal-audit.csv", lambda p: _write_rows(
            p, store.report_audit(event.id),
            ("id", "at", "username", "action", "subject", "record_id", "detail", "seq",
             "hash"))),
    ]
    total = len(steps) + 2
    for done, (name, write) in enumerate(steps):
        token.check()
        progress(Progress(done, total, msg("reports.progress_pack_file", file=name)))
        write(work / name)
    token.check()
    progress(Progress(len(steps), total, msg("reports.progress_pdf")))
    report_files(store, event.id, work, now=now, cancel=token)
    _write_readme(work / README, event, now, head)
    _write_manifest(work, event, now, head)
    progress(Progress(total, total, msg("reports.progress_done")))


# -- the files ----------------------------------------------------------------------------------


def _write_json(path: Path, data: Any) -> None:
    write_private_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _stored(moment: datetime | None) -> str | None:
    return clock.to_storage(moment) if moment else None


def _event_record(event: OutageEvent) -> dict[str, Any]:
    exception = event.exception
    return {
        "id": event.id, "kind": event.kind.value, "title": event.title,
        "planned": event.planned, "status": event.status.value,
        "started_at": _stored(event.started_at), "ended_at": _stored(event.ended_at),
        "wards": list(event.wards) if event.wards is not None else None,
        "systems": list(event.systems), "declared_by": event.declared_by,
        "declared_at": _stored(event.declared_at), "ended_by": event.ended_by,
        "closed_by": event.closed_by, "closed_at": _stored(event.closed_at),
        "exception": None if exception is None else {
            "signed_by": exception.signed_by, "signed_at": _stored(exception.signed_at),
            "reason": exception.reason, "sheets": list(exception.serials)},
    }


def _code(serial: int | None) -> str:
    return group_for_reading(page_code(serial, 1)) if serial else ""


def _write_accounting(store: Store, event_id: int, path: Path) -> None:
    lines = account_lines(tracked_sheets(store, event_id=event_id))
    write_private_text(path, accounting_csv(lines))


def _write_sheets(store: Store, event_id: int, path: Path) -> None:
    write_csv(path, ("serial", "code", "batch", "batch_kind", "ward", "template", "patient_name",
                     "birth_date", "ipp", "room", "bed", "temporary_id", "returned", "entered",
                     "verified", "state", "declared_reason", "declared_by"), (
        [s.serial, _code(s.serial), s.batch_id, s.batch_kind, s.ward_code, s.template_id,
         s.patient_name, s.birth_date.isoformat() if s.birth_date else "", s.ipp, s.room, s.bed,
         s.temporary_id, int(s.returned), int(s.entered), int(s.verified), s.state.value,
         s.declared_reason, s.declared_by]
        for s in tracked_sheets(store, event_id=event_id)))


def _write_lifecycle(store: ReportStore, event_id: int, path: Path) -> None:
    write_csv(path, ("id", "serial", "code", "template", "ward", "batch", "sheet_status", "at",
                     "action", "user", "reason"), (
        [r["id"], r["serial"], _code(r["serial"]), r["template_id"], r["ward_code"],
         r["batch_id"], r["sheet_status"], r["at"], r["action"], r["user"], r["reason"]]
        for r in store.report_sheet_events(event_id)))


def _write_runs(store: ReportStore, event_id: int, path: Path) -> None:
    write_csv(path, ("id", "at", "username", "paper_source", "paper_sha256", "sih_files",
                     "counts", "unmatched", "flag_changes", "event_items"), (
        [r["id"], r["at"], r["username"], r["paper_source"], r["paper_sha256"], r["sih_files"],
         r["counts"], r["unmatched"], r["flag_changes"], r["event_items"]]
        for r in store.report_runs(event_id)))


def _identity(text: str | None) -> PatientIdentity:
    return PatientIdentity.from_dict(json.loads(text or "{}"))


def _reason(text: str | None) -> str:
    return render_reason(text, i18n.get_language())


def _write_verdicts(store: ReportStore, event_id: int, path: Path) -> None:
    write_csv(path, ("run_id", "item_key", "verdict", "ward", "ipp", "temporary_id",
                     "patient_name", "birth_date", "kind", "code", "effective_time", "score",
                     "differs_on", "reason", "serial", "page", "sih_ids", "paper", "sih"), (
        [r["run_id"], r["item_key"], r["verdict"], r["ward_code"], r["ipp"], r["temporary_id"],
         _name(r["identity"]), _identity(r["identity"]).birth_date, r["kind"], r["code"],
         r["effective_time"], r["score"], r["differs_on"], _reason(r["reason"]), r["serial"],
         r["page"], r["sih_ids"], r["paper"], r["sih"]]
        for r in store.report_verdicts(event_id)))


def _name(text: str | None) -> str:
    identity = _identity(text)
    return identity.name() if identity.known else ""


def _write_flags(store: ReportStore, event_id: int, path: Path) -> None:
    write_csv(path, ("flag_id", "item_key", "ward", "ipp", "temporary_id", "patient_name",
                     "birth_date", "kind", "code", "verdict", "status", "resolution", "comment",
                     "first_flagged_at", "closed_at", "closed_by", "closed_by_run",
                     "previous"), (
        [r["flag_id"], r["item_key"], r["ward_code"], r["ipp"], r["temporary_id"],
         _name(r["identity"]), _identity(r["identity"]).birth_date, r["kind"], r["code"],
         r["verdict"], r["status"], r["resolution"], r["comment"], r["first_flagged_at"],
         r["closed_at"], r["closed_by"], r["closed_by_run"], r["previous"]]
        for r in store.report_flags(event_id)))


def _write_rows(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    write_csv(path, columns, ([r[c] for c in columns] for r in rows))


def _write_readme(path: Path, event: OutageEvent, now: datetime, head: ChainHead) -> None:
    lines = [tr("reports.readme_title", id=event.id, title=event.title),
             tr("reports.readme_generated", when=clock.format_local(now), version=__version__),
             ""]
    if event.kind is EventKind.DRILL:
        lines += [tr("reports.drill_notice"), ""]
    lines += [tr("reports.readme_intro"), ""]
    width = max(len(name) for name, _ in CONTENTS + ((MANIFEST, ""), (CHECKSUMS, "")))
    for name, key in (*CONTENTS, (MANIFEST, "manifest"), (CHECKSUMS, "checksums")):
        lines.append(tr("reports.readme_file", file=name.ljust(width),
                        what=tr(f"reports.readme_{key}")))
    lines += ["", tr("reports.readme_times"), "", tr("reports.readme_verify"), "",
              tr("audit.readme_chain", head=head.text()), "", tr("reports.readme_privacy")]
    write_private_text(path, "\n".join(lines) + "\n")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_manifest(work: Path, event: OutageEvent, now: datetime, head: ChainHead) -> None:
    """``manifest.json`` lists every other file with its size and SHA-256, and the audit
    chain's head when the pack was made (checked intact just before); ``SHA256SUMS``, in the
    format of ``sha256sum -c``, covers every file including ``manifest.json``."""
    expected = {name for name, _ in CONTENTS} | set(REPORT_FILES) | {README}
    present = {p.name for p in work.iterdir()}
    assert expected <= present, f"audit pack is missing {sorted(expected - present)}"
    names = sorted(present - {MANIFEST, CHECKSUMS})
    files = [{"path": name, "bytes": (work / name).stat().st_size,
              "sha256": _sha256(work / name)} for name in names]
    _write_json(work / MANIFEST, {
        "event": event.id, "title": event.title, "kind": event.kind.value,
        "generated_at": clock.to_storage(now), "generator": f"reentry {__version__}",
        "audit_chain_head": head.text(), "files": files})
    sums = {str(f["path"]): str(f["sha256"]) for f in files}
    sums[MANIFEST] = _sha256(work / MANIFEST)
    write_private_text(work / CHECKSUMS,
                       "".join(f"{sums[name]}  {name}\n" for name in sorted(sums)))
