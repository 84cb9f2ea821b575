"""One flag in full: the patient, paper and SIH side by side, the scanned page, and its
resolution.

The patient's identity (name, birth date, IPP or temporary identity) heads the pane and is
always in view: a flag is worked on a patient's record. The fields that decided the verdict
are highlighted on both sides, with the matcher's reason beneath. The pane shows and asks; the
window does the writing (``resolve_requested`` / ``reopen_requested``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.domain.entry import ItemKind
from reentry.domain.review import (
    OPEN,
    FlagDetail,
    ResolutionReason,
    item_label,
    kind_label,
    paper_reference,
    resolution_label,
    verdict_label,
)
from reentry.i18n import Msg, msg, tr
from ui import theme
from ui.language import is_language_change
from ui.page_view import PageView

FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {  # an ItemKind's fields
    ItemKind.VITAL_SIGN: ("code", "time", "value", "unit", "author", "entered_by"),
    ItemKind.MEDICATION_ADMINISTRATION: ("code", "time", "dose", "unit", "route", "status",
                                         "author", "entered_by"),
    ItemKind.NURSING_NOTE: ("time", "text", "author", "entered_by"),
    ItemKind.MOVEMENT: ("code", "time", "value", "text", "author", "entered_by"),
}
DECIDING = "#ffe08a"  # the fields the verdict turned on
# Ctrl+1 … Ctrl+6: resolve the flag on screen with that reason, in the order of the list.
REASON_KEYS = {reason: f"Ctrl+{n}" for n, reason in enumerate(ResolutionReason, start=1)}


def field_value(values: dict[str, Any], name: str, kind: str = ItemKind.VITAL_SIGN) -> str:
    """One field of a paper or SIH item as the reviewer reads it."""
    if name == "code":  # « Fréquence cardiaque », not 8867-4; the drug as written
        return item_label(kind, str(values.get("code") or "")) if values.get("code") else ""
    if name in ("value", "dose"):
        if values.get("value") is not None:
            return display.format_number(float(values["value"]))
        return values.get("value_text") or ""
    if name == "time":
        return clock.format_local(clock.from_storage(values.get("effective_time")))
    if name == "unit":  # as on paper (« mmHg », « °C »), not the UCUM code the data holds
        return display.unit_text(values.get("unit"))
    if name == "status":
        status = values.get("status") or ""
        return tr(f"reconcile.status.{status}") if status in ("completed", "not-done") else status
    return str(values.get(name) or "")


class FlagDetailPane(QWidget):
    resolve_requested = Signal(str, str, str)  # item key, reason code, comment
    reopen_requested = Signal(str, str)  # item key, comment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flag_detail")
        self._detail: FlagDetail | None = None
        self._can_resolve = False
        self._refusal = ""
        self._feedback: Msg | None = None
        self._ward_names: dict[str, str] = {}

        self.patient_name = QLabel(self)
        self.patient_name.setObjectName("review_patient_name")
        self.patient_name.setFont(theme.scaled_font(self, 1.4, bold=True))
        self.patient_name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.patient_ids = QLabel(self)
        self.patient_ids.setObjectName("review_patient_ids")
        self.patient_ids.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity_frame = QFrame(self)
        self.identity_frame.setObjectName("review_identity")
        self.identity_frame.setStyleSheet(
            f"#review_identity {{ background: {theme.PANEL}; border: 2px solid {theme.BORDER};"
            " border-radius: 4px; }")
        identity = QVBoxLayout(self.identity_frame)
        identity.addWidget(self.patient_name)
        identity.addWidget(self.patient_ids)

        self.summary = QLabel(self)
        self.summary.setObjectName("review_summary")
        self.summary.setWordWrap(True)
        self.summary.setFont(theme.scaled_font(self, 1.1, bold=True))
        self.comparison = QTableWidget(self)
        self.comparison.setObjectName("review_comparison")
        self.comparison.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.comparison.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.comparison.setWordWrap(True)
        # rows as high as their wrapped texts at the width the columns end up with (the page
        # box shown or folded away changes it after the rows are filled)
        self.comparison.horizontalHeader().sectionResized.connect(
            lambda *_: self.comparison.resizeRowsToContents())
        self.reason = QLabel(self)
        self.reason.setObjectName("review_reason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.page_box = QGroupBox(self)
        self.page_view = PageView(self.page_box)  # zoom, turn, decoded off the GUI thread
        self.page_view.setObjectName("review_page")
        QVBoxLayout(self.page_box).addWidget(self.page_view)
        self._page_image: bytes | None = None

        self.resolution_box = QGroupBox(self)
        self.state = QLabel(self.resolution_box)
        self.state.setObjectName("review_state")
        self.state.setWordWrap(True)
        self.previous = QLabel(self.resolution_box)
        self.previous.setObjectName("review_previous")
        self.previous.setWordWrap(True)
        self.previous.setStyleSheet(f"color: {theme.PROVISIONAL_IDENTITY};")
        self.reason_choice = QComboBox(self.resolution_box)
        self.reason_choice.setObjectName("review_reason_choice")
        self.comment = QLineEdit(self.resolution_box)
        self.comment.setObjectName("review_comment")
        self.comment.setMaxLength(500)
        self.comment.returnPressed.connect(self._resolve)
        self.resolve_button = QPushButton(self.resolution_box)
        self.resolve_button.setObjectName("review_resolve")
        self.resolve_button.clicked.connect(self._resolve)
        self.reopen_button = QPushButton(self.resolution_box)
        self.reopen_button.setObjectName("review_reopen")
        self.reopen_button.clicked.connect(self._reopen)
        self.rights = QLabel(self.resolution_box)
        self.rights.setObjectName("review_rights")
        self.rights.setWordWrap(True)
        self.feedback = theme.error_label(self.resolution_box, "review_feedback")
        self.history = QListWidget(self.resolution_box)
        self.history.setObjectName("review_history")
        self.history.setMaximumHeight(110)
        self.reason_caption = QLabel(self.resolution_box)
        self.reason_caption.setBuddy(self.reason_choice)
        self.comment_caption = QLabel(self.resolution_box)
        self.comment_caption.setBuddy(self.comment)
        form = QFormLayout()
        form.addRow(self.reason_caption, self.reason_choice)
        form.addRow(self.comment_caption, self.comment)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.resolution_box)
        for widget in (self.state, self.previous):
            box.addWidget(widget)
        box.addLayout(form)
        box.addLayout(buttons)
        for below in (self.rights, self.feedback, self.history):
            box.addWidget(below)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.activated.connect(self._resolve)
        self.reason_shortcuts: dict[ResolutionReason, QShortcut] = {}
        for reason, key in REASON_KEYS.items():
            quick = QShortcut(QKeySequence(key), self)
            quick.activated.connect(lambda chosen=reason: self.resolve_with(chosen))
            self.reason_shortcuts[reason] = quick

        sides = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.summary)
        left.addWidget(self.comparison, 1)
        left.addWidget(self.reason)
        sides.addLayout(left, 3)
        sides.addWidget(self.page_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.identity_frame)
        layout.addLayout(sides, 1)
        layout.addWidget(self.resolution_box)
        self._retranslate()
        self.show_detail(None)

    # -- what it shows ------------------------------------------------------------------------

    def set_ward_names(self, names: dict[str, str]) -> None:
        self._ward_names = dict(names)

    def set_rights(self, can_resolve: bool, refusal: str = "") -> None:
        self._can_resolve = can_resolve
        self._refusal = refusal
        self._update_buttons()

    def show_detail(self, detail: FlagDetail | None, page_image: bytes | None = None) -> None:
        self._detail = detail
        self._page_image = page_image
        self.comment.clear()
        self.show_feedback(None)
        self._render()

    def show_feedback(self, message: Msg | None) -> None:
        self._feedback = message
        self.feedback.setText(message.render() if message else "")

    def current_key(self) -> str | None:
        return self._detail.row.item_key if self._detail else None

    def deciding_rows(self) -> list[str]:
        """The field rows highlighted as deciding the verdict (for tests and screen readers)."""
        firsts = ((r, self.comparison.item(r, 0)) for r in range(self.comparison.rowCount()))
        return [self.comparison.verticalHeaderItem(r).data(Qt.ItemDataRole.UserRole)
                for r, first in firsts if first is not None and first.font().bold()]

    def cell(self, field: str, column: int) -> str:
        for r in range(self.comparison.rowCount()):
            if self.comparison.verticalHeaderItem(r).data(Qt.ItemDataRole.UserRole) == field:
                item = self.comparison.item(r, column)
                return item.text() if item else ""
        raise KeyError(field)

    def _render(self) -> None:
        detail = self._detail
        self.identity_frame.setVisible(detail is not None)
        self.resolution_box.setEnabled(detail is not None)
        if detail is None:
            self.summary.setText(tr("review.ui.pick_a_flag"))
            self.comparison.clear()
            self.comparison.setRowCount(0)
            self.comparison.setColumnCount(0)
            self.reason.clear()
            self.page_view.clear(msg("review.ui.no_scanned_page"))
            self.page_box.hide()
            self.state.clear()
            self.previous.clear()
            self.history.clear()
            self._update_buttons()
            return
        row = detail.row
        identity = row.identity
        self.patient_name.setText(identity.name() if identity.known
                                  else tr("review.ui.temporary_only",
                                          temporary=row.temporary_id or row.ipp))
        # a qualified patient is never called provisional: the temporary identity only if any
        line = ("review.ui.identity_line_both" if row.ipp and row.temporary_id
                else "review.ui.identity_line_temporary" if row.temporary_id
                else "review.ui.identity_line")
        self.patient_ids.setText(tr(line, birth=identity.birth_date_text() or "—",
                                    ipp=row.ipp or "—", temporary=row.temporary_id))
        ward = self._ward_names.get(row.ward_code) or row.ward_code
        self.summary.setText(tr("review.ui.summary", verdict=verdict_label(row.run_verdict),
                                item=item_label(row.kind, row.code), kind=kind_label(row.kind),
                                ward=ward or "—", reference=paper_reference(row.item_key)))
        self.summary.setToolTip(tr("review.ui.summary_tip", key=row.item_key,
                                   ward=row.ward_code or "—", code=row.code or "—"))
        self.reason.setText(row.reason_text())
        self._fill_comparison(detail)
        self._show_page()
        self._show_state(detail)
        self._update_buttons()

    def _fill_comparison(self, detail: FlagDetail) -> None:
        shown = FIELDS_BY_KIND.get(detail.row.kind, FIELDS_BY_KIND[ItemKind.VITAL_SIGN])
        fields = tuple(f for f in shown if f != "entered_by" or detail.paper.get("entered_by"))
        deciding = {"dose" if f == "value" and detail.row.kind == ItemKind.MEDICATION_ADMINISTRATION
                    else f for f in detail.differs_on}
        sih = detail.sih
        self.comparison.clear()
        self.comparison.setRowCount(len(fields))
        self.comparison.setColumnCount(1 + max(len(sih), 1))
        headers = [tr("review.ui.side_paper")]
        if not sih:
            headers.append(tr("review.ui.side_sih"))
        elif len(sih) == 1:
            headers.append(tr("review.ui.side_sih_id", id=sih[0].get("id", "")))
        else:
            headers += [tr("review.ui.side_sih_copy", n=n, id=s.get("id", ""))
                        for n, s in enumerate(sih, start=1)]
        self.comparison.setHorizontalHeaderLabels(headers)
        kind = detail.row.kind
        for r, name in enumerate(fields):
            heading = (tr(f"review.ui.field_code_{kind}") if name == "code"
                       else tr(f"review.ui.field_{name}"))
            header = QTableWidgetItem(heading)
            header.setData(Qt.ItemDataRole.UserRole, name)
            self.comparison.setVerticalHeaderItem(r, header)
            sides = [detail.paper, *sih]
            cells = [field_value(values, name, kind) for values in sides]
            if not sih:
                cells.append(tr("review.ui.nothing_in_sih") if r == 0 else "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                code = sides[c].get("code") if name == "code" and c < len(sides) else None
                if code and code != text:  # the standard code, for whoever needs it
                    item.setToolTip(tr("review.ui.code_tip", code=code))
                if name in deciding:
                    item.setBackground(QBrush(QColor(DECIDING)))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.comparison.setItem(r, c, item)
        self.comparison.resizeRowsToContents()

    def _show_page(self) -> None:
        """The scanned page beside the comparison; without one the box folds away and the
        comparison and its explanation take the whole width (a 1,366-pixel screen)."""
        self.page_view.set_image(self._page_image, msg("review.ui.no_scanned_page"))
        self.page_box.setVisible(self._page_image is not None)

    def has_page_image(self) -> bool:
        return self.page_view.has_image()

    def _show_state(self, detail: FlagDetail) -> None:
        row = detail.row
        if row.status == OPEN:
            self.state.setText(tr("review.ui.state_open", since=clock.format_local(
                row.first_flagged_at)))
        elif detail.closed_by_run is not None:
            self.state.setText(tr("review.ui.state_closed_by_run", run=detail.closed_by_run,
                                  reason=resolution_label(row.resolution),
                                  at=clock.format_local(row.closed_at)))
        else:
            self.state.setText(tr("review.ui.state_closed", by=detail.closed_by or "—",
                                  reason=resolution_label(row.resolution),
                                  comment=detail.comment or "—",
                                  at=clock.format_local(row.closed_at)))
        previous = detail.previous
        self.previous.setVisible(bool(previous) and row.status == OPEN)
        if previous:
            self.previous.setText(tr(
                "review.ui.previous", reason=resolution_label(previous.get("resolution")),
                by=previous.get("closed_by") or tr("review.ui.by_run",
                                                   run=previous.get("closed_by_run") or "—"),
                verdict=verdict_label(previous.get("verdict") or "missing"),
                comment=previous.get("comment") or "—"))
        self.history.clear()
        for event in detail.history:
            values = dict(
                at=clock.format_local(event.at, with_zone=False),
                action=tr(f"review.ui.action_{event.action}"),
                who=event.username or tr("review.ui.by_run", run=event.run_id or "—"),
                detail=resolution_label(event.resolution) if event.resolution
                else verdict_label(event.verdict or "missing"))
            self.history.addItem(tr("review.ui.history_comment", comment=event.comment, **values)
                                 if event.comment else tr("review.ui.history_line", **values))

    def _update_buttons(self) -> None:
        is_open = self._detail is not None and self._detail.row.status == OPEN
        allowed = self._can_resolve and self._detail is not None
        for widget in (self.reason_choice, self.comment, self.resolve_button):
            widget.setEnabled(allowed and is_open)
        self.reopen_button.setEnabled(allowed and not is_open)
        self.rights.setText("" if self._can_resolve else self._refusal)
        self.rights.setVisible(not self._can_resolve)

    # -- asking -------------------------------------------------------------------------------

    def choose_reason(self, reason: ResolutionReason) -> None:
        self.reason_choice.setCurrentIndex(self.reason_choice.findData(reason.value))

    def resolve_with(self, reason: ResolutionReason) -> None:
        """The reason's shortcut: resolve at once with it (and the comment typed, if any);
        « autre » waits for its comment, the cursor put where to type it."""
        if self.current_key() is None or not self.resolve_button.isEnabled():
            return
        self.choose_reason(reason)
        if reason is ResolutionReason.OTHER and not self.comment.text().strip():
            self.comment.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.show_feedback(msg("review.ui.other_needs_comment"))
            return
        self._resolve()

    def _resolve(self) -> None:
        key = self.current_key()
        if key is None or not self.resolve_button.isEnabled():
            return
        self.resolve_requested.emit(key, str(self.reason_choice.currentData()),
                                    self.comment.text())

    def _reopen(self) -> None:
        key = self.current_key()
        if key is not None and self.reopen_button.isEnabled():
            self.reopen_requested.emit(key, self.comment.text())

    # -- language -----------------------------------------------------------------------------

    def _retranslate(self) -> None:
        chosen = self.reason_choice.currentData()
        self.reason_choice.clear()
        for reason in ResolutionReason:
            self.reason_choice.addItem(tr("review.ui.reason_with_key", reason=resolution_label(
                reason.value), key=REASON_KEYS[reason]), reason.value)
        if chosen is not None:
            self.reason_choice.setCurrentIndex(self.reason_choice.findData(chosen))
        self.page_box.setTitle(tr("review.ui.scanned_page"))
        self.resolution_box.setTitle(tr("review.ui.resolution"))
        self.reason_caption.setText(tr("review.ui.reason_caption"))
        self.comment_caption.setText(tr("review.ui.comment_caption"))
        self.resolve_button.setText(tr("review.ui.resolve"))
        self.resolve_button.setToolTip(tr("review.ui.resolve_tip"))
        self.reopen_button.setText(tr("review.ui.reopen"))
        self.show_feedback(self._feedback)
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
