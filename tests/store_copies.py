"""A database prepared once per module, placed as one test's own database on either engine."""

from __future__ import annotations

import shutil
from pathlib import Path

from reentry.store import open_store
from reentry.store.copy import copy_database


def place_database(source: Path, store_location: Path | str) -> None:
    """``source`` (a SQLite file) as this test's database: a copy of the file, or, for a test
    marked ``both_backends``, copied onto its fresh database of the private PostgreSQL server
    (``reentry.store.copy``, as ``reentry db copy`` does)."""
    if isinstance(store_location, str):
        reader, writer = open_store(source), open_store(store_location)
        try:
            copy_database(reader.sql, writer.sql)
        finally:
            reader.close()
            writer.close()
    else:
        shutil.copy(source, store_location)
