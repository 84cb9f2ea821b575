"""Items column by column: what the matching works on, from objects or straight from a CSV file.

A million SIH items as objects cost a second just to look at; as columns (numpy arrays for
times and values, text columns as ``Categorical``: a number per row and the distinct values)
they are sorted and compared in bulk, and a value repeated on a million rows is looked at once.

``read_item_table`` reads the documented item CSV (``record_id, ipp, nda, kind, code, value,
unit, route, effective_time, author, text``) directly into columns, with the checks and
messages of ``reentry import``: the first bad value refuses the file and names its line and
column. The author is kept for every kind, because it tells a nurse's charting from a device's
readings. An optional ``status`` column (``completed`` / ``not-done``) carries refused doses when
a file has it; ``reentry import`` ignores it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from reentry.domain.entry import ItemKind
from reentry.domain.items import PaperItem, SihItem
from reentry.i18n import msg
from reentry.importing.csv_tables import ITEM_KINDS, ITEM_REQUIRED, parse_datetime, parse_number
from reentry.importing.source import SourceFile
from reentry.reconcile.csv_columns import (
    Categorical,
    CsvColumns,
    bulk_allocation,
    read_csv_columns,
)

VITAL, MEDICATION, NOTE, MOVEMENT = (
    ItemKind.VITAL_SIGN.value, ItemKind.MEDICATION_ADMINISTRATION.value,
    ItemKind.NURSING_NOTE.value, ItemKind.MOVEMENT.value)
KIND_CODES = {VITAL: 0, MEDICATION: 1, NOTE: 2, MOVEMENT: 3}
OTHER_KIND = 4
_FREE_TEXT = (KIND_CODES[NOTE], KIND_CODES[MOVEMENT])  # kinds whose ``text`` is kept
_TEXT_VALUES = (KIND_CODES[VITAL], KIND_CODES[MOVEMENT])  # kinds whose value may be text
_ID_PREFIX = "csv:item:"
_DISTINCT = frozenset({"record_id", "text"})  # columns read as plain lists, not numbered
T = TypeVar("T")


@dataclass
class ItemTable:
    """Items as columns; ``source`` holds the objects when the table was built from objects.

    A text column is a list or a ``Categorical``; ``""`` and ``None`` both mean "not given"
    (a CSV gives ``""``).
    """

    ids: Sequence[str]
    ipp: Sequence[str]
    kinds: Sequence[str]
    kind: np.ndarray  # int8 KIND_CODES, OTHER_KIND for anything else
    code: Sequence[str]
    time: np.ndarray  # float64 seconds since the epoch
    value: np.ndarray  # float64, NaN when there is no number
    value_text: Sequence[str | None]
    unit: Sequence[str | None]
    route: Sequence[str | None]
    text: Sequence[str | None]
    nda: Sequence[str | None]
    author: Sequence[str | None]
    status: Sequence[str]
    paper: bool = False  # items() gives PaperItem rather than SihItem
    source: Sequence[SihItem] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_items(cls, items: Sequence[SihItem]) -> ItemTable:
        """Columns of a sequence of items (kept as ``source``: no object is built again)."""
        kinds = [i.kind for i in items]
        values = [i.value for i in items]
        return cls(
            ids=[i.id for i in items], ipp=[i.ipp for i in items], kinds=kinds,
            kind=_kind_codes(kinds), code=[i.code for i in items],
            time=np.fromiter((i.effective_time.timestamp() for i in items), np.float64,
                             len(items)),
            value=np.array([math.nan if v is None else v for v in values], dtype=np.float64),
            value_text=[i.value_text for i in items], unit=[i.unit for i in items],
            route=[i.route for i in items], text=[i.text for i in items],
            nda=[i.nda for i in items], author=[i.author for i in items],
            status=[i.status for i in items],
            paper=bool(items) and isinstance(items[0], PaperItem), source=items)

    def item(self, row: int) -> SihItem:
        if self.source is not None:
            return self.source[row]
        value = float(self.value[row])
        make = PaperItem if self.paper else SihItem
        note = self.kind[row] == KIND_CODES[NOTE]
        return make(self.ids[row], self.ipp[row], self.kinds[row],
                    "" if note else self.code[row], self.moment(row),
                    None if math.isnan(value) else value, self.value_text[row] or None,
                    self.unit[row] or None, self.route[row] or None,
                    (self.text[row] or None) if self.kind[row] in _FREE_TEXT else None,
                    self.nda[row] or None,
                    self.author[row] or None, self.status[row] or "completed")

    def moment(self, row: int) -> datetime:
        if self.source is not None:
            return self.source[row].effective_time
        return datetime.fromtimestamp(float(self.time[row]), UTC)

    def items(self) -> list[SihItem]:
        """Every row as ``item(row)`` gives it, made column by column: a distinct value (a
        unit, an instant, a code) is looked at once, not once per row."""
        if self.source is not None:
            return list(self.source)
        free_text = np.isin(self.kind, _FREE_TEXT).tolist()
        code = _listed(self.code, None)
        for row in np.flatnonzero(self.kind == KIND_CODES[NOTE]).tolist():
            code[row] = ""
        instants, at = np.unique(self.time, return_inverse=True)
        moments = [datetime.fromtimestamp(t, UTC) for t in instants.tolist()]
        with bulk_allocation():
            return list(map(
                PaperItem if self.paper else SihItem, self.ids, _listed(self.ipp, None),
                _listed(self.kinds, None), code, [moments[i] for i in at.tolist()],
                [None if v != v else v for v in self.value.tolist()],  # NaN: no number
                _listed(self.value_text, _or_none), _listed(self.unit, _or_none),
                _listed(self.route, _or_none),
                [t or None if f else None for t, f in zip(self.text, free_text, strict=True)],
                _listed(self.nda, _or_none), _listed(self.author, _or_none),
                _listed(self.status, _or_completed)))


def _or_none(value: str | None) -> str | None:
    return value or None


def _or_completed(value: str | None) -> str:
    return value or "completed"


def _listed(column: Sequence[T], clean: Callable[[T], Any] | None) -> list[Any]:
    """A column as a list, each value through ``clean``: once per distinct value of a
    ``Categorical``."""
    if isinstance(column, Categorical):
        values = column.values if clean is None else [clean(v) for v in column.values]
        return [values[c] for c in column.codes.tolist()]
    return list(column) if clean is None else [clean(v) for v in column]


def _kind_codes(kinds: Sequence[str]) -> np.ndarray:
    if isinstance(kinds, Categorical):
        return kinds.per_value(lambda k: KIND_CODES.get(k, OTHER_KIND), np.int8)[kinds.codes]
    return np.fromiter(map(KIND_CODES.get, kinds, repeat(OTHER_KIND)), np.int8, len(kinds))


class LazyItems(Sequence[SihItem]):
    """Some rows of a table, as items built only when read (``len`` costs nothing)."""

    def __init__(self, table: ItemTable, rows: np.ndarray) -> None:
        self._table = table
        self._rows = rows

    @property
    def table(self) -> ItemTable:
        return self._table

    @property
    def rows(self) -> list[int]:
        """The rows of the table, in order."""
        return self._rows.tolist()  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._table.item(int(r)) for r in self._rows[index]]
        return self._table.item(int(self._rows[index]))

    def __iter__(self) -> Iterator[SihItem]:
        item = self._table.item
        return (item(int(r)) for r in self._rows)


# The item CSV's columns: numbered (values repeat) or plain (mostly distinct).
_WANTED = {"record_id": False, "ipp": True, "nda": True, "kind": True, "code": True,
           "value": True, "unit": True, "route": True, "effective_time": True, "author": True,
           "text": False, "status": True}


def read_item_table(path: str | Path | SourceFile, *, paper: bool = False) -> ItemTable:
    """The items of an item CSV as columns, in file order (``FileRejected`` names the bad line).

    ``paper``: the file is the paper side (its rows become ``PaperItem``). Each column is read
    whole (``csv_columns``): a value is checked and converted once however many rows repeat it
    (times, numbers, units, codes repeat a lot), with the import's own parsers and messages.
    ``path`` may be the file read already (its bytes are not read again).
    """
    source = path if isinstance(path, SourceFile) else SourceFile.read(path)
    columns = read_csv_columns(source, _WANTED, "record_id", ITEM_REQUIRED, refuse_empty=True)
    with bulk_allocation():
        return _columns(columns, paper)


def _timestamp(value: str) -> float:
    return parse_datetime(value).timestamp()


def _number(value: str) -> float:
    """As ``reentry import`` reads a number (``parse_number``: « 4 000 », « 37,5 »)."""
    if not value:
        return math.nan
    if not value.isascii() or "," in value or " " in value:
        return parse_number(value)
    number = float(value)
    if not math.isfinite(number):  # "inf", "nan", 1e999: not a measure
        raise ValueError(value)
    return number


def _columns(columns: CsvColumns, paper: bool) -> ItemTable:
    for name in ("record_id", "ipp", "kind", "effective_time"):
        columns.require(name)
    kinds = columns.category("kind")
    for number, name in enumerate(kinds.values):
        if name not in KIND_CODES:
            row = int(np.argmax(kinds.codes == number))
            raise columns.reject(row, msg("csv.bad_kind", value=name,
                                          accepted=", ".join(ITEM_KINDS)), "kind")
    kind = _kind_codes(kinds)
    notes = kind == KIND_CODES[NOTE]
    times = columns.convert("effective_time", _timestamp, "problem.bad_datetime")
    columns.require("code", ~notes)
    columns.require("text", notes)
    value, value_text = _values(columns, kind)
    code = columns.category("code")
    if notes.any():  # a note has no code, whatever the file says
        blank = code.values.index("") if "" in code.values else len(code.values)
        if (code.codes[notes] != blank).any():
            codes = code.codes.copy()
            codes[notes] = blank
            code = Categorical(codes, code.values if blank < len(code.values)
                               else [*code.values, ""])
    ids = columns.text("record_id")
    if _ID_PREFIX in "\x00".join(ids):
        ids = list(map(str.removeprefix, ids, repeat(_ID_PREFIX)))
    status = columns.category("status")
    if "" in status.values:
        status = Categorical(status.codes, [v or "completed" for v in status.values])
    return ItemTable(
        ids=ids, ipp=columns.category("ipp"), kinds=kinds, kind=kind, code=code, time=times,
        value=value, value_text=value_text, unit=columns.category("unit"),
        route=columns.category("route"), text=columns.text("text"),
        nda=columns.category("nda"), author=columns.category("author"), status=status,
        paper=paper)


def _values(columns: CsvColumns, kind: np.ndarray) -> tuple[np.ndarray, Categorical]:
    """Vital signs: a number, or a coded answer kept as text (AVPU « A »); doses: a number;
    movements: the destination, as text."""
    raw = columns.category("value")
    read = np.full(len(raw.values), math.nan)
    texts = np.zeros(len(raw.values), dtype=bool)
    for number, text in enumerate(raw.values):
        try:
            read[number] = _number(text)
        except ValueError:
            texts[number] = True
    value = read[raw.codes]
    is_text = texts[raw.codes]
    bad = is_text & (kind == KIND_CODES[MEDICATION])
    if bad.any():
        row = int(np.argmax(bad))
        raise columns.reject(row, msg("problem.bad_number", value=raw[row]), "value")
    value_text = Categorical(np.where(is_text & np.isin(kind, _TEXT_VALUES), raw.codes, -1)
                             .astype(np.int32), raw.values)
    if (value_text.codes < 0).any():
        value_text.values = [*raw.values, None]  # -1: the last value, None (no text)
    value[kind == KIND_CODES[NOTE]] = math.nan
    return value, value_text
