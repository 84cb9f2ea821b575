"""Reads that may take long, on a connection of their own, in a thread of their own.

On a shared server the census of a large hospital or a patient's dossier is a round trip over
the network: on the GUI thread it would freeze the screen, for seconds while the network is cut.
A window hands such a read to its ``StoreReader`` and is called back on the GUI thread with the
answer. The reader's thread opens its connection on its first read (not one per click) and runs
the reads one after the other, in the order asked; the work it runs returns plain data and never
touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation
from ui.tasks import stop_with

Opener = Callable[[DatabaseLocation], Any]
Read = Callable[[Any], Any]  # store → plain data, run in the reader's thread
Answer = Callable[[Any], None]
Failure = Callable[[Exception], None]


class _ReadWorker(QObject):
    answered = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, opener: Opener, location: DatabaseLocation) -> None:
        super().__init__()
        self._opener = opener
        self._location = location
        self.store: Store | None = None
        self.stopped = False  # set by the GUI thread: the reads still queued are skipped

    @Slot(int, object)
    def run(self, request: int, work: Read) -> None:
        if self.stopped:
            return
        try:
            if self.store is None:
                self.store = self._opener(self._location)
            result = work(self.store)
        except Exception as error:  # handed to the GUI thread, which sorts user errors from bugs
            self.failed.emit(request, error)
        else:
            self.answered.emit(request, result)

    @Slot()
    def stop(self) -> None:
        store, self.store = self.store, None
        if store is not None:
            store.close()
        thread = self.thread()
        if thread is not None:
            thread.quit()


class StoreReader(QObject):
    """``read(work, on_done, on_failed)``: ``work(store)`` in the reader's thread, then
    ``on_done(result)`` or ``on_failed(error)`` on the GUI thread."""

    _asked = Signal(int, object)
    _stopping = Signal()

    def __init__(self, parent: QObject, location: DatabaseLocation, opener: Opener) -> None:
        super().__init__(parent)
        self.location = location
        self._callbacks: dict[int, tuple[Answer, Failure]] = {}
        self._next = 0
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("store_reader")
        self._worker = _ReadWorker(opener, location)
        self._worker.moveToThread(self.worker_thread)
        self._asked.connect(self._worker.run)
        self._stopping.connect(self._worker.stop)
        self._worker.answered.connect(self._answered)
        self._worker.failed.connect(self._failed)
        stop_with(self, self.worker_thread)  # a window destroyed unclosed must not abort the app
        self.worker_thread.start()

    def read(self, work: Read, on_done: Answer, on_failed: Failure) -> None:
        self._next += 1
        self._callbacks[self._next] = (on_done, on_failed)
        self._asked.emit(self._next, work)

    @property
    def busy(self) -> bool:
        """Whether a read asked for has not been answered yet."""
        return bool(self._callbacks)

    @Slot(int, object)
    def _answered(self, request: int, result: object) -> None:
        callbacks = self._callbacks.pop(request, None)
        if callbacks is not None:
            callbacks[0](result)

    @Slot(int, object)
    def _failed(self, request: int, error: Exception) -> None:
        callbacks = self._callbacks.pop(request, None)
        if callbacks is not None:
            callbacks[1](error)

    def close(self) -> None:
        """Stop: the reads not answered yet are forgotten, and the connection is closed in the
        reader's thread once the read in progress (if any) ends. The GUI thread does not wait
        for it (a read on a cut network may take seconds): ``wait()`` does, when closing."""
        self._callbacks.clear()
        self._worker.stopped = True
        self._stopping.emit()

    def wait(self) -> None:
        self.worker_thread.wait()

