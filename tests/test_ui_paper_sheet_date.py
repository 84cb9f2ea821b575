"""The sheet's date disagreeing with its comb on the scanned page: the bar says what can be done.

On the written ward's nursing notes, 22/11/2026 is typed where 23/11/2026 is written, and a line
is saved with that date (so it no longer changes on the screen). F8 goes to the date; the bar
under the rows said « saisissez la valeur, ou confirmez qu'elle reste vide (F7) », the advice
for a cell left empty on a row not saved, beside a date that is typed and locked.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from qt_windows import focused
from second_read_ward import MISTYPED_DATE
from test_ui_paper_check import cell, db, opened, ward, window  # noqa: F401  (fixtures)

from reentry.second_read.crosscheck import cross_check

pytestmark = [pytest.mark.qt]


def test_the_sheet_date_typed_and_locked_is_kept_or_not_never_typed(qtbot, window, ward,  # noqa: F811
                                                                     stored):
    check = cross_check(stored, ward.notes.serial)
    assert not check.unreadable_pages  # the written ward's notes page keeps its corner marks
    screen = opened(qtbot, window, ward.notes)
    date = cell(screen, 0, "date")
    assert date.text() == MISTYPED_DATE and date.isReadOnly()  # a line is saved with it
    qtbot.keyClick(focused(), Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: focused() is date)
    bar = screen.paper.bar.text.text()
    assert screen.help_or_problems.currentWidget() is screen.paper.bar
    assert "« Date »" in bar  # read whole (« semble indiquer 23/11/2026 ») or in part
    assert "reste vide" not in bar and "saisissez la valeur" not in bar
    assert "gardez la saisie si elle est juste (F7)" in bar
    assert "corrigez-la avec F4" in bar  # the rows saved with it are re-dated
