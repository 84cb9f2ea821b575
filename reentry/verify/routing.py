"""What a scanned sheet opens, for whom: the entry, the blind second entry, the sighted check
or the decision on differences, or a refusal that says who may act instead.

The first typist of a blind sheet scanning it again is told that someone else must do the
second entry; a nurse scanning a sheet whose differences wait for a decision is told who
decides. Sheets whose form is typed once, not finished yet, or already verified open in the
ordinary entry screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reentry.domain.entry import SheetContext, User
from reentry.domain.verification import SheetVerification, Stage
from reentry.entry import service
from reentry.store.areas import Store
from reentry.verify import decision, second_entry, sighted
from reentry.verify.stage import verification


class Opening(StrEnum):
    ENTRY = "entry"
    SECOND_ENTRY = "second_entry"
    CHECK = "check"
    DECISION = "decision"


@dataclass(frozen=True)
class Opened:
    kind: Opening
    context: SheetContext  # for a second entry: without any first-entry row
    verification: SheetVerification
    check: sighted.CheckContext | None = None
    decision: decision.DecisionContext | None = None


def open_scanned(store: Store, code: str, user: User) -> Opened:
    """``service.open_sheet``, then the step of the double entry this user may take."""
    return route(store, service.open_sheet(store, code, user), user)


def route(store: Store, context: SheetContext, user: User) -> Opened:
    """The step of the double entry ``user`` may take on a sheet just opened (or a refusal)."""
    state = verification(store, context.instance.serial)
    if state.stage is Stage.AWAITING_SECOND:
        blind = second_entry.open_second_entry(store, context, user)
        return Opened(Opening.SECOND_ENTRY, blind, state)
    if state.stage is Stage.AWAITING_CHECK:
        return Opened(Opening.CHECK, context, state,
                      check=sighted.open_check(store, context, user))
    if state.stage is Stage.AWAITING_DECISION:
        return Opened(Opening.DECISION, context, state,
                      decision=decision.open_decision(store, context, user))
    return Opened(Opening.ENTRY, context, state)
