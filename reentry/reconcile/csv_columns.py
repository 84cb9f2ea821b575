"""A CSV file read whole into columns: the reconciliation's large inputs, fast.

The item CSV of an SIH export and the identity files hold up to millions of rows. Read row by
row, each cell becomes a Python string looked at several times; read as columns, a text column
is a ``Categorical`` (a number per row and the distinct values) and each distinct value is
stripped, checked and converted once. With ``pyarrow`` installed its C++ reader splits the file
(several times faster); without it, or for any file it finds odd (uneven rows, an empty key
cell, a blank line of separators), Python's ``csv`` module reads it, and only that path names a
bad line: the checks and messages stay those of ``reentry import``.

Separator ``,`` or ``;`` (whichever the header uses more), UTF-8 with or without BOM, or
Windows-1252 (``SourceFile.text``). Values are stripped; blank lines and rows of empty cells
are skipped.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, overload

import numpy as np

from reentry.i18n import Msg, msg
from reentry.importing.csv_tables import csv_problem
from reentry.importing.source import SourceFile

try:  # optional: several times faster on large files
    import pyarrow as pa
    import pyarrow.csv as pa_csv
except ImportError:  # pragma: no cover - the csv module reads the same files
    pa = None
    pa_csv = None


class _Numbering(dict):
    """Value → number, numbering a value (cleaned first) when first looked up: ``map`` over a
    column looks every row up in C and calls back into Python once per distinct value."""

    def __init__(self, clean: Callable[[Any], Any] | None) -> None:
        super().__init__()
        self.clean = clean
        self.found: list[Any] = []  # the distinct values, cleaned, in their numbers' order
        self._position: dict[Any, int] = {}

    def __missing__(self, value: Any) -> int:
        cleaned = self.clean(value) if self.clean is not None else value
        number = self._position.get(cleaned)
        if number is None:
            number = self._position[cleaned] = len(self.found)
            self.found.append(cleaned)
        self[value] = number
        return number


class Categorical(Sequence[Any]):
    """A text column as a number per row (``codes``) and the distinct ``values`` they stand for.

    Reads like a list; code that works per distinct value (a unit's scale, an author's kind,
    a patient's number) does it once per value and spreads the result with ``codes``.
    """

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray, values: list[Any]) -> None:
        self.codes = codes
        self.values = values

    @classmethod
    def of(cls, column: Sequence[Any] | np.ndarray,
           clean: Callable[[Any], Any] | None = None) -> Categorical:
        """The column as a ``Categorical`` (as is when it is one), each distinct value passed
        through ``clean`` first (e.g. ``str.strip``)."""
        if isinstance(column, Categorical) and clean is None:
            return column
        numbering = _Numbering(clean)
        codes = np.fromiter(map(numbering.__getitem__, column), np.int32, len(column))
        return cls(codes, numbering.found)

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self.values[c] for c in self.codes[index].tolist()]
        return self.values[self.codes[index]]

    def __iter__(self) -> Iterator[Any]:
        return map(self.values.__getitem__, self.codes.tolist())

    def per_value(self, function: Callable[[Any], Any], dtype: Any) -> np.ndarray:
        """``function`` of each distinct value, as an array indexed by ``codes``."""
        return np.array([function(v) for v in self.values], dtype=dtype)

    def cleaned(self, clean: Callable[[Any], Any]) -> Categorical:
        """The same column with each distinct value passed through ``clean`` (values that
        become equal are merged)."""
        values = list(map(clean, self.values))
        if len(set(values)) == len(values):  # none merged (the usual case): same codes
            return Categorical(self.codes.copy(), values)
        numbering = _Numbering(clean)
        remap = np.fromiter(map(numbering.__getitem__, self.values), np.int32,
                            len(self.values))
        return Categorical(remap[self.codes] if len(remap) else self.codes, numbering.found)

    def where(self, value: Any) -> np.ndarray:
        """Which rows hold ``value``."""
        try:
            return self.codes == self.values.index(value)
        except ValueError:
            return np.zeros(len(self.codes), dtype=bool)



Column = Categorical | list[str]


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """The cycle collector paused while millions of objects that hold no cycle are made.

    Every list of a million rows would otherwise trigger full collections that walk all the
    objects made so far, several times over; nothing made here can form a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CsvColumns:
    """The wanted columns of one CSV file, stripped; rejects a value naming its line."""

    def __init__(self, source: SourceFile, text: str, delimiter: str, header: list[str],
                 columns: dict[str, Column], count: int, kept: list[int] | None) -> None:
        self.source = source
        self.header = header
        self.count = count
        self._columns = columns
        self._text, self._delimiter = text, delimiter
        self._kept = kept  # row -> position among the file's non-empty lines, when rows went

    def __contains__(self, name: str) -> bool:
        return name in self.header

    def category(self, name: str) -> Categorical:
        column = self._columns.get(name)
        if column is None:
            return Categorical(np.zeros(self.count, np.int32), [""])
        return column if isinstance(column, Categorical) else Categorical.of(column)

    def text(self, name: str) -> list[str]:
        column = self._columns.get(name)
        if column is None:
            return [""] * self.count
        return column if isinstance(column, list) else list(column)

    def line(self, row: int) -> int:
        """The line number of a row (the file read again: only needed to name a bad one)."""
        wanted = self._kept[row] if self._kept is not None else row
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._delimiter)
        index = -1
        try:
            next(reader, None)
            for values in reader:
                if values:
                    index += 1
                    if index == wanted:
                        return reader.line_num
        except csv.Error:  # a line the fast reader took and csv does not (a huge value)
            pass
        return reader.line_num

    def reject(self, row: int, problem: Msg, column: str | None = None) -> Exception:
        line = self.line(row)
        where = (msg("where.line_column", line=line, column=column) if column
                 else msg("where.line", line=line))
        return self.source.reject(where, problem)

    def convert(self, name: str, convert: Callable[[str], float], problem: str
                ) -> np.ndarray:
        """``convert`` of each distinct value once, spread over the rows; the first row holding
        a value that fails is refused with ``problem``."""
        column = self.category(name)
        converted = np.empty(len(column.values), dtype=np.float64)
        for number, value in enumerate(column.values):
            try:
                converted[number] = convert(value)
            except ValueError:
                row = int(np.argmax(column.codes == number))
                raise self.reject(row, msg(problem, value=value), name) from None
        return converted[column.codes]

    def require(self, name: str, where: np.ndarray | None = None) -> None:
        """Every value of the column (or of the rows where ``where`` holds) is given."""
        column = self._columns.get(name)
        if isinstance(column, list):
            if "" not in column:
                return
            empty = np.fromiter((not v for v in column), bool, len(column))
        else:
            empty = self.category(name).where("")
        if where is not None:
            empty &= where
        if empty.any():
            raise self.reject(int(np.argmax(empty)), msg("problem.missing_value", name=name),
                              name)


def read_csv_columns(source: SourceFile, wanted: Mapping[str, bool], key: str,
                     required: Sequence[str] = (), refuse_empty: bool = False) -> CsvColumns:
    """The ``wanted`` columns (name → numbered as a ``Categorical``, or a plain list for
    columns of distinct values) of a CSV file. ``key``: the column every row must fill (a row
    without it is either blank, and skipped, or refused by the caller); ``required``: columns
    the header must have; ``refuse_empty``: a file without any row is refused first, as
    ``reentry import`` does."""
    text = source.text()
    first_line, _, rest = text.partition("\n")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if refuse_empty and not rest.strip(f" \t\r\n\"{delimiter}"):
        raise source.reject(msg("where.file"), msg("problem.empty_file"))
    try:
        header = [c.strip().lower()
                  for c in next(csv.reader([first_line], delimiter=delimiter), [])]
    except csv.Error as error:
        raise source.reject(msg("where.line", line=1), csv_problem(error)) from None
    for name in (*required, key):
        if name not in header:
            raise source.reject(msg("where.line", line=1),
                                msg("problem.missing_column", name=name))
    with bulk_allocation():
        columns = None
        if pa_csv is not None and len(set(header)) == len(header):
            columns = _read_with_arrow(source, text, delimiter, header, wanted, key)
        if columns is None:
            columns = _read_with_csv(source, text, delimiter, header, wanted, key)
    return columns


def _read_with_arrow(source: SourceFile, text: str, delimiter: str, header: list[str],
                     wanted: Mapping[str, bool], key: str) -> CsvColumns | None:
    """The fast path; None when the file needs the careful one."""
    present = [name for name in wanted if name in header]
    types = {name: (pa.dictionary(pa.int32(), pa.string()) if wanted[name] else pa.string())
             for name in present}
    try:
        data = source.data.removeprefix(codecs.BOM_UTF8)
        buffer = data if _is_utf8(data, text) else text.encode("utf-8")
        table = pa_csv.read_csv(
            pa.py_buffer(buffer),
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(column_types=types, include_columns=present,
                                                  strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    columns: dict[str, Column] = {}
    for name in present:
        chunked = table.column(name)
        if wanted[name]:
            array = (chunked.unify_dictionaries() if chunked.num_chunks > 1 else chunked
                     ).combine_chunks()
            raw = Categorical(array.indices.to_numpy(zero_copy_only=False).astype(np.int32),
                              array.dictionary.to_pylist())
            columns[name] = raw.cleaned(str.strip)
        else:
            columns[name] = list(map(str.strip, chunked.to_pylist()))
    found = CsvColumns(source, text, delimiter, header, columns, table.num_rows, None)
    if _has_empty(found, key):
        return None  # a blank row or a missing key: the careful path skips or names it
    return found


def _is_utf8(data: bytes, text: str) -> bool:
    """Whether the file's bytes are its text in UTF-8 (else it was read as Windows-1252, one
    byte per character, and goes to the reader re-encoded)."""
    return data.isascii() or len(data) != len(text)


def _has_empty(columns: CsvColumns, key: str) -> bool:
    column = columns._columns.get(key)
    if isinstance(column, list):
        return "" in column
    return bool(column is not None and "" in column.values)


def _read_with_csv(source: SourceFile, text: str, delimiter: str, header: list[str],
                   wanted: Mapping[str, bool], key: str) -> CsvColumns:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        next(reader, None)
        rows = list(reader)
    except csv.Error as error:
        raise source.reject(msg("where.line", line=max(reader.line_num, 1)),
                            csv_problem(error)) from None
    if [] in rows:  # empty lines: not rows at all
        rows = [r for r in rows if r]
    width = len(header)
    widths = set(map(len, rows))
    if widths and max(widths) > width:
        row = next(i for i, r in enumerate(rows) if len(r) > width)
        raise CsvColumns(source, text, delimiter, header, {}, len(rows), None).reject(
            row, msg("csv.too_many_values"))
    if widths and min(widths) < width:
        rows = [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]
    transposed = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    del rows
    raw: dict[str, Sequence[str]] = dict(zip(header, transposed, strict=True))
    keys = list(map(str.strip, raw[key]))
    kept = None
    if "" in keys:  # a row without key is blank (skipped) or refused by the caller
        blank = {row for row, value in enumerate(keys) if not value
                 and not any(values[row].strip() for values in raw.values())}
        if blank:
            kept = [row for row in range(len(keys)) if row not in blank]
            raw = {name: [values[i] for i in kept] for name, values in raw.items()}
    count = len(next(iter(raw.values()))) if raw else 0
    columns: dict[str, Column] = {}
    for name, numbered in wanted.items():
        if name in raw:
            columns[name] = (Categorical.of(raw[name], str.strip) if numbered
                             else list(map(str.strip, raw[name])))
    return CsvColumns(source, text, delimiter, header, columns, count, kept)

