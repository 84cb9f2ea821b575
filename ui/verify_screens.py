"""Double entry in the re-entry window: a scan opens the step this person may take.

``VerifyScreens`` owns the sighted-check and decision screens and shows the right page for an
``Opened`` sheet: the ordinary entry screen, the same screen empty for a blind second entry
(rows stored apart, first entry never shown), the check screen or the decision screen. After a
sheet is finished it says what the double entry needs next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from reentry import clock
from reentry.domain.entry import SheetContext, User
from reentry.domain.verification import Stage
from reentry.errors import UserError
from reentry.i18n import Msg, msg
from reentry.store.areas import Store
from reentry.verify import second_entry
from reentry.verify.routing import Opened, Opening
from reentry.verify.stage import verification
from ui.entry_screen import EntryScreen
from ui.verify_check import CheckScreen
from ui.verify_decision import DecisionScreen
from ui.verify_sheet import sheet_code

# What the scan page says after F9, by the stage the sheet is in then.
_FINISHED = {
    Stage.AWAITING_SECOND: "verify.ui_finished_awaiting_second",
    Stage.AWAITING_CHECK: "verify.ui_finished_awaiting_check",
    Stage.AWAITING_DECISION: "verify.ui_finished_awaiting_decision",
    Stage.VERIFIED: "verify.ui_finished_verified",
}


class VerifyScreens(QObject):
    finished = Signal(object)  # Msg for the scan page, once a check or a decision is done

    def __init__(self, store: Store, entry: EntryScreen, parent: QWidget, *,
                 now: Callable[[], datetime] = clock.now) -> None:
        super().__init__(parent)
        self.store = store
        self.entry = entry
        self.check = CheckScreen(store, parent, now=now)
        self.decision = DecisionScreen(store, parent, now=now)
        self.check.finished.connect(self.finished)
        self.decision.finished.connect(self.finished)
        self._last = Opening.ENTRY  # what the entry screen was last opened for

    def pages(self) -> tuple[QWidget, ...]:
        return (self.check, self.decision)

    def set_user(self, user: User | None) -> None:
        self.check.set_user(user)
        self.decision.set_user(user)

    def close_sheet(self) -> None:
        self.check.close_sheet()
        self.decision.close_sheet()

    def show(self, opened: Opened) -> QWidget:
        """Lay the opened sheet out in its screen; returns the page to show."""
        self.close_sheet()
        self._last = opened.kind
        if opened.kind is Opening.SECOND_ENTRY:
            self.entry.show_sheet(opened.context, actions=second_entry,
                                  mode_text=msg("verify.ui_blind_banner"))
            return self.entry
        if opened.kind is Opening.CHECK and opened.check is not None:
            self.entry.close_sheet()
            self.check.show_check(opened.check)
            return self.check
        if opened.kind is Opening.DECISION and opened.decision is not None:
            self.entry.close_sheet()
            self.decision.show_decision(opened.decision)
            return self.decision
        self.entry.show_sheet(opened.context)
        return self.entry

    def finished_notice(self, context: SheetContext) -> Msg | None:
        """What the double entry needs once ``context`` was finished (None: typed once)."""
        try:
            state = verification(self.store, context.instance.serial)
        except UserError:
            return None
        blind = self._last is Opening.SECOND_ENTRY
        if state.stage in (Stage.VERIFIED, Stage.AWAITING_DECISION) and not blind:
            return None  # a verified sheet typed again: nothing new for the double entry
        message_id = _FINISHED.get(state.stage)
        if message_id is None:
            return None
        return msg(message_id, form=context.form.title.as_msg(), code=sheet_code(context),
                   count=state.differences or 0)
