"""The identity review at a ward PC's 1,366 × 768 with a dozen provisional identities.

Seen in the walkthrough: the list of cases showed about six rows while the candidates' table
below kept the room of six and held one to three; a candidate's concordance of traits ended in
« … » (whole only in a tooltip); « Rattachée à » gave the IPP alone. Now the candidates' table is
as high as its rows (four at most, scrolling beyond) and the cases get the rest; the chosen
candidate's concordance reads whole under the table; the linked patient is named beside its IPP,
as the paper and the SIH name them. Synthetic identities only.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QTableWidget
from test_ui_review_identity_names import identity_run
from ward_pc import (  # noqa: F401  (ward_pc_settings, ward_pc_font: autouse fixtures)
    WARD_PC,
    margin,
    review_at,
    ward_pc_font,
    ward_pc_settings,
)

from reentry.reconcile.agreement_text import agreement_text
from ui.review_identity import CANDIDATE_COLUMNS, CASE_COLUMNS

pytestmark = [pytest.mark.qt]

CANDIDATE_ROWS = 4  # candidates in view at most (ui.review_identity.CANDIDATE_ROWS)
LEFT = ["PROV-T2,DE LA ROCHEFOUCAULD-MONTBRISON,,Marie-Éléonore,1950-07-14,F,,,,,",
        "PROV-T3,DE SAINT-EXUPÉRY-LAVALLIÈRE,LE GOFF-KERMARREC,Anne-Sophie Marie-Thérèse,"
        "1962-03-09,F,,,,,",
        "PROV-T4,MARTIN,,Naël,2015-06-01,M,,,,,",
        "PROV-T5,DUPONT,,Jean,1948-02-11,M,,,,,",
        "PROV-T6,DUPONT,,Jeanne,1948-11-02,F,,,,,",
        "PROV-T7,NGUYEN,,Van Thanh,1971-05-05,M,,,,,",
        "PROV-T8,BERNARD,DURAND,Claire,1980-01-30,F,,,,,",
        "PROV-T9,LEFEBVRE,,Lucas,1999-09-09,M,,,,,",
        "PROV-T10,X,,Inconnu,1900-01-01,U,,,,,",
        "PROV-T11,PETIT,,Chloé,2001-12-12,F,,,,,",
        "PROV-T12,MOREAU,,Hugo,1960-10-10,M,,,,,",
        "PROV-T13,GARCIA,,Inès,1975-04-04,F,,,,,"]
RIGHT = ["900002,DE LA ROCHEFOUCAULD-MONTBRISON,,Marie-Éléonore,1950-07-14,F,,,,,",
         "900003,DE LA ROCHEFOUCAULD-MONBRISON,,Marie-Éléonore Geneviève,1950-07-14,F,,,,,",
         "900004,DE SAINT-EXUPÉRY-LAVALLIÈRE,LE GOFF-KERMARREC,Anne-Sophie Marie-Thérèse,"
         "1962-03-09,F,,,,,",
         "900005,MARTIN,,Nahel,2015-06-01,M,,,,,",
         "900006,DUPONT,,Jean,1948-02-11,M,,,,,",
         "900007,DUPONT,,Jeanne,1948-02-11,F,,,,,",
         "900008,DUPONT,,Jean,1948-11-02,M,,,,,",
         "900020,DUPONT,,Jean-Pierre,1948-02-11,M,,,,,",
         "900021,DUPOND,,Jean,1948-02-11,M,,,,,",
         "900022,DUPONT,,Jean,1948-02-12,M,,,,,",
         "900023,DUPONT,,Jehan,1948-02-11,M,,,,,",
         "900009,NGUYEN,,Van Thanh,1971-05-05,M,,,,,",
         "900010,NGUYEN,,Van Thành,1971-05-15,M,,,,,",
         "900011,BERNARD,,Claire,1980-01-30,F,,,,,",
         "900012,LEFEVRE,,Lucas,1999-09-09,M,,,,,",
         "900014,PETIT,,Chloe,2001-12-21,F,,,,,",
         "900015,MOREAU,,Hugo,1960-10-10,M,,,,,",
         "900016,MOREAU,,Hugues,1960-10-10,M,,,,,"]


@pytest.fixture
def twelve(db_path, tmp_path):
    return identity_run(db_path, tmp_path, LEFT, RIGHT, lambda ipp: [
        f"a-hr,{ipp},,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,",
        *(f"{t}-hr,{t},,vital_sign,8867-4,90,/min,,2026-11-23T22:00:00+01:00,EF,"
          for t in (line.split(",")[0] for line in LEFT))])


def identities_at(qtbot, db_path, size):
    window = review_at(qtbot, db_path, size, "idv")
    window.tabs.setCurrentWidget(window.identities)
    tab = window.identities
    qtbot.waitUntil(lambda: tab.cases.isVisible() and tab.cases.rowCount() == len(LEFT))
    return window, tab


def rows_in_view(table: QTableWidget) -> int:
    """Rows wholly inside the table's viewport."""
    height = table.viewport().height()
    return sum(1 for r in range(table.rowCount())
               if table.rowViewportPosition(r) >= 0
               and table.rowViewportPosition(r) + table.rowHeight(r) <= height)


def chosen(qtbot, tab, left_id):
    tab.select_case(left_id)
    qtbot.wait(30)  # the candidates' columns, rows and height fitted
    return tab.current_case()


def test_the_candidates_table_is_as_high_as_its_rows_and_the_cases_get_the_rest(
        qtbot, twelve):
    window, tab = identities_at(qtbot, twelve, WARD_PC)
    cases, candidates = tab.cases, tab.candidates
    counts = {}
    for left_id in (line.split(",")[0] for line in LEFT):
        case = chosen(qtbot, tab, left_id)
        counts[left_id] = len(case.candidates)
        shown = min(len(case.candidates), CANDIDATE_ROWS)
        rows = sum(candidates.rowHeight(r) for r in range(shown))
        if shown:  # no room kept for rows that are not there, none cut
            assert abs(candidates.viewport().height() - rows) <= 2, left_id
            assert rows_in_view(candidates) == shown, left_id
        scrolls = candidates.verticalScrollBar().maximum() > 0
        assert scrolls == (len(case.candidates) > CANDIDATE_ROWS), left_id
        assert rows_in_view(cases) >= 8, left_id  # about six before, the detail's room taken
    assert max(counts.values()) > CANDIDATE_ROWS  # a case with more candidates than in view
    assert 1 <= sorted(counts.values())[len(counts) // 2] <= 3  # most cases: one to three
    window.close()


def test_the_chosen_candidates_concordance_reads_whole_under_the_table(qtbot, twelve):
    window, tab = identities_at(qtbot, twelve, WARD_PC)
    case = chosen(qtbot, tab, "PROV-T2")
    fields = CANDIDATE_COLUMNS.index("fields")
    metrics = tab.candidates.fontMetrics()
    for row, candidate in enumerate(case.candidates):
        tab.select_candidate(candidate.right_id)
        whole = agreement_text(candidate.fields)
        text = tab.agreement.text()
        assert tab.agreement.isVisible() and whole in text and candidate.right_id in text
        assert candidate.traits.name() in text
        # the label shows all its lines: as high as its wrapped text needs
        assert tab.agreement.height() >= tab.agreement.heightForWidth(tab.agreement.width())
        assert tab.agreement.geometry().bottom() < tab.comment.geometry().top()
        cell = tab.candidates.item(row, fields).text()
        assert cell == whole  # the column may still end in « … »: the label says it all
        assert metrics.horizontalAdvance(cell) + 2 * margin(tab.candidates) > tab.candidates.columnWidth(fields)
    tab.candidates.clearSelection()
    assert not tab.agreement.isVisible()
    window.close()


def test_linked_to_names_the_patient_beside_its_ipp(qtbot, twelve):
    window, tab = identities_at(qtbot, twelve, WARD_PC)
    chosen(qtbot, tab, "PROV-T2")
    tab.select_candidate("900003")
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        tab.link_button.click()
    linked = CASE_COLUMNS.index("linked_to")
    row = next(r for r in range(tab.cases.rowCount())
               if tab.cases.item(r, 0).text() == "PROV-T2")
    text = tab.cases.item(row, linked).text()
    assert text == "900003 — DE LA ROCHEFOUCAULD-MONBRISON Marie-Éléonore Geneviève"
    qtbot.wait(30)
    rect = tab.cases.visualRect(tab.cases.model().index(row, linked))
    lines = tab.cases.itemDelegateForColumn(linked).lines(
        tab.cases.model().index(row, linked), rect.width())
    words = re.sub(r"- ", "-", " ".join(lines)).split()  # a line may break after a hyphen
    # on one line as written, or the IPP over the name when the column is narrow
    assert words in (text.split(), [w for w in text.split() if w != "—"])
    assert "…" not in "".join(lines)
    assert len(lines) * tab.cases.fontMetrics().lineSpacing() <= rect.height()
    assert "DE LA ROCHEFOUCAULD-MONBRISON" in tab.current.text()  # the decision says it too
    window.close()
