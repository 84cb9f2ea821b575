"""The "data as of" line every screen shows, turning into a warning when the data is old.

During an outage the snapshot only gets older; the nurse must see, without looking for it, that
the paper record may know more than the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from reentry import display
from reentry.model import Snapshot
from ui import theme
from ui.language import is_language_change

_NORMAL_STYLE = (
    f"QLabel {{ background: {theme.PANEL}; color: {theme.TEXT}; padding: 6px 10px;"
    f" border-bottom: 1px solid {theme.BORDER}; }}"
)
_STALE_STYLE = (
    f"QLabel {{ background: {theme.WARNING_BACKGROUND}; color: {theme.WARNING_TEXT};"
    f" padding: 8px 10px; border: 3px solid {theme.ALLERGY_RED}; font-weight: bold; }}"
)


class SnapshotStatus(QLabel):
    """Shows the snapshot's "data as of"; ``refresh()`` re-evaluates its age against ``now()``."""

    def __init__(self, now: Callable[[], datetime], stale_after_hours: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("snapshot_status")
        self._now = now
        self.stale_after_hours = stale_after_hours
        self._snapshot: Snapshot | None = None
        self._stale = False
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFont(theme.scaled_font(self, 1.1))
        self._render()

    @property
    def is_stale(self) -> bool:
        return self._stale

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    def set_snapshot(self, snapshot: Snapshot | None) -> None:
        self._snapshot = snapshot
        self._render()

    def refresh(self) -> None:
        """Re-evaluate the age of the data (called by a timer while the application is open)."""
        self._render()

    def _render(self) -> None:
        snapshot, now = self._snapshot, self._now()
        stale = display.is_stale(snapshot, now, self.stale_after_hours)
        if stale and snapshot is not None:
            text = "⚠ " + display.stale_warning_text(snapshot, now)
        else:
            text = display.data_as_of_text(snapshot)
        if stale != self._stale or not self.styleSheet():
            self.setStyleSheet(_STALE_STYLE if stale else _NORMAL_STYLE)
        self._stale = stale
        self.setText(text)
        self.setAccessibleName(text)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._render()
        super().changeEvent(event)
