"""What the double-entry screens share: who the sheet is about, which sheet, and its values.

The sighted check and the decision on differences both meet a patient: the identity banner stays
on top, and nothing is recorded before the person has confirmed, once per sheet, that the paper
in hand is about that patient (the same inline confirmation as the entry screen).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from reentry import clock, display
from reentry.barcodes import group_for_reading
from reentry.domain.entry import Entry, SheetContext, User
from reentry.entry import service
from reentry.errors import UserError
from reentry.formdefs_model import FieldDefinition, FormDefinition
from reentry.i18n import Msg, tr
from reentry.store.areas import Store
from ui import theme
from ui.entry_fields import CELL_STYLE, display_value
from ui.identity_banner import IdentityBanner, temporary_identity_banner
from ui.identity_confirm import IdentityConfirmation
from ui.language import is_language_change
from ui.notice import screen_labels, show_notice


def value_text(field: FieldDefinition, stored: str | None) -> str:
    """A stored value as a nurse reads it, with its unit; a blank says so."""
    if stored is None or not stored.strip():
        return tr("verify.ui_blank")
    return display.value_with_unit(display_value(field, stored), field.unit)


def entry_text(form: FormDefinition, entry: Entry) -> str:
    """« Heure 23:15, PAS 120 mm Hg, FC 72 /min »: what a row holds, in paper order."""
    section = next((s for s in form.sections if s.id == entry.section_id), None)
    parts = []
    for field in section.fields if section else ():
        stored = entry.values.get(field.id)
        if stored and not field.readonly:
            parts.append(tr("verify.ui_value", label=field.short_label_in(),
                            value=value_text(field, stored)))
        elif stored:
            parts.append(stored)  # pre-printed (the MAR's drug and dose): as on paper
    return ", ".join(parts)


def sheet_code(context: SheetContext) -> str:
    return group_for_reading(context.instance.code(context.page))


class SheetHeader(QWidget):
    """Identity banner (or temporary identity), sheet title, what to do, identity check."""

    confirmed = Signal()
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None, *,
                 today: Callable[[], date] = lambda: clock.local(clock.now()).date()) -> None:
        super().__init__(parent)
        self._today = today
        self._context: SheetContext | None = None
        self._title: Msg | None = None
        self._explanation: Msg | None = None
        self.banner = IdentityBanner(self)
        self.temporary_banner = temporary_identity_banner(self)
        self.title = QLabel(self)
        self.title.setObjectName("verify_title")
        self.title.setFont(theme.scaled_font(self, 1.2, bold=True))
        self.explanation = QLabel(self)
        self.explanation.setObjectName("verify_explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("background: #e3f2fd; color: #0d47a1; padding: 6px;")
        self.confirmation = IdentityConfirmation(self)
        self.confirmation.confirmed.connect(self.confirmed)
        self.confirmation.cancelled.connect(self.cancelled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.banner, self.temporary_banner, self.title, self.explanation,
                       self.confirmation):
            layout.addWidget(widget)

    def show_context(self, context: SheetContext, title: Msg, explanation: Msg) -> None:
        self._context, self._title, self._explanation = context, title, explanation
        if context.patient is not None:
            self.banner.set_identity(context.patient, context.stay, context.site, context.ward,
                                     self._today(), temporary_id=context.temporary_id)
            self.banner.show()
            self.temporary_banner.hide()
        else:
            self.banner.clear()
            self.banner.hide()
            self.temporary_banner.show()
        self.retranslate()

    def clear(self) -> None:
        self._context = self._title = self._explanation = None
        self.banner.clear()
        self.confirmation.hide()
        self.retranslate()

    def ask_identity(self) -> bool:
        """Ask for the identity confirmation; False when the sheet has no patient to confirm."""
        context = self._context
        if context is None or context.patient is None:
            return False
        self.confirmation.ask(context.patient, self._today())
        return True

    def retranslate(self) -> None:
        context = self._context
        self.title.setText(self._title.render() if self._title else "")
        self.explanation.setText(self._explanation.render() if self._explanation else "")
        self.explanation.setVisible(self._explanation is not None)
        self.temporary_banner.setText(tr("entry_ui.temporary_identity",
                                         id=context.temporary_id or display.DASH)
                                      if context else "")

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self.retranslate()
        super().changeEvent(event)


class SheetScreen(QWidget):
    """The frame of a double-entry screen: header on top, then messages, notice and keys help.

    Subclasses lay out their own body between the header and these labels, and say what an
    identity confirmation (or refusal) leads to; emits ``finished(Msg)`` once the sheet is
    verified.
    """

    finished = Signal(object)

    def __init__(self, store: Store, name: str, parent: QWidget | None = None, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_screen")
        self.setStyleSheet(CELL_STYLE)
        self.store = store
        self.user: User | None = None
        self._now = now
        self._identity_confirmed = False
        self._notice: tuple[str, Msg] | None = None
        self.header = SheetHeader(self, today=lambda: clock.local(self._now()).date())
        self.header.confirmed.connect(self._identity_confirmed_now)
        self.header.cancelled.connect(self._identity_refused)
        self.messages, self.notice, self.keys_help = screen_labels(self, name)

    def set_user(self, user: User | None) -> None:
        self.close_sheet()
        self.user = user

    def close_sheet(self) -> None:
        raise NotImplementedError

    def _confirm_identity(self, serial: int) -> bool:
        """Record the person's identity confirmation; False (and a notice) when refused."""
        assert self.user is not None
        try:
            service.confirm_identity(self.store, self.user, serial)
        except UserError as error:
            self._set_notice(("error", error.msg))
            return False
        self._identity_confirmed = True
        return True

    def _identity_confirmed_now(self) -> None:
        raise NotImplementedError

    def _identity_refused(self) -> None:
        raise NotImplementedError

    def notice_text(self) -> str:
        return self.notice.text()

    def _set_notice(self, notice: tuple[str, Msg] | None) -> None:
        self._notice = notice
        show_notice(self.notice, notice)

    def _retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if is_language_change(event):
            self._retranslate()
        super().changeEvent(event)
