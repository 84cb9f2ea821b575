"""The dossier viewer finds a patient by name, IPP or bed from anywhere (Ctrl+F), and never cuts
a long ward name in the tree (issue 13, item 15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QRect, Qt
from qt_windows import loaded, shown

from reentry import display
from reentry.config import Settings
from reentry.demo import create_demo
from reentry.model import Site, Ward
from reentry.patient_search import PatientIndex
from reentry.store import open_store
from ui.main_window import MainWindow
from ui.patient_search import PatientSearchDialog
from ui.ward_tree import WardTree

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
NOW = AS_OF + timedelta(hours=1)


@pytest.fixture(scope="module")
def hospital(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "reentry.sqlite"
    store = open_store(path)
    create_demo(store, patients=40, seed=3, as_of=AS_OF)
    rows = store.census()
    store.close()
    return path, rows


def _someone(rows, *, in_ward_not_first=True):
    """An inpatient with an IPP and a bed, not on the first ward (so a search must move)."""
    first_ward = rows[0].ward.code
    return next(r for r in rows if r.patient.ipp and r.stay.room and r.stay.bed
                and (r.ward.code != first_ward or not in_ward_not_first))


# -- the rules, without Qt ------------------------------------------------------------------------


def test_a_name_an_ipp_or_a_bed_finds_the_patient(hospital):
    _, rows = hospital
    index = PatientIndex(rows)
    row = _someone(rows)
    patient = row.patient
    surname = patient.used_name or patient.birth_name
    assert row in index.find(surname)
    assert row in index.find(surname.lower())
    assert row in index.find(f"{patient.first_given_name[:3]} {surname[:4]}")  # starts, any order
    assert index.find(patient.ipp)[0] == row  # exact IPP first
    assert row in index.find(patient.ipp[:5])
    for written in (f"{row.stay.room}{row.stay.bed}", f"{row.stay.room} {row.stay.bed}",
                    f"ch {row.stay.room} lit {row.stay.bed.lower()}"):
        found = index.find(written)
        assert row in found and all(r.stay.room == row.stay.room for r in found[:1]), written
    same_room = index.find(row.stay.room)
    assert row in same_room
    assert index.find("") == [] and index.find("zzzqqq") == []


def test_accents_and_case_do_not_matter(hospital):
    _, rows = hospital
    index = PatientIndex(rows)
    accented = next(r for r in rows if any(c in (r.patient.given_names or "") for c in "éèëçï"))
    plain = accented.patient.given_names.upper().translate(str.maketrans("ÉÈËÇÏ", "EEECI"))
    assert accented in index.find(plain)


# -- in the viewer ---------------------------------------------------------------------------------


@pytest.fixture
def viewer(qtbot, hospital):
    window = MainWindow(hospital[0], Settings(), now=lambda: NOW)
    shown(qtbot, window)
    assert loaded(qtbot, window)
    return window


def _search_from(qtbot, window, focus_widget, text):
    """Ctrl+F wherever the focus is, type, Enter: the dossier opens."""
    focus_widget.setFocus()
    qtbot.waitUntil(focus_widget.hasFocus)
    qtbot.keyClick(focus_widget, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(PatientSearchDialog) is not None)
    dialog = window.findChild(PatientSearchDialog)
    qtbot.waitUntil(dialog.field.hasFocus)
    qtbot.keyClicks(dialog.field, text)
    found = dialog.found()
    with qtbot.waitSignal(dialog.patient_chosen):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(PatientSearchDialog) is None)
    return found


@pytest.mark.parametrize("how", ["name", "ipp", "bed"])
def test_ctrl_f_finds_a_patient_from_anywhere_and_opens_the_dossier(qtbot, viewer, hospital, how):
    _, rows = hospital
    row = _someone(rows)
    patient = row.patient
    text = {"name": f"{patient.used_name or patient.birth_name} {patient.first_given_name}",
            "ipp": patient.ipp, "bed": f"{row.stay.room} {row.stay.bed}"}[how]
    start = {"name": viewer.wards, "ipp": viewer.census, "bed": viewer.dossier.scroll_area}[how]
    found = _search_from(qtbot, viewer, start, text)
    assert found[0] == row
    assert viewer.wards.current_ward() == row.ward.code
    qtbot.waitUntil(lambda: viewer.dossier.patient_id == patient.id)  # read off the GUI thread
    assert viewer.census.current_patient_id() == patient.id
    assert display.full_name(patient) in viewer.dossier.banner.name_text()


def test_arrows_choose_among_several_results(qtbot, viewer, hospital):
    _, rows = hospital
    viewer.search_action.trigger()
    dialog = viewer.findChild(PatientSearchDialog)
    qtbot.waitUntil(dialog.field.hasFocus)
    assert str(len(rows)) in dialog.status.text()
    room = next(r.stay.room for r in rows if sum(x.stay.room == r.stay.room for x in rows) > 1)
    qtbot.keyClicks(dialog.field, room)
    assert len(dialog.found()) >= 2
    qtbot.keyClick(dialog.field, Qt.Key.Key_Down)
    second = dialog.found()[1]
    assert dialog.selected_row() == second and dialog.field.hasFocus()
    with qtbot.waitSignal(dialog.patient_chosen):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: viewer.census.current_patient_id() == second.patient.id)


def test_nothing_found_says_so(qtbot, viewer):
    dialog = viewer.open_patient_search()
    dialog.search("Zzyzx")
    assert dialog.found() == [] and "Zzyzx" in dialog.status.text()
    assert dialog.open_selected() is None and dialog.isVisible()


# -- long ward names ---------------------------------------------------------------------------------


def test_a_long_ward_name_wraps_instead_of_being_cut(qtbot):
    tree = WardTree()
    shown(qtbot, tree)
    tree.resize(200, 400)
    long_name = "Soins médicaux et de réadaptation gériatrique polyvalente"
    tree.set_places([Site("S1", "Hôpital Nord")],
                    [Ward("W1", long_name, "S1"), Ward("W2", "Pédiatrie", "S1")],
                    {"W1": 28, "W2": 3})
    qtbot.wait(50)  # the delayed layout of the rows
    item = tree.ward_item("W1")
    text = item.text(0)
    assert text.startswith(long_name)  # the whole name, with its count
    rect = tree.visualItemRect(item)
    needed = tree.fontMetrics().boundingRect(
        QRect(0, 0, rect.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, text)
    assert needed.height() > tree.fontMetrics().height()  # it does need two lines here…
    assert rect.height() >= needed.height()  # …and gets them
    assert long_name in item.toolTip(0)


@pytest.fixture
def ward_pc_font(qapp):
    """The application font the app itself sets (at least 11 pt), as on a ward PC."""
    from ui import theme

    font = qapp.font()
    theme.enlarge_application_font(qapp)
    yield
    qapp.setFont(font)


def test_the_viewer_fits_a_ward_pc_with_every_name_whole(qtbot, hospital, ward_pc_font):
    window = MainWindow(hospital[0], Settings(), now=lambda: NOW)
    window.resize(1366, 740)
    shown(qtbot, window)
    assert loaded(qtbot, window)
    _, rows = hospital
    longest = max(rows, key=lambda r: len(display.full_name(r.patient)))
    window.show_census_row(longest)
    qtbot.waitUntil(lambda: window.census.current_patient_id() == longest.patient.id)
    qtbot.wait(50)  # the delayed layout of the rows
    assert window.minimumSizeHint().width() <= 1366
    assert window.width() <= 1366
    census = window.census
    for index in range(census.topLevelItemCount()):
        item = census.topLevelItem(index)
        rect = census.visualItemRect(item)
        width = census.header().sectionSize(2)
        needed = census.fontMetrics().boundingRect(
            QRect(0, 0, width - 12, 10_000), Qt.TextFlag.TextWordWrap, item.text(2))
        assert rect.height() >= needed.height(), item.text(2)
        assert all(census.fontMetrics().horizontalAdvance(word) <= width - 12
                   for word in item.text(2).split())
    tree = window.wards
    for site in tree.site_items():
        for item in tree.ward_items(site):
            rect = tree.visualItemRect(item)
            assert all(tree.fontMetrics().horizontalAdvance(part) <= rect.width()
                       for part in item.text(0).replace("-", "- ").split()), item.text(0)
