"""Long core work off the GUI thread, with progress and cancel (after Anki's taskman).

``run_in_background(parent, work, on_done)`` runs ``work(progress, cancel)`` in a QThread. The
worker never touches widgets: it only emits signals, which Qt delivers on the GUI thread. A
progress dialog appears only if the work lasts more than half a second; its Cancel button sets
the core's ``CancelToken``.

A task still running when the application quits (``aboutToQuit``) or when its owner is destroyed
is told to stop (its ``CancelToken`` set), its thread waited for, and its late result dropped:
nothing is delivered to a screen that is going, and a worker that Python's exit deletes under
its work stays silent (it used to print « Signal source has been deleted » on stderr).
``Worker`` and ``Threaded`` hold what this takes; the store reader (``ui.store_reader``) is built
on them too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, SignalInstance
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from reentry.errors import Cancelled
from reentry.i18n import tr
from reentry.progress import CancelToken, Progress

Work = Callable[[Callable[[Progress], None], CancelToken], Any]

SHOW_AFTER_MS = 500


class Worker(QObject):
    """Works in a thread of its own and tells the GUI thread by its signals (never a widget).

    Dropped (``drop``, on the GUI thread) when nobody wants its news any more, the application
    quitting or its owner gone: it then tells no one. Deleted under its work by Python's exit
    (which tears objects down in no set order), it stays silent."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = False  # set by the GUI thread

    def drop(self) -> None:
        """Nobody wants its news any more. Called on the GUI thread; a plain Python method, so
        that it can be called once the Qt object is gone (subclasses: no Qt call either)."""
        self.dropped = True

    def _tell(self, name: str, *args: object) -> None:
        if self.dropped:
            return
        try:
            signal: SignalInstance = getattr(self, name)
            signal.emit(*args)
        except RuntimeError:
            if isValid(self):
                raise
            # Deleted under its work (the interpreter tearing objects down at exit): there is
            # no one left to tell.


class Threaded(QObject):
    """Owns a ``Worker`` and the thread it works in; stopped when the application quits
    (``aboutToQuit``) or when it is destroyed with its owner: the worker dropped, its thread
    ended once the work in progress returns, and waited for."""

    def __init__(self, parent: QObject, worker: Worker) -> None:
        super().__init__(parent)
        self.worker_thread = QThread(self)
        self.worker = worker
        worker.moveToThread(self.worker_thread)
        thread = self.worker_thread

        def abandon() -> None:  # its wrapper may already be gone: only what it held
            _release(worker, thread)
            _wait(thread)

        # ``destroyed`` comes before its children, the thread among them, are deleted: Qt aborts
        # the whole app when a running thread is destroyed.
        self.destroyed.connect(abandon)
        app = QCoreApplication.instance()
        if app is not None:  # a bound method: Qt forgets it when this object is destroyed
            app.aboutToQuit.connect(self.stop)

    @property
    def dropped(self) -> bool:
        return self.worker.dropped

    def release(self) -> None:
        """Told to stop, not waited for: the worker dropped, its thread ending once the work
        in progress (if any) returns."""
        _release(self.worker, self.worker_thread)

    def stop(self) -> None:
        """Told to stop and waited for."""
        self.release()
        self.wait()

    def wait(self) -> None:
        _wait(self.worker_thread)


def _release(worker: Worker, thread: QThread) -> None:
    worker.drop()
    if isValid(thread):
        thread.quit()


def _wait(thread: QThread) -> None:
    if isValid(thread):
        thread.wait()


class _TaskWorker(Worker):
    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, work: Work, token: CancelToken) -> None:
        super().__init__()
        self.work = work
        self.token = token

    def drop(self) -> None:
        super().drop()
        self.token.cancel()

    def run(self) -> None:
        try:
            result = self.work(self._progress, self.token)
        except Cancelled:
            self._tell("cancelled")
        except Exception as error:  # handed to the GUI thread, which sorts user errors from bugs
            self._tell("failed", error)
        else:
            self._tell("succeeded", result)

    def _progress(self, progress: Progress) -> None:
        self._tell("progressed", progress)


class _Task(Threaded):
    """What a background task shares: one run of its work, its thread's whole life."""

    worker: _TaskWorker

    def __init__(self, parent: QObject, work: Work, token: CancelToken) -> None:
        super().__init__(parent, _TaskWorker(work, token))
        self.token = token
        self.worker_thread.started.connect(self.worker.run)

    def start(self) -> None:
        self.worker_thread.start()


class BackgroundTask(_Task):
    """One run of ``work``; keep a reference until ``finished`` is emitted."""

    finished = Signal()
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget, work: Work, title: str) -> None:
        super().__init__(parent, work, CancelToken())
        self.dialog = QProgressDialog(title, tr("ui.task_cancel"), 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.worker.progressed.connect(self._on_progress)
        # bound methods: run on the GUI thread, where the task lives
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)

    def cancel(self) -> None:
        self.token.cancel()
        self.dialog.setLabelText(tr("ui.task_cancelling"))

    def stop(self) -> None:
        super().stop()
        self.dialog.close()

    def _on_progress(self, progress: Progress) -> None:
        if self.dropped:
            return
        self.dialog.setMaximum(progress.total)
        self.dialog.setValue(progress.done)
        self.dialog.setLabelText(progress.label.render())

    def _succeeded(self, result: object) -> None:
        self._relay(self.succeeded, result)

    def _failed(self, error: object) -> None:
        self._relay(self.failed, error)

    def _cancelled(self) -> None:
        self._relay(self.cancelled)

    def _relay(self, relay: SignalInstance, *args: object) -> None:
        if self.dropped:  # came in while the task was being stopped: nobody wants it
            return
        relay.emit(*args)
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.finished.emit()


class QuietTask(_Task):
    """Background work that shows no dialog (a table refreshing, an estimate): the screen stays
    usable and only the caller's own widgets say that something is being computed."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject, work: Callable[[], Any]) -> None:
        super().__init__(parent, lambda _progress, _cancel: work(), CancelToken())
        self.worker.succeeded.connect(self._succeeded)  # on the GUI thread, as above
        self.worker.failed.connect(self._failed)

    def _succeeded(self, result: object) -> None:
        self._relay(self.succeeded, result)

    def _failed(self, error: object) -> None:
        self._relay(self.failed, error)

    def _relay(self, relay: SignalInstance, *args: object) -> None:
        if self.dropped:  # came in while the task was being stopped: nobody wants it
            return
        relay.emit(*args)
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
