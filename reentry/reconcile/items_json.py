"""The SIH side of a run as the store keeps it, made column by column from the table read.

A run stores every SIH item it matched (with its verdict) and every one it left unmatched, each
as JSON (``ItemJson``): a hundred thousand and more. Made from the columns, a value repeated
over the file (a code, a unit, an author, an instant) is encoded once, and no ``SihItem`` is
built on the way; the text is the one ``ItemJson`` writes for ``table.item(row)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from json.encoder import encode_basestring as _string
from typing import Any

import numpy as np

from reentry import clock
from reentry.domain.review_run import ItemJson, json_value
from reentry.reconcile.csv_columns import Categorical
from reentry.reconcile.items_table import _FREE_TEXT, KIND_CODES, NOTE, ItemTable

# ``ItemJson``'s members, in its order.
_TEMPLATE = ('{"id": %s, "ipp": %s, "kind": %s, "code": %s, "effective_time": %s, "value": %s,'
             ' "value_text": %s, "unit": %s, "route": %s, "text": %s, "nda": %s,'
             ' "author": %s, "status": %s}')


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


class StoredItems:
    """Every row of a table: its id, and the item as JSON."""

    def __init__(self, table: ItemTable) -> None:
        self.table = table
        if table.source is not None:  # built from items (FHIR, HL7): they are there already
            items = table.source
            item_json = ItemJson()
            self.ids = [i.id for i in items]
            self.json = [item_json(i) for i in items]
            return
        note = (table.kind == KIND_CODES[NOTE]).tolist()
        free_text = np.isin(table.kind, _FREE_TEXT).tolist()
        self.ids = list(table.ids)
        code = [("" if n else c) for c, n in zip(_plain(table.code), note, strict=True)]
        instants, at = np.unique(table.time, return_inverse=True)
        encoded_times = [_string(clock.to_storage(datetime.fromtimestamp(t, UTC)))
                         for t in instants.tolist()]
        finite = math.isfinite
        self.json = list(map(_TEMPLATE.__mod__, zip(
            map(_string, self.ids), _encoded(table.ipp, _string), _encoded(table.kinds, _string),
            map(_string, code), [encoded_times[i] for i in at.tolist()],
            [repr(v) if finite(v) else "null" if v != v else json_value(v)  # NaN: no number
             for v in table.value.tolist()],
            _encoded(table.value_text, lambda v: _text(v or None)),
            _encoded(table.unit, lambda v: _text(v or None)),
            _encoded(table.route, lambda v: _text(v or None)),
            [_string(t) if f and t else "null"
             for t, f in zip(table.text, free_text, strict=True)],
            _encoded(table.nda, lambda v: _text(v or None)),
            _encoded(table.author, lambda v: _text(v or None)),
            _encoded(table.status, lambda v: _string(v or "completed")), strict=True)))

    def by_id(self) -> dict[str, str]:
        """Item id → its JSON (the last row of an id, as a dict of the items would keep)."""
        return dict(zip(self.ids, self.json, strict=True))

    def unmatched(self, rows: Sequence[int]) -> list[str]:
        """The JSON of these rows, in their order."""
        json = self.json
        return [json[r] for r in rows]


def _plain(column: Sequence[Any]) -> list[Any]:
    if isinstance(column, Categorical):
        return [column.values[c] for c in column.codes.tolist()]
    return list(column)


def _encoded(column: Sequence[Any], encode: Callable[[Any], str]) -> list[str]:
    """``encode`` of each value, once per distinct value of a ``Categorical``."""
    if isinstance(column, Categorical):
        values = [encode(v) for v in column.values]
        return [values[c] for c in column.codes.tolist()]
    return [encode(v) for v in column]
