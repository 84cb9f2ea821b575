"""The print station: choose wards, see pages and print time per printer, print with progress.

Pages and sheets are planned exactly as printing will plan them (nothing is registered until
printing is confirmed). Print asks for confirmation (``ui.print_confirm``): pages, sheets,
printer, estimated time, the period covered, and the outage event the sheets belong to (the
ongoing one, one declared there and then, or an explicit test print that registers nothing).
Printing runs in the background: each ward is registered, drawn, then sent to the chosen CUPS
queue, or only written as PDF when no printer is chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, i18n
from reentry.config import Settings
from reentry.domain.entry import User
from reentry.domain.events import DeclareEvent, OutageEvent
from reentry.errors import UserError
from reentry.events.service import declare_event
from reentry.i18n import tr
from reentry.printing.spool import (
    Printer,
    PrintJob,
    estimate_print_seconds,
    list_printers,
    print_pdf,
)
from reentry.printing.station import (
    PrintOutcome,
    PrintRequest,
    TestPrintOutcome,
    WardEstimate,
    estimate_wards,
    event_window_start,
    ongoing_event,
    print_batch,
    print_test,
)
from reentry.progress import CancelToken, ProgressCallback
from reentry.store import open_store
from reentry.store.location import LocationLike, as_location
from ui.errors import show_user_error
from ui.file_chooser import existing_folder
from ui.language import is_language_change
from ui.lock_screen import LockOverlay
from ui.print_confirm import EventChoice, PrintChoice, PrintConfirmDialog, PrintSummary
from ui.session import Session
from ui.tasks import BackgroundTask, QuietTask

COLUMNS = ("ward", "patients", "sheets", "pages", "minutes")


@dataclass(frozen=True)
class PrintResult:
    outcome: PrintOutcome | TestPrintOutcome
    jobs: list[PrintJob]
    event_title: str | None = None  # the event the batch belongs to; None for a test print


class PrintStationDialog(QDialog):
    finished_printing = Signal()  # after success, failure or cancel
    estimates_ready = Signal()  # the table shows the plan for the current settings

    def __init__(self, db: LocationLike, settings: Settings, parent: QWidget | None = None, *,
                 printers: Callable[[], Sequence[Printer]] = list_printers,
                 send: Callable[..., PrintJob] = print_pdf,
                 now: Callable[[], datetime] = clock.now,
                 session: Session | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print_station")
        self.db = as_location(db)  # a SQLite file or a server
        self.session = session  # who prints is registered with the sheets, when signed in
        self.settings = settings
        self._send = send
        self._now = now
        self._estimates: list[WardEstimate] = []
        self.task: BackgroundTask | None = None
        self.estimating: QuietTask | None = None
        self._estimate_again = False
        self.last_result: PrintResult | None = None
        self.confirm: PrintConfirmDialog | None = None

        self.out_dir = QLineEdit(str(Path.home() / "Reentry" / "impressions"), self)
        self.browse = QPushButton(self)
        self.browse.clicked.connect(self._choose_folder)
        self.start = QDateTimeEdit(self)
        self.start.setDisplayFormat("dd/MM/yyyy HH:mm")
        local = event_window_start(self._read_ongoing(), now())
        self.start.setDateTime(QDateTime(local.year, local.month, local.day, local.hour,
                                         local.minute, 0))
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(1, 72)
        self.hours.setValue(8)
        self.packets = QSpinBox(self)
        self.packets.setRange(0, 50)
        self.packets.setValue(2)
        self.language = QComboBox(self)
        for language in i18n.LANGUAGES:
            self.language.addItem(tr(f"ui.language_{language}"), language)  # « Français »
        self.language.setCurrentIndex(i18n.LANGUAGES.index(i18n.get_language()))
        self.printer = QComboBox(self)
        self.printer.addItem("", None)
        for found in printers():
            self.printer.addItem(found.name, found.name)
            if found.is_default:
                self.printer.setCurrentIndex(self.printer.count() - 1)
        self.speed = QSpinBox(self)
        self.speed.setRange(1, 500)
        self.speed.setValue(int(settings.pages_per_minute))
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.totals = QLabel(self)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.print_button = QPushButton(self)
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.confirm_printing)
        self._build_layout()
        for signal in (self.hours.valueChanged, self.packets.valueChanged,
                       self.start.dateTimeChanged):
            signal.connect(self.refresh_estimates)
        self.speed.valueChanged.connect(self._update_times)
        self.table.itemChanged.connect(self._update_totals)
        self.resize(760, 620)
        self._retranslate()
        if session is not None:  # a window of its own: the app's lock covers it too
            self.lock_overlay = LockOverlay(self, session)

    def _build_layout(self) -> None:
        folder = QHBoxLayout()
        folder.addWidget(self.out_dir, 1)
        folder.addWidget(self.browse)
        self.form = QFormLayout()
        fields: tuple[QLayout | QWidget, ...] = (
            folder, self.start, self.hours, self.packets, self.language, self.printer, self.speed)
        self._labels = [QLabel(self) for _ in fields]
        for label, field in zip(self._labels, fields, strict=True):
            self.form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.result_label)
        layout.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignRight)

    # -- estimates ------------------------------------------------------------------------------

    def refresh_estimates(self) -> None:
        """Plan every occupied ward (nothing registered) and list its sheets and pages.

        Planning a large hospital takes seconds, so it runs off the GUI thread; a change made
        while it runs is planned again as soon as it ends, and only the latest plan is shown.
        """
        if self.estimating is not None:
            self._estimate_again = True
            return
        db, hours, start = self.db, self.hours.value(), self._window_start()
        packets = self.packets.value()

        def work() -> list[WardEstimate]:
            store = open_store(db)  # this thread's own connection
            try:
                return estimate_wards(store, hours=hours, start=start, admission_packets=packets)
            finally:
                store.close()

        self._estimate_again = False
        self.estimating = QuietTask(self, work)
        self.estimating.succeeded.connect(self._show_estimates)
        self.estimating.failed.connect(self._estimates_failed)
        self.estimating.finished.connect(self._estimates_finished)
        self._update_totals()
        self.estimating.start()

    def _estimates_failed(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            raise error
        self._show_estimates([])
        show_user_error(self, error)

    def _estimates_finished(self) -> None:
        self.estimating = None
        if self._estimate_again:
            self.refresh_estimates()
        else:
            self._update_totals()
            self.estimates_ready.emit()

    def _show_estimates(self, estimates: list[WardEstimate]) -> None:
        self._estimates = estimates
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._estimates))
        for row, estimate in enumerate(self._estimates):
            name = QTableWidgetItem(estimate.ward_name)
            name.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            name.setCheckState(Qt.CheckState.Checked)
            name.setData(Qt.ItemDataRole.UserRole, estimate.ward_code)
            self.table.setItem(row, 0, name)
            for column, value in enumerate((estimate.patients, estimate.sheets, estimate.pages),
                                           start=1):
                self.table.setItem(row, column, _number_item(value))
        self.table.blockSignals(False)
        self._update_times()

    def selected_wards(self) -> list[str]:
        names = (self.table.item(row, 0) for row in range(self.table.rowCount()))
        return [name.data(Qt.ItemDataRole.UserRole) for name in names
                if name is not None and name.checkState() == Qt.CheckState.Checked]

    def selected_pages(self) -> int:
        chosen = set(self.selected_wards())
        return sum(e.pages for e in self._estimates if e.ward_code in chosen)

    def _update_times(self) -> None:
        self.table.blockSignals(True)
        for row, estimate in enumerate(self._estimates):
            minutes = estimate_print_seconds(estimate.pages, self.speed.value()) / 60
            self.table.setItem(row, 4, _number_item(round(minutes, 1)))
        self.table.blockSignals(False)
        self._update_totals()

    def _update_totals(self, *_: Any) -> None:
        pages = self.selected_pages()
        minutes = estimate_print_seconds(pages, self.speed.value()) / 60
        if self.estimating is not None:
            self.totals.setText(tr("ui.print_estimating"))
        else:
            self.totals.setText(tr("ui.print_totals", wards=len(self.selected_wards()),
                                   pages=pages, minutes=f"{minutes:.0f}",
                                   speed=self.speed.value()))
        self.print_button.setEnabled(pages > 0 and self.task is None and self.estimating is None)

    def _window_start(self) -> datetime:
        value = self.start.dateTime().toPython()  # typed ``object`` by PySide6's stubs
        assert isinstance(value, datetime)
        return value.replace(tzinfo=clock.hospital_zone())

    # -- printing -------------------------------------------------------------------------------

    def _read_ongoing(self) -> OutageEvent | None:
        """The ongoing outage event (a quick read), or None; a database that cannot be opened
        is reported by the estimates."""
        try:
            store = open_store(self.db)
        except UserError:
            return None
        try:
            return ongoing_event(store)
        finally:
            store.close()

    def _signed_in(self) -> User | None:
        return self.session.user if self.session is not None else None

    def summary(self) -> PrintSummary:
        """What the confirmation shows: the plan of the checked wards, as estimated."""
        chosen = set(self.selected_wards())
        estimates = [e for e in self._estimates if e.ward_code in chosen]
        pages = sum(e.pages for e in estimates)
        return PrintSummary(
            wards=tuple(e.ward_name for e in estimates),
            patients=sum(e.patients for e in estimates),
            sheets=sum(e.sheets for e in estimates), pages=pages,
            printer=self.printer.currentData(), folder=Path(self.out_dir.text()),
            minutes=estimate_print_seconds(pages, self.speed.value()) / 60,
            speed=self.speed.value(), window_start=self._window_start(),
            window_hours=self.hours.value())

    def confirm_printing(self) -> PrintConfirmDialog:
        """Nothing is printed before the operator has seen what and for which event."""
        ongoing = self._read_ongoing()
        outside = [e.ward_name for e in self._estimates
                   if e.ward_code in set(self.selected_wards())
                   and ongoing is not None and not ongoing.affects(e.ward_code)]
        self.confirm = PrintConfirmDialog(self.summary(), ongoing, outside, self._signed_in(),
                                          self._now(), self._print_for, self,
                                          session=self.session)
        self.confirm.finished.connect(self._confirm_closed)
        self.confirm.open()
        return self.confirm

    def _confirm_closed(self) -> None:
        self.confirm = None

    def _print_for(self, choice: PrintChoice) -> None:
        """The confirmed choice: a test print, the ongoing event, or an event declared now (a
        refusal raised here is shown in the confirmation, which stays open)."""
        if choice.kind is EventChoice.TEST:
            self.start_printing(test=True)
            return
        if choice.kind is EventChoice.ONGOING:
            ongoing = self._read_ongoing()
            if ongoing is None or ongoing.id != choice.event_id:
                raise UserError("station.event_not_ongoing", event=choice.event_id)
            self.start_printing(event=ongoing)
            return
        assert choice.new_event is not None
        new = choice.new_event
        store = open_store(self.db)
        try:
            # who is signed in, or who proved it in the dialog with their password (checked
            # there, off the GUI thread, as on any sign-in): never a name alone
            user = self._signed_in() or new.declarer
            if user is None:
                raise UserError("permissions.sign_in_first")
            declared = declare_event(store, DeclareEvent(
                title=new.title, started_at=new.started_at, user=user, planned=new.planned),
                now=self._now())
        finally:
            store.close()
        self.start_printing(event=declared.event, user=user)

    def start_printing(self, *, event: OutageEvent | None = None, test: bool = False,
                       user: User | None = None) -> None:
        """Print the checked wards for ``event`` (checked again when the batch opens), or, with
        ``test``, a test print that registers nothing; as ``user`` (default: who is signed in),
        whom the core checks may print."""
        if event is None and not test:
            raise ValueError("printing belongs to an event, or is a test print")
        user = user or self._signed_in()
        if user is None:
            raise UserError("permissions.sign_in_first")
        request = PrintRequest(out_dir=Path(self.out_dir.text()), user=user,
                               wards=tuple(self.selected_wards()), hours=self.hours.value(),
                               start=self._window_start(),
                               admission_packets=self.packets.value(),
                               language=self.language.currentData(),
                               event_id=event.id if event is not None else None)
        printer = self.printer.currentData()
        db, send = self.db, self._send
        title = event.title if event is not None else None

        def work(progress: ProgressCallback, cancel: CancelToken) -> PrintResult:
            store = open_store(db)  # this thread's own connection
            try:
                outcome: PrintOutcome | TestPrintOutcome
                if test:
                    outcome = print_test(store, request, progress, cancel)
                    job = "reentry-essai"
                else:
                    outcome = print_batch(store, request, progress, cancel)
                    job = f"reentry-{outcome.batch_id}"
            finally:
                store.close()
            jobs = [send(w.pdf, printer, title=f"{job}-{w.ward_code}")
                    for w in outcome.wards] if printer else []
            return PrintResult(outcome, jobs, title)

        self.result_label.clear()
        self.task = BackgroundTask(self, work, tr("ui.print_running"))
        self.task.succeeded.connect(self._on_printed)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)
        self.task.finished.connect(self._on_finished)
        self._update_totals()
        self.task.start()

    def _on_printed(self, result: PrintResult) -> None:
        self.last_result = result
        outcome = result.outcome
        sent = "_sent" if result.jobs else ""
        if isinstance(outcome, TestPrintOutcome):
            text = tr(f"print_ui.done_test{sent}", pages=outcome.pages,
                      folder=self.out_dir.text(), printer=self.printer.currentText())
        else:
            text = tr(f"print_ui.done{sent}", batch=outcome.batch_id, event=result.event_title,
                      pages=outcome.pages, folder=self.out_dir.text(),
                      printer=self.printer.currentText())
        self.result_label.setText(text)

    def _on_failed(self, error: Exception) -> None:
        if isinstance(error, UserError):
            self.result_label.setText(error.message())
            show_user_error(self, error)
            return
        raise error  # a bug: the application's crash handler logs it and tells the user

    def _on_cancelled(self) -> None:
        self.result_label.setText(tr("ui.print_cancelled"))

    def _on_finished(self) -> None:
        self.task = None
        self._update_totals()
        self.finished_printing.emit()

    def done(self, result: int) -> None:
        if self.estimating is not None:  # a thread must not outlive the dialog that owns it
            self._estimate_again = False
            # Its event loop ends once the estimate is done; waiting without asking it to stop
            # would wait forever (the stop it asks for itself is queued to this blocked thread).
            self.estimating.worker_thread.quit()
            self.estimating.worker_thread.wait()
        super().done(result)

    def _choose_folder(self) -> None:
        chosen = existing_folder(self, tr("ui.print_folder"), self.out_dir.text())
        if chosen:
            self.out_dir.setText(chosen)

    # -- language -------------------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("ui.print_title"))
        self.browse.setText(tr("ui.print_browse"))
        self.print_button.setText(tr("ui.print_button"))
        self.printer.setItemText(0, tr("ui.print_no_printer"))
        labels = ("ui.print_folder", "print_ui.window_start", "ui.print_hours",
                  "ui.print_packets", "ui.print_language", "ui.print_printer", "ui.print_speed")
        for label, key in zip(self._labels, labels, strict=True):
            label.setText(tr(key))
        self.table.setHorizontalHeaderLabels([tr(f"ui.print_column_{c}") for c in COLUMNS])
        self._update_totals()

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


def _number_item(value: float) -> QTableWidgetItem:
    item = QTableWidgetItem(i18n.format_number(value))
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
