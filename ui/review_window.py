"""Réconciliation / revue qualité: the quality team works the flags of a reconciliation run to
closure, and the identity-vigilance cell decides the temporary identities.

Sign in by name (every resolution says who made it), pick a run (the latest by default), filter
the flags, see paper and SIH side by side with the scanned page, resolve with a reason. Rights
come from the user's role: resolving needs ``REVIEW_FLAGS``, deciding an identity
``DECIDE_IDENTITY``; without them the screens are read-only and say why. The window has its own
database connection; every resolution is one transaction, written at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.permissions import Permission, allowed, require
from reentry.domain.review import FlagRow, RunInfo, item_label, resolution_label
from reentry.errors import UserError
from reentry.i18n import Msg, msg, tr
from reentry.review import service
from reentry.store.areas import Store
from reentry.store.location import LocationLike, as_location
from reentry.store.opening import open_database
from ui.language import is_language_change
from ui.lock_screen import LockOverlay
from ui.review_flags import FlagsTab
from ui.review_identity import IdentityTab
from ui.screen_fit import fitting_size
from ui.session import Session
from ui.sign_in import SignInPage
from ui.signed_in_window import Opener, open_or_error, signed_in_text
from ui.slots import discarding
from ui.tasks import BackgroundTask, QuietTask

PageImage = Callable[[int, int], bytes | None]


class ReviewSignIn(SignInPage):
    """The re-entry sign-in, titled for the review."""

    def _retranslate(self) -> None:
        super()._retranslate()
        self.title.setText(tr("review.ui.sign_in_title"))
        self.explanation.setText(tr("review.ui.sign_in_explanation"))


def _refusal(user: User, permission: Permission) -> str:
    try:
        require(user, permission)
    except UserError as error:
        return error.message()
    return ""


class ReviewWindow(QMainWindow):
    """``loaded`` is emitted each time the flags of the run on screen have been (re)read."""

    loaded = Signal()

    def __init__(self, db: LocationLike, parent: QWidget | None = None, *,
                 open_db: Opener = open_database,
                 page_image: PageImage | None = None,
                 session: Session | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review_window")
        self.db = as_location(db)
        self.session = session if session is not None else Session(self)
        self.user: User | None = None
        self.run: RunInfo | None = None
        self._runs: list[RunInfo] = []
        self._notice: Msg | None = None
        self._open_db = open_db
        self._tasks: set[BackgroundTask | QuietTask] = set()
        self._generation = 0  # a newer read makes the results of an older one stale
        self.store: Store | None
        self.store, self._open_error = open_or_error(open_db, self.db)
        self._page_image = page_image or getattr(self.store, "scan_page_image", None)

        self.sign_in_page = ReviewSignIn(self.store, self, session=self.session)
        self.run_choice = QComboBox(self)
        self.run_choice.setObjectName("run_choice")
        self.run_caption = QLabel(self)
        self.run_caption.setBuddy(self.run_choice)
        self.run_summary = QLabel(self)
        self.run_summary.setObjectName("run_summary")
        self.run_summary.setWordWrap(True)
        self.user_label = QLabel(self)
        self.user_label.setObjectName("review_user")
        self.sign_out_button = QPushButton(self)
        self.notice = QLabel(self)
        self.notice.setObjectName("review_notice")
        self.notice.setWordWrap(True)
        self.flags = FlagsTab(self)
        self.identities = IdentityTab(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.flags, "")
        self.tabs.addTab(self.identities, "")
        self.pages = QStackedWidget(self)
        self._build_layout()
        self.lock_overlay = LockOverlay(self, self.session)  # patient data hidden when locked
        self._build_menus()
        self._connect()
        self.resize(fitting_size(self, 1400, 880))
        self._retranslate()
        self._user_changed(self.session.user)

    # -- construction ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        review = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.run_caption)
        top.addWidget(self.run_choice, 1)
        top.addWidget(self.user_label)
        top.addWidget(self.sign_out_button)
        layout = QVBoxLayout(review)
        layout.addLayout(top)
        layout.addWidget(self.run_summary)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.review_page = review
        self.pages.addWidget(self.sign_in_page)
        self.pages.addWidget(review)
        self.setCentralWidget(self.pages)

    def _build_menus(self) -> None:
        self.menu = QMenu(self.menuBar())
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.reload)
        self.close_action = QAction(self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)
        self.menu.addActions([self.refresh_action, self.close_action])
        self.menuBar().addMenu(self.menu)

    def _connect(self) -> None:
        self.session.user_changed.connect(self._user_changed)
        self._following = True
        self.sign_out_button.clicked.connect(self.sign_out)
        self.run_choice.currentIndexChanged.connect(self._run_chosen)
        self.flags.flag_selected.connect(self._show_flag)
        self.flags.detail.resolve_requested.connect(discarding(self.resolve))
        self.flags.detail.reopen_requested.connect(discarding(self.reopen))
        self.identities.link_requested.connect(discarding(self.link_identity))
        self.identities.no_match_requested.connect(discarding(
            lambda left, comment: self._decide_identity(left, None, comment)))
        self.identities.undo_requested.connect(discarding(self.undo_link))

    # -- who -------------------------------------------------------------------------------------

    def signed_in(self, user: User) -> None:
        self.user = user
        self.flags.detail.set_rights(allowed(user, Permission.REVIEW_FLAGS),
                                     _refusal(user, Permission.REVIEW_FLAGS))
        self.identities.set_rights(allowed(user, Permission.DECIDE_IDENTITY),
                                   _refusal(user, Permission.DECIDE_IDENTITY))
        self.pages.setCurrentWidget(self.review_page)
        self._retranslate()
        self.reload()
        self.flags.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def sign_out(self) -> None:
        """Signs the whole app out (every window follows the session)."""
        self.session.sign_out()

    def _user_changed(self, user: User | None) -> None:
        if user is not None and self._open_error is None:
            self.signed_in(user)
            return
        self.user = None
        self._show_signed_out()
        if self._open_error is not None:  # after the reset, which would clear it
            self.sign_in_page.show_error(self._open_error.msg)
        self._retranslate()

    def _show_signed_out(self) -> None:
        self._generation += 1
        self.flags.set_rows([])
        self.identities.set_cases([])
        self.pages.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.reset()

    # -- runs -----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the runs again (off the GUI thread, on a connection of the worker's own),
        staying on the run (and flag) on screen when still there."""
        if self.user is None or self.store is None:
            return
        keep = self.run.id if self.run else None
        self._generation += 1
        generation, opener, db = self._generation, self._open_db, self.db

        def work() -> list[RunInfo]:
            store = opener(db)
            try:
                return list(store.review_runs())
            finally:
                store.close()

        task = QuietTask(self, work)
        self._tasks.add(task)
        task.succeeded.connect(lambda runs: self._runs_read(generation, keep, runs))
        task.failed.connect(self._load_failed)
        task.finished.connect(lambda: self._tasks.discard(task))
        task.start()

    def _runs_read(self, generation: int, keep: int | None, runs: list[RunInfo]) -> None:
        if generation != self._generation or self.user is None or self.store is None:
            return  # a newer read is on its way, nobody is signed in any more, or closing
        self._runs = runs
        self.run_choice.blockSignals(True)
        self.run_choice.clear()
        for run in self._runs:
            self.run_choice.addItem(_run_label(run), run.id)
        index = self.run_choice.findData(keep) if keep is not None else 0
        self.run_choice.setCurrentIndex(max(index, 0))
        self.run_choice.blockSignals(False)
        if not self._runs:
            self.run = None
            self._set_notice(msg("review.no_run"))
            self.flags.set_rows([])
            self.identities.set_cases([])
            self.run_summary.clear()
            self.loaded.emit()
            return
        self._run_chosen()

    def choose_run(self, run_id: int) -> None:
        self.run_choice.setCurrentIndex(self.run_choice.findData(run_id))

    def _run_chosen(self) -> None:
        run_id = self.run_choice.currentData()
        changed = self.run is None or self.run.id != run_id
        self.run = next((r for r in self._runs if r.id == run_id), None)
        if changed:  # never another run's flags under this run's name, even while it loads
            self.flags.set_rows([])
            self.identities.set_cases([])
        self._load_run()

    def _load_run(self, keep: str | None = None) -> None:
        """Read the run's flags and identities off the GUI thread (a run may hold thousands),
        on a connection of the worker's own; ``keep`` is the item to select again."""
        if self.run is None or self.store is None:
            return
        current = self.flags.current_flag()
        keep = keep or (current.item_key if current else None)
        self._generation += 1
        generation, run = self._generation, self.run
        opener, db = self._open_db, self.db

        def work(_progress: object, _cancel: object
                 ) -> tuple[list[FlagRow], list[Any], dict[str, str]]:
            store = opener(db)
            try:
                return (store.review_flags(run.id), store.identity_cases(run.id),
                        {ward.code: ward.name for ward in store.wards()})
            finally:
                store.close()

        task = BackgroundTask(self, work, tr("review.ui.loading"))
        self._tasks.add(task)
        task.succeeded.connect(lambda result: self._loaded(generation, run, keep, result))
        task.failed.connect(self._load_failed)
        task.finished.connect(lambda: self._tasks.discard(task))
        task.start()

    def _loaded(self, generation: int, run: RunInfo, keep: str | None,
                result: tuple[list[FlagRow], list[Any], dict[str, str]]) -> None:
        if generation != self._generation or self.user is None or self.store is None:
            return  # a newer read is on its way, nobody is signed in any more, or closing
        rows, cases, ward_names = result
        if self._notice is None or self._notice.id not in _KEPT_NOTICES:
            self._set_notice(None)
        self.run_summary.setText(_run_summary(run))
        self.flags.set_ward_names(ward_names)
        self.flags.set_rows(rows, keep)
        self.identities.set_cases(cases)
        self.loaded.emit()

    def _load_failed(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            raise error  # a bug: the application's error reporter takes it
        self._set_notice(error.msg)

    # -- one flag -------------------------------------------------------------------------------

    def _show_flag(self, flag: FlagRow | None) -> None:
        if flag is None or self.run is None or self.store is None:
            self.flags.detail.show_detail(None)
            return
        try:
            detail = service.flag_detail(self.store, self.run.id, flag.item_key)
            image = (self._page_image(detail.serial, detail.page or 1)
                     if self._page_image and detail.serial else None)
        except UserError as error:
            self.flags.detail.show_detail(None)
            self._set_notice(error.msg)
            return
        self.flags.detail.show_detail(detail, image)

    def resolve(self, item_key: str, reason: str, comment: str) -> bool:
        if self.user is None or self.store is None:
            return False
        resolved = self.flags.current_flag()
        following = self.flags.next_open_key(item_key)
        try:
            service.resolve_flag(self.store, self.user, item_key, reason, comment)
        except UserError as error:
            self.flags.detail.show_feedback(error.msg)
            return False
        # on to the next open flag at once; the table's states follow off-thread
        if following is None or not self.flags.select_key(following):
            self._show_flag(self.flags.current_flag())
        self._load_run(following or item_key)
        self._set_notice(msg("review.ui.flag_resolved" if following else
                             "review.ui.flag_resolved_last",
                             reason=resolution_label(reason), **_flag_words(resolved)))
        return True

    def reopen(self, item_key: str, comment: str) -> bool:
        if self.user is None or self.store is None:
            return False
        reopened = self.flags.current_flag()
        try:
            service.reopen_flag(self.store, self.user, item_key, comment)
        except UserError as error:
            self.flags.detail.show_feedback(error.msg)
            return False
        self._show_flag(self.flags.current_flag())
        self._load_run(item_key)
        self._set_notice(msg("review.ui.flag_reopened", **_flag_words(reopened)))
        return True

    # -- identities -----------------------------------------------------------------------------

    def link_identity(self, left_id: str, right_id: str, comment: str) -> bool:
        return self._decide_identity(left_id, right_id, comment)

    def _decide_identity(self, left_id: str, right_id: str | None, comment: str) -> bool:
        case = self.identities.case(left_id)  # as shown: the run's cases are read in the background
        if self.user is None or self.run is None or self.store is None or case is None:
            return False
        try:
            service.decide_identity(self.store, self.user, case, right_id, self.run.id, comment)
        except UserError as error:
            self.identities.show_feedback(error.msg)
            return False
        self._identity_done(left_id)
        return True

    def undo_link(self, left_id: str, comment: str) -> bool:
        case = self.identities.case(left_id)
        if self.user is None or self.run is None or self.store is None or case is None:
            return False
        try:
            service.undo_link(self.store, self.user, case, self.run.id, comment)
        except UserError as error:
            self.identities.show_feedback(error.msg)
            return False
        self._identity_done(left_id)
        return True

    def _identity_done(self, left_id: str) -> None:
        """The decision is saved; the cases are read again off the GUI thread (the decided
        one stays selected)."""
        assert self.run is not None
        self._set_notice(msg("review.ui.identity_saved", temporary=left_id))
        self._load_run()

    # -- language and closing -------------------------------------------------------------------

    def _set_notice(self, message: Msg | None) -> None:
        self._notice = message
        self.notice.setText(message.render() if message else "")
        self.notice.setVisible(message is not None)

    def notice_text(self) -> str:
        return self.notice.text()

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("review.ui.window_title"))
        self.menu.setTitle(tr("review.ui.menu"))
        self.refresh_action.setText(tr("ui.action_refresh"))
        self.close_action.setText(tr("entry_ui.action_close"))
        self.run_caption.setText(tr("review.ui.run_caption"))
        self.sign_out_button.setText(tr("entry_ui.action_sign_out"))
        self.tabs.setTabText(0, tr("review.ui.tab_flags"))
        self.tabs.setTabText(1, tr("review.ui.tab_identities"))
        self.user_label.setText(signed_in_text(self.user))
        for index, run in enumerate(self._runs):
            self.run_choice.setItemText(index, _run_label(run))
        if self.run is not None:
            self.run_summary.setText(_run_summary(self.run))
        self._set_notice(self._notice)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._following:  # a closed window no longer follows the session
            self.session.user_changed.disconnect(self._user_changed)
            self._following = False
        for task in list(self._tasks):  # let a read in progress end before the window goes
            task.worker_thread.quit()
            task.worker_thread.wait()
        if self.store is not None:
            self.store.close()
            self.store = None
        super().closeEvent(event)


# Notices that outlive the reading of the flags they announce.
_KEPT_NOTICES = ("review.ui.flag_resolved", "review.ui.flag_resolved_last",
                 "review.ui.flag_reopened", "review.ui.identity_saved")


def _flag_words(flag: FlagRow | None) -> dict[str, str]:
    """A flag as a notice names it: the item as on paper, the patient, the time on paper."""
    if flag is None:
        return {"item": "—", "patient": "—", "time": "—"}
    return {"item": item_label(flag.kind, flag.code),
            "patient": flag.identity.name() if flag.identity.known else flag.temporary_id,
            "time": clock.format_local(flag.effective_time, with_zone=False)}


def _run_label(run: RunInfo) -> str:
    paper = (tr("review.ui.paper_store") if run.paper_source == "store"
             else run.paper_source.removeprefix("csv:"))
    if run.username:
        return tr("review.ui.run_item", run=run.id, at=clock.format_local(run.at),
                  user=run.username, paper=paper)
    return tr("review.ui.run_item_no_user", run=run.id, at=clock.format_local(run.at),
              paper=paper)


def _run_summary(run: RunInfo) -> str:
    counts = run.counts
    return tr("review.ui.run_summary", in_sih=counts.get("in_sih", 0),
              differs=counts.get("differs", 0), missing=counts.get("missing", 0),
              duplicate=counts.get("duplicate", 0), unmatched=run.unmatched,
              files=", ".join(f"{s.name} ({s.sha256[:12]})" for s in run.sih_files))


def open_review_window(db: LocationLike, parent: QWidget | None = None, *,
                       session: Session | None = None) -> ReviewWindow:
    """Create and show the window (the viewer's menu calls this)."""
    window = ReviewWindow(db, parent, session=session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
