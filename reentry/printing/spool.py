"""Hand finished PDFs to the ward printers and follow the jobs until the paper is out.

On Linux (and macOS) the print station talks to CUPS through its own command-line tools (``lp``,
``lpstat``, ``cancel``) rather than a Python binding: they are on every CUPS machine, honour the
hospital's client configuration (``/etc/cups/client.conf``, ``CUPS_SERVER``) and are what IT
already uses to check a queue. They run with ``LC_ALL=C`` so that their answers read the same on a
French workstation. On Windows the Windows spooler is used (see ``spool_windows``).

Errors say what to do in the user's language. They name printers, job ids and file names (ward
codes, batch numbers, beds and serials) but never a patient: job titles must never carry one.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reentry.errors import UserError
from reentry.i18n import Msg, msg
from reentry.progress import CancelToken

log = logging.getLogger(__name__)

LP_TIMEOUT = 120.0  # seconds: lp copies the whole PDF to the spooler before it answers
QUERY_TIMEOUT = 30.0  # seconds for lpstat and cancel, which answer at once from a live server
TITLE_LENGTH = 100


class PrintError(UserError):
    """Printing failed in a way the operator or IT can fix; the PDF is still on disk."""

    message_id = "spool.lp_failed"


class PrintingUnavailable(PrintError):
    message_id = "spool.no_cups"


class SchedulerUnavailable(PrintError):
    message_id = "spool.scheduler_down"


class UnknownPrinter(PrintError):
    message_id = "spool.unknown_printer"


class NoDefaultPrinter(PrintError):
    message_id = "spool.no_default"


class PrinterNotAccepting(PrintError):
    message_id = "spool.not_accepting"


class PrinterStopped(PrintError):
    message_id = "spool.printer_stopped"


class PrintTimeout(PrintError):
    message_id = "spool.wait_timeout"


class PrintFileMissing(PrintError):
    message_id = "spool.file_missing"


class CancelFailed(PrintError):
    message_id = "spool.cancel_failed"


@dataclass(frozen=True)
class Printer:
    """One print queue as the spooler reports it.

    ``state`` is the spooler's own word (``idle``, ``printing``, ``disabled``...) and ``reason``
    its last message (``Paper jam``, ``Filter failed``), shown as is to IT.
    """

    name: str
    is_default: bool = False
    accepting: bool = True
    enabled: bool = True
    state: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PrintJob:
    """A job handed to the spooler. ``job_id`` is empty when the spooler gives none (Windows)."""

    job_id: str
    printer: str
    title: str
    copies: int = 1

    @property
    def tracked(self) -> bool:
        return bool(self.job_id)


class JobState(StrEnum):
    """Where a job is, as far as ``lpstat`` can tell.

    ``lpstat`` lists unfinished jobs and, with ``-W completed``, finished ones; it does not say
    whether a finished job was printed, cancelled or aborted, so neither does this.
    """

    QUEUED = "queued"  # pending, held or printing: still in the queue
    FINISHED = "finished"  # left the queue (printed, cancelled or aborted)
    UNKNOWN = "unknown"  # not known to the spooler (history purged, or never existed)


# -- sending --------------------------------------------------------------------------------------


def print_pdf(path: Path | str, printer: str | None, copies: int = 1, title: str | None = None,
              timeout: float = LP_TIMEOUT) -> PrintJob:
    """Send one PDF to ``printer`` (None: the station's default printer) and return the job.

    ``title`` is what the queue shows and what a printer may print on a banner page: a ward code
    or a batch number, never a patient's name. It defaults to the file's name.
    """
    path = Path(path)
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    if not path.is_file():
        raise PrintFileMissing(file=path.name)
    title = clean_title(title if title is not None else path.stem)
    if sys.platform == "win32":
        from reentry.printing import spool_windows

        return spool_windows.print_pdf(path, printer, copies, title, timeout)
    return _print_with_lp(path, printer, copies, title, timeout)


def lp_command(path: Path, printer: str | None, copies: int, title: str) -> list[str]:
    """The ``lp`` arguments; ``--`` keeps a file name starting with ``-`` from being an option."""
    destination = ["-d", printer] if printer else []
    return ["lp", *destination, "-n", str(copies), "-t", title, "--", str(path)]


def clean_title(title: str) -> str:
    """A title the spooler, a banner page and cups-pdf's file names all accept."""
    printable = "".join(c if c.isprintable() else " " for c in title).strip()
    return printable[:TITLE_LENGTH] or "reentry"


_REQUEST_ID = re.compile(r"request id is (?P<job>\S+-\d+)")
_DESTINATION = re.compile(r'Destination "(?P<name>[^"]+)"')


def _print_with_lp(path: Path, printer: str | None, copies: int, title: str,
                   timeout: float) -> PrintJob:
    result = _run(lp_command(path, printer, copies, title), timeout)
    if result.returncode != 0:
        raise _lp_error(result.stderr or result.stdout, printer, path)
    found = _REQUEST_ID.search(result.stdout)
    if not found:  # sent, but we cannot follow it: say so rather than invite a second copy
        raise PrintError("spool.untracked", printer=printer_label(printer), file=path.name,
                         detail=_tool_message(result.stdout))
    job_id = found["job"]
    log.info("sent %s to %s as job %s (%d copies)", path.name, printer or "default", job_id,
             copies)
    return PrintJob(job_id=job_id, printer=printer or printer_of(job_id), title=title,
                    copies=copies)


def _lp_error(text: str, printer: str | None, path: Path) -> PrintError:
    """Turn ``lp``'s complaint (English, thanks to LC_ALL=C) into an error that says what to do."""
    detail = _tool_message(text)
    lowered = detail.lower()
    if "does not exist" in lowered or "unknown destination" in lowered:
        # lp says this too when it cannot reach the scheduler at all.
        _check_scheduler()
        return _unknown_printer(printer or "")
    if "not accepting" in lowered:
        named = _DESTINATION.search(detail)
        queue = printer or (named["name"] if named else "")
        return PrinterNotAccepting(printer=printer_label(queue), reason=_rejection_reason(queue))
    if "no default destination" in lowered:
        return NoDefaultPrinter()
    if _scheduler_down_text(lowered):
        return SchedulerUnavailable(detail=detail)
    return PrintError(printer=printer_label(printer), detail=detail, file=path.name)


def printer_label(printer: str | None) -> str | Msg:
    """The queue's name for a message, or « default printer » when none was named."""
    return printer or msg("spool.default_printer")


def reason_label(reason: str) -> str | Msg:
    return reason or msg("spool.no_reason")


def _unknown_printer(printer: str) -> UnknownPrinter:
    known = ", ".join(p.name for p in list_printers())
    if not known:
        return UnknownPrinter("spool.unknown_printer_none", printer=printer)
    return UnknownPrinter(printer=printer, known=known)


def _rejection_reason(printer: str) -> str | Msg:
    for found in list_printers():
        if found.name == printer:
            return reason_label(found.reason)
    return reason_label("")


# -- queues ---------------------------------------------------------------------------------------


def list_printers() -> list[Printer]:
    """Every queue this station can print to, default first; empty when there is no spooler."""
    if sys.platform == "win32":
        from reentry.printing import spool_windows

        return spool_windows.list_printers()
    try:
        result = _run(["lpstat", "-p", "-a", "-d"], QUERY_TIMEOUT)
    except (PrintingUnavailable, SchedulerUnavailable) as error:
        log.info("no printers: %s", error.message("en"))
        return []
    if result.returncode != 0:
        log.info("lpstat: %s", _tool_message(result.stderr))
    printers = parse_lpstat_printers(result.stdout)
    return sorted(printers, key=lambda p: (not p.is_default, p.name.lower()))


_DEFAULT_LINE = re.compile(r"^system default destination: (?P<name>\S+)")
_ACCEPT_LINE = re.compile(r"^(?P<name>\S+) (?P<not>not )?accepting requests since")
_PRINTER_LINE = re.compile(
    r"^printer (?P<name>\S+) (?P<words>.*?)\s*(?P<enabled>enabled|disabled) since")


def parse_lpstat_printers(text: str) -> list[Printer]:
    """Read ``LC_ALL=C lpstat -p -a -d`` (any order of the three); unknown lines are skipped.

    A line starting with a tab is the message of the line above: the reason a queue was
    disabled or rejects jobs, or the printer's last status (``Filter failed``).
    """
    states: dict[str, dict[str, object]] = {}
    default = ""
    current: dict[str, object] | None = None
    for line in text.splitlines():
        if line.startswith(("\t", " ")) and current is not None:
            current.setdefault("reason", line.strip())
            continue
        current = None
        if found := _DEFAULT_LINE.match(line):
            default = found["name"]
        elif found := _ACCEPT_LINE.match(line):
            current = states.setdefault(found["name"], {})
            current["accepting"] = not found["not"]
        elif found := _PRINTER_LINE.match(line):
            current = states.setdefault(found["name"], {})
            current["enabled"] = found["enabled"] == "enabled"
            current["state"] = _state_words(found["words"], found["enabled"])
    return [_printer(name, values, name == default) for name, values in states.items()]


def _state_words(words: str, enabled: str) -> str:
    """``is idle.`` → ``idle``; ``now printing Q-12.`` → ``printing Q-12``; none → disabled."""
    words = words.strip().rstrip(".").strip()
    for prefix in ("is ", "now "):
        words = words.removeprefix(prefix)
    return words or ("disabled" if enabled == "disabled" else "")


def _printer(name: str, values: dict[str, object], is_default: bool) -> Printer:
    return Printer(name=name, is_default=is_default, accepting=bool(values.get("accepting", True)),
                   enabled=bool(values.get("enabled", True)), state=str(values.get("state", "")),
                   reason=str(values.get("reason", "")))


# -- following jobs -------------------------------------------------------------------------------


def printer_of(job_id: str) -> str:
    """The queue of a CUPS job id: ``Ward-3B-17`` → ``Ward-3B``."""
    return job_id.rsplit("-", 1)[0]


def job_state(job_id: str) -> JobState:
    """Whether the job is still in its queue (``lpstat -o``) or has left it."""
    if not job_id or sys.platform == "win32":
        return JobState.UNKNOWN  # the Windows path hands the file over without a job id
    if job_id in _job_ids(["lpstat", "-o"]):
        return JobState.QUEUED
    if job_id in _job_ids(["lpstat", "-W", "completed", "-o"]):
        return JobState.FINISHED
    return JobState.UNKNOWN


def wait_for_job(job_id: str, timeout: float = 600.0, cancel_token: CancelToken | None = None,
                 poll_seconds: float = 0.5) -> JobState:
    """Wait until the job has left its queue; return how it ended.

    Raises ``PrinterStopped`` as soon as the queue is stopped (the job would wait for IT, not
    for paper), ``PrintTimeout`` after ``timeout`` seconds, and ``Cancelled`` when the token is
    cancelled. Neither cancels the job itself: that is ``cancel_job``'s decision.
    """
    deadline = time.monotonic() + timeout
    while True:
        if cancel_token is not None:
            cancel_token.check()
        state = job_state(job_id)
        if state is not JobState.QUEUED:
            return state
        _raise_if_stopped(job_id)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PrintTimeout(job=job_id, printer=printer_of(job_id), seconds=round(timeout))
        time.sleep(min(poll_seconds, remaining))


def cancel_job(job_id: str) -> bool:
    """Cancel a queued job. False when it had already left the queue (nothing to cancel)."""
    if not job_id or sys.platform == "win32":
        return False
    result = _run(["cancel", job_id], QUERY_TIMEOUT)
    if result.returncode == 0:
        log.info("cancelled job %s", job_id)
        return True
    detail = _tool_message(result.stderr or result.stdout)
    if "already" in detail.lower() or "does not exist" in detail.lower():
        return False
    if _scheduler_down_text(detail.lower()):
        raise SchedulerUnavailable(detail=detail)
    raise CancelFailed(job=job_id, detail=detail)


def estimate_print_seconds(pages: int, pages_per_minute: float) -> float:
    """How long the printer will take for ``pages``, for the print station's estimate."""
    if pages_per_minute <= 0:
        raise ValueError(f"pages per minute must be positive, not {pages_per_minute}")
    return max(pages, 0) * 60.0 / pages_per_minute


def _raise_if_stopped(job_id: str) -> None:
    queue = printer_of(job_id)
    for found in list_printers():
        if found.name == queue and not found.enabled:
            raise PrinterStopped(printer=queue, job=job_id, reason=reason_label(found.reason))


def _job_ids(args: list[str]) -> set[str]:
    result = _run(args, QUERY_TIMEOUT)
    if result.returncode != 0:
        detail = _tool_message(result.stderr)
        if _scheduler_down_text(detail.lower()):
            raise SchedulerUnavailable(detail=detail)
        raise PrintError("spool.query_failed", detail=detail)
    return {line.split()[0] for line in result.stdout.splitlines() if line and line[0] != "\t"}


# -- running the CUPS tools -----------------------------------------------------------------------


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a CUPS client tool in the C locale, without a shell and without standard input."""
    executable = shutil.which(args[0])
    if executable is None:
        raise PrintingUnavailable(tool=args[0])
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        return subprocess.run([executable, *args[1:]], capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=timeout,
                              stdin=subprocess.DEVNULL, env=env, check=False)
    except subprocess.TimeoutExpired as error:
        raise SchedulerUnavailable(
            detail=f"{args[0]}: no answer after {round(timeout)} s") from error


def _check_scheduler() -> None:
    """Raise ``SchedulerUnavailable`` when no CUPS scheduler answers."""
    result = _run(["lpstat", "-r"], QUERY_TIMEOUT)
    if "scheduler is running" not in result.stdout:
        raise SchedulerUnavailable(detail=_tool_message(result.stderr or result.stdout))


def _scheduler_down_text(lowered: str) -> bool:
    return any(words in lowered for words in (
        "scheduler is not running", "scheduler not responding", "unable to connect",
        "connection refused", "bad file descriptor"))


def _tool_message(text: str) -> str:
    """The tool's complaint on one line, without its ``lp: Error -`` prefix."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    message = " ".join(lines)
    return re.sub(r"^\w+: (Error - )?", "", message)
