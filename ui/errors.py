"""Errors have an audience: a person can fix a ``UserError``; anything else is a bug.

A ``UserError`` (locked or too new database, disk full...) is shown in a message box with its
translated message. Any other exception gets a crash log in the user's data folder and a dialog
saying where it is; the application keeps running. The crash log holds the exception type and
the code location only: exception messages and variables may carry a patient's name, so they
are never written.
"""

from __future__ import annotations

import platform
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from reentry import __version__ as reentry_version
from reentry.errors import UserError
from reentry.files import make_private_folder, write_private_text
from reentry.i18n import tr
from reentry.logs import log_dir

_PARENTLESS_BOXES: set[QMessageBox] = set()


def crash_log_dir() -> Path:
    return log_dir()


def _message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str,
                 text: str) -> QMessageBox:
    """A non-blocking box (``open`` rather than ``exec``), so timers and tests keep running."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if parent is None:  # nothing owns it on the Qt side: keep it alive until it is closed
        _PARENTLESS_BOXES.add(box)
        box.finished.connect(lambda _result: _PARENTLESS_BOXES.discard(box))
    box.open()
    return box


def show_user_error(parent: QWidget | None, error: UserError) -> QMessageBox:
    """What happened and what to do, in the user's language."""
    return _message_box(parent, QMessageBox.Icon.Warning, tr("ui.error_title"), error.message())


def crash_report(exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None, when: datetime) -> str:
    """Where the bug happened, without the exception's message or any variable's value."""
    lines = [
        f"Reentry {reentry_version} crash report, {when.isoformat(timespec='seconds')}",
        f"Python {platform.python_version()}, PySide6 {pyside_version}, {platform.platform()}",
        "",
    ]
    chain: list[tuple[type[BaseException], TracebackType | None]] = [(exc_type, tb)]
    cause = exc.__cause__ or exc.__context__
    while cause is not None and len(chain) < 10:
        chain.append((type(cause), cause.__traceback__))
        cause = cause.__cause__ or cause.__context__
    for index, (kind, trace) in enumerate(chain):
        heading = "Exception" if index == 0 else "Raised while handling"
        lines.append(f"{heading}: {kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(trace):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
            if frame.line:
                lines.append(f"    {frame.line}")
        lines.append("")
    return "\n".join(lines)


def write_crash_log(folder: Path, exc_type: type[BaseException], exc: BaseException,
                    tb: TracebackType | None, when: datetime | None = None) -> Path:
    when = when or datetime.now().astimezone()
    make_private_folder(folder)  # a crash log is readable by its owner only
    path = folder / f"crash-{when:%Y%m%d-%H%M%S-%f}.log"
    write_private_text(path, crash_report(exc_type, exc, tb, when))
    return path


class ErrorReporter:
    """The application's ``sys.excepthook``: exceptions escaping a slot end here, not in a crash.

    ``parent`` gives the window the dialogs belong to (it may not exist yet at start-up).
    """

    def __init__(self, log_dir: Path, parent: Callable[[], QWidget | None] = lambda: None):
        self.log_dir = log_dir
        self.parent = parent
        self.last_log: Path | None = None

    def install(self) -> None:
        sys.excepthook = self

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: not ours to hide
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, UserError):
            show_user_error(self.parent(), exc)
            return
        try:
            self.last_log = write_crash_log(self.log_dir, exc_type, exc, tb)
            text = tr("ui.crash_message", log=str(self.last_log))
        except OSError:
            self.last_log = None
            text = tr("ui.crash_message_no_log")
        _message_box(self.parent(), QMessageBox.Icon.Critical, tr("ui.crash_title"), text)
