"""Reads that may take long, on a connection of their own, in a thread of their own.

On a shared server the census of a large hospital or a patient's dossier is a round trip over
the network: on the GUI thread it would freeze the screen, for seconds while the network is cut.
A window hands such a read to its ``StoreReader`` and is called back on the GUI thread with the
answer. The reader's thread opens its connection on its first read (not one per click) and runs
the reads one after the other, in the order asked; the work it runs returns plain data and never
touches a widget.

A reader still reading when the application quits (``aboutToQuit``) or when its window is
destroyed is stopped as a background task is (``ui.tasks.Threaded``): the reads still queued
skipped, its thread waited for once the read in progress returns, the late answer dropped
(nothing is called back on a window that is going), and a worker that Python's exit deletes
under its read stays silent (it used to print « Signal source has been deleted » on stderr).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation
from ui.tasks import Threaded, Worker

Opener = Callable[[DatabaseLocation], Any]
Read = Callable[[Any], Any]  # store → plain data, run in the reader's thread
Answer = Callable[[Any], None]
Failure = Callable[[Exception], None]


class _ReadWorker(Worker):
    answered = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, opener: Opener, location: DatabaseLocation) -> None:
        super().__init__()
        self._opener = opener
        self._location = location
        self.store: Store | None = None

    @Slot(int, object)
    def run(self, request: int, work: Read) -> None:
        if self.dropped:  # the reads still queued when the reader was told to stop
            return
        try:
            if self.store is None:
                self.store = self._opener(self._location)
            result = work(self.store)
        except Exception as error:  # handed to the GUI thread, which sorts user errors from bugs
            self._tell("failed", request, error)
        else:
            self._tell("answered", request, result)

    @Slot()
    def close_store(self) -> None:
        """In the reader's thread, as it ends: the connection is closed where it was used."""
        store, self.store = self.store, None
        if store is not None:
            store.close()


class StoreReader(Threaded):
    """``read(work, on_done, on_failed)``: ``work(store)`` in the reader's thread, then
    ``on_done(result)`` or ``on_failed(error)`` on the GUI thread."""

    worker: _ReadWorker
    _asked = Signal(int, object)

    def __init__(self, parent: QObject, location: DatabaseLocation, opener: Opener) -> None:
        super().__init__(parent, _ReadWorker(opener, location))
        self.location = location
        self._callbacks: dict[int, tuple[Answer, Failure]] = {}
        self._next = 0
        self.worker_thread.setObjectName("store_reader")
        self._asked.connect(self.worker.run)
        # ``finished`` is emitted by the thread itself, right before it ends
        self.worker_thread.finished.connect(self.worker.close_store,
                                            Qt.ConnectionType.DirectConnection)
        self.worker.answered.connect(self._answered)
        self.worker.failed.connect(self._failed)
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
        if callbacks is not None and not self.dropped:
            callbacks[0](result)

    @Slot(int, object)
    def _failed(self, request: int, error: Exception) -> None:
        callbacks = self._callbacks.pop(request, None)
        if callbacks is not None and not self.dropped:
            callbacks[1](error)

    def release(self) -> None:
        """The reads not answered yet are forgotten."""
        self._callbacks.clear()
        super().release()

    def close(self) -> None:
        """Stop: the reads not answered yet are forgotten, and the connection is closed in the
        reader's thread once the read in progress (if any) ends. The GUI thread does not wait
        for it (a read on a cut network may take seconds): ``wait()`` does, when closing."""
        self.release()
