"""What the fixtures that start a private server (PostgreSQL, CUPS) share: installing what the
server needs with the project's own setup script, as setup.sh does on CI, and skipping the tests
that need it, or failing them where they are required, when it cannot run here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest


def run_setup_script(script: Path, missing: str, unavailable: type[Exception],
                     who: str) -> None:
    """Run ``script`` (``scripts/*-setup.sh``) to install what is ``missing``; when it cannot,
    raise ``unavailable``, the fixture's "cannot run here" error, saying why."""
    print(f"{who} test: missing {missing}; running {script}", file=sys.stderr)
    if not script.is_file() or shutil.which("apt-get") is None:
        raise unavailable(f"missing {missing} and no apt-get to install it")
    try:
        result = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=900, check=False)
    except subprocess.TimeoutExpired as error:
        raise unavailable(f"{script.name} took over 15 minutes") from error
    if result.returncode != 0:
        raise unavailable(f"{script.name} failed: {result.stderr.strip()[-500:]}")


def skip_or_fail(reason: str, require_variable: str) -> NoReturn:
    """Skip the test, saying why the server cannot run here; fail it when ``require_variable``
    is 1 (CI, where the tests that need the server must run)."""
    print(reason, file=sys.stderr)
    if os.environ.get(require_variable) == "1":
        pytest.fail(f"{reason} ({require_variable}=1: the tests that need it must run)")
    pytest.skip(reason)
