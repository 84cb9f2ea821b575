"""The scanned page as a second reader, where nurses type and where managers look (issue 14).

On the written ward (``second_read_ward``: a vital-signs chart and a medication record printed by
the print station, written on, rasterised at 200 dpi, degraded, imported by the real scan import
and typed with four known differences), driven as a nurse does, from the keyboard: the page is
read off the GUI thread, the marks land on exactly the disagreeing cells (the reading shown, never
typed), F8 goes to one and frames its box on the scanned page, F7 keeps what is typed, a typed
correction takes the mark away, « Feuille terminée » asks the reason for a field written and not
typed. The progress screen counts the sheets left in disagreement.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from qt_windows import focused, scan, signed_in, type_sign_in
from second_read_ward import (
    DIFFERENT_RATE,
    NOW,
    PAPER,
    REFUSED_DOSE,
    SHORT_PAIN,
    TYPED,
    UNTYPED_SPO2,
    VITALS,
    build,
    nurse_of,
)

from reentry.domain.entry import Role
from reentry.domain.second_read import AckOutcome, Verdict
from reentry.entry import service
from reentry.second_read.crosscheck import confirm_as_typed, cross_check
from reentry.sheets.policy import set_mode
from ui.language import switch_language
from ui.paper_marks import shown_symbol
from ui.progress_view import WARD_COLUMNS, ProgressDialog
from ui.reentry_window import ReentryWindow

pytestmark = [pytest.mark.qt]

LATER = NOW + timedelta(hours=1)
WRITTEN_RATE, TYPED_RATE = PAPER[1]["heart_rate"], TYPED[1]["heart_rate"]  # the planted one
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    return build(tmp_path_factory.mktemp("paper_ui"))


@pytest.fixture
def db(ward, db_path):
    shutil.copy(ward.db, db_path)
    return db_path


@pytest.fixture
def window(qtbot, db):
    return signed_in(qtbot, ReentryWindow(db, now=lambda: LATER, beep=lambda: None))


def opened(qtbot, window, sheet):
    """The sheet scanned; its page is read off the GUI thread and the marks come once read."""
    screen = window.entry
    with qtbot.waitSignal(screen.paper.changed, timeout=30_000):
        scan(qtbot, window, sheet.code(1))
        assert screen.paper.reading and not screen.paper.open_cells()  # the screen is not held
    return screen


def cell(screen, row_index, field_id):
    row = next(r for r in screen.rows if r.section.id != "header" and r.row_index == row_index
               and field_id in r.cells)
    return row.cells[field_id]


def marked(screen):
    return {(row.row_index, field_id): shown_symbol(c) for row in screen.rows
            for field_id, c in row.cells.items() if shown_symbol(c)}


def test_the_disagreements_show_on_their_cells_and_nowhere_else(qtbot, window, ward):
    screen = opened(qtbot, window, ward.vitals)
    assert marked(screen) == {(1, "heart_rate"): "≠", (2, "spo2"): "+",
                              (3, "respiratory_rate"): "∅", (3, "pain"): "≠"}
    rate, spo2 = cell(screen, 1, "heart_rate"), cell(screen, 2, "spo2")
    breathing = cell(screen, 3, "respiratory_rate")
    assert rate.accessibleDescription() == f"Le papier semble indiquer {WRITTEN_RATE}"
    assert f"Le papier semble indiquer {WRITTEN_RATE}" in rate.toolTip()
    assert rate.text() == TYPED_RATE and spo2.text() == ""  # shown beside, never typed in
    assert "Écrit sur le papier, non saisi" in spo2.toolTip()
    assert "Saisi, mais rien n'est écrit sur le papier" in breathing.toolTip()
    assert "heart_rate" not in rate.toolTip() and "readings" not in rate.toolTip()
    pain = next(f for f in screen.paper.check.fields if f.key == SHORT_PAIN)
    assert cell(screen, 3, "pain").accessibleDescription() == (
        "Le papier semble indiquer 10" if pain.reading.value is not None  # read whole
        else f"Le papier ne semble pas indiquer 1 (lu : {pain.reading.text})")  # in part
    assert "4 désaccord(s)" in screen.notice_text()
    verdicts = {(f.key.row_index or 0, f.key.field_id): f.verdict  # the date: its own row 0
                for f in screen.paper.check.fields}
    assert verdicts[(0, "date")] in (Verdict.AGREES, Verdict.UNSURE)  # read in its comb
    for (row_index, field_id), verdict in verdicts.items():
        if verdict is Verdict.AGREES:  # nothing to say
            assert cell(screen, row_index, field_id).accessibleDescription() == ""
        if verdict is Verdict.UNSURE:  # discreet: no mark, a word in the tooltip
            unsure = cell(screen, row_index, field_id)
            assert shown_symbol(unsure) is None and "Lecture incertaine" in unsure.toolTip()
    assert Verdict.AGREES in verdicts.values()
    switch_language("en")
    qtbot.waitUntil(lambda: f"The paper seems to say {WRITTEN_RATE}" in rate.toolTip())
    assert "Written on the paper, not typed" in spo2.toolTip()


def test_the_medication_record_shows_the_box_ticked_on_paper(qtbot, window, ward):
    screen = opened(qtbot, window, ward.mar)
    assert marked(screen) == {(REFUSED_DOSE.row_index, "status"): "≠"}
    status = cell(screen, REFUSED_DOSE.row_index, "status")
    assert status.accessibleDescription() == "Le papier semble indiquer refusé"
    assert status.text() == "non administré"


def test_f8_frames_the_box_beside_and_f7_keeps_what_is_typed(qtbot, window, ward, stored):
    screen = opened(qtbot, window, ward.vitals)
    view = screen.scan_panel.page_view
    qtbot.waitUntil(view.has_image)
    assert view.shown_area() is None and screen.help_or_problems.currentWidget() \
        is screen.keys_help
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    rate = cell(screen, 1, "heart_rate")
    assert focused() is rate
    area = view.shown_area()
    assert area == screen.paper.areas[DIFFERENT_RATE] and view.frame.isVisible()
    assert not view.fits_width()
    assert view.canvas.viewport().rect().contains(view.canvas.mapFromScene(area.center()))
    assert screen.help_or_problems.currentWidget() is screen.paper.bar
    assert f"Le papier semble indiquer {WRITTEN_RATE}" in screen.paper.bar.text.text()
    assert "F4" in screen.paper.bar.text.text()  # a saved row is corrected with F4
    qtbot.keyClick(rate, Qt.Key.Key_F7)
    (ack,) = [a for a in stored.acknowledgements(ward.vitals.serial) if a.key == DIFFERENT_RATE]
    assert (ack.outcome, ack.username, ack.typed_value) == (AckOutcome.CONFIRMED, "mdupont",
                                                            TYPED_RATE)
    assert shown_symbol(rate) is None and rate.text() == TYPED_RATE
    assert "vérifié par mdupont" in rate.toolTip()
    assert view.shown_area() is None and view.fits_width()
    assert set(marked(screen)) == {(2, "spo2"), (3, "respiratory_rate"), (3, "pain")}
    qtbot.keyClick(rate, Qt.Key.Key_F8)
    assert focused() is cell(screen, 2, "spo2")
    assert view.shown_area() == screen.paper.areas[UNTYPED_SPO2]


def test_a_correction_typed_takes_the_mark_away(qtbot, window, ward, stored):
    screen = opened(qtbot, window, ward.vitals)
    spo2 = cell(screen, 2, "spo2")
    row = spo2.owner
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    assert focused() is spo2
    qtbot.keyClick(spo2, Qt.Key.Key_F4)  # correct the saved row
    qtbot.mouseClick(spo2, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(spo2, "95")
    qtbot.keyClicks(row.reason, "SpO2 vue sur le papier")
    qtbot.keyClick(row.reason, Qt.Key.Key_S, CTRL)
    assert row.saved and spo2.text() == "95"
    assert shown_symbol(spo2) is None
    (ack,) = [a for a in stored.acknowledgements(ward.vitals.serial) if a.key == UNTYPED_SPO2]
    assert ack.outcome is AckOutcome.CORRECTED
    assert set(marked(screen)) == {(1, "heart_rate"), (3, "respiratory_rate"), (3, "pain")}


def test_finishing_with_a_field_written_and_not_typed_asks_the_reason(qtbot, window, ward,
                                                                      stored):
    screen = opened(qtbot, window, ward.vitals)
    serial = ward.vitals.serial
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    dialog = screen.finish_dialog
    assert dialog is not None and dialog.isVisible()
    (listed,) = dialog.field_texts()
    assert "Saturation en oxygène (SpO2)" in listed and "ligne 3, 16:00" in listed
    assert "spo2" not in listed and not dialog.finish_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert screen.context is not None and focused() is cell(screen, 2, "spo2")
    assert stored.finish_reasons(serial) == []
    assert not [e for e in stored.sheet_events(serial) if e["action"] == "entered"]
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    dialog = screen.finish_dialog
    qtbot.keyClicks(dialog.reason_edit, "chiffre illisible sur le papier")
    with qtbot.waitSignal(screen.sheet_finished):
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    (kept,) = stored.finish_reasons(serial)
    assert kept["reason"] == "chiffre illisible sur le papier" and kept["username"] == "mdupont"
    assert kept["fields"] == [{"section": VITALS, "row": 2, "field": "spo2", "page": 1}]
    assert screen.context is None


def test_progress_counts_the_sheets_left_in_disagreement(qtbot, db, ward, stored):
    dialog = ProgressDialog(db)
    qtbot.addWidget(dialog)
    column = WARD_COLUMNS.index("disagreements")
    with qtbot.waitSignal(dialog.refreshed, timeout=20_000):
        dialog.refresh()
    sheets = [s for s in (ward.vitals, ward.mar, ward.notes)
              if cross_check(stored, s.serial).open]  # as the core counts them
    assert ward.vitals in sheets and ward.mar in sheets
    assert dialog.wards_table.rowCount() == 1
    assert dialog.wards_table.item(0, column).text() == str(len(sheets))
    header = dialog.wards_table.horizontalHeaderItem(column)
    assert header.text() == "Désaccords\npapier / saisie"  # on two lines: 1,240 px wide too
    assert "personne n'a encore vérifié" in header.toolTip()
    confirm_as_typed(stored, nurse_of(stored), ward.mar.serial, REFUSED_DOSE)
    with qtbot.waitSignal(dialog.refreshed, timeout=20_000):
        dialog.refresh()
    assert dialog.wards_table.item(0, column).text() == str(len(sheets) - 1)


def test_the_notes_page_says_what_the_machine_could_do_with_it(qtbot, window, ward, stored):
    """Its corner marks were cut off: named as unreadable (to rescan). If the reader still
    finds them: a line written and not typed yet is still to type, not marked, until a later
    line is saved (it was passed over, a note's cell is marked too) or finishing is asked for;
    then each field written and not typed is marked, and cancelling goes back to the first."""
    check = cross_check(stored, ward.notes.serial)
    screen = opened(qtbot, window, ward.notes)
    if check.unreadable_pages:
        assert "repères d'angle introuvables" in screen.notice_text()
        assert not marked(screen)
        return
    # only the date typed 22/11 where 23/11 is written, on its own row at the top
    assert marked(screen) == {(0, "date"): "≠"} and check.open_written_not_typed
    skipped = check.open_written_not_typed[-1].key
    later = skipped.row_index + 1
    qtbot.mouseClick(cell(screen, later, "time"), Qt.MouseButton.LeftButton)
    for text in ("23h50", "Dort", "MD"):  # a later line, typed and saved (Enter on the last)
        qtbot.keyClicks(focused(), text)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert cell(screen, later, "time").owner.saved
    assert marked(screen).get((skipped.row_index, skipped.field_id)) == "+"
    check = cross_check(stored, ward.notes.serial)
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    qtbot.mouseClick(screen.finish_dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert set(marked(screen)) == {(f.key.row_index or 0, f.key.field_id) for f in check.open}
    first = check.open_written_not_typed[0].key
    assert focused() is cell(screen, first.row_index, first.field_id)


def test_a_blind_second_entry_is_shown_nothing_of_the_paper_check(qtbot, window, ward, stored):
    """The second typist must not learn what the first one typed: no mark, no reading."""
    service.add_user(stored, "jmartin", "Jean Martin", Role.NURSE)
    set_mode(stored, service.sign_in(stored, "croux"), "vital_signs", "blind")
    screen = opened(qtbot, window, ward.vitals)
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    qtbot.keyClicks(screen.finish_dialog.reason_edit, "chiffre illisible sur le papier")
    with qtbot.waitSignal(screen.sheet_finished):
        qtbot.keyClick(screen.finish_dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_Q, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(window.sign_in_page.name_field.hasFocus)
    type_sign_in(qtbot, window.sign_in_page, "jmartin")
    scan(qtbot, window, ward.vitals.code(1))
    assert screen.mode_banner.isVisible() and "aveugle" in screen.mode_banner.text()
    assert not screen.paper.reading and not marked(screen)
    screen.paper.next_disagreement()  # F8: nowhere to go
    assert screen.scan_panel.page_view.shown_area() is None
    assert screen.help_or_problems.currentWidget() is not screen.paper.bar
