"""Item reconciliation: did each thing written on paper reach the SIH, once and unchanged?

Every paper item gets one verdict:

- ``in_sih``: one SIH item of the same patient, kind and code (drug: same INN key), within the
  time tolerance of the kind, equal in every compared field;
- ``differs``: matched, but a field differs; ``differs_on`` names it (``value`` of a vital sign,
  ``dose``, ``unit``, ``route``, ``status`` of an administration, ``text`` of a note);
- ``missing``: no SIH item left to match within the tolerance;
- ``duplicate``: matched, and another SIH item equal in every field is also there (rule below).

**Charted items only.** A paper item is the copy of something a person charted. SIH items that
are device readings (a monitor, a pump: told by their author, or, without author, by the regular
rhythm of a series; see ``items_devices``) are never taken for its copy, so a value missing from
the SIH is never "found" in a monitor series that happens to hold a close one. A hospital whose
nurses validate monitor readings as their charting may set ``Tolerances.device_window``: a device
reading then stands for a paper item when it holds the same value within that much of the paper
time, and the reason says it was a device reading. With nothing else in its window, a missing
item says that only device readings were there.

**One-to-one, tier by tier** (``items_match``). SIH items are grouped by (IPP, kind, code key)
and sorted by time; each paper item finds its candidates within its tolerance (vital signs
± 30 min, administrations per ISMP windows, notes ± 60 min). A copy typed from paper carries the
value, the time and the author written on it, so candidates are assigned in tiers, each
one-to-one before the next: equal at the written time (within ``exact_window``, ± 30 s: in a
busy series an item's own copy, never its neighbour's), equal and near (within
``duplicate_window``, ± 5 min), differing
and near, equal and far, differing and far; each tier first with the SIH items signed by the
paper's author (or unsigned), then with those of another author. Within a tier, as many paper
items as possible are matched, then the
total cost is the smallest: the time apart, plus one minute per point of note text unlikeness,
per percent of difference of a changed number, and for another author.

**Duplicate rule.** A paper item is a duplicate when the SIH holds it more than once: another
charted SIH item (not a device reading) that (1) is equal to it in every compared field after
unit and drug-name normalisation, (2) was not assigned to any paper item, (3) lies within the
kind's time tolerance of the paper time (times compared as instants, whatever their offset).
Near copies (within ``duplicate_window``) are claimed right after the "equal and near" tiers,
before a farther paper item could take them as a copy with a wrong time, unless an unmatched
paper item of the same code is nearer (then it is that item's changed copy); the copies still
left once every tier is assigned are claimed last. Each goes to the paper item it is nearest.
The reason names every SIH record; when the nearest copy differs and another is equal, the
verdict is still ``duplicate`` and the reason says which copy differs and how (but a dose
recorded given where the paper says refused, or the reverse, is another fact, not a mistyped
copy: an equal record left over is then the paper item's copy). Authors only
rank candidates (``authors``: ``MD``, ``IDE MD`` and ``Dupont M.`` are Marie Dupont); they
never decide a verdict.

**Refused or not-given doses** (paper status ``not-done``) are facts of the MAR that the SIH must
hold too: with an SIH ``not-done`` administration it is ``in_sih``, with a given one ``differs`` on
``status``, with nothing ``missing`` (the CSV export leaves them out, so the reconciliation shows
them as still to enter by hand).

**No patient, no match.** A paper item without IPP (nor temporary identity) matches nothing.

SIH items of the same patients within the time span of the paper (± the largest tolerance) that no
paper item claimed are listed in ``unmatched_sih``: normal SIH activity, not errors.

Both sides may be sequences of items or ``ItemTable`` columns (``read_item_table`` reads an item
CSV straight into columns, the fast way for large SIH exports).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reentry.domain.items import (
    DEFAULT,
    ItemVerdict,
    PaperItem,
    Reconciliation,
    SihItem,
    Tolerances,
    Verdict,
)
from reentry.reconcile.drugs import DrugNames, default_drug_names
from reentry.reconcile.items_assign import hungarian
from reentry.reconcile.items_csv import paper_from_items, read_item_csv, write_verdicts_csv
from reentry.reconcile.items_match import DIFFERS, DUPLICATE, IN_SIH, MISSING, Matching, match
from reentry.reconcile.items_table import ItemTable, LazyItems, read_item_table
from reentry.reconcile.items_verdicts import VerdictBuilder

__all__ = ["DEFAULT", "ItemTable", "ItemVerdict", "PaperItem", "Reconciliation", "SihItem",
           "Tolerances", "Verdict", "hungarian", "paper_from_items", "read_item_csv",
           "read_item_table", "reconcile", "write_verdicts_csv"]

_COUNT_NAMES = ((IN_SIH, ItemVerdict.IN_SIH.value), (DIFFERS, ItemVerdict.DIFFERS.value),
                (MISSING, ItemVerdict.MISSING.value), (DUPLICATE, ItemVerdict.DUPLICATE.value))


def as_table(items: Sequence[SihItem] | ItemTable) -> ItemTable:
    return items if isinstance(items, ItemTable) else ItemTable.from_items(items)


def reconcile(paper: Sequence[PaperItem] | ItemTable, sih: Sequence[SihItem] | ItemTable, *,
              tolerances: Tolerances = DEFAULT, drugs: DrugNames | None = None
              ) -> Reconciliation:
    """One verdict per paper item (in paper order) and the SIH items no paper item claimed."""
    paper_table, sih_table = as_table(paper), as_table(sih)
    matching = match(paper_table, sih_table, tolerances, drugs or default_drug_names())
    return reconciliation_of(matching, paper_table, sih_table, tolerances)


def reconciliation_of(matching: Matching, paper: ItemTable, sih: ItemTable,
                      tolerances: Tolerances) -> Reconciliation:
    """The result object; verdicts and unmatched items are built when first read."""
    tally = np.bincount(matching.verdict, minlength=4) if len(matching.verdict) else [0] * 4
    counts = {name: int(tally[code]) for code, name in _COUNT_NAMES}
    builder = VerdictBuilder(matching, paper, sih, tolerances)
    return Reconciliation(build=builder.build, rows=builder.rows, lines=builder.lines,
                          counts=counts,
                          unmatched_sih=LazyItems(sih, matching.unmatched))
