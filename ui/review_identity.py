"""Temporary identities of a run: the automatic decision, every candidate, and the cell's word.

Only the identity-vigilance cell (``Permission.DECIDE_IDENTITY``) decides: tie the temporary
identity to one candidate, declare it without match, or undo a link. Everyone else sees the same
tab read-only, with the reason why. The tab shows and asks; the window does the writing.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.domain.review import (
    IDENTITY_DECISIONS,
    IDENTITY_STATES,
    IdentityCase,
    PatientIdentity,
)
from reentry.i18n import Msg, format_number, tr
from reentry.model import Sex
from reentry.reconcile.agreement_text import agreement_text
from ui import theme
from ui.language import is_language_change
from ui.review_identity_columns import NAME_PARTS_ROLE, identity_table, name_item

# Each side's strict traits the cell decides a link on: whole name, birth date and sex.
CASE_COLUMNS = ("temporary", "name", "birth", "sex", "decision", "state", "linked_to")
CANDIDATE_COLUMNS = ("ipp", "name", "birth", "sex", "score", "fields")
_HEADING_TIPS = ("decision", "linked_to")  # short headings, said in full in their tooltip
_WHOLE = ("temporary", "ipp", "birth", "sex", "score")
# Names, read whole: each side's, and the patient a temporary identity is linked to (its IPP
# and its name, as the paper and the SIH name them).
_NAMES = ("name", "linked_to")
# What the cell works from, on two lines rather than « rattac… »: every word each may say.
_WRAPPED = {"decision": IDENTITY_DECISIONS, "state": IDENTITY_STATES}
_CASE_NAME, _CANDIDATE_NAME = CASE_COLUMNS.index("name"), CANDIDATE_COLUMNS.index("name")
_LINKED = CASE_COLUMNS.index("linked_to")
CANDIDATE_ROWS = 4  # candidates in view at most; more scroll (a case has 1 to 3, usually)


def _table(parent: QWidget, columns: tuple[str, ...]) -> QTableWidget:
    """One line chosen at a time: the case (or candidate) the buttons act on; identifiers,
    dates and scores read whole (« 14/07/19… » misleads), and so do names (the family name
    over the given names when the table is narrow) and a case's decision and state (on two
    lines when narrow); only the concordance of traits gives up room
    (``ui.review_identity_columns``)."""
    whole = [columns.index(c) for c in _WHOLE if c in columns]
    wrapped = {columns.index(c): partial(_said, c, words) for c, words in _WRAPPED.items()
               if c in columns}
    table = identity_table(parent, len(columns), whole, wrapped,
                           [columns.index(c) for c in _NAMES if c in columns])
    # Headings on two lines (« Identité / provisoire »): Qt elides a heading as one line, so
    # « Identité … » although both lines fit; the fit keeps every heading whole.
    table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    return table


def sex_text(traits: PatientIdentity) -> str:
    """« Féminin », « Masculin », « Indéterminé », or « non renseigné »."""
    return display.sex_label(Sex(traits.sex) if traits.sex in ("F", "M", "U") else None)


def _said(column: str, words: tuple[str, ...]) -> list[str]:
    return [tr(f"review.ui.identity_{column}_{word}") for word in words]


def linked_traits(case: IdentityCase, ipp: str | None) -> PatientIdentity | None:
    """The SIH patient ``ipp`` as the case knows it: one of its candidates (None: not one)."""
    return next((c.traits for c in case.candidates if ipp and c.right_id == ipp), None)


def linked_text(case: IdentityCase, ipp: str | None) -> str:
    """« 900003 — DUPONT Jean »: the IPP a temporary identity is linked to and its name; the IPP
    alone when the case does not know the name; empty when not linked."""
    if not ipp:
        return ""
    traits = linked_traits(case, ipp)
    return tr("review.ui.identity_linked", ipp=ipp, name=traits.name()) if traits else ipp


def _linked_item(case: IdentityCase) -> QTableWidgetItem:
    """The « Rattachée à » cell: the IPP over the name when the column is narrow."""
    item = QTableWidgetItem(linked_text(case, case.linked_to))
    traits = linked_traits(case, case.linked_to)
    if traits is not None and case.linked_to:
        item.setData(NAME_PARTS_ROLE, (case.linked_to, traits.name()))
    return item


class IdentityTab(QWidget):
    link_requested = Signal(str, str, str)  # left id, right id, comment
    no_match_requested = Signal(str, str)  # left id, comment
    undo_requested = Signal(str, str)  # left id, comment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identity_tab")
        self._cases: list[IdentityCase] = []
        self._can_decide = False
        self._refusal = ""
        self._feedback: Msg | None = None
        self.cases = _table(self, CASE_COLUMNS)
        self.cases.setObjectName("identity_cases")
        self.cases.itemSelectionChanged.connect(self._case_changed)
        self.candidates = _table(self, CANDIDATE_COLUMNS)
        self.candidates.setObjectName("identity_candidates")
        self.candidates.itemSelectionChanged.connect(self._candidate_changed)
        # as high as its rows (their height follows the names' lines), up to CANDIDATE_ROWS
        self.candidates.verticalHeader().sectionResized.connect(self._fit_candidates)
        self.candidates.verticalHeader().setMinimumSectionSize(1)
        self._fit_later = QTimer(self)  # once the columns are fitted (their rows with them)
        self._fit_later.setSingleShot(True)
        self._fit_later.setInterval(0)
        self._fit_later.timeout.connect(self._fit_candidates)
        self.candidates.horizontalHeader().sectionResized.connect(
            lambda *_: self._fit_later.start())
        self.left_identity = QLabel(self)
        self.left_identity.setObjectName("identity_left")
        self.left_identity.setFont(theme.scaled_font(self, 1.3, bold=True))
        self.left_identity.setWordWrap(True)
        self.reason = QLabel(self)
        self.reason.setObjectName("identity_reason")
        self.reason.setWordWrap(True)
        self.current = QLabel(self)
        self.current.setObjectName("identity_current")
        self.current.setWordWrap(True)
        # the chosen candidate's concordance of traits, whole (its column may end in « … »)
        self.agreement = QLabel(self)
        self.agreement.setObjectName("identity_agreement")
        self.agreement.setWordWrap(True)
        self.agreement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.comment = QLineEdit(self)
        self.comment.setObjectName("identity_comment")
        self.comment_caption = QLabel(self)
        self.comment_caption.setBuddy(self.comment)
        self.link_button = QPushButton(self)
        self.link_button.setObjectName("identity_link")
        self.link_button.clicked.connect(self._link)
        self.no_match_button = QPushButton(self)
        self.no_match_button.setObjectName("identity_no_match")
        self.no_match_button.clicked.connect(self._no_match)
        self.undo_button = QPushButton(self)
        self.undo_button.setObjectName("identity_undo")
        self.undo_button.clicked.connect(self._undo)
        self.rights = QLabel(self)
        self.rights.setObjectName("identity_rights")
        self.rights.setWordWrap(True)
        self.rights.setStyleSheet(f"color: {theme.PROVISIONAL_IDENTITY}; font-weight: bold;")
        self.feedback = theme.error_label(self, "identity_feedback")
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)

        detail = QWidget(self)
        below = QVBoxLayout(detail)
        below.setContentsMargins(0, 0, 0, 0)
        for widget in (self.left_identity, self.reason, self.current):
            below.addWidget(widget)
        below.addWidget(self.candidates)
        below.addWidget(self.agreement)
        decide = QHBoxLayout()  # the comment and the three decisions on one line
        decide.addWidget(self.comment_caption)
        decide.addWidget(self.comment, 1)
        for button in (self.link_button, self.no_match_button, self.undo_button):
            decide.addWidget(button)
        below.addLayout(decide)
        below.addWidget(self.feedback)
        below.addStretch(1)
        # The cases above, the chosen one's candidates below, each table the window's whole
        # width: side by side, half a ward PC's width cut names to « RENAUD … », and each side's
        # whole name and birth date are what a link is decided on. The candidates' table is as
        # high as its rows (1 to 3 usually, CANDIDATE_ROWS at most): the list of cases gets the
        # rest of the height.
        detail.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.detail = detail
        layout = QVBoxLayout(self)
        layout.addWidget(self.rights)
        layout.addWidget(self.empty)
        layout.addWidget(self.cases, 1)
        layout.addWidget(detail)
        self._retranslate()

    # -- what it shows ------------------------------------------------------------------------

    def set_rights(self, can_decide: bool, refusal: str = "") -> None:
        self._can_decide = can_decide
        self._refusal = refusal
        self.rights.setText("" if can_decide else refusal)
        self.rights.setVisible(not can_decide)
        self._update_buttons()

    def set_cases(self, cases: list[IdentityCase]) -> None:
        selected = self.current_case()
        self._cases = cases
        self.cases.setRowCount(len(cases))
        for r, case in enumerate(cases):
            for c, text in enumerate(self._case_cells(case)):
                item = (name_item(case.traits) if c == _CASE_NAME else _linked_item(case)
                        if c == _LINKED else QTableWidgetItem(text))
                item.setData(Qt.ItemDataRole.UserRole, case.left_id)
                self.cases.setItem(r, c, item)
        self.empty.setVisible(not cases)
        keep = next((r for r, c in enumerate(cases)
                     if selected is not None and c.left_id == selected.left_id), None)
        if keep is not None:
            self.cases.selectRow(keep)
        elif cases:
            self.cases.selectRow(0)
        self._case_changed()

    def select_case(self, left_id: str) -> None:
        for r, case in enumerate(self._cases):
            if case.left_id == left_id:
                self.cases.selectRow(r)
                return
        raise KeyError(left_id)

    def select_candidate(self, right_id: str) -> None:
        case = self.current_case()
        assert case is not None
        for r, candidate in enumerate(case.candidates):
            if candidate.right_id == right_id:
                self.candidates.selectRow(r)
                return
        raise KeyError(right_id)

    def case(self, left_id: str) -> IdentityCase | None:
        """The case shown for ``left_id`` (as read off the GUI thread with the run)."""
        return next((c for c in self._cases if c.left_id == left_id), None)

    def current_case(self) -> IdentityCase | None:
        rows = self.cases.selectionModel().selectedRows() if self.cases.selectionModel() else []
        if not rows or rows[0].row() >= len(self._cases):
            return None
        return self._cases[rows[0].row()]

    def show_feedback(self, message: Msg | None) -> None:
        self._feedback = message
        self.feedback.setText(message.render() if message else "")

    def _case_cells(self, case: IdentityCase) -> list[str]:
        return [case.left_id, case.traits.name(), case.traits.birth_date_text(),
                sex_text(case.traits), tr(f"review.ui.identity_decision_{case.decision}"),
                tr(f"review.ui.identity_state_{case.state}"), linked_text(case, case.linked_to)]

    def _case_changed(self) -> None:
        case = self.current_case()
        self.comment.clear()
        self.show_feedback(None)
        if case is None:
            self.left_identity.clear()
            self.reason.clear()
            self.current.clear()
            self.candidates.setRowCount(0)
            self._candidate_changed()
            return
        self.left_identity.setText(tr("review.ui.identity_left", temporary=case.left_id,
                                      name=case.traits.name(),
                                      birth=case.traits.birth_date_text() or "—"))
        self.reason.setText(tr("review.ui.identity_reason",
                               decision=tr(f"review.ui.identity_decision_{case.decision}"),
                               score=format_number(case.score, 2), reason=case.reason_text()))
        self.current.setText(self._current_text(case))
        self.candidates.setRowCount(len(case.candidates))
        for r, candidate in enumerate(case.candidates):
            cells = (candidate.right_id, candidate.traits.name(),
                     candidate.traits.birth_date_text(), sex_text(candidate.traits),
                     format_number(candidate.score, 2),
                     agreement_text(candidate.fields))
            for c, text in enumerate(cells):
                self.candidates.setItem(r, c, name_item(candidate.traits)
                                        if c == _CANDIDATE_NAME else QTableWidgetItem(text))
        self._fit_candidates()
        self._candidate_changed()

    def _current_text(self, case: IdentityCase) -> str:
        if case.current is None:
            return tr(f"review.ui.identity_state_{case.state}")
        return tr("review.ui.identity_decided",
                  state=tr(f"review.ui.identity_state_{case.state}"),
                  by=case.current.username, at=clock.format_local(case.current.at),
                  right=linked_text(case, case.current.right_id) or "—",
                  comment=case.current.comment or "—")

    def _candidate_changed(self) -> None:
        """The chosen candidate's concordance of traits, whole, under the candidates."""
        case, right = self.current_case(), self._selected_candidate()
        candidate = next((c for c in case.candidates if c.right_id == right), None) if (
            case is not None and right is not None) else None
        self.agreement.setText(tr("review.ui.candidate_agreement", ipp=candidate.right_id,
                                  name=candidate.traits.name(),
                                  fields=agreement_text(candidate.fields))
                               if candidate is not None else "")
        self.agreement.setVisible(candidate is not None)
        self._update_buttons()

    def _fit_candidates(self, *_args: object) -> None:
        """The candidates' table as high as its heading and first CANDIDATE_ROWS rows (one
        empty row's height when there are none): scrolling beyond."""
        table = self.candidates
        shown = min(table.rowCount(), CANDIDATE_ROWS)
        rows = (sum(table.rowHeight(r) for r in range(shown)) if shown
                else table.verticalHeader().defaultSectionSize())
        scroll = table.horizontalScrollBar()
        height = (2 * table.frameWidth() + table.horizontalHeader().sizeHint().height() + rows
                  + (scroll.sizeHint().height() if scroll.maximum() > 0 else 0))
        if table.height() != height or table.minimumHeight() != height:
            table.setFixedHeight(height)

    def _selected_candidate(self) -> str | None:
        case = self.current_case()
        model = self.candidates.selectionModel()
        rows = model.selectedRows() if model else []
        if case is None or not rows or rows[0].row() >= len(case.candidates):
            return None
        return case.candidates[rows[0].row()].right_id

    def _update_buttons(self) -> None:
        case = self.current_case()
        allowed = self._can_decide and case is not None
        self.link_button.setEnabled(allowed and self._selected_candidate() is not None)
        self.no_match_button.setEnabled(allowed)
        self.undo_button.setEnabled(allowed and case is not None and case.linked_to is not None)
        self.comment.setEnabled(allowed)

    # -- asking -------------------------------------------------------------------------------

    def _link(self) -> None:
        case, right = self.current_case(), self._selected_candidate()
        if case is not None and right is not None and self.link_button.isEnabled():
            self.link_requested.emit(case.left_id, right, self.comment.text())

    def _no_match(self) -> None:
        case = self.current_case()
        if case is not None and self.no_match_button.isEnabled():
            self.no_match_requested.emit(case.left_id, self.comment.text())

    def _undo(self) -> None:
        case = self.current_case()
        if case is not None and self.undo_button.isEnabled():
            self.undo_requested.emit(case.left_id, self.comment.text())

    # -- language -----------------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.cases.setHorizontalHeaderLabels(
            [tr(f"review.ui.identity_column_{c}") for c in CASE_COLUMNS])
        for name in _HEADING_TIPS:
            heading = self.cases.horizontalHeaderItem(CASE_COLUMNS.index(name))
            if heading is not None:
                heading.setToolTip(tr(f"review.ui.identity_column_{name}_tip"))
        self.candidates.setHorizontalHeaderLabels(
            [tr(f"review.ui.candidate_column_{c}") for c in CANDIDATE_COLUMNS])
        self.comment_caption.setText(tr("review.ui.comment_caption"))
        self.link_button.setText(tr("review.ui.identity_link"))
        self.no_match_button.setText(tr("review.ui.identity_no_match"))
        self.undo_button.setText(tr("review.ui.identity_undo"))
        self.empty.setText(tr("review.ui.identity_empty"))
        self.show_feedback(self._feedback)
        if self._cases:
            self.set_cases(self._cases)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

