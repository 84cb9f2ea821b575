"""The ward manager's progress screen on the outage demo: totals, filters, missing list, CSV."""

from datetime import UTC, datetime

import pytest

from reentry.demo.outage import create_outage_demo
from reentry.entry.progress import ward_progress
from reentry.sheets.tracking import tracked_sheets
from reentry.store import open_store
from ui.progress_view import WARD_COLUMNS, ProgressDialog

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def outage(db_path, tmp_path):
    store = open_store(db_path)
    create_outage_demo(store, tmp_path / "pdf", patients=25, seed=4, as_of=AS_OF)
    expected = tracked_sheets(store)
    store.close()
    return db_path, expected


def test_totals_filters_missing_list_and_csv(qtbot, outage, tmp_path):
    db_path, expected = outage
    target = tmp_path / "avancement.csv"
    dialog = ProgressDialog(db_path, save_path=lambda _parent: str(target))
    qtbot.addWidget(dialog)
    dialog.refresh()
    wards = ward_progress(expected)
    assert dialog.wards_table.rowCount() == len(wards)
    first = wards[0]
    assert [dialog.wards_table.item(0, c).text() for c in (0, 1, WARD_COLUMNS.index("missing"))] == [
        first.ward_code, str(first.sheets.expected), str(first.sheets.missing)]
    assert dialog.sheets_table.rowCount() == len(expected)
    dialog.show_missing()
    missing = [s for s in expected if s.state == "missing"]
    assert dialog.sheets_table.rowCount() == len(missing) > 0
    assert {dialog.sheets_table.item(r, 5).text() for r in range(len(missing))} == {"manquante"}
    dialog.ward.setCurrentIndex(dialog.ward.findData(first.ward_code))
    in_ward = [s for s in missing if s.ward_code == first.ward_code]
    assert dialog.sheets_table.rowCount() == len(in_ward)
    assert dialog.operators_table.rowCount() == 3
    path = dialog.export_csv()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(in_ward) + 1 and all(",missing," in line for line in lines[1:])


def test_english(qtbot, outage):
    from ui.language import switch_language

    dialog = ProgressDialog(outage[0])
    qtbot.addWidget(dialog)
    dialog.refresh()
    switch_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Re-entry progress")
    assert dialog.export_button.text() == "Export as CSV…"
