"""The cross-check of a sheet: each field of each scanned row, the typed value beside the reading.

Each stored page image is read once (``read_sheet``: the slow part, outside any transaction);
the comparison (``compare``) is pure and cheap, re-run whenever rows are saved and when the
sheet is finished, its outcome kept per sheet for the progress screen and the quality report.
Typed values are stored in the form's canonical text ("37.5", "14:05", "given") and readings
are brought to the same text through the same parser, so « 37,5 » read agrees with 37.5 typed.

Nothing is ever filled in by the machine: a disagreement is answered by the typist, who confirms
what is typed (``confirm_as_typed``) or types a correction (recorded when the row is saved);
finishing a sheet with a field written on paper but not typed needs a reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Protocol

from reentry.barcodes import page_code
from reentry.domain.entry import Entry, User
from reentry.domain.permissions import Permission, require
from reentry.domain.second_read import (
    DISAGREEMENTS,
    Acknowledgement,
    AckOutcome,
    FieldCheck,
    FieldKey,
    FieldReading,
    Ink,
    PageReading,
    ReadOutcome,
    SheetCheck,
    Verdict,
)
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_values import parse_date
from reentry.store.areas import EntryStore, RegistryStore, ScanStore, SecondReadStore, Store
from reentry.store.areas.work import unit_of_work

log = logging.getLogger(__name__)


class SheetCheckStore(EntryStore, RegistryStore, ScanStore, SecondReadStore, Protocol):
    """What the comparison reads and writes: the sheet, its typed rows, its scanned pages and
    their readings."""


class WrittenNotTyped(UserError):
    """A sheet finished while the paper holds fields nobody typed: a reason is needed."""

    message_id = "second_read.finish_written_not_typed"


# -- reading -----------------------------------------------------------------------------------


def read_sheet(store: Store, serial: int) -> list[PageReading]:
    """The reading of every scanned page of the sheet (the latest image of each page), each
    image read the first time it is asked for and kept."""
    from reentry.layout.sheet import NoLayout, page_layout
    from reentry.second_read.page import read_stored_page

    instance = store.form_instance(serial)
    form = load_forms().get(instance.template_id) if instance is not None else None
    readings = []
    for scan in (p for p in store.scan_pages(serial) if p.current):
        reading = store.page_reading(scan.id)
        if reading is None:
            image = store.queued_page_image(scan.id)
            try:
                layout = page_layout(store, page_code(serial, scan.page)).layout
            except NoLayout:
                layout = None
            if layout is None or form is None:
                reading = PageReading(scan.id, serial, scan.page, ReadOutcome.NO_LAYOUT)
            else:
                reading = read_stored_page(image, scan.dpi, layout, form, scan.id, serial,
                                           scan.page)
            reading = store.save_page_reading(reading)
        readings.append(reading)
    return readings


def _read_beside_typing(store: Store, serial: int) -> None:
    """``read_sheet`` where typing must go on whatever happens to the reader: a row is saved
    already, a sheet must be finishable. A reader that fails is a bug: logged with its
    traceback (the sheet's serial, no patient data); the pages stay unread, and are read again
    next time."""
    try:
        read_sheet(store, serial)
    except UserError as error:  # the database busy or gone: the next step will say so
        log.warning("second reading of sheet %d not done: %s", serial, type(error).__name__)
    except Exception:
        log.exception("second reading of sheet %d failed; its pages stay unread", serial)


def stored_readings(store: SheetCheckStore, serial: int) -> list[PageReading]:
    """The readings already made of the sheet's current page images (none is read here)."""
    found = (store.page_reading(p.id) for p in store.scan_pages(serial) if p.current)
    return [r for r in found if r is not None]


# -- comparing ---------------------------------------------------------------------------------


def verdict(reading: FieldReading, typed: str | None) -> Verdict:
    if reading.ink is Ink.UNSURE:
        return Verdict.UNSURE
    if reading.ink is Ink.BLANK:
        return Verdict.AGREES if typed is None else Verdict.TYPED_NOT_WRITTEN
    if typed is None:
        return Verdict.WRITTEN_NOT_TYPED
    if not reading.readable:
        return Verdict.AGREES  # initials, a note: written and typed is all that can be told
    if reading.value is None:
        return Verdict.DIFFERS if _contradicted(reading, typed) else Verdict.UNSURE
    return Verdict.AGREES if reading.value == typed else Verdict.DIFFERS


_GROUPS = re.compile(r"[.,:/]")


def _contradicted(reading: FieldReading, typed: str) -> bool:
    """Whether a comb read in part (« 8? »: one digit not confident) already contradicts the
    typed value (83): a digit read with confidence differs from the typed digit in the same
    box, or the typed digit is one that its box surely does not hold (``ruled_out``: a 7 typed
    where a 1 is written, though the reader would not vouch for the 1).

    Each typed digit needs its box. When the boxes written are ``counted`` (every box's ink
    told for sure), a number is laid in them as on paper: its whole part to the right of the
    separator, its decimals to the left, zeros that change nothing (« 08 » for 8, « 37,0 » for
    37) allowed either side, so more digits typed than written contradicts the paper; 100 typed
    10 reads « ?00 » against « 010 ». Otherwise only a typed value with exactly as many digits
    in each group as boxes written is compared, and nothing else can be told."""
    if reading.kind != "comb_digit" or not reading.text:
        return False
    read, wanted = _GROUPS.split(reading.text), _GROUPS.split(typed)
    date = parse_date(typed) if "-" in typed else None  # a date's canonical text is ISO
    if date:  # « jj/mm/aaaa » on paper (the year's last two digits, if so)
        year = str(date.year)
        wanted = [f"{date.day:02d}", f"{date.month:02d}",
                  year[-2:] if len(read) == 3 and len(read[2]) == 2 else year]
    if not all(w.isdigit() for w in wanted if w):
        return False
    unsure = iter(reading.ruled_out)
    ruled = [[next(unsure, "") if r == "?" else "" for r in group] for group in read]
    if reading.counted:
        return _contradicted_counted(read, wanted, ruled,
                                     decimal=":" not in typed and date is None)
    if len(wanted) == len(read) + 1 and not wanted[-1].strip("0"):
        wanted = wanted[:-1]  # 37.0 typed, « 37 » written
    if len(read) != len(wanted) or any(len(r) != len(w) or not w.isdigit()
                                       for r, w in zip(read, wanted, strict=True)):
        return False
    return any(_box_contradicts(*box) for group in zip(read, wanted, ruled, strict=True)
               for box in zip(*group, strict=True))


def _contradicted_counted(read: list[str], wanted: list[str], ruled: list[list[str]],
                          decimal: bool) -> bool:
    groups = max(len(read), len(wanted))
    read = read + [""] * (groups - len(read))
    wanted = wanted + [""] * (groups - len(wanted))
    ruled = ruled + [[]] * (groups - len(ruled))
    for index, (r, w, out) in enumerate(zip(read, wanted, ruled, strict=True)):
        # decimals are laid from the separator, trailing zeros free; a whole part, hours,
        # minutes, a day from the right, leading zeros free
        decimals = decimal and index > 0
        digits = w.rstrip("0") if decimals else w.lstrip("0")
        if len(digits) > len(r):
            return True
        laid = digits.ljust(len(r), "0") if decimals else digits.rjust(len(r), "0")
        if any(_box_contradicts(*box) for box in zip(r, laid, out, strict=True)):
            return True
    return False


def _box_contradicts(read: str, typed: str, ruled_out: str) -> bool:
    """One box: a digit read with confidence, or « ? » with the digits it rules out."""
    return typed in ruled_out if read == "?" else read != typed


def typed_values(entries: Sequence[Entry]) -> dict[FieldKey, str]:
    """The active typed value of every field, in its canonical text: rows by (section, row),
    the sheet's own values (its date, kept as typed: « 23/11/2026 ») from its latest row."""
    typed: dict[FieldKey, str] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        for field_id, value in entry.sheet_values.items():  # the sheet's date, as typed
            day = parse_date(value)
            typed[FieldKey("", None, field_id)] = day.isoformat() if day else value
        for field_id, value in entry.values.items():
            typed[FieldKey(entry.section_id, entry.row_index, field_id)] = value
    return typed


def _typed(typed: dict[FieldKey, str], key: FieldKey) -> str | None:
    if key.row_index is None:
        return typed.get(FieldKey("", None, key.field_id))
    return typed.get(key)


def compare(serial: int, readings: Sequence[PageReading], entries: Sequence[Entry],
            acknowledgements: Sequence[Acknowledgement]) -> SheetCheck:
    """Every field of every readable page, typed beside read; a disagreement answered by a
    typist for the same typed and read values stays answered."""
    typed = typed_values([e for e in entries if e.status == "active"])
    answered = {(a.key, a.typed_value, a.read_value): a for a in acknowledgements}
    checks = []
    for page in sorted(readings, key=lambda r: r.page):
        for reading in page.fields:
            value = _typed(typed, reading.key)
            found = verdict(reading, value)
            ack = answered.get((reading.key, value, reading.value))
            checks.append(FieldCheck(page.page, reading, value, found,
                                     ack if found in DISAGREEMENTS else None))
    return SheetCheck(serial, tuple(checks),
                      tuple(r.page for r in readings if r.outcome is ReadOutcome.MARKS_NOT_FOUND),
                      tuple(sorted(r.page for r in readings)))


def cross_check(store: SheetCheckStore, serial: int) -> SheetCheck:
    """The sheet's cross-check from the readings already made (see ``read_sheet``)."""
    return compare(serial, stored_readings(store, serial),
                   store.entries(serial, include_corrected=False),
                   store.acknowledgements(serial))


def _keep(store: SheetCheckStore, check: SheetCheck) -> None:
    """The outcome the progress screen and the quality report count."""
    if not check.scanned_pages:
        return
    counts: dict[str, object] = {**check.counts(), "open": [
        {"section": f.key.section_id, "row": f.key.row_index, "field": f.key.field_id,
         "typed": f.typed} for f in check.open]}
    store.save_sheet_cross_check(check.serial, len(check.open),
                                 len(check.open_written_not_typed), counts)


def check_sheet(store: Store, serial: int) -> SheetCheck:
    """Read what has not been read yet, compare, keep the outcome."""
    read_sheet(store, serial)
    return _checked(store, serial)


@unit_of_work
def _checked(store: SheetCheckStore, serial: int) -> SheetCheck:
    check = cross_check(store, serial)
    _keep(store, check)
    return check


def check_after_save(store: Store, entry: Entry, user: User) -> SheetCheck | None:
    """The cross-check again once a row is saved (nothing to do for a sheet never scanned).
    When the row corrects an earlier one, a disagreement of that row that was open and whose
    typed value changed is recorded as corrected by typing, with who and when."""
    if not store.scan_pages(entry.serial):
        return None
    _read_beside_typing(store, entry.serial)
    return _after_save(store, entry, user)


@unit_of_work
def _after_save(store: SheetCheckStore, entry: Entry, user: User) -> SheetCheck:
    before = store.sheet_cross_check(entry.serial)
    was_open = {(o["section"], o["row"], o["field"]): o["typed"]
                for o in (before["counts"].get("open", []) if before else [])}
    check = cross_check(store, entry.serial)
    corrected = False
    if entry.corrects is None:  # a row typed for the first time answers nothing yet
        was_open = {}
    for field in check.fields:
        key = field.key
        if key.section_id != entry.section_id or key.row_index != entry.row_index:
            continue
        previous = was_open.get((key.section_id, key.row_index, key.field_id), "\0")
        if previous != "\0" and previous != field.typed and field.acknowledgement is None:
            store.save_acknowledgement(entry.serial, key, field.verdict, field.typed,
                                       field.reading.value, AckOutcome.CORRECTED, user)
            corrected = True
    if corrected:
        check = cross_check(store, entry.serial)
    _keep(store, check)
    return check


# -- answering ---------------------------------------------------------------------------------


@unit_of_work
def confirm_as_typed(store: SheetCheckStore, user: User, serial: int, key: FieldKey
                     ) -> SheetCheck:
    """The typist checked the paper and keeps what is typed (or keeps a field untyped)."""
    require(user, Permission.ENTER)
    check = cross_check(store, serial)
    field = next((f for f in check.fields if f.key == key), None)
    if field is None or not field.open:
        raise UserError("second_read.nothing_to_confirm")
    store.save_acknowledgement(serial, key, field.verdict, field.typed, field.reading.value,
                               AckOutcome.CONFIRMED, user)
    check = cross_check(store, serial)
    _keep(store, check)
    return check


def finish_sheet(store: Store, user: User, serial: int, reason: str | None = None
                 ) -> SheetCheck:
    """The sheet is finished: refused while a field written on paper is neither typed nor
    answered, unless ``reason`` says why (kept, audited)."""
    require(user, Permission.ENTER)
    if store.scan_pages(serial):
        _read_beside_typing(store, serial)
    return _finish(store, user, serial, (reason or "").strip())


@unit_of_work
def _finish(store: SheetCheckStore, user: User, serial: int, reason: str) -> SheetCheck:
    check = cross_check(store, serial)
    missing = check.open_written_not_typed
    if missing and not reason:
        from reentry.second_read.words import fields_in_words

        named = fields_in_words(store, serial, missing, check.fields)
        raise WrittenNotTyped(count=len(missing), fields=named)
    if missing:
        store.record_finish_reason(serial, reason, [
            {"section": f.key.section_id, "row": f.key.row_index, "field": f.key.field_id,
             "page": f.page} for f in missing], user)
    store.mark_entered(serial, user)
    _keep(store, check)
    return check
