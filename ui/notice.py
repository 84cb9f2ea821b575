"""The coloured one-line notice under a screen: what just happened, and how it went.

Screens keep the notice as ``(kind, Msg)`` rather than as text, so a change of language renders
it again; this module is the one place that turns it into a label's text and colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from reentry.i18n import Msg
from ui import theme

WARNING_COLOUR = "#e65100"
CONFIRMED_COLOUR = "#8d6e00"
DONE_COLOUR = "#1b5e20"

MARKS = {"error": "✖", "warning": "⚠", "confirmed": "✔", "info": "✔"}
COLOURS = {"error": theme.ALLERGY_RED, "warning": WARNING_COLOUR,
           "confirmed": CONFIRMED_COLOUR, "info": DONE_COLOUR}


def show_notice(label: QLabel, notice: tuple[str, Msg] | None, *, marked: bool = False,
                bold: bool = True) -> None:
    """``label`` says ``notice`` in the colour of its kind (cleared when there is none).

    ``marked`` puts the kind's sign (✖ ⚠ ✔) first, for screens read from a step away.
    """
    if notice is None:
        label.clear()
        return
    kind, message = notice
    text = message.render()
    label.setText(f"{MARKS.get(kind, '')} {text}" if marked else text)
    weight = " font-weight: bold;" if bold else ""
    label.setStyleSheet(f"color: {COLOURS.get(kind, theme.TEXT)};{weight}")


def screen_labels(parent: QWidget, name: str) -> tuple[QLabel, QLabel, QLabel]:
    """The labels under a typing screen: problems (rich text), the notice, the keys to press.

    Named ``<name>_messages`` and ``<name>_notice`` so tests and style sheets find them.
    """
    messages = QLabel(parent)
    messages.setObjectName(f"{name}_messages")
    messages.setTextFormat(Qt.TextFormat.RichText)
    messages.setWordWrap(True)
    notice = QLabel(parent)
    notice.setObjectName(f"{name}_notice")
    notice.setWordWrap(True)
    keys_help = QLabel(parent)
    keys_help.setStyleSheet(f"color: {theme.MUTED};")
    keys_help.setWordWrap(True)
    return messages, notice, keys_help
