"""The print-station screen, driven as an operator would: choose wards, read pages, print."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from reentry.config import Settings
from reentry.demo import create_demo
from reentry.registry import BatchStatus, SheetStatus
from reentry.store import open_store
from ui.print_station import PrintStationDialog

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def hospital(db_path):
    store = open_store(db_path)
    create_demo(store, patients=10, seed=7, as_of=AS_OF)
    store.close()
    return db_path


@pytest.fixture
def dialog(qtbot, hospital, tmp_path):
    widget = PrintStationDialog(hospital, Settings(pages_per_minute=20), printers=lambda: [],
                                now=lambda: AS_OF)
    qtbot.addWidget(widget)
    widget.out_dir.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(widget.estimates_ready, timeout=20000):
        widget.refresh_estimates()
    widget.show()
    return widget


def test_wards_are_listed_with_the_pages_printing_will_produce(dialog, hospital):
    from reentry.printing.station import estimate_wards

    store = open_store(hospital)
    expected = estimate_wards(store, hours=8, start=dialog._window_start(), admission_packets=2)
    store.close()
    table = dialog.table
    assert table.rowCount() == len(expected) >= 2
    for row, estimate in enumerate(expected):
        assert table.item(row, 0).text() == estimate.ward_name
        assert int(table.item(row, 3).text()) == estimate.pages
    assert dialog.selected_pages() == sum(e.pages for e in expected)
    assert "pages/min" in dialog.totals.text() and "20" in dialog.totals.text()


def test_a_change_during_planning_is_planned_again_and_only_the_latest_shown(dialog, qtbot):
    eight_hours = dialog.selected_pages()
    with qtbot.waitSignal(dialog.estimates_ready, timeout=20000):
        dialog.hours.setValue(16)  # starts planning
        assert not dialog.print_button.isEnabled()  # no print on a plan being recomputed
        dialog.hours.setValue(24)  # arrives while the 16-hour plan is being computed
    assert dialog.estimating is None and dialog.print_button.isEnabled()
    assert dialog.selected_pages() > eight_hours
    from reentry.printing.station import estimate_wards

    store = open_store(dialog.db_path)
    expected = estimate_wards(store, hours=24, start=dialog._window_start(), admission_packets=2)
    store.close()
    assert dialog.selected_pages() == sum(e.pages for e in expected)


def test_unchecking_a_ward_changes_the_totals(dialog, qtbot):
    before = dialog.selected_pages()
    first = dialog.table.item(0, 0)
    first.setCheckState(Qt.CheckState.Unchecked)
    assert dialog.selected_pages() == before - int(dialog.table.item(0, 3).text())
    assert str(dialog.selected_pages()) in dialog.totals.text()


def test_printing_one_ward_in_the_background(dialog, qtbot, hospital, tmp_path):
    for row in range(1, dialog.table.rowCount()):
        dialog.table.item(row, 0).setCheckState(Qt.CheckState.Unchecked)
    (ward,) = dialog.selected_wards()
    with qtbot.waitSignal(dialog.finished_printing, timeout=60_000):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    result = dialog.last_result
    assert result is not None and [w.ward_code for w in result.outcome.wards] == [ward]
    assert result.outcome.wards[0].pdf.exists()
    assert str(result.outcome.pages) in dialog.result.text()
    store = open_store(hospital)
    try:
        (batch,) = store.batches()
        assert batch.status is BatchStatus.COMPLETE
        assert {s.status for s in store.batch_sheets(batch.id)} == {SheetStatus.PRINTED}
    finally:
        store.close()


def test_english_labels(dialog, qtbot):
    from ui.language import switch_language

    switch_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Print station")
    assert dialog.print_button.text() == "Print"
