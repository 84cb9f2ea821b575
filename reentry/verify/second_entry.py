"""The blind second entry: another person types the sheet again, without seeing the first entry.

Used by the entry screen in place of ``reentry.entry.service`` (same names: ``record_row``,
``sheet_history``, ``mark_sheet_entered``), so the second typist gets the very same screen,
checks and keys, on an empty sheet. What that screen receives never holds a first-entry value:
its rows, history and draft are the second typist's own; only what the print station printed
(patient, planned doses) is filled in, as it is on the paper. Second rows are stored apart and
create no item; finishing compares both entries and either verifies the sheet or leaves the
differences to a third person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from reentry.domain.entry import Entry, RecordRow, SheetContext, User
from reentry.domain.verification import Difference, Stage
from reentry.entry import service
from reentry.store.areas import Store
from reentry.store.areas.work import unit_of_work
from reentry.verify.compare import sheet_differences
from reentry.verify.stage import ensure_second_typist, require_stage, verification


def open_second_entry(store: Store, context: SheetContext, user: User) -> SheetContext:
    """``context`` (a scanned sheet) as the second typist may see it: no first-entry row."""
    state = verification(store, context.instance.serial)
    require_stage(state, Stage.AWAITING_SECOND)
    ensure_second_typist(state, user)
    return replace(context, entries=store.second_entries(context.instance.serial,
                                                         include_corrected=False))


@unit_of_work
def record_row(store: Store, command: RecordRow, *, now: datetime | None = None) -> Entry:
    """Check one row exactly as a first entry is checked, and keep it as a second-entry row."""
    state = verification(store, command.serial)
    require_stage(state, Stage.AWAITING_SECOND)
    ensure_second_typist(state, command.user)
    entry, _items = service.checked_row(store, command, now=now)
    return store.save_second_entry(entry, command.user)


def sheet_history(store: Store, serial: int) -> list[Entry]:
    """The second typist's own rows, corrected ones included (never the first entry's)."""
    return store.second_entries(serial, include_corrected=True)


@unit_of_work
def mark_sheet_entered(store: Store, user: User, serial: int) -> list[Difference]:
    """The second entry is finished: compare; no difference verifies the sheet at once."""
    state = verification(store, serial)
    require_stage(state, Stage.AWAITING_SECOND)
    ensure_second_typist(state, user)
    differences = sheet_differences(store, serial)
    store.finish_second_entry(serial, user, len(differences))
    return differences
