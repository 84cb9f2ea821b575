"""Importing scanned stacks from the app: choose PDF or image files (or a folder), watch the
progress, read what became of each file.

The import is the core's ``import_scans``, run off the GUI thread on its own database
connection (``BackgroundTask``: a progress dialog after half a second, Cancel stops between two
pages and keeps what is stored). The summary says how many pages were attached to their sheet,
how many wait for a person, and gives one line per file; the pages waiting are one click away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reentry.domain.scans import ScanImportResult
from reentry.errors import UserError
from reentry.i18n import Msg, msg, tr
from reentry.progress import CancelToken, Progress, ProgressCallback
from reentry.store.location import LocationLike
from reentry.store.opening import open_database
from ui import theme
from ui.errors import show_user_error
from ui.file_chooser import existing_folder, open_files
from ui.scan_queue import open_scan_queue
from ui.scan_sign_in import ScanSignIn
from ui.session import Session
from ui.signed_in_window import Opener, SignedInWindow, signed_in_text
from ui.slots import discarding
from ui.tasks import BackgroundTask

ChoosePaths = Callable[[QWidget], list[str]]


def _ask_files(parent: QWidget) -> list[str]:
    from reentry.scanning.sources import IMAGE_SUFFIXES  # here: it loads the PDF library

    patterns = " ".join(f"*{s}" for s in sorted({".pdf", *IMAGE_SUFFIXES}))
    return open_files(parent, tr("scan_ui.import_choose_files_title"),
                      tr("scan_ui.import_file_filter", patterns=patterns))


def _ask_folder(parent: QWidget) -> list[str]:
    folder = existing_folder(parent, tr("scan_ui.import_choose_folder_title"))
    return [folder] if folder else []


def summary_lines(result: ScanImportResult) -> list[str]:
    """One line per message about a file, its name first."""
    return [tr("scans.cli_file", file=name, message=message.render())
            for name, message in result.messages]


class ScanImportWindow(SignedInWindow):
    """As the session's user (signed in here if nobody is), choose files: the import starts at
    once."""

    imported = Signal(object)  # ScanImportResult, once an import has succeeded
    finished_importing = Signal()  # the background import is over, whatever its outcome

    def __init__(self, db: LocationLike, parent: QWidget | None = None, *,
                 session: Session | None = None, open_db: Opener = open_database,
                 choose_files: ChoosePaths | None = None,
                 choose_folder: ChoosePaths | None = None,
                 workers: int | None = None) -> None:
        super().__init__(db, parent, open_db=open_db, sign_in=ScanSignIn, session=session)
        self.setObjectName("scan_import_window")
        self._open_db = open_db
        self._choose_files = choose_files or _ask_files
        self._choose_folder = choose_folder or _ask_folder
        self._workers = workers
        self.task: BackgroundTask | None = None
        self.result: ScanImportResult | None = None
        self.last_progress: Progress | None = None
        self._status: tuple[str, Msg] | None = None
        self._queued = 0
        self._close_when_done = False
        self._build_page()
        self._stack_pages()
        self.close_action = QAction(self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)
        self.addAction(self.close_action)
        self.resize(820, 560)
        self._retranslate()
        self._start()

    def _build_page(self) -> None:
        page = self.page
        self.heading = QLabel(page)
        self.heading.setFont(theme.scaled_font(page, 1.4, bold=True))
        self.user_label = QLabel(page)
        self.user_label.setObjectName("scan_import_user")
        self.explanation = QLabel(page)
        self.explanation.setWordWrap(True)
        self.files_button = QPushButton(page)
        self.files_button.setObjectName("scan_import_files")
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button = QPushButton(page)
        self.folder_button.setObjectName("scan_import_folder")
        self.folder_button.clicked.connect(self.choose_folder)
        self.status = QLabel(page)
        self.status.setObjectName("scan_import_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setFont(theme.scaled_font(page, 1.1, bold=True))
        self.details = QListWidget(page)
        self.details.setObjectName("scan_import_details")
        self.details.setWordWrap(True)
        self.queue_button = QPushButton(page)
        self.queue_button.setObjectName("scan_import_open_queue")
        self.queue_button.clicked.connect(discarding(self.open_queue))
        self.queue_button.hide()
        self.close_button = QPushButton(page)
        self.close_button.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.user_label)
        choose = QHBoxLayout()
        choose.addWidget(self.files_button)
        choose.addWidget(self.folder_button)
        choose.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.queue_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.explanation)
        layout.addLayout(choose)
        layout.addWidget(self.status)
        layout.addWidget(self.details, 1)
        layout.addLayout(bottom)

    # -- who ------------------------------------------------------------------------------------

    def _after_sign_in(self) -> None:
        self.files_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- importing ------------------------------------------------------------------------------

    def choose_files(self) -> None:
        paths = self._choose_files(self)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        paths = self._choose_folder(self)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: Sequence[Path]) -> BackgroundTask | None:
        """Import ``paths`` in the background; None if an import is running or nobody signed
        in."""
        user = self.user
        if user is None or self.task is not None or not paths:
            return None
        chosen, open_db, db, workers = list(paths), self._open_db, self.db, self._workers

        def work(progress: ProgressCallback, cancel: CancelToken) -> ScanImportResult:
            # Imported here: the decoders and the PDF library load on the first import only,
            # not with the viewer.
            from reentry.scanning.importer import import_scans

            store = open_db(db)  # this thread's own connection
            try:
                return import_scans(store, chosen, user, progress=progress, cancel=cancel,
                                    workers=workers)
            finally:
                store.close()

        self.result = None
        self.last_progress = None
        self.details.clear()
        self.queue_button.hide()
        self._set_status("info", msg("scan_ui.import_running", files=len(chosen)))
        task = BackgroundTask(self, work, tr("scan_ui.import_progress_title"))
        task.worker.progressed.connect(self._progressed)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        task.finished.connect(self._finished)
        self.task = task
        self._enable(False)
        task.start()
        return task

    def _progressed(self, progress: Progress) -> None:
        self.last_progress = progress

    def _succeeded(self, result: ScanImportResult) -> None:
        self.result = result
        self._set_status("info", msg(
            "scan_ui.import_summary", files=result.files, already=result.files_already_imported,
            pages=result.pages, identified=result.identified, queued=result.queued,
            rescans=result.rescans, returned=result.sheets_returned))
        self.details.clear()
        self.details.addItems(summary_lines(result))
        self._show_queue_count()
        self.imported.emit(result)

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            raise error  # a bug: the application's crash handler logs it and tells the user
        self._set_status("error", error.msg)
        show_user_error(self, error)

    def _cancelled(self) -> None:
        self._set_status("warning", msg("scan_ui.import_cancelled"))
        self._show_queue_count()

    def _finished(self) -> None:
        self.task = None
        self._enable(True)
        self.finished_importing.emit()
        if self._close_when_done:
            self.close()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _enable(self, enabled: bool) -> None:
        self.files_button.setEnabled(enabled)
        self.folder_button.setEnabled(enabled)
        self.close_button.setEnabled(enabled)

    def _show_queue_count(self) -> None:
        try:
            self._queued = self.store.scan_counts()["queued"] if self.store is not None else 0
        except UserError:
            self._queued = 0
        self.queue_button.setText(tr("scan_ui.import_open_queue", count=self._queued))
        self.queue_button.setVisible(self._queued > 0)

    def open_queue(self) -> QWidget:
        """The pages waiting for a person, signed in as the same user."""
        return open_scan_queue(self.db, self.parentWidget() or self, session=self.session)

    # -- messages -------------------------------------------------------------------------------

    def _set_status(self, kind: str, message: Msg | None) -> None:
        self._status = (kind, message) if message is not None else None
        self._render_status()

    def _render_status(self) -> None:
        if self._status is None:
            self.status.clear()
            return
        kind, message = self._status
        colour = {"error": theme.ALLERGY_RED, "warning": "#e65100"}.get(kind, "#1b5e20")
        self.status.setText(message.render())
        self.status.setStyleSheet(f"color: {colour};")

    def status_text(self) -> str:
        return self.status.text()

    def detail_lines(self) -> list[str]:
        return [self.details.item(i).text() for i in range(self.details.count())]

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("scan_ui.import_window_title"))
        self.heading.setText(tr("scan_ui.import_heading"))
        self.explanation.setText(tr("scan_ui.import_explanation"))
        self.files_button.setText(tr("scan_ui.import_choose_files"))
        self.folder_button.setText(tr("scan_ui.import_choose_folder"))
        self.close_button.setText(tr("scan_ui.close"))
        self.close_action.setText(tr("scan_ui.close"))
        self.queue_button.setText(tr("scan_ui.import_open_queue", count=self._queued))
        self.user_label.setText(signed_in_text(self.user))
        if self.result is not None:
            self.details.clear()
            self.details.addItems(summary_lines(self.result))
        self._render_status()

    def closeEvent(self, event: QCloseEvent) -> None:
        """While an import runs, closing cancels it first (the window closes once it stops):
        the worker thread must not outlive its window."""
        if self.task is not None:
            self._close_when_done = True
            self.task.cancel()
            event.ignore()
            return
        super().closeEvent(event)


def open_scan_import(db: LocationLike, parent: QWidget | None = None, *,
                     session: Session | None = None) -> ScanImportWindow:
    """Create and show the import window (the viewer's File menu calls this)."""
    window = ScanImportWindow(db, parent, session=session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
