"""The ``reentry`` command line: a thin click layer over the core.

Errors a person can fix are one line in the user's language and a non-zero exit; anything else
is a bug and keeps its traceback. Each area's commands live in their own module; importing them
registers them on the group.

``main`` makes every file the command creates readable by its owner only (umask 077), and turns
SIGTERM (``kill``, a scheduler stopping a job) into an orderly exit, like Ctrl+C: temporary
files are removed, worker processes stopped and an interrupted print batch closed as such.
"""

from __future__ import annotations

import importlib
import pkgutil
import signal
from types import FrameType

from reentry.cli.base import cli
from reentry.files import restrict_umask
from reentry.logs import configure_logging

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

from reentry.cli.census import CENSUS_COLUMNS  # noqa: E402

__all__ = ["CENSUS_COLUMNS", "cli", "main"]


EXIT_TERMINATED = 128 + signal.SIGTERM  # what a shell reports for a process ended by SIGTERM


def main() -> None:
    restrict_umask()
    configure_logging()  # warnings to the log file: an error on the terminal stays one line
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    cli(prog_name="reentry")


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """Unwind as for Ctrl+C, so that ``finally`` and ``except`` blocks clean up; a second
    SIGTERM ends the process at once."""
    signal.signal(signum, signal.SIG_DFL)
    raise SystemExit(EXIT_TERMINATED)


if __name__ == "__main__":
    main()
