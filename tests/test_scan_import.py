"""Importing scanned stacks: real printed sheets, rasterised, turned, skewed, noisy, shuffled.

Sheets are printed by the real print station into a real SQLite file; the stacks are made from
those PDFs by ``scanned_stack`` and imported through ``import_scans`` (with its process pool
where it matters) and through the ``reentry scan-import`` command. Where each page should land
is read from the text printed on it, not from the decoder under test.
"""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import pytest
import zxingcpp
from cli_passwords import ENV, give_passwords
from click.testing import CliRunner
from PIL import Image
from printed_ward import print_demo_ward
from scanned_stack import (
    ScannedPage,
    blank_page,
    page_with_only,
    printed_pages,
    scanned,
    shuffled,
    smudged,
    with_foreign_code,
    write_bilevel_tiff,
    write_image_folder,
    write_pdf,
)
from store_copies import place_database

from reentry.barcodes import page_code
from reentry.cli import cli
from reentry.domain.entry import Role
from reentry.domain.scans import IdentifiedBy, PageStatus, QueueReason
from reentry.entry import service
from reentry.errors import Cancelled, UserError
from reentry.progress import CancelToken
from reentry.scanning.importer import import_scans
from reentry.scanning.queue import identify_page, set_aside_page
from reentry.store import open_store

QUARTERS = (0, 180, 90, 270)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One ward of the demo hospital printed once for this module by the real print station,
    with a nurse; each test works on its own copy of that database."""
    folder = tmp_path_factory.mktemp("printed")
    store = open_store(folder / "printed.sqlite")
    outcome = print_demo_ward(store, folder / "pdf")
    sheets = store.batch_sheets(outcome.batch_id)
    service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    store.close()
    (pdf,) = outcome.wards
    return folder / "printed.sqlite", pdf.pdf, sheets


@pytest.fixture(scope="module")
def clean_pages(printed):
    """The printed pages rasterised once per resolution (copied before any change)."""
    cache: dict[int, list[ScannedPage]] = {}

    def at(dpi: int) -> list[ScannedPage]:
        if dpi not in cache:
            cache[dpi] = printed_pages(printed[1], dpi)
        return [ScannedPage(p.image.copy(), p.serial, p.page) for p in cache[dpi]]

    return at


@pytest.fixture
def sheets(printed, store_location):
    """The printed ward in this test's database: a copy of the file, or, for a test marked
    ``both_backends``, copied onto a fresh database of the private PostgreSQL server."""
    place_database(printed[0], store_location)
    return printed[2]


@pytest.fixture
def scan_store(sheets, store_location):
    store = open_store(store_location)
    yield store
    store.close()


@pytest.fixture
def nurse(scan_store):
    return scan_store.user_by_name("mdupont")


def stack_of(clean_pages, dpi: int, seed: int, count: int = 6) -> list[ScannedPage]:
    """The first ``count`` printed pages, scanned in every orientation, then shuffled."""
    rng = random.Random(seed)
    pages = clean_pages(dpi)[:count]
    return shuffled([scanned(p, rng, quarter=QUARTERS[i % 4]) for i, p in enumerate(pages)], rng)


def stored_targets(store, serials) -> dict[tuple[str, int], tuple[int, int]]:
    return {(p.file_name, p.page_index): (p.serial, p.page)
            for serial in serials for p in store.scan_pages(serial)}


def table_counts(store) -> dict[str, int]:
    return {t: store.sql.rows(f"SELECT count(*) AS n FROM {t}")[0]["n"]
            for t in ("scan_files", "scan_pages", "scan_images", "sheet_events", "audit_log")}


def assert_upright(jpeg: bytes) -> None:
    """The stored image reads the right way up: codes at 0°, one of them at the top right."""
    image = Image.open(io.BytesIO(jpeg))
    assert image.mode == "L" and image.format == "JPEG"
    symbols = zxingcpp.read_barcodes(image)
    assert symbols, "the stored image should still carry readable codes"
    assert all(abs(s.orientation) <= 5 for s in symbols), [s.orientation for s in symbols]
    assert any(s.position.top_left.y < image.height / 4 and s.position.top_left.x
               > image.width / 2 for s in symbols)


@pytest.mark.parametrize(("container", "dpi", "workers"), [
    ("pdf", 200, 2),
    ("bilevel tiff", 300, 1),
    ("folder of png and tiff", 200, 1),
])
def test_every_page_of_a_shuffled_skewed_noisy_stack_lands_on_its_sheet_page(
        container, dpi, workers, clean_pages, scan_store, nurse, tmp_path, sheets):
    stack = stack_of(clean_pages, dpi, seed=dpi, count=6 if dpi == 200 else 4)
    images = [p.image for p in stack]
    if container == "pdf":
        target = write_pdf(images, tmp_path / "stack.pdf", dpi)
        expected = {("stack.pdf", i): (p.serial, p.page) for i, p in enumerate(stack)}
    elif container == "bilevel tiff":
        target = write_bilevel_tiff(images, tmp_path / "stack.tif", dpi)
        expected = {("stack.tif", i): (p.serial, p.page) for i, p in enumerate(stack)}
    else:
        target = tmp_path / "scans"
        names = write_image_folder(images, target, dpi)
        expected = {(name, 0): (p.serial, p.page) for name, p in zip(names, stack, strict=True)}

    result = import_scans(scan_store, [target], nurse, workers=workers)

    assert (result.pages, result.identified, result.queued) == (len(stack), len(stack), 0)
    serials = {s.serial for s in sheets}
    assert stored_targets(scan_store, serials) == expected
    assert result.serials == {p.serial for p in stack}
    assert result.sheets_returned == len(result.serials)
    for serial in result.serials:
        assert any(e["action"] == "returned" for e in scan_store.sheet_events(serial))
    by_place = {(p.file_name, p.page_index): p for s in serials for p in scan_store.scan_pages(s)}
    for key, page in zip(expected, stack, strict=True):
        stored = by_place[key]
        assert stored.rotation == page.rotation
        assert abs(stored.skew + page.skew) < 1.0  # turned counterclockwise = negative tilt
        assert stored.identified_by is IdentifiedBy.BARCODE and stored.identified_user == "mdupont"
        assert stored.dpi == 200 and max(stored.width, stored.height) < 13 * 200
    assert_upright(scan_store.scan_page_image(stack[0].serial, stack[0].page))
    assert scan_store.manual_queue() == []


@pytest.mark.both_backends
def test_a_smudged_page_waits_in_the_queue_until_a_person_types_its_code(
        clean_pages, scan_store, nurse, tmp_path):
    rng = random.Random(5)
    clean = clean_pages(200)[:3]
    fully, partly, intact = smudged(clean[0]), smudged(clean[1], symbols=1), clean[2]
    stack = [scanned(p, rng, quarter=q) for p, q in ((fully, 180), (partly, 0), (intact, 90))]
    target = write_pdf([p.image for p in stack], tmp_path / "smudged.pdf", 200)

    result = import_scans(scan_store, [target], nurse, workers=1)

    assert (result.identified, result.queued) == (2, 1)  # one code of three is enough
    (queued,) = scan_store.manual_queue()
    assert (queued.file_name, queued.page_index, queued.reason) == ("smudged.pdf", 0,
                                                                   QueueReason.NO_CODE)
    assert "12 chiffres" in queued.message.render()
    assert scan_store.scan_page_image(fully.serial, fully.page) is None
    assert not any(e["action"] == "returned" for e in scan_store.sheet_events(fully.serial))
    Image.open(io.BytesIO(scan_store.queued_page_image(queued.id))).verify()

    right = page_code(fully.serial, fully.page)
    wrong = right[:-1] + str((int(right[-1]) + 1) % 10)
    before = table_counts(scan_store)
    with pytest.raises(UserError) as refused:
        identify_page(scan_store, queued.id, wrong, nurse)
    assert "chiffre de contrôle" in refused.value.message()
    with pytest.raises(UserError):
        identify_page(scan_store, queued.id, right[:-2], nurse)  # too short
    assert table_counts(scan_store) == before
    assert scan_store.scan_page_status(queued.id) is PageStatus.QUEUED

    attached = identify_page(scan_store, queued.id, f"{right[:4]} {right[4:8]} {right[8:]}", nurse)

    assert attached.newly_returned and not attached.rescan
    assert scan_store.manual_queue() == []
    (page,) = scan_store.scan_pages(fully.serial)
    assert (page.page, page.identified_by, page.identified_user) == (fully.page,
                                                                     IdentifiedBy.TYPED, "mdupont")
    assert scan_store.scan_page_image(fully.serial, fully.page) == scan_store.queued_page_image(
        queued.id)
    assert any(e["action"] == "returned" for e in scan_store.sheet_events(fully.serial))
    audit = scan_store.audit("scan_page")
    assert audit[-1]["action"] == "scan_page_identified" and audit[-1]["username"] == "mdupont"
    with pytest.raises(UserError) as again:
        identify_page(scan_store, queued.id, right, nurse)
    assert "n'est plus dans la file" in again.value.message()


@pytest.mark.both_backends
def test_the_same_file_imported_twice_changes_nothing_and_says_so(
        clean_pages, scan_store, nurse, tmp_path):
    stack = stack_of(clean_pages, 200, seed=3, count=3)
    target = write_pdf([p.image for p in stack], tmp_path / "stack.pdf", 200)
    import_scans(scan_store, [target], nurse, workers=1)
    before = table_counts(scan_store)
    renamed = shutil.copy(target, tmp_path / "same-stack-other-name.pdf")

    result = import_scans(scan_store, [target, Path(renamed)], nurse, workers=1)

    assert table_counts(scan_store) == before
    assert (result.files, result.files_already_imported, result.pages) == (2, 2, 0)
    assert [m.id for _, m in result.messages] == ["scans.already_imported"] * 2
    assert "rien n'a changé" in result.messages[1][1].render()


def test_an_interrupted_import_is_completed_by_importing_the_file_again(
        clean_pages, scan_store, nurse, tmp_path, sheets):
    stack = stack_of(clean_pages, 200, seed=11, count=4)
    target = write_pdf([p.image for p in stack], tmp_path / "stack.pdf", 200)
    token = CancelToken()

    def cancel_after_two(event):
        if event.done == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        import_scans(scan_store, [target], nurse, progress=cancel_after_two, cancel=token,
                     workers=2)

    (file,) = scan_store.scan_files()
    assert file.completed_at is None
    assert scan_store.stored_page_indices(file.id) == {0, 1}

    result = import_scans(scan_store, [target], nurse, workers=1)

    (outcome,) = result.outcomes
    assert (outcome.pages_stored_before, outcome.pages, outcome.completed) == (2, 2, True)
    assert scan_store.stored_page_indices(file.id) == set(range(4))
    assert stored_targets(scan_store, {s.serial for s in sheets}) == {
        ("stack.pdf", i): (p.serial, p.page) for i, p in enumerate(stack)}
    assert import_scans(scan_store, [target], nurse, workers=1).files_already_imported == 1


@pytest.mark.both_backends
def test_a_page_scanned_again_keeps_both_images_and_shows_the_newest(
        clean_pages, scan_store, nurse, tmp_path):
    rng = random.Random(8)
    first, second = clean_pages(200)[:2]
    write_pdf([scanned(first, rng, quarter=0).image, scanned(second, rng, quarter=0).image],
              tmp_path / "monday.pdf", 200)
    import_scans(scan_store, [tmp_path / "monday.pdf"], nurse, workers=1)
    write_pdf([scanned(first, rng, quarter=180).image], tmp_path / "tuesday.pdf", 200)

    result = import_scans(scan_store, [tmp_path / "tuesday.pdf"], nurse, workers=1)

    assert (result.identified, result.rescans, result.sheets_returned) == (1, 1, 0)
    assert any(m.id == "scans.rescans" for _, m in result.messages)
    newest, older = scan_store.scan_pages(first.serial)
    assert (newest.file_name, newest.current, newest.rescan) == ("tuesday.pdf", True, True)
    assert (older.file_name, older.current, older.rescan) == ("monday.pdf", False, False)
    assert scan_store.scan_page_image(first.serial, first.page) == \
        scan_store.queued_page_image(newest.id)


def test_refused_codes_and_pages_without_writing_go_to_the_queue_with_their_reason(
        clean_pages, scan_store, nurse, tmp_path, sheets):
    rng = random.Random(2)
    pages = clean_pages(200)
    cancelled, carrier, other = pages[0], pages[1], pages[2]
    scan_store.cancel_sheets([cancelled.serial], "cadre", "feuille tachée, refaite")
    images = [
        scanned(cancelled, rng, quarter=0).image,
        page_with_only(page_code(999_999, 1), 200),  # a sheet of another database
        with_foreign_code(carrier, page_code(other.serial, other.page), 200).image,
        blank_page(200, rng),
    ]
    target = write_pdf(images, tmp_path / "mixed.pdf", 200)

    result = import_scans(scan_store, [target], nurse, workers=1)

    assert (result.identified, result.queued) == (0, 4)
    queue = scan_store.manual_queue()
    assert [q.reason for q in queue] == [QueueReason.CANCELLED, QueueReason.UNKNOWN_CODE,
                                         QueueReason.CONFLICTING_CODES, QueueReason.BLANK]
    assert queue[0].code_read == page_code(cancelled.serial, cancelled.page)
    assert "annulée" in queue[0].message.render()
    assert "registre" in queue[1].message.render(lang="fr")
    assert "several different codes" in queue[2].message.render(lang="en")
    assert not any(e["action"] == "returned" for e in scan_store.sheet_events(cancelled.serial))
    with pytest.raises(UserError) as refused:
        identify_page(scan_store, queue[0].id, queue[0].code_read, nurse)
    assert "annulée" in refused.value.message()

    with pytest.raises(UserError):
        set_aside_page(scan_store, queue[3].id, "   ", nurse)
    set_aside_page(scan_store, queue[3].id, "verso vierge", nurse)

    assert [q.id for q in scan_store.manual_queue()] == [q.id for q in queue[:3]]
    assert scan_store.scan_page_status(queue[3].id) is PageStatus.SET_ASIDE
    assert scan_store.audit("scan_page")[-1]["action"] == "scan_page_set_aside"
    assert scan_store.queued_page_image(queue[3].id)  # the image is kept


def test_files_that_are_not_scans_are_refused_before_anything_is_stored(
        clean_pages, scan_store, nurse, tmp_path):
    good = write_pdf([clean_pages(200)[0].image], tmp_path / "good.pdf", 200)
    notes = tmp_path / "notes.pdf"
    notes.write_text("ceci n'est pas une numérisation")
    empty = tmp_path / "empty"
    empty.mkdir()
    admin = service.add_user(scan_store, "dsi", "DSI", Role.ADMIN)
    before = table_counts(scan_store)
    for paths in ([good, notes], [good, tmp_path / "missing.pdf"], [empty]):
        with pytest.raises(UserError) as refused:
            import_scans(scan_store, paths, nurse, workers=1)
        assert refused.value.message()
    assert "empty" in refused.value.message()
    with pytest.raises(UserError) as forbidden:
        import_scans(scan_store, [good], admin, workers=1)
    assert "IDE" in forbidden.value.message() or "rôle" in forbidden.value.message()
    assert table_counts(scan_store) == before


def test_scan_import_command_end_to_end(clean_pages, tmp_path, db_path, sheets):
    rng = random.Random(4)
    clean = clean_pages(200)[:3]
    stack = [scanned(smudged(clean[0]), rng, quarter=0),
             scanned(clean[1], rng, quarter=180), scanned(clean[2], rng, quarter=90)]
    target = write_pdf([p.image for p in stack], tmp_path / "pile.pdf", 200)
    give_passwords(db_path)
    runner = CliRunner(env=ENV)

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), *map(str, args)],
                             catch_exceptions=False)

    refused = run("scan-import", target, "--user", "personne")
    assert refused.exit_code == 1 and "mot de passe incorrect" in refused.output

    done = run("scan-import", target, "--user", "mdupont")
    assert done.exit_code == 0, done.output
    assert "pile.pdf : 3 page(s) importée(s) : 2 rattachée(s)" in done.output
    assert "2 feuille(s) marquée(s) rendue(s)" in done.output

    again = run("scan-import", target, "--user", "mdupont")
    assert "déjà importé" in again.output and "0 page(s)" in again.output

    queue = run("scan-queue")
    assert "pile.pdf p. 1" in queue.output and "aucun code lisible" in queue.output
    page_id = queue.output.split()[0].lstrip("#")
    code = page_code(clean[0].serial, clean[0].page)
    bad = run("scan-identify", page_id, code[:-1] + str((int(code[-1]) + 3) % 10),
              "--user", "mdupont")
    assert bad.exit_code == 1 and "chiffre de contrôle" in bad.output
    good = run("scan-identify", page_id, code, "--user", "mdupont")
    assert good.exit_code == 0 and "rattachée" in good.output
    assert "Aucune page" in run("scan-queue").output

    store = open_store(db_path)
    try:
        assert {p.serial for p in stack} == {
            p.serial for s in sheets for p in store.scan_pages(s.serial)}
    finally:
        store.close()


def test_a_damaged_page_leaves_its_file_unfinished_and_a_duplicate_file_is_skipped(
        clean_pages, scan_store, nurse, tmp_path):
    rng = random.Random(6)
    first, second = (scanned(p, rng, quarter=0) for p in clean_pages(200)[:2])
    folder = tmp_path / "scans"
    write_image_folder([first.image, second.image], folder, 200)  # scan1.png, scan2.tif
    shutil.copy(folder / "scan1.png", folder / "scan3.png")
    whole = (folder / "scan2.tif").read_bytes()
    (folder / "scan2.tif").write_bytes(whole[:len(whole) // 3])  # the copy stopped half-way

    result = import_scans(scan_store, [folder], nurse, workers=1)

    good, damaged, duplicate = result.outcomes
    assert (good.completed, good.identified) == (True, 1)
    assert (damaged.completed, damaged.pages) == (False, 0)
    assert any(m.id == "scans.page_unreadable" for m in damaged.messages)
    assert duplicate.already_imported and duplicate.messages[0].id == "scans.duplicate_in_import"
    assert (result.files, result.files_already_imported, result.pages) == (3, 1, 1)
    assert scan_store.scan_file_by_sha256(damaged.sha256).completed_at is None
    assert scan_store.scan_page_image(second.serial, second.page) is None
