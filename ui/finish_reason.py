"""« Feuille terminée » while the scanned page holds fields nobody typed (issue 14, item 3): the
fields named as on the paper (« Saturation en oxygène (SpO2) » (ligne 3, 16:00)), and the reason
to finish anyway. Cancel keeps the sheet open, on screen, to type them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reentry.domain.second_read import Verdict
from reentry.i18n import tr
from ui.paper_marks import MARK_COLOUR, SYMBOLS


class FinishReasonDialog(QDialog):
    """``reason()`` once accepted; the finish button waits for a reason."""

    def __init__(self, fields: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("finish_reason_dialog")
        self.setWindowTitle(tr("paper_ui.finish_title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(tr("paper_ui.finish_intro"), self)
        intro.setWordWrap(True)
        self.fields = QListWidget(self)
        self.fields.setObjectName("finish_reason_fields")
        self.fields.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fields.setStyleSheet(f"color: {MARK_COLOUR};")
        symbol = SYMBOLS[Verdict.WRITTEN_NOT_TYPED]
        for field in fields:
            self.fields.addItem(f"{symbol} {field}")
        rows = max(1, min(len(fields), 6))
        self.fields.setFixedHeight(self.fields.sizeHintForRow(0) * rows
                                   + 2 * self.fields.frameWidth() + 4)
        question = QLabel(tr("paper_ui.finish_question"), self)
        question.setWordWrap(True)
        label = QLabel(tr("paper_ui.finish_reason"), self)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("finish_reason")
        self.reason_edit.setPlaceholderText(tr("paper_ui.finish_reason_placeholder"))
        label.setBuddy(self.reason_edit)
        buttons = QDialogButtonBox(self)
        self.finish_button = QPushButton(tr("paper_ui.finish_confirm"), self)
        self.finish_button.setObjectName("finish_reason_confirm")
        self.cancel_button = QPushButton(tr("paper_ui.finish_cancel"), self)
        self.cancel_button.setObjectName("finish_reason_cancel")
        buttons.addButton(self.finish_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._reason_changed)
        self._reason_changed("")
        layout = QVBoxLayout(self)
        for widget in (intro, self.fields, question, label, self.reason_edit):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        self.reason_edit.setFocus()

    def _reason_changed(self, text: str) -> None:
        """Enter finishes once a reason is typed; before, it goes back to the sheet."""
        given = bool(text.strip())
        self.finish_button.setEnabled(given)
        self.finish_button.setDefault(given)
        self.cancel_button.setDefault(not given)

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def field_texts(self) -> list[str]:
        return [self.fields.item(i).text() for i in range(self.fields.count())]
