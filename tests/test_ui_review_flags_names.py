"""The flags list of the quality review at a ward PC's 1,366 × 768: each patient's name and each
flag's state read whole.

« GRESSIER Eliott J… », « RODRIGUEZ Mart… », « résolu… » in the screenshot of the outage demo:
the list cut the names and the resolved flags' reasons. Here each name cell and state cell of
the outage demo's flags (some resolved by the quality team, some by a later run) is checked
with the font's metrics against the cell's own rectangle, and on screen by its painted ink, as
the identity review's names are (tests/test_ui_review_identity_names.py); the IPP and the time
stay whole, every column in view.
"""

from __future__ import annotations

import pytest
from ward_pc import (  # noqa: F401  (ward_pc_settings, ward_pc_font: autouse fixtures)
    WARD_PC,
    drawn_whole,
    in_view,
    margin,
    outage_demo,
    review_at,
    shown_lines,
    ward_pc_font,
    ward_pc_settings,
)

from ui.review_flag_model import COLUMNS

pytestmark = [pytest.mark.qt]

@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outage")
    return outage_demo(folder / "outage.sqlite", folder / "pdf")


def flags_at(qtbot, db_path, size):
    window = review_at(qtbot, db_path, size)
    table = window.flags.table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    qtbot.wait(50)  # the columns and rows fitted once the rows are in
    return window, table


def cut_cells(qtbot, table, column: int) -> list[tuple[str, list[str]]]:
    """Cells of ``column`` not drawn whole (``ward_pc.drawn_whole``), each scrolled to first."""
    model = table.model()
    cut = []
    for row in range(model.rowCount()):
        index = model.index(row, column)
        full = str(model.data(index))
        table.scrollTo(index)
        qtbot.wait(1)
        whole, lines = drawn_whole(table, row, column, full)
        if not whole:
            cut.append((full, lines))
    return cut


def test_names_and_states_read_whole_in_the_flags_list_at_1366(qtbot, outage):
    window, table = flags_at(qtbot, outage, WARD_PC)
    model, metrics = table.model(), table.fontMetrics()
    patient, status = COLUMNS.index("patient"), COLUMNS.index("status")
    names = {str(model.data(model.index(r, patient))) for r in range(model.rowCount())}
    states = {str(model.data(model.index(r, status))) for r in range(model.rowCount())}
    # what the screenshot cut: long names, and states with the reason of the resolution
    assert any(metrics.horizontalAdvance(n) > table.columnWidth(patient) for n in names)
    assert any(s.startswith("résolu : ") for s in states)
    assert cut_cells(qtbot, table, patient) == []
    assert cut_cells(qtbot, table, status) == []
    for column in ("ipp", "time"):  # on one line, whole
        c = COLUMNS.index(column)
        assert all(metrics.horizontalAdvance(str(model.data(model.index(r, c))))
                   + 2 * margin(table) <= table.columnWidth(c) for r in range(model.rowCount()))
    assert in_view(table)
    window.close()


def test_a_row_grows_with_its_lines_and_shrinks_back_when_a_person_widens_the_column(
        qtbot, outage):
    window, table = flags_at(qtbot, outage, WARD_PC)
    model = table.model()
    patient = COLUMNS.index("patient")
    others = [c for c in range(len(COLUMNS)) if c != patient]
    row = next(r for r in range(model.rowCount())
               if len(shown_lines(table, r, patient)) > 1
               and all(len(shown_lines(table, r, c)) == 1 for c in others))
    assert table.rowHeight(row) >= 2 * table.fontMetrics().lineSpacing()
    table.horizontalHeader().resizeSection(patient, 600)  # as a person drags it wider
    qtbot.waitUntil(lambda: len(shown_lines(table, row, patient)) == 1)
    qtbot.waitUntil(lambda: table.rowHeight(row) < 2 * table.fontMetrics().lineSpacing())
    window.close()
