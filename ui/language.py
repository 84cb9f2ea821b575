"""Switching language at run time: every widget retranslates itself on Qt's LanguageChange.

The core's ``i18n`` holds the current language; Qt's own event then reaches every window and,
through them, every child widget, so a screen added later only has to handle ``changeEvent``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

from reentry import i18n


def switch_language(language: str) -> None:
    """Render every message in ``language`` from now on and ask all widgets to retranslate."""
    i18n.set_language(language)
    app = QCoreApplication.instance()
    if app is not None:
        QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))


def is_language_change(event: QEvent) -> bool:
    return event.type() == QEvent.Type.LanguageChange
