"""The offline banner: while the server cannot be reached the viewer reads the ward's offline
copy, and says so above everything, with the copy's date, its wards and a way back.

Like the drill banner, a toolbar nobody can hide or move. The nurse must not take the copy for
the live record (it is as old as its "data as of"), nor look for a way to write in it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QSizePolicy, QToolBar

from reentry import clock
from reentry.i18n import tr
from reentry.store.opening import OfflineCopy
from ui import theme
from ui.language import is_language_change


class OfflineBanner(QToolBar):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("offline_banner")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not in the window's toolbar menu
        self.label = QLabel(self)
        self.label.setObjectName("offline_banner_label")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setFont(theme.scaled_font(self.label, 1.15, bold=True))
        self.label.setStyleSheet(f"background: {theme.WARNING_BACKGROUND};"
                                 f" color: {theme.WARNING_TEXT}; padding: 6px;")
        self.retry_button = QPushButton(self)
        self.retry_button.setObjectName("offline_retry")
        self.addWidget(self.label)
        self.addWidget(self.retry_button)
        self.copy: OfflineCopy | None = None
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)
        self.setVisible(False)
        self._retranslate()

    def show_copy(self, copy: OfflineCopy | None) -> None:
        """The copy on screen, or None (on the server: no banner)."""
        self.copy = copy
        self.setVisible(copy is not None)
        self._retranslate()

    def text(self) -> str:
        return self.label.text()

    def _retranslate(self) -> None:
        self.retry_button.setText(tr("ui.offline_retry"))
        copy = self.copy
        if copy is None:
            self.label.clear()
            return
        as_of = (clock.format_local(copy.data_as_of) if copy.data_as_of is not None
                 else tr("ui.offline_as_of_unknown"))
        text = "\n".join((tr("ui.offline_banner", as_of=as_of),
                          tr("ui.offline_banner_wards", wards=", ".join(copy.ward_names))))
        self.label.setText(text)
        self.label.setAccessibleName(text)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
