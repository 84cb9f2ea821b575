"""The patients of one ward, in room and bed order, as the census says.

A name is never cut: when the pane is narrow (a 1,366-pixel screen shares it with the wards and
the dossier) a long name wraps onto a second line of its row.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidgetItem, QWidget

from reentry import display
from reentry.i18n import tr
from reentry.model import CensusRow
from ui.language import is_language_change
from ui.selection_tree import TEXT_MARGINS, SelectionTree, widest_word, wrap_long_texts
from ui.theme import ROW_STYLE

COLUMNS = ("room", "bed", "name", "birth_date", "ipp")
_NAME = COLUMNS.index("name")
_PATIENT_ID = Qt.ItemDataRole.UserRole


class CensusView(SelectionTree):
    """One row per inpatient; emits ``patient_selected`` with a patient id, or None."""

    patient_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("census_view")
        self.setColumnCount(len(COLUMNS))
        self.setRootIsDecorated(False)
        wrap_long_texts(self)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(False)  # the census order is the bed order: never re-sort it
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setStyleSheet(ROW_STYLE)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Stretch)  # wraps when narrow
        self._rows: list[CensusRow] = []
        self.itemSelectionChanged.connect(self._on_selection_changed)
        self._retranslate()

    def set_rows(self, rows: list[CensusRow]) -> None:
        """Show ``rows`` in the order given (the store's bed order); nothing is selected."""
        self._rows = list(rows)
        self.blockSignals(True)
        try:
            self.clear()
            for row in self._rows:
                item = QTreeWidgetItem(self)
                item.setData(0, _PATIENT_ID, row.patient.id)
        finally:
            self.blockSignals(False)
        self._retranslate()
        self.patient_selected.emit(None)

    def rows(self) -> list[CensusRow]:
        return list(self._rows)

    def current_patient_id(self) -> int | None:
        item = self._selected_item()
        return item.data(0, _PATIENT_ID) if item is not None else None

    def _items(self) -> list[QTreeWidgetItem]:
        return [item for index in range(self.topLevelItemCount())
                if (item := self.topLevelItem(index)) is not None]

    def select_patient(self, patient_id: int) -> bool:
        for item in self._items():
            if item.data(0, _PATIENT_ID) == patient_id:
                self.setCurrentItem(item)
                return True
        return False

    def _on_selection_changed(self) -> None:
        item = self._selected_item()
        self.patient_selected.emit(item.data(0, _PATIENT_ID) if item is not None else None)

    def _retranslate(self) -> None:
        self.setHeaderLabels([tr(f"ui.census_{name}") for name in COLUMNS])
        for item, row in zip(self._items(), self._rows, strict=True):
            for column, text in enumerate(_cells(row)):
                item.setText(column, text)
        self._keep_names_whole()

    def _keep_names_whole(self) -> None:
        """Never elide a name to fit: every column but the name whole, the name at least as
        wide as its longest word (it wraps between words)."""
        header = self.header()
        width = sum(max(self.sizeHintForColumn(c), header.sectionSizeHint(c))
                    for c in range(self.columnCount()) if c != _NAME)
        width += max(widest_word(self, [item.text(_NAME) for item in self._items()])
                     + TEXT_MARGINS, header.sectionSizeHint(_NAME))
        scrollbar = self.verticalScrollBar().sizeHint().width()
        slack = 4 * self.columnCount()  # item padding from the style sheet, not in the hints
        self.setMinimumWidth(width + scrollbar + slack + 2 * self.frameWidth())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


def _cells(row: CensusRow) -> tuple[str, ...]:
    patient = row.patient
    birth: date | None = patient.birth_date
    return (row.stay.room or "", row.stay.bed or "", display.full_name(patient),
            display.date_text(birth), patient.ipp or "")
