"""The audit chain at scale: how long ``reentry audit verify`` takes over a million records.

Builds a database whose audit trail holds N records like those Reentry writes (rows typed,
identities confirmed, sheets returned; JSON details of the usual size), chained as Reentry
chains them, then times:

* the check itself (``store.verify_audit_chain``, what ``reentry audit verify`` runs), in
  wall-clock and CPU seconds, and the records checked per second;
* migration 0010 chaining the same N records in a database written before the chain existed
  (an upgrade), unless ``--skip-migration``;
* a hundred audited writes through the store (one transaction each), for the cost per write.

With ``--server``, the same again on a private throwaway PostgreSQL server (the tests' own,
``tests/postgres_fixture.py``); with ``--db postgresql://…``, on that server only (an empty
database: its tables are made and filled). Prints figures; no assertion on time (the goal: a
million records checked in seconds).

    .venv/bin/python bench/bench_audit_verify.py [--records 1000000] [--server | --db URL]
                                                 [--skip-migration]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reentry import clock
from reentry.domain.entry import Role
from reentry.store import open_store
from reentry.store.audit_chain import GENESIS, record_hash
from reentry.store.schema import migrations

START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
BATCH = 50_000


def records(count: int, seed: int = 1) -> Iterator[tuple[str, int, str, str, int, str]]:
    """(at, user_id, action, subject, record_id, detail) as the store writes them."""
    rng = random.Random(seed)
    for n in range(count):
        at = clock.to_storage(START + timedelta(milliseconds=250 * n))
        draw = rng.random()
        if draw < 0.7:
            detail = {"serial": 100_000_000 + n // 12, "row": f"vitals:{n % 12}",
                      "corrects": None, "reason": None, "values": None}
            yield at, 1 + n % 40, "entry_recorded", "entry", n + 1, json.dumps(detail)
        elif draw < 0.85:
            yield at, 1 + n % 40, "identity_confirmed", "sheet", 100_000_000 + n // 12, "{}"
        else:
            detail = {"serial": 100_000_000 + n // 12, "page": 1, "file": "lot-0042.pdf"}
            yield (at, 1 + n % 40, "scan_page_stored", "scan_page", n + 1,
                   json.dumps(detail, ensure_ascii=False))


def fill_chained(conn: object, count: int, mark: str) -> None:
    """The 40 people who write the records (ids 1 to 40 in an empty database), then N chained
    records and the head row, written in batches (``conn``: DB-API, in a transaction the caller
    commits)."""
    conn.cursor().executemany(  # type: ignore[attr-defined]
        "INSERT INTO users (username, display_name, role, created_at)"
        f" VALUES ({', '.join([mark] * 4)})",
        [(f"ide{n}", f"Infirmière {n}", "nurse", clock.to_storage(START))
         for n in range(1, 41)])
    previous = GENESIS
    batch: list[tuple[object, ...]] = []
    seq = 0
    for seq, (at, user, action, subject, record, detail) in enumerate(records(count), 1):
        digest = record_hash(seq, at, user, action, subject, record, detail, previous)
        batch.append((at, user, action, subject, record, detail, seq, previous, digest))
        previous = digest
        if len(batch) == BATCH:
            _insert(conn, batch, mark)
            batch = []
    _insert(conn, batch, mark)
    conn.execute(  # type: ignore[attr-defined]
        f"INSERT INTO audit_chain_head (id, seq, hash, record_id) VALUES (1, {mark}, {mark},"
        f" {mark})", (seq, previous, seq))


def _insert(conn: object, batch: list[tuple[object, ...]], mark: str) -> None:
    if batch:
        cursor = conn.cursor()  # type: ignore[attr-defined]
        cursor.executemany(
            "INSERT INTO audit_log (at, user_id, action, subject, record_id, detail, seq,"
            f" prev_hash, hash) VALUES ({', '.join([mark] * 9)})", batch)


def timed(label: str, work):  # type: ignore[no-untyped-def]
    began, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    print(f"{label:<46} {wall:8.2f} s wall {used:8.2f} s CPU")
    return result, wall


def bench_sqlite(count: int, folder: Path, skip_migration: bool) -> None:
    path = folder / "audit.sqlite"
    open_store(path).close()  # the schema
    raw = sqlite3.connect(path)
    (_, wall) = timed(f"write {count:,} chained records (setup)",
                      lambda: (fill_chained(raw, count, "?"), raw.commit()))
    raw.close()
    print(f"database file: {path.stat().st_size / 1e6:,.0f} MB")
    store = open_store(path)
    _verify_and_write(store, count)
    if not skip_migration:
        _migration(count, folder / "before.sqlite")


def _verify_and_write(store: Any, count: int) -> None:
    """Time ``reentry audit verify`` over ``count`` records, then single audited writes."""
    try:
        check, wall = timed("reentry audit verify (store.verify_audit_chain)",
                            store.verify_audit_chain)
        assert check.intact and check.records == count, check
        print(f"  {count / wall:,.0f} records a second; head {check.head.text()[:24]}…")
        _writes(store)
    finally:
        store.close()


def _writes(store: object) -> None:
    def hundred() -> None:
        for n in range(100):
            store.add_user(f"bench{n}", "Banc d'essai", Role.NURSE)  # type: ignore[attr-defined]
    _, wall = timed("100 audited writes, one transaction each", hundred)
    print(f"  {wall * 10:.2f} ms a write, chain included")


def _migration(count: int, path: Path) -> None:
    """A database written before the chain: migration 0010 chains its records on opening."""
    raw = sqlite3.connect(path, isolation_level=None)
    migrations.apply(Database(raw), stop_before="0010_audit_chain")
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO audit_log (at, user_id, action, subject, record_id, detail)"
                    " VALUES (?, ?, ?, ?, ?, ?)", records(count))
    raw.execute("COMMIT")
    raw.close()
    store, _ = timed(f"migration 0010: chain {count:,} existing records", lambda: open_store(path))
    try:
        assert store.verify_audit_chain().intact
    finally:
        store.close()


def bench_server(count: int, url: str) -> None:
    import psycopg

    open_store(url).close()  # the schema, made by its first client
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]:
            raise SystemExit("--db must name an empty Reentry database")
        timed(f"write {count:,} chained records (setup)",
              lambda: (fill_chained(conn, count, "%s"), conn.commit()))
    store = open_store(url)
    _verify_and_write(store, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="an empty PostgreSQL database (URL)")
    parser.add_argument("--server", action="store_true",
                        help="also on a private throwaway PostgreSQL (tests/postgres_fixture.py)")
    parser.add_argument("--skip-migration", action="store_true")
    args = parser.parse_args()
    print(f"audit chain: {args.records:,} records; load average {os.getloadavg()[0]:.1f}"
          f" on {os.cpu_count()} cores")
    if args.db:
        print("-- PostgreSQL", args.db.split("@")[-1])
        bench_server(args.records, args.db)
        return
    print("-- SQLite")
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as folder:
        bench_sqlite(args.records, Path(folder), args.skip_migration)
    if args.server:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from postgres_fixture import private_postgres

        print("-- PostgreSQL (private server on 127.0.0.1)")
        with private_postgres() as server:
            bench_server(args.records, server.create_database())


if __name__ == "__main__":
    main()
