"""The manual queue driven from the keyboard, on really printed sheets scanned into a real SQLite
file: a smudged page is identified by typing its code (a wrong check digit is refused; the right
code shows whose sheet it is before anything is attached), a blank back is set aside with a
reason, and the entry screen then shows the page beside the fields."""

from __future__ import annotations

import random
import shutil
import sqlite3
import threading
from datetime import UTC, datetime

import pytest
from printed_ward import print_demo_ward
from PySide6.QtCore import Qt
from qt_windows import focused, signed_in, type_sign_in
from scanned_stack import blank_page, printed_pages, scanned, smudged, write_pdf

from reentry.barcodes import group_for_reading, page_code
from reentry.domain.entry import Role
from reentry.domain.scans import IdentifiedBy, PageStatus, QueueReason
from reentry.entry import service
from reentry.formdefs import get_form
from reentry.scanning.importer import import_scans
from reentry.store import open_store
from reentry.store.opening import open_database
from ui.language import switch_language
from ui.reentry_window import ReentryWindow
from ui.scan_queue import ScanQueueWindow

pytestmark = [pytest.mark.qt]

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """One ward printed by the real print station, then a stack of three of its pages scanned
    and imported by the core, once for this module: the vitals sheet smudged past reading, the
    medication sheet clean, and a blank back. Two pages wait in the queue."""
    folder = tmp_path_factory.mktemp("printed")
    store = open_store(folder / "printed.sqlite")
    try:
        outcome = print_demo_ward(store, folder / "pdf")
        sheets = {s.serial: s for s in store.batch_sheets(outcome.batch_id)}
        nurse = service.add_user(store, "mdupont", "Marie Dupont", Role.NURSE)
        pages = printed_pages(outcome.wards[0].pdf, 200)

        def patient_page(template):
            return next(p for p in pages if sheets[p.serial].template_id == template
                        and sheets[p.serial].patient_id)

        rng = random.Random(4)
        vitals, medication = patient_page("vital_signs"), patient_page(
            "medication_administration")
        images = [scanned(smudged(vitals), rng, quarter=180).image,
                  scanned(medication, rng, quarter=0).image, blank_page(200, rng)]
        target = write_pdf(images, folder / "pile-3B.pdf", 200)
        result = import_scans(store, [target], nurse, workers=1)
    finally:
        store.close()
    assert (result.identified, result.queued) == (1, 2)
    return folder / "printed.sqlite", vitals, medication


@pytest.fixture
def queued(printed, db_path):
    """This test's own copy of the database: (vitals page in the queue, medication page
    attached)."""
    shutil.copy(printed[0], db_path)
    return printed[1], printed[2]


def type_into(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def counts(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("scan_pages", "sheet_events", "audit_log")}
    finally:
        conn.close()


@pytest.fixture
def window(qtbot, db_path, queued):
    """Signed in, its queue read (off the GUI thread) and on screen."""
    window = ScanQueueWindow(db_path, now=lambda: NOW, beep=lambda: None)
    with qtbot.waitSignal(window.refreshed, timeout=10000):
        signed_in(qtbot, window)
    return window


def test_a_page_is_attached_only_after_the_typed_code_shows_whose_sheet_it_is(
        qtbot, window, queued, stored, db_path):
    vitals, _ = queued
    assert window.heading.text() == "Pages à identifier : 2"
    assert window.list.count() == 2
    page = window.current_page()
    assert (page.file_name, page.page_index, page.reason) == ("pile-3B.pdf", 0,
                                                              QueueReason.NO_CODE)
    qtbot.waitUntil(window.page_view.has_image)  # the page to read from, large
    assert window.page_view.fits_width()
    assert "aucun code lisible" in window.reason.text()
    assert focused() is window.code_field

    right = page_code(vitals.serial, vitals.page)
    wrong = right[:-1] + str((int(right[-1]) + 1) % 10)
    before = counts(db_path)
    type_into(qtbot, window.code_field, group_for_reading(wrong))
    assert "chiffre de contrôle" in window.error_text()
    assert window.designated.isHidden()
    assert not window.designated.attach_button.isEnabled()
    assert focused() is window.code_field
    assert window.attach() is False  # nothing to attach to
    assert counts(db_path) == before

    type_into(qtbot, window.code_field, group_for_reading(right))
    assert window.error_text() is None
    assert window.designated.isVisible()
    instance = stored.form_instance(vitals.serial)
    patient = stored.patient_by_id(instance.patient_id)
    stay = stored.stay_by_id(instance.stay_id)
    shown = window.designated.identity_text()
    assert patient.birth_name.upper() in shown
    assert patient.birth_date.strftime("%d/%m/%Y") in shown
    assert instance.ipp in shown
    assert stay.room in shown and stay.bed in shown
    assert get_form("vital_signs").title_in() in shown
    assert f"page {vitals.page}/{instance.page_count}" in shown
    assert counts(db_path) == before  # shown, not attached yet
    assert focused() is window.designated.attach_button

    # One digit changed after the check: the identity on screen no longer belongs to the code.
    window.code_field.setFocus()
    qtbot.keyClick(window.code_field, Qt.Key.Key_Backspace)
    assert window.designated.isHidden()
    qtbot.keyClick(window.code_field, right[-1])
    assert window.designated.isHidden()
    qtbot.keyClick(window.code_field, Qt.Key.Key_Return)
    assert window.designated.isVisible()

    with qtbot.waitSignal(window.page_identified) as identified:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert identified.args[0].newly_returned
    (attached,) = stored.scan_pages(vitals.serial)
    assert (attached.page, attached.identified_by, attached.identified_user) == (
        vitals.page, IdentifiedBy.TYPED, "mdupont")
    assert stored.scan_page_image(vitals.serial, vitals.page) == stored.queued_page_image(page.id)
    assert any(e["action"] == "returned" for e in stored.sheet_events(vitals.serial))
    assert stored.audit("scan_page")[-1]["action"] == "scan_page_identified"
    assert patient.birth_name.upper() in window.notice_text()

    # The next page comes on screen at once: the blank back.
    assert window.heading.text() == "Pages à identifier : 1"
    assert window.current_page().reason is QueueReason.BLANK
    assert window.designated.isHidden() and window.code_field.text() == ""


def test_a_blank_page_is_set_aside_with_a_reason_and_the_queue_empties(
        qtbot, window, stored, db_path):
    window.select_page(window.queue[1].id)
    blank = window.current_page()
    assert blank.reason is QueueReason.BLANK
    before = counts(db_path)
    window.aside_reason.setFocus()
    qtbot.keyClick(window.aside_reason, Qt.Key.Key_Return)
    assert "Indiquez pourquoi" in window.error_text()
    assert counts(db_path) == before

    with qtbot.waitSignal(window.page_set_aside):
        type_into(qtbot, window.aside_reason, "verso vierge")
    assert stored.scan_page_status(blank.id) is PageStatus.SET_ASIDE
    assert stored.audit("scan_page")[-1]["action"] == "scan_page_set_aside"
    assert [q.id for q in stored.manual_queue()] == [window.current_page().id]
    assert "mise de côté" in window.notice_text()

    switch_language("en")
    qtbot.waitUntil(lambda: window.heading.text() == "Pages to identify: 1")
    assert window.reason.text().startswith("Waiting: no readable code")
    assert window.notice_text().endswith("set aside (its image is kept).")
    assert window.list.item(0).text().endswith("no readable code")


def test_a_page_dealt_with_on_another_pc_is_refused_with_a_message(
        qtbot, window, queued, stored):
    vitals, _ = queued
    page = window.current_page()
    type_into(qtbot, window.code_field, page_code(vitals.serial, vitals.page))
    from reentry.scanning.queue import set_aside_page

    set_aside_page(stored, page.id, "doublon", stored.user_by_name("mdupont"))  # the other PC
    assert window.attach() is False
    assert "n'est plus dans la file" in window.error_text()
    assert stored.scan_page_image(vitals.serial, vitals.page) is None
    with qtbot.waitSignal(window.refreshed, timeout=10000):
        window.refresh()
    assert window.list.count() == 1


def test_the_queue_is_read_off_the_gui_thread_while_the_window_answers(qtbot, db_path, queued):
    """On a server the queue is a network round trip: it is read in a worker thread, on a
    connection of its own, and the window goes on answering while the network is slow."""
    readers, release = [], threading.Event()

    def open_db(location):
        store = open_database(location)
        listed = store.manual_queue

        def slow_manual_queue():
            readers.append(threading.current_thread())
            release.wait(10)  # a slow network
            return listed()

        store.manual_queue = slow_manual_queue
        return store

    window = signed_in(qtbot, ScanQueueWindow(db_path, open_db=open_db, now=lambda: NOW,
                                              beep=lambda: None))
    qtbot.waitUntil(lambda: bool(readers))
    assert window.heading.text() == "Lecture des pages à identifier…"
    switch_language("en")  # the window still answers: events are handled meanwhile
    qtbot.waitUntil(lambda: window.heading.text() == "Reading the pages to identify…")
    assert window.list.count() == 0
    with qtbot.waitSignal(window.refreshed, timeout=10000):
        release.set()
    assert window.list.count() == 2 and window.heading.text() == "Pages to identify: 2"
    assert all(thread is not threading.main_thread() for thread in readers)


def test_the_entry_screen_shows_the_scanned_page_beside_the_fields(
        qtbot, db_path, queued, stored):
    vitals, medication = queued
    reentry = ReentryWindow(db_path, now=lambda: NOW, beep=lambda: None)
    qtbot.addWidget(reentry)
    reentry.show()
    qtbot.waitExposed(reentry)
    reentry.activateWindow()
    qtbot.waitUntil(reentry.sign_in_page.name_field.hasFocus)
    type_sign_in(qtbot, reentry.sign_in_page, "mdupont")
    panel = reentry.entry.scan_panel

    reentry.open_code(page_code(medication.serial, medication.page))  # attached by its barcode
    qtbot.waitUntil(panel.has_image)
    assert panel.page_view.fits_width()
    assert panel.page_view.image_size().width() > 1000  # the stored 200 dpi page, not a thumbnail
    assert "pile-3B.pdf, page 2 du fichier" in panel.caption.text()
    assert focused() is reentry.entry.rows[0].first_cell()  # the cells keep the keyboard

    qtbot.keyClick(focused(), Qt.Key.Key_F6)
    assert not panel.is_shown() and not panel.has_image()
    cell = focused()
    assert cell is reentry.entry.rows[0].first_cell()
    qtbot.keyClick(cell, Qt.Key.Key_F6)
    assert panel.is_shown()
    qtbot.waitUntil(panel.has_image)

    reentry.open_code(page_code(vitals.serial, vitals.page))  # still in the queue: no image
    assert not panel.has_image()
    assert panel.placeholder_text() == (
        "Pas de page numérisée pour cette page de la feuille : saisissez depuis le papier.")
    reentry.entry.close_sheet()
    assert not panel.has_image() and panel.placeholder_text() == "Pas de page numérisée."


def test_a_list_read_that_lands_after_the_window_closed_is_dropped(qtbot, window, stored):
    """The queue is read in the background; closing the window waits for the read, but its
    answer reaches the window's thread afterwards: it must land on nothing, not on a closed
    database (« 'NoneType' object has no attribute 'queued_page_image' »)."""
    from reentry.scanning.queue import set_aside_page

    page = window.current_page()
    set_aside_page(stored, page.id, "doublon", stored.user_by_name("mdupont"))  # another PC
    window.refresh()  # reads a list that changed
    window.close()
    assert window.store is None
    qtbot.wait(300)  # the answer arrives now; an exception here fails the test (pytest-qt)
