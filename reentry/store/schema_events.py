"""Migration 0004 — Outage events: start, end, wards and systems, who declared them; sheet
accounting.
"""

from __future__ import annotations


