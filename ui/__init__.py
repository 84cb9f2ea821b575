"""The Reentry desktop application (PySide6): the only package that imports Qt.

Screens read the core through ``reentry.store`` and format through ``reentry.display``; widgets
that other screens reuse (identity banner, snapshot status) take plain model objects.
"""
