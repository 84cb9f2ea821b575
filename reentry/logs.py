"""Where Reentry's log goes: a file in the user's data folder, never the terminal.

A command's error is one clear line in the user's language; a warning logged on the way (the
directory's own error text, a page the second reader could not read) is for IT, in English,
with the technical detail: it goes to ``logs/reentry.log`` beside the crash logs, readable by
its owner only, kept to a few rotated files. Where that folder cannot be written (a read-only
home), the log is dropped rather than printed. No patient identifier is ever logged (see each
module's logging), so the file holds none either.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from platformdirs import user_data_path

from reentry.config import APP_NAME
from reentry.files import make_private_folder

LOG_NAME = "reentry.log"
LOGGERS = ("reentry", "ui")  # the core's and the desktop app's modules log under these names
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    """The folder of the log and of the desktop app's crash logs."""
    return user_data_path(APP_NAME, appauthor=False) / "logs"


def configure_logging(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Send the core's and the app's log records to ``folder``/reentry.log (default
    ``log_dir()``), and nowhere else; returns the file, or None when it cannot be written.
    Called once by each entry point (``reentry``, ``reentry-app``)."""
    path = (folder or log_dir()) / LOG_NAME
    handler: logging.Handler
    written: Path | None = path
    try:
        make_private_folder(path.parent)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
    except OSError:
        handler, written = logging.NullHandler(), None
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in _installed:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False  # never Python's last-resort handler on the terminal
    for old in _installed:
        old.close()
    _installed[:] = [handler]
    return written


_installed: list[logging.Handler] = []  # the handler configure_logging added last
