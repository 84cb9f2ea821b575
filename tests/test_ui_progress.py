"""The ward manager's progress screen on the outage demo: totals, filters, missing list, CSV."""

import re
import stat
from datetime import UTC, datetime

import pytest

from reentry.barcodes import group_for_reading, page_code
from reentry.demo.outage import create_outage_demo
from reentry.domain.sheet_state import SheetCounts, SheetState, count_states
from reentry.entry.progress import operators, pace_text, ward_progress, worked_text
from reentry.events.accounting import account_lines
from reentry.i18n import tr
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store
from ui.progress_view import OPERATOR_COLUMNS, SHEET_COLUMNS, WARD_COLUMNS, ProgressDialog


def refreshed(qtbot, dialog):
    """Refresh, and wait while the dialog reads the database off the GUI thread."""
    with qtbot.waitSignal(dialog.refreshed, timeout=20_000):
        dialog.refresh()

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def outage(db_path, tmp_path):
    store = open_store(db_path)
    create_outage_demo(store, tmp_path / "pdf", patients=25, seed=4, as_of=AS_OF)
    expected = tracked_sheets(store)
    store.close()
    return db_path, expected


def _ward_names(db_path) -> dict[str, str]:
    store = open_store(db_path)
    try:
        return {w.code: w.name for w in store.wards()}
    finally:
        store.close()


def test_totals_filters_missing_list_and_csv(qtbot, outage, tmp_path):
    db_path, expected = outage
    target = tmp_path / "avancement.csv"
    dialog = ProgressDialog(db_path, save_path=lambda _parent: str(target))
    qtbot.addWidget(dialog)
    refreshed(qtbot, dialog)
    wards = ward_progress(expected)
    assert dialog.wards_table.rowCount() == len(wards)
    first = wards[0]
    names = _ward_names(db_path)
    assert [dialog.wards_table.item(0, c).text() for c in (0, 1, WARD_COLUMNS.index("missing"),
                                                          WARD_COLUMNS.index("unaccounted"))] == [
        names[first.ward_code], str(first.sheets.expected), str(first.sheets.missing),
        str(first.sheets.unaccounted)]
    assert dialog.sheets_table.rowCount() == len(expected)
    dialog.show_missing()
    missing = [s for s in expected if s.state == "missing"]
    assert dialog.sheets_table.rowCount() == len(missing) > 0
    state = SHEET_COLUMNS.index("state")
    assert {dialog.sheets_table.item(r, state).text() for r in range(len(missing))} == {
        "manquante"}
    dialog.ward.setCurrentIndex(dialog.ward.findData(first.ward_code))
    in_ward = [s for s in missing if s.ward_code == first.ward_code]
    assert dialog.sheets_table.rowCount() == len(in_ward)
    assert dialog.operators_table.rowCount() == 3
    path = dialog.export_csv()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(in_ward) + 1 and all(",missing," in line for line in lines[1:])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it names patients: the user's only


def test_english(qtbot, outage):
    from ui.language import switch_language

    dialog = ProgressDialog(outage[0])
    qtbot.addWidget(dialog)
    refreshed(qtbot, dialog)
    switch_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Re-entry progress")
    assert dialog.export_button.text() == "Export as CSV…"


LOINC = re.compile(r"\b\d{3,6}-\d\b")


def _texts(table, column=None):
    return [table.item(r, c).text() for r in range(table.rowCount())
            for c in range(table.columnCount()) if column is None or c == column]


def test_people_see_names_and_sheet_codes_never_internal_codes(qtbot, outage):
    db_path, expected = outage
    dialog = ProgressDialog(db_path)
    qtbot.addWidget(dialog)
    refreshed(qtbot, dialog)
    names = _ward_names(db_path)
    templates = {s.template_id for s in expected}
    for table in (dialog.wards_table, dialog.sheets_table, dialog.operators_table):
        for text in _texts(table):
            assert not LOINC.search(text), text
            assert text not in names and text not in templates, text  # no ward code, no form id
            assert text not in {state.value for state in SheetState}, text
            assert not any(re.search(rf"\b{code}\b", text) for code in names), text
    ward = SHEET_COLUMNS.index("ward")
    assert set(_texts(dialog.sheets_table, ward)) <= set(names.values())
    assert dialog.sheets_table.item(0, ward).toolTip().endswith(f"(UF {expected[0].ward_code})")
    # the sheets by the code printed under their barcode, the one a person can type or scan
    code = SHEET_COLUMNS.index("code")
    assert _texts(dialog.sheets_table, code) == [group_for_reading(page_code(s.serial, 1))
                                                 for s in expected]
    assert [dialog.ward.itemText(i) for i in range(1, dialog.ward.count())] == [
        names[w.ward_code] for w in ward_progress(expected)]


def test_each_figure_says_what_it_counts_and_matches_the_event_accounting(qtbot, outage):
    db_path, expected = outage
    dialog = ProgressDialog(db_path)
    qtbot.addWidget(dialog)
    refreshed(qtbot, dialog)
    total = count_states(s.state for s in expected)
    accounting = sum((line.sheets for line in account_lines(expected, by_batch=False)),
                     SheetCounts())
    assert accounting == total
    for name in ("printed", "returned", "entered", "verified", "lost", "not_used", "missing",
                 "unaccounted"):
        column = WARD_COLUMNS.index(name)
        figure = "expected" if name == "printed" else name
        assert sum(int(dialog.wards_table.item(r, column).text())
                   for r in range(dialog.wards_table.rowCount())) == total.value(figure), name
        assert dialog.wards_table.horizontalHeaderItem(column).toolTip(), name
    # the same words as the event screens and the report: « non soldées » for what is owed
    unaccounted = dialog.wards_table.horizontalHeaderItem(WARD_COLUMNS.index("unaccounted"))
    assert unaccounted.text() == "Non soldées" == tr("events.col_unaccounted") == tr(
        "reports.sheets_unaccounted")
    assert "Manquantes : ni rendues" in dialog.legend.text()
    assert "Non soldées : ni saisies" in dialog.legend.text()
    assert dialog.summary.text() == (
        f"{total.expected} feuilles attendues en retour : {total.entered} saisies, "
        f"{total.missing} manquantes, {total.unaccounted} non soldées.")


def test_pace_is_over_the_time_worked_and_says_so(qtbot, outage):
    db_path, _ = outage
    dialog = ProgressDialog(db_path)
    qtbot.addWidget(dialog)
    refreshed(qtbot, dialog)
    store = open_store(db_path)
    try:
        people = operators(store)
    finally:
        store.close()
    rows = [[dialog.operators_table.item(r, c).text() for c in range(len(OPERATOR_COLUMNS))]
            for r in range(dialog.operators_table.rowCount())]
    assert rows == [[o.display_name, str(o.rows), worked_text(o.worked), str(o.sittings),
                     pace_text(o)] for o in people]
    assert "pause de plus de 15 min" in dialog.pace_legend.text()
