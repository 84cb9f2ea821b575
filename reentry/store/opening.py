"""Turning a database location into a store, the same way for the command line and the app.

Two rules live here so that ``reentry`` and ``reentry-app`` cannot disagree:

* a typo'd path must not silently become an empty hospital: without ``create`` (only
  ``reentry db init`` and ``reentry demo`` ask for it), a SQLite file or folder that does not
  exist is refused with a message that says how to create one;
* a ward PC whose server does not answer (network cut) opens the ward's offline copy instead,
  read-only (``open_or_offline``), and says so; without a copy it says how to get one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reentry import clock
from reentry.errors import UserError
from reentry.store.database import DatabaseUnreachable
from reentry.store.location import (
    DatabaseLocation,
    LocationLike,
    PostgresLocation,
    SqliteLocation,
    as_location,
)
from reentry.store.sql_store import SqlStore, open_store


def open_database(location: LocationLike, *, create: bool = False) -> SqlStore:
    """The store at ``location``; a missing SQLite file or folder is refused unless ``create``.

    A server database is set up by its first client, as ``open_store`` does.
    """
    location = as_location(location)
    if isinstance(location, PostgresLocation):
        return open_store(location)
    path = location.path
    if path.is_dir():
        raise UserError("db_location.not_a_file", path=str(path))
    if not create:
        if not path.parent.is_dir():
            raise UserError("db_location.folder_missing", folder=str(path.parent), path=str(path))
        if not path.is_file():
            raise UserError("db_location.file_missing", path=str(path))
    return open_store(path, create=create)


@dataclass(frozen=True)
class OfflineCopy:
    """What a ward's offline copy says of itself, as a screen shows it."""

    path: Path
    ward_codes: tuple[str, ...]
    ward_names: tuple[str, ...]  # as people know them (the code when the copy has no name)
    data_as_of: datetime | None
    written_at: datetime | None


def describe_offline_copy(store: SqlStore, path: Path) -> OfflineCopy | None:
    """``store`` as an offline copy (its wards by name, its "data as of"), or None when it is
    an ordinary database."""
    facts = store.offline_copy()
    if facts is None:
        return None
    raw_wards = facts.get("wards")
    codes = tuple(str(code) for code in raw_wards) if isinstance(raw_wards, list) else ()
    names = {ward.code: ward.name for ward in store.wards()}
    as_of, written = facts.get("data_as_of"), facts.get("written_at")
    return OfflineCopy(path, codes, tuple(names.get(code) or code for code in codes),
                       clock.from_storage(as_of) if isinstance(as_of, str) else None,
                       clock.from_storage(written) if isinstance(written, str) else None)


@dataclass
class OpenedDatabase:
    """The store a ward PC reads: the database asked for, or (``offline`` set) the ward's
    offline copy because the server did not answer."""

    store: SqlStore
    location: DatabaseLocation  # where ``store`` is: the database asked for, or the copy
    offline: OfflineCopy | None = None


Opener = Callable[[DatabaseLocation], SqlStore]


def open_or_offline(location: LocationLike, offline_file: Path | None,
                    opener: Opener = open_database) -> OpenedDatabase:
    """The database at ``location``; when its server does not answer, the offline copy at
    ``offline_file`` (``reentry prepare --dir DIR`` writes it: ``offline_copy_path(DIR)``).

    Without a copy, the refusal says that the server does not answer and how to get a copy
    for next time; the copy is opened read-only, whatever ``opener`` is.
    """
    location = as_location(location)
    try:
        return OpenedDatabase(opener(location), location)
    except DatabaseUnreachable as error:
        if offline_file is None:
            raise UserError("store.unreachable_no_offline_folder", path=location.shown) from error
        if not offline_file.is_file():
            raise UserError("store.unreachable_no_offline_copy", path=location.shown,
                            file=str(offline_file)) from error
    copy = SqliteLocation(offline_file)
    store = opener(copy)
    try:
        described = describe_offline_copy(store, offline_file)
    except BaseException:
        store.close()
        raise
    if described is None:  # an ordinary database where the copy should be: never write to it
        store.close()
        raise UserError("store.not_an_offline_copy", path=location.shown, file=str(offline_file))
    return OpenedDatabase(store, copy, described)
