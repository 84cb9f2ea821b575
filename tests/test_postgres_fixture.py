"""The private PostgreSQL server of the tests (tests/postgres_fixture.py) is what it says.

A real server: a table is written and read back through the psycopg driver; it listens on
127.0.0.1 only (checked in the kernel's socket table, not only in its settings) and asks for a
password; each test has a database of its own, dropped afterwards; the server is gone once
stopped; and a server that cannot run is a skip, or a failure where ``REENTRY_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from postgres_fixture import (
    HOST,
    REQUIRE_VARIABLE,
    ROLE,
    PostgresUnavailable,
    PrivateServer,
    private_postgres,
    started_or_skipped,
)

SEEN: set[str] = set()  # the databases earlier tests of this module were given


def test_a_table_is_created_written_and_read_back(postgres_url):
    moment = datetime(2026, 11, 23, 21, 5, tzinfo=UTC)
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE note (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                     "patient text NOT NULL, written_at timestamptz NOT NULL, value numeric)")
        ids = [conn.execute("INSERT INTO note (patient, written_at, value) VALUES (%s, %s, %s) "
                            "RETURNING id", (name, moment, value)).fetchone()[0]
               for name, value in (("ÉLODIE Français", 37.5), ("Ñuñez Zoé", None))]
    assert ids == [1, 2]
    with psycopg.connect(postgres_url) as again:  # committed: another connection sees it
        rows = again.execute("SELECT patient, written_at, value FROM note ORDER BY id").fetchall()
        lowered = again.execute("SELECT lower(%s)", ("ÉLODIE",)).fetchone()[0]
    assert [(r[0], r[1], None if r[2] is None else float(r[2])) for r in rows] == [
        ("ÉLODIE Français", moment, 37.5), ("Ñuñez Zoé", moment, None)]
    assert lowered == "élodie"


def test_the_url_names_an_ordinary_role_that_owns_its_database(postgres_url, postgres_server):
    parts = urlsplit(postgres_url)
    assert (parts.scheme, parts.hostname, parts.port, parts.username) == (
        "postgresql", HOST, postgres_server.port, ROLE)
    assert parts.password and parts.path.startswith("/test_")
    with psycopg.connect(postgres_url) as conn:
        superuser, owner, encoding = conn.execute(
            "SELECT r.rolsuper, pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding) "
            "FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()").fetchone()
    assert (superuser, owner, encoding) == (False, ROLE, "UTF8")


def test_the_server_listens_on_127_0_0_1_only(postgres_url, postgres_server):
    with psycopg.connect(postgres_url) as conn:
        served_on = str(conn.execute("SELECT inet_server_addr()").fetchone()[0])
    with postgres_server.admin() as admin:  # only a superuser may read where sockets go
        listen = admin.execute("SHOW listen_addresses").fetchone()[0]
        sockets = admin.execute("SHOW unix_socket_directories").fetchone()[0]
    assert (listen, sockets, served_on) == (HOST, "", HOST)
    bound = _listening(postgres_server.port)
    assert bound == {HOST}, f"port {postgres_server.port} is bound on {bound}"
    for elsewhere in ("127.0.0.2", "127.0.1.1"):  # the machine's other loopback addresses
        with pytest.raises(OSError):
            socket.create_connection((elsewhere, postgres_server.port), timeout=2).close()


def test_a_password_is_required(postgres_url):
    parts = urlsplit(postgres_url)
    netloc_without = f"{parts.username}@{parts.hostname}:{parts.port}"
    for wrong in (parts._replace(netloc=f"{parts.username}:wrong@{parts.hostname}:"
                                        f"{parts.port}").geturl(),
                  parts._replace(netloc=netloc_without).geturl()):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(wrong, connect_timeout=5).close()


@pytest.mark.parametrize("turn", ["first", "second"])
def test_two_tests_get_two_different_databases(turn, postgres_url):
    with psycopg.connect(postgres_url) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        fresh = conn.execute("SELECT to_regclass('public.marker') IS NULL").fetchone()[0]
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        conn.execute("CREATE TABLE marker (turn text)")
        conn.execute("INSERT INTO marker VALUES (%s)", (turn,))
    assert fresh, f"{name} already had the table another test made"
    assert name not in SEEN and postgres_url.endswith("/" + name)
    assert not SEEN & existing, "an earlier test's database was not dropped"
    SEEN.add(name)


def test_a_server_is_stopped_and_removed_at_the_end():
    with _private_or_skip() as server:
        root, port = server.root, server.port
        with psycopg.connect(server.create_database()) as conn:
            assert conn.execute("SELECT 1").fetchone()[0] == 1
        assert root.is_dir()
    assert not root.exists()
    with pytest.raises(OSError):
        socket.create_connection((HOST, port), timeout=2).close()


def test_a_server_that_cannot_run_is_a_skip_unless_required(monkeypatch):
    @contextmanager
    def broken():
        raise PostgresUnavailable("initdb is missing")
        yield

    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL cannot run here: initdb is missing"):
        with started_or_skipped(broken):
            pass
    monkeypatch.setenv(REQUIRE_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match=f"initdb is missing.*{REQUIRE_VARIABLE}=1"):
        with started_or_skipped(broken):
            pass


@contextmanager
def _private_or_skip():
    with started_or_skipped(private_postgres) as server:
        assert isinstance(server, PrivateServer)
        yield server


def _listening(port: int) -> set[str]:
    """The addresses a TCP socket listens on for ``port``, from the kernel's own tables."""
    addresses = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                addresses.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                addresses.add(socket.inet_ntop(socket.AF_INET6, words))
    return addresses
