"""One typed cell of the entry screen, and how a stored value reads again in it.

Every cell is a line edit, whatever the field's type: the nurse copies what the paper says and
the form definition's checks do the parsing (« 37,5 », « 14h05 », « refusé »). Enter, the arrows
and Escape are handed to the row, which knows what "next" means on this sheet.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from reentry import clock, display
from reentry.formdefs_model import FieldDefinition, FieldType
from reentry.i18n import tr

CELL_WIDTH = 64  # pixels per unit of the definition's ``width``

# Look of a cell by what its check said; set as a dynamic property, styled by the entry screen.
STATE_ERROR, STATE_WARNING, STATE_CONFIRMED, STATE_SAVED = "error", "warning", "confirmed", "saved"
CELL_STYLE = """
FieldEdit[state="error"] { border: 2px solid #c62828; background: #ffebee; }
FieldEdit[state="warning"] { border: 2px solid #e65100; background: #fff3e0; }
FieldEdit[state="confirmed"] { border: 2px solid #e65100; background: #fffde7; }
FieldEdit[state="saved"] { background: #e8f5e9; color: #1b5e20; }
FieldEdit:read-only { border: 1px solid #c5cdd5; }
"""

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FieldEdit(QLineEdit):
    """A cell for ``field`` (``None``: the reason of a correction)."""

    advance = Signal()  # Enter: next cell, confirm a warning, or save at the end of the row
    move_row = Signal(int)  # Up / Down: the same cell one row above / below
    escape = Signal()

    def __init__(self, field: FieldDefinition | None, parent: QWidget | None = None,
                 owner: object = None) -> None:
        super().__init__(parent)
        self.field = field
        self.owner = owner  # the row this cell belongs to
        self.setProperty("state", "")
        if field is not None:
            self.setObjectName(f"cell_{field.id}")
            self.setMinimumWidth(int(CELL_WIDTH * max(field.width, 1.0)))
            if field.max_length:
                self.setMaxLength(field.max_length)

    def set_state(self, state: str) -> None:
        if self.property("state") != state:
            self.setProperty("state", state)
            self.style().unpolish(self)
            self.style().polish(self)

    def state(self) -> str:
        return str(self.property("state") or "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if key in _ENTER_KEYS:
                self.advance.emit()
                event.accept()
                return
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.move_row.emit(-1 if key == Qt.Key.Key_Up else 1)
                event.accept()
                return
            if key == Qt.Key.Key_Escape:
                self.escape.emit()
                event.accept()
                return
        super().keyPressEvent(event)


def display_value(field: FieldDefinition, stored: str) -> str:
    """A stored (canonical) value as the nurse would type it again: « 37,5 », « administré »."""
    try:
        if field.type is FieldType.DECIMAL:
            return display.format_number(float(stored))
        if field.type is FieldType.CHOICE:
            choice = field.choice(stored)
            return choice.label_in() if choice else stored
        if field.type is FieldType.BOOLEAN:
            return tr("entry_ui.yes") if stored == "true" else tr("entry_ui.no")
        if field.type is FieldType.DATE:
            return display.date_text(date.fromisoformat(stored))
        if field.type is FieldType.DATETIME:
            return clock.format_local(datetime.fromisoformat(stored), with_zone=False)
    except ValueError:
        return stored
    return stored


def header_text(field: FieldDefinition) -> str:
    """Column heading as on paper, with the unit: « FC (/min) »."""
    unit = display.unit_text(field.unit)
    label = field.short_label_in()
    return tr("entry_ui.heading_with_unit", label=label, unit=unit) if unit else label


def field_hint(field: FieldDefinition) -> str:
    """What the cell accepts, for its tooltip: full label, unit and limits, or the choices."""
    unit = display.unit_text(field.unit)
    lines = [field.label_in()]
    if field.range is not None:
        lines.append(tr("entry_ui.hint_range", min=display.format_number(field.range.min),
                        max=display.format_number(field.range.max), unit=unit))
    if field.choices:
        lines.append(tr("entry_ui.hint_choices", choices=", ".join(
            tr("entry_ui.hint_choice", code=c.code, label=c.label_in()) for c in field.choices)))
    if field.type is FieldType.BOOLEAN:
        lines.append(tr("entry_ui.hint_boolean"))
    if field.required:
        lines.append(tr("entry_ui.hint_required"))
    return "\n".join(lines)
