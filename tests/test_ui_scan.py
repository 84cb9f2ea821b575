"""Scanning sheets in the re-entry window, as a keyboard-wedge scanner and a nurse would.

Real sheets are printed from the demo hospital into a real SQLite file; the window opens its own
connection. A scan is a burst of key presses sent in a tight loop, then Enter; a nurse's typing
is ``qtbot.keyClicks`` with a delay between keys.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from qt_windows import at_sign_in, burst, scan, type_sign_in

from reentry.barcodes import group_for_reading, page_code
from reentry.entry import service
from reentry.store import open_store
from ui.reentry_window import ReentryWindow
from ui.scan import ScanCapture, ScanSettings

pytestmark = [pytest.mark.qt]

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TYPING_DELAY_MS = 60  # slower than any scanner


@pytest.fixture
def window(qtbot, db_path, sheets):
    beeps: list[int] = []
    widget = ReentryWindow(db_path, now=lambda: NOW, beep=lambda: beeps.append(1))
    widget.beeps = beeps
    return at_sign_in(qtbot, widget)


def sheet(sheets, template):
    return next(s for s in sheets if s.template_id == template and s.patient_id)


def sign_in(qtbot, window):
    type_sign_in(qtbot, window.sign_in_page, "mdupont")
    assert window.user is not None and window.user.username == "mdupont"


def test_a_scan_in_the_code_field_opens_the_sheet_without_typing_in_it(qtbot, window, sheets):
    sign_in(qtbot, window)
    field = window.code_bar.field
    qtbot.waitUntil(field.hasFocus)
    vitals = sheet(sheets, "vital_signs")
    scan(qtbot, window, vitals.code(1))
    assert field.text() == ""
    assert window.pages.currentWidget() is window.entry
    assert window.entry.context.instance.serial == vitals.serial
    assert window.entry.banner.value_text("ipp") == vitals.ipp
    assert window.refusal_text() is None


def test_a_scan_while_typing_a_value_leaves_the_value_and_opens_the_next_sheet(
        qtbot, window, sheets):
    sign_in(qtbot, window)
    vitals, notes = sheet(sheets, "vital_signs"), sheet(sheets, "nursing_notes")
    scan(qtbot, window, vitals.code(1))
    heart_rate = window.entry.rows[1].cells["heart_rate"]
    heart_rate.setFocus()
    qtbot.keyClicks(heart_rate, "72", delay=TYPING_DELAY_MS)
    qtbot.waitUntil(lambda: heart_rate.text() == "72")
    with qtbot.waitSignal(window.capture.scanned, timeout=2000) as scanned:
        burst(notes.code(1), heart_rate)
        assert heart_rate.text() == "72"  # not one digit of the code landed in the cell
    assert scanned.args == [notes.code(1)]
    assert window.entry.context.instance.serial == notes.serial
    store = open_store(window.db)
    try:  # the cell typed before the scan was kept as a draft of the first sheet
        kept = service.open_sheet(store, vitals.code(1), window.user)
    finally:
        store.close()
    assert kept.draft.rows == {"readings:0": {"heart_rate": "72"}}


def test_digits_typed_by_hand_stay_in_the_field(qtbot, window, sheets):
    sign_in(qtbot, window)
    scan(qtbot, window, sheet(sheets, "vital_signs").code(1))
    scans: list[str] = []
    window.capture.scanned.connect(scans.append)
    systolic = window.entry.rows[1].cells["systolic"]
    systolic.setFocus()
    qtbot.keyClicks(systolic, "120", delay=TYPING_DELAY_MS)
    qtbot.waitUntil(lambda: systolic.text() == "120")
    diastolic = window.entry.rows[1].cells["diastolic"]
    diastolic.setFocus()
    qtbot.keyClicks(diastolic, "80")  # a fast typist: short, so never a code
    qtbot.keyClick(diastolic, Qt.Key.Key_Tab)
    assert diastolic.text() == "80"
    qtbot.wait(100)
    assert scans == [] and systolic.text() == "120"


def test_a_code_with_a_bad_check_digit_is_refused_loudly_and_opens_nothing(
        qtbot, window, sheets):
    sign_in(qtbot, window)
    code = sheet(sheets, "vital_signs").code(1)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    scan(qtbot, window, wrong)
    assert "chiffre de contrôle" in window.refusal_text()
    assert window.code_bar.banner.isVisible()
    assert window.beeps == [1]
    assert window.pages.currentWidget() is window.scan_page
    assert window.entry.context is None
    scan(qtbot, window, code)
    assert window.refusal_text() is None and window.entry.context is not None


def test_a_refused_code_leaves_the_open_sheet_on_screen(qtbot, window, sheets):
    sign_in(qtbot, window)
    vitals = sheet(sheets, "vital_signs")
    scan(qtbot, window, vitals.code(1))
    unknown = page_code(999_999, 1)
    scan(qtbot, window, unknown)
    assert "registre" in window.refusal_text()
    assert window.beeps == [1]
    assert window.entry.context.instance.serial == vitals.serial


def test_a_code_typed_by_hand_opens_the_sheet(qtbot, window, sheets):
    sign_in(qtbot, window)
    notes = sheet(sheets, "nursing_notes")
    scan(qtbot, window, sheet(sheets, "vital_signs").code(1))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    field = window.code_bar.field
    assert field.hasFocus()
    qtbot.keyClicks(field, group_for_reading(notes.code(1)), delay=5)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.entry.context.instance.serial == notes.serial
    assert window.entry.context.form.id == "nursing_notes"


def test_a_badge_scanned_before_signing_in_fills_the_user_name(qtbot, window):
    field = window.sign_in_page.name_field
    scan(qtbot, window, "123456789012")
    assert field.text() == "123456789012"
    assert window.user is None and window.pages.currentWidget() is window.sign_in_page
    assert window.sign_in_page.password_field.hasFocus()  # the badge never replaces it


def test_signing_in_shows_the_user_and_signing_out_hides_the_sheet(qtbot, window, sheets):
    type_sign_in(qtbot, window.sign_in_page, "inconnu")
    assert window.user is None
    assert window.sign_in_page.error.text() == "Nom d'utilisateur ou mot de passe incorrect."
    window.sign_in_page.name_field.clear()
    sign_in(qtbot, window)
    assert window.user_label.text() == "Connecté : Marie Dupont (mdupont)"
    scan(qtbot, window, sheet(sheets, "vital_signs").code(1))
    window.sign_out_button.click()
    assert window.user is None and window.entry.context is None
    assert window.pages.currentWidget() is window.sign_in_page
    assert not window.code_bar.isVisible()


@pytest.mark.parametrize(("settings", "keys"), [
    (ScanSettings(suffix="none"), "000000123014"),
    (ScanSettings(prefix="*"), "*000000123014\r"),
    (ScanSettings(suffix="tab"), "000000123014\t"),
])
def test_scanner_prefix_and_suffix_settings(qtbot, settings, keys):
    host = QWidget()
    field = QLineEdit(host)
    QVBoxLayout(host).addWidget(field)
    qtbot.addWidget(host)
    capture = ScanCapture(host, settings)
    capture.install()
    try:
        with qtbot.waitSignal(capture.scanned, timeout=2000) as scanned:
            for char in keys:
                key = {"\r": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab}.get(char)
                QTest.keyClick(field, key) if key else QTest.keyClick(field, char)
        assert scanned.args == ["000000123014"] and field.text() == ""
    finally:
        capture.remove()


def test_scanner_settings_are_read_from_the_application_settings():
    class Custom:
        scan_max_interval_ms = 20
        scan_prefix = "]C0"
        scan_suffix = "tab"

    read = ScanSettings.from_settings(Custom())
    assert (read.max_interval_ms, read.prefix, read.min_digits) == (20, "]C0", 12)
    assert read.suffix_keys == {int(Qt.Key.Key_Tab.value)}
    assert ScanSettings.from_settings(object()) == ScanSettings()


def test_the_viewer_opens_the_window_with_one_call(qtbot, db_path, sheets):
    from ui.reentry_window import open_reentry_window

    window = open_reentry_window(db_path)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Reentry — ressaisie des feuilles papier"
    assert window.pages.currentWidget() is window.sign_in_page
