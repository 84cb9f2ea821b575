"""Qt-free progress reporting and cancellation for long work (printing, imports, scans).

Core functions take a ``progress`` callback and a ``CancelToken``; the desktop app turns the
events into a progress dialog and its Cancel button into ``token.cancel()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from reentry.errors import Cancelled
from reentry.i18n import Msg


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    label: Msg


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Set from any thread; long work checks it between steps and stops cleanly."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def ignore_progress(_: Progress) -> None:
    """The default callback: scripts and tests that do not watch progress."""
