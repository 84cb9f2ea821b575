"""End to end: `reentry print` writes ward PDFs whose every barcode, read back by a real decoder
from pages rasterised at 200 dpi, resolves through `reentry barcode` to the patient printed on
that page; a code with one digit changed or two neighbours swapped is refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime

import pytest
import zxingcpp
from cli_passwords import ENV, give_passwords
from click.testing import CliRunner
from PIL import Image
from printed_ward import PRINTER

from reentry.barcodes import page_code
from reentry.cli import cli
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.entry import service
from reentry.registry import BatchStatus, SheetStatus

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="poppler-utils (pdftoppm) is not installed")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    db = folder / "hospital.sqlite"
    from reentry.store import open_store

    store = open_store(db)
    create_demo(store, patients=40, seed=11, as_of=AS_OF)
    occupancy = Counter(row.ward.code for row in store.census())
    ward = occupancy.most_common(1)[0][0]  # the fullest ward: several patients, many pages
    service.add_user(store, "imprimeur", "Poste d'impression", Role.NURSE)
    store.close()
    give_passwords(db)
    runner = CliRunner(env=ENV)
    result = runner.invoke(cli, ["--db", str(db), "print", "--out", str(folder / "out"),
                                 "--ward", ward, "--hours", "8", "--from", "2026-11-23 21:00",
                                 "--admission-packets", "1", "--user", "imprimeur"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (pdf,) = (folder / "out").glob("*.pdf")
    return db, pdf, runner


def pdf_pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(line.split()[-1] for line in info.stdout.splitlines()
                    if line.startswith("Pages:")))


def page_text(pdf, page):
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout


def page_codes(pdf, page, tmp_path):
    prefix = tmp_path / f"p{page}"
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", str(page), "-l", str(page), str(pdf),
                    str(prefix)], check=True)
    (image,) = tmp_path.glob(f"p{page}*.png")
    results = zxingcpp.read_barcodes(Image.open(image))
    image.unlink()
    return results


def resolve(runner, db, code):
    result = runner.invoke(cli, ["--db", str(db), "barcode", "--format", "json", code])
    return result.exit_code, json.loads(result.output)


def test_every_sampled_page_decodes_and_resolves_to_the_patient_printed_on_it(printed, tmp_path):
    db, pdf, runner = printed
    pages = pdf_pages(pdf)
    assert pages >= 20
    sample = sorted({1, 2, 3, pages // 3, pages // 2, pages - 2, pages - 1, pages})
    seen = set()
    for page in sample:
        results = page_codes(pdf, page, tmp_path)
        linear = [r for r in results if r.format == zxingcpp.BarcodeFormat.Code128]
        matrix = [r for r in results if r.format in (zxingcpp.BarcodeFormat.DataMatrix,
                                                      zxingcpp.BarcodeFormat.QRCode)]
        assert len(linear) == 2 and len(matrix) == 1, f"page {page}: {results}"
        codes = {r.text for r in results}
        assert len(codes) == 1, f"page {page} carries different codes {codes}"
        (code,) = codes
        assert code not in seen
        seen.add(code)
        status, data = resolve(runner, db, code)
        assert status == 0 and data["valid"], data
        text = page_text(pdf, page)
        grouped = " ".join(code[i:i + 4] for i in range(0, 12, 4))
        assert grouped in text
        if data["ipp"]:
            assert data["ipp"] in text, f"page {page} does not show IPP {data['ipp']}"
        elif data["template"] not in ("ward_cover",):
            assert data["temporary_id"] in text.replace(" ", "")


def test_a_changed_digit_or_swapped_neighbours_is_refused(printed, tmp_path):
    db, pdf, runner = printed
    (code,) = {r.text for r in page_codes(pdf, 2, tmp_path)}
    for i in range(len(code)):
        changed = code[:i] + str((int(code[i]) + 3) % 10) + code[i + 1:]
        assert resolve(runner, db, changed)[0] == 2
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            status, data = resolve(runner, db, swapped)
            assert status == 2 and not data["valid"]


def test_registry_matches_the_pdf(printed):
    db, pdf, _ = printed
    from reentry.store import open_store

    store = open_store(db)
    try:
        (batch,) = store.batches()
        sheets = store.batch_sheets(batch.id)
    finally:
        store.close()
    assert batch.status is BatchStatus.COMPLETE
    assert {s.status for s in sheets} == {SheetStatus.PRINTED}
    assert sum(s.page_count for s in sheets) == pdf_pages(pdf)
    templates = {s.template_id for s in sheets}
    assert {"ward_cover", "dossier", "vital_signs", "medication_administration",
            "nursing_notes", "downtime_admission"} <= templates


@pytest.fixture
def small(tmp_path):
    from reentry.store import open_store

    db = tmp_path / "small.sqlite"
    store = open_store(db)
    create_demo(store, patients=6, seed=3, as_of=AS_OF)
    service.add_user(store, "imprimeur", "Poste d'impression", Role.NURSE)
    row = store.census()[0]
    store.close()
    give_passwords(db)
    return db, row


def run(db, *args):
    return CliRunner(env=ENV).invoke(cli, ["--db", str(db), *map(str, args)])


def test_reprint_supersedes_the_earlier_sheets_and_cancel_withdraws_them(small, tmp_path):
    db, row = small
    first = run(db, "print", "--out", tmp_path / "a", "--ward", row.ward.code,
                "--admission-packets", "0", "--per-patient", "--user", "imprimeur")
    assert first.exit_code == 0, first.output
    from reentry.store import open_store

    store = open_store(db)
    in_ward = len(store.census(row.ward.code))
    assert len(list((tmp_path / "a").glob("*/*.pdf"))) == in_ward  # one PDF per patient
    old = [s for s in store.batch_sheets(1) if s.ipp == row.patient.ipp]
    cadre = service.add_user(store, "cadre", "Claire Cadre", Role.WARD_MANAGER)
    service.add_user(store, "ide.nuit", "IDE de nuit", Role.NURSE)
    store.close()
    give_passwords(db)
    unknown = run(db, "reprint", row.patient.ipp, "--out", tmp_path / "b",
                  "--operator", "IDE nuit")  # a free text is not an operator
    assert unknown.exit_code == 1 and "incorrect" in unknown.stderr
    reprinted = run(db, "reprint", row.patient.ipp, "--out", tmp_path / "b",
                    "--operator", "ide.nuit")
    assert reprinted.exit_code == 0, reprinted.output
    (pdf,) = (tmp_path / "b").glob("*.pdf")
    assert pdf_pages(pdf) == sum(s.page_count for s in old)
    refused = run(db, "barcode", "--format", "json", old[0].code())
    data = json.loads(refused.output)
    assert refused.exit_code == 2 and data["status"] == "superseded"
    new_code = page_code(data["superseded_by"], 1)
    assert run(db, "barcode", new_code).exit_code == 0

    bad = run(db, "cancel-sheets", new_code[:-1] + str((int(new_code[-1]) + 1) % 10),
              "--reason", "test", "--operator", "cadre")
    assert bad.exit_code == 1 and "Rien n'a été annulé" in bad.stderr
    cancelled = run(db, "cancel-sheets", new_code, "--reason", "feuille tachée",
                    "--operator", "cadre")
    assert cancelled.exit_code == 0 and "1 feuille" in cancelled.output
    assert "annulée" in run(db, "barcode", new_code).stderr
    store = open_store(db)
    try:  # the registry names the operator who signed in
        assert store.sheet_events(data["superseded_by"])[-1]["user"] == cadre.username
    finally:
        store.close()


def test_reprint_of_someone_not_hospitalised_is_refused(small, tmp_path):
    db, _ = small
    result = run(db, "reprint", "000000000", "--out", tmp_path / "c", "--user", "imprimeur")
    assert result.exit_code == 1 and "000000000" in result.stderr


def test_a_cancelled_or_failed_batch_is_closed_as_interrupted(small, tmp_path):
    from reentry.errors import Cancelled, UserError
    from reentry.printing.station import PrintRequest, print_batch
    from reentry.progress import CancelToken
    from reentry.store import open_store

    db, _ = small
    store = open_store(db)
    try:
        token = CancelToken()
        token.cancel()
        with pytest.raises(Cancelled):
            print_batch(store, PrintRequest(user=PRINTER, out_dir=tmp_path / "x"), cancel=token)
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the output folder should be")
        with pytest.raises(UserError) as caught:
            print_batch(store, PrintRequest(user=PRINTER, out_dir=blocked))
        assert str(blocked) in caught.value.message()
        statuses = [b.status for b in store.batches()]
        assert statuses == [BatchStatus.INTERRUPTED]  # the second never opened a batch
        assert list((tmp_path / "x").glob("*.pdf")) == []
    finally:
        store.close()
