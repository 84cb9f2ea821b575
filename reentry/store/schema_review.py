"""Migration 0008 — Reconciliation runs, their verdicts, and the quality team's resolutions."""

from __future__ import annotations


