"""Pages à identifier: a person reads a scanned page the decoder could not attach, types its
code, checks whose sheet that is, and attaches it; or sets the page aside with a reason.

Wrong patient is the worst error, so typed digits never attach a page directly. They are first
checked like a scanned code (12 digits, check digit, a live sheet page of the registry:
``resolve_typed_code``), and the identity of the sheet they designate is shown beside the page
(name, birth date, IPP, ward and bed, form and page) for the person to compare with the paper
on screen. Only then does "Attach" become possible, for exactly those digits: editing the code
hides the identity again. Every decision is one transaction, audited by the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reentry import clock, display
from reentry.barcodes import group_for_reading, normalise_typed_code
from reentry.domain.scans import QueuedPage
from reentry.errors import UserError
from reentry.i18n import Msg, msg, tr
from reentry.model import Patient, Site, Stay, Ward
from reentry.registry import CodeResolution
from reentry.scanning.queue import identify_page, resolve_typed_code, set_aside_page
from reentry.store.areas import Store
from reentry.store.location import DatabaseLocation, LocationLike
from reentry.store.opening import open_database
from ui import theme
from ui.language import is_language_change
from ui.page_view import PageView
from ui.scan_sign_in import ScanSignIn
from ui.session import Session
from ui.signed_in_window import Opener, SignedInWindow, signed_in_text
from ui.slots import discarding
from ui.tasks import QuietRefresh

REFRESH_KEYS = ("F5",)


@dataclass(frozen=True)
class DesignatedSheet:
    """Whose sheet, which form and which page a typed code designates."""

    resolution: CodeResolution
    patient: Patient | None
    stay: Stay | None
    site: Site | None
    ward: Ward | None
    has_image: bool  # that sheet page already has a scanned image (this one would be a re-scan)

    @property
    def code(self) -> str:
        return self.resolution.code

    @property
    def serial(self) -> int:
        assert self.resolution.instance is not None
        return self.resolution.instance.serial

    @property
    def page(self) -> int:
        assert self.resolution.page is not None
        return self.resolution.page


def designated_sheet(store: Store, typed_code: str) -> DesignatedSheet:
    """What ``typed_code`` designates, read from the registry; ``UserError`` saying what is wrong
    with the digits (check digit, unknown, superseded...) otherwise."""
    resolution = resolve_typed_code(store, typed_code)
    instance = resolution.instance
    assert instance is not None and resolution.page is not None
    patient = store.patient_by_id(instance.patient_id) if instance.patient_id else None
    stay = store.stay_by_id(instance.stay_id) if instance.stay_id else None
    ward = next((w for w in store.wards() if w.code == instance.ward_code), None)
    site = next((s for s in store.sites() if ward and s.code == ward.site_code), None)
    has_image = any(p.page == resolution.page for p in store.scan_pages(instance.serial))
    return DesignatedSheet(resolution, patient, stay, site, ward, has_image)


def read_queue(open_db: Opener, db: DatabaseLocation) -> list[QueuedPage]:
    """The pages waiting, oldest first; runs in a worker thread, on its own connection (on a
    server the list is a network round trip, which must not freeze the screen)."""
    store = open_db(db)
    try:
        return list(store.manual_queue())
    finally:
        store.close()


class SheetIdentityPanel(QGroupBox):
    """The sheet a typed code designates, to compare with the page: who, which form, which page.

    One column (the page needs the width): the name as the lists show it, then birth date and
    sex, identifiers, identity status and place, each line whole, never cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("designated_sheet")
        self.setStyleSheet(
            f"#designated_sheet {{ background: {theme.PANEL}; border: 2px solid {theme.BORDER};"
            " border-radius: 4px; margin-top: 1.4em; padding: 6px; }")
        self.sheet: DesignatedSheet | None = None
        self._today = clock.local(clock.now()).date()
        self.name = QLabel(self)
        self.name.setObjectName("designated_name")
        self.name.setFont(theme.scaled_font(self, 1.5, bold=True))
        self.lines: dict[str, QLabel] = {}
        for key in ("birth", "ids", "status", "location"):
            label = QLabel(self)
            label.setObjectName(f"designated_{key}")
            label.setFont(theme.scaled_font(self, 1.1, bold=key != "status"))
            self.lines[key] = label
        self.form_line = QLabel(self)
        self.form_line.setObjectName("designated_form")
        self.form_line.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.rescan_note = QLabel(self)
        self.rescan_note.setObjectName("designated_rescan")
        self.rescan_note.setStyleSheet("color: #e65100; font-weight: bold;")
        self.instruction = QLabel(self)
        self.attach_button = QPushButton(self)
        self.attach_button.setObjectName("attach_button")
        self.attach_button.setAutoDefault(True)  # Enter on the focused button attaches
        self.not_this_button = QPushButton(self)
        self.not_this_button.setObjectName("not_this_sheet_button")
        buttons = QHBoxLayout()
        buttons.addWidget(self.not_this_button)
        buttons.addStretch(1)
        buttons.addWidget(self.attach_button)
        layout = QVBoxLayout(self)
        for label in (self.name, *self.lines.values(), self.form_line, self.rescan_note,
                      self.instruction):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        layout.addLayout(buttons)
        self.show_sheet(None, self._today)

    def show_sheet(self, sheet: DesignatedSheet | None, today: date) -> None:
        self.sheet = sheet
        self._today = today
        self.setVisible(sheet is not None)
        self.attach_button.setEnabled(sheet is not None)
        self._render()

    def _render(self) -> None:
        self.setTitle(tr("scan_ui.designated_title"))
        self.instruction.setText(tr("scan_ui.designated_instruction"))
        self.attach_button.setText(tr("scan_ui.attach"))
        self.not_this_button.setText(tr("scan_ui.not_this_sheet"))
        sheet = self.sheet
        if sheet is None:
            self.name.clear()
            for label in self.lines.values():
                label.clear()
            self.form_line.clear()
            return
        instance = _instance(sheet)
        patient, stay = sheet.patient, sheet.stay
        if patient is None:
            self.name.setText(tr("scan_ui.designated_temporary", id=instance.temporary_id)
                              if instance.temporary_id else tr("scan_ui.designated_no_patient"))
            self.name.setStyleSheet(f"color: {theme.PROVISIONAL_IDENTITY};")
            texts = {"location": display.location_text(sheet.site, sheet.ward, None, None)}
        else:
            self.name.setText(display.full_name(patient))
            self.name.setStyleSheet("")
            texts = {
                "birth": tr("scan_ui.designated_birth",
                            birth_date=display.birth_date_text(patient, self._today),
                            sex=display.sex_label(patient.sex)),
                "ids": tr("scan_ui.designated_ids", ipp=patient.ipp or display.DASH,
                          nda=stay.nda if stay else display.DASH),
                "status": tr("scan_ui.designated_status",
                             status=display.identity_status_label(patient.identity_status)),
                "location": display.location_text(sheet.site, sheet.ward,
                                                  stay.room if stay else None,
                                                  stay.bed if stay else None),
            }
        for key, label in self.lines.items():
            label.setText(texts.get(key, ""))
            label.setVisible(key in texts)
        self.form_line.setText(tr(
            "scan_ui.designated_form", form=display.form_title(instance.template_id),
            page=sheet.page, pages=instance.page_count, code=group_for_reading(sheet.code),
            ward=sheet.ward.name if sheet.ward else instance.ward_code))
        self.rescan_note.setText(tr("scan_ui.designated_rescan") if sheet.has_image else "")
        self.rescan_note.setVisible(sheet.has_image)

    def identity_text(self) -> str:
        """What the panel says about the sheet, line by line, for tests and screen readers."""
        if self.sheet is None:
            return ""
        labels = (self.name, *self.lines.values(), self.form_line)
        return "\n".join(label.text() for label in labels if label.text())

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._render()
        super().changeEvent(event)


def _instance(sheet: DesignatedSheet) -> Any:
    assert sheet.resolution.instance is not None
    return sheet.resolution.instance


class ScanQueueWindow(SignedInWindow):
    """The manual queue, one page at a time, oldest first."""

    page_identified = Signal(object)  # AttachedPage
    page_set_aside = Signal(int)  # the page's id
    queue_changed = Signal(int)  # pages left in the queue
    refreshed = Signal()  # the queue read off the GUI thread is on screen

    def __init__(self, db: LocationLike, parent: QWidget | None = None, *,
                 session: Session | None = None, open_db: Opener = open_database,
                 now: Callable[[], datetime] = clock.now,
                 beep: Callable[[], None] = QApplication.beep) -> None:
        super().__init__(db, parent, open_db=open_db, sign_in=ScanSignIn, session=session)
        self.setObjectName("scan_queue_window")
        self._now = now
        self._beep = beep
        self._open_db = open_db
        self.queue: list[QueuedPage] = []
        self._loading = False  # the first read of the queue is under way
        self._reads = QuietRefresh(self)
        self._reads.succeeded.connect(self._show_queue)
        self._reads.failed.connect(self._read_failed)
        self._reads.finished.connect(self.refreshed)
        self._error: Msg | None = None
        self._notice: Msg | None = None
        self._build_page()
        self._stack_pages()
        self._build_actions()
        self.resize(1400, 900)
        self._retranslate()
        self._start()

    # -- construction ---------------------------------------------------------------------------

    def _build_page(self) -> None:
        page = self.page
        self.heading = QLabel(page)
        self.heading.setObjectName("queue_heading")
        self.heading.setFont(theme.scaled_font(page, 1.4, bold=True))
        self.user_label = QLabel(page)
        self.refresh_button = QPushButton(page)
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)

        self.list = QListWidget(page)
        self.list.setObjectName("queue_list")
        self.list.setWordWrap(True)
        self.list.setMinimumWidth(180)
        self.list.currentRowChanged.connect(self._page_chosen)
        self.page_view = PageView(page)

        side = QWidget(page)
        side.setMinimumWidth(460)
        self.page_info = QLabel(side)
        self.page_info.setObjectName("queued_page_info")
        self.page_info.setWordWrap(True)
        self.reason = QLabel(side)
        self.reason.setObjectName("queued_page_reason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #e65100; font-weight: bold;")
        self.code_caption = QLabel(side)
        self.code_field = QLineEdit(side)
        self.code_field.setObjectName("typed_code_field")
        self.code_field.setMaxLength(40)
        self.code_field.setFont(theme.scaled_font(side, 1.3, bold=True))
        self.code_field.returnPressed.connect(discarding(self.check_code))
        self.code_field.textEdited.connect(self._code_edited)
        self.code_caption.setBuddy(self.code_field)
        self.check_button = QPushButton(side)
        self.check_button.setObjectName("check_code_button")
        self.check_button.setAutoDefault(False)
        self.check_button.clicked.connect(discarding(self.check_code))
        self.code_error = QLabel(side)
        self.code_error.setObjectName("code_error")
        self.code_error.setWordWrap(True)
        self.code_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_error.setStyleSheet(
            f"#code_error {{ background: {theme.ALLERGY_RED}; color: white; font-weight: bold;"
            " padding: 8px; border-radius: 4px; }")
        self.code_error.hide()
        self.designated = SheetIdentityPanel(side)
        self.designated.attach_button.clicked.connect(discarding(self.attach))
        self.designated.not_this_button.clicked.connect(self._not_this_sheet)

        self.aside_box = QGroupBox(side)
        self.aside_reason = QLineEdit(self.aside_box)
        self.aside_reason.setObjectName("set_aside_reason")
        self.aside_reason.setMaxLength(500)
        self.aside_reason.returnPressed.connect(discarding(self.set_aside))
        self.aside_button = QPushButton(self.aside_box)
        self.aside_button.setObjectName("set_aside_button")
        self.aside_button.setAutoDefault(False)
        self.aside_button.clicked.connect(discarding(self.set_aside))
        aside = QHBoxLayout(self.aside_box)
        aside.addWidget(self.aside_reason, 1)
        aside.addWidget(self.aside_button)

        self.notice = QLabel(side)
        self.notice.setObjectName("queue_notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #1b5e20; font-weight: bold;")

        code_row = QHBoxLayout()
        code_row.addWidget(self.code_field, 1)
        code_row.addWidget(self.check_button)
        column = QVBoxLayout(side)
        column.setContentsMargins(6, 0, 0, 0)
        column.addWidget(self.page_info)
        column.addWidget(self.reason)
        column.addWidget(self.code_caption)
        column.addLayout(code_row)
        column.addWidget(self.code_error)
        column.addWidget(self.designated)
        column.addWidget(self.aside_box)
        column.addWidget(self.notice)
        column.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        splitter.setObjectName("queue_splitter")
        splitter.setChildrenCollapsible(False)
        for widget, stretch in ((self.list, 2), (self.page_view, 6), (side, 3)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.indexOf(widget), stretch)
        splitter.setSizes([210, 700, 490])
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.user_label)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _build_actions(self) -> None:
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcuts([QKeySequence(k) for k in REFRESH_KEYS])
        self.refresh_action.triggered.connect(lambda _checked=False: self.refresh())
        self.close_action = QAction(self)
        self.close_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_action.triggered.connect(self.close)  # a C++ slot: nothing returns to Python
        self.code_action = QAction(self)
        self.code_action.setShortcuts([QKeySequence("Ctrl+L"), QKeySequence("F2")])
        self.code_action.triggered.connect(lambda _checked=False: self._focus_code())
        for action in (self.refresh_action, self.close_action, self.code_action):
            self.addAction(action)

    # -- who ------------------------------------------------------------------------------------

    def _after_sign_in(self) -> None:
        self.refresh()

    # -- the queue ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the queue again off the GUI thread, staying on the page on screen when it is
        still waiting; a refresh asked during a read runs after it (``refreshed`` then)."""
        if self.user is None or self.store is None:
            return
        self._reads.run(self._begin_read)

    def _begin_read(self) -> Callable[[], list[QueuedPage]]:
        self._loading = True
        self._render_heading()
        opener, db = self._open_db, self.db
        return lambda: read_queue(opener, db)

    def _read_failed(self, error: Exception) -> None:
        self._loading = False
        self._render_heading()
        if isinstance(error, UserError):
            self._show_error(error.msg)
            return
        raise error  # a bug: the application's error reporter takes it

    def _show_queue(self, queue: list[QueuedPage]) -> None:
        """The queue as read: the page on screen, and what is typed for it, stay untouched
        when the list has not changed."""
        self._loading = False
        if self.store is None:  # signed out or closing meanwhile: nobody to show it to
            return
        shown = self.current_page()
        if shown is not None and [q.id for q in queue] == [q.id for q in self.queue]:
            self.queue = queue
            self._render_heading()
            self.queue_changed.emit(len(queue))
            return
        self.queue = queue
        self._fill_list(shown.id if shown else None)

    def _fill_list(self, keep: int | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for queued in self.queue:
            item = QListWidgetItem(self._item_text(queued), self.list)
            item.setData(Qt.ItemDataRole.UserRole, queued.id)
        self.list.blockSignals(False)
        ids = [q.id for q in self.queue]
        row = ids.index(keep) if keep in ids else 0
        self._render_heading()
        self.queue_changed.emit(len(self.queue))
        if self.queue:
            if self.list.currentRow() == row:
                self._page_chosen(row)  # same row, new list: show its page again
            else:
                self.list.setCurrentRow(row)  # currentRowChanged shows it, once
        else:
            self._page_chosen(-1)

    def _item_text(self, queued: QueuedPage) -> str:
        return tr("scan_ui.queue_item", file=queued.file_name, page=queued.page_index + 1,
                  reason=tr(f"scan_ui.short_reason_{queued.reason.value}"))

    def current_page(self) -> QueuedPage | None:
        row = self.list.currentRow()
        return self.queue[row] if 0 <= row < len(self.queue) else None

    def select_page(self, page_id: int) -> bool:
        ids = [q.id for q in self.queue]
        if page_id not in ids:
            return False
        self.list.setCurrentRow(ids.index(page_id))
        return True

    def _page_chosen(self, row: int) -> None:
        """Another page on screen: its image, why it waits, and a fresh code field."""
        self._forget_sheet()
        self._show_error(None)
        self.code_field.clear()
        self.aside_reason.clear()
        store = self.store  # None: closing, or signed out: a list read late lands on no database
        queued = self.queue[row] if 0 <= row < len(self.queue) and store is not None else None
        for widget in (self.code_field, self.check_button, self.aside_reason, self.aside_button):
            widget.setEnabled(queued is not None)
        if queued is None or store is None:
            self.page_view.clear(msg("scan_ui.queue_empty"))
            self.page_info.clear()
            self.reason.clear()
            return
        try:
            image = store.queued_page_image(queued.id)
        except UserError as error:
            self.page_view.clear(error.msg)
        else:
            self.page_view.set_image(image)
        self._render_page_texts()
        self._focus_code()

    def _render_page_texts(self) -> None:
        queued = self.current_page()
        if queued is None:
            return
        self.page_info.setText(tr(
            "scan_ui.queued_page_info", file=queued.file_name, page=queued.page_index + 1,
            user=queued.imported_by, when=clock.format_local(queued.imported_at)))
        self.reason.setText(tr("scan_ui.queued_reason", reason=queued.message.render()))

    def _focus_code(self) -> None:
        if self.code_field.isEnabled():
            self.code_field.setFocus(Qt.FocusReason.OtherFocusReason)
            self.code_field.selectAll()

    # -- identifying ----------------------------------------------------------------------------

    def check_code(self) -> DesignatedSheet | None:
        """Show whose sheet the typed digits designate; a doubtful code is refused loudly."""
        queued = self.current_page()
        text = self.code_field.text().strip()
        if queued is None or self.store is None:
            return None
        self._forget_sheet()
        if not text:
            self._refuse(msg("scan_ui.code_required"))
            return None
        try:
            sheet = designated_sheet(self.store, text)
        except UserError as error:
            self._refuse(error.msg)
            return None
        self._show_error(None)
        self.designated.show_sheet(sheet, clock.local(self._now()).date())
        self.designated.attach_button.setFocus(Qt.FocusReason.OtherFocusReason)
        return sheet

    def _code_edited(self, text: str) -> None:
        """The identity on screen belongs to the digits checked: new digits hide it."""
        sheet = self.designated.sheet
        if sheet is not None and normalise_typed_code(text) != sheet.code:
            self._forget_sheet()

    def _forget_sheet(self) -> None:
        self.designated.show_sheet(None, clock.local(self._now()).date())

    def _not_this_sheet(self) -> None:
        self._forget_sheet()
        self._focus_code()

    def attach(self) -> bool:
        """Attach the page on screen to the sheet shown, for the digits shown; False if refused."""
        queued, sheet, user, store = (self.current_page(), self.designated.sheet, self.user,
                                      self.store)
        if queued is None or sheet is None or user is None or store is None:
            return False
        if normalise_typed_code(self.code_field.text()) != sheet.code:
            self._forget_sheet()
            return False
        try:
            attached = identify_page(store, queued.id, sheet.code, user)
        except UserError as error:
            self._refuse(error.msg)
            self._forget_sheet()
            return False
        who = (display.full_name(sheet.patient) if sheet.patient is not None
               else _instance(sheet).temporary_id or display.DASH)
        form = display.form_title(_instance(sheet).template_id)
        self._set_notice(msg("scan_ui.attached", form=form,
                             page=sheet.page, pages=_instance(sheet).page_count, who=who,
                             code=group_for_reading(sheet.code)))
        self.page_identified.emit(attached)
        self._drop(queued.id)
        return True

    def set_aside(self) -> bool:
        """Take the page on screen out of the queue as not a sheet, with the reason typed."""
        queued, user, store = self.current_page(), self.user, self.store
        if queued is None or user is None or store is None:
            return False
        try:
            set_aside_page(store, queued.id, self.aside_reason.text(), user)
        except UserError as error:
            self._refuse(error.msg)
            self.aside_reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self._set_notice(msg("scan_ui.set_aside_done", file=queued.file_name,
                             page=queued.page_index + 1))
        self.page_set_aside.emit(queued.id)
        self._drop(queued.id)
        return True

    def _drop(self, page_id: int) -> None:
        """The page is done: the next one comes on screen at once, and the list is read again
        off the GUI thread, so that pages dealt with on another PC meanwhile go too."""
        row = next((i for i, q in enumerate(self.queue) if q.id == page_id), 0)
        self.queue = [q for q in self.queue if q.id != page_id]
        following = self.queue[min(row, len(self.queue) - 1)].id if self.queue else None
        self._fill_list(following)
        self.refresh()

    # -- messages -------------------------------------------------------------------------------

    def _refuse(self, message: Msg) -> None:
        self._show_error(message)
        self._beep()
        self.code_field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.code_field.selectAll()

    def _show_error(self, message: Msg | None) -> None:
        self._error = message
        self.code_error.setText(message.render() if message else "")
        self.code_error.setVisible(message is not None)

    def error_text(self) -> str | None:
        return self.code_error.text() if self._error is not None else None

    def _set_notice(self, message: Msg | None) -> None:
        self._notice = message
        self.notice.setText(message.render() if message else "")

    def notice_text(self) -> str:
        return self.notice.text()

    def _render_heading(self) -> None:
        self.heading.setText(tr("scan_ui.queue_loading") if self._loading and not self.queue
                             else tr("scan_ui.queue_heading", count=len(self.queue)))

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("scan_ui.queue_window_title"))
        self._render_heading()
        self.user_label.setText(signed_in_text(self.user))
        self.refresh_button.setText(tr("scan_ui.refresh"))
        self.refresh_action.setText(tr("scan_ui.refresh"))
        self.close_action.setText(tr("scan_ui.close"))
        self.code_action.setText(tr("scan_ui.code_caption"))
        self.code_caption.setText(tr("scan_ui.code_caption"))
        self.code_field.setPlaceholderText(tr("scan_ui.code_placeholder"))
        self.code_field.setToolTip(tr("scan_ui.code_tooltip"))
        self.check_button.setText(tr("scan_ui.check_code"))
        self.aside_box.setTitle(tr("scan_ui.set_aside_title"))
        self.aside_reason.setPlaceholderText(tr("scan_ui.set_aside_placeholder"))
        self.aside_button.setText(tr("scan_ui.set_aside"))
        for row, queued in enumerate(self.queue):
            item = self.list.item(row)
            if item is not None:
                item.setText(self._item_text(queued))
        self._render_page_texts()
        if self._error is not None:
            self.code_error.setText(self._error.render())
        if self._notice is not None:
            self.notice.setText(self._notice.render())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._reads.wait()  # a read under way ends before the window goes (its thread is ours)
        self.page_view.clear()
        super().closeEvent(event)


def open_scan_queue(db: LocationLike, parent: QWidget | None = None, *,
                    session: Session | None = None) -> ScanQueueWindow:
    """Create and show the queue window (the viewer's File menu and the import call this)."""
    window = ScanQueueWindow(db, parent, session=session)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window
