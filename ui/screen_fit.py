"""Windows that open no larger than the screen they are on (a ward PC: 1,366 × 768)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget


def fitting_size(window: QWidget, width: int, height: int) -> QSize:
    """``width`` × ``height``, or the screen's free area when smaller (the task bar and the
    window frame left out), so that nothing opens cut off."""
    screen = window.screen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    frame = 40  # title bar and borders the window manager adds
    return QSize(min(width, free.width()), min(height, max(200, free.height() - frame)))
