"""Both sides of the item reconciliation as files, and the verdicts as a CSV.

The SIH side (and the paper side, when it comes as a file) is the documented item CSV
(``record_id, ipp, nda, kind, code, value, unit, route, effective_time, author, text``), read
with the checks of ``reentry import`` so that a bad file is refused with its line and column
(``items_table.read_item_table``: straight into columns, the author kept for every kind).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from reentry.domain.entry import Item
from reentry.domain.items import PaperItem, Reconciliation, SihItem, VerdictLine
from reentry.files import open_private, written_whole
from reentry.reconcile.csv_columns import bulk_allocation
from reentry.reconcile.items_table import read_item_table

VERDICT_COLUMNS = ("item_id", "verdict", "ipp", "kind", "sih_ids", "score", "reason")
def read_item_csv(path: str | Path) -> list[SihItem]:
    """The items of an item CSV, in file order (``FileRejected`` names the bad line)."""
    return read_item_table(path).items()


def paper_from_sih_rows(items: Sequence[SihItem]) -> list[PaperItem]:
    """An item CSV read as the paper side (administrations in it were given: no status)."""
    return [PaperItem(i.id, i.ipp, i.kind, i.code, i.effective_time, i.value, i.value_text,
                      i.unit, i.route, i.text, i.nda, i.author, i.status) for i in items]


def paper_from_items(items: Sequence[Item]) -> list[PaperItem]:
    """What was re-entered in Reentry, as paper items; a temporary identity stands for the IPP
    (its items find nothing in the SIH until the patient is linked to the real record)."""
    return [PaperItem(str(i.id), i.ipp or i.temporary_id or "", i.kind.value, i.code,
                      i.effective_time, i.value, i.value_text, i.unit, i.route, i.text, i.nda,
                      i.author, i.status)
            for i in items]


def write_verdicts_csv(reconciliation: Reconciliation | Sequence[VerdictLine],
                       out: str | Path) -> None:
    """One line per paper item; the reason in the current language; ``sih_ids`` joined by ``|``.
    From the reconciliation, or from its ``verdict_lines`` when a run has them already.

    Written whole or not at all (a temporary file renamed into place), like the exports.
    """
    rows = (reconciliation.verdict_rows() if isinstance(reconciliation, Reconciliation)
            else _line_rows(reconciliation))
    with written_whole(Path(out)) as partial, open_private(
            partial, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(VERDICT_COLUMNS) + "\r\n")
        with bulk_allocation():
            handle.write("".join(map(_line, rows)))


def _line_rows(lines: Sequence[VerdictLine]) -> Iterator[tuple[str, ...]]:
    """The rows ``Reconciliation.verdict_rows`` gives, from verdict lines."""
    shown: dict[float, str] = {}
    for v in lines:
        score = shown.get(v.score)
        if score is None:
            score = shown[v.score] = f"{v.score:.2f}"
        yield v.item_id, v.verdict, v.ipp, v.kind, "|".join(v.sih_ids), score, v.text


def _line(row: tuple[str, ...]) -> str:
    """One CSV line, the reason always quoted (it holds commas); the other fields as they are
    unless one of them needs quotes too (then the csv module writes the line)."""
    head = ",".join(row[:-1])
    if head.count(",") == len(row) - 2 and '"' not in head and "\n" not in head \
            and "\r" not in head:
        reason = row[-1]
        return f'{head},"{reason.replace(chr(34), chr(34) * 2)}"\r\n'
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(row)
    return buffer.getvalue()
