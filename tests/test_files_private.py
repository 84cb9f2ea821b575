"""Files at rest: whatever Reentry writes is readable by its owner only (files 0600, folders
0700), the mode given when the file is created, whatever the session's umask; no temporary
file stays behind.

Each command runs twice: in this process under a loose umask (022, the usual default), which
proves that the core gives the modes itself, and as a real ``reentry`` process started with that
umask, which is what a user or a scheduled job gets.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_passwords import ENV, PASSWORD
from click.testing import CliRunner

from reentry.auth import set_password
from reentry.cli import cli
from reentry.files import (
    create_private_database,
    create_private_file,
    make_private_folder,
    open_private,
    partial_path,
    remove_partials_in_progress,
    write_private_text,
    written_whole,
)
from reentry.store import open_store

pytestmark = pytest.mark.skipif(sys.platform == "win32",
                                reason="POSIX modes; Windows uses access lists (docs/files.md)")

LOOSE_UMASK = 0o022
REENTRY = Path(sys.executable).with_name("reentry")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The session's usual umask, so that only explicit modes can make a file private."""
    previous = os.umask(LOOSE_UMASK)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def tree(root: Path) -> set[Path]:
    found = {root}
    for folder, folders, files in os.walk(root):
        found.update(Path(folder, name) for name in folders + files)
    return found


def not_private(paths: set[Path]) -> list[str]:
    """Every path whose mode is not 0700 (folder) or 0600 (file), shown with its mode."""
    return sorted(f"{oct(mode(p))} {p}" for p in paths
                  if mode(p) != (0o700 if p.is_dir() else 0o600))


def leftovers(paths: set[Path]) -> list[Path]:
    return sorted(p for p in paths if p.name.endswith(".partial")
                  or p.name.startswith((".staging-", ".retired-")))


# -- the building blocks ------------------------------------------------------------------------


def test_folders_are_made_private_and_existing_ones_left_alone(tmp_path, loose_umask):
    tmp_path.chmod(0o755)
    made = make_private_folder(tmp_path / "a" / "b" / "c")
    assert made.is_dir()
    assert not_private({tmp_path / "a", tmp_path / "a" / "b", made}) == []
    assert mode(tmp_path) == 0o755  # somebody's folder, not ours to change
    make_private_folder(made)  # already there: nothing to do
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        make_private_folder(tmp_path / "file")


@pytest.mark.parametrize("write", [
    lambda path: create_private_file(path),
    lambda path: write_private_text(path, "nouveau"),
    lambda path: open_private(path, "wb").close(),
], ids=["create", "write_text", "open"])
def test_a_leftover_file_is_replaced_never_written_into(tmp_path, loose_umask, write):
    """A ``.partial`` left 0644 by a killed run, maybe open in a reader: the new data goes into a
    new 0600 file, not into that one."""
    leftover = tmp_path / "lot00001-3B.pdf.partial"
    leftover.write_text("ancien")
    leftover.chmod(0o644)
    with leftover.open(encoding="utf-8") as reader:
        write(leftover)
        assert reader.read() == "ancien"
    assert mode(leftover) == 0o600 and leftover.read_text() in ("", "nouveau")


def test_open_private_writes_only(tmp_path):
    with pytest.raises(ValueError, match="new files only"):
        open_private(tmp_path / "x", "a")  # type: ignore[arg-type]


def test_an_existing_database_is_kept_as_it_is(tmp_path, loose_umask):
    database = tmp_path / "reentry.sqlite"
    database.write_bytes(b"not empty")
    create_private_database(database)
    assert database.read_bytes() == b"not empty"
    created = tmp_path / "new" / "reentry.sqlite"
    create_private_database(created)
    assert created.stat().st_size == 0 and not_private({created, created.parent}) == []


@pytest.mark.parametrize("stop", [RuntimeError("disk"), KeyboardInterrupt(), SystemExit(143)],
                         ids=["error", "ctrl-c", "sigterm"])
def test_a_whole_write_leaves_no_partial_whatever_stops_it(tmp_path, loose_umask, stop):
    target = tmp_path / "verdicts.csv"
    target.write_text("previous run")
    with pytest.raises(type(stop)), written_whole(target) as partial:
        partial.write_text("half")
        raise stop
    assert not partial_path(target).exists() and target.read_text() == "previous run"
    with written_whole(target) as partial:
        partial.write_text("whole")
    assert target.read_text() == "whole" and mode(target) == 0o600
    assert sorted(tmp_path.iterdir()) == [target]


def test_the_database_and_its_wal_and_shm_are_private(tmp_path, loose_umask):
    database = tmp_path / "donnees" / "poste" / "reentry.sqlite"
    store = open_store(database)
    try:
        store.wards()  # WAL open: the -wal and -shm files exist while the store is open
        files = {database, database.with_name("reentry.sqlite-wal"),
                 database.with_name("reentry.sqlite-shm")}
        assert all(f.exists() for f in files)
        assert not_private(files | {database.parent, database.parent.parent}) == []
    finally:
        store.close()


@pytest.mark.qt
def test_a_crash_log_is_private(tmp_path, loose_umask):
    pytest.importorskip("PySide6")
    from ui.errors import write_crash_log

    try:
        raise RuntimeError("MARTIN Jeanne")  # a message that is never written
    except RuntimeError as error:
        log = write_crash_log(tmp_path / "logs", RuntimeError, error, error.__traceback__)
    assert not_private({log, log.parent}) == []


# -- every command ------------------------------------------------------------------------------

IPP_FILE = "ipp.txt"


@pytest.fixture(scope="module")
def outage(tmp_path_factory) -> Path:
    """A folder with the database of a small outage that happened (sheets printed, entered,
    reconciled; event 1 over) and the SIH files the demo wrote next to it."""
    folder = tmp_path_factory.mktemp("outage")
    result = CliRunner().invoke(cli, ["--db", str(folder / "h.sqlite"), "demo", "--scenario",
                                      "outage", "--patients", "10", "--seed", "4"])
    assert result.exit_code == 0, result.output
    store = open_store(folder / "h.sqlite")
    (folder / IPP_FILE).write_text(next(r.patient.ipp for r in store.census()
                                        if r.patient.ipp and r.stay.room))
    for name in (MANAGER[1], QUALITY[1]):  # the demo printed theirs: the commands sign in
        set_password(store, store.user_by_name(name), PASSWORD)
    store.close()
    return folder


# Who acts: the demo's ward manager prints, its quality team exports, reconciles and reports.
MANAGER = ("--user", "claire.roux")
QUALITY = ("--user", "qualite")


def _with(*args: str) -> Callable[[Path], list[str]]:
    return lambda work: ["--db", str(work / "h.sqlite"), *args]


# (name, arguments given the working folder, exit codes that are success)
COMMANDS: list[tuple[str, Callable[[Path], list[str]], tuple[int, ...]]] = [
    ("demo", lambda work: ["--db", str(work / "nouveau" / "poste" / "h.sqlite"), "demo",
                           "--patients", "6"], (0,)),
    ("demo-outage", lambda work: ["--db", str(work / "exercice" / "h.sqlite"), "demo",
                                  "--scenario", "outage", "--patients", "6"], (0,)),
    ("db-init", lambda work: ["db", "init", str(work / "vide" / "poste" / "h.sqlite")], (0,)),
    ("db-copy", lambda work: ["db", "copy", str(work / "h.sqlite"),
                              str(work / "copies" / "audit" / "h.sqlite")], (0,)),
    ("print", _with("print", "--out", "pdf/lot", "--per-patient", *MANAGER), (0,)),
    ("reprint", lambda work: _with("reprint", (work / IPP_FILE).read_text(),
                                   "--out", "reprint", *MANAGER)(work), (0,)),
    ("prepare", _with("prepare", "--dir", "poste-unite/pdf", *MANAGER), (0, 3)),  # 3: too old
    ("export", _with("export", "--format", "fhir", "--out", "export.json", *QUALITY), (0,)),
    ("admissions-identities", _with("admissions", "identities", "--out", "identites.csv"), (0,)),
    ("drill", _with("drill", "start", "--out", "exercices/copie.sqlite"), (0,)),
    ("link-identities", _with("link-identities", "sih-patients.csv", "sih-patients.csv",
                              "--out", "liens.csv"), (0,)),
    ("reconcile", _with("reconcile", "--sih", "sih-export.csv", "--out", "rapprochement/1",
                        *QUALITY), (0,)),
    ("report", _with("report", "--event", "1", "--out", "rapport", *QUALITY), (0,)),
    ("audit-pack", _with("audit-pack", "--event", "1", "--out", "audit/pack", *QUALITY), (0,)),
]


def _copy_outage(outage: Path, work: Path) -> None:
    shutil.copytree(outage, work)
    for name in ("sih-export.csv", "sih-patients.csv"):
        shutil.copy(work / "impressions" / name, work / name)


def _in_process(args: list[str], work: Path) -> tuple[int, str]:
    previous = Path.cwd()
    os.chdir(work)
    try:
        result = CliRunner(env=ENV).invoke(cli, args)
    finally:
        os.chdir(previous)
    return result.exit_code, result.output


def _real_process(args: list[str], work: Path) -> tuple[int, str]:
    done = subprocess.run([str(REENTRY), *args], cwd=work, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300, umask=LOOSE_UMASK,
                          env={**os.environ, **ENV})
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("run", [_in_process, _real_process], ids=["in-process", "real-process"])
@pytest.mark.parametrize(("name", "arguments", "success"), COMMANDS,
                         ids=[name for name, *_ in COMMANDS])
def test_every_file_and_folder_a_command_creates_is_private(
        outage, tmp_path, loose_umask, run, name, arguments, success):
    work = tmp_path / "travail"
    _copy_outage(outage, work)
    before = tree(work)
    code, output = run(arguments(work), work)
    assert code in success, output
    created = tree(work) - before
    assert created, f"{name} created nothing"
    assert not_private(created) == []
    assert leftovers(tree(work)) == []


def test_a_process_ending_at_once_removes_the_partials_it_was_writing(tmp_path):
    """What a worker does before ``os._exit`` when its parent is gone or it is terminated."""
    with written_whole(tmp_path / "a.pdf") as first:
        with pytest.raises(KeyError), written_whole(tmp_path / "b.pdf") as second:
            remove_partials_in_progress()
            assert not first.exists() and not second.exists()
            raise KeyError("stop")
        first.write_text("rewritten after all")
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]
