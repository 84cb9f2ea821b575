"""The flags of a run as a table model: thousands of rows, filtered in memory as one types.

A ``QAbstractTableModel`` over plain ``FlagRow`` values: the view only asks for the cells it
shows, so a run with thousands of flags scrolls and filters without delay. Filtering is the
core's ``FlagFilter``, the same as ``reentry flags list``.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from reentry import clock
from reentry.domain.review import (
    CLOSED,
    OPEN,
    FlagRow,
    PatientIdentity,
    item_label,
    kind_label,
    resolution_label,
    verdict_label,
)
from reentry.i18n import tr
from reentry.review.filters import FlagFilter
from ui.review_lines import NAME_PARTS_ROLE, name_parts

# What a quality officer reads, as on paper: the ward by its name, the item by its label
# (« Fréquence cardiaque », the drug); codes only in the tooltips. The status column gives the
# resolution of a closed flag; the kind is in the item's tooltip (and a filter).
COLUMNS = ("status", "verdict", "ward", "patient", "ipp", "item", "time")
WEIGHTS = (0.8, 1.1, 1.3, 1.9, 1.1, 1.7, 1.6)  # shares of the width the longest texts get
# Read whole at 1,366 px: the IPP and the time always, on one line; the patient's name, the
# state (« résolu : erreur sur le papier »), the ward and the item (« Pression artérielle
# systolique », not « Pression artéri… » that hides which) on the lines they need
# (``ui.review_lines``: a name, the family name over the given names; the row grows); the
# verdicts of discrepancies on one line (« présent dans le SIH » may be cut).
WHOLE = tuple(COLUMNS.index(c) for c in ("ipp", "time"))
LINES = tuple(COLUMNS.index(c) for c in ("status", "ward", "patient", "item"))
READABLE = {
    COLUMNS.index("verdict"): lambda: [verdict_label(v) for v in ("differs", "missing",
                                                                  "duplicate")],
}
STATUS_LINES = 3  # a resolved flag's state on at most three lines, its reason whole
OPEN_COLOUR = "#fff4e5"

Index = QModelIndex | QPersistentModelIndex


class FlagTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[FlagRow] = []
        self._rows: list[FlagRow] = []
        self._filter = FlagFilter()
        self._ward_names: dict[str, str] = {}
        # a patient's name (and its two parts) per identity: thousands of flags, few patients
        self._names: dict[PatientIdentity, tuple[str, tuple[str, str] | None]] = {}
        self.generation = 0  # changes with the run's texts (rows, ward names, language)

    # -- data in ----------------------------------------------------------------------------

    def set_rows(self, rows: list[FlagRow]) -> None:
        self.beginResetModel()
        self._all = rows
        self._rows = self._filter.apply(rows)
        self.generation += 1
        self.endResetModel()

    def set_ward_names(self, names: dict[str, str]) -> None:
        """Ward code → name, to show wards as people know them."""
        self._ward_names = dict(names)
        self.generation += 1

    def ward_name(self, code: str) -> str:
        return self._ward_names.get(code) or code

    def set_filter(self, wanted: FlagFilter) -> None:
        if wanted == self._filter:
            return
        self.beginResetModel()
        self._filter = wanted
        self._rows = wanted.apply(self._all)
        self.endResetModel()

    @property
    def current_filter(self) -> FlagFilter:
        return self._filter

    def all_rows(self) -> list[FlagRow]:
        return self._all

    def flag(self, row: int) -> FlagRow:
        return self._rows[row]

    def row_of(self, item_key: str) -> int | None:
        for index, flag in enumerate(self._rows):
            if flag.item_key == item_key:
                return index
        return None

    def retranslate(self) -> None:
        self._names.clear()
        self.generation += 1
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    # -- Qt ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(f"review.ui.column_{COLUMNS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        flag = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if COLUMNS[index.column()] == "patient":
                return self.name(flag)[0]
            return cell_text(flag, COLUMNS[index.column()], self._ward_names)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(flag, COLUMNS[index.column()], self._ward_names)
        if role == Qt.ItemDataRole.BackgroundRole and flag.status == OPEN:
            return QBrush(QColor(OPEN_COLOUR))
        if role == Qt.ItemDataRole.UserRole:
            return flag.item_key
        if role == NAME_PARTS_ROLE and COLUMNS[index.column()] == "patient":
            return self.name(flag)[1]
        return None

    def cell(self, row: int, column: int) -> tuple[str, object]:
        """A shown row's cell: its text, and its name's two parts (None: not a name)."""
        flag = self._rows[row]
        if COLUMNS[column] == "patient":
            return self.name(flag)
        return cell_text(flag, COLUMNS[column], self._ward_names), None

    def name(self, flag: FlagRow) -> tuple[str, tuple[str, str] | None]:
        """The patient's name as the list shows it, and its two parts (None: not a name)."""
        found = self._names.get(flag.identity)
        if found is None or not flag.identity.known:
            found = (cell_text(flag, "patient"),
                     name_parts(flag.identity) if flag.identity.known else None)
            if flag.identity.known:
                self._names[flag.identity] = found
        return found

    def texts(self, column: str) -> set[str]:
        """Every text of ``column`` the flags of the run show, filtered out or not."""
        return {cell_text(f, column, self._ward_names) for f in self._all}

    def states(self) -> set[str]:
        """The states the flags of the run show (filtered out or not), and the two words."""
        return {tr(f"review.status.{OPEN}"), tr(f"review.status.{CLOSED}"),
                *self.texts("status")}

    def names(self) -> list[tuple[str, tuple[str, str] | None]]:
        """Every patient's name the flags of the run show, with its two parts (filtered out or
        not: the column keeps the room it needs as one types in a filter)."""
        seen = {self.name(f) for f in self._all}
        return sorted(seen, key=lambda n: n[0])


def cell_text(flag: FlagRow, column: str, ward_names: dict[str, str] | None = None) -> str:
    if column == "status":
        if flag.status == OPEN or not flag.resolution:
            return tr(f"review.status.{flag.status}")
        return tr("review.ui.status_resolved", resolution=resolution_label(flag.resolution))
    if column == "verdict":
        return verdict_label(flag.run_verdict)
    if column == "ward":
        return (ward_names or {}).get(flag.ward_code) or flag.ward_code
    if column == "patient":
        return flag.identity.name() if flag.identity.known else flag.temporary_id
    if column == "ipp":
        return flag.ipp or flag.temporary_id
    if column == "item":
        return item_label(flag.kind, flag.code)
    if column == "time":
        return clock.format_local(flag.effective_time, with_zone=False)
    raise KeyError(column)


def cell_tooltip(flag: FlagRow, column: str, ward_names: dict[str, str] | None = None) -> str:
    """The whole text of a cell (it may be cut short), and the code behind it where a code
    helps: the ward's code (UF), the item's kind and its standard code."""
    text = cell_text(flag, column, ward_names)
    if column == "ward" and flag.ward_code and text != flag.ward_code:
        return tr("review.ui.ward_tip", name=text, code=flag.ward_code)
    if column == "item":
        if flag.code and flag.code != text:
            return tr("review.ui.item_tip_code", item=text, kind=kind_label(flag.kind),
                      code=flag.code)
        return tr("review.ui.item_tip", item=text, kind=kind_label(flag.kind))
    return text
