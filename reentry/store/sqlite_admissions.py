"""Downtime admissions: the identity written on paper for a temporary-identity packet."""

from __future__ import annotations

from typing import Any


class AdmissionQueries:
    """Mixed into ``SqliteStore``; relies on its ``_transaction`` and ``_rows``."""

    _transaction: Any
    _rows: Any
