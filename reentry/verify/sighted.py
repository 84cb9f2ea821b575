"""The sighted check: a second person reads the first entry beside the paper, row by row.

Each row is confirmed as typed, or corrected through the ordinary correction path (the new row
replaces the old one, items follow, both stay in the history); the check of a correction and
the correction itself are one transaction. Once every row of the sheet is checked, finishing
verifies the sheet. The checker never typed the first entry, and confirms the patient's
identity before anything is recorded about the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reentry.domain.entry import Entry, RecordRow, SheetContext, User
from reentry.domain.verification import SheetVerification, Stage
from reentry.entry import service
from reentry.errors import UserError
from reentry.store.areas import Store
from reentry.store.areas.work import unit_of_work
from reentry.verify.stage import ensure_checker, require_stage, verification

CONFIRMED, CORRECTED = "confirmed", "corrected"


@dataclass(frozen=True)
class CheckContext:
    """The sheet with its first entry (shown: it is a sighted check) and what is checked."""

    context: SheetContext
    verification: SheetVerification
    checked: dict[int, str]  # active entry id → "confirmed" | "corrected"


def checked_rows(store: Store, serial: int) -> dict[int, str]:
    """Active rows already checked: confirmed as typed, or the checker's correction."""
    active = {e.id for e in store.entries(serial, include_corrected=False)}
    found: dict[int, str] = {}
    for entry_id, check in store.sighted_checks(serial).items():
        if check["outcome"] == CONFIRMED and entry_id in active:
            found[entry_id] = CONFIRMED
        elif check["outcome"] == CORRECTED and check["correction_id"] in active:
            found[check["correction_id"]] = CORRECTED
    return found


def open_check(store: Store, context: SheetContext, user: User) -> CheckContext:
    state = _checker_state(store, context.instance.serial, user)
    return CheckContext(context, state, checked_rows(store, context.instance.serial))


def _checker_state(store: Store, serial: int, user: User) -> SheetVerification:
    state = verification(store, serial)
    require_stage(state, Stage.AWAITING_CHECK)
    ensure_checker(state, user)
    return state


def _require_identity(store: Store, user: User, serial: int) -> None:
    instance = store.form_instance(serial)
    if instance is None:
        raise UserError("verify.unknown_sheet", serial=serial)
    if instance.patient_id is not None and not store.identity_confirmed(user, serial):
        raise service.IdentityNotConfirmed()


@unit_of_work
def confirm_row(store: Store, user: User, serial: int, entry_id: int) -> None:
    """The row says what the paper says."""
    _checker_state(store, serial, user)
    _require_identity(store, user, serial)
    if entry_id not in {e.id for e in store.entries(serial, include_corrected=False)}:
        raise UserError("verify.row_changed")
    store.confirm_checked_row(serial, entry_id, user)


@unit_of_work
def correct_row(store: Store, command: RecordRow, *, now: datetime | None = None) -> Entry:
    """The row differs from the paper: the checker's correction replaces it (with a reason)."""
    _checker_state(store, command.serial, command.user)
    if command.corrects is None:
        raise UserError("verify.row_changed")
    entry, items = service.checked_row(store, command, now=now)
    return store.save_checked_correction(entry, items, command.user)


def rows_to_check(store: Store, serial: int) -> list[Entry]:
    checked = checked_rows(store, serial)
    return [e for e in store.entries(serial, include_corrected=False) if e.id not in checked]


@unit_of_work
def finish_check(store: Store, user: User, serial: int) -> None:
    """Every row checked: the sheet is verified. Refused while a row is left, with its page."""
    _checker_state(store, serial, user)
    left = rows_to_check(store, serial)
    if left:
        raise UserError("verify.rows_left", count=len(left),
                        pages=", ".join(str(p) for p in sorted({e.page for e in left})))
    store.finish_sighted_check(serial, user)
