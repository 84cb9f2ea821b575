"""Interrupted prints: what a killed or stopped ``reentry print --per-patient`` leaves behind.

Runs a real ``reentry print`` on the demo hospital again and again, waits until its workers
are drawing (a ``.partial`` file appears), then sends it SIGKILL, SIGTERM or Ctrl+C (SIGINT to
its process group, as a terminal does). For each signal it prints how long the process took to
stop, the worker processes still running 5 s later (orphans) and their memory, the ``.partial``
files left and the batches closed as interrupted. Processes are followed through /proc (Linux).
Leftover processes are killed at the end of each run. No assertion: figures only.

``--code DIR`` runs another checkout of the package (e.g. ``git archive <commit> reentry forms
| tar -x -C DIR``), to compare with an earlier version.

    .venv/bin/python bench/bench_interrupt.py [--runs 8] [--patients 40] [--signal all]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIGNALS = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "int": signal.SIGINT}
ORPHAN_GRACE = 5.0  # seconds after the parent's end before a child still running is an orphan
START_TIMEOUT = 120.0


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[0] != "Z"


def descendants(pid: int) -> set[int]:
    parents = {int(p.name): s[1] for p in Path("/proc").iterdir()
               if p.name.isdigit() and (s := _stat(int(p.name))) is not None}
    family, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, parent in parents.items() if parent in frontier} - family
        family |= frontier
    return family


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def partials(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.partial")) if folder.exists() else 0


def reentry(code: Path | None, *args: str) -> list[str]:
    """The ``reentry`` command line, of the installed package or of the checkout ``code`` (run
    outside the repository: ``python -c`` imports from its working folder first)."""
    return [sys.executable, "-c", "from reentry.cli import main; main()", *args]


def environment(code: Path | None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code)} if code else dict(os.environ)


def one_run(database: Path, out: Path, sig: signal.Signals, code: Path | None,
            secret: str) -> dict[str, float]:
    command = reentry(code, "--db", str(database), "print", "--out", str(out), "--per-patient",
                      "--user", "admin")  # the demo's admin may print; it signs in
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               env={**environment(code), "REENTRY_PASSWORD": secret},
                               cwd=database.parent, start_new_session=True)
    family: set[int] = set()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not partials(out) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        family = descendants(process.pid)
        sent = time.perf_counter()
        if sig is signal.SIGINT:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        process.wait(timeout=120)
        stopped = time.perf_counter() - sent
        time.sleep(ORPHAN_GRACE)
        orphans = [pid for pid in family if running(pid)]
        return {"stop": stopped, "children": len(family), "orphans": len(orphans),
                "orphan_mib": sum(rss_mib(pid) for pid in orphans), "partials": partials(out)}
    finally:
        for pid in [process.pid, *family]:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def interrupted_batches(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT status FROM print_batches").fetchall()
    return sum(1 for (s,) in rows if s == "interrupted"), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs per signal")
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--signal", choices=[*SIGNALS, "all"], default="all")
    parser.add_argument("--code", type=Path, default=None,
                        help="a checkout of reentry to run instead of the installed one")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        sys.exit("this benchmark follows processes through /proc: Linux only")
    chosen = list(SIGNALS) if args.signal == "all" else [args.signal]
    with tempfile.TemporaryDirectory(prefix="bench-interrupt-") as tmp:
        base = Path(tmp) / "base.sqlite"
        demo = subprocess.run(reentry(args.code, "--db", str(base), "demo", "--patients",
                                      str(args.patients), "--seed", "2"),
                              env=environment(args.code), cwd=tmp, check=True,
                              capture_output=True, text=True)
        secret = next(line.split(" : ")[1] for line in demo.stdout.splitlines()
                      if line.startswith("  admin (admin)"))  # printed once by the demo
        print(f"reentry print --per-patient, {args.patients} patients, {args.runs} runs per "
              f"signal, code: {args.code or 'installed'}")
        print(f"{'signal':<8}{'stop s (median)':>16}{'children':>10}{'orphans':>9}"
              f"{'orphan MiB':>12}{'.partial left':>15}{'interrupted':>13}")
        for name in chosen:
            database = Path(tmp) / f"{name}.sqlite"
            shutil.copy(base, database)
            runs = [one_run(database, Path(tmp) / f"{name}-{i}", SIGNALS[name], args.code,
                            secret)
                    for i in range(args.runs)]
            closed, batches = interrupted_batches(database)
            print(f"{name:<8}{statistics.median(r['stop'] for r in runs):>16.2f}"
                  f"{sum(r['children'] for r in runs):>10.0f}"
                  f"{sum(r['orphans'] for r in runs):>9.0f}"
                  f"{sum(r['orphan_mib'] for r in runs):>12.0f}"
                  f"{sum(r['partials'] for r in runs):>15.0f}"
                  f"{f'{closed}/{batches}':>13}")


if __name__ == "__main__":
    main()
