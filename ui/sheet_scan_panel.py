"""The scanned page of the sheet being typed, beside the entry fields.

With the paper on screen the nurse types from the screen, not from the pile. The panel shows the
most recently imported image of the sheet page on screen. It folds away by itself while the page
on screen has no scanned image (the fields get the whole width), and on request (F6, or its
button) for someone who prefers the paper; it stays folded for the next sheets until unfolded.
It is resized by dragging its edge (the fields keep their width). It sits beside the fields when
they leave it room to be read, else under them, until the person chooses with Shift+F6 (or its
button); the choices hold for the next sheets. A folded panel reads no image at all.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from reentry import clock
from reentry.errors import UserError
from reentry.i18n import Msg, msg, tr
from reentry.store.areas import Store
from ui import theme
from ui.language import is_language_change
from ui.page_view import PageView

TOGGLE_KEYS = ("F6",)
PLACE_KEYS = ("Shift+F6",)
# Narrower than this beside the fields, a page is unreadable and goes under them instead.
PORTRAIT_MIN_WIDTH, LANDSCAPE_MIN_WIDTH = 480, 700
_NO_LIMIT = 16_777_215  # QWIDGETSIZE_MAX


class SheetScanPanel(QWidget):
    """``show_page(store, serial, page)`` when a sheet opens, ``clear()`` when it closes."""

    shown_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sheet_scan_panel")
        self._shown = True  # the person's choice; folded anyway while there is no page
        self._peek = False  # unfolded on request although the sheet page has no image
        self._open = True  # unfolded now
        self._has_page = False
        self._below = False
        self._place_chosen = False  # Shift+F6 pressed: beside or under as chosen, from now on
        self._chosen_below = False  # that choice (beside: only where the rows leave room)
        self._sheet: tuple[Any, int, int] | None = None  # store, serial, page on screen
        self._loaded = False
        self._area: QRectF | None = None  # the box framed for comparison, image pixels
        self._caption: Msg | None = None
        self._restore_size = 0
        self._split_once = False
        self.caption = QLabel(self)
        self.caption.setObjectName("sheet_scan_caption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet(f"color: {theme.MUTED};")
        self.toggle_button = QToolButton(self)
        self.toggle_button.setObjectName("sheet_scan_toggle")
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cell keeps the focus
        self.toggle_button.clicked.connect(lambda _checked=False: self.toggle())
        self.place_button = QToolButton(self)
        self.place_button.setObjectName("sheet_scan_place")
        self.place_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.place_button.clicked.connect(lambda _checked=False: self.toggle_place())
        self.page_view = PageView(self)
        # Tab goes from cell to cell; a click (or the buttons) reaches the page.
        self.page_view.canvas.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.page_view.image_shown.connect(self._image_shown)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.toggle_button)
        header.addWidget(self.place_button)
        header.addWidget(self.caption, 1)
        self._column = layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.page_view, 1)
        layout.addStretch(0)  # folded: the button at the top, not halfway down
        self._retranslate()

    # -- the page -------------------------------------------------------------------------------

    def show_page(self, store: Store, serial: int, page: int) -> None:
        """The sheet page now on screen; its image is read only while the panel is unfolded,
        and the panel stays folded while the page has none."""
        self.clear()
        self._sheet = (store, serial, page)
        try:
            self._has_page = any(s.page == page and s.current for s in store.scan_pages(serial))
        except UserError as error:
            self._has_page = True  # unfolded, to say why there is no image
            self.page_view.clear(error.msg)
            self._loaded = True
        self._peek = False
        self._apply_fold()

    def clear(self) -> None:
        """No sheet on screen: no image either (never another patient's page beside a form)."""
        self._sheet = None
        self._loaded = False
        self._area = None
        self._has_page = False
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
        self.page_view.show_area(self._area)
        scan = scans[0]
        self._set_caption(msg("scan_ui.entry_caption" if not scan.rescan
                              else "scan_ui.entry_caption_rescan", file=scan.file_name,
                              index=scan.page_index + 1,
                              when=clock.format_local(scan.imported_at, with_zone=False)))

    def has_image(self) -> bool:
        return self.page_view.has_image()

    def show_area(self, area: QRectF | None) -> None:
        """Frame and zoom onto one box of the page (image pixels: a disagreement's boxes,
        beside the cell), or None to let go of it; kept while the panel is folded."""
        if area == self._area:
            return
        self._area = area
        self.page_view.show_area(area)

    def placeholder_text(self) -> str:
        return self.page_view.placeholder_text()

    # -- folding --------------------------------------------------------------------------------

    def is_shown(self) -> bool:
        """Whether the person wants the page shown (F6); ``is_unfolded`` says if it is."""
        return self._shown

    def is_unfolded(self) -> bool:
        return self._open

    def is_below(self) -> bool:
        return self._below

    def toggle(self) -> None:
        """F6: unfold a panel folded for want of a page (to see why), else fold or unfold."""
        if self._shown and not self._open:
            self._peek = True
            self._apply_fold()
        else:
            self.set_shown(not self._shown)

    def set_shown(self, shown: bool) -> None:
        """Unfold (reading the page if needed) or fold to a narrow strip with its button."""
        if shown == self._shown and shown == self._open:
            return
        self._shown = shown
        self._peek = shown
        self._apply_fold()

    def _wanted_open(self) -> bool:
        return self._shown and (self._has_page or self._peek or self._sheet is None)

    def _splitter(self) -> QSplitter | None:
        splitter = self.parentWidget()
        return splitter if isinstance(splitter, QSplitter) else None

    def _apply_fold(self) -> None:
        opening = self._wanted_open()
        splitter = self._splitter()
        if opening != self._open:
            sizes = splitter.sizes() if splitter is not None else None
            self._open = opening
            if opening:
                self._unfold(splitter, sizes)
            else:
                self._fold(splitter, sizes)
            self.shown_changed.emit(opening)
        if opening:
            self._load()
        else:
            # A folded panel keeps nothing; it still says why it is folded when it is.
            self.page_view.clear(msg("scan_ui.entry_no_page" if self._sheet is not None
                                     and not self._has_page else "scan_ui.entry_no_sheet"))
            self._loaded = False
        self._retranslate()

    def _unfold(self, splitter: QSplitter | None, sizes: list[int] | None) -> None:
        self.page_view.setVisible(True)
        self.caption.setVisible(True)
        self.place_button.setVisible(True)
        self.setMaximumSize(_NO_LIMIT, _NO_LIMIT)
        if splitter is not None and sizes is not None:
            index = splitter.indexOf(self)
            total = sum(sizes)
            wanted = self._restore_size or total // 2
            splitter.setSizes([max(0, total - wanted) if i != index else wanted
                               for i in range(len(sizes))])

    def _fold(self, splitter: QSplitter | None, sizes: list[int] | None) -> None:
        if splitter is not None and sizes is not None:
            self._restore_size = sizes[splitter.indexOf(self)]
        self.page_view.setVisible(False)
        self.caption.setVisible(False)
        self.place_button.setVisible(False)
        margins = self._column.contentsMargins()
        if self._below:
            self.setMaximumHeight(self.toggle_button.sizeHint().height() + margins.top()
                                  + margins.bottom() + 2)
        else:
            self.setMaximumWidth(self.toggle_button.sizeHint().width() + margins.left() + 2)

    def toggle_place(self) -> None:
        """The other place than the one chosen (under, when beside was chosen but the rows
        leave no room for it: under for every sheet, not beside again)."""
        self.set_below(not (self._chosen_below if self._place_chosen else self._below))

    def set_below(self, below: bool) -> None:
        """The person's choice: the page under the fields or beside them, for every sheet;
        beside only where the rows leave the page its least width, else the window would
        grow past the screen and cut the rows' last columns (the MAR at 1,366 px)."""
        self._place_chosen = True
        self._chosen_below = below
        self._set_place(below or not self._room_beside())
        self._retranslate()

    def _room_beside(self) -> bool:
        """The rows leave the panel its least width beside them."""
        splitter = self._splitter()
        room = self._room_left(splitter) if splitter is not None else None
        return room is None or room >= self.minimumSizeHint().width()

    def _room_left(self, splitter: QSplitter) -> int | None:
        """The width the rows leave the panel beside them; None: no rows beside it."""
        fields = splitter.widget(1 - splitter.indexOf(self))
        if fields is None:
            return None
        need = max(fields.minimumWidth(), fields.minimumSizeHint().width())
        width = splitter.width() if splitter.testAttribute(
            Qt.WidgetAttribute.WA_Resized) else self.window().width()
        return width - need - splitter.handleWidth()

    def _image_shown(self, shown: bool) -> None:
        if shown:
            self._place_for_room()

    def _place_for_room(self) -> None:
        """Until the person chooses, beside the fields if they leave the page room enough to be
        read (a landscape page needs more), else under them (the wide tables of the vital signs
        and the MAR on a 1,366 px screen); once chosen, as chosen, beside only where it fits."""
        splitter = self._splitter()
        if splitter is None or not self.page_view.has_image():
            return
        if self._place_chosen:
            self._set_place(self._chosen_below or not self._room_beside())
            self._retranslate()
            return
        size = self.page_view.image_size()
        needed = LANDSCAPE_MIN_WIDTH if size.width() > size.height() else PORTRAIT_MIN_WIDTH
        room = self._room_left(splitter)
        self._set_place(room is not None and room < needed)

    def _set_place(self, below: bool) -> None:
        """The page under the fields or beside them; half and half again."""
        splitter = self._splitter()
        if below == self._below or splitter is None:
            return
        self._below = below
        margins = (0, 4, 0, 0) if below else (4, 0, 0, 0)
        self._column.setContentsMargins(*margins)
        splitter.setOrientation(Qt.Orientation.Vertical if below else Qt.Orientation.Horizontal)
        self.setMaximumSize(_NO_LIMIT, _NO_LIMIT)
        self._restore_size = 0
        if self._open:
            total = sum(splitter.sizes())
            index = splitter.indexOf(self)
            splitter.setSizes([total - total // 2 if i != index else total // 2
                               for i in range(splitter.count())])
        else:
            self._fold(None, None)
        self._retranslate()

    def showEvent(self, event: QShowEvent) -> None:
        """The first time on screen, half the width: the rows' table would otherwise take
        nearly all of it and leave the page too small to read (the rows keep their minimum
        width: the splitter never gives them less)."""
        super().showEvent(event)
        splitter = self._splitter()
        if not self._split_once and self._open and splitter is not None:
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
        arrows = ("▼", "▲") if self._below else ("▶", "◀")
        self.toggle_button.setText(arrows[0] if self._open else arrows[1])
        if self._open:
            tip = tr("scan_ui.entry_hide_tip")
        elif self._shown and self._sheet is not None and not self._has_page:
            tip = tr("scan_ui.entry_folded_no_page")
        else:
            tip = tr("scan_ui.entry_show_tip")
        self.toggle_button.setToolTip(tip)
        self.toggle_button.setAccessibleName(tip)
        self.place_button.setText("⬒" if self._below else "◨")
        place_tip = tr("scan_ui.entry_beside_tip" if self._below else "scan_ui.entry_below_tip")
        if self._below and self._place_chosen and not self._chosen_below:
            place_tip = tr("scan_ui.entry_no_room_beside")
        self.place_button.setToolTip(place_tip)
        self.place_button.setAccessibleName(place_tip)
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
    body.setCollapsible(0, False)  # dragging the edge never hides the fields
    body.setHandleWidth(6)
    return panel, body
