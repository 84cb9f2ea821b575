"""Keyboard shortcuts of a screen: active while the focus is anywhere inside it, not elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ui.slots import discarding


def add_shortcut(widget: QWidget, keys: Iterable[QKeySequence.StandardKey | str],
                 slot: Callable[[], object]) -> QAction:
    """``keys`` call ``slot`` while the focus is in ``widget`` or one of its children.

    Scoped to the widget so that two screens stacked in one window (entry, check, decision)
    never answer each other's F9 or Ctrl+S.
    """
    action = QAction(widget)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(discarding(slot))  # whatever ``slot`` returns stays in Python
    widget.addAction(action)
    return action
