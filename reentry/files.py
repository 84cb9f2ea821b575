"""Files and folders that hold patient data, created readable by their owner only.

The database, the printed PDFs, the exports, the reports, the audit pack and the crash logs
all name patients or staff. Each is created private from the start: mode 0600 for a file, 0700
for a folder, given to ``open`` or ``mkdir`` when the file comes into being, never set by a
chmod once the data is in (a reader who opened the file in between would keep reading). The
entry points (``reentry``, ``reentry-app``) also set the umask to 077 (``restrict_umask``), so
what libraries write on their own (SQLite's ``-wal`` and ``-shm``, a PDF library's output) is
private too, whatever the session's umask.

Folders that already exist are left as they are: they belong to whoever made them (``--out
/srv/exports``). On Windows the modes mean little; files take the access list of their folder,
which IT sets once (docs/files.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
PRIVATE_UMASK = 0o077
PARTIAL_SUFFIX = ".partial"

# The .partial files this process is writing, for an exit that unwinds nothing: a worker process
# told to end at once (reentry.workers) removes them before it goes.
_in_progress: set[Path] = set()


def restrict_umask() -> int:
    """Make whatever this process creates from now on private; returns the previous umask.

    Called first thing by the entry points, before any thread starts (the umask belongs to the
    whole process). Worker processes inherit it.
    """
    return os.umask(PRIVATE_UMASK)


def make_private_folder(path: Path) -> Path:
    """Create ``path`` and its missing parents, each 0700; existing folders are not changed."""
    path = Path(path)
    missing = []
    folder = path
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            if not folder.is_dir():
                raise
    return path


def create_private_file(path: Path, *, replace: bool = True) -> bool:
    """Create ``path`` empty and private, for a library that then writes into it by name (a
    PDF canvas, SQLite): writing into an existing file keeps its mode.

    A file already there (a ``.partial`` left by a killed run) is removed first, so that no
    other mode or earlier reader carries over; with ``replace=False`` it is kept as it is (a
    database). Returns whether a file was created.
    """
    try:
        os.close(_create_exclusive(path, os.O_WRONLY))
    except FileExistsError:
        if not replace:
            return False
        os.unlink(path)
        os.close(_create_exclusive(path, os.O_WRONLY))
    return True


def create_private_database(path: Path) -> None:
    """An empty private SQLite file where there is none yet, in private folders: SQLite writes
    into it and creates its ``-wal``, ``-shm`` and ``-journal`` with the same mode. An existing
    database is left as it is."""
    make_private_folder(Path(path).parent)
    create_private_file(path, replace=False)


def open_private(path: Path, mode: Literal["w", "wb"] = "wb", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing a new private file; a file already there is replaced
    (removed, then created again 0600), never written into."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes new files only, not mode {mode!r}")
    return open(path, mode, opener=_private_opener, **kwargs)


def write_private_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with open_private(path, "w", encoding=encoding) as handle:
        handle.write(text)


def write_private_bytes(path: Path, data: bytes) -> None:
    with open_private(path, "wb") as handle:
        handle.write(data)


def partial_path(target: Path) -> Path:
    """Where ``target`` is written before it is complete: ``x.pdf`` → ``x.pdf.partial``."""
    return target.with_name(target.name + PARTIAL_SUFFIX)


@contextlib.contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """A private ``.partial`` file beside ``target``, moved onto it when the block ends well
    and removed on every other way out: an error, Ctrl+C, SIGTERM (the CLI turns it into
    ``SystemExit``). A folder never holds half a file, nor the leftovers of one."""
    partial = partial_path(target)
    create_private_file(partial)
    _in_progress.add(partial)
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        remove_quietly(partial)
        raise
    finally:
        _in_progress.discard(partial)


def remove_partials_in_progress() -> None:
    """Remove the ``.partial`` files being written, just before this process ends without
    unwinding (``os._exit``)."""
    for partial in list(_in_progress):
        remove_quietly(partial)


def remove_quietly(path: Path) -> None:
    """Remove a temporary file on the way out of an error; the error matters, not this."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _create_exclusive(path: Path | str, flags: int) -> int:
    return os.open(path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)


def _private_opener(path: str, flags: int) -> int:
    flags &= ~os.O_TRUNC
    try:
        return _create_exclusive(path, flags)
    except FileExistsError:
        os.unlink(path)
        return _create_exclusive(path, flags)
