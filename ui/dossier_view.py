"""The dossier of one patient: identity banner on top, then allergies, treatments, vitals, notes.

The banner stays in place while the rest scrolls, so whatever the nurse reads, the name above
it is the patient's. Everything is rebuilt from the ``Dossier`` on a language change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reentry import display
from reentry.i18n import tr
from reentry.model import Allergy, Dossier, Note, Snapshot
from ui import theme
from ui.identity_banner import IdentityBanner
from ui.language import is_language_change

PRESCRIPTION_COLUMNS = ("drug", "dose", "unit", "route", "schedule")


class AllergyBox(QFrame):
    """Allergies in a red frame that cannot be missed; says so plainly when none is recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("allergy_box")
        self.setStyleSheet(
            f"#allergy_box {{ border: 3px solid {theme.ALLERGY_RED}; border-radius: 4px;"
            f" background: {theme.ALLERGY_BACKGROUND}; }}")
        self._title = QLabel(self)
        self._title.setObjectName("allergy_title")
        self._title.setFont(theme.scaled_font(self, 1.2, bold=True))
        self._title.setStyleSheet(f"color: {theme.ALLERGY_RED};")
        self._content = QLabel(self)
        self._content.setObjectName("allergy_content")
        self._content.setWordWrap(True)
        self._content.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.addWidget(self._title)
        layout.addWidget(self._content)
        self._allergies: list[Allergy] = []
        self._snapshot: Snapshot | None = None
        self._render()

    def set_allergies(self, allergies: list[Allergy], snapshot: Snapshot | None) -> None:
        """``snapshot``: the data they come from, whose date an empty list is stated at."""
        self._allergies = list(allergies)
        self._snapshot = snapshot
        self._render()

    def title_text(self) -> str:
        return self._title.text()

    def content_text(self) -> str:
        return self._content.text()

    def _render(self) -> None:
        self._title.setText(tr("ui.allergies_title", count=len(self._allergies))
                            if self._allergies else tr("ui.allergies_title_none"))
        if self._allergies:
            self._content.setText("\n".join(f"• {display.allergy_line(a)}"
                                            for a in self._allergies))
            self._content.setFont(theme.scaled_font(self, 1.15, bold=True))
            self._content.setStyleSheet(f"color: {theme.ALLERGY_RED};")
        else:
            self._content.setText(display.no_allergy_text(self._snapshot))
            self._content.setFont(self.font())
            self._content.setStyleSheet(f"color: {theme.TEXT};")

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._render()
        super().changeEvent(event)


class DataTable(QTableWidget):
    """A read-only table as tall as its rows, so only the dossier scrolls, never the table."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    def set_content(self, headers: list[str], rows: list[list[str]]) -> None:
        self.clear()
        self.setColumnCount(len(headers))
        self.setRowCount(len(rows))
        self.setHorizontalHeaderLabels(headers)
        for row_index, row in enumerate(rows):
            for column, text in enumerate(row):
                self.setItem(row_index, column, QTableWidgetItem(text))

    def cell_text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def header_texts(self) -> list[str]:
        items = (self.horizontalHeaderItem(c) for c in range(self.columnCount()))
        return [item.text() if item is not None else "" for item in items]


class NotesList(QWidget):
    """Notes newest first: when and who in bold, then the text, wrapped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes_list")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)

    def set_notes(self, notes: list[Note], reference: datetime | None) -> None:
        while self._layout.count():
            taken = self._layout.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for note in notes:
            self._layout.addWidget(self._note_widget(note, reference))

    def note_texts(self) -> list[str]:
        return [label.text() for label in self.findChildren(QLabel, "note_text")]

    def _note_widget(self, note: Note, reference: datetime | None) -> QFrame:
        frame = QFrame(self)
        frame.setObjectName("note")
        frame.setStyleSheet(f"#note {{ border-left: 4px solid {theme.BORDER}; }}")
        when = display.moment_text(note.written_at, reference)
        heading = QLabel(tr("ui.note_heading", when=when, author=note.author) if note.author
                         else tr("ui.note_heading_no_author", when=when), frame)
        heading.setObjectName("note_heading")
        heading.setFont(theme.scaled_font(self, 1.0, bold=True))
        text = QLabel(note.text, frame)
        text.setObjectName("note_text")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(text)
        return frame


class _Section(QWidget):
    """A heading, a body, and a sentence that replaces the body when there is nothing to show."""

    def __init__(self, name: str, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_section")
        self.title = QLabel(self)
        self.title.setObjectName(f"{name}_title")
        self.title.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.body = body
        self.empty = QLabel(self)
        self.empty.setObjectName(f"{name}_empty")
        self.empty.setStyleSheet(f"color: {theme.MUTED};")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.empty)

    def show_body(self, has_content: bool) -> None:
        self.body.setVisible(has_content)
        self.empty.setVisible(not has_content)


@dataclass(frozen=True)
class _Shown:
    dossier: Dossier
    today: date
    hours: float


class DossierView(QWidget):
    """The selected patient's dossier, or an invitation to choose one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dossier_view")
        self._shown: _Shown | None = None

        self._placeholder = QLabel(self)
        self._placeholder.setObjectName("dossier_placeholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self._placeholder.setStyleSheet(f"color: {theme.MUTED};")
        self._placeholder.setFont(theme.scaled_font(self, 1.2))

        self.banner = IdentityBanner(self)
        self.allergies = AllergyBox(self)
        self.prescriptions = DataTable("prescriptions_table", self)
        self.vitals = DataTable("vitals_table", self)
        self.notes = NotesList(self)
        self._prescriptions = _Section("prescriptions", self.prescriptions)
        self._vitals = _Section("vitals", self.vitals)
        self._notes = _Section("notes", self.notes)

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self._dossier_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._render()

    def _dossier_page(self) -> QWidget:
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setSpacing(14)
        for widget in (self.allergies, self._prescriptions, self._vitals, self._notes):
            content_layout.addWidget(widget)
        content_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("dossier_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.scroll_area.setWidget(content)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.banner)  # outside the scroll area: never scrolls away
        page_layout.addWidget(self.scroll_area, 1)
        return page

    # -- public API -----------------------------------------------------------------------------

    def show_dossier(self, dossier: Dossier, today: date, hours: float) -> None:
        """Show ``dossier``; vitals and notes are those of the ``hours`` before the data."""
        self._shown = _Shown(dossier, today, hours)
        self._render()
        self.scroll_area.verticalScrollBar().setValue(0)

    def clear(self) -> None:
        """Show no patient (on ward change, reload, or a failed read: never a stale dossier)."""
        self._shown = None
        self._render()

    @property
    def patient_id(self) -> int | None:
        return self._shown.dossier.patient.id if self._shown else None

    def placeholder_text(self) -> str:
        return self._placeholder.text()

    def section_title(self, name: str) -> str:
        return {"prescriptions": self._prescriptions, "vitals": self._vitals,
                "notes": self._notes}[name].title.text()

    # -- rendering ------------------------------------------------------------------------------

    def _render(self) -> None:
        self._placeholder.setText(tr("ui.choose_patient"))
        shown = self._shown
        if shown is None:
            self.banner.clear()
            self._stack.setCurrentIndex(0)
            return
        dossier = shown.dossier
        self.banner.set_identity(dossier.patient, dossier.stay, dossier.site, dossier.ward,
                                 shown.today)
        self.allergies.set_allergies(dossier.allergies, dossier.snapshot)
        self._render_prescriptions(dossier)
        self._render_vitals(dossier, shown.hours)
        self._render_notes(dossier, shown.hours)
        self._stack.setCurrentIndex(1)

    def _render_prescriptions(self, dossier: Dossier) -> None:
        section = self._prescriptions
        section.title.setText(tr("ui.prescriptions_title"))
        section.empty.setText(tr("ui.prescriptions_empty"))
        self.prescriptions.set_content(
            [tr(f"ui.prescription_{name}") for name in PRESCRIPTION_COLUMNS],
            [[p.drug, display.format_number(p.dose) if p.dose is not None else "",
              display.unit_text(p.unit), p.route or "", display.prescription_schedule(p)]
             for p in dossier.prescriptions])
        section.show_body(bool(dossier.prescriptions))

    def _render_vitals(self, dossier: Dossier, hours: float) -> None:
        section = self._vitals
        shown_hours = display.format_number(hours)
        section.title.setText(tr("ui.vitals_title", hours=shown_hours))
        section.empty.setText(tr("ui.vitals_empty", hours=shown_hours))
        grid = display.vitals_grid(dossier.observations)
        reference = dossier.snapshot.data_as_of if dossier.snapshot else None
        self.vitals.set_content(
            [tr("ui.vitals_time"), *(column.label for column in grid.columns)],
            [[display.moment_text(row.at, reference),
              *(row.cells.get(column.key, "") for column in grid.columns)]
             for row in grid.rows])
        section.show_body(bool(grid.rows))

    def _render_notes(self, dossier: Dossier, hours: float) -> None:
        section = self._notes
        shown_hours = display.format_number(hours)
        section.title.setText(tr("ui.notes_title", hours=shown_hours))
        section.empty.setText(tr("ui.notes_empty", hours=shown_hours))
        reference = dossier.snapshot.data_as_of if dossier.snapshot else None
        self.notes.set_notes(dossier.notes, reference)
        section.show_body(bool(dossier.notes))

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._render()
        super().changeEvent(event)
