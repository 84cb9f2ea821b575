"""« Rapport qualité… »: choose the outage event and a folder, write the report off the GUI thread.

The report is the core's ``write_quality_report`` run in a ``BackgroundTask`` on its own
database connection (a progress dialog after half a second; Cancel stops between two steps and
leaves the previous files of that folder as they were). When it is written, a box says where,
with the page count and the number of items still open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from reentry.domain.entry import User
from reentry.domain.events import OutageEvent
from reentry.errors import UserError
from reentry.i18n import tr
from reentry.progress import CancelToken, ProgressCallback
from reentry.reports.labels import event_period
from reentry.reports.quality import ReportFiles, write_quality_report
from reentry.store.location import DatabaseLocation, LocationLike, as_location
from reentry.store.opening import open_database
from ui.errors import show_user_error
from ui.file_chooser import existing_folder
from ui.tasks import BackgroundTask

ChooseEvent = Callable[[QWidget, list[OutageEvent]], OutageEvent | None]
ChooseFolder = Callable[[QWidget], Path | None]


def event_text(event: OutageEvent) -> str:
    return tr("reports.ui_event_item", id=event.id, title=event.title, period=event_period(event))


def ask_event(parent: QWidget, events: list[OutageEvent]) -> OutageEvent | None:
    """The newest event is offered first; with a single event there is nothing to ask."""
    if len(events) == 1:
        return events[0]
    texts = [event_text(e) for e in events]
    chosen, ok = QInputDialog.getItem(parent, tr("reports.ui_choose_event_title"),
                                      tr("reports.ui_choose_event"), texts, 0, False)
    return events[texts.index(chosen)] if ok and chosen in texts else None


def ask_folder(parent: QWidget) -> Path | None:
    folder = existing_folder(parent, tr("reports.ui_choose_folder"))
    return Path(folder) if folder else None


class QualityReportRun(QObject):
    """One request for the report; parented to the window that asked, so it lives until done."""

    written = Signal(object)  # ReportFiles
    finished = Signal()

    def __init__(self, db: LocationLike, parent: QWidget, *, user: User | None,
                 choose_event: ChooseEvent = ask_event, choose_folder: ChooseFolder = ask_folder,
                 open_db: Callable[[DatabaseLocation], Any] = open_database) -> None:
        super().__init__(parent)
        self.window = parent
        self.user = user  # who writes it: the core checks they may, and names them in the audit
        self.db = as_location(db)
        self._choose_event = choose_event
        self._choose_folder = choose_folder
        self._open_db = open_db
        self.task: BackgroundTask | None = None
        self.box: QMessageBox | None = None

    def start(self) -> bool:
        """Ask, then start writing; False when nothing was started (no event, cancelled)."""
        if self.user is None:
            show_user_error(self.window, UserError("permissions.sign_in_first"))
            return False
        user = self.user
        try:
            store = self._open_db(self.db)
            try:
                events: list[OutageEvent] = store.outage_events()
            finally:
                store.close()
        except UserError as error:
            show_user_error(self.window, error)
            return False
        if not events:
            self._inform(tr("reports.ui_no_event"))
            return False
        event = self._choose_event(self.window, events)
        folder = self._choose_folder(self.window) if event is not None else None
        if event is None or folder is None:
            return False
        opener, db, event_id = self._open_db, self.db, event.id

        def work(progress: ProgressCallback, cancel: CancelToken) -> ReportFiles:
            store = opener(db)  # this thread's own connection
            try:
                return write_quality_report(store, event_id, folder, user=user,
                                            progress=progress, cancel=cancel)
            finally:
                store.close()

        self.task = BackgroundTask(self.window, work, tr("reports.ui_running"))
        self.task.succeeded.connect(self._written)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self.finished)
        self.task.start()
        return True

    def _written(self, files: ReportFiles) -> None:
        self._inform(tr("reports.ui_done", folder=str(files.folder), pages=files.pages,
                        open=len(files.report.open_items)))
        self.written.emit(files)

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            raise error  # a bug: the application's error reporter takes it
        show_user_error(self.window, error)

    def _inform(self, text: str) -> None:
        """A box that does not block (``open``), so the app and tests keep running."""
        box = QMessageBox(QMessageBox.Icon.Information, tr("reports.ui_choose_event_title"), text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        self.box = box


def open_quality_report(db: LocationLike, parent: QWidget, user: User | None
                        ) -> QualityReportRun:
    """The viewer's « Rapport qualité… » menu calls this, for whoever is signed in."""
    run = QualityReportRun(db, parent, user=user)
    run.finished.connect(run.deleteLater)
    if not run.start():
        run.deleteLater()
    return run
