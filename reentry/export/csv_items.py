"""Re-entered items as the item CSV of docs/formats.md, the table ``reentry import`` reads back.

Exactly the documented columns, in order, UTF-8 without BOM, ``,`` separator, decimal point,
times in ISO 8601 with the hospital's offset. The table has no column for a temporary identity,
an administration status, the typist or the entry time: items that need one of the first two are
left out (``provenance.why_left_out``); the last two are carried by the FHIR and HL7 exports only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from reentry.domain.entry import Item, ItemKind
from reentry.export.settings import ExportSettings
from reentry.export.vocabulary import hospital_time, number_text, ucum_code

# The documented item columns first (what the reconciliation reads), then who typed the paper
# and when: late-entry and authorship travel with the CSV too; readers ignore extra columns.
ITEM_COLUMNS = ("record_id", "ipp", "nda", "kind", "code", "value", "unit", "route",
                "effective_time", "author", "text")
COLUMNS = (*ITEM_COLUMNS, "entered_by", "entered_at")


def render(items: Sequence[Item], settings: ExportSettings) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(item) for item in items)
    return buffer.getvalue().encode("utf-8")


def row(item: Item) -> tuple[str, ...]:
    """One item as the columns say; the unit is UCUM where Reentry knows it, else as written.
    A movement: its type as the code, the destination as the value, the comments as the text."""
    if item.value is not None:
        value = number_text(item.value)
    else:
        value = item.value_text or ""
    is_note = item.kind == ItemKind.NURSING_NOTE
    has_text = is_note or item.kind == ItemKind.MOVEMENT  # a movement's comments
    return (
        str(item.id), item.ipp or "", item.nda or "", str(item.kind),
        "" if is_note else item.code, value, ucum_code(item) or item.unit or "",
        item.route or "", hospital_time(item.effective_time).isoformat(timespec="seconds"),
        item.author.strip(), (item.text or "") if has_text else "", item.entered_by,
        hospital_time(item.entered_at).isoformat(timespec="seconds"),
    )

