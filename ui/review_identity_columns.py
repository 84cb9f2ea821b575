"""The identity review's tables: every name read whole, as the decisions are.

A name cut to « RENAUD … » is how the wrong patient gets linked: the identity-vigilance cell
must read the whole name of each side. So the columns of names have room before any other that
may give some up: while the table is wide enough every column is as wide as its content; when it
is not, the free texts (a candidate's concordance of traits) give up room first, then a case's
decision and state go on two lines (never narrower than that), then a name goes on two lines,
the family name over the given names (« DE LA ROCHEFOUCAULD-MONTBRISON / Marie-Éléonore »).
Each row is as high as the lines its cells need. Only when even that does not fit does a name
wrap between its words (after a hyphen too), and a word wider than its column — an absurdly long
name on a narrow screen — ends in « … », whole in its tooltip. The lines of a cell, the delegate
that draws them and the rows' heights are ``ui.review_lines``, shared with the flags list.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from reentry.domain.review import PatientIdentity
from ui.column_memory import fitted_widths
from ui.figure_tables import FittedColumns, WrappedTexts
from ui.review_lines import (
    NAME_PARTS_ROLE,
    LinesCell,
    fit_rows,
    name_lines,
    name_parts,
    names_width,
    pieces,
    text_margin,
)

__all__ = ["NAME_PARTS_ROLE", "IdentityColumns", "identity_table", "name_item", "name_lines"]


def name_item(traits: PatientIdentity) -> QTableWidgetItem:
    """A cell holding ``traits``' whole name, and its two parts for when it has to wrap."""
    item = QTableWidgetItem(traits.name())
    item.setData(NAME_PARTS_ROLE, name_parts(traits))
    return item


class IdentityColumns(FittedColumns):
    """``FittedColumns`` for the identity tables: names keep their room first (see the module),
    rows as high as their cells' lines."""

    def __init__(self, table: QTableWidget, whole: Sequence[int], wrapped: WrappedTexts,
                 names: Sequence[int]) -> None:
        super().__init__(table, whole, wrapped)
        self.names = tuple(names)
        self.name_cell = LinesCell(table)
        for column in self.names:
            table.setItemDelegateForColumn(column, self.name_cell)

    def _widths(self, headings: list[int], natural: list[int], available: int) -> list[int]:
        """Names keep their room first (see the module)."""
        table = self.table
        count = len(headings)
        pad = 2 * text_margin(table) + 1
        wanted = [max(h, n) for h, n in zip(headings, natural, strict=True)]
        for column, texts in self.wrapped.items():  # as wide as any word it may say: no jump
            said = [table.fontMetrics().horizontalAdvance(t) + pad for t in texts() if t]
            wanted[column] = max([wanted[column], *said])
        two_lines = {c: max(headings[c], self._two_lines(c)) for c in self.wrapped}
        named = {c: max(headings[c], self._name_two_lines(c)) for c in self.names}
        free = [c for c in range(count)
                if c not in self.whole and c not in self.wrapped and c not in self.names]
        widths = list(wanted)
        # Who gives up room, in turn, and down to what: the free texts to their heading, a
        # decision to two lines, a name to two lines; then a name or a decision wraps further
        # (its widest word whole, the row higher); last, all columns down to their heading.
        words = {c: max(headings[c], self._widest_word(c)) for c in (*self.names, *self.wrapped)}
        stages = [{c: headings[c] for c in free}, two_lines, named, words,
                  dict(enumerate(headings))]
        for least in stages:
            excess = sum(widths) - available
            if excess <= 0:
                break
            group = [c for c in least if widths[c] > least[c]]
            if not group:
                continue
            own = [widths[c] for c in group]
            floor = [least[c] for c in group]
            room = max(sum(floor), sum(own) - excess)
            for column, size in zip(group, fitted_widths(own, floor, room), strict=True):
                widths[column] = size
        return widths

    def _fitted(self) -> None:
        self._fit_rows()

    def _name_two_lines(self, column: int) -> int:
        """Room for each name of the column on two lines: family name, given names."""
        table = self.table
        names = [(item.text(), item.data(NAME_PARTS_ROLE)) for row in range(table.rowCount())
                 if (item := table.item(row, column)) is not None]
        return names_width(table.fontMetrics(), names) + 2 * text_margin(table) + 1

    def _widest_word(self, column: int) -> int:
        """Room for the widest piece a line of the column may not break."""
        table, metrics = self.table, self.table.fontMetrics()
        texts = {item.text() for row in range(table.rowCount())
                 if (item := table.item(row, column)) is not None}
        if column in self.wrapped:
            texts.update(self.wrapped[column]())
        widest = max((metrics.horizontalAdvance(piece) for text in texts
                      for piece, _joint in pieces(text)), default=0)
        return widest + 2 * text_margin(table) + 1

    def _fit_rows(self) -> None:
        """Each row as high as the most lines one of its cells needs at the columns' widths."""
        fit_rows(self.table, self.name_cell, self.names, tuple(self.wrapped))


def identity_table(parent: QWidget, columns: int, whole: Sequence[int],
                   wrapped: WrappedTexts, names: Sequence[int]) -> QTableWidget:
    """A read-only table as ``ui.figure_tables.read_only_table`` builds, its columns fitted by
    ``IdentityColumns``."""
    table = QTableWidget(0, columns, parent)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setWordWrap(False)
    IdentityColumns(table, whole, wrapped, names)
    return table

