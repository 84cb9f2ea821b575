"""A whole database copied from one store to another, and proven equal.

A print station that worked alone joins the hospital's server (``reentry db copy
station.sqlite postgresql://…``); an audit or a drill takes a copy of the server in a file
(``reentry db copy postgresql://… copie.sqlite``). The target must be empty: it is set up by
the same migrations as the source, every table is copied in the order its foreign keys need,
in one transaction (nothing half-copied), the server's identity sequences are moved past the
copied ids, and then each table is read back on both sides: the same number of rows and the
same SHA-256 over its rows in key order, or the copy is reported as failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect

from reentry.errors import UserError
from reentry.store.database import POSTGRESQL, SqlConnection

# Bookkeeping each engine keeps for itself: never copied.
_OWN_TABLES = frozenset({"_sqlite_migrations", "reentry_migrations", "sqlite_sequence"})
CHUNK = 5000

Progress = Callable[[str, int, int], None]  # table, tables done, tables in all


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    tables: tuple[TableCopy, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def copy_database(source: SqlConnection, target: SqlConnection,
                  progress: Progress | None = None) -> CopyReport:
    """Copy the store on ``source`` into the empty store on ``target`` (both opened, hence
    migrated, by the caller) and check every table; a ``UserError`` says what went wrong,
    and the target keeps nothing of a failed copy."""
    if source.shown == target.shown:
        raise UserError("db_copy.same", location=source.shown)
    with source.snapshot():  # the source as of one moment, while others may write to it
        return _copy(source, target, progress)


def _tables(conn: SqlConnection) -> list[str]:
    """The tables in an order where every table comes after those it refers to."""
    with conn.errors():
        ordered = inspect(conn.engine).get_sorted_table_and_fkc_names()
    return [name for name, _ in ordered if name and name not in _OWN_TABLES]


def _key(conn: SqlConnection, table: str, columns: Sequence[str]) -> list[str]:
    with conn.errors():
        key = inspect(conn.engine).get_pk_constraint(table).get("constrained_columns") or []
    return list(key) or list(columns)


def _columns(conn: SqlConnection, table: str) -> list[str]:
    with conn.errors():
        return [c["name"] for c in inspect(conn.engine).get_columns(table)]


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _read(conn: SqlConnection, table: str, columns: Sequence[str], key: Sequence[str]
          ) -> Iterator[Sequence[Any]]:
    result = conn.execute(f"SELECT {_quoted(columns)} FROM {table} ORDER BY {_quoted(key)}")
    while True:
        rows = result.fetchmany(CHUNK)
        if not rows:
            return
        yield from rows


def _value(value: Any) -> bytes:
    """One value as the checksum sees it, whatever the engine's type for it."""
    if value is None:
        return b"\x00"
    if isinstance(value, bytes | bytearray | memoryview):
        return b"b" + bytes(value)
    if isinstance(value, bool):
        return b"i" + str(int(value)).encode()
    if isinstance(value, float):
        return (b"i" + str(int(value)).encode()) if value.is_integer() else \
            b"f" + repr(value).encode()
    if isinstance(value, int):
        return b"i" + str(value).encode()
    return b"s" + str(value).encode("utf-8")


def _digest(rows: Iterator[Sequence[Any]]) -> tuple[int, str]:
    sha = hashlib.sha256()
    count = 0
    for row in rows:
        count += 1
        sha.update(b"\x1e".join(_value(v) for v in row) + b"\x1d")
    return count, sha.hexdigest()


def _copy(source: SqlConnection, target: SqlConnection, progress: Progress | None
          ) -> CopyReport:
    tables = _tables(source)
    missing = [t for t in tables if t not in set(_tables(target))]
    if missing:
        raise UserError("db_copy.schema_differs", target=target.shown,
                        tables=", ".join(missing))
    filled = [t for t in tables if target.rows(f"SELECT 1 AS x FROM {t} LIMIT 1")]
    if filled:
        raise UserError("db_copy.not_empty", target=target.shown, tables=", ".join(filled[:5]))
    plan = []
    for table in tables:
        columns = [c for c in _columns(source, table) if c in set(_columns(target, table))]
        plan.append((table, columns, _key(source, table, columns)))
    with target.transaction():
        for done, (table, columns, key) in enumerate(plan):
            insert = (f"INSERT INTO {table} ({_quoted(columns)})"
                      f" VALUES ({', '.join('?' for _ in columns)})")
            batch: list[Sequence[Any]] = []
            for row in _read(source, table, columns, key):
                batch.append(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                if len(batch) >= CHUNK:
                    target.executemany(insert, batch)
                    batch = []
            target.executemany(insert, batch)
            if progress:
                progress(table, done + 1, len(plan))
        if target.dialect == POSTGRESQL:
            _move_sequences(target, [t for t, _, _ in plan])
        report = []  # checked before the copy is committed: a mismatch leaves nothing
        for table, columns, key in plan:
            count, sha = _digest(_read(source, table, columns, key))
            copied = _digest(_read(target, table, columns, key))
            if (count, sha) != copied:
                raise UserError("db_copy.mismatch", table=table, source=source.shown,
                                target=target.shown, rows=count, copied=copied[0])
            report.append(TableCopy(table, count, sha))
    return CopyReport(source.shown, target.shown, tuple(report))


def _move_sequences(conn: SqlConnection, tables: Sequence[str]) -> None:
    """Identity columns continue after the copied ids (the next sheet serial, the next id)."""
    rows = conn.rows(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'")
    for row in rows:
        if row["table_name"] in tables:
            table, column = row["table_name"], row["column_name"]
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                         f" (SELECT coalesce(max({column}), 0) FROM {table}) + 1, false)")
