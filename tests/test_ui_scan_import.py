"""Importing a scanned stack from the app: really printed sheets, scanned as a scanner would,
chosen in the window, imported in the background with progress, summed up on screen; the sheets
are marked returned in the real SQLite file and the page left over is one click from the queue.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from printed_ward import print_demo_ward
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from qt_windows import loaded, signed_in, type_sign_in
from scanned_stack import printed_pages, scanned, smudged, write_pdf

from reentry.config import Settings
from reentry.domain.entry import Role
from reentry.domain.scans import PageStatus
from reentry.entry import service
from reentry.errors import DatabaseLocked
from reentry.store import open_store
from ui.main_window import MainWindow
from ui.scan_import import ScanImportWindow
from ui.scan_queue import ScanQueueWindow

pytestmark = [pytest.mark.qt]

IMPORT_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One ward printed once by the real print station, and a stack of four of its pages as a
    scanner returns them: turned every way, skewed, noisy; one smudged past reading."""
    folder = tmp_path_factory.mktemp("printed")
    store = open_store(folder / "printed.sqlite")
    try:
        outcome = print_demo_ward(store, folder / "pdf")
        service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
    finally:
        store.close()
    pages = printed_pages(outcome.wards[0].pdf, 200)[1:5]
    rng = random.Random(12)
    stack = [scanned(page, rng, quarter=quarter)
             for page, quarter in zip(pages[:3], (0, 180, 90), strict=True)]
    stack.append(scanned(smudged(pages[3]), rng, quarter=0))
    pdf = write_pdf([p.image for p in stack], folder / "pile-3B.pdf", 200)
    return folder / "printed.sqlite", pdf, stack


@pytest.fixture
def stack(printed, db_path, tmp_path):
    """This test's own database and its own copy of the scanned file."""
    shutil.copy(printed[0], db_path)
    return Path(shutil.copy(printed[1], tmp_path / "pile-3B.pdf")), printed[2]


def new_window(qtbot, db_path, chosen):
    window = ScanImportWindow(db_path, choose_files=lambda _parent: [str(p) for p in chosen],
                              workers=1)
    signed_in(qtbot, window)
    assert window.pages.currentWidget() is window.page
    return window


def import_from(qtbot, window):
    with qtbot.waitSignal(window.finished_importing, timeout=IMPORT_TIMEOUT_MS):
        qtbot.mouseClick(window.files_button, Qt.MouseButton.LeftButton)
        assert not window.files_button.isEnabled()  # one import at a time


def test_a_stack_imported_from_the_app_marks_its_sheets_returned_and_says_what_happened(
        qtbot, db_path, stack, stored):
    pdf, pages = stack
    window = new_window(qtbot, db_path, [pdf])

    import_from(qtbot, window)

    assert window.files_button.isEnabled()
    assert window.last_progress is not None
    assert (window.last_progress.done, window.last_progress.total) == (4, 4)
    assert window.status_text() == (
        "Import terminé. 1 fichier(s) dont 0 déjà importé(s) ; 4 page(s) : 3 rattachée(s) à"
        " leur feuille, 1 à identifier, 0 renumérisée(s) ; 3 feuille(s) marquée(s) rendue(s).")
    assert window.detail_lines()[0] == (
        "pile-3B.pdf : 4 page(s) importée(s) : 3 rattachée(s) à leur feuille, 1 à identifier"
        " à la main.")
    for page in pages[:3]:
        assert any(e["action"] == "returned" for e in stored.sheet_events(page.serial))
        assert stored.scan_page_image(page.serial, page.page) is not None
    assert not any(e["action"] == "returned" for e in stored.sheet_events(pages[3].serial))
    assert stored.scan_counts()[PageStatus.QUEUED.value] == 1

    assert window.queue_button.isVisible()
    assert window.queue_button.text() == "Pages à identifier (1)…"
    window.queue_button.click()
    (queue,) = window.findChildren(ScanQueueWindow)
    qtbot.addWidget(queue)
    assert queue.user.username == "mdupont"  # no second sign-in
    qtbot.waitUntil(lambda: queue.list.count() == 1)  # read off the GUI thread
    qtbot.waitUntil(queue.page_view.has_image)
    queue.close()

    import_from(qtbot, window)  # the same file again

    assert "0 page(s)" in window.status_text() and "1 déjà importé(s)" in window.status_text()
    assert "déjà importé" in window.detail_lines()[0] and "rien n'a changé" in \
        window.detail_lines()[0]
    assert stored.scan_counts() == {"identified": 3, "queued": 1, "set_aside": 0}


def test_a_file_that_is_not_a_scan_is_refused_with_a_message_and_nothing_stored(
        qtbot, db_path, stack, stored, tmp_path):
    notes = tmp_path / "notes.pdf"
    notes.write_text("pas un PDF", encoding="utf-8")
    window = new_window(qtbot, db_path, [notes])

    import_from(qtbot, window)

    assert "notes.pdf n'est ni un PDF ni une image lisible" in window.status_text()
    (box,) = window.findChildren(QMessageBox)
    assert "Renumérisez" in box.text()
    box.close()
    assert stored.scan_counts() == {"identified": 0, "queued": 0, "set_aside": 0}
    assert stored.scan_files() == []


def test_closing_during_an_import_stops_it_and_importing_again_finishes_it(
        qtbot, db_path, stack, stored):
    pdf, pages = stack
    window = new_window(qtbot, db_path, [pdf])
    with qtbot.waitSignal(window.finished_importing, timeout=IMPORT_TIMEOUT_MS):
        window.files_button.click()
        window.close()  # asks to stop: the window waits for the page being stored
        assert window.isVisible()
    assert "Import arrêté" in window.status_text()
    assert not window.isVisible()  # closed once the import stopped
    stopped = stored.scan_counts()
    assert sum(stopped.values()) < len(pages)

    again = new_window(qtbot, db_path, [pdf])
    import_from(qtbot, again)

    assert "Import terminé" in again.status_text()
    assert stored.scan_counts() == {"identified": 3, "queued": 1, "set_aside": 0}


def test_the_viewer_menu_imports_pages_and_counts_the_pages_to_identify(
        qtbot, db_path, stack, stored):
    main = MainWindow(db_path, Settings())
    qtbot.addWidget(main)
    main.show()
    assert loaded(qtbot, main)
    assert main.scan_queue_action.text() == "Pages à &identifier (0)…"
    assert main.scan_import_action.text() == "Importer des pages &numérisées…"

    main.scan_import_action.trigger()
    (window,) = main.findChildren(ScanImportWindow)
    qtbot.addWidget(window)
    assert window.pages.currentWidget() is window.sign_in_page  # who imports is recorded
    type_sign_in(qtbot, window.sign_in_page, "mdupont")
    with qtbot.waitSignal(window.finished_importing, timeout=IMPORT_TIMEOUT_MS):
        window.import_paths([stack[0]])
    window.close()

    main.file_menu.aboutToShow.emit()  # counted again, off the GUI thread
    qtbot.waitUntil(lambda: main.scan_queue_action.text() == "Pages à &identifier (1)…")
    main.scan_queue_action.trigger()
    (queue,) = main.findChildren(ScanQueueWindow)
    qtbot.addWidget(queue)
    assert queue.pages.currentWidget() is queue.page  # the app's sign-in: not asked again
    assert queue.user is not None and queue.user.username == "mdupont"


@pytest.mark.parametrize("window", [ScanImportWindow, ScanQueueWindow])
def test_a_database_that_cannot_be_opened_says_so_on_the_sign_in_page(qtbot, tmp_path, window):
    def locked(_path):
        raise DatabaseLocked(path=str(tmp_path / "x.sqlite"))

    shown = window(tmp_path / "x.sqlite", open_db=locked)
    qtbot.addWidget(shown)
    assert shown.pages.currentWidget() is shown.sign_in_page
    assert "x.sqlite" in shown.sign_in_page.error.text()
