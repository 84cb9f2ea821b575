"""A sheet's date corrected once rows are saved with it: every active row re-dated at once.

The date typed at the top of a sheet is the day of every row saved with it (their event times);
once a row is saved it no longer changes in its cell. When the paper says another day (the
second reader marks the date), the nurse corrects it as a row is corrected (F4, with a reason):
each active row of the sheet is corrected the normal way (a new entry that ``corrects`` the old
one, same values, the new date, the reason), checked as ``record_row`` checks it, all in one
unit of work: every row moves to the new day, or none does. History, audit and the double
entry's rule (a correction made after the sheet was verified is not verified) stay those of a
row correction. A disagreement of the date with the paper that was open is recorded as
corrected by typing, as after a row correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reentry import display
from reentry.domain.entry import Entry, RecordRow, RowProblems, User
from reentry.domain.permissions import Permission, require
from reentry.domain.second_read import AckOutcome, FieldKey
from reentry.entry.service import (
    EntryRefused,
    checked_row,
    enterable_sheet,
    section_of,
)
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import ExportRole, FieldDefinition, FormDefinition
from reentry.formdefs_values import parse_date, validate_value
from reentry.i18n import Msg, msg
from reentry.second_read.crosscheck import check_after_save, cross_check
from reentry.store.areas import Store
from reentry.store.areas.work import unit_of_work


@dataclass(frozen=True)
class RedateSheet:
    """Command: the sheet's date, as typed anew, for every row already saved with it."""

    serial: int
    date: str  # as typed: « 23/11/2026 »
    reason: str | None  # required, as for any correction
    user: User
    confirmed_warnings: frozenset[str] = frozenset()  # the date's field id, once confirmed


def sheet_date_field(form: FormDefinition) -> FieldDefinition | None:
    """The sheet's own date (typed once at its top), if the form has one."""
    for section in form.sections:
        if not section.repeated:
            for field in section.fields:
                if field.export == ExportRole.EVENT_DATE:
                    return field
    return None


def redate_sheet(store: Store, command: RedateSheet, *, now: datetime | None = None
                 ) -> list[Entry]:
    """Re-date every active row of the sheet (one unit of work), then the scanned page's
    cross-check again, as after a row saved. Returns the new active entries, in sheet order.

    Refused (nothing written) for a person who may not enter sheets, an identity not confirmed,
    no reason, a date refused as the typed date is (``EntryRefused`` on the date's field id,
    its warnings to confirm), a sheet with no saved row or already on that date, or a row that
    the new date would refuse (a time in the future)."""
    require(command.user, Permission.ENTER)
    saved = _redate(store, command, now)
    check_after_save(store, saved[-1], command.user)  # reads the page if needed, keeps it
    return saved


@unit_of_work
def _redate(store: Store, command: RedateSheet, now: datetime | None) -> list[Entry]:
    instance = enterable_sheet(store, command.serial, command.user)
    reason = (command.reason or "").strip()
    if not reason:
        raise UserError("entry.reason_required")
    form = load_forms()[instance.template_id]
    field = sheet_date_field(form)
    entries = store.entries(command.serial, include_corrected=False)
    if field is None or not entries:
        raise UserError("entry.redate_nothing")
    new_day = _checked_date(field, command)
    if all(parse_date(e.sheet_values.get(field.id, "")) == new_day for e in entries):
        raise UserError("entry.redate_same", date=display.date_text(new_day))
    before = {f.key: f.typed for f in cross_check(store, command.serial).open
              if f.key.row_index is None and f.key.field_id == field.id}
    checked = []
    errors: dict[str, Msg] = {}
    warnings: dict[str, Msg] = {}
    for entry in entries:
        try:
            checked.append(checked_row(store, _row_command(form, entry, field, command),
                                       now=now))
        except EntryRefused as refused:
            _on_the_date(field, entry, refused.problems, errors, warnings)
    if errors or warnings:
        raise EntryRefused(RowProblems(errors, warnings))
    saved = [store.save_entry(entry, items, command.user) for entry, items in checked]
    if before:
        _corrected_on_paper(store, command, before)
    return saved


def _checked_date(field: FieldDefinition, command: RedateSheet) -> date:
    """The new date, checked as the typed date is: refused, or a warning to confirm."""
    check = validate_value(field, command.date, required=True)
    if check.error is not None:
        raise EntryRefused(RowProblems({field.id: check.error}))
    if check.warning is not None and field.id not in command.confirmed_warnings:
        raise EntryRefused(RowProblems(warnings={field.id: check.warning}))
    assert isinstance(check.value, date)
    return check.value


def _row_command(form: FormDefinition, entry: Entry, field: FieldDefinition,
                 command: RedateSheet) -> RecordRow:
    """The row as saved (canonical values read back as themselves; the print station's cells
    come back from the sheet's plan), the new date, the reason; its confirmed warnings stay."""
    section = section_of(form, entry.section_id)
    editable = {f.id for f in section.fields if not f.readonly}
    confirmed = frozenset(entry.warnings_confirmed) | command.confirmed_warnings
    if field.id in command.confirmed_warnings:  # what the date made doubtful, confirmed on it
        confirmed |= {f.id for f in section.fields}
    return RecordRow(
        serial=entry.serial, page=entry.page, section_id=entry.section_id,
        row_index=entry.row_index,
        values={k: v for k, v in entry.values.items() if k in editable},
        sheet_values={**entry.sheet_values, field.id: command.date.strip()},
        user=command.user,
        confirmed_warnings=confirmed,
        corrects=entry.id, reason=command.reason)


def _on_the_date(field: FieldDefinition, entry: Entry, problems: RowProblems,
                 errors: dict[str, Msg], warnings: dict[str, Msg]) -> None:
    """A row the new date refuses (a time in the future): said on the date, with its line; a
    warning is confirmed as the date's (Enter on the date)."""
    for found, into in ((problems.errors, errors), (problems.warnings, warnings)):
        for problem in found.values():
            into.setdefault(field.id, msg("entry.redate_row_refused", row=entry.row_index + 1,
                                          problem=problem))


def _corrected_on_paper(store: Store, command: RedateSheet, before: dict[FieldKey, str | None]
                        ) -> None:
    """The date's disagreement that was open, now typed otherwise: answered by typing."""
    for found in cross_check(store, command.serial).fields:
        if found.key in before and before[found.key] != found.typed \
                and found.acknowledgement is None:
            store.save_acknowledgement(command.serial, found.key, found.verdict, found.typed,
                                       found.reading.value, AckOutcome.CORRECTED, command.user)

