"""One database, an embedded SQLite file or a shared PostgreSQL server, behind one SQL path.

The store's queries are plain SQL with ``?`` placeholders, written once in the subset both
engines understand (``INSERT … ON CONFLICT``, ``RETURNING``, ``coalesce``…). SQLAlchemy makes
the engine (pooled connections, a driver per dialect, URLs with credentials) and wraps driver
errors alike; this module adds what differs between the two and nothing more:

* placeholders: ``?`` for sqlite3, ``%s`` for psycopg (literal ``%`` doubled);
* transactions: ``BEGIN IMMEDIATE`` on SQLite (a second writer waits, then fails clearly; readers
  never wait), ``BEGIN ISOLATION LEVEL SERIALIZABLE`` on PostgreSQL (a check-then-write that
  loses a race fails with a serialization error instead of writing over the winner);
* errors: locked or busy, disk full, serialization failure, unreachable server, as the
  ``reentry.errors`` the people at the keyboard can act on.

Connections run in the driver's autocommit mode: a read is never held in a transaction, and a
write transaction is exactly the ``with connection.transaction():`` block around it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from reentry.errors import DatabaseError, DatabaseLocked, DiskFull, UserError

SQLITE, POSTGRESQL = "sqlite", "postgresql"


class Cursor(Protocol):
    """What a query gives back: rows as tuples (``row[0]``), counts, the new row's id."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...

    def fetchmany(self, size: int) -> Sequence[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class IntegrityViolation(Exception):
    """A constraint refused the write (``unique``: a row with the same key exists): the store
    decides what it means (usually: someone else saved it first)."""

    def __init__(self, detail: str, unique: bool) -> None:
        super().__init__(detail)
        self.unique = unique


class DatabaseUnreachable(DatabaseError):
    """The database server does not answer (network cut, server down)."""

    message_id = "store.unreachable"


class DatabaseSignInRefused(DatabaseError):
    """The server refused the database account (user name or password: not said which)."""

    message_id = "store.sign_in_refused"


# Every write transaction on a server takes this first, before it reads anything (a LOCK takes
# no snapshot, so what it then reads includes every write committed before it got the lock):
# ROW SHARE mode lets writers run side by side, EXCLUSIVE mode (a write done again) runs alone.
# The table is the audit chain's one-row head (``reentry.store.audit_chain``).
WRITER_LOCK = "LOCK TABLE audit_chain_head IN {mode} MODE"


class WriteConflict(UserError):
    """Another person changed the same records at the same moment (PostgreSQL serialization
    failure): nothing was written, the action can simply be done again."""

    def __init__(self, path: str) -> None:
        super().__init__("store.write_conflict", path=path)


def sqlite_engine(path: str, read_only: bool = False) -> Engine:
    """An engine on one SQLite file: foreign keys on, durable writes, and transactions that
    this module opens itself (the driver's own implicit BEGIN is switched off); ``read_only``
    opens the file so that nothing can write to it (a ward's offline copy)."""
    target = (f"file:{quote(str(Path(path).resolve()))}?mode=ro&uri=true" if read_only
              else path)
    engine = create_engine(f"sqlite:///{target}", poolclass=NullPool,
                           connect_args={"timeout": 5.0, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit: BEGIN is ours
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


def server_engine(url: str, password: str | None = None) -> Engine:
    """An engine on a PostgreSQL server (``postgresql://user:password@host:port/db``), with
    psycopg 3 as the driver and a small pool of connections checked before use. The URL is
    read with the standard library (a password may hold « @ » or « : »), then handed over
    part by part; with no password in it, ``password`` (the settings file's), else libpq reads
    ``~/.pgpass``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("connect_timeout", "5")  # a cut network answers in seconds, not minutes
    engine_url = URL.create(
        "postgresql+psycopg", username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else password,
        host=parts.hostname, port=parts.port, database=unquote(parts.path.lstrip("/")),
        query=query)
    return create_engine(engine_url, pool_size=2, max_overflow=4, pool_pre_ping=True,
                         isolation_level="AUTOCOMMIT")


class SqlConnection:
    """One connection of a store: queries with ``?`` placeholders on either engine."""

    def __init__(self, engine: Engine, shown: str, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only  # a ward's offline copy: every write is refused
        self.dialect = engine.dialect.name
        self.shown = shown  # the database as people may see it (no password)
        with self.errors():
            self._conn: Connection = engine.connect().execution_options(
                isolation_level="AUTOCOMMIT")
        self._depth = 0
        # On a server, write transactions first run side by side (SERIALIZABLE: a loser is told
        # and done again); a write done again sets ``serialized``, and then runs alone: it waits
        # for the writers under way and the others wait for it (``WRITER_LOCK``), so it cannot
        # lose again. ``migrate_server`` sets ``locks_writers`` once the lock's table exists.
        self.serialized = False
        self.locks_writers = False

    # -- running SQL ---------------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return server_sql(sql) if self.dialect == POSTGRESQL else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return cast(Cursor, self._result(sql, params))

    def _result(self, sql: str, params: Sequence[Any]) -> CursorResult[Any]:
        with self.errors():
            return self._conn.exec_driver_sql(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement for many rows. On a server, a plain ``INSERT INTO t (…) VALUES (?, …)``
        is sent as one ``COPY t (…) FROM STDIN`` instead: the driver's ``executemany`` costs a
        protocol exchange and the parameters' typing per row, ten times the time of the copy
        for the hundred thousand rows of a reconciliation run. Same rows, same order (so the
        same ids), same constraints; everything else is run as written. The rows of a copy
        are sent as ``rows`` makes them: the server writes some while the next are made."""
        copy = _copy_of(sql) if self.dialect == POSTGRESQL else None
        with self.errors():
            if copy is not None:
                with _driver_errors(), self.dbapi().cursor() as cursor, \
                        cursor.copy(copy) as stream:
                    for row in rows:
                        stream.write_row(row)
                return
            batch = [tuple(r) for r in rows]
            if batch:
                self._conn.exec_driver_sql(self._sql(sql), batch)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row as a dict of column name → value."""
        return [dict(r) for r in self._result(sql, params).mappings().all()]

    def insert(self, sql: str, params: Sequence[Any] = (), key: str = "id") -> int:
        """Run an ``INSERT`` and return the new row's ``key`` (``RETURNING``, both engines)."""
        row = self.execute(f"{sql} RETURNING {key}", params).fetchone()
        assert row is not None
        return int(row[0])

    def dbapi(self) -> Any:
        """The driver's own connection (sqlite-utils' migrations and the backup API use it)."""
        return self._conn.connection.dbapi_connection

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[SqlConnection]:
        """One write transaction; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        begin = ("BEGIN IMMEDIATE" if self.dialect == SQLITE
                 else "BEGIN ISOLATION LEVEL SERIALIZABLE")
        with self.errors():
            self._conn.exec_driver_sql(begin)
            if self.locks_writers:
                self._conn.exec_driver_sql(WRITER_LOCK.format(
                    mode="EXCLUSIVE" if self.serialized else "ROW SHARE"))
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            with self.errors():
                self._conn.exec_driver_sql("ROLLBACK")
            raise
        self._depth = 0
        with self.errors():
            self._conn.exec_driver_sql("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[SqlConnection]:
        """A read-only transaction: every query in it sees the database as of its start, while
        other PCs go on writing (a copy, a report that must add up)."""
        begin = ("BEGIN" if self.dialect == SQLITE
                 else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with self.errors():
            self._conn.exec_driver_sql(begin)
        self._depth = 1
        try:
            yield self
        finally:
            self._depth = 0
            with self.errors():
                self._conn.exec_driver_sql("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def close(self) -> None:
        self._conn.close()
        self.engine.dispose()

    # -- errors ---------------------------------------------------------------------------------

    def _translated(self, error: BaseException | None) -> UserError:
        if self.read_only and "readonly" in str(error).lower().replace("-", ""):
            return UserError("store.offline_read_only", path=self.shown)
        return translate(error, self.shown)

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError as error:
            raise _integrity(error.orig) from error
        except sqlite3.IntegrityError as error:
            raise _integrity(error) from error
        except DBAPIError as error:
            raise self._translated(error.orig) from error
        except sqlite3.Error as error:
            raise self._translated(error) from error
        except SQLAlchemyError as error:
            raise DatabaseError(path=self.shown, detail=str(error).splitlines()[0]) from error


_PLAIN_INSERT = re.compile(
    r"\s*INSERT INTO (\w+) \(([\w\s,]+)\) VALUES \((\s*\?\s*(?:,\s*\?\s*)*)\)\s*", re.I)


@lru_cache(maxsize=128)
def _copy_of(sql: str) -> str | None:
    """``COPY t (a, b) FROM STDIN`` for ``INSERT INTO t (a, b) VALUES (?, ?)`` (one ``?`` per
    column, nothing after: no ``ON CONFLICT``, no ``RETURNING``), else None."""
    found = _PLAIN_INSERT.fullmatch(sql)
    if found is None:
        return None
    columns = [c.strip() for c in found.group(2).split(",")]
    if len(columns) != found.group(3).count("?"):
        return None
    return f"COPY {found.group(1)} ({', '.join(columns)}) FROM STDIN"


@contextmanager
def _driver_errors() -> Iterator[None]:
    """psycopg's own errors (the driver used directly, for ``COPY``) as SQLAlchemy wraps them,
    so that ``SqlConnection.errors`` translates them alike."""
    import psycopg

    try:
        yield
    except psycopg.IntegrityError as error:
        raise IntegrityError(None, None, error) from error
    except psycopg.Error as error:
        raise DBAPIError(None, None, error) from error


def _integrity(error: BaseException | None) -> IntegrityViolation:
    text = str(error)
    unique = "UNIQUE" in text or getattr(error, "sqlstate", None) == "23505"
    return IntegrityViolation(text.splitlines()[0] if text else "", unique)


_JSON_EACH = re.compile(r"json_each\(([\w.]+)\)(?:\s+(?!WHERE\b|ON\b|JOIN\b)(\w+))?", re.I)
_JSON_FIELD = re.compile(r"json_extract\(([\w.]+), '\$\.(\w+)'\)", re.I)


@lru_cache(maxsize=1024)
def server_sql(sql: str) -> str:
    """A store query as PostgreSQL runs it. Queries are written once, in the SQL both engines
    share; the two JSON functions SQLite spells its own way are rewritten here:
    ``json_each(x) j`` (the values of a JSON array) and ``json_extract(x, '$.key')``."""
    sql = _JSON_EACH.sub(
        lambda m: (f"json_array_elements_text(CAST({m.group(1)} AS json))"
                   f" AS {m.group(2) or 'value'}" + ("(value)" if m.group(2) else "")), sql)
    sql = _JSON_FIELD.sub(lambda m: f"CAST(CAST({m.group(1)} AS json)->>'{m.group(2)}' AS BIGINT)",
                          sql)
    return sql.replace("%", "%%").replace("?", "%s")


def translate(error: BaseException | None, shown: str) -> UserError:
    """A driver error as something the person can act on."""
    text = str(error).lower()
    code = getattr(error, "sqlstate", None) or ""
    if code in ("40001", "40P01"):  # serialization failure, deadlock: try again
        return WriteConflict(path=shown)
    if code.startswith("08") or "connection refused" in text or "could not connect" in text \
            or "timeout expired" in text or "could not translate host name" in text \
            or "failed to resolve host" in text:
        return DatabaseUnreachable(path=shown)
    if code == "28P01" or "password authentication failed" in text:
        return DatabaseSignInRefused(path=shown)
    if "locked" in text or "busy" in text or code == "55P03":
        return DatabaseLocked(path=shown)
    if "disk is full" in text or "database or disk is full" in text or code == "53100":
        return DiskFull(path=shown)
    return DatabaseError(path=shown, detail=str(error).splitlines()[0] if str(error) else
                         type(error).__name__)
