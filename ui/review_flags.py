"""The flags tab: filters above, the table of flags, and the selected flag in full beside it.

Filters (verdict, ward, kind, open or closed, patient by name, IPP or temporary identity) act
as one types. Keyboard: Ctrl+F goes to the patient search, arrows walk the table, the detail
follows the selection, Ctrl+Entrée resolves, Ctrl+1 … Ctrl+6 resolve with a given reason; after
a resolution the next open flag is selected. Columns share the width on a 1,366-pixel screen
and keep the widths a person gives them; the patient's name and the flag's state read whole,
on the lines they need (``ui.review_lines``, as in the identity review: the name's room first,
the family name over the given names, the row as high as its lines); other long texts end in
« … » (whole in the tooltip).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reentry.domain.review import CLOSED, KINDS, OPEN, VERDICTS, FlagRow, kind_label, verdict_label
from reentry.i18n import tr
from reentry.review.filters import FlagFilter
from ui.column_memory import ColumnMemory, app_settings
from ui.language import is_language_change
from ui.review_detail import FlagDetailPane
from ui.review_flag_model import (
    COLUMNS,
    LINES,
    READABLE,
    STATUS_LINES,
    WEIGHTS,
    WHOLE,
    FlagTableModel,
)
from ui.review_lines import LinesCell, fit_rows, lines_width, names_width, room_for

SPLITTER_KEY = "splitters/review_flags"
PATIENT, STATUS = COLUMNS.index("patient"), COLUMNS.index("status")


class FlagColumns(ColumnMemory):
    """``ColumnMemory`` for the flags: the patient's name keeps the room to read on two lines
    (family name, given names) and the state on ``STATUS_LINES``, every name and state the run
    may show (no jump as one filters or resolves); rows as high as their lines, at whatever
    widths the columns have (shared, or dragged by a person)."""

    def __init__(self, view: QTableView, model: FlagTableModel) -> None:
        self.flag_model = model
        self.cell = LinesCell(view)
        self._floors: list[int] = []  # the columns' least widths at the last fit
        self._generation = -1  # of the model's texts, when the floors were last checked
        super().__init__(view, "review_flags", WEIGHTS, WHOLE, READABLE)
        for column in LINES:
            view.setItemDelegateForColumn(column, self.cell)
        self._rows_timer = QTimer(self)  # once the rows or widths settle, not at each change
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(0)
        self._rows_timer.timeout.connect(self.fit_rows)
        self.header.sectionResized.connect(self._rows_later)
        model.modelReset.connect(self._rows_later)
        model.dataChanged.connect(self._rows_later)

    def _texts_width(self, column: int) -> int:
        metrics = self.view.fontMetrics()
        if column == PATIENT:  # each name on two lines at most: family name, given names
            return room_for(self.view, names_width(metrics, self.flag_model.names()))
        if column == STATUS:  # on three lines at most, any word whole
            return room_for(self.view, max(lines_width(metrics, t, STATUS_LINES)
                                           for t in self.flag_model.states()))
        if column in LINES:  # a ward, an item: any word whole, on the lines it takes
            return self._words_width(column)
        return super()._texts_width(column)

    def _words_width(self, column: int) -> int:
        """Room for the widest word of the column: its texts on as many lines as it takes."""
        metrics = self.view.fontMetrics()
        texts = ([n for n, _ in self.flag_model.names()] if column == PATIENT else
                 self.flag_model.states() if column == STATUS
                 else self.flag_model.texts(COLUMNS[column]))
        return room_for(self.view, max((lines_width(metrics, t, 99) for t in texts),
                                       default=0))

    def _relaxed(self, least: list[int], headings: list[int], width: int) -> list[int]:
        """When the names, states, IPP, time and verdicts do not all fit with their room, the
        state then the name wrap further (rows higher) before the verdicts, then every column,
        may be cut."""
        for relaxed in ((STATUS,), (PATIENT,), tuple(self.readable)):
            if sum(least) <= width:
                break
            for column in relaxed:
                least[column] = (max(headings[column], self._words_width(column))
                                 if column in LINES else headings[column])
        return least

    def _shared(self, widths: list[int], natural: list[int], least: list[int]) -> list[int]:
        """The names' room first: the other columns give theirs above their least width."""
        self._floors = [self._texts_width(c) for c in LINES]
        self._generation = self.flag_model.generation
        wanted = max(least[PATIENT], min(natural[PATIENT], self._texts_width(PATIENT)))
        for column in (c for c in range(len(widths)) if c != PATIENT):
            given = max(0, min(widths[column] - least[column], wanted - widths[PATIENT]))
            widths[column] -= given
            widths[PATIENT] += given
        return widths

    def _fitted(self) -> None:
        self.fit_rows()

    def fit_rows(self) -> None:
        """The rows' heights; the columns' widths first when the run's texts need other room
        (a flag resolved with a longer reason, another run): not as one filters."""
        if self.flag_model.generation != self._generation:
            self._generation = self.flag_model.generation
            floors = [self._texts_width(c) for c in LINES]
            if floors != self._floors and not self.chosen and self._fitted_rows:
                self.fit()
                return
        fit_rows(self.view, self.cell, LINES, cells=self.flag_model.cell)

    def _rows_later(self, *_args: object) -> None:
        if self._quiet:  # the fit's own widths: it fits the rows itself
            return
        if not self._rows_timer.isActive():
            self._rows_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FontChange:
            self._rows_later()
        return super().eventFilter(watched, event)


class FlagsTab(QWidget):
    flag_selected = Signal(object)  # FlagRow | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flags_tab")
        self.verdict = QComboBox(self)
        self.verdict.setObjectName("filter_verdict")
        self.ward = QComboBox(self)
        self.ward.setObjectName("filter_ward")
        # wards by name: as wide as the longest name, so the chosen one reads whole
        self.ward.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind = QComboBox(self)
        self.kind.setObjectName("filter_kind")
        self.status = QComboBox(self)
        self.status.setObjectName("filter_status")
        self.patient = QLineEdit(self)
        self.patient.setObjectName("filter_patient")
        self.patient.setClearButtonEnabled(True)
        self.captions = {name: QLabel(self) for name in ("verdict", "ward", "kind", "status",
                                                         "patient")}
        for name, widget in (("verdict", self.verdict), ("ward", self.ward),
                             ("kind", self.kind), ("status", self.status),
                             ("patient", self.patient)):
            self.captions[name].setBuddy(widget)
        self.count = QLabel(self)
        self.count.setObjectName("flags_count")

        self.model = FlagTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("flags_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setWordWrap(False)
        self.columns = FlagColumns(self.table, self.model)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.detail = FlagDetailPane(self)

        filters = QHBoxLayout()
        for name, widget in (("verdict", self.verdict), ("ward", self.ward),
                             ("kind", self.kind), ("status", self.status)):
            filters.addWidget(self.captions[name])
            filters.addWidget(widget)
        filters.addWidget(self.captions["patient"])
        filters.addWidget(self.patient, 1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("review_splitter")
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 5)  # the list wider than the flag in full: at 1,366 px
        splitter.setStretchFactor(1, 3)  # its state, verdict, ward, IPP and time read whole
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([5000, 3000])  # relative: 5/8 of the width, whatever the screen
        saved = app_settings().value(SPLITTER_KEY)
        if saved:
            splitter.restoreState(saved)
        splitter.splitterMoved.connect(
            lambda *_: app_settings().setValue(SPLITTER_KEY, splitter.saveState()))
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        for combo in (self.verdict, self.ward, self.kind, self.status):
            combo.currentIndexChanged.connect(self._filter_changed)
        self.patient.textChanged.connect(self._filter_changed)
        search = QShortcut(QKeySequence.StandardKey.Find, self)
        search.activated.connect(self._focus_search)
        self._retranslate()

    # -- data -----------------------------------------------------------------------------------

    def set_rows(self, rows: list[FlagRow], keep: str | None = None) -> None:
        """The flags of the run on screen; ``keep`` selects that item again if still listed."""
        self._fill_wards(sorted({r.ward_code for r in rows if r.ward_code}))
        self.model.set_rows(rows)
        self._after_reset(keep)

    def set_ward_names(self, names: dict[str, str]) -> None:
        """Ward code → name: wards are shown by name, in the table, the filter and the detail."""
        self.model.set_ward_names(names)
        self.detail.set_ward_names(names)
        self._fill_wards([str(self.ward.itemData(i)) for i in range(1, self.ward.count())])
        self.model.retranslate()

    def next_open_key(self, after: str) -> str | None:
        """The open flag to work next once ``after`` is resolved: the next one down the table
        as filtered, else the nearest one above; None when no other flag is open."""
        start = self.model.row_of(after)
        rows = [self.model.flag(r) for r in range(self.model.rowCount())]
        order = (rows[start + 1:] + rows[:start][::-1]) if start is not None else rows
        return next((f.item_key for f in order if f.status == OPEN and f.item_key != after),
                    None)

    def wanted(self) -> FlagFilter:
        return FlagFilter(verdict=self.verdict.currentData(), ward=self.ward.currentData(),
                          kind=self.kind.currentData(), status=self.status.currentData(),
                          patient=self.patient.text())

    def select_key(self, item_key: str) -> bool:
        row = self.model.row_of(item_key)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def current_flag(self) -> FlagRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.flag(index.row()) if index.isValid() else None

    def choose(self, combo: QComboBox, value: str | None) -> None:
        """Pick a filter value by its code (tests and shortcuts)."""
        combo.setCurrentIndex(combo.findData(value))

    # -- internals ------------------------------------------------------------------------------

    def _filter_changed(self) -> None:
        current = self.current_flag()
        self.model.set_filter(self.wanted())
        self._after_reset(current.item_key if current else None)

    def _after_reset(self, keep: str | None) -> None:
        shown, total = self.model.rowCount(), len(self.model.all_rows())
        self.count.setText(tr("review.ui.flags_count", shown=shown, total=total))
        if keep is not None and self.select_key(keep):
            return
        self.table.selectionModel().clearSelection()
        self.table.selectionModel().setCurrentIndex(
            self.model.index(-1, -1), QItemSelectionModel.SelectionFlag.Clear)
        self.flag_selected.emit(None)

    def _row_changed(self, current: object, _previous: object) -> None:
        self.flag_selected.emit(self.current_flag())

    def _focus_search(self) -> None:
        self.patient.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.patient.selectAll()

    def _fill_wards(self, wards: list[str]) -> None:
        chosen = self.ward.currentData()
        self.ward.blockSignals(True)
        self.ward.clear()
        self.ward.addItem(tr("review.ui.all_wards"), None)
        for ward in sorted(wards, key=lambda code: self.model.ward_name(code).casefold()):
            self.ward.addItem(self.model.ward_name(ward), ward)
        index = self.ward.findData(chosen) if chosen in wards else 0
        self.ward.setCurrentIndex(max(index, 0))
        self.ward.blockSignals(False)
        self.model.set_filter(self.wanted())

    def _fill(self, combo: QComboBox, everything: str, choices: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value, label in choices:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
        combo.blockSignals(False)

    def _retranslate(self) -> None:
        for name in self.captions:
            self.captions[name].setText(tr(f"review.ui.filter_{name}"))
        self.patient.setPlaceholderText(tr("review.ui.patient_placeholder"))
        self._fill(self.verdict, tr("review.ui.all_verdicts"),
                   [(v, verdict_label(v)) for v in VERDICTS[1:]] + [("in_sih",
                                                                      verdict_label("in_sih"))])
        self._fill(self.kind, tr("review.ui.all_kinds"), [(k, kind_label(k)) for k in KINDS])
        self._fill(self.status, tr("review.ui.all_statuses"),
                   [(OPEN, tr("review.status.open")), (CLOSED, tr("review.status.closed"))])
        wards = [str(self.ward.itemData(i)) for i in range(1, self.ward.count())]
        self._fill_wards(wards)
        self.model.retranslate()
        self.count.setText(tr("review.ui.flags_count", shown=self.model.rowCount(),
                              total=len(self.model.all_rows())))

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
