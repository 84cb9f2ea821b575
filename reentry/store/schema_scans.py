"""Migration 0005 — Scanned stacks: files, pages, page images and the manual identification
queue.
"""

from __future__ import annotations


