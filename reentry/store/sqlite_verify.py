"""Double entry: second entries, discrepancies and the decisions that resolve them."""

from __future__ import annotations

from typing import Any


class VerifyQueries:
    """Mixed into ``SqliteStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any
