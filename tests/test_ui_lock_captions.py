"""The lock names each field it asks for: « Changer d'utilisateur » showed « Nom d'utilisateur »
above the name, then a second field with no caption at all for the password (a nurse at 3 a.m.
types her password in the name field, or the other way round; a screen reader reads « champ »)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_ui_lock import people, window  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.qt]


def shown_text(caption) -> str:
    return caption.text().replace("&", "")


def test_each_field_of_the_lock_has_its_caption(qtbot, window):  # noqa: F811
    window.session.lock()
    overlay = window.lock_overlay
    qtbot.waitUntil(overlay.secret.hasFocus)
    caption = overlay.secret_caption
    assert caption.isVisible() and caption.buddy() is overlay.secret
    assert shown_text(caption) == "Mot de passe"
    assert caption.geometry().bottom() <= overlay.secret.geometry().top()  # above its field
    qtbot.mouseClick(overlay.switch_button, Qt.MouseButton.LeftButton)
    assert overlay.name_caption.isVisible() and overlay.name_caption.buddy() is overlay.name
    assert caption.isVisible() and shown_text(caption) == "Mot de passe"
    assert (overlay.name.geometry().bottom() <= caption.geometry().top()
            and caption.geometry().bottom() <= overlay.secret.geometry().top())
