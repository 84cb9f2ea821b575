"""The drill banner: on a drill copy, every window says so, permanently, and in its title.

A toolbar the user cannot hide or move holds a loud label; the window title is prefixed, and
stays prefixed when the window retitles itself (language switch). Nobody should type real
patients' data into an exercise, nor take an exercise for the real thing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QToolBar

from reentry.errors import UserError
from reentry.events.drill import is_drill
from reentry.i18n import tr
from reentry.store.areas import Store
from ui import theme
from ui.language import is_language_change


class DrillBanner(QToolBar):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("drill_banner")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not in the window's toolbar menu
        self.label = QLabel(self)
        self.label.setObjectName("drill_banner_label")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setFont(theme.scaled_font(self.label, 1.3, bold=True))
        self.label.setStyleSheet(f"background: {theme.WARNING_BACKGROUND};"
                                 f" color: {theme.WARNING_TEXT}; padding: 6px;")
        self.addWidget(self.label)
        self._window = window
        self._prefix = ""
        self.active = False
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)
        window.windowTitleChanged.connect(self._keep_prefix)
        self._retranslate()

    def set_active(self, active: bool) -> None:
        self.active = active
        self.setVisible(active)
        self._apply_prefix()

    def _retranslate(self) -> None:
        self.label.setText(tr("events.drill_banner"))
        self._apply_prefix()

    def _apply_prefix(self) -> None:
        title = self._window.windowTitle()
        if self._prefix and title.startswith(self._prefix):
            title = title[len(self._prefix):]
        self._prefix = tr("events.drill_title_prefix") if self.active else ""
        self._window.setWindowTitle(self._prefix + title)

    def _keep_prefix(self, title: str) -> None:
        if self._prefix and not title.startswith(self._prefix):
            self._window.setWindowTitle(self._prefix + title)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


def show_drill_state(window: QMainWindow, store: Store | None) -> DrillBanner:
    """Show (or hide) ``window``'s drill banner for the database ``store`` has open."""
    banner = _banner(window)
    try:
        drill = store is not None and is_drill(store)
    except UserError:
        drill = banner.active  # a busy database: keep what was known, never drop the banner
    banner.set_active(drill)
    return banner


def show_drill(window: QMainWindow, drill: bool) -> DrillBanner:
    """Show (or hide) ``window``'s drill banner, the database having been read elsewhere (off
    the GUI thread)."""
    banner = _banner(window)
    banner.set_active(drill)
    return banner


def _banner(window: QMainWindow) -> DrillBanner:
    banner = window.findChild(DrillBanner, "drill_banner")
    return banner if banner is not None else DrillBanner(window)
