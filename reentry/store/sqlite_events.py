"""Outage events: start, end, wards and systems, who declared them; sheet accounting."""

from __future__ import annotations

from typing import Any


class EventQueries:
    """Mixed into ``SqliteStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any
