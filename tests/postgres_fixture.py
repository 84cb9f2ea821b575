"""A private PostgreSQL server for tests: a throwaway cluster, a fresh database for each test.

The tests talk to a real server, not a fake: ``initdb`` makes a cluster in a temporary folder,
``postgres`` serves it on 127.0.0.1 only (no Unix socket, no other address), on a free port,
with password (SCRAM) authentication for an ordinary role, ``reentry``, that owns each test's
database. The machine's own PostgreSQL, if any, is left alone.

PostgreSQL refuses to run as root, and CI runs as root: then the cluster belongs to the
unprivileged ``postgres`` user that Debian's package creates (scripts/postgres-setup.sh installs
the package, or makes the user, when missing); anyone else runs it as themselves. Durability is
traded for speed (``fsync`` off): the cluster is deleted at the end of the session anyway.

Each test database is copied from an empty template (``CREATE DATABASE … TEMPLATE``), which
takes a few milliseconds; whoever needs a schema in every database can build it once in the
template (``PrivateServer.template_url``) before the first copy.

``python tests/postgres_fixture.py`` starts a server, times it and a few databases, and stops.
"""

from __future__ import annotations

import itertools
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from private_servers import run_setup_script, skip_or_fail

REPO = Path(__file__).resolve().parent.parent
SETUP_SCRIPT = REPO / "scripts" / "postgres-setup.sh"
REQUIRE_VARIABLE = "REENTRY_REQUIRE_POSTGRES"
SERVER_USER = "postgres"  # who runs the server when the tests run as root
ADMIN_ROLE = "reentry_admin"  # the cluster's superuser: makes and drops the test databases
ROLE = "reentry"  # what the code under test connects as: an ordinary role, owner of its database
TEMPLATE = "reentry_template"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
START_ATTEMPTS = 3  # a free port can be taken by someone else between choosing and binding it
TOOLS = ("initdb", "postgres")
# A cluster for tests only: nothing in it must survive a crash, so nothing waits for the disk.
SERVER_SETTINGS = {
    "listen_addresses": HOST,
    "unix_socket_directories": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "64MB",
    "lc_messages": "C",
    "timezone": "UTC",
    "log_min_messages": "warning",
}


class PostgresUnavailable(Exception):
    """PostgreSQL cannot run here; the message says why (a reason to skip, not a bug)."""


@dataclass
class PrivateServer:
    root: Path
    port: int
    password: str = field(repr=False)
    admin_password: str = field(repr=False)
    log: Path
    started_in: float = 0.0  # seconds: initdb, start and template, for the record
    _serial: Iterator[int] = field(default_factory=itertools.count, repr=False)
    _kept: Any = field(default=None, repr=False)  # the superuser connection that makes databases

    def url(self, dbname: str, *, role: str = ROLE) -> str:
        """``postgresql://role:password@127.0.0.1:PORT/dbname``."""
        password = self.admin_password if role == ADMIN_ROLE else self.password
        return f"postgresql://{role}:{quote(password, safe='')}@{HOST}:{self.port}/{dbname}"

    @property
    def template_url(self) -> str:
        return self.url(TEMPLATE)

    def admin(self, dbname: str = "postgres") -> Any:
        """A connection as the superuser, in autocommit (``CREATE DATABASE`` needs it)."""
        import psycopg

        return psycopg.connect(self.url(dbname, role=ADMIN_ROLE), autocommit=True,
                               connect_timeout=10)

    def create_database(self) -> str:
        """A new, empty database owned by ``reentry``; its URL."""
        from psycopg import sql

        name = f"test_{os.getpid()}_{next(self._serial)}"
        self._admin().execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
            sql.Identifier(name), sql.Identifier(TEMPLATE), sql.Identifier(ROLE)))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a test database, whatever connections a test left open."""
        from psycopg import sql

        name = url.rsplit("/", 1)[1]
        self._admin().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))

    def _admin(self) -> Any:
        """One superuser connection kept for the session (a new one costs ~20 ms of SCRAM)."""
        if self._kept is None or self._kept.closed or self._kept.broken:
            self._kept = self.admin()
        return self._kept

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None

    def diagnostics(self) -> str:
        """The end of the server's log, to explain a failure."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError as error:
            return f"--- no server log ({error})"
        return "--- " + self.log.name + "\n" + "\n".join(lines[-40:])


@contextmanager
def private_postgres() -> Iterator[PrivateServer]:
    """Make and start a throwaway cluster; raise ``PostgresUnavailable`` if it cannot run."""
    began = time.perf_counter()
    binaries = _require_postgres()
    owner = _server_owner()
    root = Path(tempfile.mkdtemp(prefix="reentry-pg-", dir=_short_tmp()))
    process: subprocess.Popen[bytes] | None = None
    server: PrivateServer | None = None
    try:
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        server = PrivateServer(root=root, port=0, password=_password(),
                               admin_password=_password(), log=root / "postgres.log")
        _initdb(binaries, server, owner)
        for attempt in range(START_ATTEMPTS):
            server.port = _free_port()
            try:
                process = _start(binaries, server, owner)
                break
            except _PortTaken:
                if attempt == START_ATTEMPTS - 1:
                    raise PostgresUnavailable(f"no free port after {START_ATTEMPTS} tries:\n"
                                              f"{server.diagnostics()}") from None
        _make_role_and_template(server)
        server.started_in = time.perf_counter() - began
        yield server
    finally:
        if server is not None:
            server.close()
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PrivateServer]:
    """One private server for the whole session, started on first use, stopped at the end.

    Skipped with the reason when PostgreSQL cannot run here, unless ``REENTRY_REQUIRE_POSTGRES=1``
    (CI): then every test that needs it fails, so that a broken server is never hidden.
    """
    with started_or_skipped(private_postgres) as server:
        yield server


@contextmanager
def started_or_skipped(start: Callable[[], AbstractContextManager[PrivateServer]]
                       ) -> Iterator[PrivateServer]:
    """The server ``start`` makes, or a skip that says why; a failure where it is required."""
    stack = ExitStack()
    try:
        server = stack.enter_context(start())
    except PostgresUnavailable as why:
        skip_or_fail(f"PostgreSQL cannot run here: {why}", REQUIRE_VARIABLE)
    with stack:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PrivateServer) -> Iterator[str]:
    """``postgresql://reentry:PASSWORD@127.0.0.1:PORT/test_…``: a fresh database for this test,
    dropped afterwards."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


class _PortTaken(Exception):
    pass


def _require_postgres() -> dict[str, Path]:
    if sys.platform != "linux":
        raise PostgresUnavailable("the private PostgreSQL server is set up for Linux (Debian) only")
    try:
        import psycopg  # noqa: F401
    except ImportError as error:
        raise PostgresUnavailable(f"the psycopg driver is not installed ({error}): run "
                                  "scripts/setup.sh") from error
    binaries = _find_binaries()
    needs_user = os.geteuid() == 0 and _postgres_user() is None
    if binaries is None or needs_user:
        run_setup_script(SETUP_SCRIPT, "the server binaries (initdb, postgres)"
                         if binaries is None else f"an unprivileged '{SERVER_USER}' user",
                         PostgresUnavailable, "PostgreSQL")
        binaries = _find_binaries()
    if binaries is None:
        raise PostgresUnavailable(f"initdb and postgres still missing after {SETUP_SCRIPT.name}")
    if os.geteuid() == 0 and _postgres_user() is None:
        raise PostgresUnavailable(f"PostgreSQL refuses to run as root and there is no "
                                  f"'{SERVER_USER}' user to run it as")
    return binaries


def _find_binaries() -> dict[str, Path] | None:
    """The newest Debian server (``/usr/lib/postgresql/N/bin``), else the tools on ``PATH``."""
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                     key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                     reverse=True)
    for folder in folders:
        if all((folder / tool).is_file() for tool in TOOLS):
            return {tool: folder / tool for tool in TOOLS}
    found = {tool: shutil.which(tool) for tool in TOOLS}
    if all(found.values()):
        return {tool: Path(path) for tool, path in found.items() if path}
    return None


def _postgres_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        return None


def _server_owner() -> pwd.struct_passwd | None:
    """Who runs the server: ``postgres`` when we are root, else ourselves (``None``)."""
    return _postgres_user() if os.geteuid() == 0 else None


def _short_tmp() -> str:
    """A folder the ``postgres`` user can reach (pytest's own tmp folders are root's, 0700)."""
    return "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()


def _password() -> str:
    # Characters a URL must encode, so that the code under test is made to decode them.
    return secrets.token_urlsafe(12) + "/@:%"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _run_as(owner: pwd.struct_passwd | None, server: PrivateServer) -> dict[str, Any]:
    """``subprocess`` arguments that run a tool as the cluster's owner, in its folder."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": _locale(),
           "HOME": str(server.root), "TZ": "UTC"}
    options: dict[str, Any] = {"cwd": server.root, "env": env, "stdin": subprocess.DEVNULL}
    if owner is not None:
        options.update(user=owner.pw_uid, group=owner.pw_gid, extra_groups=[])
    return options


def _locale() -> str:
    """C.UTF-8 where the C library has it (``lower()`` then folds accented capitals), else C."""
    return "C.UTF-8" if any(Path("/usr/lib/locale").glob("C.[uU][tT][fF]*8")) else "C"


def _write_owned(path: Path, text: str, owner: pwd.struct_passwd | None) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _initdb(binaries: dict[str, Path], server: PrivateServer,
            owner: pwd.struct_passwd | None) -> None:
    secret = server.root / "admin-password"
    _write_owned(secret, server.admin_password + "\n", owner)
    data = server.root / "data"
    locale = _locale()
    args = [str(binaries["initdb"]), "-D", str(data), "-U", ADMIN_ROLE, f"--pwfile={secret}",
            "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--encoding=UTF8",
            "--no-sync",
            *(["--no-locale"] if locale == "C" else [f"--locale={locale}"])]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False,
                                **_run_as(owner, server))
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PostgresUnavailable(f"initdb could not run: {error}") from error
    finally:
        secret.unlink(missing_ok=True)
    if result.returncode != 0:
        raise PostgresUnavailable(f"initdb failed ({result.returncode}): "
                                  f"{(result.stderr or result.stdout).strip()[-800:]}")
    # Only password logins over TCP from this machine; nothing else is accepted.
    _write_owned(data / "pg_hba.conf",
                 "# Reentry tests: SCRAM passwords from 127.0.0.1 only\n"
                 f"host all all {HOST}/32 scram-sha-256\n", owner)


def _start(binaries: dict[str, Path], server: PrivateServer,
           owner: pwd.struct_passwd | None) -> subprocess.Popen[bytes]:
    settings = {**SERVER_SETTINGS, "port": str(server.port)}
    args = [str(binaries["postgres"]), "-D", str(server.root / "data")]
    for name, value in settings.items():
        args += ["-c", f"{name}={value}"]
    with server.log.open("ab") as output:
        if owner is not None:
            os.chown(server.log, owner.pw_uid, owner.pw_gid)
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True, **_run_as(owner, server))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = server.diagnostics()
            if "could not bind" in log or "Address already in use" in log:
                raise _PortTaken
            raise PostgresUnavailable(f"postgres exited with status {process.returncode}:\n{log}")
        if _answers(server):
            return process
        time.sleep(0.05)
    _stop(process)
    raise PostgresUnavailable(f"postgres did not answer within {START_TIMEOUT:.0f} s:\n"
                              f"{server.diagnostics()}")


def _answers(server: PrivateServer) -> bool:
    import psycopg

    try:
        with server.admin():
            return True
    except psycopg.OperationalError:
        return False


def _make_role_and_template(server: PrivateServer) -> None:
    from psycopg import sql

    with server.admin() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(ROLE), sql.Literal(server.password)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(TEMPLATE), sql.Identifier(ROLE)))
        conn.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(
            sql.Identifier(TEMPLATE)))


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT: sessions ended, no waiting for clients), then a kill if stuck."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _measure(databases: int = 20) -> None:
    """Print how long a private server takes to start and a fresh database to be created."""
    with private_postgres() as server:
        with server.admin() as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version} on {HOST}:{server.port}, run as "
              f"{(_server_owner() or pwd.getpwuid(os.geteuid())).pw_name}")
        print(f"cluster ready (initdb + start + role and template): {server.started_in:.2f} s")
        times = []
        for _ in range(databases):
            began = time.perf_counter()
            url = server.create_database()
            times.append(time.perf_counter() - began)
            server.drop_database(url)
        times.sort()
        print(f"fresh database (CREATE DATABASE … TEMPLATE), {databases} runs: "
              f"median {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
        began = time.perf_counter()
    print(f"stopped and removed in {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    try:
        _measure()
    except PostgresUnavailable as why:
        sys.exit(f"PostgreSQL cannot run here: {why}")
