"""The offline viewer: wards on the left, the ward's patients in the middle, a dossier on the right.

It reads the snapshot (no writes), keeps "data as of" in view and checks every minute whether
the data has become old or a newer snapshot has arrived. It holds the app's one sign-in
(``Session``), shown in its status bar and handed to every window it opens.

The database may be a shared server: it is opened, and every list read (wards, census, dossier),
off the GUI thread (``StoreReader``), so that a slow or cut network never freezes the screen.
When the server does not answer, the ward's offline copy is opened instead, read-only, under a
banner that says so; the server is tried again every minute (or at a click) and the viewer goes
back to it when it answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
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
from reentry.events.drill import is_drill
from reentry.i18n import Msg, msg, tr
from reentry.model import CensusRow, Site, Snapshot, Ward
from reentry.printing.prepare import offline_copy_path
from reentry.store import Store
from reentry.store.database import DatabaseUnreachable
from reentry.store.location import LocationLike, as_location
from reentry.store.opening import (
    OfflineCopy,
    OpenedDatabase,
    Opener,
    open_database,
    open_or_offline,
)
from ui import theme
from ui.census_view import CensusView
from ui.dossier_view import DossierView
from ui.drill_banner import show_drill
from ui.errors import show_user_error
from ui.event_window import open_event_window
from ui.language import is_language_change, switch_language
from ui.lock_screen import LockOverlay
from ui.offline_banner import OfflineBanner
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
from ui.store_reader import StoreReader
from ui.tasks import QuietTask
from ui.ward_tree import WardTree

CHECK_INTERVAL_MS = 60_000
RETRY_INTERVAL_MS = 60_000  # on the offline copy: how often the server is tried again
_BROWSER_PAGE, _MESSAGE_PAGE = 0, 1


@dataclass(frozen=True)
class Overview:
    """What the viewer shows first, read in one go off the GUI thread."""

    snapshot: Snapshot | None
    sites: list[Site]
    wards: list[Ward]
    census: list[CensusRow]  # every inpatient: the wards' counts and the patient search
    queued: int | None  # scanned pages waiting to be identified
    drill: bool


def read_overview(store: Store) -> Overview:
    """Runs in the reader's thread."""
    sites = store.sites()
    return Overview(store.latest_snapshot(), sites, store.wards(),
                    store.census() if sites else [], queued_pages(store), is_drill(store))


def queued_pages(store: Store) -> int | None:
    try:
        return int(store.scan_counts()["queued"])
    except UserError:
        return None


def offline_file(settings: Settings) -> Path | None:
    """Where this PC's offline copy is (``reentry prepare --dir`` keeps it there), if set."""
    folder = settings.offline_dir.strip()
    return offline_copy_path(Path(folder).expanduser()) if folder else None


class MainWindow(QMainWindow):
    """Create, ``show()``, then ``load()``: the database is opened and read off the GUI thread,
    and ``loaded`` says whether it could be (an error is then shown over the window)."""

    loaded = Signal(bool)  # the database (or the offline copy) opened and its wards shown, or not
    census_loaded = Signal()  # the chosen ward's patients are on screen

    def __init__(self, db: LocationLike, settings: Settings, *,
                 now: Callable[[], datetime] = clock.now,
                 check_interval_ms: int = CHECK_INTERVAL_MS,
                 retry_interval_ms: int = RETRY_INTERVAL_MS,
                 open_db: Opener = open_database,
                 session: Session | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.session = session if session is not None else Session(self)
        self.db = as_location(db)  # what was asked for: a SQLite file or a server
        self.settings = settings
        self.offline_file = offline_file(settings)
        self._now = now
        self._open_db = open_db
        self.store: Store | None = None  # this thread's: signing in only, never a list
        self.reader: StoreReader | None = None  # the lists, off the GUI thread
        self.offline: OfflineCopy | None = None  # set while the server is replaced by the copy
        self._message: Msg | None = None  # what the message page says, re-rendered on switch
        self._activity: str | None = None  # what is being read, in the status bar
        self._tasks: set[QuietTask] = set()
        self._retired: list[StoreReader] = []
        self._opening = self._retrying = self._checking = self._closed = False
        self._first_fill = False
        self._census_all: list[CensusRow] = []
        self._queued: int | None = None
        self._census_generation = self._dossier_generation = 0
        self._pending_patient: tuple[int, bool] | None = None  # (id, focus) once its ward is read
        self._restore: tuple[str | None, int | None] | None = None

        self.status = SnapshotStatus(now, settings.stale_after_hours, self)
        self.wards = WardTree(self)
        self.census = CensusView(self)
        self.dossier = DossierView(self)
        self._message_label = QLabel(self)
        self.user_status = QLabel(self)
        self.user_status.setObjectName("session_user")
        self.activity = QLabel(self)
        self.activity.setObjectName("activity")
        self.statusBar().addPermanentWidget(self.activity)
        self.statusBar().addPermanentWidget(self.user_status)
        self.offline_banner = OfflineBanner(self)
        self.offline_banner.retry_button.clicked.connect(self.retry_server)
        self._build_layout()
        self._build_menus()
        self._connect()
        self.lock_overlay = LockOverlay(self, self.session)  # and, through it, every window

        self.timer = QTimer(self)
        self.timer.setInterval(check_interval_ms)
        self.timer.timeout.connect(self.check_snapshot)
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(retry_interval_ms)
        self.retry_timer.timeout.connect(self.retry_server)
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
        self.reentry_action.triggered.connect(discarding(lambda: self._open_window(
            lambda: open_reentry_window(self.db, self.settings, self, session=self.session))))
        self.scan_import_action = QAction(self)
        self.scan_import_action.triggered.connect(discarding(lambda: self._open_window(
            lambda: open_scan_import(self.db, self, session=self.session))))
        self.scan_queue_action = QAction(self)
        self.scan_queue_action.triggered.connect(discarding(lambda: self._open_window(
            lambda: open_scan_queue(self.db, self, session=self.session))))
        self.file_menu.aboutToShow.connect(self._count_scan_queue)
        self.review_action = QAction(self)
        self.review_action.triggered.connect(discarding(lambda: self._open_window(
            lambda: open_review_window(self.db, self, session=self.session))))
        self.report_action = QAction(self)
        self.report_action.triggered.connect(discarding(lambda: self._open_window(
            lambda: open_quality_report(self.db, self, self.session.user))))
        self.event_action = QAction(self)
        self.event_action.triggered.connect(discarding(lambda: self._open_window(
            lambda: open_event_window(self.db, self.settings, self, session=self.session))))
        self.sign_in_action = QAction(self)
        self.sign_in_action.triggered.connect(discarding(self.open_sign_in))
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.session.sign_out)
        self.retry_action = QAction(self)
        self.retry_action.setObjectName("retry_server_action")
        self.retry_action.triggered.connect(self.retry_server)
        self.retry_action.setVisible(False)
        self.file_menu.addActions([self.refresh_action, self.retry_action, self.print_action,
                                   self.reentry_action, self.scan_import_action,
                                   self.scan_queue_action, self.progress_action,
                                   self.review_action, self.report_action, self.event_action])
        self.file_menu.setToolTipsVisible(True)  # why an action is off on the offline copy
        # What the offline copy cannot do: write, or read what it does not hold.
        self.server_actions = [self.print_action, self.reentry_action, self.scan_import_action,
                               self.scan_queue_action, self.progress_action, self.review_action,
                               self.report_action, self.event_action, self.sign_in_action]
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

    # -- opening (off the GUI thread) -----------------------------------------------------------

    def load(self) -> None:
        """Open the database and show its wards; ``loaded`` says how it went (a ``UserError``
        is shown, not raised). A server that does not answer opens the ward's offline copy."""
        if self._opening or self._closed:
            return
        if self.store is not None:
            self._restore = self._place_on_screen()
        self._close_store()
        self._opening = True
        self._show_message(msg("ui.opening_database", db=self.db.shown))
        location, copy, opener = self.db, self.offline_file, self._open_db
        self._run(lambda: open_or_offline(location, copy, opener), self._opened,
                  self._open_failed)

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
             on_failed: Callable[[Any], None]) -> None:
        task = QuietTask(self, work)
        task.succeeded.connect(on_done)
        task.failed.connect(on_failed)
        task.finished.connect(lambda: self._task_done(task))
        self._tasks.add(task)
        task.start()

    def _task_done(self, task: QuietTask) -> None:
        self._tasks.discard(task)
        task.deleteLater()

    def _opened(self, opened: OpenedDatabase) -> None:
        self._opening = self._retrying = False
        if self._closed:
            opened.store.close()
            return
        self._close_store()
        self.store = opened.store
        self.offline = opened.offline
        self.reader = StoreReader(self, opened.location, self._open_db)
        self.offline_banner.show_copy(opened.offline)
        self.offline_banner.retry_button.setEnabled(True)
        self._enable_actions()
        if opened.offline is not None:
            self.retry_timer.start()
        else:
            self.retry_timer.stop()
        self.timer.start()
        self._first_fill = True
        self._show_message(msg("ui.loading_wards"))
        self._fill()

    def _open_failed(self, error: Exception) -> None:
        self._opening = False
        if not isinstance(error, UserError):
            raise error  # a bug: the application's error reporter takes it
        self._restore = None
        self._show_message(error.msg)
        self.status.set_snapshot(None)
        show_user_error(self, error)
        self.loaded.emit(False)

    def reload(self) -> None:
        """Read the database again, keeping the ward and patient on screen when still there."""
        if self.reader is None:
            self.load()
            return
        self._restore = self._place_on_screen()
        self._fill()

    def _place_on_screen(self) -> tuple[str | None, int | None]:
        pending = self._pending_patient[0] if self._pending_patient else None
        return self.wards.current_ward(), self.census.current_patient_id() or pending

    def _fill(self) -> None:
        reader = self._require_reader()
        self._busy("ui.loading_wards")
        reader.read(read_overview, self._show_overview, self._fill_failed)

    def _show_overview(self, overview: Overview) -> None:
        self._idle()
        first, self._first_fill = self._first_fill, False
        self.status.set_snapshot(overview.snapshot)
        self._queued = overview.queued
        self._show_queue_count()
        show_drill(self, overview.drill)  # a drill copy says so, permanently
        self._census_all = overview.census
        restore, self._restore = self._restore, None
        if not overview.sites:
            self._show_message(msg("ui.empty_database", db=self.db.shown))
            self.wards.set_places([], [], {})
        else:
            counts = Counter(row.ward.code for row in overview.census)
            self.wards.set_places(overview.sites, overview.wards, counts)
            self._message = None
            self.pages.setCurrentIndex(_BROWSER_PAGE)
            ward, patient = restore or (None, None)
            if ward is not None:
                self._pending_patient = (patient, False) if patient is not None else None
                if not self.wards.select_ward(ward):
                    self._pending_patient = None
        if first:
            self.loaded.emit(True)

    def _fill_failed(self, error: Exception) -> None:
        self._idle()
        first, self._first_fill = self._first_fill, False
        if not isinstance(error, UserError):
            raise error
        self._restore = None
        if first:
            self._show_message(error.msg)
            self.status.set_snapshot(None)
        self.dossier.clear()
        show_user_error(self, error)
        if first:
            self.loaded.emit(False)
        self._lost_server(error)

    def check_snapshot(self) -> None:
        """Timer tick: re-evaluate the age of the data; pick up a newer snapshot if one came."""
        self.status.refresh()
        if self.reader is None or self._checking:
            return
        self._checking = True
        self.reader.read(lambda store: store.latest_snapshot(), self._checked,
                         self._check_failed)

    def _checked(self, latest: Snapshot | None) -> None:
        self._checking = False
        if _snapshot_id(latest) != _snapshot_id(self.status.snapshot):
            self.reload()
            self.statusBar().showMessage(
                tr("ui.new_data_loaded", as_of=display.data_as_of_text(latest)))
        self.status.refresh()

    def _check_failed(self, error: Exception) -> None:
        self._checking = False
        if not isinstance(error, UserError):
            raise error
        self.statusBar().showMessage(error.message())  # never a box every minute
        self._lost_server(error)

    def _lost_server(self, error: UserError) -> None:
        """The server stopped answering while the viewer read it: over to the offline copy
        (``load`` tries the server once more first), keeping the patient on screen."""
        if isinstance(error, DatabaseUnreachable) and self.offline is None \
                and self.offline_file is not None:
            self.load()

    # -- the offline copy, and back to the server ---------------------------------------------

    def retry_server(self) -> None:
        """On the offline copy: try the server (off the GUI thread); back to it if it answers."""
        if self.offline is None or self._retrying or self._opening or self._closed:
            return
        self._retrying = True
        self.offline_banner.retry_button.setEnabled(False)
        self.statusBar().showMessage(tr("ui.offline_retrying", db=self.db.shown))
        location, opener = self.db, self._open_db
        self._run(lambda: OpenedDatabase(opener(location), location), self._server_back,
                  self._still_unreachable)

    def _server_back(self, opened: OpenedDatabase) -> None:
        if self._closed:
            opened.store.close()
            return
        self._restore = self._place_on_screen()
        self._opened(opened)
        self.statusBar().showMessage(tr("ui.server_back"))

    def _still_unreachable(self, error: Exception) -> None:
        self._retrying = False
        self.offline_banner.retry_button.setEnabled(True)
        if not isinstance(error, UserError):
            raise error
        if isinstance(error, DatabaseUnreachable):
            minutes = max(1, round(self.retry_timer.interval() / 60_000))
            self.statusBar().showMessage(tr("ui.offline_still_unreachable", minutes=minutes,
                                            time=clock.local(self._now()).strftime("%H:%M")))
        else:
            self.statusBar().showMessage(error.message())

    def _enable_actions(self) -> None:
        """On the offline copy, what would write (or needs what the copy does not hold) is off,
        and says why."""
        refusal = self._offline_refusal()
        for action in self.server_actions:
            action.setEnabled(refusal is None)
            action.setToolTip(refusal.message() if refusal is not None else "")
        self.retry_action.setVisible(self.offline is not None)
        self._show_user()

    def _offline_refusal(self) -> UserError | None:
        if self.offline is None:
            return None
        return UserError("store.offline_read_only", path=str(self.offline.path))

    def _refused_offline(self) -> bool:
        """Said, in a box, when asked on the offline copy (a shortcut, another window)."""
        refusal = self._offline_refusal()
        if refusal is not None:
            show_user_error(self, refusal)
        return refusal is not None

    def _open_window(self, open_window: Callable[[], object]) -> object:
        return None if self._refused_offline() else open_window()

    # -- closing the database -------------------------------------------------------------------

    def _require_reader(self) -> StoreReader:
        if self.reader is None:
            raise RuntimeError("load() the database first")
        return self.reader

    def _close_store(self) -> None:
        self.timer.stop()
        self.retry_timer.stop()
        self._checking = False
        self._census_generation += 1  # what was on its way belongs to the database closed
        self._dossier_generation += 1
        self._idle()
        if self.reader is not None:
            reader, self.reader = self.reader, None
            reader.close()  # not waited for: a read on a cut network may take seconds
            self._retired.append(reader)
            reader.worker_thread.finished.connect(lambda: self._forget_reader(reader))
        if self.store is not None:
            store, self.store = self.store, None
            store.close()
        self.offline = None
        self.offline_banner.show_copy(None)
        self._enable_actions()

    def _forget_reader(self, reader: StoreReader) -> None:
        if reader in self._retired:
            self._retired.remove(reader)
            reader.deleteLater()

    # -- reading lists (off the GUI thread) -----------------------------------------------------

    def _busy(self, key: str) -> None:
        self._activity = key
        self.activity.setText(tr(key))

    def _idle(self) -> None:
        self._activity = None
        self.activity.clear()

    # -- navigation -----------------------------------------------------------------------------

    def _show_ward(self, ward_code: str | None) -> None:
        self.dossier.clear()
        self._census_generation += 1
        generation = self._census_generation
        self.census.set_rows([])
        if ward_code is None or self.reader is None:
            self._pending_patient = None
            return
        self._busy("ui.loading_census")
        self.reader.read(lambda store: store.census(ward_code),
                         lambda rows: self._census_read(generation, rows),
                         lambda error: self._census_failed(generation, error))

    def _census_read(self, generation: int, rows: list[CensusRow]) -> None:
        if generation != self._census_generation:
            return  # another ward was chosen meanwhile
        self._idle()
        self.census.set_rows(rows)
        pending, self._pending_patient = self._pending_patient, None
        if pending is not None and self.census.select_patient(pending[0]) and pending[1]:
            self.census.setFocus(Qt.FocusReason.OtherFocusReason)
        self.census_loaded.emit()

    def _census_failed(self, generation: int, error: Exception) -> None:
        if generation != self._census_generation:
            return
        self._idle()
        self._pending_patient = None
        if not isinstance(error, UserError):
            raise error
        show_user_error(self, error)
        self._lost_server(error)

    def _show_patient(self, patient_id: int | None) -> None:
        self.dossier.clear()  # never leave another patient's dossier on screen
        self._dossier_generation += 1
        generation = self._dossier_generation
        if patient_id is None or self.reader is None:
            return
        now, hours = self._now(), self.settings.dossier_hours

        def read(store: Store) -> Any:
            since = display.dossier_since(store.latest_snapshot(), now, hours)
            return store.dossier(patient_id, since=since)

        self._busy("ui.loading_dossier")
        self.reader.read(read, lambda dossier: self._dossier_read(generation, dossier, now),
                         lambda error: self._dossier_failed(generation, error))

    def _dossier_read(self, generation: int, dossier: Any, now: datetime) -> None:
        if generation != self._dossier_generation:
            return  # another patient was chosen meanwhile: never show this one
        self._idle()
        self.dossier.show_dossier(dossier, clock.local(now).date(), self.settings.dossier_hours)

    def _dossier_failed(self, generation: int, error: Exception) -> None:
        if generation != self._dossier_generation:
            return
        self._idle()
        if not isinstance(error, UserError):
            raise error
        show_user_error(self, error)
        self._lost_server(error)

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
        self._show_queue_count()
        self.review_action.setText(tr("review.ui.main_menu"))
        self.report_action.setText(tr("reports.menu"))
        self.event_action.setText(tr("events.menu_open"))
        self.quit_action.setText(tr("ui.action_quit"))
        self.sign_in_action.setText(tr("session.action_sign_in"))
        self.sign_out_action.setText(tr("session.action_sign_out"))
        self.retry_action.setText(tr("ui.offline_retry"))
        self._enable_actions()  # the refusal's words, in the new language
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
        if self._activity is not None:
            self.activity.setText(tr(self._activity))

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

    # -- finding a patient ----------------------------------------------------------------------

    def open_patient_search(self) -> PatientSearchDialog | None:
        """Name, IPP or bed → the patient's ward, the patient selected, the dossier shown.

        Searches the census read with the wards (off the GUI thread), read again with each new
        snapshot: no database round trip while the dialog opens."""
        if self.reader is None:
            return None
        dialog = PatientSearchDialog(self._census_all, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.patient_chosen.connect(self.show_census_row)
        dialog.open()
        dialog.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return dialog

    def show_census_row(self, row: CensusRow) -> None:
        """Select the row's ward, then (once its patients are read) the patient."""
        patient_id = row.patient.id
        if patient_id is None:  # only a patient not stored yet has none: a census row's has one
            return
        if self.wards.current_ward() == row.ward.code and self._census_shows(row.ward.code):
            if self.census.select_patient(patient_id):
                self.census.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._pending_patient = (patient_id, True)
        if not self.wards.select_ward(row.ward.code):
            self._pending_patient = None

    def _census_shows(self, ward_code: str) -> bool:
        """Whether the census on screen is that ward's, read (not on its way)."""
        rows = self.census.rows()
        return self._activity != "ui.loading_census" and (
            not rows or rows[0].ward.code == ward_code)

    # -- who is signed in -----------------------------------------------------------------------

    def _show_user(self) -> None:
        self.user_status.setText(self.session.status_text())
        self.sign_out_action.setEnabled(self.session.user is not None)

    def open_sign_in(self) -> SignInDialog | None:
        """Sign in (or in as someone else) for every window at once."""
        if self._refused_offline():
            return None
        dialog = SignInDialog(self.store, self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_print_station(self) -> PrintStationDialog | None:
        """The print station on this window's database (its own connections, in its thread)."""
        if self._refused_offline():
            return None
        dialog = PrintStationDialog(self.db, self.settings, self, session=self.session)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.refresh_estimates()
        dialog.open()
        return dialog

    def _count_scan_queue(self) -> None:
        """"Pages à identifier (N)", counted (off the GUI thread) each time the menu opens."""
        if self.reader is not None and self.offline is None:
            self.reader.read(queued_pages, self._set_queue_count, lambda _error: None)

    def _set_queue_count(self, count: int | None) -> None:
        self._queued = count
        self._show_queue_count()

    def _show_queue_count(self) -> None:
        count = self._queued
        self.scan_queue_action.setText(tr("scan_ui.menu_queue", count=count) if count is not None
                                       else tr("scan_ui.menu_queue_unknown"))

    def open_progress(self) -> ProgressDialog | None:
        """What is left to re-enter, per ward, for the ward manager (read off the GUI thread)."""
        if self._refused_offline():
            return None
        dialog = ProgressDialog(self.db, self, open_db=self._open_db)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.refresh()
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        self._close_store()
        for task in list(self._tasks):  # an opening under way ends before the window goes
            task.worker_thread.quit()
            task.worker_thread.wait()
        for reader in list(self._retired):
            reader.wait()
        super().closeEvent(event)


def _snapshot_id(snapshot: Snapshot | None) -> int | None:
    return snapshot.id if snapshot else None
