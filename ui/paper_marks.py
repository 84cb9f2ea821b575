"""How a cell of the entry screen shows what the scanned page says about it (issue 14).

A disagreement between the paper and the typing marks the cell itself, in colour *and* with a
symbol (never colour alone): ≠ the paper reads another value, + written on the paper but not
typed, ∅ typed but nothing written. Its text is the cell's tooltip and accessible description
(« Le papier semble indiquer 95 »). A reading the machine is unsure of marks nothing: the
tooltip says « Lecture incertaine », discreetly. A disagreement the typist confirmed as typed
loses its mark; the tooltip says who checked the paper. The reading is only ever shown, never
typed into the cell.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit

from reentry import clock
from reentry.domain.second_read import FieldCheck, Verdict
from reentry.i18n import tr
from ui.entry_fields import Cell, NoteEdit, display_value, field_hint

MARK_COLOUR = "#6a1b9a"  # violet: none of the error, warning, saved or banner colours
# ≠ the paper says otherwise, + the paper holds more than was typed, ∅ the paper holds nothing
SYMBOLS = {Verdict.DIFFERS: "≠", Verdict.WRITTEN_NOT_TYPED: "+", Verdict.TYPED_NOT_WRITTEN: "∅"}
# Before CELL_STYLE (a refusal's red border wins over the mark); ``:read-only`` so that a saved
# cell, read-only, keeps the mark's border over its plain one.
PAPER_STYLE = f"""
FieldEdit[paper="open"], FieldEdit[paper="open"]:read-only {{
    border: 2px solid {MARK_COLOUR}; }}
NoteEdit[paper="open"] {{ border: 2px solid {MARK_COLOUR}; }}
"""
_ACTION = "paper_mark"


def mark_text(check: FieldCheck, cell: Cell) -> str:
    """What the mark says, for the tooltip, the accessible description and the bar."""
    if check.verdict is Verdict.DIFFERS:
        value = check.reading.value
        if value is None:  # read in part: a box contradicts what is typed (« 8? », not 87)
            typed = check.typed or ""
            return tr("paper_ui.differs_partly", text=check.reading.text, typed=(
                display_value(cell.field, typed) if cell.field is not None else typed))
        shown = display_value(cell.field, value) if cell.field is not None else value
        return tr("paper_ui.differs", value=shown)
    if check.verdict in SYMBOLS:
        return tr(f"paper_ui.{check.verdict.value}")
    if check.verdict is Verdict.UNSURE:
        return tr("paper_ui.unsure")
    return ""


def _icon(symbol: str, cell: Cell) -> QIcon:
    """The symbol, bold, in the mark's colour, as large as the cell's small icons allow."""
    side = max(16, cell.fontMetrics().height())
    ratio = cell.devicePixelRatioF()
    pixmap = QPixmap(int(side * ratio), int(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont(cell.font())
    font.setBold(True)
    font.setPixelSize(int(side * 1.05))
    painter.setFont(font)
    painter.setPen(QColor(MARK_COLOUR))
    painter.drawText(QRectF(0, -side * 0.06, side, side), Qt.AlignmentFlag.AlignCenter, symbol)
    painter.end()
    return QIcon(pixmap)


def _set_property(cell: Cell, value: str) -> None:
    if cell.property("paper") != value:
        cell.setProperty("paper", value)
        cell.style().unpolish(cell)
        cell.style().polish(cell)


def _action(cell: Cell) -> QAction | None:
    return next((a for a in cell.actions() if a.objectName() == _ACTION), None)


def show_mark(cell: Cell, check: FieldCheck | None) -> None:
    """The cell as the paper sees it: marked while its disagreement is open, with the reading
    (or that the machine is unsure, or who confirmed it) in its tooltip; ``None``: nothing."""
    hint = field_hint(cell.field) if cell.field is not None else ""
    line = ""
    if check is not None and check.open:
        line = mark_text(check, cell)
    elif check is not None and check.acknowledgement is not None:
        ack = check.acknowledgement
        line = tr("paper_ui.confirmed", user=ack.username,
                  time=clock.local(ack.at).strftime("%H:%M"))
    elif check is not None and check.verdict is Verdict.UNSURE:
        line = tr("paper_ui.unsure")
    symbol = SYMBOLS.get(check.verdict) if check is not None and check.open else None
    _set_property(cell, "open" if symbol else "")
    cell.setToolTip("\n".join(t for t in (hint, line) if t))
    cell.setAccessibleDescription(line)
    if isinstance(cell, NoteEdit):
        _note_badge(cell, symbol, line)
        return
    action = _action(cell)
    if symbol is None:
        if action is not None:
            cell.removeAction(action)
            action.deleteLater()
        return
    if action is None:
        action = cell.addAction(_icon(symbol, cell), QLineEdit.ActionPosition.LeadingPosition)
        action.setObjectName(_ACTION)
        action.triggered.connect(lambda _checked=False, c=cell: c.setFocus())
    else:
        action.setIcon(_icon(symbol, cell))
    action.setData(symbol)
    action.setToolTip(line)


def _note_badge(cell: NoteEdit, symbol: str | None, line: str) -> None:
    """A note's cell has no place for an icon: the symbol goes in a margin on its left."""
    badge = cell.findChild(QLabel, _ACTION)
    if symbol is None:
        if badge is not None:
            badge.hide()
            cell.setViewportMargins(0, 0, 0, 0)
        return
    if badge is None:
        badge = QLabel(cell)
        badge.setObjectName(_ACTION)
    side = max(14, cell.fontMetrics().height())
    badge.setPixmap(_icon(symbol, cell).pixmap(side, side))
    badge.setGeometry(3, 3, side, side)
    badge.setProperty("symbol", symbol)
    badge.setToolTip(line)
    badge.show()
    cell.setViewportMargins(side + 4, 0, 0, 0)


def shown_symbol(cell: Cell) -> str | None:
    """The symbol the cell shows (for tests and screen readers), None when unmarked."""
    action = _action(cell)
    if action is not None:
        return str(action.data())
    badge = cell.findChild(QLabel, _ACTION)
    if badge is not None and not badge.isHidden():
        return str(badge.property("symbol"))
    return None
