"""Reconciliation runs, their verdicts, and the quality team's resolutions."""

from __future__ import annotations

from typing import Any


class ReviewQueries:
    """Mixed into ``SqliteStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any
