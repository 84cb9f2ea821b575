"""The scanned page of the sheet being typed, beside the entry fields.

With the paper on screen the nurse types from the screen, not from the pile. The panel shows the
most recently imported image of the sheet page on screen, says so plainly when the page has not
been scanned, and folds away (F6, or its button) for someone who prefers the paper; it stays
folded for the next sheets until unfolded. A folded panel reads no image at all.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from reentry import clock
from reentry.errors import UserError
from reentry.i18n import Msg, msg, tr
from ui import theme
from ui.language import is_language_change
from ui.page_view import PageView

TOGGLE_KEYS = ("F6",)
_NO_LIMIT = 16_777_215  # QWIDGETSIZE_MAX


class SheetScanPanel(QWidget):
    """``show_page(store, serial, page)`` when a sheet opens, ``clear()`` when it closes."""

    shown_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sheet_scan_panel")
        self._shown = True
        self._sheet: tuple[Any, int, int] | None = None  # store, serial, page on screen
        self._loaded = False
        self._caption: Msg | None = None
        self._restore_width = 0
        self._split_once = False
        self.caption = QLabel(self)
        self.caption.setObjectName("sheet_scan_caption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet(f"color: {theme.MUTED};")
        self.toggle_button = QToolButton(self)
        self.toggle_button.setObjectName("sheet_scan_toggle")
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cell keeps the focus
        self.toggle_button.clicked.connect(lambda _checked=False: self.toggle())
        self.page_view = PageView(self)
        # Tab goes from cell to cell; a click (or the buttons) reaches the page.
        self.page_view.canvas.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.toggle_button)
        header.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.page_view, 1)
        self._retranslate()

    # -- the page -------------------------------------------------------------------------------

    def show_page(self, store: Any, serial: int, page: int) -> None:
        """The sheet page now on screen; its image is read only while the panel is unfolded."""
        self.clear()
        self._sheet = (store, serial, page)
        if self._shown:
            self._load()

    def clear(self) -> None:
        """No sheet on screen: no image either (never another patient's page beside a form)."""
        self._sheet = None
        self._loaded = False
        self._set_caption(None)
        self.page_view.clear(msg("scan_ui.entry_no_sheet"))

    def _load(self) -> None:
        if self._sheet is None or self._loaded:
            return
        store, serial, page = self._sheet
        self._loaded = True
        try:
            scans = [s for s in store.scan_pages(serial) if s.page == page and s.current]
            image = store.scan_page_image(serial, page) if scans else None
        except UserError as error:
            self.page_view.clear(error.msg)
            return
        if not scans:
            self.page_view.clear(msg("scan_ui.entry_no_page"))
            return
        if not self.page_view.set_image(image, msg("scan_ui.entry_no_page")):
            return
        scan = scans[0]
        self._set_caption(msg("scan_ui.entry_caption" if not scan.rescan
                              else "scan_ui.entry_caption_rescan", file=scan.file_name,
                              index=scan.page_index + 1,
                              when=clock.format_local(scan.imported_at, with_zone=False)))

    def has_image(self) -> bool:
        return self.page_view.has_image()

    def placeholder_text(self) -> str:
        return self.page_view.placeholder_text()

    # -- folding --------------------------------------------------------------------------------

    def is_shown(self) -> bool:
        return self._shown

    def toggle(self) -> None:
        self.set_shown(not self._shown)

    def set_shown(self, shown: bool) -> None:
        """Unfold (reading the page if needed) or fold to a narrow strip with its button."""
        if shown == self._shown:
            return
        splitter = self.parentWidget()
        sizes = splitter.sizes() if isinstance(splitter, QSplitter) else None
        self._shown = shown
        self.page_view.setVisible(shown)
        self.caption.setVisible(shown)
        if shown:
            self.setMaximumWidth(_NO_LIMIT)
            if isinstance(splitter, QSplitter) and sizes is not None:
                index = splitter.indexOf(self)
                total = sum(sizes)
                wanted = self._restore_width or total // 2
                sizes = [max(0, total - wanted) if i != index else wanted
                         for i in range(len(sizes))]
                splitter.setSizes(sizes)
            self._load()
        else:
            if isinstance(splitter, QSplitter) and sizes is not None:
                self._restore_width = sizes[splitter.indexOf(self)]
            self.setMaximumWidth(self.toggle_button.sizeHint().width()
                                 + self.layout().contentsMargins().left() + 2)
            self.page_view.clear(msg("scan_ui.entry_no_sheet"))  # a folded panel keeps nothing
            self._loaded = False
        self._retranslate()
        self.shown_changed.emit(shown)

    def showEvent(self, event: QShowEvent) -> None:
        """The first time on screen, half the width: the rows' table would otherwise take
        nearly all of it and leave the page too small to read."""
        super().showEvent(event)
        splitter = self.parentWidget()
        if not self._split_once and self._shown and isinstance(splitter, QSplitter):
            self._split_once = True
            total = sum(splitter.sizes())
            index = splitter.indexOf(self)
            splitter.setSizes([total - total // 2 if i != index else total // 2
                               for i in range(splitter.count())])

    # -- language -------------------------------------------------------------------------------

    def _set_caption(self, caption: Msg | None) -> None:
        self._caption = caption
        self.caption.setText(caption.render() if caption else tr("scan_ui.entry_title"))

    def _retranslate(self) -> None:
        self.toggle_button.setText("▶" if self._shown else "◀")
        tip = tr("scan_ui.entry_hide_tip" if self._shown else "scan_ui.entry_show_tip")
        self.toggle_button.setToolTip(tip)
        self.toggle_button.setAccessibleName(tip)
        self._set_caption(self._caption)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


def beside_scanned_page(parent: QWidget, fields: QWidget, name: str
                        ) -> tuple[SheetScanPanel, QSplitter]:
    """The fields on the left and the sheet's scanned page on the right, half and half, so the
    nurse types from the screen; the owner folds the page with ``TOGGLE_KEYS``."""
    panel = SheetScanPanel(parent)
    body = QSplitter(Qt.Orientation.Horizontal, parent)
    body.setObjectName(name)
    body.addWidget(fields)
    body.addWidget(panel)
    body.setStretchFactor(0, 1)
    body.setStretchFactor(1, 1)
    return panel, body
