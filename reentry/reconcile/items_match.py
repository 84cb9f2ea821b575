"""The matching itself, in bulk: candidates by sorted search, fields compared as arrays, tiers.

1. **Groups.** Each item gets a group number for (patient, kind, code key); SIH items of groups
   that no paper item has are set aside at once. The SIH items left are sorted by (group, time)
   and each paper item finds its window of candidates (± the tolerance of its kind) with one
   ``searchsorted`` for all paper items.
2. **Edges.** Every (paper item, candidate) pair is an edge; its fields are compared as arrays
   (values across units, status, route; note texts with rapidfuzz ``cpdist``) into a bit mask
   of differences. Device readings (``items_devices``) are no candidates, unless
   ``device_window`` lets an equal reading that close stand for the paper item.
3. **Tiers.** A copy typed from paper carries the value, the time and the author written on it,
   so edges are tried in this order, each tier assigned one-to-one before the next
   (``items_assign``): equal and exact (within ``exact_window``: the written time itself, so
   that in a busy series charted every 2 minutes an item's own copy is never taken by its
   neighbour, whoever typed it); equal and near (within ``duplicate_window``); differing at the
   exact time, then differing and near (a value typed wrong: the one at the written time is
   that item's, however near in value a neighbour's is); equal and far (a time typed wrong);
   differing and far; each tier first with the SIH items signed by the paper's author (or
   unsigned), then with the others. Time
   agreement comes before value agreement because values repeat (a heart rate of 80 is common)
   while a copy keeps its time. Within a tier the cost is the time apart, plus one minute per
   point of note text unlikeness, per percent of difference of a changed number, and for
   another author.
4. **Duplicates.** After the "equal and exact" tier, an SIH item equal to a matched paper item
   at its exact time and claimed by nobody (an interface's resend a second later) is a second
   copy of it; after each half of the "equal and near" tier, so is one within
   ``duplicate_window`` (after the first half: only one signed by the same author) — unless an
   unmatched paper item of the same code is nearer to it (in time, one minute more for another
   author): then it is that item's changed copy, found in the "differing and near" tier. It
   goes to the matched paper item it is nearest.
5. **Leftovers.** Once every tier is assigned, an SIH item still unclaimed that is equal to a
   matched paper item (after unit and drug-name normalisation), within the kind's tolerance of
   its time, and not a device reading, repeats it: typed again by another person, or sent by an
   interface with its own clock a few minutes off. It goes to the paper item it is nearest;
   the paper item is a duplicate even when its first copy differs (one of the two was mistyped).
   A dose given and a dose refused are two facts, not a copy typed wrong: when the first copy
   differs only by its status and an equal one is left, the equal one is the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import Any, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from reentry.domain.items import Tolerances
from reentry.reconcile.authors import AuthorMatch, same_author
from reentry.reconcile.csv_columns import Categorical, bulk_allocation
from reentry.reconcile.drugs import DrugName, DrugNames, normalise_text
from reentry.reconcile.items_assign import one_to_one
from reentry.reconcile.items_devices import author_class, series_members
from reentry.reconcile.items_table import (
    KIND_CODES,
    MEDICATION,
    MOVEMENT,
    NOTE,
    OTHER_KIND,
    ItemTable,
)
from reentry.reconcile.items_values import (
    answer_key,
    changed_words,
    has_choices,
    ipp_key,
    normalise_route,
    normalise_status,
    unit_scale,
)

VITAL_CODE, MEDICATION_CODE, NOTE_CODE, MOVEMENT_CODE = (
    0, KIND_CODES[MEDICATION], KIND_CODES[NOTE], KIND_CODES[MOVEMENT])
_KIND_NAMES = {number: name for name, number in KIND_CODES.items()}
# Differences, as bits of an edge's mask.
UNIT, VALUE, ROUTE, STATUS, TEXT = 1, 2, 4, 8, 16
IN_SIH, DIFFERS, MISSING, DUPLICATE = 0, 1, 2, 3
# Why a paper item is missing.
NONE, NEAREST, CLAIMED, TEXT_UNLIKE, DEVICES_ONLY = 0, 1, 2, 3, 4
VALUE_PERCENT_WEIGHT = 60.0  # seconds of cost per percent of difference of a changed number
AUTHOR_WEIGHT = 60.0  # seconds of cost when the SIH item is signed by another author


@dataclass
class Matching:
    """Everything decided, as arrays over the paper items (in paper order)."""

    verdict: np.ndarray  # int8: IN_SIH, DIFFERS, MISSING, DUPLICATE
    sih_row: np.ndarray  # int64: the SIH row matched, -1
    mask: np.ndarray  # int8: difference bits of the match
    delta: np.ndarray  # float64: SIH time - paper time of the match, seconds
    note_score: np.ndarray  # float32: text similarity of a note match (or best, if missing); NaN
    device: np.ndarray  # bool: the match is a device reading
    tolerance: np.ndarray  # float64: the time window of each paper item, seconds
    missing_reason: np.ndarray  # int8: NONE, NEAREST, CLAIMED, TEXT_UNLIKE, DEVICES_ONLY
    missing_count: np.ndarray  # int32: items in the window (claimed / devices)
    nearest: np.ndarray  # float64: seconds to the nearest charted item outside the window
    drugs: dict[int, DrugName]  # paper row -> how the paper's drug name was read
    extras: dict[int, list[int]]  # paper row -> the other SIH rows of a duplicate
    unmatched: np.ndarray  # SIH rows of the paper's patients and span that nothing claimed
    devices: int = 0  # SIH items of the paper's groups taken for device readings
    # The SIH's drug names as written -> how each was read (brand, synonym, typo...).
    sih_drugs: dict[str, DrugName] = field(default_factory=dict)
    # Per paper row: its IPP, or its match's, is written otherwise than ``ipp_key`` reads it.
    ipp_spelled: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _spelled(ipps: Categorical, keys: list[str]) -> np.ndarray:
    """Per row, whether its IPP is written otherwise than ``ipp_key`` reads it."""
    otherwise = np.fromiter((bool(v) and k != v for v, k in zip(ipps.values, keys, strict=True)),
                            bool, len(keys))
    return otherwise[ipps.codes] if len(keys) else np.zeros(len(ipps.codes), dtype=bool)


def _ids(values: Sequence[Hashable], index: dict) -> np.ndarray:
    """Each value's number in ``index`` (shared between both sides), added when new.

    The distinct values are numbered in a Python loop; the rows are looked up by ``map``, in C:
    a million rows holding a thousand distinct values cost a thousand Python steps.
    """
    for value in dict.fromkeys(values):
        if value not in index:
            index[value] = len(index)
    return np.fromiter(map(index.__getitem__, values), np.int64, len(values))


def _pick(values: Sequence[T], rows: np.ndarray) -> list[T]:
    """``values[r]`` for each of ``rows``, looked up in C."""
    return list(map(values.__getitem__, rows.tolist()))


def _tolerances_of(keys: _Keys, tolerances: Tolerances) -> np.ndarray:
    """Each paper item's time window, worked out per distinct (kind, code)."""
    per_drug = {k: w.total_seconds() for k, w in tolerances.per_drug.items()}
    windows = np.array([per_drug.get(key, tolerances.medication_administration.total_seconds())
                        if kind == MEDICATION_CODE
                        else tolerances.window(_KIND_NAMES.get(kind, NOTE)).total_seconds()
                        for kind, key in keys.paper_pairs], dtype=np.float64)
    return windows[keys.paper_pair]


def _widest(tolerances: Tolerances) -> float:
    return max(tolerances.vital_sign, tolerances.medication_administration,
               tolerances.nursing_note, tolerances.movement,
               *tolerances.per_drug.values()).total_seconds()


class _Keys:
    """Code keys (brand → INN for drugs, LOINC in capitals) of both sides, as group numbers."""

    def __init__(self, paper: ItemTable, sih: ItemTable, names: DrugNames) -> None:
        self.names = names
        # A paper item without patient (no IPP, no temporary id) gets -1: it matches nothing.
        self.patients: dict[str, int] = {}
        # IPPs compare as ``ipp_key`` spells them (« 0810007820 », « 810 007 820 »: one patient).
        # Each side's ``_spelled`` says which rows write their IPP otherwise (for the reason).
        paper_ipp = Categorical.of(paper.ipp)
        keys = list(map(ipp_key, paper_ipp.values))
        setdefault = self.patients.setdefault
        of_value = [setdefault(k, len(self.patients)) if k else -1 for k in keys]
        self.paper_patient = np.array(of_value, dtype=np.int64)[paper_ipp.codes]
        self.paper_spelled = _spelled(paper_ipp, keys)
        sih_ipp = Categorical.of(sih.ipp)
        keys = list(map(ipp_key, sih_ipp.values))
        of_value = list(map(self.patients.get, keys, repeat(-1, len(keys))))
        self.sih_patient = np.array(of_value, dtype=np.int64)[sih_ipp.codes]
        self.sih_spelled = _spelled(sih_ipp, keys)
        self.sih_rows = np.flatnonzero(self.sih_patient >= 0)
        sih_code = Categorical.of(sih.code)
        self._code_names: list[str] = [c or "" for c in sih_code.values]
        self.sih_code = sih_code.codes[self.sih_rows].astype(np.int64)
        self.sih_kind = sih.kind[self.sih_rows]
        present = np.zeros((OTHER_KIND + 1, max(len(self._code_names), 1)), dtype=bool)
        present[self.sih_kind, self.sih_code] = True
        self._present = np.argwhere(present)
        # The SIH's drug names, each as its key says (brand, synonym, or as written).
        self.sih_drugs: dict[str, DrugName] = {}
        for k, c in self._present.tolist():
            if k == MEDICATION_CODE:
                written = self._code_names[c]
                self.sih_drugs[written] = names.canonical(written)
        self._paper_keys(paper)

    def _paper_keys(self, paper: ItemTable) -> None:
        """Each paper item's (kind, code key), worked out per distinct (kind, code). Drug names
        with typos: an SIH name is resolved against the paper's names (and the known INNs)
        first, then a paper name against the SIH's names left; each unique name once."""
        names = self.names
        code = Categorical.of(paper.code)
        kinds = Categorical.of(paper.kinds)
        pair = (paper.kind.astype(np.int64) * (len(kinds.values) + 1) + kinds.codes) \
            * (len(code.values) + 1) + code.codes
        distinct, first, self.paper_pair = np.unique(pair, return_index=True,
                                                     return_inverse=True)
        rows = first.tolist()
        drug_of: dict[int, DrugName] = {}
        for number, row in enumerate(rows):
            if paper.kind[row] == MEDICATION_CODE:
                drug_of[number] = names.canonical(code[row])
        sih_typos = names.resolve_typos({d.key: d for d in self.sih_drugs.values()}.values(),
                                        {d.key for d in drug_of.values()})
        for written, drug in self.sih_drugs.items():
            fixed = sih_typos.get(drug.key)
            if fixed is not None:
                self.sih_drugs[written] = DrugName(written, fixed.key, "typo", fixed.score)
        sih_keys = {d.key for d in self.sih_drugs.values()}
        typos = names.resolve_typos({d.key: d for d in drug_of.values()}.values(), sih_keys)
        for number, drug in drug_of.items():
            fixed = typos.get(drug.key)
            if fixed is not None:
                drug_of[number] = DrugName(drug.written, fixed.key, "typo", fixed.score)
        self.paper_pairs: list[tuple[int, str]] = []
        for number, row in enumerate(rows):
            kind = int(paper.kind[row])
            if kind == MEDICATION_CODE:
                key = drug_of[number].key
            elif kind == NOTE_CODE:
                key = ""
            elif kind == OTHER_KIND:
                key = f"{kinds[row]}\x1f{code[row].strip().upper()}"
            else:
                key = code[row].strip().upper()
            self.paper_pairs.append((kind, key))
        medication = np.flatnonzero(paper.kind == MEDICATION_CODE)
        self.drugs = dict(zip(medication.tolist(),
                              map(drug_of.__getitem__, self.paper_pair[medication].tolist()),
                              strict=True))

    def sih_key(self, kind: int, code: str) -> str:
        if kind == MEDICATION_CODE:
            return self.sih_drugs[code].key
        if kind == NOTE_CODE:
            return ""
        if kind == OTHER_KIND:
            return f"\x1f{code.strip().upper()}"  # never equal to a paper key: kind unknown
        return code.strip().upper()

    def groups(self, paper: ItemTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(group of each paper item or -1, SIH rows of those groups, their groups)."""
        key_index: dict[tuple[int, str], int] = {}
        paper_key = _ids(self.paper_pairs, key_index)[self.paper_pair]
        width = max(len(key_index), 1)
        paper_group = np.where(self.paper_patient >= 0,
                               self.paper_patient * width + paper_key, -1)
        code_names = self._code_names
        table = np.full((OTHER_KIND + 1, max(len(code_names), 1)), -1, dtype=np.int64)
        for kind, code in self._present.tolist():
            table[kind, code] = key_index.get((kind, self.sih_key(kind, code_names[code])), -1)
        sih_key = table[self.sih_kind, self.sih_code]
        sih_group = self.sih_patient[self.sih_rows] * width + sih_key
        wanted = np.unique(paper_group[paper_group >= 0])
        keep = (sih_key >= 0) & np.isin(sih_group, wanted)
        # Dense numbers (0..groups-1) keep the sort keys below small and exact.
        dense = np.where(paper_group >= 0, np.searchsorted(wanted, paper_group), -1)
        return dense, self.sih_rows[keep], np.searchsorted(wanted, sih_group[keep])


@dataclass
class _Sorted:
    """The SIH candidates, sorted by (group, time)."""

    rows: np.ndarray
    group: np.ndarray
    time: np.ndarray
    device: np.ndarray  # a device reading: no candidate (see ``items_devices``)
    undecided: np.ndarray  # on a device's tick with another item: a candidate, no duplicate


def _sorted_candidates(sih: ItemTable, rows: np.ndarray, group: np.ndarray,
                       tolerances: Tolerances) -> _Sorted:
    time = sih.time[rows]
    if len(rows):
        millis = np.rint((time - time.min()) * 1000).astype(np.int64)
        order = np.argsort(group * (int(millis.max()) + 1) + millis, kind="stable")
        rows, group, time = rows[order], group[order], time[order]
    author = Categorical.of(sih.author)
    words = tolerances.device_authors
    authors = author.per_value(lambda a: author_class(a, words), np.int8)[author.codes[rows]]
    device = authors == 2
    undecided = np.zeros(len(rows), dtype=bool)
    anonymous = np.flatnonzero(authors == 0)
    if len(anonymous):
        members, crowded = series_members(group[anonymous], time[anonymous],
                                          tolerances.series_min,
                                          tolerances.series_interval.total_seconds(),
                                          tolerances.series_jitter.total_seconds())
        device[anonymous[members]] = True
        undecided[anonymous[crowded]] = True
    return _Sorted(rows, group, time, device, undecided)


def _windows(paper_group: np.ndarray, paper_time: np.ndarray, tolerance: np.ndarray,
             candidates: _Sorted, widest: float) -> tuple[np.ndarray, np.ndarray]:
    """For each paper item, the first and past-last candidate position within its tolerance."""
    count = len(paper_group)
    low = np.zeros(count, dtype=np.int64)
    high = np.zeros(count, dtype=np.int64)
    if not len(candidates.rows):
        return low, high
    # Milliseconds from the paper's first item less the widest window; SIH times beyond the
    # reach of any window are clipped (order kept), so that group * span + time stays exact.
    margin = widest * 1000 + 1000
    start = float(paper_time.min())
    paper_ms = np.rint((paper_time - start) * 1000 + margin).astype(np.int64)
    span = int(paper_ms.max() + margin) + 1
    sih_ms = np.clip(np.rint((candidates.time - start) * 1000 + margin), 0, span - 1
                     ).astype(np.int64)
    sih_key = candidates.group * span + sih_ms
    grouped = paper_group >= 0
    paper_key = paper_group[grouped] * span + paper_ms[grouped]
    reach = np.ceil(tolerance[grouped] * 1000).astype(np.int64) + 1
    low[grouped] = np.searchsorted(sih_key, paper_key - reach, "left")
    high[grouped] = np.searchsorted(sih_key, paper_key + reach, "right")
    return low, high


@dataclass
class _Edges:
    paper: np.ndarray
    position: np.ndarray  # in the sorted candidates
    delta: np.ndarray
    mask: np.ndarray
    note_score: np.ndarray
    penalty: np.ndarray  # seconds added to the time distance (see ``_cost``)
    other_author: np.ndarray  # the SIH item is signed by another author than the paper

    def take(self, keep: np.ndarray) -> _Edges:
        return _Edges(self.paper[keep], self.position[keep], self.delta[keep], self.mask[keep],
                      self.note_score[keep], self.penalty[keep], self.other_author[keep])


def _edges(low: np.ndarray, high: np.ndarray, paper_time: np.ndarray, tolerance: np.ndarray,
           candidates: _Sorted) -> _Edges:
    counts = high - low
    total = int(counts.sum())
    paper = np.repeat(np.arange(len(low), dtype=np.int64), counts)
    position = (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
                + np.repeat(low, counts))
    delta = candidates.time[position] - paper_time[paper]
    keep = np.abs(delta) <= tolerance[paper] + 1e-6
    size = int(keep.sum())
    return _Edges(paper[keep], position[keep], delta[keep], np.zeros(size, np.int8),
                  np.full(size, np.nan, dtype=np.float32), np.zeros(size, np.float64),
                  np.zeros(size, dtype=bool))


class _Fields:
    """Comparison-ready fields of some rows of a table: unit dimension and scale, coded text,
    normalised status and route. Each is worked out once per distinct value; text values share
    their numbers across both sides (``shared``)."""

    def __init__(self, table: ItemTable, rows: np.ndarray, shared: dict[str, dict]) -> None:
        dims = shared.setdefault("dim", {})
        unit = Categorical.of(table.unit)
        scales = np.array([_scale(u, dims) for u in unit.values], dtype=np.float64
                          ).reshape(len(unit.values), 3)[unit.codes[rows]]
        self.dim = scales[:, 0].astype(np.int64)
        self.factor = scales[:, 1]
        self.offset = scales[:, 2]
        self.value = table.value[rows]
        texts = shared.setdefault("text", {})
        self.value_text = _numbered_answers(table, rows, texts)
        statuses = shared.setdefault("status", {})
        self.status = _numbered(table.status, rows, normalise_status, statuses)
        self.not_done = statuses.setdefault("not-done", len(statuses))
        routes = shared.setdefault("route", {})
        self.route = _numbered(table.route, rows, _route, routes)
        self.has_route = self.route != routes.setdefault("", len(routes))


def _scale(unit: str | None, dims: dict[str, int]) -> tuple[float, float, float]:
    if not unit:
        return (-1.0, 1.0, 0.0)
    name, factor, offset = unit_scale(unit)
    return (float(dims.setdefault(name, len(dims))), factor, offset)


def _numbered(column: Sequence[Any], rows: np.ndarray, clean: Callable[[Any], Hashable],
              index: dict) -> np.ndarray:
    """The number (in ``index``) of ``clean`` of each row's value, worked out per value."""
    category = Categorical.of(column)
    setdefault = index.setdefault
    return category.per_value(lambda v: setdefault(clean(v), len(index)), np.int64
                              )[category.codes[rows]]


def _numbered_answers(table: ItemTable, rows: np.ndarray, index: dict) -> np.ndarray:
    """The number (in ``index``) of each row's text value as it compares: the text without
    case or accents, and for a code a form asks as a choice (AVPU), the choice however it is
    written (``answer_key``), worked out per distinct (code, text) pair of those rows only."""
    numbers = _numbered(table.value_text, rows, _plain, index)
    code = Categorical.of(table.code)
    if not len(rows) or not len(code.values):
        return numbers
    text = Categorical.of(table.value_text)
    written = text.per_value(bool, bool)[text.codes[rows]]
    if not written.any():  # no text value: no coded answer (and no form to load)
        return numbers
    asked = code.per_value(lambda c: has_choices(c or ""), bool)[code.codes[rows]]
    coded = np.flatnonzero(asked & written)
    if not len(coded):
        return numbers
    width = len(text.values) + 1
    pair = (code.codes[rows[coded]].astype(np.int64) % len(code.values)) * width \
        + text.codes[rows[coded]] % max(width - 1, 1)
    distinct, inverse = np.unique(pair, return_inverse=True)
    setdefault, codes, texts = index.setdefault, code.values, text.values
    numbers[coded] = np.array([setdefault(answer_key(codes[p // width] or "", texts[p % width]),
                                          len(index)) for p in distinct.tolist()],
                              dtype=np.int64)[inverse.reshape(-1)]
    return numbers


def _route(route: str | None) -> str:
    return normalise_route(route) if route else ""


@lru_cache(maxsize=1 << 16)
def _plain(text: str | None) -> str:
    return normalise_text(text) if text else ""


def _compare(paper: ItemTable, sih: ItemTable, edges: _Edges, candidates: _Sorted,
             tolerances: Tolerances) -> None:
    """Fill the difference mask of every non-note edge."""
    coded = np.flatnonzero(paper.kind[edges.paper] != NOTE_CODE)
    if not len(coded):
        return
    shared: dict[str, dict] = {}
    paper_rows, paper_at = np.unique(edges.paper[coded], return_inverse=True)
    sih_rows, sih_at = np.unique(candidates.rows[edges.position[coded]], return_inverse=True)
    left = _Fields(paper, paper_rows, shared)
    right = _Fields(sih, sih_rows, shared)
    a_value, b_value = left.value[paper_at], right.value[sih_at]
    a_dim, b_dim = left.dim[paper_at], right.dim[sih_at]
    a_none, b_none = np.isnan(a_value), np.isnan(b_value)
    both_units = (a_dim >= 0) & (b_dim >= 0)
    numbers = ~a_none & ~b_none
    unit_differs = both_units & (a_dim != b_dim) & numbers
    convert = both_units & (a_dim == b_dim)
    a = np.where(convert, a_value * left.factor[paper_at] + left.offset[paper_at], a_value)
    b = np.where(convert, b_value * right.factor[sih_at] + right.offset[sih_at], b_value)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= np.maximum(
            tolerances.relative_value * np.maximum(np.abs(a), np.abs(b)),
            tolerances.absolute_value)
    text_same = left.value_text[paper_at] == right.value_text[sih_at]
    _destinations_alike(paper, sih, edges, candidates, coded, text_same, tolerances)
    value_differs = np.where(a_none & b_none, ~text_same, ~(numbers & close))
    mask = unit_differs * UNIT + value_differs * VALUE
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.minimum(100.0 * np.abs(a - b) / np.maximum(np.abs(a), np.abs(b)), 100.0)
    edges.penalty[coded] += np.where(value_differs & numbers & ~unit_differs,
                                     np.nan_to_num(percent, nan=100.0) * VALUE_PERCENT_WEIGHT,
                                     0.0)
    drug = paper.kind[edges.paper[coded]] == MEDICATION_CODE
    if drug.any():
        a_status, b_status = left.status[paper_at], right.status[sih_at]
        route_differs = (left.has_route[paper_at] & right.has_route[sih_at]
                         & (left.route[paper_at] != right.route[sih_at]))
        status_differs = a_status != b_status
        not_done = (a_status == left.not_done) & ~status_differs
        drug_mask = np.where(status_differs, STATUS,
                             np.where(not_done, 0, mask + route_differs * ROUTE))
        mask = np.where(drug, drug_mask, mask)
    edges.mask[coded] = mask.astype(np.int8)


def _destinations_alike(paper: ItemTable, sih: ItemTable, edges: _Edges, candidates: _Sorted,
                        coded: np.ndarray, text_same: np.ndarray,
                        tolerances: Tolerances) -> None:
    """A movement's destination is free text (« Cardiologie 3e », « cardio 3ème étage »):
    the same when the words, sorted, are at least ``note_same`` alike (in ``text_same``)."""
    moved = np.flatnonzero(~text_same & (paper.kind[edges.paper[coded]] == MOVEMENT_CODE))
    if not len(moved):
        return
    left = list(map(_plain, _pick(paper.value_text, edges.paper[coded[moved]])))
    right = list(map(_plain, _pick(sih.value_text, candidates.rows[edges.position[coded[moved]]])))
    alike = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    text_same[moved[alike >= tolerances.note_same]] = True


def _compare_notes(paper: ItemTable, sih: ItemTable, edges: _Edges, candidates: _Sorted,
                   tolerances: Tolerances) -> np.ndarray:
    """Note edges, all pairs in one call per measure, on the normalised texts (case, accents
    and punctuation aside): token-set similarity tells whether the SIH note is related at all
    (returned, NaN for other edges); the similarity of the whole texts, as written or words
    sorted (whichever is higher: a typo in a first letter moves a word in the sorted order,
    sentences may come in another order), whether it is the same note (``note_score``): a
    sentence added or dropped is a difference even though every word of one note is in the
    other. A note that alike is still another when a word was changed for another word, not
    typed wrong (``changed_words``: « talon droit » / « talon gauche », « vers 3 h » / « 4 h »)."""
    related = np.full(len(edges.paper), np.nan, dtype=np.float32)
    notes = np.flatnonzero(paper.kind[edges.paper] == NOTE_CODE)
    if not len(notes):
        return related
    left = list(map(_plain, _pick(paper.text, edges.paper[notes])))
    right = list(map(_plain, _pick(sih.text, candidates.rows[edges.position[notes]])))
    related[notes] = process.cpdist(left, right, scorer=fuzz.token_set_ratio, dtype=np.float32)
    whole = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    short = np.flatnonzero((whole < tolerances.note_same)
                           & (related[notes] >= tolerances.note_related))
    if len(short):  # a typo in a first letter moves its word in the sorted order
        whole[short] = np.maximum(whole[short], process.cpdist(
            [left[i] for i in short.tolist()], [right[i] for i in short.tolist()],
            scorer=fuzz.ratio, dtype=np.float32))
    same = whole >= tolerances.note_same
    for at in np.flatnonzero(same & (whole < 100.0)).tolist():  # 100: the same words
        if changed_words(left[at], right[at]) != ((), ()):
            same[at] = False
    edges.note_score[notes] = whole
    edges.mask[notes] = np.where(same, 0, TEXT).astype(np.int8)
    return related


# Tiers, tried in this order; each is split in two, the items signed by the paper's author (or
# unsigned) first, then those signed by another author.
EQUAL_EXACT, EQUAL_NEAR, DIFFERING_EXACT, DIFFERING_NEAR, EQUAL_FAR, DIFFERING_FAR = range(6)
_LEVELS = 12
T = TypeVar("T")
# After a level: further equal copies of the tiers named, by the same author only, or by any.
_DUPLICATES_AFTER = {1: (False, (EQUAL_EXACT,)), 2: (True, (EQUAL_EXACT, EQUAL_NEAR)),
                     3: (False, (EQUAL_EXACT, EQUAL_NEAR))}


def _tiers(edges: _Edges, tolerances: Tolerances) -> np.ndarray:
    """Each edge's level: 2 × tier, + 1 when the SIH item is signed by another author."""
    distance = np.abs(edges.delta)
    near = distance <= tolerances.duplicate_window.total_seconds()
    exact = distance <= tolerances.exact_window.total_seconds()
    equal = edges.mask == 0
    tier = np.where(equal, np.where(exact, EQUAL_EXACT, np.where(near, EQUAL_NEAR, EQUAL_FAR)),
                    np.where(exact, DIFFERING_EXACT,
                             np.where(near, DIFFERING_NEAR, DIFFERING_FAR)))
    return (2 * tier + edges.other_author).astype(np.int8)


def _closeness(edges: _Edges) -> np.ndarray:
    """How near an SIH item is to a paper item: time apart, plus one minute per point of a
    note's text unlikeness, plus one minute for another author (a copy keeps its author)."""
    notes = np.where(np.isnan(edges.note_score), 0.0, (100.0 - edges.note_score) * 60.0)
    return np.abs(edges.delta) + notes + edges.other_author * AUTHOR_WEIGHT


def _cost(edges: _Edges, closeness: np.ndarray) -> np.ndarray:
    """Closeness, plus one minute per percent of difference of a changed number (a copy typed
    wrong is usually near what was written)."""
    return closeness + edges.penalty


def _compare_authors(paper: ItemTable, sih: ItemTable, edges: _Edges,
                     candidates: _Sorted) -> None:
    """Where both sides name an author and they are not the same person however spelled
    (``authors.same_author``), worked out once per distinct pair of written names."""
    if not len(edges.paper):
        return
    names: dict[str | None, int] = {}
    left = _numbered(paper.author, edges.paper, _written, names)
    right = _numbered(sih.author, candidates.rows[edges.position], _written, names)
    pairs, pair_of = np.unique(left * (len(names) + 1) + right, return_inverse=True)
    written = list(names)
    other = np.array([same_author(written[int(p) // (len(names) + 1)],
                                  written[int(p) % (len(names) + 1)]) == AuthorMatch.OTHER
                      for p in pairs], dtype=bool)
    edges.other_author = other[pair_of.reshape(-1)]


def _written(author: str | None) -> str | None:
    return author or None


def _assign(paper_count: int, position_count: int, edges: _Edges, tier: np.ndarray,
            duplicable: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, list[int]]]:
    """(chosen edge of each paper item or -1, taken candidate positions, duplicates)."""
    chosen = np.full(paper_count, -1, dtype=np.int64)
    taken = np.zeros(position_count, dtype=bool)
    closeness = _closeness(edges)
    cost = _cost(edges, closeness)
    by_level = np.argsort(tier, kind="stable")
    bounds = np.searchsorted(tier[by_level], np.arange(_LEVELS + 1)).tolist()

    def of_tiers(*tiers: int) -> np.ndarray:
        return np.concatenate([by_level[bounds[2 * t]:bounds[2 * t + 2]] for t in tiers])

    rivals = of_tiers(DIFFERING_EXACT, DIFFERING_NEAR)
    extras: dict[int, list[int]] = {}
    for level in range(_LEVELS):
        active = by_level[bounds[level]:bounds[level + 1]]
        active = active[(chosen[edges.paper[active]] < 0) & ~taken[edges.position[active]]]
        picked = active[one_to_one(edges.paper[active], edges.position[active], cost[active])]
        chosen[edges.paper[picked]] = picked
        taken[edges.position[picked]] = True
        if level in _DUPLICATES_AFTER:
            same_author, tiers = _DUPLICATES_AFTER[level]
            pool = of_tiers(*tiers)
            pool = pool[duplicable[pool] & (~edges.other_author[pool] if same_author else True)]
            for row, found in _duplicates(edges, pool, rivals, closeness, chosen,
                                          taken).items():
                extras.setdefault(row, []).extend(spot for _, spot in found)
    # Left over once every paper item has had its chance: any equal copy within the kind's
    # tolerance repeats the paper item it is nearest (rule 5 above)...
    pool = of_tiers(EQUAL_EXACT, EQUAL_NEAR, EQUAL_FAR)
    for row, found in _duplicates(edges, pool[duplicable[pool]], rivals, closeness, chosen,
                                  taken).items():
        if edges.mask[chosen[row]] == STATUS:
            # ...unless the item took a dose of the other status: given and refused are two
            # facts, not a copy typed wrong; the equal one is its copy, the other is left.
            nearest = min(found, key=lambda pair: closeness[pair[0]])
            taken[edges.position[chosen[row]]] = False
            chosen[row] = nearest[0]
            found = [pair for pair in found if pair != nearest]
            if not found and row not in extras:
                continue
        extras.setdefault(row, []).extend(spot for _, spot in found)
    return chosen, taken, extras


def _duplicates(edges: _Edges, pool: np.ndarray, rivals: np.ndarray, distance: np.ndarray,
                chosen: np.ndarray, taken: np.ndarray) -> dict[int, list[tuple[int, int]]]:
    """Further equal copies of a matched paper item (rules 4 and 5 above), among the ``pool``
    of equal edges, as (edge, candidate position) pairs; each goes to the paper item it is
    nearest (``_closeness``: time, then author), unless an unmatched one is nearer (its
    ``rivals``: differing edges, exact or near)."""
    candidates = pool[~taken[edges.position[pool]] & (chosen[edges.paper[pool]] >= 0)]
    if not len(candidates):
        return {}
    order = candidates[np.lexsort((distance[candidates], edges.position[candidates]))]
    spots = edges.position[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = spots[1:] != spots[:-1]
    best = order[first]
    rivals = rivals[~taken[edges.position[rivals]] & (chosen[edges.paper[rivals]] < 0)]
    if len(rivals):  # the nearest rival of each spot, looked up by sorted search
        by_spot = rivals[np.lexsort((distance[rivals], edges.position[rivals]))]
        rival_spots = edges.position[by_spot]
        lead = np.ones(len(by_spot), dtype=bool)
        lead[1:] = rival_spots[1:] != rival_spots[:-1]
        rival_spots, rival_gap = rival_spots[lead], distance[by_spot[lead]]
        at = np.minimum(np.searchsorted(rival_spots, edges.position[best]), len(rival_spots) - 1)
        contested = rival_spots[at] == edges.position[best]
        best = best[~contested | (distance[best] <= rival_gap[at])]
    extras: dict[int, list[tuple[int, int]]] = {}
    for edge, row, spot in zip(best.tolist(), edges.paper[best].tolist(),
                               edges.position[best].tolist(), strict=True):
        extras.setdefault(row, []).append((edge, spot))
    taken[edges.position[best]] = True
    return extras


def match(paper: ItemTable, sih: ItemTable, tolerances: Tolerances, names: DrugNames
          ) -> Matching:
    """Decide every paper item (see the module docstring); nothing here builds an object."""
    with bulk_allocation():  # arrays and short lists only: no cycle to collect
        return _match(paper, sih, tolerances, names)


def _match(paper: ItemTable, sih: ItemTable, tolerances: Tolerances, names: DrugNames
           ) -> Matching:
    count = len(paper)
    keys = _Keys(paper, sih, names)
    paper_group, rows, group = keys.groups(paper)
    tolerance = _tolerances_of(keys, tolerances)
    candidates = _sorted_candidates(sih, rows, group, tolerances)
    widest = _widest(tolerances)
    low, high = _windows(paper_group, paper.time, tolerance, candidates, widest)
    edges = _edges(low, high, paper.time, tolerance, candidates)
    device_edge = candidates.device[edges.position]
    charted_in_window = np.bincount(edges.paper[~device_edge], minlength=count)
    devices_in_window = np.bincount(edges.paper[device_edge], minlength=count)
    _compare(paper, sih, edges, candidates, tolerances)
    note_related = _compare_notes(paper, sih, edges, candidates, tolerances)
    best_note = np.full(count, np.nan, dtype=np.float32)
    note_edges = np.flatnonzero(~np.isnan(note_related) & ~device_edge)
    if len(note_edges):
        best_note_all = np.full(count, -1.0, dtype=np.float32)
        np.maximum.at(best_note_all, edges.paper[note_edges], note_related[note_edges])
        best_note = np.where(best_note_all >= 0, best_note_all, np.nan).astype(np.float32)
    keep = ~(~np.isnan(note_related) & (note_related < tolerances.note_related))
    if tolerances.device_window is None:
        keep &= ~device_edge
    else:
        keep &= ~device_edge | ((edges.mask == 0) & (
            np.abs(edges.delta) <= tolerances.device_window.total_seconds()))
    related = np.bincount(edges.paper[keep & ~device_edge], minlength=count)
    edges = edges.take(keep)
    _compare_authors(paper, sih, edges, candidates)
    tier = _tiers(edges, tolerances)
    duplicable = ~candidates.device[edges.position] & ~candidates.undecided[edges.position]
    chosen, taken, extras = _assign(count, len(candidates.rows), edges, tier, duplicable)
    matching = _decide(paper, edges, candidates, chosen, extras, tolerance)
    matching.drugs = keys.drugs
    matching.sih_drugs = keys.sih_drugs
    matching.ipp_spelled = keys.paper_spelled.copy()
    matched = np.flatnonzero(matching.sih_row >= 0)
    matching.ipp_spelled[matched] |= keys.sih_spelled[matching.sih_row[matched]]
    matching.devices = int(candidates.device.sum())
    _missing_reasons(matching, paper, paper_group, low, high, candidates, charted_in_window,
                     devices_in_window, related, best_note)
    matching.unmatched = _unmatched(paper, sih, keys, candidates, taken, widest)
    return matching


def _decide(paper: ItemTable, edges: _Edges, candidates: _Sorted, chosen: np.ndarray,
            extras: dict[int, list[int]], tolerance: np.ndarray) -> Matching:
    count = len(paper)
    matched = chosen >= 0
    edge = chosen[matched]
    verdict = np.full(count, MISSING, dtype=np.int8)
    sih_row = np.full(count, -1, dtype=np.int64)
    mask = np.zeros(count, dtype=np.int8)
    delta = np.zeros(count, dtype=np.float64)
    note_score = np.full(count, np.nan, dtype=np.float32)
    device = np.zeros(count, dtype=bool)
    sih_row[matched] = candidates.rows[edges.position[edge]]
    mask[matched] = edges.mask[edge]
    delta[matched] = edges.delta[edge]
    note_score[matched] = edges.note_score[edge]
    device[matched] = candidates.device[edges.position[edge]]
    verdict[matched] = np.where(edges.mask[edge] != 0, DIFFERS, IN_SIH)
    duplicated = np.array(list(extras), dtype=np.int64)
    verdict[duplicated] = DUPLICATE
    extra_rows = {row: [int(candidates.rows[p]) for p in spots] for row, spots in extras.items()}
    return Matching(verdict, sih_row, mask, delta, note_score, device, tolerance,
                    np.zeros(count, dtype=np.int8), np.zeros(count, dtype=np.int32),
                    np.full(count, np.nan), {}, extra_rows, np.empty(0, dtype=np.int64))


def _missing_reasons(matching: Matching, paper: ItemTable, paper_group: np.ndarray,
                     low: np.ndarray, high: np.ndarray, candidates: _Sorted,
                     charted: np.ndarray, devices: np.ndarray, related: np.ndarray,
                     best_note: np.ndarray) -> None:
    """Why nothing matched: unlike notes, all taken, only devices, the nearest, or nothing."""
    missing = matching.verdict == MISSING
    reason = matching.missing_reason
    count = matching.missing_count
    is_note = paper.kind == NOTE_CODE
    text = missing & is_note & (charted > 0) & (related == 0)
    claimed = missing & ~text & (charted > 0)
    only_devices = missing & (charted == 0) & (devices > 0)
    reason[text] = TEXT_UNLIKE
    matching.note_score[text] = best_note[text]
    reason[claimed] = CLAIMED
    count[claimed] = charted[claimed]
    reason[only_devices] = DEVICES_ONLY
    count[only_devices] = devices[only_devices]
    rest = np.flatnonzero(missing & (charted == 0) & (devices == 0) & (paper_group >= 0))
    size = len(candidates.rows)
    if not len(rest) or not size:
        return
    positions = np.arange(size)
    charted_at = np.where(candidates.device, -1, positions)
    before = np.maximum.accumulate(charted_at)
    after_at = np.where(candidates.device, size, positions)
    after = np.minimum.accumulate(after_at[::-1])[::-1]
    gaps = np.full(len(rest), np.inf)
    for side in (np.where(low[rest] > 0, before[np.maximum(low[rest] - 1, 0)], -1),
                 np.where(high[rest] < size, after[np.minimum(high[rest], size - 1)], size)):
        valid = (side >= 0) & (side < size)
        spot = np.clip(side, 0, size - 1)
        same = valid & (candidates.group[spot] == paper_group[rest])
        gap = np.abs(candidates.time[spot] - paper.time[rest])
        gaps = np.where(same, np.minimum(gaps, gap), gaps)
    found = np.isfinite(gaps)
    reason[rest[found]] = NEAREST
    matching.nearest[rest[found]] = gaps[found]


def _unmatched(paper: ItemTable, sih: ItemTable, keys: _Keys, candidates: _Sorted,
               taken: np.ndarray, widest: float) -> np.ndarray:
    """SIH rows of the paper's patients, within the paper's span, that no paper item claimed."""
    if not len(paper) or not len(keys.sih_rows):
        return np.empty(0, dtype=np.int64)
    start, end = float(paper.time.min()) - widest, float(paper.time.max()) + widest
    rows = keys.sih_rows
    times = sih.time[rows]
    rows = rows[(times >= start) & (times <= end)]
    claimed = np.zeros(len(sih), dtype=bool)
    claimed[candidates.rows[taken]] = True
    return rows[~claimed[rows]]
