"""The outage event window: the event itself, every sheet accounted for, and closing it.

Sign in first (the same page as re-entry: every declaration says who made it). Then: the event
(declare, end, close), the accounting per ward and batch (expected, returned, entered,
verified, lost, not used, unaccounted), and the unaccounted sheets with their patient's identity,
from which a ward manager declares the selected ones lost or not used, with a reason. Closing
with sheets still missing asks for a ward manager's signed exception.

The accounting is read off the GUI thread (it joins every sheet's history: thousands of rows in
a large hospital), on its own connection; writes go through the window's connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.barcodes import group_for_reading, page_code
from reentry.config import Settings
from reentry.domain.entry import User
from reentry.domain.events import (
    DeclareEvent,
    EventStatus,
    ExceptionRequest,
    OutageEvent,
)
from reentry.domain.permissions import Permission, allowed
from reentry.domain.sheet_state import UNACCOUNTED, SheetState
from reentry.errors import UserError
from reentry.events import service
from reentry.events.accounting import (
    AccountLine,
    account_lines,
    declare_sheets,
    unaccounted_by_ward,
)
from reentry.i18n import Msg, msg, tr
from reentry.sheets.tracking import TrackedSheet, tracked_sheets
from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation, LocationLike
from reentry.store.opening import open_database
from ui import theme
from ui.drill_banner import show_drill_state
from ui.errors import show_user_error
from ui.event_dialogs import (
    CloseEventDialog,
    DeclareEventDialog,
    DeclareSheetsDialog,
    EventForm,
)
from ui.figure_tables import fill_table, read_only_table
from ui.session import Session
from ui.sign_in import SignInPage
from ui.signed_in_window import Opener, SignedInWindow, signed_in_text
from ui.slots import discarding
from ui.tasks import QuietRefresh

ACCOUNT_COLUMNS = ("ward", "batch", "expected", "returned", "entered", "verified", "lost",
                   "not_used", "unaccounted")
SHEET_COLUMNS = ("ward", "place", "name", "birth_date", "ipp", "form", "code", "returned")
# The same definitions as the progress screen, figure by figure.
_COUNT_TIPS = {"expected": "ui.progress_tip_printed", **{
    name: f"ui.progress_tip_{name}"
    for name in ("returned", "entered", "verified", "lost", "not_used", "unaccounted")}}


@dataclass(frozen=True)
class AccountingView:
    """What the background read brings back to the screen."""

    events: list[OutageEvent]
    event: OutageEvent | None
    sheets: list[TrackedSheet]
    ward_names: dict[str, str] = field(default_factory=dict)  # code → name, as people say it


def read_accounting(open_db: Opener, db: DatabaseLocation, event_id: int | None
                    ) -> AccountingView:
    """Runs in a worker thread, on its own connection."""
    store = open_db(db)
    try:
        events = store.outage_events()
        event = (next((e for e in events if e.id == event_id), None) if event_id is not None
                 else service.current_event(store))
        sheets = tracked_sheets(store, event_id=event.id) if event is not None else []
        names = {ward.code: ward.name for ward in store.wards()}
    finally:
        store.close()
    return AccountingView(events, event, sheets, names)


class EventSignIn(SignInPage):
    """The sign-in titled for outage events: declaring, ending and closing are signed."""

    def _retranslate(self) -> None:
        super()._retranslate()
        self.title.setText(tr("events.ui_sign_in_title"))
        self.explanation.setText(tr("events.ui_sign_in_explanation"))


class EventWindow(SignedInWindow):
    refreshed = Signal()  # the tables show the database as it is now

    def __init__(self, db: LocationLike, settings: Settings | None = None,
                 parent: QWidget | None = None, *, now: Callable[[], datetime] = clock.now,
                 open_db: Opener = open_database,
                 session: Session | None = None) -> None:
        super().__init__(db, parent, open_db=open_db, sign_in=EventSignIn, session=session)
        self._open_db = open_db
        self.setObjectName("event_window")
        self._now = now
        self.outage: OutageEvent | None = None
        self.sheets: list[TrackedSheet] = []
        self.ward_names: dict[str, str] = {}
        self._chosen_event: int | None = None
        self._reads = QuietRefresh(self)
        self._reads.succeeded.connect(self._show)
        self._reads.failed.connect(self._failed)
        self._reads.finished.connect(self.refreshed)
        self.dialog: QDialog | None = None  # the dialog open now (tests drive it)
        self._notice: Msg | None = None
        self._build_page()
        self._stack_pages()
        self.resize(1250, 860)
        self._retranslate()
        show_drill_state(self, self.store)
        self._start()

    # -- construction ---------------------------------------------------------------------------

    def _build_page(self) -> None:
        page = self.page
        self.event_box = QComboBox(page)
        self.event_box.setObjectName("event_choice")
        self.event_box.activated.connect(self._event_chosen)
        self.summary = QLabel(page)
        self.summary.setObjectName("event_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setFont(theme.scaled_font(page, 1.1))
        self.declare_button = QPushButton(page)
        self.end_button = QPushButton(page)
        self.close_button = QPushButton(page)
        self.refresh_button = QPushButton(page)
        self.declare_button.clicked.connect(discarding(self.open_declare))
        self.end_button.clicked.connect(discarding(self.ask_end))
        self.close_button.clicked.connect(discarding(self.open_close))
        self.refresh_button.clicked.connect(self.refresh)
        self.accounts_table = read_only_table(page, len(ACCOUNT_COLUMNS))
        self.accounts_table.setObjectName("accounts_table")
        self.accounts_caption = QLabel(page)
        self.accounts_caption.setBuddy(self.accounts_table)
        self.accounts_legend = QLabel(page)  # what each figure counts
        self.accounts_legend.setObjectName("accounts_legend")
        self.accounts_legend.setWordWrap(True)
        self.ward_filter = QComboBox(page)
        self.ward_filter.setObjectName("ward_filter")
        # wards by name: as wide as the longest, never « toutes le… »
        self.ward_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.ward_filter.currentIndexChanged.connect(lambda _i: self._show_sheets())
        self.sheets_caption = QLabel(page)
        self.sheets_table = read_only_table(page, len(SHEET_COLUMNS))
        self.sheets_table.setObjectName("unaccounted_table")
        self.sheets_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sheets_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.sheets_caption.setBuddy(self.sheets_table)
        self.lost_button = QPushButton(page)
        self.not_used_button = QPushButton(page)
        self.lost_button.clicked.connect(
            discarding(lambda: self.open_declare_sheets(SheetState.LOST)))
        self.not_used_button.clicked.connect(
            discarding(lambda: self.open_declare_sheets(SheetState.NOT_USED)))
        self.notice = QLabel(page)
        self.notice.setObjectName("event_notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.user_label = QLabel(page)

        top = QHBoxLayout()
        top.addWidget(self.event_box, 1)
        top.addWidget(self.user_label)
        actions = QHBoxLayout()
        for button in (self.declare_button, self.end_button, self.close_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        filters = QHBoxLayout()
        filters.addWidget(self.sheets_caption, 1)
        filters.addWidget(self.ward_filter)
        declare = QHBoxLayout()
        declare.addStretch(1)
        declare.addWidget(self.lost_button)
        declare.addWidget(self.not_used_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(actions)
        layout.addWidget(self.notice)
        layout.addWidget(self.accounts_caption)
        layout.addWidget(self.accounts_table, 2)
        layout.addWidget(self.accounts_legend)
        layout.addLayout(filters)
        layout.addWidget(self.sheets_table, 4)
        layout.addLayout(declare)

    # -- who acts -------------------------------------------------------------------------------

    def _after_sign_in(self) -> None:
        self.refresh()

    # -- reading (off the GUI thread) -----------------------------------------------------------

    def refresh(self) -> None:
        """Read the events and the accounting again; a refresh asked during one runs after."""
        self._reads.run(self._begin_read)

    def _begin_read(self) -> Callable[[], AccountingView]:
        chosen = self._chosen_event
        opener, db = self._open_db, self.db
        return lambda: read_accounting(opener, db, chosen)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, UserError):
            show_user_error(self, error)
            return
        raise error  # a bug: the application's error reporter takes it

    def _show(self, snapshot: AccountingView) -> None:
        self.outage = snapshot.event
        self.sheets = snapshot.sheets
        self.ward_names = snapshot.ward_names
        self._fill_events(snapshot.events)
        self._show_summary()
        lines = account_lines(self.sheets) + account_lines(self.sheets, by_batch=False)
        fill_table(self.accounts_table, [_account_cells(line, self._ward(line.ward_code))
                                         for line in lines])
        self._ward_tooltips(self.accounts_table, [line.ward_code for line in lines])
        self._fill_ward_filter(sorted({s.ward_code for s in self.sheets}))
        self._show_sheets()
        self._enable()

    def _fill_events(self, events: list[OutageEvent]) -> None:
        self.event_box.blockSignals(True)
        self.event_box.clear()
        for event in events:
            self.event_box.addItem(tr("events.ui_event_choice", id=event.id, title=event.title,
                                      status=tr(f"events.status_{event.status.value}"),
                                      start=clock.format_local(event.started_at,
                                                               with_zone=False)), event.id)
        if self.outage is not None:
            self.event_box.setCurrentIndex(self.event_box.findData(self.outage.id))
        self.event_box.blockSignals(False)

    def _event_chosen(self, index: int) -> None:
        self._chosen_event = self.event_box.itemData(index)
        self.refresh()

    def _show_summary(self) -> None:
        event = self.outage
        if event is None:
            self.summary.setText(tr("events.no_event"))
            return
        wards = ", ".join(event.wards) if event.wards is not None else tr("events.all_wards")
        lines = [tr("events.ui_summary", title=event.title,
                    kind=tr(f"events.kind_{event.kind.value}"),
                    status=tr(f"events.status_{event.status.value}"),
                    planned=tr("events.planned" if event.planned else "events.unplanned"),
                    start=clock.format_local(event.started_at),
                    end=clock.format_local(event.ended_at) if event.ended_at else "—",
                    wards=wards, systems=", ".join(event.systems) or "—",
                    user=event.declared_by)]
        if event.not_started_at(self._now()):
            lines.append(tr("events.ui_not_started"))
        if event.exception is not None:
            lines.append(tr("events.cli_exception", user=event.exception.signed_by,
                            count=len(event.exception.serials),
                            reason=event.exception.reason).strip())
        if event.closed_by is not None and event.closed_at is not None:
            lines.append(tr("events.ui_closed_by", user=event.closed_by,
                            when=clock.format_local(event.closed_at)))
        self.summary.setText("\n".join(lines))

    def _fill_ward_filter(self, wards: list[str]) -> None:
        current = self.ward_filter.currentData()
        self.ward_filter.blockSignals(True)
        self.ward_filter.clear()
        self.ward_filter.addItem(tr("events.all_wards"), None)
        for ward in wards:
            self.ward_filter.addItem(self._ward(ward), ward)
        self.ward_filter.setCurrentIndex(max(0, self.ward_filter.findData(current)))
        self.ward_filter.blockSignals(False)

    def unaccounted_sheets(self) -> list[TrackedSheet]:
        """The unaccounted sheets shown, in table order (filtered by ward)."""
        ward = self.ward_filter.currentData()
        return [s for s in self.sheets if s.state in UNACCOUNTED
                and (ward is None or s.ward_code == ward)]

    def _show_sheets(self) -> None:
        shown = self.unaccounted_sheets()
        self.sheets_table.clearSelection()
        fill_table(self.sheets_table, [
            [self._ward(s.ward_code), " ".join(p for p in (s.room, s.bed) if p),
             s.patient_name or s.temporary_id or "", display.date_text(s.birth_date),
             s.ipp or "", display.form_title(s.template_id),
             group_for_reading(page_code(s.serial, 1)),
             tr("events.ui_yes") if s.returned else tr("events.ui_no")]
            for s in shown])
        self._ward_tooltips(self.sheets_table, [s.ward_code for s in shown])
        self.sheets_caption.setText(tr("events.ui_unaccounted_caption", count=len(shown)))

    def _ward(self, code: str) -> str:
        """A ward by its name, as people know it (its code when it has none)."""
        return self.ward_names.get(code) or code

    def _ward_tooltips(self, table: QTableWidget, codes: list[str]) -> None:
        """The ward's code (UF) where it helps: in the tooltip of its name."""
        for row, code in enumerate(codes):
            item = table.item(row, 0)
            if item is not None:
                item.setToolTip(tr("ui.progress_ward_tip", name=self._ward(code), code=code))

    def selected_sheets(self) -> list[TrackedSheet]:
        shown = self.unaccounted_sheets()
        rows = sorted({index.row() for index in self.sheets_table.selectedIndexes()})
        return [shown[r] for r in rows if r < len(shown)]

    def _enable(self) -> None:
        user, event = self.user, self.outage
        manage = user is not None and allowed(user, Permission.MANAGE_EVENTS)
        declare = user is not None and allowed(user, Permission.DECLARE_SHEETS)
        ongoing = event is not None and event.status is EventStatus.ONGOING
        ended = event is not None and event.status is EventStatus.ENDED
        self.declare_button.setEnabled(manage and not ongoing)
        self.end_button.setEnabled(manage and ongoing)
        self.close_button.setEnabled(manage and ended)
        open_event = event is not None and event.status is not EventStatus.CLOSED
        self.lost_button.setEnabled(declare and open_event)
        self.not_used_button.setEnabled(declare and open_event)

    # -- acting (GUI thread, the window's connection, one transaction each) ---------------------

    def _act(self, work: Callable[[], Msg | None]) -> bool:
        """Run one write; a refusal is shown, success says what changed and refreshes."""
        try:
            notice = work()
        except UserError as error:
            show_user_error(self, error)
            return False
        self._set_notice(notice)
        self.refresh()
        return True

    def _set_notice(self, notice: Msg | None) -> None:
        self._notice = notice
        self.notice.setText(notice.render() if notice else "")

    def open_declare(self) -> DeclareEventDialog | None:
        if self.user is None or self.store is None:
            return None
        dialog = DeclareEventDialog(self.store.wards(), self._now(), self._declare, self)
        self._open(dialog)
        return dialog

    def _acting(self) -> tuple[Store, User]:
        """The window's connection and who acts on it. A dialog (or the end question) stays open
        while someone signs out in another window, or while this one closes: its OK is then
        refused in words, and nothing is written."""
        if self.user is None:
            raise UserError("permissions.sign_in_first")
        if self.store is None:
            raise UserError("events.ui_not_open")
        return self.store, self.user

    def _declare(self, form: EventForm) -> None:
        store, user = self._acting()
        declared = service.declare_event(store, DeclareEvent(
            title=form.title, started_at=form.started_at, user=user,
            planned=form.planned, wards=form.wards, systems=form.systems), now=self._now())
        self._chosen_event = declared.event.id
        self._set_notice(msg("events.ui_declared", title=declared.event.title,
                             batches=len(declared.adopted_batches)))
        self.refresh()

    def ask_end(self) -> QMessageBox | None:
        if self.user is None or self.outage is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, tr("events.ui_end"),
                          tr("events.ui_end_question", title=self.outage.title),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("end_event_question")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        event_id = self.outage.id
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(discarding(
            lambda button: self._act(lambda: self._end(event_id)) if button is yes else None))
        self._open(box)
        return box

    def _end(self, event_id: int) -> Msg:
        store, user = self._acting()
        event = service.end_event(store, user, event_id, self._now())
        return msg("events.ui_ended", title=event.title)

    def open_declare_sheets(self, outcome: SheetState) -> DeclareSheetsDialog | None:
        chosen = self.selected_sheets()
        if self.user is None:
            return None
        if not chosen:
            show_user_error(self, UserError("events.no_sheet_given"))
            return None
        serials = [s.serial for s in chosen]

        def submit(reason: str) -> None:
            store, user = self._acting()
            count = declare_sheets(store, serials, outcome, reason, user)
            self._set_notice(msg(f"events.cli_declared_{outcome.value}", count=count))
            self.refresh()

        dialog = DeclareSheetsDialog(outcome, chosen, submit, self, self.ward_names)
        self._open(dialog)
        return dialog

    def open_close(self) -> CloseEventDialog | None:
        if self.user is None or self.outage is None:
            return None
        event = self.outage

        def submit(signer: User | None, reason: str | None) -> None:
            store, user = self._acting()
            exception = ExceptionRequest(signer, reason or "") if signer is not None else None
            closed = service.close_event(store, user, event.id, exception)
            self._set_notice(msg("events.ui_closed", title=closed.title))
            self.refresh()

        dialog = CloseEventDialog(event, unaccounted_by_ward(self.sheets), submit, self.session,
                                  self, self.ward_names)
        self._open(dialog)
        return dialog

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        dialog.open()

    def _forget_dialog(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # -- language and closing -------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("events.ui_window_title"))
        self.declare_button.setText(tr("events.ui_declare"))
        self.end_button.setText(tr("events.ui_end"))
        self.close_button.setText(tr("events.ui_close"))
        self.refresh_button.setText(tr("events.ui_refresh"))
        self.lost_button.setText(tr("events.ui_declare_lost"))
        self.not_used_button.setText(tr("events.ui_declare_not_used"))
        self.accounts_caption.setText(tr("events.ui_accounts_caption"))
        self.accounts_table.setHorizontalHeaderLabels(
            [tr(f"events.col_{c}") for c in ACCOUNT_COLUMNS])
        for column, name in enumerate(ACCOUNT_COLUMNS):  # what each figure counts
            header = self.accounts_table.horizontalHeaderItem(column)
            if header is not None and name in _COUNT_TIPS:
                header.setToolTip(tr(_COUNT_TIPS[name]))
        self.accounts_legend.setText(tr("events.ui_accounts_legend"))
        self.sheets_table.setHorizontalHeaderLabels(
            [tr(f"events.ui_sheet_{c}") for c in SHEET_COLUMNS])
        self.user_label.setText(signed_in_text(self.user))
        self._set_notice(self._notice)
        if self.user is not None:
            self._show_summary()
            self._show_sheets()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._reads.wait()
        super().closeEvent(event)


def open_event_window(db: LocationLike, settings: Settings | None = None,
                      parent: QWidget | None = None, *,
                      session: Session | None = None) -> EventWindow:
    """Create and show the window (the viewer's menu calls this)."""
    window = EventWindow(db, settings, parent, session=session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window


def _account_cells(line: AccountLine, ward: str) -> list[object]:
    batch = line.batch_id if line.batch_id is not None else tr("events.col_total")
    return [ward, batch, *(line.sheets.value(c) for c in ACCOUNT_COLUMNS[2:])]
