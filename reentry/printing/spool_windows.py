"""The Windows path of ``spool``: the Windows spooler, through SumatraPDF or the PDF application.

Windows has no ``lp``. Two ways in, chosen by IT (see docs/printing.md):

- ``REENTRY_SUMATRA`` names ``SumatraPDF.exe``: it prints silently to the named printer, with
  the number of copies and without scaling (``-print-to PRINTER -print-settings "2x,noscale"
  -silent FILE``). This is the recommended way: it needs no PDF application and no user session.
- otherwise the file is handed to the PDF application registered in Windows
  (``os.startfile(path, "print")``, or the ``printto`` verb for a named printer), which must
  support silent printing; copies are sent one by one.

Neither gives a job id, so Windows jobs are not followed: check them in the Windows print queue.
This module is not tested on Windows by the project's CI (which runs on Linux); the SumatraPDF
command line is tested with a stand-in program.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from reentry.printing.spool import Printer, PrintError, PrintJob, printer_label

log = logging.getLogger(__name__)

SUMATRA_VARIABLE = "REENTRY_SUMATRA"
# Win32_Printer.PrinterStatus: https://learn.microsoft.com (CIM_Printer) — 6 stopped, 7 offline.
_STATUS_WORDS = {1: "other", 2: "unknown", 3: "idle", 4: "printing", 5: "warmup",
                 6: "stopped", 7: "offline"}
_LIST_SCRIPT = ("Get-CimInstance -ClassName Win32_Printer | "
                "Select-Object Name,Default,WorkOffline,PrinterStatus | ConvertTo-Json -Compress")


class SumatraMissing(PrintError):
    message_id = "spool.sumatra_missing"


class WindowsPrintFailed(PrintError):
    message_id = "spool.windows_failed"


def print_pdf(path: Path, printer: str | None, copies: int, title: str,
              timeout: float) -> PrintJob:
    """Print through SumatraPDF when configured, else through the registered PDF application."""
    sumatra = os.environ.get(SUMATRA_VARIABLE, "").strip()
    if sumatra:
        _print_with_sumatra(Path(sumatra), path, printer, copies, timeout)
    else:
        _print_with_shell(path, printer, copies)
    log.info("handed %s to the Windows spooler (%s, %d copies)", path.name,
             printer or "default", copies)
    return PrintJob(job_id="", printer=printer or "", title=title, copies=copies)


def sumatra_command(sumatra: Path, path: Path, printer: str | None, copies: int) -> list[str]:
    """SumatraPDF's silent print: named or default printer, copies, no scaling of the barcodes."""
    target = ["-print-to", printer] if printer else ["-print-to-default"]
    return [str(sumatra), *target, "-print-settings", f"{copies}x,noscale", "-silent", str(path)]


def _print_with_sumatra(sumatra: Path, path: Path, printer: str | None, copies: int,
                        timeout: float) -> None:
    if not sumatra.is_file():
        raise SumatraMissing(path=str(sumatra), variable=SUMATRA_VARIABLE)
    try:
        result = subprocess.run(sumatra_command(sumatra, path, printer, copies),
                                capture_output=True, text=True, errors="replace",
                                timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise _failed(path, printer, str(error)) from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or f"exit code {result.returncode}"
        raise _failed(path, printer, detail)


def _print_with_shell(path: Path, printer: str | None, copies: int) -> None:
    if sys.platform != "win32":
        raise RuntimeError("the Windows shell's print verb exists only on Windows")
    try:
        for _ in range(copies):
            if printer:
                os.startfile(path, "printto", f'"{printer}"')
            else:
                os.startfile(path, "print")
    except OSError as error:
        raise _failed(path, printer, str(error)) from error


def _failed(path: Path, printer: str | None, detail: str) -> WindowsPrintFailed:
    return WindowsPrintFailed(file=path.name, printer=printer_label(printer), detail=detail)


def list_printers() -> list[Printer]:
    """The printers Windows knows, default first; empty when PowerShell cannot tell."""
    powershell = shutil.which("powershell") or shutil.which("pwsh")
    if powershell is None:
        return []
    try:
        result = subprocess.run([powershell, "-NoProfile", "-NonInteractive", "-Command",
                                 _LIST_SCRIPT], capture_output=True, text=True, errors="replace",
                                timeout=30, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.info("no printers: %s", error)
        return []
    printers = parse_windows_printers(result.stdout)
    return sorted(printers, key=lambda p: (not p.is_default, p.name.lower()))


def parse_windows_printers(text: str) -> list[Printer]:
    """Read PowerShell's JSON: one object for one printer, a list for several."""
    try:
        data = json.loads(text) if text.strip() else []
    except json.JSONDecodeError:
        return []
    rows = data if isinstance(data, list) else [data]
    printers = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("Name"):
            continue
        status = _STATUS_WORDS.get(int(row.get("PrinterStatus") or 2), "unknown")
        offline = bool(row.get("WorkOffline"))
        printers.append(Printer(name=str(row["Name"]), is_default=bool(row.get("Default")),
                                accepting=not offline,
                                enabled=not offline and status not in ("stopped", "offline"),
                                state="offline" if offline else status))
    return printers
