"""``Categorical.cleaned``: each distinct value cleaned once; values that become equal merge into
one (their rows then share a code), and when none do the rows keep their codes."""

from __future__ import annotations

import numpy as np

from reentry.reconcile.csv_columns import Categorical


def test_cleaning_that_merges_nothing_keeps_every_row_on_its_value() -> None:
    column = Categorical.of([" Durand", "MARTIN ", " Durand", "Zoé"])
    cleaned = column.cleaned(str.strip)
    assert list(cleaned) == ["Durand", "MARTIN", "Durand", "Zoé"]
    assert cleaned.values == ["Durand", "MARTIN", "Zoé"]
    cleaned.codes[0] = 2  # a copy: the column cleaned is left as it was
    assert list(column) == [" Durand", "MARTIN ", " Durand", "Zoé"]


def test_values_that_become_equal_are_merged() -> None:
    column = Categorical.of(["Durand ", "MARTIN", " Durand", "Durand", "Zoé"])
    cleaned = column.cleaned(str.strip)
    assert list(cleaned) == ["Durand", "MARTIN", "Durand", "Durand", "Zoé"]
    assert cleaned.values == ["Durand", "MARTIN", "Zoé"]
    assert np.array_equal(cleaned.codes, [0, 1, 0, 0, 2])


def test_an_empty_column_stays_empty() -> None:
    cleaned = Categorical.of([]).cleaned(str.strip)
    assert len(cleaned) == 0 and cleaned.values == []
