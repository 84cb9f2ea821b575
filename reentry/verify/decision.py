"""The third person's decision on a blind double entry's differences, applied as corrections.

For each difference the person deciding (a ward manager or the quality team, who typed neither
entry) keeps the first value, the second, or a third one read again on paper, with the reason.
The kept values become corrections of the first entry, checked by the same code as any row
(``service.checked_row``) and stored by the same correction path (items retired and replaced,
audited), together with the decisions and the ``verified`` event, in one transaction. A row the
paper does not have (typed by one person only, and the decision keeps it blank) is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reentry import display
from reentry.domain.entry import Entry, Item, RecordRow, SheetContext, User
from reentry.domain.verification import (
    SHEET_KEY_SECTION,
    Choice,
    Difference,
    Resolution,
    ResolveSheet,
    SheetVerification,
    Stage,
)
from reentry.entry import service
from reentry.entry.redate import sheet_date_field
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import FieldDefinition, FormDefinition
from reentry.formdefs_values import canonical, validate_value
from reentry.i18n import Msg, msg, tr
from reentry.store.areas import Store
from reentry.store.areas.work import unit_of_work
from reentry.verify.compare import compare, sheet_date
from reentry.verify.stage import ensure_decider, require_stage, verification


@dataclass(frozen=True)
class DecisionContext:
    """What the decision screen shows: the sheet, who typed what, and every difference."""

    context: SheetContext
    verification: SheetVerification
    differences: list[Difference]


class DecisionRefused(UserError):
    """Some decisions cannot be applied; ``problems`` and ``warnings`` by difference key."""

    message_id = "verify.decision_refused"

    def __init__(self, problems: dict[str, Msg], warnings: dict[str, Msg] | None = None) -> None:
        self.problems = problems
        self.warnings = warnings or {}
        super().__init__(count=len(problems) + len(self.warnings))


def open_decision(store: Store, context: SheetContext, user: User) -> DecisionContext:
    state = verification(store, context.instance.serial)
    require_stage(state, Stage.AWAITING_DECISION)
    ensure_decider(state, user)
    form = context.form
    differences = compare(form, context.instance.serial,
                          store.entries(context.instance.serial, include_corrected=False),
                          store.second_entries(context.instance.serial, include_corrected=False))
    return DecisionContext(context, state, differences)


def field_of(form: FormDefinition, difference: Difference) -> FieldDefinition:
    section_id = difference.section_id
    if section_id == SHEET_KEY_SECTION:
        field = sheet_date_field(form)
        assert field is not None
        return field
    section = service.section_of(form, section_id)
    return next(f for f in section.fields if f.id == difference.field_id)


@unit_of_work
def resolve(store: Store, command: ResolveSheet, *, now: datetime | None = None) -> Resolution:
    """Apply every decision at once, or nothing (refusals say which difference and why)."""
    user, serial = command.user, command.serial
    state = verification(store, serial)
    require_stage(state, Stage.AWAITING_DECISION)
    ensure_decider(state, user)
    instance = store.form_instance(serial)
    if instance is None:
        raise UserError("verify.unknown_sheet", serial=serial)
    if instance.patient_id is not None and not store.identity_confirmed(user, serial):
        raise service.IdentityNotConfirmed()
    form = load_forms()[instance.template_id]
    first = store.entries(serial, include_corrected=False)
    second = store.second_entries(serial, include_corrected=False)
    differences = compare(form, serial, first, second)
    chosen = _chosen_values(form, differences, command)
    plan = _RowPlan(form, serial, first, second, differences, chosen)
    corrections, withdrawals = plan.rows(store, user, now)
    decisions = [_decision_row(d, command) for d in differences]
    created = store.apply_double_entry_decision(serial, user, corrections, withdrawals,
                                                decisions)
    return Resolution(serial, tuple(created), tuple(withdrawals))


def _chosen_values(form: FormDefinition, differences: list[Difference],
                   command: ResolveSheet) -> dict[str, str | None]:
    """The canonical value kept for each difference; every difference needs a decision."""
    decisions = {d.key: d for d in command.decisions}
    known = {d.key for d in differences}
    if set(decisions) - known:
        raise UserError("verify.decisions_stale")
    problems: dict[str, Msg] = {}
    warnings: dict[str, Msg] = {}
    chosen: dict[str, str | None] = {}
    for difference in differences:
        decision = decisions.get(difference.key)
        if decision is None:
            problems[difference.key] = msg("verify.decision_missing")
        elif decision.choice is Choice.FIRST:
            chosen[difference.key] = difference.first
        elif decision.choice is Choice.SECOND:
            chosen[difference.key] = difference.second
        else:
            field = field_of(form, difference)
            check = validate_value(field, decision.value, required=False)
            if not (decision.reason or "").strip():
                problems[difference.key] = msg("verify.third_reason_required")
            elif check.error is not None:
                problems[difference.key] = check.error
            elif check.warning is not None and difference.key not in command.confirmed_warnings:
                warnings[difference.key] = check.warning
            else:
                chosen[difference.key] = (None if check.value is None
                                          else canonical(check.value))
    if problems or warnings:
        raise DecisionRefused(problems, warnings)
    return chosen


def _decision_row(difference: Difference, command: ResolveSheet) -> dict[str, Any]:
    decision = next(d for d in command.decisions if d.key == difference.key)
    third = decision.choice is Choice.THIRD
    return {"section_id": difference.section_id, "row_index": difference.row_index,
            "field_id": difference.field_id, "first": difference.first,
            "second": difference.second, "choice": decision.choice.value,
            "value": (decision.value or "").strip() or None if third else None,
            "reason": (decision.reason or "").strip() or None if third else None}


class _RowPlan:
    """Turns kept values into first-entry rows: corrections, new rows, withdrawals."""

    def __init__(self, form: FormDefinition, serial: int, first: list[Entry],
                 second: list[Entry], differences: list[Difference],
                 chosen: dict[str, str | None]) -> None:
        self.form, self.serial, self.differences, self.chosen = form, serial, differences, chosen
        self.first = {f"{e.section_id}:{e.row_index}": e for e in first}
        self.second = {f"{e.section_id}:{e.row_index}": e for e in second}
        self.date_field = sheet_date_field(form)
        self.date_key = (f"{SHEET_KEY_SECTION}:0:{self.date_field.id}"
                         if self.date_field else None)
        self.first_date = sheet_date(first, self.date_field) if self.date_field else None

    def _touched(self) -> list[str]:
        rows = {d.row_key for d in self.differences if d.section_id != SHEET_KEY_SECTION}
        if self.date_key in self.chosen and self.chosen[self.date_key] != self.first_date:
            rows |= set(self.first)
        order = {section.id: position for position, section in enumerate(self.form.sections)}
        return sorted(rows, key=lambda k: (order.get(k.split(":")[0], 0), int(k.split(":")[1])))

    def rows(self, store: Store, user: User, now: datetime | None
             ) -> tuple[list[tuple[Entry, list[Item]]], list[int]]:
        corrections: list[tuple[Entry, list[Item]]] = []
        withdrawals: list[int] = []
        problems: dict[str, Msg] = {}
        warnings: dict[str, Msg] = {}
        for row_key in self._touched():
            command = self._command(row_key, user)
            if command is None:
                one = self.first.get(row_key)
                if one is not None:
                    withdrawals.append(one.id)
                continue
            try:
                corrections.append(service.checked_row(store, command, now=now))
            except service.EntryRefused as refused:
                for field_id, problem in {**refused.problems.errors,
                                          **refused.problems.warnings}.items():
                    problems[self._key_for(row_key, field_id)] = problem
        if problems or warnings:
            raise DecisionRefused(problems, warnings)
        return corrections, withdrawals

    def _key_for(self, row_key: str, field_id: str) -> str:
        """The difference a refusal belongs to: the field's own, else the row's first one."""
        candidates = [d.key for d in self.differences if d.row_key == row_key]
        exact = f"{row_key}:{field_id}"
        if exact in candidates:
            return exact
        if self.date_field is not None and field_id == self.date_field.id and self.date_key:
            return self.date_key
        return candidates[0] if candidates else exact

    def _command(self, row_key: str, user: User) -> RecordRow | None:
        """The corrected row as typed text (canonical values parse back to themselves); None
        when nothing is left in it."""
        section_id, index = row_key.split(":")
        section = service.section_of(self.form, section_id)
        one, two = self.first.get(row_key), self.second.get(row_key)
        editable = {f.id for f in section.fields if not f.readonly}
        # A row only the second typist typed has no agreeing field: every value is a difference.
        values = {k: v for k, v in (one.values if one else {}).items() if k in editable}
        for difference in self.differences:
            if difference.row_key != row_key:
                continue
            kept = self.chosen.get(difference.key)
            if kept is None:
                values.pop(difference.field_id, None)
            else:
                values[difference.field_id] = kept
        if not any(v.strip() for v in values.values()):
            return None
        source = one or two
        assert source is not None
        sheet_values = dict(source.sheet_values)
        if self.date_field is not None and self.date_key in self.chosen:
            kept_date = self.chosen[self.date_key]
            if kept_date is None:
                sheet_values.pop(self.date_field.id, None)
            else:
                sheet_values[self.date_field.id] = display.date_text(
                    date.fromisoformat(kept_date))
        return RecordRow(
            serial=self.serial, page=source.page, section_id=section_id,
            row_index=int(index), values=values, sheet_values=sheet_values, user=user,
            confirmed_warnings=frozenset(values),
            corrects=one.id if one else None,
            reason=tr("verify.correction_reason", user=user.username) if one else None)
