"""The offline viewer driven as a nurse would: clicks and keys on wards, patients, menus.

A small synthetic hospital (2 sites, 3 wards, 8 inpatients) is imported into a real SQLite file;
the window reads it through its own connection, as the application does. Time is injected, never
waited for.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from qt_windows import loaded

from reentry.config import Settings
from reentry.errors import DatabaseLocked
from reentry.model import (
    Allergy,
    IdentityStatus,
    ImportBatch,
    Movement,
    MovementKind,
    Note,
    Observation,
    Patient,
    PatientKey,
    Prescription,
    Sex,
    Site,
    Stay,
    Ward,
)
from reentry.store import open_store
from ui.app import parse_args, settings_from
from ui.errors import ErrorReporter
from ui.main_window import MainWindow

pytestmark = [
    pytest.mark.qt,
    pytest.mark.qt_log_level_fail("WARNING"),
    # The offscreen platform plugin itself warns when a window has size constraints.
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints", extend=True),
]

AS_OF = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 14:00 in Paris
SETTINGS = Settings(language="fr", stale_after_hours=4.0, dossier_hours=24.0)

# ipp, birth name, used name, given names, sex, birth date, ward, room, bed
INPATIENTS = [
    ("100001", "MARTIN", "DUPONT", "Marie Claire", Sex.FEMALE, date(1945, 3, 12), "CARD", "10",
     "A"),
    ("100002", "LEROY", None, "Jean", Sex.MALE, date(1960, 5, 2), "CARD", "2", "A"),
    ("100003", "BERNARD", None, "Paul", Sex.MALE, date(1938, 1, 30), "CARD", "2", "B"),
    ("100004", "PETIT", None, "Lucie", Sex.FEMALE, date(1990, 8, 17), "CARD", "10", "B"),
    ("100005", "ROUX", None, "Alain", Sex.MALE, date(1952, 12, 1), "PNEU", "1", "10"),
    ("100006", "MOREL", None, "Sophie", Sex.FEMALE, date(1971, 4, 9), "PNEU", "1", "2"),
    ("100007", "FOURNIER", "GIRARD", "Emma", Sex.FEMALE, date(1994, 6, 21), "MAT", "5", "1"),
    ("100008", "GIRARD", None, "Léo", Sex.MALE, date(2026, 11, 20), "MAT", "5", "2"),
]
DUPONT = PatientKey("100001")


def hospital_batch(as_of: datetime = AS_OF, content_hash: str = "viewer-test") -> ImportBatch:
    """Everything a census file might say about a tiny synthetic hospital."""
    batch = ImportBatch("viewer-test.csv", "csv", content_hash, as_of)
    batch.sites += [Site("N", "Hôpital Nord"), Site("S", "Hôpital Sud")]
    batch.wards += [Ward("CARD", "Cardiologie", "N"), Ward("PNEU", "Pneumologie", "N"),
                    Ward("MAT", "Maternité", "S")]
    for ipp, birth, used, given, sex, born, ward, room, bed in INPATIENTS:
        status = IdentityStatus.PROV if ipp == "100008" else IdentityStatus.VALI
        ins = "279035121518989" if ipp == "100001" else None
        batch.patients.append(Patient(ipp, ins, status, birth, used, given, born, sex))
        batch.stays.append(Stay(f"NDA{ipp}", PatientKey(ipp)))
        batch.movements.append(Movement(f"m{ipp}", f"NDA{ipp}", MovementKind.ADMISSION,
                                        as_of - timedelta(days=2), ward, room, bed))
    batch.allergies += [
        Allergy("al1", DUPONT, "Pénicilline", reaction="urticaire", severity="severe"),
        Allergy("al2", DUPONT, "Iode"),
    ]
    batch.prescriptions += [
        Prescription("rx1", DUPONT, "paracétamol", "NDA100001", 1.0, "g", "PO",
                     ("06:00", "12:00", "18:00")),
        Prescription("rx2", DUPONT, "enoxaparine", "NDA100001", 4000.0, "[iU]", "SC", ("20:00",)),
    ]
    recent, earlier, old = (as_of - timedelta(hours=h) for h in (2, 6, 30))
    batch.observations += [
        Observation("ob1", DUPONT, "8867-4", "Heart rate", recent, value=72, unit="/min"),
        Observation("ob2", DUPONT, "8480-6", "Systolic BP", recent, value=135, unit="mm[Hg]"),
        Observation("ob3", DUPONT, "8462-4", "Diastolic BP", recent, value=80, unit="mm[Hg]"),
        Observation("ob4", DUPONT, "8310-5", "Body temperature", recent, value=37.5, unit="Cel"),
        Observation("ob5", DUPONT, "8867-4", "Heart rate", earlier, value=80, unit="/min"),
        Observation("ob6", DUPONT, "8310-5", "Body temperature", old, value=39.2, unit="Cel"),
    ]
    batch.notes += [
        Note("n1", DUPONT, as_of - timedelta(hours=1), "Patiente calme, douleur 2/10.",
             author="IDE Bernard"),
        Note("n2", DUPONT, as_of - timedelta(hours=40), "Note trop ancienne pour l'écran."),
    ]
    return batch


class FakeClock:
    """A clock the test moves forward instead of sleeping."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def hospital(store):
    store.apply_import(hospital_batch())
    return store


@pytest.fixture
def open_window(qtbot, db_path):
    """Build, show and load the main window the way ``reentry-app`` does."""

    def build(*, clock: FakeClock | None = None, settings: Settings = SETTINGS,
              interval_ms: int = 60_000, open_db=None) -> MainWindow:
        clock = clock or FakeClock(AS_OF + timedelta(hours=1))
        extra = {"open_db": open_db} if open_db is not None else {}
        window = MainWindow(db_path, settings, now=clock.now, check_interval_ms=interval_ms,
                            **extra)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.windowHandle().requestActivate()  # keyboard shortcuts go to the active window
        qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is window.windowHandle())
        loaded(qtbot, window)
        return window

    return build


def click_item(qtbot, tree: QTreeWidget, item: QTreeWidgetItem) -> None:
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def ward_item(window: MainWindow, label_start: str) -> QTreeWidgetItem:
    tree = window.wards
    for site_index in range(tree.topLevelItemCount()):
        site = tree.topLevelItem(site_index)
        for index in range(site.childCount()):
            if site.child(index).text(0).startswith(label_start):
                return site.child(index)
    raise AssertionError(f"no ward {label_start!r} in the tree")


def click_ward(qtbot, window: MainWindow, label_start: str) -> None:
    """Click a ward and wait for its patients, read off the GUI thread."""
    with qtbot.waitSignal(window.census_loaded):
        click_item(qtbot, window.wards, ward_item(window, label_start))


def census_rows(window: MainWindow) -> list[list[str]]:
    tree = window.census
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
            for i in range(tree.topLevelItemCount())]


def open_patient(qtbot, window: MainWindow, ward: str, ipp: str) -> None:
    click_ward(qtbot, window, ward)
    tree = window.census
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(4) == ipp)
    click_item(qtbot, tree, item)
    qtbot.waitUntil(lambda: window.dossier.banner.value_text("ipp") == ipp)


# -- navigation --------------------------------------------------------------------------------


def test_tree_lists_sites_and_wards_with_their_patient_counts(hospital, open_window):
    window = open_window()
    tree = window.wards
    sites = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert [s.text(0) for s in sites] == ["Hôpital Nord", "Hôpital Sud"]
    assert [sites[0].child(i).text(0) for i in range(sites[0].childCount())] == [
        "Cardiologie (4)", "Pneumologie (2)"]
    assert sites[1].child(0).text(0) == "Maternité (2)"
    assert window.dossier.placeholder_text() == "Choisissez une unité, puis un patient."


def test_site_then_ward_then_patient_shows_that_patients_dossier(qtbot, hospital, open_window):
    window = open_window()
    click_item(qtbot, window.wards, window.wards.topLevelItem(0))  # a site: no patients yet
    assert census_rows(window) == []
    click_ward(qtbot, window, "Cardiologie")
    qtbot.waitUntil(lambda: len(census_rows(window)) == 4)
    dupont = next(i for i, row in enumerate(census_rows(window)) if row[4] == "100001")
    click_item(qtbot, window.census, window.census.topLevelItem(dupont))

    banner = window.dossier.banner
    qtbot.waitUntil(lambda: banner.value_text("ipp") == "100001")
    assert banner.name_text() == "DUPONT née MARTIN Marie Claire"
    assert banner.value_text("birth_name") == "MARTIN"
    assert banner.value_text("used_name") == "DUPONT"
    assert banner.value_text("given_names") == "Marie Claire"
    assert banner.value_text("birth_date") == "12/03/1945 (81 ans)"
    assert banner.value_text("sex") == "Féminin"
    assert banner.value_text("ins") == "279035121518989"
    assert banner.value_text("identity_status") == "Validée"
    assert banner.value_text("nda") == "NDA100001"
    assert banner.value_text("location") == "Hôpital Nord — Cardiologie — ch. 10 lit A"


def test_arrow_keys_move_to_the_next_patient_and_the_dossier_follows(qtbot, hospital,
                                                                      open_window):
    window = open_window()
    click_ward(qtbot, window, "Cardiologie")
    window.census.setFocus()
    click_item(qtbot, window.census, window.census.topLevelItem(0))
    banner = window.dossier.banner
    qtbot.waitUntil(lambda: banner.value_text("ipp") == "100002")  # ch. 2 lit A
    qtbot.keyClick(window.census, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: banner.value_text("ipp") == "100003")  # ch. 2 lit B
    assert banner.name_text() == "BERNARD Paul"
    assert banner.value_text("ins") == ""
    assert not window.dossier.banner.findChild(object, "identity_ins").isVisibleTo(banner)


def test_keyboard_alone_goes_from_ward_to_patient(qtbot, hospital, open_window):
    window = open_window()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.wards.hasFocus)
    qtbot.keyClick(window.wards, Qt.Key.Key_Down)  # Hôpital Nord
    qtbot.keyClick(window.wards, Qt.Key.Key_Down)  # Cardiologie
    qtbot.waitUntil(lambda: len(census_rows(window)) == 4)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.census.hasFocus)
    qtbot.keyClick(window.census, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.dossier.banner.value_text("ipp") == "100002")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.dossier.scroll_area.hasFocus)


def test_the_ward_tree_follows_arrow_keys_across_sites(qtbot, hospital, open_window):
    window = open_window()
    window.wards.setFocus()
    window.wards.setCurrentItem(window.wards.topLevelItem(1))  # Hôpital Sud
    qtbot.keyClick(window.wards, Qt.Key.Key_Down)  # → Maternité
    qtbot.waitUntil(lambda: len(census_rows(window)) == 2)
    assert [row[4] for row in census_rows(window)] == ["100007", "100008"]


def test_changing_ward_clears_the_dossier_of_the_previous_patient(qtbot, hospital, open_window):
    window = open_window()
    open_patient(qtbot, window, "Cardiologie", "100001")
    click_ward(qtbot, window, "Pneumologie")
    qtbot.waitUntil(lambda: window.dossier.patient_id is None)
    assert window.dossier.banner.value_text("ipp") == ""


def test_patients_are_listed_in_room_then_natural_bed_order(qtbot, hospital, open_window):
    window = open_window()
    click_ward(qtbot, window, "Cardiologie")
    qtbot.waitUntil(lambda: len(census_rows(window)) == 4)
    assert [row[:2] for row in census_rows(window)] == [["2", "A"], ["2", "B"], ["10", "A"],
                                                        ["10", "B"]]
    assert census_rows(window)[2] == ["10", "A", "DUPONT née MARTIN Marie Claire", "12/03/1945",
                                      "100001"]
    click_ward(qtbot, window, "Pneumologie")
    qtbot.waitUntil(lambda: len(census_rows(window)) == 2)
    assert [(row[1], row[4]) for row in census_rows(window)] == [("2", "100006"),
                                                                  ("10", "100005")]


# -- dossier content ---------------------------------------------------------------------------


def test_allergies_are_listed_in_the_red_box(qtbot, hospital, open_window):
    window = open_window()
    open_patient(qtbot, window, "Cardiologie", "100001")
    box = window.dossier.allergies
    assert box.title_text() == "Allergies (2)"
    assert box.content_text().splitlines() == ["• Iode", "• Pénicilline : urticaire (sévère)"]
    assert "border: 3px solid" in box.styleSheet()


def test_a_patient_without_recorded_allergy_says_none_is_recorded_at_the_datas_date(
        qtbot, hospital, open_window):
    """What the SIH export says, not more: none recorded as of its date, never "none known"."""
    window = open_window()
    open_patient(qtbot, window, "Cardiologie", "100002")
    box = window.dossier.allergies
    assert box.title_text() == "Allergies"
    assert box.content_text() == (
        "Aucune allergie enregistrée dans le SIH au 23/11/2026 14:00 (UTC+01:00).")
    assert "connue" not in box.content_text()


def test_prescriptions_vitals_and_notes_of_the_last_hours(qtbot, hospital, open_window):
    window = open_window()
    open_patient(qtbot, window, "Cardiologie", "100001")
    dossier = window.dossier

    table = dossier.prescriptions
    assert table.header_texts() == ["Médicament", "Dose", "Unité", "Voie", "Horaires"]
    assert [[table.cell_text(r, c) for c in range(5)] for r in range(table.rowCount())] == [
        ["enoxaparine", "4000", "UI", "SC", "20:00"],
        ["paracétamol", "1", "g", "PO", "06:00, 12:00, 18:00"],
    ]

    vitals = dossier.vitals
    assert vitals.header_texts() == ["Date et heure", "PA", "FC", "T°"]  # as on the paper chart
    rows = [[vitals.cell_text(r, c) for c in range(4)] for r in range(vitals.rowCount())]
    assert rows == [["23/11/2026 12:00", "135/80 mmHg", "72/min", "37,5 °C"],
                    ["23/11/2026 08:00", "", "80/min", ""]]  # the 30-hour-old 39,2 °C is out
    assert dossier.section_title("vitals") == "Constantes des 24 heures précédant les données"

    assert dossier.notes.note_texts() == ["Patiente calme, douleur 2/10."]
    heading = dossier.notes.findChild(object, "note_heading")
    assert heading.text() == "23/11/2026 13:00 — IDE Bernard"


def test_a_patient_without_treatment_vitals_or_notes_says_so(qtbot, hospital, open_window):
    window = open_window()
    open_patient(qtbot, window, "Maternité", "100008")
    dossier = window.dossier
    assert dossier.banner.value_text("birth_date") == "20/11/2026 (3 jours)"
    assert dossier.banner.value_text("identity_status") == "Provisoire"
    for name, text in (("prescriptions", "Aucune prescription active"),
                       ("vitals", "Aucune constante"), ("notes", "Aucune note")):
        empty = dossier.findChild(object, f"{name}_empty")
        assert empty.isVisibleTo(dossier) and empty.text().startswith(text)


def test_the_banner_stays_in_view_while_the_dossier_scrolls(qtbot, hospital, open_window):
    window = open_window()
    open_patient(qtbot, window, "Cardiologie", "100001")
    dossier = window.dossier
    assert not dossier.scroll_area.widget().isAncestorOf(dossier.banner)
    before = dossier.banner.mapTo(window, dossier.banner.rect().topLeft())
    dossier.scroll_area.setFocus()
    qtbot.keyClick(dossier.scroll_area, Qt.Key.Key_End)
    assert dossier.banner.mapTo(window, dossier.banner.rect().topLeft()) == before


# -- data as of and staleness ------------------------------------------------------------------


def test_data_as_of_is_shown_and_not_a_warning_while_fresh(hospital, open_window):
    window = open_window(clock=FakeClock(AS_OF + timedelta(hours=3)))
    assert window.status.text() == "Données du 23/11/2026 14:00 (UTC+01:00)"
    assert not window.status.is_stale


def test_old_data_shows_a_warning(hospital, open_window):
    window = open_window(clock=FakeClock(AS_OF + timedelta(hours=6, minutes=10)))
    assert window.status.is_stale
    assert window.status.text() == (
        "⚠ Données anciennes de 6 h, datées du 23/11/2026 14:00 (UTC+01:00) :"
        " vérifiez avec le dossier papier.")


def test_the_threshold_comes_from_the_settings(hospital, open_window):
    clock = FakeClock(AS_OF + timedelta(hours=6))
    window = open_window(clock=clock, settings=Settings(stale_after_hours=8.0))
    assert not window.status.is_stale


def test_the_warning_appears_while_the_application_is_open(qtbot, hospital, open_window):
    clock = FakeClock(AS_OF + timedelta(hours=3, minutes=59))
    window = open_window(clock=clock, interval_ms=10)
    assert not window.status.is_stale
    clock.at = AS_OF + timedelta(hours=4, minutes=1)
    qtbot.waitUntil(lambda: window.status.is_stale)
    assert "Données anciennes de 4 h" in window.status.text()


def test_a_newer_snapshot_is_picked_up_without_losing_the_patient(qtbot, db_path, hospital,
                                                                   open_window):
    clock = FakeClock(AS_OF + timedelta(hours=5))
    window = open_window(clock=clock, interval_ms=10)
    assert window.status.is_stale
    open_patient(qtbot, window, "Cardiologie", "100001")
    hospital.apply_import(hospital_batch(AS_OF + timedelta(hours=4), content_hash="newer"))
    qtbot.waitUntil(lambda: not window.status.is_stale)
    assert window.status.text() == "Données du 23/11/2026 18:00 (UTC+01:00)"
    qtbot.waitUntil(lambda: window.dossier.banner.value_text("ipp") == "100001")  # read again
    assert "Nouvelles données chargées" in window.statusBar().currentMessage()


def test_stale_after_option_overrides_the_settings():
    args = parse_args(["--stale-after", "2,5", "--lang", "en", "--db", "x.sqlite"])
    settings = settings_from(args, Settings(stale_after_hours=4.0, language="fr"))
    assert settings.stale_after_hours == 2.5 and settings.language == "en"
    assert settings_from(parse_args([]), Settings(language="de")).language == "fr"
    with pytest.raises(SystemExit):
        parse_args(["--stale-after", "-1"])


# -- language ----------------------------------------------------------------------------------


def test_language_switch_retranslates_what_is_on_screen_and_back(qtbot, hospital, open_window):
    window = open_window()
    open_patient(qtbot, window, "Cardiologie", "100002")
    assert window.file_menu.title() == "&Fichier"

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File")
    qtbot.waitUntil(lambda: window.census.headerItem().text(0) == "Room")
    assert window.language_actions["en"].isChecked()
    assert window.windowTitle() == "Reentry — offline dossier viewer"
    assert window.wards.headerItem().text(0) == "Wards"
    assert window.status.text() == "Data as of 23/11/2026 14:00 (UTC+01:00)"
    banner = window.dossier.banner
    assert banner.findChild(object, "identity_birth_name_caption").text() == "Birth name"
    assert banner.value_text("sex") == "Male"
    assert window.dossier.allergies.content_text() == (
        "No allergy recorded in the SIH as of 23/11/2026 14:00 (UTC+01:00).")
    assert window.dossier.section_title("prescriptions") == "Current treatments"
    assert banner.value_text("ipp") == "100002"  # still the same patient

    window.language_actions["fr"].trigger()
    qtbot.waitUntil(lambda: window.file_menu.title() == "&Fichier")
    qtbot.waitUntil(lambda: banner.value_text("sex") == "Masculin")
    assert window.census.headerItem().text(0) == "Ch."


# -- empty and broken databases ----------------------------------------------------------------


def test_an_empty_database_explains_how_to_get_data(db_path, open_window):
    open_store(db_path).close()  # as « reentry db init » leaves it
    window = open_window()
    text = window.message_text()
    assert text is not None and str(db_path) in text
    assert "import FICHIER" in text and "demo" in text
    assert window.status.text() == "Aucune donnée importée"
    assert not window.status.is_stale


def test_after_an_import_f5_shows_the_wards(qtbot, store, open_window):
    window = open_window()
    assert window.message_text() is not None
    store.apply_import(hospital_batch())
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.message_text() is None)
    assert window.wards.topLevelItemCount() == 2
    assert window.status.text() == "Données du 23/11/2026 14:00 (UTC+01:00)"


def test_a_database_from_a_newer_version_is_explained_not_crashed_on(db_path, open_window,
                                                                      message_boxes, qtbot):
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('reentry', '9999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    window = open_window()
    qtbot.waitUntil(lambda: len(message_boxes()) == 1)
    (box,) = message_boxes()
    assert "version plus récente de Reentry" in box.text()
    assert str(db_path) in box.text()
    assert window.store is None
    assert "version plus récente" in (window.message_text() or "")
    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: "newer version" in (window.message_text() or ""))


class LockedWhenReadingDossiers:
    """A store whose dossier reads fail as when another program holds the database."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def dossier(self, patient_id, since=None):
        raise DatabaseLocked(path="reentry.sqlite")


def test_a_locked_database_shows_its_message_and_no_dossier(qtbot, hospital, open_window,
                                                           message_boxes):
    window = open_window(open_db=lambda path: LockedWhenReadingDossiers(open_store(path)))
    click_ward(qtbot, window, "Cardiologie")
    click_item(qtbot, window.census, window.census.topLevelItem(0))
    qtbot.waitUntil(lambda: len(message_boxes()) == 1)
    assert "verrouillée" in message_boxes()[0].text()
    assert window.dossier.patient_id is None
    assert window.dossier.banner.value_text("ipp") == ""


def test_a_bug_gets_a_crash_log_without_patient_data_and_a_dialog(tmp_path, message_boxes,
                                                                   qtbot):
    reporter = ErrorReporter(tmp_path / "logs")
    name, ipp = "DUPONT née MARTIN", "100001"
    try:
        raise ValueError(f"patient {name}, IPP {ipp}")  # a message a careless bug might carry
    except ValueError as error:
        reporter(type(error), error, error.__traceback__)
    log = reporter.last_log
    assert log is not None and log.parent == tmp_path / "logs"
    text = log.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "test_ui_viewer.py" in text
    assert "DUPONT" not in text and "100001" not in text
    qtbot.waitUntil(lambda: len(message_boxes()) == 1)
    assert str(log) in message_boxes()[0].text()


def test_a_user_error_reaching_the_hook_is_a_message_not_a_crash(tmp_path, message_boxes, qtbot):
    reporter = ErrorReporter(tmp_path / "logs")
    error = DatabaseLocked(path="reentry.sqlite")
    reporter(type(error), error, None)
    qtbot.waitUntil(lambda: len(message_boxes()) == 1)
    assert message_boxes()[0].text() == error.message()
    assert reporter.last_log is None and not (tmp_path / "logs").exists()
