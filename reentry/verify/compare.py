"""The differences between a first and a blind second entry, field by field and row by row.

Both entries went through the same checks and parsing (``service.checked_row``), so their values
are already canonical: « 37,5 » and « 37.5 » are the same temperature, « 23h15 » and « 2315 » the
same time, « administré » and « given » the same status. What is left is what the two typists
read differently on paper; runs of spaces in free text are not a difference.
"""

from __future__ import annotations

from reentry.domain.entry import Entry
from reentry.domain.verification import SHEET_KEY_SECTION, Difference
from reentry.entry.redate import sheet_date_field
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import FieldDefinition, FormDefinition
from reentry.formdefs_values import validate_value
from reentry.store.areas import Store


def sheet_date(entries: list[Entry], field: FieldDefinition) -> str | None:
    """The date the typist gave the sheet (with the latest row saved), as an ISO date."""
    for entry in sorted(entries, key=lambda e: (e.entered_at, e.id), reverse=True):
        check = validate_value(field, entry.sheet_values.get(field.id), required=False)
        if check.value is not None:
            return str(check.value.isoformat())  # type: ignore[union-attr]
    return None


def compare(form: FormDefinition, serial: int, first: list[Entry], second: list[Entry]
            ) -> list[Difference]:
    """Every field on which the active rows of the two entries disagree, in paper order."""
    differences: list[Difference] = []
    date_field = sheet_date_field(form)
    if date_field is not None and first and second:
        first_date, second_date = sheet_date(first, date_field), sheet_date(second, date_field)
        if first_date != second_date:
            differences.append(Difference(serial, 1, SHEET_KEY_SECTION, 0, date_field.id,
                                          first_date, second_date))
    first_rows = {(e.section_id, e.row_index): e for e in first}
    second_rows = {(e.section_id, e.row_index): e for e in second}
    order = {section.id: position for position, section in enumerate(form.sections)}
    for key in sorted(first_rows.keys() | second_rows.keys(),
                      key=lambda k: (order.get(k[0], len(order)), k[1])):
        one, two = first_rows.get(key), second_rows.get(key)
        section = next((s for s in form.sections if s.id == key[0]), None)
        if section is None:
            continue
        page = (one or two).page  # type: ignore[union-attr]
        for field in section.fields:
            if field.readonly:
                continue  # pre-printed from the prescription: the same on both
            a = _normal(one.values.get(field.id) if one else None)
            b = _normal(two.values.get(field.id) if two else None)
            if a != b:
                differences.append(Difference(serial, page, key[0], key[1], field.id, a, b,
                                              one.id if one else None))
    return differences


def sheet_differences(store: Store, serial: int) -> list[Difference]:
    """The differences between the active rows of both entries of ``serial``, as stored now."""
    instance = store.form_instance(serial)
    if instance is None:
        raise UserError("verify.unknown_sheet", serial=serial)
    form = load_forms()[instance.template_id]
    return compare(form, serial, store.entries(serial, include_corrected=False),
                   store.second_entries(serial, include_corrected=False))


def _normal(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None
