"""The re-entry window: sign in, scan a sheet, type it, scan the next one.

A scan is taken wherever the focus is (``ScanCapture``); a code can also be typed by hand
(Ctrl+L or F2). A code that designates nothing usable is refused at once, loudly (red banner
with the reason, and a beep), and nothing opens: the sheet on screen, if any, stays. The window
has its own database connection, opened once, so every row is written the moment it is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display, i18n
from reentry.barcodes import group_for_reading, page_code
from reentry.config import Settings
from reentry.domain.entry import Draft, SheetContext, User
from reentry.entry import service
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.i18n import Msg, msg, tr
from reentry.store.areas import Store
from reentry.store.location import LocationLike, as_location
from reentry.store.opening import open_database
from reentry.verify.routing import route
from ui import theme
from ui.admission_screen import AdmissionScreen, is_admission_sheet, saved_notice
from ui.drill_banner import show_drill_state
from ui.entry_screen import EntryScreen
from ui.language import is_language_change, switch_language
from ui.lock_screen import LockOverlay
from ui.scan import CodeBar, ScanCapture, ScanSettings
from ui.screen_fit import fitting_size
from ui.session import Session
from ui.sign_in import SignInPage
from ui.signed_in_window import Opener, open_or_error, signed_in_text
from ui.slots import discarding
from ui.store_reader import StoreReader
from ui.verify_screens import VerifyScreens

CODE_KEYS = ("Ctrl+L", "F2")
SIGN_OUT_KEYS = ("Ctrl+Shift+Q",)


class ScanPage(QWidget):
    """Between two sheets: what to do next, and the sheets left half-typed (drafts)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_page")
        self.instructions = QLabel(self)
        self.instructions.setWordWrap(True)
        self.instructions.setFont(theme.scaled_font(self, 1.4, bold=True))
        self.notice = QLabel(self)
        self.notice.setObjectName("scan_notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.drafts_caption = QLabel(self)
        self.drafts = QListWidget(self)
        self.drafts.setObjectName("drafts_list")
        self.drafts_caption.setBuddy(self.drafts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        for widget in (self.instructions, self.notice, self.drafts_caption):
            layout.addWidget(widget)
        layout.addWidget(self.drafts, 1)
        self._notice: Msg | None = None
        self._retranslate()

    def set_notice(self, message: Msg | None) -> None:
        self._notice = message
        self.notice.setText(message.render() if message else "")

    def set_drafts(self, items: list[tuple[str, str]]) -> None:
        """(text, page code) of each sheet left with typed rows not saved."""
        self.drafts.clear()
        for text, code in items:
            item = QListWidgetItem(text, self.drafts)
            item.setData(Qt.ItemDataRole.UserRole, code)
        self.drafts_caption.setVisible(bool(items))
        self.drafts.setVisible(bool(items))

    def _retranslate(self) -> None:
        self.instructions.setText(tr("entry_ui.scan_instructions"))
        self.drafts_caption.setText(tr("entry_ui.drafts_caption"))
        self.set_notice(self._notice)

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)


class ReentryWindow(QMainWindow):
    """Sign-in → scan → entry → next sheet, on the database at ``db`` (a file or a server)."""

    def __init__(self, db: LocationLike, settings: Settings | None = None,
                 parent: QWidget | None = None, *, now: Callable[[], datetime] = clock.now,
                 open_db: Opener = open_database,
                 beep: Callable[[], None] = QApplication.beep,
                 session: Session | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reentry_window")
        self.db = as_location(db)
        self.session = session if session is not None else Session(self)
        self._beep = beep
        self._refusal: Msg | None = None
        self.user: User | None = None
        self.store: Store | None
        self.store, self._open_error = open_or_error(open_db, self.db)
        self.sign_in_page = SignInPage(self.store, self, session=self.session)
        self.scan_page = ScanPage(self)
        self.entry = EntryScreen(self.store, self, now=now)
        if self.store is not None:  # scanned pages read beside the typing, on a connection
            self.entry.paper.use_reader(StoreReader(self, self.db, open_db))  # of their own
        self.admission = AdmissionScreen(self.store, self, now=now)
        self.verify = VerifyScreens(self.store, self.entry, self, now=now)  # double entry
        self.code_bar = CodeBar(self)
        self.user_label = QLabel(self)
        self.user_label.setObjectName("current_user")
        self.sign_out_button = QPushButton(self)
        self.pages = QStackedWidget(self)
        self._build_layout()
        self.lock_overlay = LockOverlay(self, self.session)
        self._build_menus()
        self._connect()
        self.capture = ScanCapture(self, ScanSettings.from_settings(settings or Settings()))
        self.capture.scanned.connect(self.on_scan)
        self.capture.install()
        self.resize(fitting_size(self, 1300, 860))  # a ward PC's 1,366 x 768 included
        self._retranslate()
        show_drill_state(self, self.store)  # a drill copy says so, permanently
        self._user_changed(self.session.user)

    # -- construction ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.top_bar = QWidget(self)
        bar = QHBoxLayout(self.top_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.code_bar, 1)
        bar.addWidget(self.user_label)
        bar.addWidget(self.sign_out_button)
        for page in (self.sign_in_page, self.scan_page, self.entry, self.admission,
                     *self.verify.pages()):
            self.pages.addWidget(page)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.top_bar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.entry_menu = QMenu(bar)
        self.code_action = QAction(self)
        self.code_action.setShortcuts([QKeySequence(k) for k in CODE_KEYS])
        self.code_action.triggered.connect(self.code_bar.focus_field)
        self.sign_out_action = QAction(self)
        self.sign_out_action.setShortcuts([QKeySequence(k) for k in SIGN_OUT_KEYS])
        self.sign_out_action.triggered.connect(self.sign_out)
        self.close_action = QAction(self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)
        self.entry_menu.addActions([self.code_action, self.sign_out_action, self.close_action])
        self.language_menu = QMenu(bar)
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for language in i18n.LANGUAGES:
            action = QAction(group)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, lang=language: switch_language(lang))
            self.language_actions[language] = action
        self.language_menu.addActions(group.actions())
        bar.addMenu(self.entry_menu)
        bar.addMenu(self.language_menu)

    def _connect(self) -> None:
        self.session.user_changed.connect(self._user_changed)
        self._following = True
        self.code_bar.code_entered.connect(discarding(self.open_code))
        self.sign_out_button.clicked.connect(self.sign_out)
        self.entry.sheet_finished.connect(self._sheet_finished)
        self.verify.finished.connect(self.show_scan_page)
        self.entry.row_saved.connect(lambda _entry: self._clear_refusal())
        self.admission.admission_saved.connect(
            lambda admission: self.show_scan_page(saved_notice(admission)))
        self.scan_page.drafts.itemActivated.connect(discarding(
            lambda item: self.open_code(str(item.data(Qt.ItemDataRole.UserRole)))))

    # -- who types ------------------------------------------------------------------------------

    def signed_in(self, user: User) -> None:
        self.user = user
        self.entry.set_user(user)
        self.admission.set_user(user)
        self.verify.set_user(user)
        self.top_bar.show()
        self.code_action.setEnabled(True)
        self.sign_out_action.setEnabled(True)
        self._retranslate()
        self.show_scan_page(None)

    def sign_out(self) -> None:
        """Signs the whole app out: every window follows the session."""
        self.session.sign_out()

    def _user_changed(self, user: User | None) -> None:
        if user is not None and self._open_error is None:
            self.signed_in(user)
            return
        self.entry.set_user(None)  # keeps what was typed as a draft first
        self.admission.set_user(None)
        self.verify.set_user(None)
        self.user = None
        self._show_signed_out()

    def _show_signed_out(self) -> None:
        self._clear_refusal()
        self.top_bar.hide()
        self.code_action.setEnabled(False)
        self.sign_out_action.setEnabled(False)
        self.pages.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.reset()
        if self._open_error is not None:  # after the reset, which would clear it
            self.sign_in_page.show_error(self._open_error.msg)

    # -- scanning -------------------------------------------------------------------------------

    def on_scan(self, code: str) -> None:
        """A scanner burst: a badge while nobody is signed in, a sheet afterwards."""
        if self.user is None:
            self.sign_in_page.fill(code)
            return
        if self.session.locked:  # behind the lock a scan opens nothing: a badge is someone
            self.lock_overlay.fill(code)  # else signing in, whose password is asked next
            return
        self.open_code(code)

    def open_code(self, code: str) -> SheetContext | None:
        """Open the sheet ``code`` designates; a refusal leaves the screen as it was."""
        if self.user is None or self.store is None:
            return None
        self.entry.save_draft()
        self.admission.save_draft()
        try:
            context = service.open_sheet(self.store, code, self.user)
            opened = None if is_admission_sheet(context) else route(self.store, context,
                                                                    self.user)
        except UserError as error:
            self._refuse(error.msg)
            return None
        self._clear_refusal()
        if opened is None:  # a packet's admission form: its own screen
            return self._open_admission(context)
        self.admission.close_sheet()
        self.pages.setCurrentWidget(self.verify.show(opened))  # entry, second entry, check…
        return opened.context

    def _open_admission(self, context: SheetContext) -> SheetContext | None:
        self.entry.close_sheet()
        try:
            self.admission.show_context(context)
        except UserError as error:
            self._refuse(error.msg)
            return None
        self.pages.setCurrentWidget(self.admission)
        return context

    def _refuse(self, reason: Msg) -> None:
        self._refusal = reason
        self.code_bar.show_refusal(reason.render())
        self._beep()

    def _clear_refusal(self) -> None:
        self._refusal = None
        self.code_bar.clear_refusal()

    def refusal_text(self) -> str | None:
        return self.code_bar.refusal_text()

    def show_scan_page(self, notice: Msg | None) -> None:
        self.scan_page.set_notice(notice)
        self.scan_page.set_drafts(self._draft_items())
        self.pages.setCurrentWidget(self.scan_page)
        self.code_bar.focus_field()

    def _sheet_finished(self, context: SheetContext) -> None:
        self._clear_refusal()
        code = group_for_reading(context.instance.code(context.page))
        self.show_scan_page(self.verify.finished_notice(context) or msg(
            "entry_ui.sheet_finished", form=context.form.title.as_msg(), code=code))

    def _draft_items(self) -> list[tuple[str, str]]:
        if self.user is None or self.store is None:
            return []
        try:
            drafts = service.drafts(self.store, self.user)
        except UserError as error:
            self._refuse(error.msg)
            return []
        return [item for draft in drafts
                if (item := self._draft_item(self.store, draft)) is not None]

    def _draft_item(self, store: Store, draft: Draft) -> tuple[str, str] | None:
        instance = store.form_instance(draft.serial)
        form = load_forms().get(instance.template_id) if instance else None
        if instance is None or form is None:
            return None
        patient = (store.patient_by_id(instance.patient_id) if instance.patient_id
                   else None)
        code = page_code(draft.serial, draft.page)
        who = display.full_name(patient) if patient else instance.temporary_id or ""
        return tr("entry_ui.draft_item", form=form.title_in(), who=who,
                  code=group_for_reading(code),
                  when=clock.format_local(draft.updated_at, with_zone=False)), code

    # -- language and closing -------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("entry_ui.window_title"))
        self.entry_menu.setTitle(tr("entry_ui.menu_entry"))
        self.code_action.setText(tr("entry_ui.action_code"))
        self.sign_out_action.setText(tr("entry_ui.action_sign_out"))
        self.close_action.setText(tr("entry_ui.action_close"))
        self.sign_out_button.setText(tr("entry_ui.action_sign_out"))
        self.language_menu.setTitle(tr("ui.menu_language"))
        for language, action in self.language_actions.items():
            action.setText(tr(f"ui.language_{language}"))
            action.setChecked(language == i18n.get_language())
        self.user_label.setText(signed_in_text(self.user))
        if self._refusal is not None:
            self.code_bar.show_refusal(self._refusal.render())
        if self.pages.currentWidget() is self.scan_page:
            self.scan_page.set_drafts(self._draft_items())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._following:  # a closed window no longer follows the session
            self.session.user_changed.disconnect(self._user_changed)
            self._following = False
        self.entry.close_sheet()
        self.entry.paper.stop()
        self.admission.close_sheet()
        self.capture.remove()
        if self.store is not None:
            self.store.close()
            self.store = None
        super().closeEvent(event)


def open_reentry_window(db: LocationLike, settings: Settings | None = None,
                        parent: QWidget | None = None, *,
                        session: Session | None = None) -> ReentryWindow:
    """Create and show the window (the viewer's menu and ``reentry-app --reentry`` call this)."""
    window = ReentryWindow(db, settings, parent, session=session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
