"""Migration 0006 — Double entry: second entries, discrepancies and the decisions that
resolve them.
"""

from __future__ import annotations


