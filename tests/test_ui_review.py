"""The review window driven as the quality team and the identity-vigilance cell drive it: sign in,
filter, read paper and SIH side by side, resolve, decide an identity (real widgets, real store)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from qt_windows import at_sign_in, type_sign_in

from reentry.demo import create_demo
from reentry.domain.entry import RecordRow, Role
from reentry.domain.review import ResolutionReason
from reentry.entry import service as entry_service
from reentry.reconcile_run import run_reconciliation
from reentry.review.record import fold_search
from reentry.store import open_store
from ui.review_flag_model import COLUMNS
from ui.review_identity import CASE_COLUMNS
from ui.review_window import ReviewWindow

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
HEADER = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
IDENTITY_HEADER = ("id,birth_name,used_name,given_names,birth_date,sex,birth_place,address,"
                   "postcode,city,national_id\n")


@pytest.fixture(autouse=True)
def _settings_in_a_folder_of_the_test(tmp_path_factory):
    """Column widths a test leaves behind stay in its own folder, never the user's."""
    folder = str(tmp_path_factory.mktemp("settings"))
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, folder)


def write(path, rows, header=HEADER):
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def reviewed(db_path, tmp_path):
    """A demo census, a run on paper and SIH CSVs for two patients of two wards, two
    temporary identities, and a quality user and an identity-vigilance user."""
    store = open_store(db_path)
    create_demo(store, patients=6, seed=8, as_of=AS_OF)
    census = store.census()
    first = census[0]
    other = next(r for r in census if r.ward.code != first.ward.code)
    a, b = first.patient.ipp, other.patient.ipp
    paper = write(tmp_path / "paper.csv", [
        f"a-hr,{a},,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,",
        f"a-temp,{a},,vital_sign,8310-5,37.5,Cel,,2026-11-23T23:00:00+01:00,AB,",
        f"a-para,{a},,medication_administration,paracétamol,1,g,PO,"
        "2026-11-23T22:00:00+01:00,AB,",
        f"b-hr,{b},,vital_sign,8867-4,80,/min,,2026-11-23T23:30:00+01:00,CD,",
        "t2-hr,PROV-T2,,vital_sign,8867-4,90,/min,,2026-11-23T22:00:00+01:00,EF,"])
    sih = write(tmp_path / "sih.csv", [
        f"s1,{a},,vital_sign,8867-4,72,/min,,2026-11-23T22:05:00+01:00,AB,",
        f"s2,{a},,vital_sign,8310-5,38.5,Cel,,2026-11-23T23:00:00+01:00,AB,"])
    left = write(tmp_path / "left.csv", ["PROV-T2,MARTIN,,Naël,2015-06-01,M,,,,,"],
                 IDENTITY_HEADER)
    right = write(tmp_path / "right.csv", ["900002,MARTIN,,Naël,2015-06-01,M,,,,,",
                                           "900003,MARTIN,,Nahel,2015-06-01,M,,,,,"],
                  IDENTITY_HEADER)
    quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    run_reconciliation(store, [sih], paper, tmp_path / "out", user=quality,
                       identities_left=left, sih_patients=right)
    entry_service.add_user(store, "idv", "Inès Vigilance", Role.IDENTITY_VIGILANCE)
    store.close()
    return db_path, first, other


def open_window(qtbot, db_path, **kwargs):
    return at_sign_in(qtbot, ReviewWindow(db_path, **kwargs))


def sign_in(qtbot, window, name):
    """Type the name and the password, and wait for the flags, read off the GUI thread."""
    window.sign_in_page.name_field.clear()
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        type_sign_in(qtbot, window.sign_in_page, name)
    assert window.user is not None and window.user.username == name


def shown(window, column="patient"):
    model = window.flags.model
    return [model.data(model.index(r, COLUMNS.index(column))) for r in range(model.rowCount())]


def keys(window):
    model = window.flags.model
    return [model.flag(r).item_key for r in range(model.rowCount())]


def test_filter_side_by_side_and_resolve(qtbot, reviewed):
    db_path, first, other = reviewed
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    assert window.run_choice.count() == 1 and "n° 1" in window.run_choice.currentText()
    assert sorted(keys(window)) == ["a-para", "a-temp", "b-hr", "t2-hr"]

    flags = window.flags
    flags.choose(flags.verdict, "differs")
    assert keys(window) == ["a-temp"]
    flags.choose(flags.verdict, None)
    flags.choose(flags.ward, other.ward.code)
    assert keys(window) == ["b-hr"]
    flags.choose(flags.ward, None)
    flags.choose(flags.kind, "medication_administration")
    assert keys(window) == ["a-para"]
    flags.choose(flags.kind, None)
    qtbot.keyClick(flags.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert flags.patient.hasFocus()
    qtbot.keyClicks(flags.patient, fold_search(first.patient.birth_name))  # no accents, no case
    assert sorted(keys(window)) == ["a-para", "a-temp"]
    assert flags.count.text() == "2 écarts affichés sur 4"
    flags.patient.clear()
    qtbot.keyClicks(flags.patient, "prov-t2")
    assert keys(window) == ["t2-hr"]
    flags.patient.clear()

    assert flags.select_key("a-temp")
    detail = flags.detail
    assert first.patient.birth_name.upper() in detail.patient_name.text()
    assert first.patient.ipp in detail.patient_ids.text()
    assert first.patient.birth_date.strftime("%d/%m/%Y") in detail.patient_ids.text()
    assert detail.cell("value", 0) == "37,5" and detail.cell("value", 1) == "38,5"
    assert detail.cell("unit", 0) == detail.cell("unit", 1) == "°C"  # as on paper, not UCUM
    assert detail.deciding_rows() == ["value"]
    assert re.search(r"38[.,]5 °C", detail.reason.text())  # the unit as on paper, not Cel
    assert detail.page_view.placeholder_text() == "pas de page numérisée"
    assert not detail.has_page_image()

    assert flags.select_key("a-para")
    assert detail.cell("code", 1) == "— rien dans le SIH —"

    assert flags.select_key("a-temp")
    detail.choose_reason(ResolutionReason.OTHER)
    qtbot.mouseClick(detail.resolve_button, Qt.MouseButton.LeftButton)
    assert "commentaire" in detail.feedback.text()
    qtbot.keyClicks(detail.comment, "valeur relue sur le scope")
    following = flags.next_open_key("a-temp")
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        qtbot.keyClick(detail.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert following and flags.current_flag().item_key == following  # on to the next one
    assert "Écart résolu (autre" in window.notice_text()
    assert flags.select_key("a-temp")
    assert detail.state.text().startswith("Résolu le") and "qualite" in detail.state.text()
    assert not detail.resolve_button.isEnabled() and detail.reopen_button.isEnabled()
    row = keys(window).index("a-temp")
    assert shown(window, "status")[row] == "résolu : autre (commentaire obligatoire)"
    flags.choose(flags.status, "open")
    assert "a-temp" not in keys(window) and len(keys(window)) == 3

    store = open_store(db_path)
    audit = [a for a in store.audit("review_flag") if a["action"] == "flag_resolved"]
    store.close()
    assert len(audit) == 1 and audit[0]["username"] == "qualite"
    assert json.loads(audit[0]["detail"])["comment"] == "valeur relue sur le scope"


def test_identity_review_refused_for_quality_and_done_by_identity_vigilance(qtbot, reviewed):
    db_path = reviewed[0]
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    tab = window.identities
    window.tabs.setCurrentWidget(tab)
    assert tab.cases.rowCount() == 1 and tab.current_case().left_id == "PROV-T2"
    assert tab.candidates.rowCount() == 2
    tab.select_candidate("900003")
    assert not tab.link_button.isEnabled() and not tab.no_match_button.isEnabled()
    assert tab.rights.isVisible() and "identitovigilance" in tab.rights.text()
    assert not window.link_identity("PROV-T2", "900003", "")  # refused by the core as well
    assert "identitovigilance" in tab.feedback.text()

    qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    sign_in(qtbot, window, "idv")
    window.tabs.setCurrentWidget(tab)
    assert not tab.rights.isVisible()
    tab.select_case("PROV-T2")
    assert tab.cases.item(0, CASE_COLUMNS.index("state")).text() == "à décider"
    tab.select_candidate("900003")
    qtbot.keyClicks(tab.comment, "jumeau, bracelet controle")

    def read_on_the_gui_thread(_run_id):
        raise AssertionError("a run's identity cases read on the GUI thread")

    window.store.identity_cases = read_on_the_gui_thread  # the decision uses the case shown
    with qtbot.waitSignal(window.loaded, timeout=10_000):  # the cases read again off-thread
        qtbot.mouseClick(tab.link_button, Qt.MouseButton.LeftButton)
    assert tab.cases.item(0, CASE_COLUMNS.index("state")).text() == "rattachée par l'identitovigilance"
    assert tab.cases.item(0, CASE_COLUMNS.index("linked_to")).text() == "900003 — MARTIN Nahel"
    assert "idv" in tab.current.text() and "Relancez" in window.notice_text()
    assert tab.undo_button.isEnabled()

    store = open_store(db_path)
    audit = store.audit("identity")
    store.close()
    assert [(a["action"], a["username"]) for a in audit] == [("identity_link", "idv")]
    assert json.loads(audit[0]["detail"])["comment"] == "jumeau, bracelet controle"


def _png() -> bytes:
    image = QImage(60, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_a_flag_from_a_scanned_sheet_shows_its_page(qtbot, sheets, db_path, tmp_path):
    store = open_store(db_path)
    nurse = entry_service.sign_in(store, "mdupont")
    instance = next(s for s in sheets if s.template_id == "vital_signs" and s.patient_id)
    entry_service.open_sheet(store, instance.code(1), nurse)
    entry_service.confirm_identity(store, nurse, instance.serial)
    entry_service.record_row(store, RecordRow(
        instance.serial, 1, "readings", 0, {"time": "23h15", "heart_rate": "72",
                                            "initials": "AB"}, {"date": "23/11/2026"}, nurse))
    sih = write(tmp_path / "sih.csv", [
        f"s1,{instance.ipp},,vital_sign,8310-5,37,Cel,,2026-11-23T23:15:00+01:00,AB,"])
    quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    run_reconciliation(store, [sih], None, tmp_path / "out", user=quality)
    store.close()
    asked = []

    def page_image(serial, page):
        asked.append((serial, page))
        return _png()

    window = open_window(qtbot, db_path, page_image=page_image)
    sign_in(qtbot, window, "qualite")
    (key,) = keys(window)
    assert key.startswith(f"{instance.serial}/readings/0/")
    window.flags.select_key(key)
    assert asked == [(instance.serial, 1)]
    qtbot.waitUntil(window.flags.detail.has_page_image)  # decoded off the GUI thread
    assert window.flags.detail.page_view.fits_width()
    assert window.flags.detail.cell("entered_by", 0) == "mdupont"
    window.close()

    plain = open_window(qtbot, db_path)  # the store's own scans: none imported for this sheet
    sign_in(qtbot, plain, "qualite")
    plain.flags.select_key(key)
    assert not plain.flags.detail.has_page_image()
    assert plain.flags.detail.page_view.placeholder_text() == "pas de page numérisée"


def test_empty_database_and_english(qtbot, db_path):
    from ui.language import switch_language

    store = open_store(db_path)
    entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    store.close()
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    assert "reentry reconcile" in window.notice_text()
    switch_language("en")
    qtbot.waitUntil(lambda: window.windowTitle() == "Reconciliation / quality review")
    assert "reentry reconcile" in window.notice_text() and "No reconciliation" in (
        window.notice_text())


def test_choosing_an_earlier_run_never_shows_the_other_runs_flags_under_its_name(
        qtbot, reviewed, tmp_path):
    db_path, first, _ = reviewed
    newer = write(tmp_path / "sih-2.csv", [  # everything of patient A now in the SIH
        f"s1,{first.patient.ipp},,vital_sign,8867-4,72,/min,,2026-11-23T22:05:00+01:00,AB,",
        f"s2,{first.patient.ipp},,vital_sign,8310-5,37.5,Cel,,2026-11-23T23:00:00+01:00,AB,",
        f"s3,{first.patient.ipp},,medication_administration,Doliprane,1,g,PO,"
        "2026-11-23T22:00:00+01:00,AB,"])
    store = open_store(db_path)
    run_reconciliation(store, [newer], tmp_path / "paper.csv", tmp_path / "out-2",
                       user=store.user_by_name("qualite"))
    store.close()
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    latest = sorted(zip(keys(window), shown(window, "verdict"), strict=True))
    assert window.run_choice.count() == 2 and "n° 2" in window.run_choice.currentText()

    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.choose_run(window.run_choice.itemData(1))
        assert keys(window) == []  # run 2's flags gone at once, before run 1's are read
    earlier = sorted(zip(keys(window), shown(window, "verdict"), strict=True))
    assert [key for key, _ in earlier] == ["a-para", "a-temp", "b-hr", "t2-hr"]
    assert earlier != latest  # each run shows its own verdicts


def _stored_resolutions(db_path, run_id=1):
    store = open_store(db_path)
    try:
        return {f.item_key: f.resolution for f in store.review_flags(run_id)}
    finally:
        store.close()


def test_after_a_resolution_the_next_open_flag_is_selected_and_shortcuts_resolve(
        qtbot, reviewed):
    db_path = reviewed[0]
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    flags, detail = window.flags, window.flags.detail
    order = keys(window)
    assert len(order) == 4
    assert flags.select_key(order[0])
    flags.table.setFocus()

    def press(key, target=None):
        with qtbot.waitSignal(window.loaded, timeout=10_000):
            qtbot.keyClick(target or flags.table, key, Qt.KeyboardModifier.ControlModifier)

    press(Qt.Key.Key_1)  # « saisi dans le SIH maintenant »
    assert flags.current_flag().item_key == order[1]
    assert detail.current_key() == order[1] and detail.resolve_button.isEnabled()
    assert "Écart ouvert suivant sélectionné" in window.notice_text()
    press(Qt.Key.Key_2)  # « erreur sur le papier »
    assert flags.current_flag().item_key == order[2]
    # « autre » needs a comment: the shortcut puts the cursor there and resolves nothing
    qtbot.keyClick(flags.table, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert detail.comment.hasFocus() and "commentaire" in detail.feedback.text()
    assert flags.current_flag().item_key == order[2]
    qtbot.keyClicks(detail.comment, "relu avec le cadre")
    press(Qt.Key.Key_Return, detail.comment)
    assert flags.current_flag().item_key == order[3]
    press(Qt.Key.Key_5)  # the last open flag: nothing left to move to
    assert flags.current_flag().item_key == order[3]
    assert "Plus aucun autre écart ouvert" in window.notice_text()
    assert _stored_resolutions(db_path) == {
        order[0]: "entered_in_sih", order[1]: "paper_error", order[2]: "other",
        order[3]: "not_relevant"}
    # the reasons' keys are written where the reason is chosen
    assert detail.reason_choice.itemText(0) == "saisi dans le SIH maintenant — Ctrl+1"


def test_closed_while_the_flags_are_read_again_the_late_read_is_dropped(qtbot, reviewed):
    """Ctrl+W right after a resolution: the flags read again off the GUI thread come back to a
    window whose connection is closed; they are dropped, never a traceback."""
    db_path = reviewed[0]
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    flags = window.flags
    order = keys(window)
    assert flags.select_key(order[0])
    flags.table.setFocus()
    qtbot.keyClick(flags.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert flags.current_flag().item_key == order[1]  # on to the next, read again behind
    window.close_action.trigger()
    assert window.store is None
    qtbot.wait(500)  # the read ends (the window waited for it): its rows come back now
    assert flags.current_flag().item_key == order[1]
    assert _stored_resolutions(db_path)[order[0]] == "entered_in_sih"


def test_with_the_open_filter_the_resolved_flag_leaves_and_the_next_one_is_worked(
        qtbot, reviewed):
    db_path = reviewed[0]
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    flags = window.flags
    flags.choose(flags.status, "open")
    order = keys(window)
    flags.select_key(order[1])
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        qtbot.keyClick(flags.table, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert keys(window) == [order[0], *order[2:]]
    assert flags.current_flag().item_key == order[2]


LOINC = re.compile(r"\b\d{3,6}-\d\b")
ITEM_PATH = re.compile(r"\b\d+/[a-z_]+/\d+/\d+\b")
UCUM = ("mm[Hg]", "Cel", "[iU]", "{beats}", "[degF]")


def _no_internal_code(text, ward_codes):
    assert not LOINC.search(text), text
    assert not ITEM_PATH.search(text), text
    assert not any(unit in text for unit in UCUM), text
    assert not any(re.search(rf"\b{code}\b", text) for code in ward_codes), text


def test_no_internal_code_in_the_review_table_or_the_flag_shown(qtbot, reviewed):
    db_path, first, other = reviewed
    store = open_store(db_path)
    wards = {w.code: w.name for w in store.wards()}
    store.close()
    window = open_window(qtbot, db_path)
    sign_in(qtbot, window, "qualite")
    flags, detail, model = window.flags, window.flags.detail, window.flags.model
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            _no_internal_code(model.data(model.index(row, column)), wards)
    by_key = dict(zip(keys(window), shown(window, "item"), strict=True))
    assert by_key["a-temp"] == "Température" and by_key["a-para"] == "paracétamol"
    assert by_key["b-hr"] == "Fréquence cardiaque"
    assert set(shown(window, "ward")) >= {wards[first.ward.code], wards[other.ward.code]}
    tip = model.data(model.index(keys(window).index("a-temp"), COLUMNS.index("item")),
                     Qt.ItemDataRole.ToolTipRole)
    assert "8310-5" in tip  # the code where it helps: in the tooltip
    assert [flags.ward.itemText(i) for i in range(1, flags.ward.count())] == sorted(
        {wards[first.ward.code], wards[other.ward.code]}, key=str.casefold)

    for key in keys(window):
        assert flags.select_key(key)
        texts = [detail.summary.text(), detail.patient_ids.text(), detail.reason.text()]
        texts += [detail.comparison.item(r, c).text()
                  for r in range(detail.comparison.rowCount())
                  for c in range(detail.comparison.columnCount())
                  if detail.comparison.item(r, c) is not None]
        texts += [detail.comparison.verticalHeaderItem(r).text()
                  for r in range(detail.comparison.rowCount())]
        for text in texts:
            _no_internal_code(text, wards)
        assert "Code / médicament" not in texts
    flags.select_key("a-temp")  # a qualified patient: no provisional identity in the header
    assert "provisoire" not in detail.patient_ids.text()
    assert detail.cell("code", 0) == "Température"
    assert detail.comparison.verticalHeaderItem(0).text() == "Constante"
    assert wards[first.ward.code] in detail.summary.text()
    flags.select_key("t2-hr")  # a temporary identity says so
    assert "identité provisoire PROV-T2" in detail.patient_ids.text()


def test_columns_are_readable_at_1366_and_remembered(qtbot, reviewed):
    db_path = reviewed[0]
    window = open_window(qtbot, db_path)
    window.resize(1366, 768)
    sign_in(qtbot, window, "qualite")
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768
    table, header = window.flags.table, window.flags.table.horizontalHeader()
    qtbot.waitUntil(lambda: header.sectionSize(0) > 0)
    viewport = table.viewport().width()
    last = header.count() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= viewport + 1
    assert table.horizontalScrollBar().maximum() == 0  # every column in view
    metrics = header.fontMetrics()
    model = table.model()
    for column in range(header.count()):
        heading = model.headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= metrics.horizontalAdvance(heading), heading
        for row in range(model.rowCount()):  # a cell cut short is whole in its tooltip
            text = model.data(model.index(row, column))
            assert text in model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
    patient = COLUMNS.index("patient")
    assert header.sectionSize(patient) >= 140  # « DUPONT née MARTIN Marie » mostly readable
    assert header.sectionResizeMode(patient) == header.ResizeMode.Interactive

    header.resizeSection(patient, 260)  # as a person drags it
    window.close()
    again = open_window(qtbot, db_path)
    again.resize(1366, 768)
    sign_in(qtbot, again, "qualite")
    assert again.flags.table.horizontalHeader().sectionSize(patient) == 260
