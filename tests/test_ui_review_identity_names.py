"""The identity review at a ward PC's 1,366 × 768: every name read whole on both sides.

« RENAUD … » in the screenshot: the list of provisional identities gave up its names' room
first, and a name cut short is how the wrong patient gets linked. Here long (synthetic) French
names — a particle, a double-barrelled family name, a used name with the birth name — are shown
as the identity-vigilance cell sees them: each name cell draws the whole name (on one line, or
the family name over the given names when the table is narrow), checked with the font's metrics
against the cell's own rectangle, and the decision and state still read whole.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QTableWidget
from ward_pc import (  # noqa: F401  (ward_pc_settings, ward_pc_font: autouse fixtures)
    AS_OF,
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

from reentry.demo import create_demo
from reentry.domain.entry import Role
from reentry.entry import service as entry_service
from reentry.reconcile_run import run_reconciliation
from reentry.store import open_store
from ui.review_identity import CANDIDATE_COLUMNS, CASE_COLUMNS
from ui.review_identity_columns import name_lines

pytestmark = [pytest.mark.qt]

IDENTITY_HEADER = ("id,birth_name,used_name,given_names,birth_date,sex,birth_place,address,"
                   "postcode,city,national_id\n")
# Synthetic patients with real-looking long French names.
LEFT = ["PROV-T2,DE LA ROCHEFOUCAULD-MONTBRISON,,Marie-Éléonore,1950-07-14,F,,,,,",
        "PROV-T3,DE SAINT-EXUPÉRY-LAVALLIÈRE,LE GOFF-KERMARREC,Anne-Sophie Marie-Thérèse,"
        "1962-03-09,F,,,,,",
        "PROV-T4,MARTIN,,Naël,2015-06-01,M,,,,,"]
RIGHT = ["900002,DE LA ROCHEFOUCAULD-MONTBRISON,,Marie-Éléonore,1950-07-14,F,,,,,",
         "900003,DE LA ROCHEFOUCAULD-MONBRISON,,Marie-Éléonore Geneviève,1950-07-14,F,,,,,",
         "900004,DE SAINT-EXUPÉRY-LAVALLIÈRE,LE GOFF-KERMARREC,Anne-Sophie Marie-Thérèse,"
         "1962-03-09,F,,,,,",
         "900005,MARTIN,,Nahel,2015-06-01,M,,,,,"]


def write(path, rows, header):
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def identity_run(db_path, tmp_path, left, right, paper):
    """A reconciliation run on a small demo ward whose provisional identities are ``left`` and
    SIH patients ``right`` (rows under ``IDENTITY_HEADER``), the paper's items ``paper(ipp)``
    (``ipp``: a patient of the ward, who has an SIH item); « qualite » ran it, « idv » (identity
    vigilance) may review it."""
    store = open_store(db_path)
    create_demo(store, patients=4, seed=8, as_of=AS_OF)
    ipp = store.census()[0].patient.ipp
    header = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
    paper_csv = write(tmp_path / "paper.csv", paper(ipp), header)
    sih = write(tmp_path / "sih.csv", [
        f"s1,{ipp},,vital_sign,8867-4,72,/min,,2026-11-23T22:05:00+01:00,AB,"], header)
    quality = entry_service.add_user(store, "qualite", "Quentin Qualité", Role.QUALITY)
    run_reconciliation(store, [sih], paper_csv, tmp_path / "out", user=quality,
                       identities_left=write(tmp_path / "left.csv", left, IDENTITY_HEADER),
                       sih_patients=write(tmp_path / "right.csv", right, IDENTITY_HEADER))
    entry_service.add_user(store, "idv", "Inès Vigilance", Role.IDENTITY_VIGILANCE)
    store.close()
    return db_path


@pytest.fixture
def long_names(db_path, tmp_path):
    """A run whose provisional identities and SIH candidates have long names."""
    return identity_run(db_path, tmp_path, LEFT, RIGHT, lambda ipp: [
        f"a-hr,{ipp},,vital_sign,8867-4,72,/min,,2026-11-23T22:00:00+01:00,AB,",
        "t2-hr,PROV-T2,,vital_sign,8867-4,90,/min,,2026-11-23T22:00:00+01:00,EF,",
        "t3-hr,PROV-T3,,vital_sign,8867-4,88,/min,,2026-11-23T22:00:00+01:00,EF,",
        "t4-hr,PROV-T4,,vital_sign,8867-4,84,/min,,2026-11-23T22:00:00+01:00,EF,"])


def identities_at(qtbot, db_path, size, username="idv"):
    window = review_at(qtbot, db_path, size, username)
    window.tabs.setCurrentWidget(window.identities)
    tab = window.identities
    qtbot.waitUntil(lambda: tab.cases.isVisible() and tab.cases.rowCount() > 0)
    return window, tab


def settled(qtbot, table: QTableWidget) -> None:
    qtbot.wait(30)  # the columns and rows fitted once the rows are in
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)


def cut_names(table: QTableWidget, column: int) -> list[tuple[str, list[str]]]:
    """Names not drawn whole in their cell (``ward_pc.drawn_whole``)."""
    cut = []
    for row in range(table.rowCount()):
        full = table.item(row, column).text()
        whole, lines = drawn_whole(table, row, column, full)
        if not whole:
            cut.append((full, lines))
    return cut


def cut_phrases(table: QTableWidget, column: int) -> list[str]:
    """A decision or state not read whole in its cell (wrapped between words, in its rect)."""
    metrics = table.fontMetrics()
    cut = []
    for row in range(table.rowCount()):
        text = table.item(row, column).text()
        rect = table.visualRect(table.model().index(row, column))
        room = rect.width() - 2 * margin(table)
        box = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, text)
        words_fit = all(metrics.horizontalAdvance(w) <= room for w in text.split())
        if not (words_fit and box.width() <= room and box.height() <= rect.height()):
            cut.append(text)
    return cut


def test_long_names_read_whole_on_both_sides_at_1366(qtbot, long_names):
    window, tab = identities_at(qtbot, long_names, WARD_PC)
    cases, candidates = tab.cases, tab.candidates
    assert cases.rowCount() == 3
    settled(qtbot, cases)
    name = CASE_COLUMNS.index("name")
    assert "LE GOFF-KERMARREC née DE SAINT-EXUPÉRY-LAVALLIÈRE Anne-Sophie Marie-Thérèse" in {
        cases.item(r, name).text() for r in range(cases.rowCount())}
    assert cut_names(cases, name) == []
    for column in ("decision", "state"):
        assert cut_phrases(cases, CASE_COLUMNS.index(column)) == []
    assert in_view(cases)
    for row in range(cases.rowCount()):  # each case's candidates, the other side of a link
        cases.selectRow(row)
        qtbot.waitUntil(lambda: candidates.rowCount() > 0)
        settled(qtbot, candidates)
        assert cut_names(candidates, CANDIDATE_COLUMNS.index("name")) == []
        assert in_view(candidates)
        birth = CANDIDATE_COLUMNS.index("birth")
        assert all(candidates.fontMetrics().horizontalAdvance(candidates.item(r, birth).text())
                   + 2 * margin(candidates) <= candidates.columnWidth(birth)
                   for r in range(candidates.rowCount()))
    window.close()


def test_a_narrow_window_puts_the_family_name_over_the_given_names(qtbot, long_names):
    """Narrower than a ward PC: a name goes on two lines (family name, given names) and its row
    grows, while the decision and state keep the room to read on two lines."""
    window, tab = identities_at(qtbot, long_names, QSize(1180, 768))
    cases = tab.cases
    settled(qtbot, cases)
    name = CASE_COLUMNS.index("name")
    assert cut_names(cases, name) == []
    row = next(r for r in range(cases.rowCount())
               if cases.item(r, name).text().startswith("LE GOFF"))
    assert shown_lines(cases, row, name) == ["LE GOFF-KERMARREC née DE SAINT-EXUPÉRY-LAVALLIÈRE",
                                             "Anne-Sophie Marie-Thérèse"]
    assert cases.rowHeight(row) >= 2 * cases.fontMetrics().lineSpacing()
    for column in ("decision", "state"):
        assert cut_phrases(cases, CASE_COLUMNS.index(column)) == []
    assert in_view(cases)
    two_lines = cases.rowHeight(row)
    window.resize(QSize(1024, 768))  # narrower still: the family name wraps between its words
    qtbot.waitUntil(lambda: len(shown_lines(cases, row, name)) == 3)
    settled(qtbot, cases)
    assert cut_names(cases, name) == []
    assert cases.rowHeight(row) > two_lines
    for column in ("decision", "state"):
        assert cut_phrases(cases, CASE_COLUMNS.index(column)) == []
    assert in_view(cases)
    window.close()


def test_an_absurdly_long_name_is_cut_with_a_marker_only_when_nothing_else_fits(qapp):
    metrics = QTableWidget().fontMetrics()
    name = "DE LA ROCHEFOUCAULD-MONTBRISON Marie-Éléonore"
    parts = ("DE LA ROCHEFOUCAULD-MONTBRISON", "Marie-Éléonore")
    assert name_lines(name, parts, metrics, 1000) == [name]
    wide = metrics.horizontalAdvance(parts[0])
    assert name_lines(name, parts, metrics, wide) == list(parts)
    assert name_lines(name, parts, metrics, metrics.horizontalAdvance("ROCHEFOUCAULD-")) == [
        "DE LA", "ROCHEFOUCAULD-", "MONTBRISON", "Marie-Éléonore"]  # between words, hyphens
    narrow = name_lines(name, parts, metrics, metrics.horizontalAdvance("MONTBRISON"))
    assert any(line.endswith("…") for line in narrow)  # the last resort, visibly marked
    assert all(metrics.horizontalAdvance(line) <= metrics.horizontalAdvance("MONTBRISON")
               for line in narrow)


@pytest.fixture
def outage(db_path, tmp_path):
    return outage_demo(db_path, tmp_path / "pdf")


def test_the_demos_names_read_whole_at_1366(qtbot, outage):
    """« RENAUD … » in the screenshot of the outage demo's provisional identity."""
    window, tab = identities_at(qtbot, outage, WARD_PC, username="qualite")
    cases, candidates = tab.cases, tab.candidates
    settled(qtbot, cases)
    assert cut_names(cases, CASE_COLUMNS.index("name")) == []
    assert any(re.match(r"RENAUD ", cases.item(r, CASE_COLUMNS.index("name")).text())
               for r in range(cases.rowCount()))
    cases.selectRow(0)
    qtbot.waitUntil(lambda: candidates.rowCount() > 0)
    settled(qtbot, candidates)
    assert cut_names(candidates, CANDIDATE_COLUMNS.index("name")) == []
    window.close()
