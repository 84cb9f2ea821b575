"""Unplanned-downtime readiness: keep each ward PC's folder of ready-to-print PDFs fresh.

Run on a schedule (cron, the Windows task scheduler). After each new snapshot it renders the
wards into a staging folder next to ``current/`` and swaps the new set in only once it is
complete, so the folder a nurse opens in an outage always holds a whole set, with its "data as
of" on every page, and beside them the wards' offline copy (``hors-ligne.sqlite``: census and
dossiers, read-only) that the ward PC's app opens when the server cannot be reached. It says
(and exits non-zero) when the newest set is older than the allowed age, which usually means the
imports from the SIH have stopped.

The pre-rendered sheets are registered (batch kind ``prepared``) but not marked printed: the
ward prints them only if an outage happens, and their codes must then resolve.

The folders and files are readable by their owner only: run the scheduled job as the account
that opens the PDFs in an outage (docs/files.md). A run stopped half-way (error, Ctrl+C,
SIGTERM) removes its staging folder.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.errors import UserError
from reentry.files import make_private_folder, write_private_text
from reentry.printing.station import PrintRequest, print_batch
from reentry.progress import CancelToken, ProgressCallback, ignore_progress
from reentry.registry import BatchKind
from reentry.store.areas import Store
from reentry.store.offline import OFFLINE_FILE

CURRENT = "current"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PreparedSet:
    folder: Path
    snapshot_id: int
    data_as_of: datetime
    batch_id: int
    created_at: datetime
    wards: tuple[str, ...]
    pages: int


@dataclass(frozen=True)
class PrepareOutcome:
    current: PreparedSet | None
    refreshed: bool
    stale: bool
    age: timedelta | None


def read_current(root: Path) -> PreparedSet | None:
    """The set now in ``root/current``, from its manifest; None when there is none (yet)."""
    manifest = root / CURRENT / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return PreparedSet(
            folder=root / CURRENT, snapshot_id=int(data["snapshot_id"]),
            data_as_of=datetime.fromisoformat(data["data_as_of"]),
            batch_id=int(data["batch_id"]), created_at=datetime.fromisoformat(data["created_at"]),
            wards=tuple(data["wards"]), pages=int(data["pages"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def offline_copy_path(root: Path) -> Path:
    """Where ``prepare`` keeps the wards' offline copy under ``root`` (the ``--dir`` folder)."""
    return root / CURRENT / OFFLINE_FILE


def prepare(store: Store, root: Path, *, user: User, wards: tuple[str, ...] = (),
            hours: float = 8.0, max_age_hours: float = 4.0, language: str = "fr",
            admission_packets: int = 2, now: datetime | None = None,
            progress: ProgressCallback = ignore_progress,
            cancel: CancelToken | None = None) -> PrepareOutcome:
    """Render a new set when the snapshot changed; report whether the newest set is stale.
    ``user`` is who runs it (a scheduled job signs in as its own account): it prints."""
    require(user, Permission.PRINT)
    now = now or clock.now()
    snapshot = store.latest_snapshot()
    if snapshot is None or snapshot.id is None:
        raise UserError("station.nothing_to_print")
    try:
        make_private_folder(root)
    except OSError as error:
        raise UserError("station.cannot_write", path=str(root),
                        detail=error.strerror or str(error)) from error
    current = read_current(root)
    refreshed = False
    if current is None or current.snapshot_id != snapshot.id or (
            wards and tuple(wards) != current.wards):
        current = _render_new_set(store, root, user, wards, hours, language, admission_packets,
                                  snapshot.id, snapshot.data_as_of, now, progress, cancel)
        refreshed = True
    age = now - current.data_as_of
    return PrepareOutcome(current, refreshed, age > timedelta(hours=max_age_hours), age)


def _render_new_set(store: Store, root: Path, user: User, wards: tuple[str, ...], hours: float,
                    language: str, admission_packets: int, snapshot_id: int,
                    data_as_of: datetime, now: datetime, progress: ProgressCallback,
                    cancel: CancelToken | None) -> PreparedSet:
    staging = root / f".staging-{now.strftime('%Y%m%dT%H%M%S')}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        outcome = print_batch(store, PrintRequest(
            out_dir=staging, user=user, wards=wards, hours=hours, language=language,
            admission_packets=admission_packets, kind=BatchKind.PREPARED), progress, cancel)
        prepared = PreparedSet(root / CURRENT, snapshot_id, data_as_of, outcome.batch_id, now,
                               tuple(w.ward_code for w in outcome.wards), outcome.pages)
        # What the ward PC reads when the network is cut: its wards, read-only.
        store.write_offline_copy(staging / OFFLINE_FILE, prepared.wards)
        write_private_text(staging / MANIFEST, json.dumps({
            "snapshot_id": snapshot_id, "data_as_of": data_as_of.isoformat(),
            "batch_id": outcome.batch_id, "created_at": now.isoformat(),
            "wards": list(prepared.wards), "pages": prepared.pages,
            "files": [w.pdf.name for w in outcome.wards]}, indent=2))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(root, staging)
    return prepared


def _swap_in(root: Path, staging: Path) -> None:
    """Replace ``current`` by the complete staging folder; the old set goes only afterwards."""
    current = root / CURRENT
    retired = root / f".retired-{staging.name.removeprefix('.staging-')}"
    if current.exists():
        current.rename(retired)
    staging.rename(current)
    shutil.rmtree(retired, ignore_errors=True)
