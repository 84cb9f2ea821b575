"""Migration 0007 — Downtime admissions: the identity written on paper for a
temporary-identity packet.
"""

from __future__ import annotations


