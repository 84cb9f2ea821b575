"""Scanned stacks: files, pages, page images and the manual identification queue."""

from __future__ import annotations

from typing import Any


class ScanQueries:
    """Mixed into ``SqliteStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any
