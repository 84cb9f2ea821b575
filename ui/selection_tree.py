"""A tree whose highlighted row is the only thing that counts as chosen, and whose long texts
(ward names, patients' names) wrap onto a second line instead of being cut."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
)

TEXT_MARGINS = 12  # the row padding of theme.ROW_STYLE and the style's focus frame, both sides


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text at the column's width (Qt's tree asks the delegate
    without the width, so a wrapped text would otherwise be cut to one line)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        width = self._tree.header().sectionSize(index.column()) - _indent(self._tree, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        needed = option.fontMetrics.boundingRect(
            QRect(0, 0, max(width - TEXT_MARGINS, 40), 10_000),
            Qt.TextFlag.TextWordWrap, text).height()
        return QSize(hint.width(), max(hint.height(), needed + hint.height()
                                       - option.fontMetrics.height()))


def _indent(tree: QTreeWidget, index: QModelIndex | QPersistentModelIndex) -> int:
    """How far the text of ``index`` starts from its column's left edge (the tree's levels)."""
    if index.column() != 0:
        return 0
    depth, parent = 0, index.parent()
    while parent.isValid():
        depth, parent = depth + 1, parent.parent()
    return tree.indentation() * (depth + (1 if tree.rootIsDecorated() else 0))


def wrap_long_texts(tree: QTreeWidget) -> None:
    """Texts wrap between words at the column's width, rows grow to fit, never an ellipsis."""
    tree.setUniformRowHeights(False)
    tree.setWordWrap(True)
    tree.setItemDelegate(WrappingDelegate(tree))
    tree.setTextElideMode(Qt.TextElideMode.ElideNone)
    tree.header().sectionResized.connect(lambda *_: tree.scheduleDelayedItemsLayout())


def widest_word(tree: QTreeWidget, texts: list[str]) -> int:
    """The width of the longest word (a hyphen also allows a break: « Gastro- / entérologie »)."""
    metrics = tree.fontMetrics()
    return max((metrics.horizontalAdvance(part)
                for text in texts for word in text.split()
                for part in word.replace("-", "- ").split()), default=0)


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
