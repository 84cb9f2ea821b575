"""Printing through a real CUPS queue: every page sent comes out, in order, with a readable code.

A private cupsd (tests/cups_fixture.py) serves a cups-pdf queue; the test sends a PDF with
``print_pdf`` and reads what the "printer" produced back with poppler and a real barcode decoder.
The tests without a fixture check the parts that need no spooler (parsing, errors, Windows'
SumatraPDF command line).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import zxingcpp
from cups_fixture import QUEUE, CupsUnavailable, PrivateCups, private_cups
from PIL import Image
from private_servers import skip_or_fail
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reentry import i18n
from reentry.barcodes import page_code
from reentry.errors import Cancelled
from reentry.printing import spool, spool_windows
from reentry.printing.spool import (
    JobState,
    NoDefaultPrinter,
    PrinterNotAccepting,
    PrinterStopped,
    PrintFileMissing,
    PrintingUnavailable,
    SchedulerUnavailable,
    UnknownPrinter,
    cancel_job,
    estimate_print_seconds,
    job_state,
    list_printers,
    print_pdf,
    wait_for_job,
)
from reentry.progress import CancelToken

SERIAL = 424242
PAGES = 3


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    """A private CUPS server for this module, with ``CUPS_SERVER`` pointing the tools at it."""
    stack = ExitStack()
    try:
        server = stack.enter_context(private_cups())
    except CupsUnavailable as why:
        skip_or_fail(f"CUPS cannot run here: {why}", "REENTRY_REQUIRE_CUPS")
    with stack, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CUPS_SERVER", str(server.socket))
        yield server


@pytest.fixture
def coded_pdf(tmp_path: Path) -> Path:
    """A small A4 PDF with one Code 128 page code per page, drawn directly with reportlab."""
    path = tmp_path / "lot00042-CARDIO.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    for page in range(1, PAGES + 1):
        code = page_code(SERIAL, page)
        Code128(code, barWidth=0.4 * mm, barHeight=15 * mm, humanReadable=True).drawOn(
            canvas, 30 * mm, 240 * mm)
        canvas.drawString(30 * mm, 225 * mm, f"Feuille de test synthétique, page {page}/{PAGES}")
        canvas.showPage()
    canvas.save()
    return path


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                          env={**os.environ, "LC_ALL": "C"}).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def _codes_per_page(pdf: Path, folder: Path) -> list[list[str]]:
    """Rasterise at 200 dpi, as a scanner would see the sheet, and decode every page."""
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(folder / "page")], check=True)
    images = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    codes = []
    for image in images:
        with Image.open(image) as page:
            codes.append([found.text for found in zxingcpp.read_barcodes(page)])
    return codes


# -- through the real queue -----------------------------------------------------------------------


def test_every_page_printed_through_cups_comes_out_with_its_code_in_order(
        cups: PrivateCups, coded_pdf: Path, tmp_path: Path):
    job = print_pdf(coded_pdf, QUEUE, title="lot00042-CARDIO")
    assert job.job_id.startswith(f"{QUEUE}-") and job.printer == QUEUE and job.tracked

    assert wait_for_job(job.job_id, timeout=20) is JobState.FINISHED
    assert job_state(job.job_id) is JobState.FINISHED
    printed = cups.output_of(job.job_id)
    assert _page_count(printed) == _page_count(coded_pdf) == PAGES
    expected = [[page_code(SERIAL, page)] for page in range(1, PAGES + 1)]
    assert _codes_per_page(printed, tmp_path) == expected, cups.diagnostics()


def test_the_station_lists_the_cups_queue(cups: PrivateCups):
    printers = {printer.name: printer for printer in list_printers()}
    assert QUEUE in printers, cups.diagnostics()
    queue = printers[QUEUE]
    assert queue.accepting and queue.enabled and queue.state == "idle"


def test_without_a_named_printer_the_default_queue_prints(cups: PrivateCups, coded_pdf: Path):
    with pytest.raises(NoDefaultPrinter):
        print_pdf(coded_pdf, None)
    cups.tool("lpadmin", "-p", "WardDefault", "-v", "file:///dev/null", "-E", "-m", "raw")
    try:
        cups.tool("lpadmin", "-d", "WardDefault")
        assert list_printers()[0].name == "WardDefault" and list_printers()[0].is_default
        job = print_pdf(coded_pdf, None, copies=2)
        assert job.printer == "WardDefault" and job.copies == 2
        assert wait_for_job(job.job_id, timeout=20) is JobState.FINISHED
    finally:
        cups.tool("lpadmin", "-x", "WardDefault")  # and with it, the default


def test_an_unknown_printer_is_refused_with_what_to_do(cups: PrivateCups, coded_pdf: Path):
    with pytest.raises(UnknownPrinter) as refused:
        print_pdf(coded_pdf, "Imprimante-Fantome")
    assert refused.value.message() == (
        "L'imprimante « Imprimante-Fantome » n'existe pas sur ce poste. Imprimantes connues : "
        "ReentryPDF. Choisissez-en une autre, ou demandez à l'informatique de créer cette file "
        "(voir docs/printing.md).")
    assert refused.value.message("en").startswith(
        'There is no printer "Imprimante-Fantome" on this computer. Known printers: ReentryPDF.')


def test_a_queue_that_rejects_jobs_says_why_and_how_to_reopen_it(
        cups: PrivateCups, coded_pdf: Path):
    cups.tool("cupsreject", "-r", "maintenance du toner", QUEUE)
    try:
        with pytest.raises(PrinterNotAccepting) as refused:
            print_pdf(coded_pdf, QUEUE)
    finally:
        cups.tool("cupsaccept", QUEUE)
    assert "« ReentryPDF » refuse les travaux (maintenance du toner)" in refused.value.message()
    assert "cupsaccept ReentryPDF" in refused.value.message()


def test_a_queued_job_can_be_cancelled_and_never_prints(cups: PrivateCups, coded_pdf: Path):
    cups.tool("cupsdisable", "-r", "bourrage papier", QUEUE)  # keeps the job in the queue
    try:
        job = print_pdf(coded_pdf, QUEUE, title="lot00043-PNEUMO")
        assert job_state(job.job_id) is JobState.QUEUED
        with pytest.raises(PrinterStopped) as stopped:
            wait_for_job(job.job_id, timeout=10, poll_seconds=0.1)
        assert "(bourrage papier)" in stopped.value.message()
        assert f"le travail {job.job_id} attend" in stopped.value.message()
        token = CancelToken()
        token.cancel()
        with pytest.raises(Cancelled):
            wait_for_job(job.job_id, timeout=10, cancel_token=token)

        assert cancel_job(job.job_id) is True
        assert job_state(job.job_id) is JobState.FINISHED
        assert cancel_job(job.job_id) is False  # already gone: nothing to cancel
    finally:
        cups.tool("cupsenable", QUEUE)
    suffix = f"-job_{job.job_id.rsplit('-', 1)[1]}.pdf"
    assert not [p for p in cups.outputs() if p.name.endswith(suffix)]


# -- without a spooler ----------------------------------------------------------------------------


def test_without_cups_tools_there_are_no_printers_and_printing_says_what_to_do(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, coded_pdf: Path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert list_printers() == []
    with pytest.raises(PrintingUnavailable) as refused:
        print_pdf(coded_pdf, "ReentryPDF")
    assert "« lp » (CUPS) n'est pas installé" in refused.value.message()
    assert job_state("") is JobState.UNKNOWN and cancel_job("") is False


@pytest.mark.skipif(shutil.which("lp") is None, reason="needs CUPS' lp (scripts/cups-setup.sh)")
def test_a_spooler_that_does_not_answer_is_not_reported_as_an_unknown_printer(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, coded_pdf: Path):
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    assert list_printers() == []
    with pytest.raises(SchedulerUnavailable) as refused:
        print_pdf(coded_pdf, "ReentryPDF")
    assert "systemctl start cups" in refused.value.message()


def test_a_missing_pdf_is_named_before_anything_is_sent(tmp_path: Path):
    with pytest.raises(PrintFileMissing) as refused:
        print_pdf(tmp_path / "lot00044-CARDIO.pdf", "ReentryPDF")
    assert "lot00044-CARDIO.pdf est introuvable" in refused.value.message()


def test_lp_is_called_without_a_shell_with_copies_title_and_end_of_options():
    command = spool.lp_command(Path("-odd name.pdf"), "Ward-3B", 2, "lot00042-3B")
    assert command == ["lp", "-d", "Ward-3B", "-n", "2", "-t", "lot00042-3B", "--", "-odd name.pdf"]
    assert "-d" not in spool.lp_command(Path("a.pdf"), None, 1, "t")
    assert spool.clean_title("lot\n00042\x00") == "lot 00042"
    with pytest.raises(ValueError):
        print_pdf(Path(__file__), "Ward-3B", copies=0)


LPSTAT = """\
printer Ward-3B disabled since Mon Nov 23 20:41:54 2026 -
\tBourrage papier bac 2
printer Ward-4A now printing Ward-4A-17.  enabled since Mon Nov 23 20:41:50 2026
printer ReentryPDF is idle.  enabled since Mon Nov 23 20:38:40 2026
\tFilter failed
Ward-3B not accepting requests since Mon Nov 23 20:41:54 2026 -
\tmaintenance
Ward-4A accepting requests since Mon Nov 23 20:41:50 2026
ReentryPDF accepting requests since Mon Nov 23 20:38:40 2026
system default destination: Ward-4A
"""


def test_lpstat_output_is_read_into_printers():
    printers = {p.name: p for p in spool.parse_lpstat_printers(LPSTAT)}
    assert printers["Ward-3B"] == spool.Printer(
        "Ward-3B", is_default=False, accepting=False, enabled=False, state="disabled",
        reason="Bourrage papier bac 2")
    assert printers["Ward-4A"] == spool.Printer(
        "Ward-4A", is_default=True, accepting=True, enabled=True, state="printing Ward-4A-17")
    assert printers["ReentryPDF"].state == "idle" and printers["ReentryPDF"].reason == "Filter failed"
    assert spool.parse_lpstat_printers("no system default destination\n") == []
    assert spool.printer_of("Ward-4A-17") == "Ward-4A"


def test_windows_printer_list_is_read_from_powershell_json():
    several = json.dumps([
        {"Name": "Imprimante 3B", "Default": True, "WorkOffline": False, "PrinterStatus": 3},
        {"Name": "Microsoft Print to PDF", "Default": False, "WorkOffline": True,
         "PrinterStatus": 7}])
    first, second = spool_windows.parse_windows_printers(several)
    assert (first.name, first.is_default, first.accepting, first.state) == (
        "Imprimante 3B", True, True, "idle")
    assert (second.accepting, second.enabled, second.state) == (False, False, "offline")
    one = spool_windows.parse_windows_printers('{"Name": "Seule", "Default": false}')
    assert [p.name for p in one] == ["Seule"]
    assert spool_windows.parse_windows_printers("") == []


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in is a shell script")
def test_windows_prints_through_sumatra_with_printer_copies_and_no_scaling(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, coded_pdf: Path):
    record = tmp_path / "argv.txt"
    stand_in = tmp_path / "SumatraPDF.exe"
    stand_in.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    stand_in.chmod(0o755)
    monkeypatch.setenv("REENTRY_SUMATRA", str(stand_in))
    job = spool_windows.print_pdf(coded_pdf, "Imprimante 3B", 2, "lot00042-CARDIO", 10)
    assert record.read_text().splitlines() == [
        "-print-to", "Imprimante 3B", "-print-settings", "2x,noscale", "-silent", str(coded_pdf)]
    assert not job.tracked and job.printer == "Imprimante 3B"

    monkeypatch.setenv("REENTRY_SUMATRA", str(tmp_path / "absent" / "SumatraPDF.exe"))
    with pytest.raises(spool_windows.SumatraMissing):
        spool_windows.print_pdf(coded_pdf, None, 1, "t", 10)
    i18n.set_language("en")
    stand_in.write_text("#!/bin/sh\necho 'printer not found' >&2\nexit 1\n")
    monkeypatch.setenv("REENTRY_SUMATRA", str(stand_in))
    with pytest.raises(spool_windows.WindowsPrintFailed) as failed:
        spool_windows.print_pdf(coded_pdf, None, 1, "t", 10)
    assert str(failed.value).startswith(
        'Windows could not print lot00042-CARDIO.pdf on "default printer": printer not found.')


def test_print_time_estimate_follows_the_printer_speed():
    assert estimate_print_seconds(45, 30) == 90
    assert estimate_print_seconds(0, 30) == 0
    with pytest.raises(ValueError):
        estimate_print_seconds(10, 0)
