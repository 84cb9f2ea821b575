"""Colours and sizes of the application: calm at 3 a.m., loud only where it matters."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget

# Ward PCs are read from a step away: never smaller than this.
MIN_POINT_SIZE = 11.0

TEXT = "#1f2933"
MUTED = "#52606d"
PANEL = "#eef2f6"
BORDER = "#9aa5b1"
ALLERGY_RED = "#c62828"
ALLERGY_BACKGROUND = "#fff5f5"
WARNING_BACKGROUND = "#ffc107"
WARNING_TEXT = "#000000"
PROVISIONAL_IDENTITY = "#b45309"

# Taller rows in the ward and patient lists: easier to read and to click at arm's length.
ROW_STYLE = "QTreeView::item { padding: 4px 2px; }"


def enlarge_application_font(app: QApplication) -> None:
    font = app.font()
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
        app.setFont(font)


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    """The widget's font, ``factor`` times larger, for headings and the patient's name."""
    font = QFont(widget.font())
    font.setPointSizeF(max(font.pointSizeF(), 1.0) * factor)
    font.setBold(bold)
    return font


def error_label(parent: QWidget, object_name: str) -> QLabel:
    """Where a form says what is wrong: bold, in the alert red, wrapped (the one look of every
    refusal shown beside a field or in a dialog)."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ALLERGY_RED}; font-weight: bold;")
    return label
