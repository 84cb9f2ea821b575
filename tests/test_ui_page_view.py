"""The page view on a real JPEG page as the importer stores it: fitted to the width, zoomed with
the keys and the wheel, panned, turned, and what is drawn on screen follows."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication

from ui.page_view import FIT_KEYS, MAX_ZOOM, PageView

pytestmark = [pytest.mark.qt]

WIDTH, HEIGHT = 1654, 2339  # A4 at 200 dpi, the stored resolution
MARK = 300  # side of the black square drawn at the page's top left corner


def page_jpeg(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A grayscale JPEG page like the stored ones, with a black square at its top left."""
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, MARK, MARK), fill=0)
    draw.text((400, 400), "Constantes — 0000 0012 3014", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


@pytest.fixture
def view(qtbot):
    widget = PageView()
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def show(qtbot, view: PageView, data: bytes) -> bool:
    """Hand the page to the view and wait until it is decoded (off the GUI thread) and shown."""
    with qtbot.waitSignal(view.image_shown) as shown:
        assert view.set_image(data)
        assert view.is_loading() and not view.has_image()
    return shown.args[0]


def fitted_width(view: PageView) -> float:
    turned = view.image_size().height() if view.rotation() in (90, 270) else \
        view.image_size().width()
    return view.zoom() * turned


def dark(view: PageView, x: int, y: int) -> bool:
    grabbed = view.canvas.viewport().grab().toImage()
    return QColor(grabbed.pixel(x, y)).lightness() < 80


def test_a_page_is_fitted_to_the_width_and_drawn_upright(qtbot, view):
    assert show(qtbot, view, page_jpeg())
    assert view.has_image() and view.fits_width() and view.rotation() == 0
    assert (view.image_size().width(), view.image_size().height()) == (WIDTH, HEIGHT)
    available = view.canvas.viewport().width()
    assert available - 10 <= fitted_width(view) <= available
    assert view.canvas.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways
    assert view.canvas.verticalScrollBar().value() == 0  # the top of the page (its header) first
    side = round(MARK * view.zoom())
    assert dark(view, side // 2, side // 2)  # the square at the top left of the page...
    assert not dark(view, available - side // 2, side // 2)  # ...not at the top right
    assert view.zoom_label.text() == f"{round(view.zoom() * 100)} %"


def test_keys_zoom_pan_fit_and_turn_the_page(qtbot, view):
    show(qtbot, view, page_jpeg())
    fit = view.zoom()
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton)
    assert view.canvas.hasFocus()

    qtbot.keyClick(view.canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Plus)
    assert view.zoom() == pytest.approx(fit * 1.25 * 1.25)
    assert not view.fits_width()
    bar = view.canvas.horizontalScrollBar()
    assert bar.maximum() > 0  # wider than the view: it can be panned
    before = bar.value()
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert bar.value() > before

    qtbot.keyClick(view.canvas, Qt.Key.Key_Minus)
    assert view.zoom() == pytest.approx(fit * 1.25)
    qtbot.keyClick(view.canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.fits_width() and view.zoom() == pytest.approx(fit)

    qtbot.keyClick(view.canvas, Qt.Key.Key_R)
    assert view.rotation() == 90 and view.fits_width()
    available = view.canvas.viewport().width()
    assert available - 10 <= fitted_width(view) <= available  # the page's height now spans it
    side = round(MARK * view.zoom())
    # Turned clockwise, the page's top left corner is now at the top right of the view.
    assert dark(view, available - 4 - side // 2, side // 2)
    assert not dark(view, side // 2, side // 2)
    for _ in range(3):
        qtbot.keyClick(view.canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert view.rotation() == 0
    assert "0" in FIT_KEYS and "Ctrl+0" in FIT_KEYS


def test_buttons_and_ctrl_wheel_zoom_within_bounds(qtbot, view):
    show(qtbot, view, page_jpeg())
    fit = view.zoom()
    view.zoom_in_button.click()
    assert view.zoom() == pytest.approx(fit * 1.25)
    centre = QPointF(view.canvas.viewport().rect().center())
    wheel = QWheelEvent(centre, view.canvas.viewport().mapToGlobal(centre), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(view.canvas.viewport(), wheel)
    assert view.zoom() == pytest.approx(fit * 1.25 * 1.25)
    for _ in range(30):
        view.zoom_in_button.click()
    assert view.zoom() == MAX_ZOOM
    view.fit_button.click()
    assert view.zoom() == pytest.approx(fit)
    view.rotate_button.click()
    assert view.rotation() == 90


def test_the_width_is_fitted_again_when_the_view_is_resized(qtbot, view):
    show(qtbot, view, page_jpeg())
    view.resize(450, 900)
    qtbot.waitUntil(lambda: view.canvas.viewport().width() < 450)
    available = view.canvas.viewport().width()
    assert available - 10 <= fitted_width(view) <= available


@pytest.mark.qt_log_ignore("Invalid JPEG file structure")  # Qt's decoder says why it fails
def test_only_the_page_on_screen_is_kept_and_a_missing_or_damaged_page_says_so(qtbot, view):
    assert show(qtbot, view, page_jpeg())
    assert show(qtbot, view, page_jpeg(1100, 1500))
    assert view.image_size().width() == 1100  # the previous page is gone, not kept aside
    assert view.placeholder_text() == ""

    assert not view.set_image(None)
    assert not view.has_image() and not view.is_loading()
    assert view.placeholder_text() == "Pas de page numérisée."
    assert not view.zoom_in_button.isEnabled()

    assert not show(qtbot, view, page_jpeg()[:200])  # a truncated JPEG
    assert "illisible" in view.placeholder_text()


def test_a_page_asked_for_replaces_at_once_the_one_before_and_a_late_decode_is_dropped(
        qtbot, view):
    show(qtbot, view, page_jpeg())
    shown = []
    view.image_shown.connect(lambda ok: shown.append((ok, view.image_size().width())))
    view.set_image(page_jpeg(1200, 1700))  # another sheet's page, still decoding...
    assert not view.has_image()  # ...and the page before is already off the screen
    assert view.placeholder_text() == "Chargement de la page…"
    view.clear()  # that sheet was closed before its page came
    with qtbot.waitSignal(view.image_shown):
        view.set_image(page_jpeg(1000, 1400))
    assert shown == [(True, 1000)]  # the page asked for last, never the dropped one
