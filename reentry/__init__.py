"""Reentry core: the data model, the store, imports and everything that runs without a screen.

This package never imports Qt; the desktop application lives in ``ui``.
"""

__version__ = "0.1.0"
