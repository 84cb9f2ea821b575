"""Scanning a sheet's barcode from anywhere in the re-entry window.

A keyboard-wedge scanner "types" the code's digits a few milliseconds apart and ends with Enter
(or Tab). ``ScanCapture`` watches every key press of the window at the application level: a digit
is held back only until the next key shows whether it belongs to such a burst. A burst of at
least twelve digits closed by the scanner's suffix is swallowed whole and reported as
``scanned(code)``, so nothing lands in the field that had the focus; anything slower (a nurse
typing « 120 ») is replayed into the widget it was meant for, in order, unchanged.

``CodeBar`` is the visible way in: a field to type a code by hand (Ctrl+L or F2 reaches it) and
the red banner that says why a code opened nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reentry.barcodes import CODE_LENGTH
from reentry.i18n import tr
from ui import theme
from ui.language import is_language_change

# Scanners send a key every 1-15 ms; people, even fast typists, rarely under 40 ms.
DEFAULT_MAX_INTERVAL_MS = 35
_SUFFIX_KEYS = {
    "enter": (Qt.Key.Key_Return, Qt.Key.Key_Enter),
    "tab": (Qt.Key.Key_Tab,),
}
_DIGIT_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


@dataclass(frozen=True)
class ScanSettings:
    """How the ward's scanners behave (settings keys ``scan_max_interval_ms``,
    ``scan_min_digits``, ``scan_prefix`` and ``scan_suffix``: "enter", "tab", "enter,tab" or
    "none" when the scanner sends no suffix and a pause ends the code)."""

    max_interval_ms: int = DEFAULT_MAX_INTERVAL_MS
    min_digits: int = CODE_LENGTH
    prefix: str = ""
    suffix: str = "enter,tab"

    @classmethod
    def from_settings(cls, settings: object) -> ScanSettings:
        """The scan keys of the application settings, where they exist; defaults otherwise."""
        default = cls()
        return cls(
            max_interval_ms=int(getattr(settings, "scan_max_interval_ms",
                                        default.max_interval_ms)),
            min_digits=int(getattr(settings, "scan_min_digits", default.min_digits)),
            prefix=str(getattr(settings, "scan_prefix", default.prefix)),
            suffix=str(getattr(settings, "scan_suffix", default.suffix)))

    @property
    def suffix_keys(self) -> frozenset[int]:
        names = (part.strip().casefold() for part in self.suffix.split(","))
        return frozenset(int(key.value) for name in names for key in _SUFFIX_KEYS.get(name, ()))


def _copy(event: QKeyEvent) -> QKeyEvent:
    return QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(),
                     event.isAutoRepeat(), event.count())


def _address(event: QEvent) -> int:
    return int(shiboken6.getCppPointer(event)[0])


def _belongs_to(widget: QWidget, scope: QWidget) -> bool:
    """``widget`` is ``scope`` or inside it, dialogs of ``scope`` included."""
    current: QWidget | None = widget
    while current is not None:
        if current is scope:
            return True
        current = current.parentWidget()
    return False


class ScanCapture(QObject):
    """Application-level event filter turning scanner bursts into ``scanned(code)``.

    Only key presses aimed at ``scope`` (the re-entry window and its dialogs) are looked at, so
    the viewer and other windows keep their keys.
    """

    scanned = Signal(str)
    _burst = Signal(str)  # queued: the sheet opens after the key event is over, never inside it

    def __init__(self, scope: QWidget, settings: ScanSettings | None = None) -> None:
        super().__init__(scope)
        self.scope = scope
        self.settings = settings or ScanSettings()
        self._held: list[tuple[QWidget, QKeyEvent]] = []
        self._last_press = 0.0
        self._replaying = False
        self._passed: tuple[int, QWidget] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.settings.max_interval_ms)
        self._timer.timeout.connect(self._pause)
        self._burst.connect(self.scanned.emit, Qt.ConnectionType.QueuedConnection)
        self._installed = False

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self._release()

    # -- the filter -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) or self._replaying
                or not isinstance(watched, QWidget) or not _belongs_to(watched, self.scope)):
            return False
        assert isinstance(event, QKeyEvent)
        if kind == QEvent.Type.ShortcutOverride:
            self._before_shortcut(event)
            return False
        if self._is_propagation(watched, event):
            return False
        if self._take(watched, event):
            event.accept()
            return True
        self._passed = (_address(event), watched)
        return False

    def _before_shortcut(self, event: QKeyEvent) -> None:
        """Ctrl+S right after « 97 »: the digits reach their cell before the row is saved."""
        if self._held and not self._continues(event) and (
                event.key() not in self.settings.suffix_keys or not self._full_code()):
            self._release()

    def _is_propagation(self, watched: QWidget, event: QKeyEvent) -> bool:
        """The key we let through, ignored by its widget, now offered to a parent: not new."""
        if self._passed is None:
            return False
        address, child = self._passed
        return (address == _address(event) and shiboken6.isValid(child)
                and child is not watched and _belongs_to(child, watched))

    def _take(self, receiver: QWidget, event: QKeyEvent) -> bool:
        """True when the key is held back or swallowed; False lets it through (after replaying
        what was held, so the widget gets every key in the order it was typed)."""
        now = time.monotonic()
        if self._held and (now - self._last_press) * 1000 > self.settings.max_interval_ms:
            self._release()  # the previous key came slowly: it was typed, not scanned
        if event.isAutoRepeat():
            self._release()
            return False
        if event.key() in self.settings.suffix_keys and self._full_code():
            self._finish()
            return True
        if self._continues(event):
            self._held.append((receiver, _copy(event)))
            self._last_press = now
            self._timer.start()
            return True
        self._release()
        return False

    def _continues(self, event: QKeyEvent) -> bool:
        position, prefix, text = len(self._held), self.settings.prefix, event.text()
        if position < len(prefix):
            return text == prefix[position]
        extra = event.modifiers() & ~_DIGIT_MODIFIERS
        return len(text) == 1 and text.isascii() and text.isdigit() and not extra

    def _digits(self) -> str:
        texts = "".join(event.text() for _, event in self._held)
        return texts[len(self.settings.prefix):]

    def _full_code(self) -> bool:
        return len(self._held) >= len(self.settings.prefix) + self.settings.min_digits

    def _finish(self) -> None:
        code = self._digits()
        self._held.clear()
        self._timer.stop()
        self._burst.emit(code)

    def _pause(self) -> None:
        """No key for a while: a code without suffix is complete; anything else was typed."""
        if not self.settings.suffix_keys and self._full_code():
            self._finish()
        else:
            self._release()

    def _release(self) -> None:
        held, self._held = self._held, []
        self._timer.stop()
        self._replaying = True
        try:
            for receiver, event in held:
                if shiboken6.isValid(receiver):  # a widget deleted meanwhile gets nothing
                    QApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False


class CodeBar(QWidget):
    """A field to type a sheet's code by hand, and the banner that refuses a doubtful one."""

    code_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("code_bar")
        self.caption = QLabel(self)
        self.field = QLineEdit(self)
        self.field.setObjectName("code_field")
        self.field.setMaxLength(40)
        self.field.setMinimumWidth(220)
        self.field.returnPressed.connect(self._submit)
        self.caption.setBuddy(self.field)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._submit)
        self.banner = QLabel(self)
        self.banner.setObjectName("refusal_banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(
            f"#refusal_banner {{ background: {theme.ALLERGY_RED}; color: white;"
            " font-weight: bold; padding: 8px; border-radius: 4px; }")
        self.banner.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.caption)
        row.addWidget(self.field, 1)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.banner)
        self._retranslate()

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def show_refusal(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def clear_refusal(self) -> None:
        self.banner.clear()
        self.banner.hide()

    def refusal_text(self) -> str | None:
        return self.banner.text() if not self.banner.isHidden() else None

    def _submit(self) -> None:
        text = self.field.text().strip()
        if text:
            self.field.clear()
            self.code_entered.emit(text)

    def _retranslate(self) -> None:
        self.caption.setText(tr("entry_ui.code_caption"))
        self.field.setPlaceholderText(tr("entry_ui.code_placeholder"))
        self.field.setToolTip(tr("entry_ui.code_tooltip"))
        self.open_button.setText(tr("entry_ui.code_open"))

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
