"""A tree whose highlighted row is the only thing that counts as chosen."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem


class SelectionTree(QTreeWidget):
    """Shared by the ward tree and the census: what is shown is what is highlighted."""

    def _selected_item(self) -> QTreeWidgetItem | None:
        items = self.selectedItems()
        return items[0] if items else None

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Qt makes the first row current on focus without selecting it; what is shown is
        what is highlighted, so leave no unselected current row (Down then picks the first)."""
        super().focusInEvent(event)
        if self._selected_item() is None and self.currentItem() is not None:
            self.selectionModel().setCurrentIndex(QModelIndex(),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)
