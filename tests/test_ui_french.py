"""French throughout: Qt's own buttons and dialogs, and numbers written with a decimal comma on
screens, printed pages and command-line messages (issue 13, item 13)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pdfcheck
import pytest
from cli_passwords import ENV, give_passwords
from click.testing import CliRunner
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
)
from qt_windows import print_station

from reentry import i18n
from reentry.cli import cli
from reentry.config import Settings
from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.formdefs import load_forms
from reentry.i18n import format_number, tr
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.render import render_ward
from reentry.store import open_store
from ui.app import prepare_application
from ui.language import switch_language

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def app_font(qapp):
    """``prepare_application`` enlarges the application font: give the next tests theirs back."""
    font = qapp.font()
    yield
    qapp.setFont(font)


@pytest.fixture
def hospital(db_path):
    store = open_store(db_path)
    create_demo(store, patients=10, seed=7, as_of=AS_OF)
    store.close()
    return db_path


# -- Qt's own texts -------------------------------------------------------------------------------


def plain(button) -> str:
    """A button's text without its shortcut marker (« &Annuler » and « Annuler » read the same)."""
    return button.text().replace("&", "")


def test_the_app_starts_with_qt_buttons_in_french(qtbot, app_font):
    prepare_application(Settings(language="fr"))
    box = QMessageBox(QMessageBox.Icon.Question, "Reentry", "?",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert plain(box.button(QMessageBox.StandardButton.Cancel)) == "Annuler"
    assert plain(box.button(QMessageBox.StandardButton.Ok)) == "OK"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close
                               | QDialogButtonBox.StandardButton.Save)
    qtbot.addWidget(buttons)
    assert plain(buttons.button(QDialogButtonBox.StandardButton.Close)) == "Fermer"
    assert plain(buttons.button(QDialogButtonBox.StandardButton.Save)) == "Enregistrer"


def test_the_file_chooser_is_in_french_and_follows_a_language_switch(qtbot, app_font):
    prepare_application(Settings(language="fr"))
    chooser = QFileDialog(None, "Pages")
    chooser.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(chooser)
    texts = {plain(b) for b in chooser.findChildren(QDialogButtonBox)[0].buttons()}
    assert {"Ouvrir", "Annuler"} <= texts, texts
    labels = [plain(label) for label in chooser.findChildren(QLabel) if label.text()]
    assert labels == ["Voir dans :", "Nom de fichier\xa0:", "Fichiers de type :"], labels

    switch_language("en")
    box = QMessageBox(QMessageBox.Icon.Question, "Reentry", "?",
                      QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert plain(box.button(QMessageBox.StandardButton.Cancel)) == "Cancel"


# -- numbers -------------------------------------------------------------------------------------


def test_one_function_writes_numbers_in_the_language():
    assert format_number(8, 2) == "8,00"
    assert format_number(1.0, 2) == "1,00"
    assert format_number(0.84, 1) == "0,8"
    assert format_number(37.5) == "37,5" and format_number(38.0) == "38"
    assert format_number(-0.0001, 2) == "0,00"
    assert format_number(0.8, 1, lang="en") == "0.8"
    # any float handed to a message is written the same way
    assert tr("reports.hours", hours=1.5) == "1,5 h"
    i18n.set_language("en")
    assert format_number(8, 2) == "8.00" and tr("reports.hours", hours=1.5) == "1.5 h"


def test_a_screen_shows_decimal_commas(qtbot, hospital, tmp_path, app_font):
    prepare_application(Settings(language="fr"))
    dialog = print_station(qtbot, hospital, tmp_path / "out", Settings(pages_per_minute=11),
                           printers=lambda: [], now=lambda: AS_OF)
    assert dialog.hours.text() == "8,00"  # the outage window, a spin box with decimals
    minutes = [dialog.table.item(row, 4).text() for row in range(dialog.table.rowCount())]
    assert minutes and all("." not in text for text in minutes)
    assert any(re.fullmatch(r"\d+,\d", text) for text in minutes), minutes

    switch_language("en")
    assert dialog.hours.text() == "8.00"


def test_a_printed_page_shows_decimal_commas(hospital, tmp_path):
    store = open_store(hospital)
    try:
        decimals = next(row.ward for row in store.census()
                        if any(o.value is not None and o.value % 1
                               for o in store.dossier(row.patient.id).observations))
        site = next(s for s in store.sites() if s.code == decimals.site_code)
        ward_print = build_ward_print(store, site, decimals, load_forms(), SerialCounter(),
                                      start=AS_OF, hours=8,
                                      printed_at=AS_OF + timedelta(minutes=20), packets=0,
                                      lang="fr")
    finally:
        store.close()
    pdf = tmp_path / "ward.pdf"
    render_ward(ward_print, pdf)
    dossiers = [text for text in pdfcheck.page_texts(pdf) if "Constantes" in text]
    assert any(re.search(r"\b3\d,\d\b", text) for text in dossiers)  # a temperature
    assert not any(re.search(r"\b3\d\.\d\b", text) for text in dossiers)


def test_a_command_line_message_shows_decimal_commas(hospital, tmp_path):
    store = open_store(hospital)
    store.add_user("imprimeur", "Poste d'impression", Role.NURSE)  # who prints signs in
    store.close()
    give_passwords(hospital)
    result = CliRunner(env=ENV).invoke(cli, ["--db", str(hospital), "print", "--out",
                                             str(tmp_path / "out"), "--admission-packets", "0",
                                             "--user", "imprimeur"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert re.search(r"pages en \d+,\d s\.", result.output), result.output


def test_qt_texts_go_back_to_english_for_the_next_test(qapp):
    """The conftest resets Qt's language after each test (this one runs after the French ones)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Reentry", "?",
                      QMessageBox.StandardButton.Cancel)
    try:
        assert plain(box.button(QMessageBox.StandardButton.Cancel)) == "Cancel"
    finally:
        box.deleteLater()
    assert QApplication.instance() is qapp
