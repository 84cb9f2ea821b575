"""One typed cell of the entry screen, and how a stored value reads again in it.

Every cell is typed, whatever the field's type: the nurse copies what the paper says and the
form definition's checks do the parsing (« 37,5 », « 14h05 », « refusé », or the answer's one
key, « A »). A choice also has a drop-down for the mouse (or Alt+↓), gone while the cell is
read-only (a saved row), and is as wide as its longest answer in either language, so that every
answer reads whole (« réagit à la douleur », not « réagit à la vo »). A note written on several
lines of paper gets a multi-line cell (``NoteEdit``) that opens on the start of its text. Enter,
the arrows and Escape are handed to the row, which knows what "next" means on this sheet; so is
Tab when the row wants to decide (``tab_handler``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import QLineEdit, QMenu, QPlainTextEdit, QStyle, QWidget

from reentry import clock, display
from reentry.formdefs_model import Choice, FieldDefinition, FieldType
from reentry.formdefs_values import choice_text
from reentry.i18n import LANGUAGES, tr

CELL_WIDTH = 64  # pixels per unit of the definition's ``width``
NOTE_LINES_SHOWN = 3  # a long note scrolls inside its cell beyond this

# Look of a cell by what its check said; set as a dynamic property, styled by the entry screen.
STATE_ERROR, STATE_WARNING, STATE_CONFIRMED, STATE_SAVED = "error", "warning", "confirmed", "saved"
CELL_STYLE = """
FieldEdit[state="error"] { border: 2px solid #c62828; background: #ffebee; }
FieldEdit[state="warning"] { border: 2px solid #e65100; background: #fff3e0; }
FieldEdit[state="confirmed"] { border: 2px solid #e65100; background: #fffde7; }
FieldEdit[state="saved"] { background: #e8f5e9; color: #1b5e20; }
FieldEdit:read-only { border: 1px solid #c5cdd5; }
NoteEdit[state="error"] { border: 2px solid #c62828; background: #ffebee; }
NoteEdit[state="warning"] { border: 2px solid #e65100; background: #fff3e0; }
NoteEdit[state="confirmed"] { border: 2px solid #e65100; background: #fffde7; }
NoteEdit[state="saved"] { background: #e8f5e9; color: #1b5e20; }
"""

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


# Tab (True) or Shift+Tab (False) in a cell: True when the owner moved the focus itself.
TabHandler = Callable[[bool], bool]


def keyed_choices(field: FieldDefinition | None) -> tuple[Choice, ...]:
    """The answers of a choice field that has one key per answer (the MAR's A / N / R)."""
    if field is None or field.type is not FieldType.CHOICE:
        return ()
    return field.choices if all(c.key for c in field.choices) else ()


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
        self.tab_handler: TabHandler | None = None
        self.choices_action: QAction | None = None
        self.setProperty("state", "")
        if field is not None:
            self.setObjectName(f"cell_{field.id}")
            self.setMinimumWidth(int(CELL_WIDTH * max(field.width, 1.0)))
            if field.max_length:
                self.setMaxLength(field.max_length)
            if field.type is FieldType.CHOICE:
                self._add_choices_button()
            self.retranslate()

    def retranslate(self) -> None:
        """A date's cell shows how the paper's comb asks for it (« jj/mm/aaaa ») while empty."""
        if self.field is not None and self.field.type is FieldType.DATE:
            self.setPlaceholderText(tr("entry_ui.date_placeholder"))

    def set_state(self, state: str) -> None:
        _set_state(self, state)

    def state(self) -> str:
        return _state(self)

    def show_start(self) -> None:
        """A long value reopened reads from its beginning, not its end."""
        self.setCursorPosition(0)

    # -- choices --------------------------------------------------------------------------------

    def _add_choices_button(self) -> None:
        assert self.field is not None
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown)
        self.choices_action = self.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.choices_action.triggered.connect(self.show_choices)
        keys = [c.key for c in keyed_choices(self.field) if c.key]
        if keys:
            self.setPlaceholderText(" / ".join(keys))
        # As wide as its longest answer (or its keys, « A / V / P / U ») and the button, in
        # either language, whatever width the paper gives its tick boxes: a saved row shows the
        # answer in full, and so does a row being typed once its key is spelt out.
        metrics = self.fontMetrics()
        longest = max([metrics.horizontalAdvance(c.label_in(lang)) for c in self.field.choices
                       for lang in LANGUAGES] + [metrics.horizontalAdvance(self.placeholderText())])
        button = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) + 20
        self.setMinimumWidth(max(CELL_WIDTH, longest + button))

    def changeEvent(self, event: QEvent) -> None:
        """A saved (read-only) choice opens no drop-down: its button's place goes to the answer,
        and to the paper's mark when there is one; it comes back when the row is corrected."""
        if event.type() == QEvent.Type.ReadOnlyChange and self.choices_action is not None:
            self.choices_action.setVisible(not self.isReadOnly())
        super().changeEvent(event)

    def choices_menu(self) -> QMenu:
        """The answers as a menu, « A = administré » when they have keys; picking one types it."""
        menu = QMenu(self)
        menu.setObjectName("choices_menu")
        assert self.field is not None
        for choice in self.field.choices:
            action = menu.addAction(choice_text(choice))
            action.triggered.connect(partial(self._pick, choice.label_in()))
        return menu

    def show_choices(self) -> None:
        if self.isReadOnly() or self.field is None:
            return
        menu = self.choices_menu()
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.mapToGlobal(QPoint(0, self.height())))

    def _pick(self, label: str, _checked: bool = False) -> None:
        self.setFocus(Qt.FocusReason.PopupFocusReason)
        self.setText(label)
        self.textEdited.emit(label)

    def spell_out_key(self) -> None:
        """A key typed alone (« a ») reads as its answer (« administré ») once the cell is left."""
        typed = self.text().strip().casefold()
        choice = next((c for c in keyed_choices(self.field)
                       if c.key and c.key.casefold() == typed), None)
        if choice is not None and not self.isReadOnly():
            label = choice.label_in()
            self.setText(label)
            self.textEdited.emit(label)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.spell_out_key()
        super().focusOutEvent(event)

    def _key_replaces(self, typed: str) -> bool:
        """A one-key answer typed after something that no answer begins with (« x », a key
        already typed, « administré »): the key replaces it, as the paper's other box is ticked
        instead, rather than « xa » refused. Typing an answer in full (« non administré »)
        still reads letter by letter."""
        choices = keyed_choices(self.field)
        if (not choices or len(typed) != 1 or not self.text() or self.hasSelectedText()
                or self.cursorPosition() != len(self.text())):
            return False
        if not any(c.key and c.key.casefold() == typed.casefold() for c in choices):
            return False
        longer = (self.text() + typed).casefold()
        return not any(c.label_in(lang).casefold().startswith(longer)
                       for c in choices for lang in LANGUAGES)

    # -- keys -----------------------------------------------------------------------------------

    def focusNextPrevChild(self, forward: bool) -> bool:
        if self.tab_handler is not None and self.tab_handler(forward):
            return True
        return super().focusNextPrevChild(forward)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if (key == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
                and self.choices_action is not None):
            self.show_choices()
            event.accept()
            return
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
        if not self.isReadOnly() and self._key_replaces(event.text()):
            self.setText(event.text())
            self.textEdited.emit(event.text())
            event.accept()
            return
        super().keyPressEvent(event)


class NoteEdit(QPlainTextEdit):
    """A cell for a note written on several lines of paper: wraps, shows a few lines and opens
    on the start of the text. Same signals and methods as ``FieldEdit``; Enter goes on as in
    every cell, Shift+Enter starts a new line, ↑ ↓ leave the cell from its first / last line."""

    advance = Signal()
    move_row = Signal(int)
    escape = Signal()
    textEdited = Signal(str)  # typed by the person, as QLineEdit's (not when set by code)

    def __init__(self, field: FieldDefinition, parent: QWidget | None = None,
                 owner: object = None) -> None:
        super().__init__(parent)
        self.field = field
        self.owner = owner
        self.tab_handler: TabHandler | None = None
        self._setting = False
        self.setProperty("state", "")
        self.setObjectName(f"cell_{field.id}")
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setMinimumWidth(int(CELL_WIDTH * max(field.width, 1.0)))
        lines = max(2, min(field.lines, NOTE_LINES_SHOWN))
        margins = self.contentsMargins()
        self.setFixedHeight(int(self.fontMetrics().lineSpacing() * lines
                                + 2 * self.document().documentMargin()
                                + margins.top() + margins.bottom() + 2))
        self.textChanged.connect(self._changed)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self._setting = True
        try:
            self.setPlainText(text)
        finally:
            self._setting = False
        self.show_start()

    def show_start(self) -> None:
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.verticalScrollBar().setValue(0)

    def _changed(self) -> None:
        if not self._setting:
            self.textEdited.emit(self.toPlainText())

    def set_state(self, state: str) -> None:
        _set_state(self, state)

    def state(self) -> str:
        return _state(self)

    def focusNextPrevChild(self, forward: bool) -> bool:
        if self.tab_handler is not None and self.tab_handler(forward):
            return True
        return super().focusNextPrevChild(forward)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in _ENTER_KEYS and modifiers == Qt.KeyboardModifier.ShiftModifier:
            self.insertPlainText("\n")  # a new line of the note
            event.accept()
            return
        if not modifiers:
            cursor = self.textCursor()
            if key in _ENTER_KEYS:
                self.advance.emit()
            elif key == Qt.Key.Key_Escape:
                self.escape.emit()
            elif key == Qt.Key.Key_Up and not cursor.movePosition(
                    QTextCursor.MoveOperation.Up):
                self.move_row.emit(-1)
            elif key == Qt.Key.Key_Down and not cursor.movePosition(
                    QTextCursor.MoveOperation.Down):
                self.move_row.emit(1)
            else:
                super().keyPressEvent(event)
                return
            event.accept()
            return
        super().keyPressEvent(event)


Cell = FieldEdit | NoteEdit


def _set_state(cell: QWidget, state: str) -> None:
    """A cell's ``state`` property (saved, error, warning, confirmed): its style follows."""
    if cell.property("state") != state:
        cell.setProperty("state", state)
        cell.style().unpolish(cell)
        cell.style().polish(cell)


def _state(cell: QWidget) -> str:
    return str(cell.property("state") or "")


def cell_for(field: FieldDefinition, parent: QWidget, owner: object) -> Cell:
    """The cell a field gets: several lines for a note written on several lines of paper."""
    if field.type is FieldType.TEXT and field.lines > 1:
        return NoteEdit(field, parent, owner)
    return FieldEdit(field, parent, owner)


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
        lines.append(tr("entry_ui.hint_choices",
                        choices=", ".join(choice_text(c) for c in field.choices)))
    if field.type is FieldType.BOOLEAN:
        lines.append(tr("entry_ui.hint_boolean"))
    if field.required:
        lines.append(tr("entry_ui.hint_required"))
    return "\n".join(lines)
