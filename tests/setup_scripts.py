"""Installing what a test needs with the project's own setup script, as setup.sh does on CI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


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
