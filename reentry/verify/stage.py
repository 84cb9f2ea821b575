"""Where a sheet stands in its double entry, and who may take the next step.

The rules that make double entry worth doing: the second typist, the checker and the person who
decides are never someone who typed the first entry; the person who decides did not type either
entry. Each refusal says who may do it instead.
"""

from __future__ import annotations

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.domain.verification import SheetVerification, Stage, VerifyMode
from reentry.errors import UserError
from reentry.sheets.policy import mode_for
from reentry.sheets.tracking import tracked_sheets
from reentry.store.areas import Store


def verification(store: Store, serial: int, mode: VerifyMode | None = None) -> SheetVerification:
    """The sheet's mode, stage and the people involved so far."""
    instance = store.form_instance(serial)
    if instance is None:
        raise UserError("verify.unknown_sheet", serial=serial)
    chosen = mode or mode_for(store, instance.template_id)
    row = store.double_entry_sheet(serial) or {}
    verified_at = clock.from_storage(row.get("verified_at"))
    if verified_at is not None:
        stage = Stage.VERIFIED
    elif chosen is VerifyMode.NONE:
        stage = Stage.NOT_REQUIRED
    elif not store.sheet_entered(serial):
        stage = Stage.AWAITING_FIRST
    elif chosen is VerifyMode.SIGHTED:
        stage = Stage.AWAITING_CHECK
    elif row.get("second_done_at"):
        stage = Stage.AWAITING_DECISION
    else:
        stage = Stage.AWAITING_SECOND
    return SheetVerification(
        serial=serial, template_id=instance.template_id, mode=chosen, stage=stage,
        first_typists=tuple(store.first_typists(serial)),
        second_typist=row.get("second_username"), differences=row.get("differences"),
        verified_by=row.get("verified_username"), verified_at=verified_at)


def awaiting(store: Store, ward_code: str | None = None) -> list[SheetVerification]:
    """Entered sheets whose form needs a check that has not been done, in ward order."""
    found = []
    for sheet in tracked_sheets(store, ward_code=ward_code):
        if sheet.double_check != "pending":
            continue
        state = verification(store, sheet.serial, VerifyMode(sheet.verify_mode))
        if state.stage is not Stage.VERIFIED:
            found.append(state)
    return found


def require_stage(state: SheetVerification, *stages: Stage) -> None:
    if state.stage not in stages:
        raise UserError(f"verify.stage_{state.stage.value}")


def _typed_first(state: SheetVerification, user: User) -> bool:
    return user.username.casefold() in {name.casefold() for name in state.first_typists}


def ensure_second_typist(state: SheetVerification, user: User) -> None:
    require(user, Permission.ENTER)
    if _typed_first(state, user):
        raise UserError("verify.second_by_someone_else")
    if state.second_typist and state.second_typist.casefold() != user.username.casefold():
        raise UserError("verify.second_in_progress", user=state.second_typist)


def ensure_checker(state: SheetVerification, user: User) -> None:
    require(user, Permission.ENTER)
    if _typed_first(state, user):
        raise UserError("verify.check_by_someone_else")


def ensure_decider(state: SheetVerification, user: User) -> None:
    if user.username.casefold() in state.typists():
        raise UserError("verify.decision_by_third")
    require(user, Permission.RESOLVE_DOUBLE_ENTRY)
