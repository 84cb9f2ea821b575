"""The ward PC's offline copy: what a nurse reads when the network, hence the server, is cut.

``reentry prepare`` (the scheduled job) writes, next to each set of ward PDFs, a small SQLite
file holding only those wards' patients: their stays and movements, allergies, treatments,
vital signs, administrations and notes, with the hospital's list of places and the snapshots
("data as of"). No other ward's patient is in it, nor any re-entry, user or audit record. It
is opened read-only: the app says it is the offline copy and of when, and any attempt to
write is refused with what to do instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from reentry import clock
from reentry.store.database import SqlConnection

OFFLINE_FILE = "hors-ligne.sqlite"
META_KEY = "offline_copy"

# Table, and the rows of it that belong to the copied wards (over the source's tables).
_EXTRACT: tuple[tuple[str, str], ...] = (
    ("snapshots", "1 = 1"),  # a few rows, that every record refers to
    ("sites", "1 = 1"),  # the hospital's places: a transfer may name another ward
    ("wards", "1 = 1"),
    ("beds", "ward_code IN ({wards})"),
    ("patients", "id IN ({patients})"),
    ("stays", "id IN ({stays})"),
    ("movements", "stay_id IN ({stays})"),
    ("allergies", "patient_id IN ({patients})"),
    ("prescriptions", "patient_id IN ({patients}) AND (stay_id IS NULL OR stay_id IN ({stays}))"),
    ("observations", "patient_id IN ({patients}) AND (stay_id IS NULL OR stay_id IN ({stays}))"),
    ("administrations",
     "patient_id IN ({patients}) AND (stay_id IS NULL OR stay_id IN ({stays}))"),
    ("notes", "patient_id IN ({patients}) AND (stay_id IS NULL OR stay_id IN ({stays}))"),
)
_STAYS = ("SELECT id FROM stays WHERE ward_code IN ({wards}) AND discharged_at IS NULL"
          " AND cancelled = 0")


def write_offline_copy(source: SqlConnection, target: Path, wards: Sequence[str]) -> int:
    """Write the offline copy of ``wards`` at ``target`` (replaced whole); returns how many
    patients it holds."""
    from reentry.store.sql_store import open_store

    partial = target.with_name(target.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    codes = ", ".join("?" for _ in wards) or "NULL"
    copy = open_store(partial)
    try:
        with source.snapshot():
            stay_ids = [int(r["id"]) for r in source.rows(_STAYS.format(wards=codes),
                                                           tuple(wards))]
            stays = _ids(stay_ids)
            patient_ids = [int(r["patient_id"]) for r in source.rows(
                f"SELECT DISTINCT patient_id FROM stays WHERE id IN ({stays})")]
            patients = _ids(patient_ids)
            with copy.sql.transaction() as conn:
                for table, condition in _EXTRACT:
                    where = condition.format(wards=codes, patients=patients, stays=stays)
                    params = tuple(wards) * condition.count("{wards}")
                    rows = source.rows(f"SELECT * FROM {table} WHERE {where}", params)
                    if rows:
                        columns = list(rows[0])
                        conn.executemany(
                            f"INSERT INTO {table} ({', '.join(columns)})"
                            f" VALUES ({', '.join('?' for _ in columns)})",
                            [tuple(r[c] for c in columns) for r in rows])
                snapshot = source.rows("SELECT data_as_of FROM snapshots ORDER BY id DESC"
                                       " LIMIT 1")
                conn.execute("INSERT INTO store_meta (key, value) VALUES (?, ?)", (META_KEY, (
                    json.dumps({"wards": list(wards), "source": source.shown,
                                "data_as_of": snapshot[0]["data_as_of"] if snapshot else None,
                                "written_at": clock.to_storage(clock.now())}))))
        copy.sql.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy.sql.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        copy.close()
    partial.replace(target)
    return len(patient_ids)


def _ids(values: Sequence[int]) -> str:
    """Row ids read from the database, written into the query as integers (``NULL``: none):
    a ward's hundreds of ids need no placeholder each."""
    return ", ".join(str(v) for v in values) or "NULL"


def offline_facts(store_meta: str | None) -> dict[str, object] | None:
    """What an offline copy says of itself (wards, source, data as of), or None."""
    if not store_meta:
        return None
    try:
        facts = json.loads(store_meta)
    except ValueError:
        return None
    return facts if isinstance(facts, dict) else None
