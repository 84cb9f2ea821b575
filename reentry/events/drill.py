"""Drill mode: the whole journey rehearsed on a copy, never on the real database.

``start_drill`` copies the database with SQLite's online backup API, through a read-only
connection: the copy is consistent even while the application has the real file open, and the
real file is never written (not even a checkpoint). The copy is marked as a drill in
``store_meta``; every screen opened on it shows a permanent "EXERCICE" banner, every event
declared on it is a drill event, and exports from it are refused unless explicitly allowed.

Sheets printed during a drill take serials from a reserved range (from ``DRILL_FIRST_SERIAL``)
that the real database never reaches: a drill sheet scanned into the real database is refused
as unknown instead of opening a real patient's sheet. Temporary identities likewise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reentry import clock
from reentry.domain.permissions import Permission, require
from reentry.errors import DatabaseError, UserError
from reentry.files import create_private_file, make_private_folder
from reentry.store import copy_database, open_store
from reentry.store.areas import EventStore, Store

DRILL_KEY = "drill"
DRILL_FIRST_SERIAL = 900_000_000  # codes of drill sheets start with 9
DRILL_FIRST_TEMPORARY = 9_000_000  # temporary identifiers of drill packets start with 99


@dataclass(frozen=True)
class DrillInfo:
    source: str
    started_at: datetime
    started_by: str | None


def is_drill(store: EventStore) -> bool:
    """True on a drill copy: screens show the banner, events are drills, exports are refused."""
    return store.store_meta(DRILL_KEY) is not None


def drill_info(store: EventStore) -> DrillInfo | None:
    text = store.store_meta(DRILL_KEY)
    if text is None:
        return None
    data = json.loads(text)
    return DrillInfo(data.get("source", ""),
                     clock.from_storage(data.get("started_at")) or clock.now(),
                     data.get("started_by"))


def refuse_export_from_drill(store: Store, allowed: bool = False) -> None:
    """Drill data must never reach the SIH by mistake: refuse unless explicitly allowed."""
    if is_drill(store) and not allowed:
        raise UserError("events.drill_export_refused")


def start_drill(source: Path, out: Path, *, username: str | None = None,
                now: datetime | None = None) -> DrillInfo:
    """Copy ``source`` to ``out`` and mark the copy as a drill; all or nothing.

    ``username`` (who starts the drill) is looked up in the copy, so that the real database is
    not even opened for writing.
    """

    source, out = Path(source), Path(out)
    if not source.is_file():
        raise UserError("events.drill_no_source", path=str(source))
    if out.exists():
        raise UserError("events.drill_out_exists", path=str(out))
    if out.resolve() == source.resolve():
        raise UserError("events.drill_same_file", path=str(out))
    partial = out.with_name(out.name + ".partial")
    moment = now or clock.now()
    info = DrillInfo(str(source), moment, username)
    done = False
    try:
        _remove(partial)
        make_private_folder(out.parent)
        create_private_file(partial)  # SQLite writes the copy into it, readable by its owner
        copy_database(source, partial)
        copy = open_store(partial)  # brings an older copy's schema up to date, on the copy only
        try:
            user = copy.user_by_name(username) if username else None
            if username and user is None:
                raise UserError("entry.unknown_user", username=username)
            if user is not None:  # without a name, it is a copy of a file one can read anyway
                require(user, Permission.MANAGE_EVENTS)
            copy.reserve_serial_ranges(DRILL_FIRST_SERIAL, DRILL_FIRST_TEMPORARY)
            copy.set_store_meta(DRILL_KEY, json.dumps({
                "source": info.source, "started_at": clock.to_storage(moment),
                "started_by": user.username if user else None}, ensure_ascii=False), user)
        finally:
            copy.close()
        partial.rename(out)
        done = True
    except OSError as error:
        raise DatabaseError(path=str(out), detail=error.strerror or str(error)) from error
    finally:
        if not done:
            _remove(partial)
    return info


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
