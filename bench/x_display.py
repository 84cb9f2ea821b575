"""A real X screen for benchmarks and screenshots: Xvfb at the ward PC's size with a window
manager (openbox), started for the run and stopped after it (by their process ids).

With ``DISPLAY`` already set (a desktop, or ``scripts/screenshots.sh``), that display is used
as it is. Xvfb and openbox come from Debian (``apt-get install xvfb openbox``;
``scripts/screenshots.sh`` installs them when missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_display() -> int:
    number = 99
    while Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
        number += 1
    return number


@contextmanager
def x_display(size: str = "1366x768", *, window_manager: str = "openbox") -> Iterator[str]:
    """The display to use (``:99``…), with ``QT_QPA_PLATFORM=xcb`` so that Qt draws on it."""
    if os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        yield os.environ["DISPLAY"]
        return
    for program in ("Xvfb", window_manager):
        if shutil.which(program) is None:
            raise SystemExit(f"{program} is missing: apt-get install xvfb {window_manager} "
                             "(or run scripts/screenshots.sh once, which installs them)")
    display = f":{_free_display()}"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manager = None
    try:
        socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
        deadline = time.monotonic() + 10
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        env = {**os.environ, "DISPLAY": display}
        manager = subprocess.Popen([window_manager], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # the window manager takes the screen before the first window maps
        os.environ["DISPLAY"] = display
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        yield display
    finally:
        for process in (manager, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
        os.environ.pop("DISPLAY", None)
