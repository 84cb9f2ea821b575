"""Rows and sections of the entry screen, built from the form definition in paper order.

A ``RowEditor`` is one line of a paper table (or one fixed box section): its typed cells, the
read-only cells the print station pre-filled (the MAR's drug, dose, route, planned time), its
state (blank, typed, saved, being corrected) and the warnings the nurse has confirmed. A
``SectionView`` lays the rows of one section out as on paper.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from reentry import clock
from reentry.domain.entry import Entry
from reentry.formdefs_model import ExportRole, Section
from reentry.formdefs_values import ValueCheck, validate_value
from reentry.i18n import Msg, msg, tr
from ui import theme
from ui.entry_fields import (
    CELL_WIDTH,
    STATE_CONFIRMED,
    STATE_ERROR,
    STATE_SAVED,
    STATE_WARNING,
    Cell,
    FieldEdit,
    cell_for,
    display_value,
    field_hint,
    header_text,
)

REASON_KEY = "_reason"  # a correction's reason in a draft row (field ids never start with "_")
REASON_WIDTH = 150  # the correction's reason takes the status column's place


def is_sheet_section(section: Section) -> bool:
    """The sheet's own values (its date), typed once and used by every row."""
    return not section.repeated and all(f.export == ExportRole.EVENT_DATE
                                        for f in section.fields)


class RowEditor(QObject):
    """One row: typed cells, pre-filled cells, saved entry, correction, confirmed warnings."""

    edited = Signal(object)  # the row, after any typed change

    def __init__(self, section: Section, row_index: int, prefilled: dict[str, str],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.section = section
        self.row_index = row_index
        self.key = f"{section.id}:{row_index}"
        self.cells: dict[str, Cell] = {}
        self.fixed: dict[str, QLabel] = {}
        self.entry: Entry | None = None
        self.correcting = False
        self._confirmed: dict[str, str] = {}  # field id → the text whose warning was confirmed
        self._prefilled = {f.id: prefilled.get(f.id, "") for f in section.fields
                           if not f.readonly}  # printed in an editable box (the ward code)
        self._loading = False
        self.status_cell: QWidget | None = None  # the reason's and status's box (section view)
        self._before: dict[str, str] = {}  # the sheet's date as saved, while it is corrected
        for field in section.fields:
            if field.readonly:
                label = QLabel(prefilled.get(field.id, ""), parent)
                label.setObjectName(f"fixed_{field.id}")
                label.setMinimumWidth(int(CELL_WIDTH * max(field.width, 1.0) * 0.75))
                label.setStyleSheet(f"color: {theme.TEXT}; padding: 0 4px;")
                self.fixed[field.id] = label
            else:
                cell = cell_for(field, parent, owner=self)
                cell.setText(prefilled.get(field.id, ""))
                cell.textEdited.connect(self._typed)
                self.cells[field.id] = cell
        self.reason = FieldEdit(None, parent, owner=self)
        self.reason.setObjectName("correction_reason")
        self.reason.setMinimumWidth(REASON_WIDTH)
        self.reason.textEdited.connect(self._typed)
        self.reason.hide()
        self.status = QLabel(parent)
        self.status.setObjectName("row_status")
        self.status.setMinimumWidth(1)  # the column is as wide as the longest status (below)
        self.refresh_status()

    # -- what the row holds ---------------------------------------------------------------------

    @property
    def recordable(self) -> bool:
        return not is_sheet_section(self.section)

    @property
    def saved(self) -> bool:
        return self.entry is not None and not self.correcting

    def values(self) -> dict[str, str]:
        """Every cell as typed or pre-filled, by field id, for the service."""
        values = {field_id: label.text() for field_id, label in self.fixed.items()}
        values.update({field_id: cell.text() for field_id, cell in self.cells.items()})
        return values

    def typed(self) -> dict[str, str]:
        """What the nurse typed and has not saved yet, for the draft."""
        if self.saved:
            return {}
        typed = {field_id: cell.text() for field_id, cell in self.cells.items()
                 if cell.text().strip() != self._prefilled[field_id].strip()}
        if self.correcting and (self.reason.text() or not self.recordable):
            typed[REASON_KEY] = self.reason.text()  # the date's correction, even before it
        return typed

    def sheet_values(self) -> dict[str, str]:
        """The sheet's date its rows are saved with: while it is being corrected, the one
        they still have (a row saved meanwhile must not take a date not stored yet)."""
        if self.correcting and not self.recordable:
            return dict(self._before)
        return {field_id: cell.text() for field_id, cell in self.cells.items()}

    def correcting_from(self, saved: dict[str, str]) -> None:
        """A correction of the sheet's date taken back from a draft: ``saved`` is the date its
        rows have (Escape puts it back)."""
        self._before = dict(saved)

    def is_blank(self) -> bool:
        """Nothing typed beyond what the print station printed."""
        return all(cell.text().strip() == self._prefilled[field_id].strip()
                   for field_id, cell in self.cells.items())

    def has_unsaved_text(self) -> bool:
        if self.correcting:
            return True
        return self.recordable and self.entry is None and not self.is_blank()

    def editable(self) -> list[Cell]:
        """The cells Enter and Tab go through, in paper order."""
        if self.saved:
            return []
        cells = [cell for cell in self.cells.values() if not cell.isReadOnly()]
        return cells + ([self.reason] if self.correcting else [])

    def first_cell(self) -> Cell | None:
        editable = self.editable()
        if editable:
            return editable[0]
        return next(iter(self.cells.values()), None)

    def next_cell(self, cell: Cell) -> Cell | None:
        editable = self.editable()
        if cell not in editable:
            return None
        index = editable.index(cell)
        return editable[index + 1] if index + 1 < len(editable) else None

    # -- filling --------------------------------------------------------------------------------

    def load_typed(self, values: dict[str, str]) -> None:
        """Values from a draft, as they were typed (no draft save is triggered)."""
        self._loading = True
        try:
            if values and (self.entry is not None
                           or not self.recordable and REASON_KEY in values):
                self.start_correction()
                self.reason.setText(values.get(REASON_KEY, ""))
            for field_id, text in values.items():
                if field_id in self.cells:
                    self.cells[field_id].setText(text)
                    self.cells[field_id].show_start()
        finally:
            self._loading = False
        self.check_cells()
        self.refresh_status()

    def refill(self, prefilled: dict[str, str]) -> None:
        """The row as on another sheet just printed: ``prefilled`` in its cells, nothing typed,
        saved, confirmed or being corrected (a laid-out form reused for the next sheet)."""
        self._prefilled = {f.id: prefilled.get(f.id, "") for f in self.section.fields
                           if not f.readonly}
        for field_id, label in self.fixed.items():
            label.setText(prefilled.get(field_id, ""))
        for field_id, cell in self.cells.items():
            cell.setText(prefilled.get(field_id, ""))  # also forgets the cell's undo history
        self.set_saved(None)

    def set_saved(self, entry: Entry | None) -> None:
        """Show ``entry`` (the active one of this row) as saved and read-only."""
        self.entry = entry
        self.correcting = False
        self._before = {}
        self._confirmed.clear()
        self.reason.clear()
        self.reason.hide()
        if not self.recordable and self.status_cell is not None:
            self.status_cell.hide()
        for field_id, cell in self.cells.items():
            if entry is not None:
                stored = entry.values.get(field_id)
                cell.setText(display_value(cell.field, stored) if stored and cell.field else "")
                cell.show_start()
            cell.setReadOnly(entry is not None)
            cell.setFocusPolicy(Qt.FocusPolicy.ClickFocus if entry is not None
                                else Qt.FocusPolicy.StrongFocus)
            cell.set_state(STATE_SAVED if entry is not None else "")
        self.refresh_status()

    def lock(self, locked: bool) -> None:
        """The sheet's date once rows were saved with it: changing it would split the sheet."""
        for cell in self.cells.values():
            cell.setReadOnly(locked)
            cell.setFocusPolicy(Qt.FocusPolicy.ClickFocus if locked
                                else Qt.FocusPolicy.StrongFocus)

    def start_correction(self) -> None:
        """F4: a saved row typed again with a reason; on the sheet's date locked by its saved
        rows, the date typed anew for all of them (``reentry.entry.redate``)."""
        if not self.recordable and not self.correcting:
            self._before = {field_id: cell.text() for field_id, cell in self.cells.items()}
        self.correcting = True
        for cell in self.cells.values():
            cell.setReadOnly(False)
            cell.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            cell.set_state("")
        self.reason.show()
        if self.status_cell is not None:
            self.status_cell.show()
        self.refresh_status()

    def cancel_correction(self) -> None:
        if self.recordable:
            self.set_saved(self.entry)
            return
        for field_id, text in self._before.items():  # the date its rows keep
            self.cells[field_id].setText(text)
            self.cells[field_id].show_start()
        self.end_redating()

    def end_redating(self) -> None:
        """The sheet's date locked again: its rows were re-dated, or the correction dropped."""
        self.correcting = False
        self._before = {}
        self._confirmed.clear()
        self.reason.clear()
        self.reason.hide()
        if self.status_cell is not None:
            self.status_cell.hide()
        for cell in self.cells.values():
            cell.set_state("")
        self.lock(True)
        self.refresh_status()

    # -- checks as typed ------------------------------------------------------------------------

    def check(self, cell: Cell) -> ValueCheck | None:
        if cell.field is None or cell.isReadOnly() and self.saved:
            return None
        return validate_value(cell.field, cell.text(), required=False)

    def is_confirmed(self, cell: Cell) -> bool:
        return cell.field is not None and self._confirmed.get(cell.field.id) == cell.text()

    def confirm_warning(self, cell: Cell) -> bool:
        """Enter on a value outside the plausible range confirms it; True if it did."""
        check = self.check(cell)
        if check is None or not check.needs_confirmation or self.is_confirmed(cell):
            return False
        assert cell.field is not None
        self._confirmed[cell.field.id] = cell.text()
        self.check_cells()
        return True

    def confirmed_fields(self) -> frozenset[str]:
        return frozenset(field_id for field_id, cell in self.cells.items()
                         if self._confirmed.get(field_id) == cell.text())

    def check_cells(self) -> None:
        if self.saved:
            return
        for cell in self.cells.values():
            check = self.check(cell)
            if check is None or check.ok and check.warning is None:
                cell.set_state("")
            elif check.error is not None:
                cell.set_state(STATE_ERROR)
            else:
                cell.set_state(STATE_CONFIRMED if self.is_confirmed(cell) else STATE_WARNING)

    def problems(self) -> list[tuple[str, Msg]]:
        """What the cells say now, in paper order: ("error" | "warning" | "confirmed", text)."""
        found: list[tuple[str, Msg]] = []
        for cell in self.cells.values():
            check = self.check(cell)
            if check is None:
                continue
            if check.error is not None:
                found.append(("error", check.error))
            elif check.warning is not None:
                kind = "confirmed" if self.is_confirmed(cell) else "warning"
                found.append((kind, check.warning))
        return found

    def mark_refused(self, field_ids: set[str]) -> None:
        """Cells the service refused (a required cell left empty, a time in the future)."""
        for field_id in field_ids:
            if field_id in self.cells:
                self.cells[field_id].set_state(STATE_ERROR)

    # -- status ---------------------------------------------------------------------------------

    def status_msg(self) -> Msg | None:
        """Short, to fit its column beside the cells; who saved it is in the tooltip."""
        if self.correcting:
            return msg("entry_ui.row_correcting")
        if self.entry is not None:
            corrected = self.entry.corrects is not None
            saved = clock.local(self.entry.entered_at)
            if saved.date() != clock.local(clock.now()).date():  # typed on an earlier day
                return msg("entry_ui.row_corrected_day" if corrected else "entry_ui.row_saved_day",
                           day=saved.strftime("%d/%m"))
            time = saved.strftime("%H:%M")
            return msg("entry_ui.row_corrected" if corrected else "entry_ui.row_saved", time=time)
        if self.recordable and not self.is_blank():
            return msg("entry_ui.row_unsaved")
        return None

    def _status_tip(self) -> str:
        if self.entry is None:
            return ""
        saved = clock.local(self.entry.entered_at)
        lines = [tr("entry_ui.row_saved_by", user=self.entry.entered_by,
                    day=saved.strftime("%d/%m/%Y"), time=saved.strftime("%H:%M"))]
        if self.entry.reason:
            lines.append(tr("entry_ui.reason_tooltip", reason=self.entry.reason))
        return "\n".join(lines)

    def status_width(self) -> int:
        """The widest status this row can show (bold, the widest look), or the reason's box."""
        font = QFont(self.status.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        texts = [tr("entry_ui.row_unsaved"), tr("entry_ui.row_saved", time="00:00"),
                 tr("entry_ui.row_corrected", time="00:00"),
                 tr("entry_ui.row_saved_day", day="00/00"),
                 tr("entry_ui.row_corrected_day", day="00/00")]
        return max(REASON_WIDTH, *(metrics.horizontalAdvance(t) + 8 for t in texts))

    def refresh_status(self) -> None:
        """While correcting, the reason's box takes the status's place."""
        status = self.status_msg()
        self.status.setText(status.render() if status and not self.correcting else "")
        self.status.setVisible(not self.correcting)
        colour = "#1b5e20" if self.saved else theme.PROVISIONAL_IDENTITY
        weight = "normal" if self.saved else "bold"
        self.status.setStyleSheet(f"color: {colour}; font-weight: {weight};")
        self.status.setToolTip(self._status_tip())
        self.reason.setPlaceholderText(tr("entry_ui.reason_placeholder"))
        self.reason.setToolTip(tr("entry_ui.row_correcting"))

    def retranslate(self) -> None:
        for cell in self.cells.values():
            if cell.field is not None:
                cell.setToolTip(field_hint(cell.field))
            if isinstance(cell, FieldEdit):
                cell.retranslate()
        if self.saved:
            self.set_saved(self.entry)
        self.refresh_status()

    def _typed(self, _text: str) -> None:
        if self._loading:
            return
        self.check_cells()
        self.refresh_status()
        self.edited.emit(self)


class SectionView(QFrame):
    """One section as on paper: a table of rows, or labelled boxes filled once."""

    def __init__(self, section: Section, rows: list[RowEditor], parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.setObjectName(f"section_{section.id}")
        self.section = section
        self.rows = rows
        self.title = QLabel(self)
        self.title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self._headers: dict[str, QLabel] = {}
        self._numbers: list[QLabel] = []
        self._status_cells: list[tuple[QWidget, RowEditor]] = []
        grid = QGridLayout()
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(3)
        if section.repeated:
            self._lay_out_table(grid)
        else:
            self._lay_out_boxes(grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        self.retranslate()

    def _status_cell(self, row: RowEditor) -> QWidget:
        holder = QWidget(self)
        holder.setObjectName("row_status_cell")
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(row.reason, 1)
        line.addWidget(row.status, 1)
        self._status_cells.append((holder, row))
        return holder

    def _lay_out_table(self, grid: QGridLayout) -> None:
        fields = self.section.fields
        for column, field in enumerate(fields, start=1):
            heading = QLabel(self)
            heading.setStyleSheet(f"color: {theme.MUTED}; font-weight: bold;")
            self._headers[field.id] = heading
            grid.addWidget(heading, 0, column)
        for line, row in enumerate(self.rows, start=1):
            number = QLabel(str(row.row_index + 1), self)
            number.setStyleSheet(f"color: {theme.MUTED};")
            self._numbers.append(number)
            grid.addWidget(number, line, 0)
            for column, field in enumerate(fields, start=1):
                grid.addWidget(row.cells.get(field.id) or row.fixed[field.id], line, column)
            grid.addWidget(self._status_cell(row), line, len(fields) + 1)
        notes = [column for column, field in enumerate(fields, start=1) if field.lines > 1]
        for column in notes:  # a note gets the room left: more of its text in view
            grid.setColumnStretch(column, 1)
        if not notes:
            grid.setColumnStretch(len(fields) + 1, 1)

    def _lay_out_boxes(self, grid: QGridLayout) -> None:
        (row,) = self.rows
        for line, field in enumerate(self.section.fields):
            caption = QLabel(self)
            self._headers[field.id] = caption
            widget = row.cells.get(field.id) or row.fixed[field.id]
            caption.setBuddy(widget)
            grid.addWidget(caption, line, 0)
            grid.addWidget(widget, line, 1)
        holder = self._status_cell(row)
        grid.addWidget(holder, len(self.section.fields), 1)
        row.status_cell = holder
        # The sheet's date is never saved on its own: its reason shows only while it is
        # corrected for the rows saved with it.
        holder.setVisible(row.recordable or row.correcting)
        grid.setColumnStretch(2, 1)

    def row_after(self, row: RowEditor, step: int) -> RowEditor | None:
        index = self.rows.index(row) + step
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def retranslate(self) -> None:
        title = self.section.title_in()
        self.title.setText(title)
        self.title.setVisible(bool(title))
        for field in self.section.fields:
            heading = self._headers[field.id]
            heading.setText(header_text(field) if self.section.repeated else field.label_in())
            heading.setToolTip(field_hint(field))
        for row in self.rows:
            row.retranslate()
        for holder, row in self._status_cells:
            holder.setMinimumWidth(row.status_width())

