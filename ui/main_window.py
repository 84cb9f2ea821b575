"""The offline viewer: wards on the left, the ward's patients in the middle, a dossier on the right.

It reads the local snapshot only (no network, no writes), keeps "data as of" in view and checks
every minute whether the data has become old or a newer snapshot has arrived. It holds the app's
one sign-in (``Session``), shown in its status bar and handed to every window it opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display, i18n
from reentry.config import Settings
from reentry.errors import UserError
from reentry.i18n import Msg, msg, tr
from reentry.model import CensusRow, Snapshot
from reentry.store import Store, open_store
from ui import theme
from ui.census_view import CensusView
from ui.dossier_view import DossierView
from ui.drill_banner import show_drill_state
from ui.errors import show_user_error
from ui.event_window import open_event_window
from ui.language import is_language_change, switch_language
from ui.patient_search import PatientSearchDialog
from ui.print_station import PrintStationDialog
from ui.progress_view import ProgressDialog
from ui.quality_report import open_quality_report
from ui.reentry_window import open_reentry_window
from ui.review_window import open_review_window
from ui.scan_import import open_scan_import
from ui.scan_queue import open_scan_queue
from ui.session import Session
from ui.sign_in import SignInDialog
from ui.slots import discarding
from ui.snapshot_status import SnapshotStatus
from ui.ward_tree import WardTree

CHECK_INTERVAL_MS = 60_000
_BROWSER_PAGE, _MESSAGE_PAGE = 0, 1

StoreOpener = Callable[[Path], Store]


class MainWindow(QMainWindow):
    """Create, ``show()``, then ``load()``: a database error then appears over the window."""

    def __init__(self, db_path: Path, settings: Settings, *,
                 now: Callable[[], datetime] = clock.now,
                 check_interval_ms: int = CHECK_INTERVAL_MS,
                 open_db: StoreOpener = open_store,
                 session: Session | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.session = session if session is not None else Session(self)
        self.db_path = Path(db_path)
        self.settings = settings
        self._now = now
        self._open_db = open_db
        self.store: Store | None = None
        self._message: Msg | None = None  # what the message page says, re-rendered on switch

        self.status = SnapshotStatus(now, settings.stale_after_hours, self)
        self.wards = WardTree(self)
        self.census = CensusView(self)
        self.dossier = DossierView(self)
        self._message_label = QLabel(self)
        self.user_status = QLabel(self)
        self.user_status.setObjectName("session_user")
        self.statusBar().addPermanentWidget(self.user_status)
        self._build_layout()
        self._build_menus()
        self._connect()

        self.timer = QTimer(self)
        self.timer.setInterval(check_interval_ms)
        self.timer.timeout.connect(self.check_snapshot)
        self.resize(1400, 850)
        self._retranslate()

    # -- construction ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("browser")
        splitter.setChildrenCollapsible(False)
        for widget, stretch in ((self.wards, 2), (self.census, 5), (self.dossier, 7)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.indexOf(widget), stretch)
        splitter.setSizes([230, 500, 670])

        self._message_label.setObjectName("message_page")
        self._message_label.setWordWrap(True)
        self._message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._message_label.setFont(theme.scaled_font(self, 1.25))
        self._message_label.setMargin(40)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(splitter)
        self.pages.addWidget(self._message_label)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.status)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.setTabOrder(self.wards, self.census)
        self.setTabOrder(self.census, self.dossier.scroll_area)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = QMenu(bar)
        self.file_menu.setObjectName("file_menu")
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.reload)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # the standard key is empty on Windows
        self.quit_action.triggered.connect(self.close)
        self.print_action = QAction(self)
        self.print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_action.triggered.connect(discarding(self.open_print_station))
        self.progress_action = QAction(self)
        self.progress_action.triggered.connect(discarding(self.open_progress))
        self.reentry_action = QAction(self)
        self.reentry_action.triggered.connect(discarding(lambda: open_reentry_window(
            self.db_path, self.settings, self, session=self.session)))
        self.scan_import_action = QAction(self)
        self.scan_import_action.triggered.connect(
            discarding(lambda: open_scan_import(self.db_path, self, session=self.session)))
        self.scan_queue_action = QAction(self)
        self.scan_queue_action.triggered.connect(
            discarding(lambda: open_scan_queue(self.db_path, self, session=self.session)))
        self.file_menu.aboutToShow.connect(self._count_scan_queue)
        self.review_action = QAction(self)
        self.review_action.triggered.connect(
            discarding(lambda: open_review_window(self.db_path, self, session=self.session)))
        self.report_action = QAction(self)
        self.report_action.triggered.connect(
            discarding(lambda: open_quality_report(self.db_path, self)))
        self.event_action = QAction(self)
        self.event_action.triggered.connect(discarding(lambda: open_event_window(
            self.db_path, self.settings, self, session=self.session)))
        self.sign_in_action = QAction(self)
        self.sign_in_action.triggered.connect(discarding(self.open_sign_in))
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.session.sign_out)
        self.file_menu.addActions([self.refresh_action, self.print_action, self.reentry_action,
                                   self.scan_import_action, self.scan_queue_action,
                                   self.progress_action, self.review_action, self.report_action,
                                   self.event_action])
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.sign_in_action, self.sign_out_action, self.quit_action])

        self.view_menu = QMenu(bar)
        self.view_menu.setObjectName("view_menu")
        self.focus_actions: list[QAction] = []
        focusable = (("1", self.wards), ("2", self.census), ("3", self.dossier.scroll_area))
        for key, widget in focusable:
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{key}"))
            action.triggered.connect(widget.setFocus)
            self.focus_actions.append(action)
        self.search_action = QAction(self)
        self.search_action.setObjectName("search_action")
        self.search_action.setShortcut(QKeySequence("Ctrl+F"))  # from any pane of the viewer
        self.search_action.triggered.connect(discarding(self.open_patient_search))
        self.view_menu.addAction(self.search_action)
        self.view_menu.addActions(self.focus_actions)

        self.language_menu = QMenu(bar)
        self.language_menu.setObjectName("language_menu")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for language in i18n.LANGUAGES:
            action = QAction(group)
            action.setCheckable(True)
            action.setData(language)
            action.triggered.connect(lambda _checked=False, lang=language: self.set_language(lang))
            self.language_actions[language] = action
        self.language_menu.addActions(group.actions())
        for menu in (self.file_menu, self.view_menu, self.language_menu):
            bar.addMenu(menu)

    def _connect(self) -> None:
        self.session.user_changed.connect(lambda _user: self._show_user())
        self.wards.ward_selected.connect(self._show_ward)
        self.census.patient_selected.connect(self._show_patient)

    # -- loading --------------------------------------------------------------------------------

    def load(self) -> bool:
        """Open the database and show its wards; a ``UserError`` is shown, not raised."""
        self._close_store()
        try:
            self.store = self._open_db(self.db_path)
            self._fill()
        except UserError as error:
            self._close_store()
            self._show_message(error.msg)
            self.status.set_snapshot(None)
            show_user_error(self, error)
            return False
        self.timer.start()
        return True

    def reload(self) -> None:
        """Read the database again, keeping the ward and patient on screen when still there."""
        if self.store is None:
            self.load()
            return
        ward, patient = self.wards.current_ward(), self.census.current_patient_id()
        try:
            self._fill()
        except UserError as error:
            self.dossier.clear()
            show_user_error(self, error)
            return
        if ward and self.wards.select_ward(ward) and patient is not None:
            self.census.select_patient(patient)

    def _fill(self) -> None:
        store = self._require_store()
        snapshot = store.latest_snapshot()
        sites = store.sites()
        self.status.set_snapshot(snapshot)
        self._count_scan_queue()
        show_drill_state(self, store)  # a drill copy says so, permanently
        if not sites:
            self._show_message(msg("ui.empty_database", db=str(self.db_path)))
            self.wards.set_places([], [], {})
            return
        counts = Counter(row.ward.code for row in store.census())
        self.wards.set_places(sites, store.wards(), counts)
        self._message = None
        self.pages.setCurrentIndex(_BROWSER_PAGE)

    def check_snapshot(self) -> None:
        """Timer tick: re-evaluate the age of the data; pick up a newer snapshot if one came."""
        if self.store is not None:
            try:
                latest = self.store.latest_snapshot()
            except UserError as error:  # a busy database must not pop a box every minute
                self.statusBar().showMessage(error.message())
                latest = self.status.snapshot
            if _snapshot_id(latest) != _snapshot_id(self.status.snapshot):
                self.reload()
                self.statusBar().showMessage(
                    tr("ui.new_data_loaded", as_of=display.data_as_of_text(latest)))
        self.status.refresh()

    def _require_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("load() the database first")
        return self.store

    def _close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    # -- navigation -----------------------------------------------------------------------------

    def _show_ward(self, ward_code: str | None) -> None:
        self.dossier.clear()
        if ward_code is None or self.store is None:
            self.census.set_rows([])
            return
        try:
            rows = self.store.census(ward_code)
        except UserError as error:
            self.census.set_rows([])
            show_user_error(self, error)
            return
        self.census.set_rows(rows)

    def _show_patient(self, patient_id: int | None) -> None:
        self.dossier.clear()  # never leave another patient's dossier on screen
        if patient_id is None or self.store is None:
            return
        now = self._now()
        try:
            since = display.dossier_since(self.store.latest_snapshot(), now,
                                          self.settings.dossier_hours)
            dossier = self.store.dossier(patient_id, since=since)
        except UserError as error:
            show_user_error(self, error)
            return
        self.dossier.show_dossier(dossier, clock.local(now).date(), self.settings.dossier_hours)

    # -- language -------------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        switch_language(language)

    def _show_message(self, message: Msg) -> None:
        self._message = message
        self._message_label.setText(message.render())
        self.pages.setCurrentIndex(_MESSAGE_PAGE)

    def message_text(self) -> str | None:
        return self._message_label.text() if self.pages.currentIndex() == _MESSAGE_PAGE else None

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("ui.window_title"))
        self.file_menu.setTitle(tr("ui.menu_file"))
        self.refresh_action.setText(tr("ui.action_refresh"))
        self.print_action.setText(tr("ui.print_menu"))
        self.progress_action.setText(tr("ui.progress_menu"))
        self.reentry_action.setText(tr("entry_ui.menu_open"))
        self.scan_import_action.setText(tr("scan_ui.menu_import"))
        self._count_scan_queue()
        self.review_action.setText(tr("review.ui.main_menu"))
        self.report_action.setText(tr("reports.menu"))
        self.event_action.setText(tr("events.menu_open"))
        self.quit_action.setText(tr("ui.action_quit"))
        self.sign_in_action.setText(tr("session.action_sign_in"))
        self.sign_out_action.setText(tr("session.action_sign_out"))
        self._show_user()
        self.view_menu.setTitle(tr("ui.menu_view"))
        self.search_action.setText(tr("search.action"))
        for action, name in zip(self.focus_actions, ("wards", "census", "dossier"), strict=True):
            action.setText(tr(f"ui.action_focus_{name}"))
        self.language_menu.setTitle(tr("ui.menu_language"))
        current = i18n.get_language()
        for language, action in self.language_actions.items():
            action.setText(tr(f"ui.language_{language}"))
            action.setChecked(language == current)
        self.wards.setAccessibleName(tr("ui.wards_header"))
        self.census.setAccessibleName(tr("ui.census_accessible"))
        self.dossier.setAccessibleName(tr("ui.dossier_accessible"))
        if self._message is not None:
            self._message_label.setText(self._message.render())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

    # -- finding a patient ----------------------------------------------------------------------

    def open_patient_search(self) -> PatientSearchDialog | None:
        """Name, IPP or bed → the patient's ward, the patient selected, the dossier shown."""
        if self.store is None:
            return None
        try:
            rows = self.store.census()
        except UserError as error:
            show_user_error(self, error)
            return None
        dialog = PatientSearchDialog(rows, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.patient_chosen.connect(self.show_census_row)
        dialog.open()
        dialog.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return dialog

    def show_census_row(self, row: CensusRow) -> None:
        if self.wards.select_ward(row.ward.code):
            self.census.select_patient(row.patient.id)
            self.census.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- who is signed in -----------------------------------------------------------------------

    def _show_user(self) -> None:
        self.user_status.setText(self.session.status_text())
        self.sign_out_action.setEnabled(self.session.user is not None)

    def open_sign_in(self) -> SignInDialog:
        """Sign in (or in as someone else) for every window at once."""
        dialog = SignInDialog(self.store, self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_print_station(self) -> PrintStationDialog:
        """The print station on this window's database (its own connections, in its thread)."""
        dialog = PrintStationDialog(self.db_path, self.settings, self, session=self.session)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.refresh_estimates()
        dialog.open()
        return dialog

    def _count_scan_queue(self) -> None:
        """"Pages à identifier (N)", counted each time the menu opens (a cheap count)."""
        try:
            count = self.store.scan_counts()["queued"] if self.store is not None else None
        except UserError:
            count = None
        self.scan_queue_action.setText(tr("scan_ui.menu_queue", count=count) if count is not None
                                       else tr("scan_ui.menu_queue_unknown"))

    def open_progress(self) -> ProgressDialog:
        """What is left to re-enter, per ward, for the ward manager."""
        dialog = ProgressDialog(self.db_path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.refresh()
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self._close_store()
        super().closeEvent(event)


def _snapshot_id(snapshot: Snapshot | None) -> int | None:
    return snapshot.id if snapshot else None
