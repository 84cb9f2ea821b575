"""A print stopped half-way, however it stops, leaves no ``.partial`` file and no process.

Errors are raised inside the real print station; Ctrl+C and SIGTERM are sent to a real
``reentry print`` process; SIGKILL too, after which no worker may stay behind. Processes are
found by reading /proc (Linux), with no helper library.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_passwords import ENV, give_passwords
from printed_ward import PRINTER

from reentry.demo import create_demo
from reentry.errors import Cancelled
from reentry.files import PARTIAL_SUFFIX
from reentry.printing import station
from reentry.printing.station import PrintRequest, print_batch
from reentry.progress import CancelToken, Progress
from reentry.registry import BatchStatus
from reentry.store import open_store

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="processes are followed through /proc")

REENTRY = Path(sys.executable).with_name("reentry")
WAIT = 60.0  # seconds allowed for a process to reach the state a test waits for


# -- processes, from /proc ----------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may hold spaces
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    """A zombie has ended: it only waits for whoever inherited it to read its status."""
    found = _stat(pid)
    return found is not None and found[0] != "Z"


def descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = found[1]
    family, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - family
        family |= frontier
    return family


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def workers_of(pid: int) -> set[int]:
    return {p for p in descendants(pid) if "spawn_main" in command_line(p)}


def wait_until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.02)
    pytest.fail(f"waited {timeout:.0f} s for {what}")


def partials(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"*{PARTIAL_SUFFIX}")) if folder.exists() else []


@pytest.fixture
def no_stray_processes() -> Iterator[set[int]]:
    """Processes a test saw; whatever is still running at the end is killed (and the test has
    failed already), so that a failure never leaves work running on the machine."""
    seen: set[int] = set()
    yield seen
    for pid in seen:
        if running(pid):
            os.kill(pid, signal.SIGKILL)


# -- a hospital to print ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hospital(tmp_path_factory) -> Path:
    """Forty inpatients on several wards: the two workers draw for a few seconds."""
    database = tmp_path_factory.mktemp("hospital") / "h.sqlite"
    store = open_store(database)
    create_demo(store, patients=40, seed=2)
    store.add_user(PRINTER.username, PRINTER.display_name, PRINTER.role)
    store.close()
    give_passwords(database)
    return database


@pytest.fixture
def database(hospital, tmp_path) -> Path:
    copy = tmp_path / "h.sqlite"
    shutil.copy(hospital, copy)
    return copy


def batch_statuses(database: Path) -> list[BatchStatus]:
    store = open_store(database, create=False)
    try:
        return [BatchStatus(b.status) for b in store.batches()]
    finally:
        store.close()


# -- inside the print station -------------------------------------------------------------------


def _half_drawn(error: BaseException):
    def render(*args) -> int:
        out = Path(args[-1])
        out.write_bytes(b"%PDF-1.4 half a ward")
        raise error
    return render


STOPS = [RuntimeError("bug in a drawing"), KeyboardInterrupt(), SystemExit(143)]
STOP_IDS = ["error", "ctrl-c", "sigterm"]


@pytest.mark.parametrize("stop", STOPS, ids=STOP_IDS)
def test_a_ward_stopped_while_drawn_leaves_no_partial(database, tmp_path, monkeypatch, stop):
    monkeypatch.setattr(station, "render_ward", _half_drawn(stop))
    store = open_store(database)
    ward = store.census()[0].ward.code
    with pytest.raises(type(stop)):
        print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "pdf", wards=(ward,)))
    assert partials(tmp_path / "pdf") == [] and list((tmp_path / "pdf").iterdir()) == []
    assert store.batches()[-1].status == BatchStatus.INTERRUPTED
    store.close()


@pytest.mark.parametrize("stop", STOPS, ids=STOP_IDS)
def test_a_patient_pdf_stopped_while_drawn_leaves_no_partial(database, tmp_path, monkeypatch,
                                                              stop):
    monkeypatch.setattr(station, "render_patient", _half_drawn(stop))
    store = open_store(database)
    ward = store.census()[0].ward.code
    with pytest.raises(type(stop)):
        print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "pdf", wards=(ward,),
                                        per_patient=True))
    assert partials(tmp_path / "pdf") == []
    assert [p.name for p in (tmp_path / "pdf").glob("*.pdf")]  # the ward's PDF was whole
    assert store.batches()[-1].status == BatchStatus.INTERRUPTED
    store.close()


def test_cancel_while_the_workers_draw_stops_them_and_removes_their_partials(
        database, tmp_path):
    """Cancelled once a worker has started a ward's PDF: the workers are ended, not waited
    for, and what they were writing is removed."""
    out = tmp_path / "pdf"
    cancel = CancelToken()
    store = open_store(database)
    wards = sorted({row.ward.code for row in store.census()})
    seen: list[Path] = []

    def progress(step: Progress) -> None:
        if step.done == len(wards) - 1:  # the last ward is registered; two are being drawn
            seen.extend(wait_until(lambda: partials(out), "a worker drawing a ward"))
            cancel.cancel()

    with pytest.raises(Cancelled):
        print_batch(store, PrintRequest(user=PRINTER, out_dir=out, wards=tuple(wards), workers=2),
                    progress, cancel)
    assert seen and partials(out) == []
    assert workers_of(os.getpid()) == set()
    assert store.batches()[-1].status == BatchStatus.INTERRUPTED
    store.close()


# -- a real ``reentry print`` -------------------------------------------------------------------


def start(database: Path, *args: str) -> subprocess.Popen[str]:
    """``reentry`` in a session of its own, as from a terminal: Ctrl+C reaches its group."""
    return subprocess.Popen([str(REENTRY), "--db", str(database), *args,
                             "--user", PRINTER.username],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, **ENV})


@pytest.mark.parametrize(("command", "how", "exit_code"), [
    ("print", "sigterm", 128 + signal.SIGTERM),
    ("print", "ctrl-c", 1),
    ("prepare", "sigterm", 128 + signal.SIGTERM),
])
def test_a_real_print_interrupted_leaves_no_partial_and_no_worker(
        database, tmp_path, no_stray_processes, command, how, exit_code):
    out = tmp_path / "sortie"
    args = (["print", "--out", str(out), "--per-patient"] if command == "print"
            else ["prepare", "--dir", str(out)])
    process = start(database, *args)
    no_stray_processes.add(process.pid)
    try:
        wait_until(lambda: partials(out), f"reentry {command} to start a PDF")
        family = descendants(process.pid)
        no_stray_processes.update(family)
        assert workers_of(process.pid), "the wards are drawn by worker processes"
        if how == "sigterm":
            process.send_signal(signal.SIGTERM)
        else:  # what a terminal does on Ctrl+C: SIGINT to the whole foreground group
            os.killpg(process.pid, signal.SIGINT)
        _, errors = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == exit_code, errors
    assert "Traceback" not in errors
    assert partials(out) == []
    wait_until(lambda: not any(running(p) for p in family), "the workers to end", 10)
    if command == "print":
        assert batch_statuses(database)[-1] is BatchStatus.INTERRUPTED
    else:  # the staging folder went with its PDFs; no set was half swapped in
        assert [p.name for p in out.iterdir()] == []


def test_no_worker_outlives_a_killed_print(database, tmp_path, no_stray_processes):
    out = tmp_path / "sortie"
    process = start(database, "print", "--out", str(out), "--per-patient")
    no_stray_processes.add(process.pid)
    try:
        wait_until(lambda: partials(out), "reentry print to start a PDF")
        workers = workers_of(process.pid)
        family = descendants(process.pid)  # the workers and multiprocessing's tracker
        no_stray_processes.update(family)
        assert len(workers) == 2
        process.kill()
        process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == -signal.SIGKILL
    wait_until(lambda: not any(running(p) for p in family), "the orphaned workers to end", 10)
    # The workers removed what they were drawing; the parent was only waiting for them.
    assert partials(out) == []


# -- the worker pool on its own -----------------------------------------------------------------

_PARENT = textwrap.dedent("""
    import concurrent.futures, multiprocessing, os, sys, time
    from reentry import workers

    if __name__ == "__main__":
        if sys.argv[1] == "watchdog-only":  # what macOS and Windows have
            pool = concurrent.futures.ProcessPoolExecutor(
                2, mp_context=multiprocessing.get_context("spawn"),
                initializer=workers.watch_parent)
        else:
            pool = workers.worker_pool(2)
        futures = [pool.submit(time.sleep, 600) for _ in range(4)]
        while len(pool._processes) < 2 or not all(p.pid for p in pool._processes.values()):
            time.sleep(0.05)
        time.sleep(1.5)  # the workers have run their initializer and taken their sleep
        print(" ".join(str(pid) for pid in pool._processes), flush=True)
        time.sleep(600)
""")


@pytest.mark.parametrize("binding", ["pdeathsig-and-watchdog", "watchdog-only"])
def test_pool_workers_end_when_their_parent_is_killed(tmp_path, no_stray_processes, binding):
    script = tmp_path / "parent.py"
    script.write_text(_PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), binding], stdout=subprocess.PIPE,
                              text=True, start_new_session=True)
    no_stray_processes.add(parent.pid)
    try:
        assert parent.stdout is not None
        workers = {int(pid) for pid in parent.stdout.readline().split()}
        no_stray_processes.update(workers)
        assert len(workers) == 2 and all(running(pid) for pid in workers)
        parent.kill()
        parent.communicate(timeout=WAIT)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.communicate()
    wait_until(lambda: not any(running(pid) for pid in workers), "the workers to end", 10)
