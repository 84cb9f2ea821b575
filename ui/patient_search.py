"""« Rechercher un patient » (Ctrl+F anywhere in the viewer): a name, an IPP or a bed, and the
dossier opens on its ward.

Results follow each keystroke; ↓/↑ move in them without leaving the field, Enter opens the
selected one (the first by default), a double click too. Who is who is shown as on the census:
name, birth date, IPP, ward, room, bed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reentry import display
from reentry.i18n import tr
from reentry.model import CensusRow
from reentry.patient_search import PatientIndex
from ui.language import is_language_change
from ui.theme import ROW_STYLE

COLUMNS = ("name", "birth_date", "ipp", "ward", "room", "bed")
_MOVES = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}


class PatientSearchDialog(QDialog):
    """Emits ``patient_chosen`` with the census row opened, then closes."""

    patient_chosen = Signal(object)  # CensusRow

    def __init__(self, rows: list[CensusRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_search")
        self._index = PatientIndex(rows)
        self._found: list[CensusRow] = []
        self.caption = QLabel(self)
        self.field = QLineEdit(self)
        self.field.setObjectName("patient_search_field")
        self.field.setClearButtonEnabled(True)
        self.field.setMaxLength(80)
        self.caption.setBuddy(self.field)
        self.results = QTreeWidget(self)
        self.results.setObjectName("patient_search_results")
        self.results.setColumnCount(len(COLUMNS))
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setAlternatingRowColors(True)
        self.results.setStyleSheet(ROW_STYLE)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field
        header = self.results.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.status = QLabel(self)
        self.status.setObjectName("patient_search_status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.field)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.field.textChanged.connect(self._search)
        self.field.returnPressed.connect(self.open_selected)
        self.field.installEventFilter(self)
        self.results.itemDoubleClicked.connect(lambda _item, _column: self.open_selected())
        self.resize(900, 480)
        self._retranslate()
        self._search("")

    # -- searching ------------------------------------------------------------------------------

    def search(self, text: str) -> list[CensusRow]:
        """Type ``text`` in the field (tests and callers); the rows found."""
        self.field.setText(text)
        return list(self._found)

    def found(self) -> list[CensusRow]:
        return list(self._found)

    def _search(self, text: str) -> None:
        self._found = self._index.find(text)
        self.results.clear()
        items = [QTreeWidgetItem(self.results, list(_cells(row))) for row in self._found]
        for item, row in zip(items, self._found, strict=True):
            item.setToolTip(0, display.full_name(row.patient))
        if items:
            self.results.setCurrentItem(items[0])
        self._show_status(text)

    def _show_status(self, text: str) -> None:
        if not text.strip():
            self.status.setText(tr("search.hint", count=len(self._index)))
        elif not self._found:
            self.status.setText(tr("search.none", query=text.strip()))
        else:
            self.status.setText(tr("search.count", count=len(self._found)))

    def selected_row(self) -> CensusRow | None:
        item = self.results.currentItem()
        if item is None:
            return None
        index = self.results.indexOfTopLevelItem(item)
        return self._found[index] if 0 <= index < len(self._found) else None

    def open_selected(self) -> CensusRow | None:
        row = self.selected_row()
        if row is None:
            return None
        self.patient_chosen.emit(row)
        self.accept()
        return row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = _MOVES.get(Qt.Key(event.key()))
            if step is not None and self._found:
                shown = self.results.currentItem()
                current = self.results.indexOfTopLevelItem(shown) if shown is not None else -1
                target = max(0, min(len(self._found) - 1, current + step))
                item = self.results.topLevelItem(target)
                if item is not None:
                    self.results.setCurrentItem(item)
                return True
        return super().eventFilter(watched, event)

    # -- language -------------------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("search.title"))
        self.caption.setText(tr("search.caption"))
        self.field.setPlaceholderText(tr("search.placeholder"))
        self.results.setHeaderLabels([tr(f"search.column_{c}") for c in COLUMNS])
        for index, row in enumerate(self._found):
            item = self.results.topLevelItem(index)
            if item is not None:
                for column, text in enumerate(_cells(row)):
                    item.setText(column, text)
        self._show_status(self.field.text())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


def _cells(row: CensusRow) -> tuple[str, ...]:
    patient = row.patient
    return (display.full_name(patient), display.date_text(patient.birth_date),
            patient.ipp or "", row.ward.name, row.stay.room or "", row.stay.bed or "")
