"""The places: sites, and under each its wards with the number of inpatients.

A ward's name is never cut: a name longer than the pane wraps onto a second line (and the full
name with its code is in the tooltip), so « Soins médicaux et de réadaptation » stays readable
in a narrow pane on a 1,366-pixel screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidgetItem, QWidget

from reentry.i18n import tr
from reentry.model import Site, Ward
from ui.language import is_language_change
from ui.selection_tree import TEXT_MARGINS, SelectionTree, widest_word, wrap_long_texts
from ui.theme import ROW_STYLE

_WARD_CODE = Qt.ItemDataRole.UserRole
_SITE_CODE = Qt.ItemDataRole.UserRole + 1


class WardTree(SelectionTree):
    """Site → ward tree. Emits ``ward_selected`` with a ward code, or None for a site/nothing."""

    ward_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ward_tree")
        self.setColumnCount(1)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        wrap_long_texts(self)  # a long name takes two lines
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header().setStretchLastSection(True)
        self.setStyleSheet(ROW_STYLE)
        self._sites: list[Site] = []
        self._wards: list[Ward] = []
        self._counts: Mapping[str, int] = {}
        self.itemSelectionChanged.connect(self._on_selection_changed)
        self._retranslate()

    def set_places(self, sites: list[Site], wards: list[Ward], counts: Mapping[str, int]) -> None:
        """Fill the tree; ``counts`` is the number of inpatients per ward code."""
        self._sites, self._wards, self._counts = sites, wards, counts
        self.blockSignals(True)
        try:
            self.clear()
            for site in sites:
                site_item = QTreeWidgetItem(self)
                site_item.setData(0, _SITE_CODE, site.code)
                for ward in (w for w in wards if w.site_code == site.code):
                    ward_item = QTreeWidgetItem(site_item)
                    ward_item.setData(0, _WARD_CODE, ward.code)
            self.expandAll()
        finally:
            self.blockSignals(False)
        self._retranslate()
        self.ward_selected.emit(None)

    def current_ward(self) -> str | None:
        item = self._selected_item()
        return item.data(0, _WARD_CODE) if item is not None else None

    def site_items(self) -> list[QTreeWidgetItem]:
        return [item for index in range(self.topLevelItemCount())
                if (item := self.topLevelItem(index)) is not None]

    @staticmethod
    def ward_items(site_item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        return [child for index in range(site_item.childCount())
                if (child := site_item.child(index)) is not None]

    def ward_item(self, code: str) -> QTreeWidgetItem | None:
        for site_item in self.site_items():
            for child in self.ward_items(site_item):
                if child.data(0, _WARD_CODE) == code:
                    return child
        return None

    def select_ward(self, code: str) -> bool:
        item = self.ward_item(code)
        if item is not None:
            self.setCurrentItem(item)
        return item is not None

    def _on_selection_changed(self) -> None:
        item = self._selected_item()
        self.ward_selected.emit(item.data(0, _WARD_CODE) if item is not None else None)

    def _retranslate(self) -> None:
        self.setHeaderLabels([tr("ui.wards_header")])
        names = {site.code: site.name for site in self._sites}
        wards = {ward.code: ward.name for ward in self._wards}
        for site_item in self.site_items():
            site_item.setText(0, names.get(site_item.data(0, _SITE_CODE), ""))
            site_item.setToolTip(0, site_item.text(0))
            for child in self.ward_items(site_item):
                code = child.data(0, _WARD_CODE)
                count = self._counts.get(code, 0)
                child.setText(0, tr("ui.ward_with_count", ward=wards.get(code, code), count=count))
                child.setToolTip(0, "\n".join((
                    wards.get(code, code), tr("ui.ward_count_tooltip", count=count, code=code))))
        self._keep_words_whole()

    def _keep_words_whole(self) -> None:
        """At least as wide as the longest word of a name: names wrap between words, never
        inside one (« Gériat / aiguë »)."""
        widest = widest_word(self, [item.text(0) for site_item in self.site_items()
                                    for item in (site_item, *self.ward_items(site_item))])
        scrollbar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(widest + 2 * self.indentation() + TEXT_MARGINS + scrollbar
                             + 2 * self.frameWidth())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
