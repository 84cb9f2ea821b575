"""The ``reentry`` command line: a thin click layer over the core.

Errors a person can fix are one line in the user's language and a non-zero exit; anything else
is a bug and keeps its traceback. Each area's commands live in their own module; importing them
registers them on the group.
"""

from __future__ import annotations

import importlib
import pkgutil

from reentry.cli.base import cli

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

from reentry.cli.census import CENSUS_COLUMNS  # noqa: E402

__all__ = ["CENSUS_COLUMNS", "cli", "main"]


def main() -> None:
    cli(prog_name="reentry")


if __name__ == "__main__":
    main()
