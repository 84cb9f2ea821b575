"""A scanned page on screen, large enough to type from: fit to width, zoom, pan, quarter turns.

A stored page (a 200 dpi JPEG of 150-700 kB) takes 20-60 ms to decode and as much again to
convert for the screen, so both happen in a worker thread; the GUI thread only wraps the result
(well under a millisecond) and draws it through the view's transform (Qt's smooth filtering does
the scaling at paint time), so zooming and turning never re-decode or resample the page. The
previous page leaves the screen the moment another is asked for, and a decode that finishes late
for a page no longer wanted is dropped: a page is never shown beside another sheet. Only the
page on screen is kept in memory.

Keys (when the page has the focus; a click gives it): Ctrl++ or + zooms in, Ctrl+- or - zooms
out, Ctrl+0 or 0 fits the width again, Ctrl+R or R turns a quarter clockwise; arrows, Page Up
and Page Down move around, and Ctrl+wheel zooms. The mouse drags the page.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reentry.i18n import Msg, msg, tr
from ui import theme
from ui.language import is_language_change
from ui.shortcuts import add_shortcut
from ui.slots import discarding

ZOOM_STEP = 1.25
MIN_ZOOM = 0.05  # view pixels per image pixel
MAX_ZOOM = 4.0
_FIT_MARGIN = 4  # pixels kept free beside the page so no horizontal scroll bar appears at fit
# A box shown for comparison (``show_area``): with up to three times its width of page around it
# (its row's neighbours), and up to 0.8 times its height (the whole frame in a low view), at most
# this many image pixels each (a note's wide area keeps a readable zoom), never above this zoom.
AREA_AROUND = 150
AREA_MAX_ZOOM = 2.5
AREA_FRAME = QColor("#6a1b9a")

# Decoding runs here, never on the GUI thread; the result is a plain QImage (a value, safe to
# hand between threads), collected by a short timer of the view, so no Qt object crosses threads.
_DECODER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="page-decode")
_POLL_MS = 5


def decode_page(data: bytes) -> QImage:
    """The page ready for the screen (null when the bytes are not a readable image)."""
    image = QImage.fromData(data)
    if image.isNull():
        return image
    return image.convertToFormat(QImage.Format.Format_RGB32)  # what the screen draws directly


ZOOM_IN_KEYS = (QKeySequence.StandardKey.ZoomIn, "Ctrl+=", "+")
ZOOM_OUT_KEYS = (QKeySequence.StandardKey.ZoomOut, "-")
FIT_KEYS = ("Ctrl+0", "0")
ROTATE_KEYS = ("Ctrl+R", "R")


class _Canvas(QGraphicsView):
    """The view itself: tells its owner when it is resized or Ctrl+wheeled."""

    resized = Signal()
    wheel_zoom = Signal(int)  # +1 in, -1 out

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = event.angleDelta().y()
            if step:
                self.wheel_zoom.emit(1 if step > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)


class PageView(QWidget):
    """Shows one page image, or a line saying why there is none.

    ``set_image(data)`` shows the bytes of a stored page (JPEG, PNG…); ``clear(message)`` shows
    the message instead. ``zoom()`` is in view pixels per image pixel.
    """

    view_changed = Signal()  # zoom or rotation changed
    image_shown = Signal(bool)  # the page asked for is on screen (False: unreadable)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_view")
        self._zoom = 1.0
        self._rotation = 0
        self._fit = True
        self._placeholder: Msg = msg("scan_ui.no_page")
        self._decoding: Future[QImage] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(_POLL_MS)
        self._poll.timeout.connect(self._collect)

        self.scene = QGraphicsScene(self)
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.item)
        self.frame = QGraphicsRectItem()  # around the box shown for comparison
        pen = QPen(AREA_FRAME, 3)
        pen.setCosmetic(True)  # as thick at any zoom
        self.frame.setPen(pen)
        self.frame.setZValue(1)
        self.frame.hide()
        self.scene.addItem(self.frame)
        self._area: QRectF | None = None  # shown, or to show once the page is decoded
        self.canvas = _Canvas(self.scene, self)
        self.canvas.setObjectName("page_canvas")
        self.canvas.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform
                                   | QPainter.RenderHint.Antialiasing)
        self.canvas.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.canvas.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.canvas.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.canvas.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self.canvas.setFrameShape(QFrame.Shape.NoFrame)
        # Always there, so fitting the width never makes it appear and shrink the width again.
        self.canvas.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.canvas.resized.connect(self._refit)
        self.canvas.wheel_zoom.connect(lambda step: self.zoom_in() if step > 0
                                       else self.zoom_out())

        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("page_placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMargin(20)
        self.placeholder.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.placeholder.setStyleSheet(f"color: {theme.MUTED};")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.canvas)
        self.stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.zoom_out_button = self._button("zoom_out", "−", self.zoom_out)
        self.zoom_in_button = self._button("zoom_in", "+", self.zoom_in)
        self.fit_button = self._button("fit", "↔", self.fit_width)
        self.rotate_button = self._button("rotate", "↻", self.rotate)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("page_zoom")
        self.zoom_label.setStyleSheet(f"color: {theme.MUTED};")
        self.tools = QWidget(self)
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button,
                       self.rotate_button):
            tools.addWidget(button)
        tools.addWidget(self.zoom_label)
        tools.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tools)
        layout.addWidget(self.stack, 1)

        self.actions_by_name = {
            "zoom_in": add_shortcut(self, ZOOM_IN_KEYS, self.zoom_in),
            "zoom_out": add_shortcut(self, ZOOM_OUT_KEYS, self.zoom_out),
            "fit": add_shortcut(self, FIT_KEYS, self.fit_width),
            "rotate": add_shortcut(self, ROTATE_KEYS, self.rotate),
        }
        self.setFocusProxy(self.canvas)
        self._show_placeholder()
        self._retranslate()

    def _button(self, name: str, text: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(f"page_{name}")
        button.setText(text)
        button.setFont(theme.scaled_font(self, 1.2, bold=True))
        # A click must not take the focus from the cell being typed beside the page.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(discarding(slot))
        return button

    # -- the page -------------------------------------------------------------------------------

    def set_image(self, data: bytes | None, placeholder: Msg | None = None) -> bool:
        """Show the page in ``data``, fitted to the width, once decoded (``image_shown``); False
        (and ``placeholder``, or "no scanned page") when there is none. The page on screen
        before goes at once."""
        if not data:
            self.clear(placeholder)
            return False
        self.clear(msg("scan_ui.page_loading"))
        self._decoding = _DECODER.submit(decode_page, data)
        self._poll.start()
        return True

    def is_loading(self) -> bool:
        return self._decoding is not None

    def _collect(self) -> None:
        decoding = self._decoding
        if decoding is None:
            self._poll.stop()
            return
        if not decoding.done():
            return
        self._poll.stop()
        self._decoding = None
        self.image_shown.emit(self.show_decoded(decoding.result()))

    def show_decoded(self, image: QImage) -> bool:
        """What the GUI thread does with a page ``decode_page`` made: wrap it (no copy), fit
        the width, scroll to the top of the page. False for a null image (unreadable bytes)."""
        if image.isNull():
            self.clear(msg("scan_ui.page_unreadable"))
            return False
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene.setSceneRect(QRectF(self.item.boundingRect()))
        self._rotation = 0
        self._fit = True
        self.stack.setCurrentWidget(self.canvas)
        self._enable_tools(True)
        self._refit()
        self.canvas.verticalScrollBar().setValue(self.canvas.verticalScrollBar().minimum())
        if self._area is not None:  # asked for while the page was being decoded
            self.show_area(self._area)
        return True

    def clear(self, placeholder: Msg | None = None) -> None:
        """Forget the page (its memory with it, and any decode still running for it) and say
        why there is none."""
        self._decoding = None  # a late result is dropped
        self._poll.stop()
        self._placeholder = placeholder or msg("scan_ui.no_page")
        self._area = None
        self.frame.hide()
        self.item.setPixmap(QPixmap())
        self.scene.setSceneRect(QRectF())
        self._show_placeholder()

    def _show_placeholder(self) -> None:
        self.placeholder.setText(self._placeholder.render())
        self.stack.setCurrentWidget(self.placeholder)
        self._enable_tools(False)
        self._update_zoom_label()

    def _enable_tools(self, enabled: bool) -> None:
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button,
                       self.rotate_button):
            button.setEnabled(enabled)

    def has_image(self) -> bool:
        return not self.item.pixmap().isNull()

    def image_size(self) -> QSize:
        return self.item.pixmap().size()

    def placeholder_text(self) -> str:
        return self.placeholder.text() if not self.has_image() else ""

    # -- zoom and rotation ----------------------------------------------------------------------

    def zoom(self) -> float:
        return self._zoom

    def rotation(self) -> int:
        """Clockwise quarter turns applied on screen, in degrees (0, 90, 180, 270)."""
        return self._rotation

    def fits_width(self) -> bool:
        return self._fit

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    def set_zoom(self, factor: float) -> None:
        if not self.has_image():
            return
        self._fit = False
        self._apply(max(MIN_ZOOM, min(MAX_ZOOM, factor)))

    def fit_width(self) -> None:
        """Back to the whole width of the page in view (the default for every page)."""
        if not self.has_image():
            return
        self._fit = True
        self._refit()

    def rotate(self) -> None:
        """A quarter turn clockwise, for a page stored sideways; the width is fitted again."""
        if not self.has_image():
            return
        self._rotation = (self._rotation + 90) % 360
        self._fit = True
        self._refit()

    def show_area(self, area: QRectF | None) -> None:
        """Zoom onto ``area`` (image pixels), framed, with enough of the page around it to
        see its row and column; None takes the frame away and fits the width again. Asked for
        before the page is decoded, it is shown once the page is."""
        had, self._area = self._area, area
        if not self.has_image():
            return
        if area is None:
            self.frame.hide()
            if had is not None:
                self.fit_width()
            return
        self.frame.setRect(area.adjusted(-4, -4, 4, 4))
        self.frame.show()
        viewport = self.canvas.viewport()
        wide = area.width() + 3 * min(area.width(), AREA_AROUND)
        high = area.height() + 0.8 * min(area.height(), AREA_AROUND)
        wanted = min(viewport.width() / max(1.0, wide), viewport.height() / max(1.0, high))
        self._fit = False
        self._apply(max(MIN_ZOOM, min(AREA_MAX_ZOOM, wanted)))
        self.canvas.centerOn(area.center())

    def shown_area(self) -> QRectF | None:
        """The box framed on the page, in image pixels (None: none)."""
        return QRectF(self._area) if self._area is not None and self.has_image() else None

    def _turned_width(self) -> int:
        size = self.image_size()
        return size.height() if self._rotation in (90, 270) else size.width()

    def _refit(self) -> None:
        if not self.has_image():
            return
        if self._fit:
            available = self.canvas.viewport().width() - _FIT_MARGIN
            factor = max(MIN_ZOOM, min(MAX_ZOOM, available / max(1, self._turned_width())))
            self._apply(factor)
        else:
            self._apply(self._zoom)

    def _apply(self, factor: float) -> None:
        self._zoom = factor
        self.canvas.setTransform(QTransform().rotate(self._rotation).scale(factor, factor))
        self._update_zoom_label()
        self.view_changed.emit()

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(tr("scan_ui.zoom_percent", percent=round(self._zoom * 100))
                                if self.has_image() else "")

    # -- language -------------------------------------------------------------------------------

    def _retranslate(self) -> None:
        for name, button in (("zoom_out", self.zoom_out_button), ("zoom_in", self.zoom_in_button),
                             ("fit", self.fit_button), ("rotate", self.rotate_button)):
            button.setToolTip(tr(f"scan_ui.page_{name}_tip"))
            button.setAccessibleName(tr(f"scan_ui.page_{name}_tip"))
            self.actions_by_name[name].setText(tr(f"scan_ui.page_{name}_tip"))
        self.canvas.setAccessibleName(tr("scan_ui.page_accessible"))
        self.canvas.setToolTip(tr("scan_ui.page_keys"))
        if not self.has_image():
            self.placeholder.setText(self._placeholder.render())
        self._update_zoom_label()

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
