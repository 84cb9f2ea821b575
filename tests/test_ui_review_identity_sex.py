"""The identity review shows each side's sex, whole, beside the name and birth date.

Sex is one of the INS strict traits the identity-vigilance cell links on: a temporary identity
« MARTIN Naël, M » and a candidate « MARTIN Naëlle, F » born the same day differ by it. The
concordance of traits said « Sexe identique » at its far end, cut to « … » on a ward PC; the
traits themselves were not shown. Each table now has a « Sexe » column, kept whole.
"""

from __future__ import annotations

import pytest
from test_ui_review_identity_names import (  # noqa: F401  (long_names: a fixture)
    identities_at,
    long_names,
    settled,
)
from ward_pc import (  # noqa: F401  (ward_pc_settings, ward_pc_font: autouse fixtures)
    WARD_PC,
    margin,
    ward_pc_font,
    ward_pc_settings,
)

from ui.review_identity import CANDIDATE_COLUMNS, CASE_COLUMNS

pytestmark = [pytest.mark.qt]


def whole(table, row, column) -> bool:
    text = table.item(row, column).text()
    return (table.fontMetrics().horizontalAdvance(text) + 2 * margin(table)
            <= table.columnWidth(column))


def test_each_sides_sex_reads_whole_at_1366(qtbot, long_names):  # noqa: F811
    window, tab = identities_at(qtbot, long_names, WARD_PC)
    cases, candidates = tab.cases, tab.candidates
    settled(qtbot, cases)
    sex = CASE_COLUMNS.index("sex")
    assert cases.horizontalHeaderItem(sex).text() == "Sexe"
    shown = {cases.item(r, CASE_COLUMNS.index("temporary")).text(): cases.item(r, sex).text()
             for r in range(cases.rowCount())}
    assert shown == {"PROV-T2": "Féminin", "PROV-T3": "Féminin", "PROV-T4": "Masculin"}
    assert all(whole(cases, r, sex) for r in range(cases.rowCount()))
    tab.select_case("PROV-T4")
    qtbot.waitUntil(lambda: candidates.rowCount() > 0)
    settled(qtbot, candidates)
    column = CANDIDATE_COLUMNS.index("sex")
    assert candidates.horizontalHeaderItem(column).text() == "Sexe"
    assert [candidates.item(r, column).text() for r in range(candidates.rowCount())] == [
        "Masculin"] * candidates.rowCount()
    assert all(whole(candidates, r, column) for r in range(candidates.rowCount()))
    window.close()
