"""Re-entry progress for a ward manager: what is left, at a glance, with filters and CSV.

Top: per ward, sheets expected / returned / entered / verified / lost / not used / missing /
unaccounted for (``reentry.sheets``: the same counts, under the same words, as the event
accounting and the quality report), and the sheets whose scanned page disagrees with the typing
on a field nobody has answered (``second_read.counts``, as the quality report counts them), with
a line saying what each figure counts. Middle: the
sheets themselves, by the code printed under their barcode, filtered by ward, batch and state
(the list of what is still missing is one click away). Bottom: rows typed per operator and
their pace over the time they actually worked. Wards by name, forms by title: codes only in
tooltips and the CSV.

Everything is read off the GUI thread, on a connection of the worker's own (every sheet's
history: on a shared server, a long round trip); the summary says it is loading meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.barcodes import group_for_reading, page_code
from reentry.domain.sheet_state import EXPECTED, SheetCounts, SheetState
from reentry.entry.progress import (
    PAUSE,
    OperatorThroughput,
    operators,
    pace_text,
    sheets_csv,
    ward_progress,
    worked_text,
)
from reentry.errors import UserError
from reentry.files import write_private_text
from reentry.i18n import tr
from reentry.second_read.counts import open_disagreements_by_ward
from reentry.sheets.tracking import TrackedSheet, tracked_sheets
from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation, LocationLike, as_location
from reentry.store.opening import open_database
from ui.figure_tables import fill_table, read_only_table
from ui.file_chooser import save_file
from ui.language import is_language_change
from ui.screen_fit import fitting_size
from ui.slots import discarding
from ui.tasks import QuietRefresh

WARD_COLUMNS = ("ward", "printed", "returned", "entered", "verified", "lost", "not_used",
                "missing", "unaccounted", "to_verify", "not_double_checked", "disagreements")
_VERIFY_COLUMNS = ("to_verify", "not_double_checked")  # headings in the double-entry catalog
SHEET_COLUMNS = ("code", "ward", "room", "patient", "ipp", "form", "state", "rows",
                 "returned_at")
OPERATOR_COLUMNS = ("user", "rows", "worked", "sittings", "rate")
_COUNT_TIPS = ("printed", "returned", "entered", "verified", "lost", "not_used", "missing",
               "unaccounted", "disagreements")


@dataclass(frozen=True)
class ProgressView:
    """What the background read brings back to the screen."""

    sheets: list[TrackedSheet]
    operators: list[OperatorThroughput]
    ward_names: dict[str, str] = field(default_factory=dict)  # code → name, as people say it
    # ward code → sheets whose scanned page disagrees with the typing, nobody has answered
    disagreements: dict[str, int] = field(default_factory=dict)


def read_progress(store: Store) -> ProgressView:
    """Runs in a worker thread, on its own connection."""
    return ProgressView(tracked_sheets(store), operators(store),
                        {w.code: w.name for w in store.wards()},
                        open_disagreements_by_ward(store))


class ProgressDialog(QDialog):
    refreshed = Signal()  # the tables show the database as it is now (or say why they cannot)

    def __init__(self, db: LocationLike, parent: QWidget | None = None, *,
                 save_path: Callable[[QWidget], str] | None = None,
                 open_db: Callable[[DatabaseLocation], Any] = open_database) -> None:
        super().__init__(parent)
        self.setObjectName("progress_dialog")
        self.db = as_location(db)
        self._open_db = open_db
        self._reads = QuietRefresh(self)
        self._reads.succeeded.connect(self._show)
        self._reads.failed.connect(self._failed)
        self._reads.finished.connect(self._read_done)
        self._save_path = save_path or _ask_save_path
        self._sheets: list[TrackedSheet] = []
        self.ward = QComboBox(self)
        self.batch = QComboBox(self)
        self.state = QComboBox(self)
        self.wards_table = read_only_table(self, len(WARD_COLUMNS))
        self.sheets_table = read_only_table(self, len(SHEET_COLUMNS))
        self.operators_table = read_only_table(self, len(OPERATOR_COLUMNS))
        self.summary = QLabel(self)
        self.summary.setObjectName("progress_summary")
        self.summary.setWordWrap(True)
        self.legend = QLabel(self)  # what each figure counts
        self.legend.setObjectName("progress_legend")
        self.legend.setWordWrap(True)
        self.pace_legend = QLabel(self)  # how the pace is counted
        self.pace_legend.setObjectName("progress_pace_legend")
        self.pace_legend.setWordWrap(True)
        self._ward_names: dict[str, str] = {}
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(discarding(self.export_csv))
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        filters = QHBoxLayout()
        self._filter_labels = [QLabel(self) for _ in range(3)]
        for label, box in zip(self._filter_labels, (self.ward, self.batch, self.state),
                              strict=True):
            filters.addWidget(label)
            filters.addWidget(box, 1)
            box.currentIndexChanged.connect(self._show_sheets)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.wards_table, 2)
        layout.addWidget(self.legend)
        layout.addLayout(filters)
        layout.addWidget(self.sheets_table, 4)
        layout.addWidget(self.operators_table, 1)
        layout.addWidget(self.pace_legend)
        self.resize(fitting_size(self, 1250, 740))
        self._retranslate()

    def refresh(self) -> None:
        """Read everything again off the GUI thread; a refresh asked during one runs after."""
        self._reads.run(self._begin_read)

    def _begin_read(self) -> Callable[[], ProgressView]:
        self.summary.setText(tr("ui.progress_loading"))
        self.refresh_button.setEnabled(False)
        opener, db = self._open_db, self.db

        def work() -> ProgressView:
            store = opener(db)  # this thread's own connection
            try:
                return read_progress(store)
            finally:
                store.close()

        return work

    def _read_done(self) -> None:
        self.refresh_button.setEnabled(True)
        self.refreshed.emit()

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            raise error  # a bug: the application's error reporter takes it
        self.summary.setText(error.message())

    def _show(self, view: ProgressView) -> None:
        self._sheets = view.sheets
        people = view.operators
        self._ward_names = view.ward_names
        wards = ward_progress(self._sheets, view.disagreements)
        fill_table(self.wards_table, [
            [self._ward(w.ward_code), *(w.sheets.value(c) for c in (
                "expected", "returned", "entered", "verified", "lost", "not_used", "missing",
                "unaccounted")), w.to_verify, w.not_double_checked, w.open_disagreements]
            for w in wards])
        self._ward_tooltips(self.wards_table, 0, [w.ward_code for w in wards])
        fill_table(self.operators_table, [
            [o.display_name, o.rows, worked_text(o.worked), o.sittings, pace_text(o)]
            for o in people])
        total = sum((w.sheets for w in wards), SheetCounts())
        self.summary.setText(tr("ui.progress_summary", printed=total.expected,
                                missing=total.missing, entered=total.entered,
                                unaccounted=total.unaccounted))
        self._fill_filters([w.ward_code for w in wards],
                           sorted({s.batch_id for s in self._sheets}))
        self._show_sheets()

    def _ward(self, code: str) -> str:
        """A ward as people know it: its name (the code when it has none)."""
        return self._ward_names.get(code) or code

    def _ward_tooltips(self, table: QTableWidget, column: int, codes: list[str]) -> None:
        for row, code in enumerate(codes):
            item = table.item(row, column)
            if item is not None:
                item.setToolTip(tr("ui.progress_ward_tip", name=self._ward(code), code=code))

    def visible_sheets(self) -> list[TrackedSheet]:
        ward, batch, state = (self.ward.currentData(), self.batch.currentData(),
                              self.state.currentData())
        return [s for s in self._sheets
                if (ward is None or s.ward_code == ward) and (batch is None or s.batch_id == batch)
                and (state is None or s.state == state)]

    def show_missing(self) -> None:
        self.state.setCurrentIndex(self.state.findData(SheetState.MISSING.value))

    def export_csv(self) -> Path | None:
        chosen = self._save_path(self)
        if not chosen:
            return None
        path = Path(chosen)
        write_private_text(path, sheets_csv(self.visible_sheets()))  # names patients
        return path

    def _fill_filters(self, wards: list[str], batches: list[int]) -> None:
        choices: tuple[tuple[QComboBox, list[tuple[str, object]]], ...] = (
            (self.ward, [(self._ward(code), code) for code in wards]),
            (self.batch, [(str(batch), batch) for batch in batches]))
        for box, values in choices:
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(tr("ui.progress_all"), None)
            for label, value in values:
                box.addItem(label, value)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)

    def _show_sheets(self) -> None:
        shown = self.visible_sheets()
        fill_table(self.sheets_table, [
            [group_for_reading(page_code(s.serial, 1)), self._ward(s.ward_code),
             f"{s.room or ''} {s.bed or ''}".strip(), s.patient_name or s.temporary_id
             or "", s.ipp or "", display.form_title(s.template_id),
             tr(f"ui.progress_state_{s.state.value}"),
             s.rows_entered, clock.format_local(s.returned_at, with_zone=False)]
            for s in shown])
        self._ward_tooltips(self.sheets_table, SHEET_COLUMNS.index("ward"),
                            [s.ward_code for s in shown])

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("ui.progress_title"))
        for label, key in zip(self._filter_labels, ("ward", "batch", "state"), strict=True):
            label.setText(tr(f"ui.progress_filter_{key}"))
        self.export_button.setText(tr("ui.progress_export"))
        self.refresh_button.setText(tr("ui.progress_refresh"))
        current = self.state.currentData()
        self.state.blockSignals(True)
        self.state.clear()
        self.state.addItem(tr("ui.progress_all"), None)
        for state in EXPECTED:
            self.state.addItem(tr(f"ui.progress_state_{state.value}"), state.value)
        self.state.setCurrentIndex(max(0, self.state.findData(current)))
        self.state.blockSignals(False)
        for table, prefix, columns in ((self.wards_table, "ward", WARD_COLUMNS),
                                       (self.sheets_table, "sheet", SHEET_COLUMNS),
                                       (self.operators_table, "operator", OPERATOR_COLUMNS)):
            table.setHorizontalHeaderLabels([
                tr(f"verify.progress_ward_{c}") if c in _VERIFY_COLUMNS
                else tr(f"ui.progress_{prefix}_{c}") for c in columns])
        for column, name in enumerate(WARD_COLUMNS):  # what each figure counts
            if name in _COUNT_TIPS:
                header = self.wards_table.horizontalHeaderItem(column)
                if header is not None:
                    header.setToolTip(tr(f"ui.progress_tip_{name}"))
        self.legend.setText(tr("entry.counts_legend"))
        self.pace_legend.setText(tr("entry.pace_legend", pause=int(PAUSE.total_seconds() // 60)))
        if self._sheets:
            self._show_sheets()

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

    def _wait_for_read(self) -> None:
        """A read in progress ends before the dialog goes (its thread belongs to it)."""
        self._reads.wait()

    def done(self, result: int) -> None:
        self._wait_for_read()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._wait_for_read()
        super().closeEvent(event)


def _ask_save_path(parent: QWidget) -> str:
    return save_file(parent, tr("ui.progress_export"), "avancement.csv", "CSV (*.csv)")
