"""Long core work off the GUI thread, with progress and cancel (after Anki's taskman).

``run_in_background(parent, work, on_done)`` runs ``work(progress, cancel)`` in a QThread. The
worker never touches widgets: it only emits signals, which Qt delivers on the GUI thread. A
progress dialog appears only if the work lasts more than half a second; its Cancel button sets
the core's ``CancelToken``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from reentry.errors import Cancelled
from reentry.i18n import tr
from reentry.progress import CancelToken, Progress

Work = Callable[[Callable[[Progress], None], CancelToken], Any]

SHOW_AFTER_MS = 500


def stop_with(owner: QObject, thread: QThread) -> None:
    """When ``owner`` is destroyed (its window gone without being closed: Python's garbage
    collector, an error path), end ``thread`` first, waiting for the work in progress: Qt
    aborts the whole app when a running thread is destroyed. ``destroyed`` is emitted before
    the owner's children, the thread among them, are deleted."""
    def stop() -> None:
        thread.quit()
        thread.wait()
    owner.destroyed.connect(stop)


class _Worker(QObject):
    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, work: Work, token: CancelToken) -> None:
        super().__init__()
        self.work = work
        self.token = token

    def run(self) -> None:
        try:
            result = self.work(self.progressed.emit, self.token)
        except Cancelled:
            self.cancelled.emit()
        except Exception as error:  # handed to the GUI thread, which sorts user errors from bugs
            self.failed.emit(error)
        else:
            self.succeeded.emit(result)


class BackgroundTask(QObject):
    """One run of ``work``; keep a reference until ``finished`` is emitted."""

    finished = Signal()
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget, work: Work, title: str) -> None:
        super().__init__(parent)
        self.token = CancelToken()
        self.worker_thread = QThread(self)
        stop_with(self, self.worker_thread)
        self.worker = _Worker(work, self.token)
        self.worker.moveToThread(self.worker_thread)
        self.dialog = QProgressDialog(title, tr("ui.task_cancel"), 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.worker_thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._on_progress)
        for signal, relay in ((self.worker.succeeded, self.succeeded),
                              (self.worker.failed, self.failed),
                              (self.worker.cancelled, self.cancelled)):
            signal.connect(relay)
            signal.connect(self._finish)

    def start(self) -> None:
        self.worker_thread.start()

    def cancel(self) -> None:
        self.token.cancel()
        self.dialog.setLabelText(tr("ui.task_cancelling"))

    def _on_progress(self, progress: Progress) -> None:
        self.dialog.setMaximum(progress.total)
        self.dialog.setValue(progress.done)
        self.dialog.setLabelText(progress.label.render())

    def _finish(self, *_: object) -> None:
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.finished.emit()


class QuietTask(QObject):
    """Background work that shows no dialog (a table refreshing, an estimate): the screen stays
    usable and only the caller's own widgets say that something is being computed."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject, work: Callable[[], Any]) -> None:
        super().__init__(parent)
        self.worker_thread = QThread(self)
        stop_with(self, self.worker_thread)
        self.worker = _Worker(lambda _progress, _cancel: work(), CancelToken())
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        for signal, relay in ((self.worker.succeeded, self.succeeded),
                              (self.worker.failed, self.failed)):
            signal.connect(relay)
            signal.connect(self._finish)

    def start(self) -> None:
        self.worker_thread.start()

    def _finish(self, *_: object) -> None:
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.finished.emit()


class QuietRefresh(QObject):
    """A screen's background read, one at a time: a refresh asked while one runs starts once
    more after it, so the screen ends showing the database as it is now.

    ``run(begin)`` calls ``begin()`` on the GUI thread when the read can start (it updates the
    screen and returns the work, which reads what it needs off the GUI thread). ``succeeded``
    and ``failed`` come from each read; ``finished`` once the last one asked for has ended.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.task: QuietTask | None = None
        self._again: Callable[[], Callable[[], Any]] | None = None

    def run(self, begin: Callable[[], Callable[[], Any]]) -> None:
        if self.task is not None:
            self._again = begin
            return
        task = QuietTask(self, begin())
        task.succeeded.connect(self.succeeded)
        task.failed.connect(self.failed)
        task.finished.connect(self._task_done)
        self.task = task
        task.start()

    def _task_done(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.deleteLater()
        again, self._again = self._again, None
        if again is not None:
            self.run(again)
            return
        self.finished.emit()

    def wait(self) -> None:
        """The read in progress ends before its screen goes (its thread belongs to it)."""
        self._again = None
        if self.task is not None:
            self.task.worker_thread.quit()
            self.task.worker_thread.wait()
