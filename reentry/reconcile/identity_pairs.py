"""Candidate pairs by blocking, then every field of every pair compared in bulk.

Blocking joins the two sides on shared keys with sorted numpy arrays, so no pair is enumerated
in Python. Each kind of error is still found by another key: birth date (typos in names, used
name for birth name); sound of a surname + birth year (day/month swapped, a digit off in the day
or month); sound of a surname + first 3 letters of the first name + day and month (a year off or
a digit off in the year); national identifier (everything else, when present). A key shared by
more than ``MAX_BLOCK`` indexed patients is skipped: the other keys still find the person.

Pairs that can no longer reach review are dropped as soon as it is known (a different birth
date, then a different surname, unless the national identifier agrees), so that the costly
string comparisons only run on plausible pairs. Strings are compared with
``rapidfuzz.process.cpdist`` (Jaro-Winkler for names and addresses, token set for the list of
first names), never one pair at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from reentry.reconcile.identity_table import TAG_GIVEN, TAG_YEAR, UNKNOWN_SEX, IdentityTable

MAX_BLOCK = 400

# Field grades, stored as small integers per pair.
UNKNOWN, EXACT, CLOSE, WEAK, DIFFERENT = 0, 1, 2, 3, 4
DATE_SWAPPED, DATE_ONE_DIGIT, DATE_YEAR_OFF, DATE_UNREADABLE = 5, 6, 7, 8
IN_LIST = 9

# Similarity cut-offs (Jaro-Winkler, 0..1) for names.
NAME_EXACT = 0.999
NAME_CLOSE = 0.92
NAME_WEAK = 0.85
ADDRESS_SAME = 0.90
LIST_CONFLICT = 0.80

# Points per field and grade; the score is their sum over SCORE_SCALE, kept within 0..1.
SCORE_SCALE = 20.0
SURNAME_POINTS = {EXACT: 6, CLOSE: 4, WEAK: 1, DIFFERENT: -6, UNKNOWN: 0}
GIVEN_POINTS = {EXACT: 5, IN_LIST: 3, CLOSE: 3, WEAK: 1, DIFFERENT: -5, UNKNOWN: 0}
GIVEN_LIST_CONFLICT_POINTS = -2
DATE_POINTS = {EXACT: 6, DATE_SWAPPED: 3, DATE_ONE_DIGIT: 3, DATE_YEAR_OFF: 2, DIFFERENT: -8,
               DATE_UNREADABLE: 0, UNKNOWN: 0}
SEX_POINTS = {EXACT: 1, DIFFERENT: -10, UNKNOWN: 0}
PLACE_POINTS = {EXACT: 2, DIFFERENT: -3, UNKNOWN: 0}
ADDRESS_POINTS = 1
NIR_POINTS = {EXACT: 8, DIFFERENT: -6, CLOSE: 2, UNKNOWN: 0}  # CLOSE: same text, invalid NIR
REVIEW_FLOOR = 0.50  # a pair below this can only be kept by an equal national identifier

# Which surname of each side was compared: left birth/used x right birth/used.
SURNAME_PAIRINGS = (("birth", "birth"), ("birth", "used"), ("used", "birth"), ("used", "used"))


@dataclass
class BlockIndex:
    """The indexed side's blocking keys, sorted, with where each key's rows start."""

    rows: np.ndarray  # right rows, grouped by key
    starts: np.ndarray  # per key id: first position in rows
    counts: np.ndarray  # per key id: how many rows (0 for skipped oversized blocks)
    skipped_keys: int
    tags: np.ndarray | None = None  # per key id: its kind (TAG_YEAR...), to prefilter pairs
    date: np.ndarray | None = None  # the indexed side's birth dates
    nir: np.ndarray | None = None  # the indexed side's national identifier ids


def build_block_index(table: IdentityTable, key_count: int) -> BlockIndex:
    pairs = table.keys
    order = np.argsort(pairs[:, 0], kind="stable")
    keys, rows = pairs[order, 0], pairs[order, 1].astype(np.int32)
    counts = np.bincount(keys, minlength=key_count).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    oversized = counts > MAX_BLOCK
    counts[oversized] = 0
    return BlockIndex(rows, starts, counts, int(oversized.sum()), table.key_tags, table.date,
                      table.nir)


def _digits_apart(a: np.ndarray, b: np.ndarray, digits: int) -> np.ndarray:
    """How many of the ``digits`` last decimal digits of a and b differ."""
    apart = np.zeros(len(a), dtype=np.int8)
    for _ in range(digits):
        apart += (a % 10 != b % 10)
        a, b = a // 10, b // 10
    return apart


def _plausible(tag: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs met through a surname sound whose birth dates may still be the same person's:
    what ``grade_dates`` would not call different. Same year (key Y): the same day and month,
    one digit off, or swapped; same day and month (key G): a year one apart or one digit off.
    """
    same_year = tag == TAG_YEAR
    ma, da, mb, db = (a // 100) % 100, a % 100, (b // 100) % 100, b % 100
    by_day = (_digits_apart(a % 10000, b % 10000, 4) <= 1) | ((ma == db) & (da == mb))
    by_year = ((np.abs(a // 10000 - b // 10000) <= 1)
               | (_digits_apart(a // 10000, b // 10000, 4) <= 1))
    return np.where(same_year, by_day, by_year)


def candidate_pairs(left: IdentityTable, index: BlockIndex, first: int,
                    stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (left row, right row) pairs sharing a key, for left rows first..stop-1."""
    all_keys = left.keys
    bounds = np.searchsorted(all_keys[:, 1], [first, stop])
    keys = all_keys[bounds[0]:bounds[1]]
    if not len(keys):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key_ids, left_rows = keys[:, 0], keys[:, 1]
    counts = index.counts[key_ids]
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    group_start = np.repeat(np.cumsum(counts) - counts, counts)
    positions = np.arange(total) - group_start + np.repeat(index.starts[key_ids], counts)
    right_rows = index.rows[positions].astype(np.int64)
    rows = np.repeat(left_rows, counts)
    if index.tags is not None and index.date is not None and index.nir is not None:
        # Pairs met through a surname sound with birth dates that can only grade "different"
        # are dropped now (unless the national ids agree): most pairs, before the costly part.
        tag = np.repeat(index.tags[key_ids], counts)
        loose = np.flatnonzero((tag == TAG_YEAR) | (tag == TAG_GIVEN))
        if len(loose):
            a, b = left.date[rows[loose]], index.date[right_rows[loose]]
            nir = left.nir[rows[loose]]
            fine = _plausible(tag[loose], a, b) | ((nir >= 0) & (nir == index.nir[
                right_rows[loose]]))
            keep = np.ones(len(rows), dtype=bool)
            keep[loose[~fine]] = False
            rows, right_rows = rows[keep], right_rows[keep]
    width = np.int64(max(len(index.rows), 1) + 1)
    codes = np.sort(rows * width + right_rows)
    distinct = np.ones(len(codes), dtype=bool)
    distinct[1:] = codes[1:] != codes[:-1]
    codes = codes[distinct]
    return codes // width, codes % width


@dataclass
class PairScores:
    """Every field of each kept pair, graded, and the pair's score."""

    left: np.ndarray
    right: np.ndarray
    score: np.ndarray
    surname: np.ndarray
    surname_grade: np.ndarray
    surname_pairing: np.ndarray
    given: np.ndarray
    given_grade: np.ndarray
    given_conflict: np.ndarray
    date_grade: np.ndarray
    sex_grade: np.ndarray
    place_grade: np.ndarray
    address: np.ndarray
    nir_grade: np.ndarray

    def take(self, keep: np.ndarray) -> PairScores:
        return PairScores(**{name: getattr(self, name)[keep]
                             for name in self.__dataclass_fields__})


def _grade(values: np.ndarray, table: dict[int, int]) -> np.ndarray:
    lookup = np.zeros(max(table) + 1, dtype=np.float32)
    for grade, points in table.items():
        lookup[grade] = points
    return lookup[values]


def _digit_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    differences = np.zeros(len(a), dtype=np.int8)
    for power in range(8):
        differences += ((a // 10 ** power) % 10 != (b // 10 ** power) % 10).astype(np.int8)
    return differences


def grade_dates(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                rj: np.ndarray) -> np.ndarray:
    """Exact, day/month swapped, one digit off, year off by one, different, or unreadable."""
    a, b = left.date[li], right.date[rj]
    grades = np.full(len(li), UNKNOWN, dtype=np.int8)
    both = (a >= 0) & (b >= 0)
    ya, ma, da = a // 10000, (a // 100) % 100, a % 100
    yb, mb, db = b // 10000, (b // 100) % 100, b % 100
    grades[both] = DIFFERENT
    grades[both & (np.abs(ya - yb) == 1) & (ma == mb) & (da == db)] = DATE_YEAR_OFF
    grades[both & (_digit_differences(a, b) == 1)] = DATE_ONE_DIGIT
    grades[both & (ya == yb) & (ma == db) & (da == mb) & (ma != da)] = DATE_SWAPPED
    grades[both & (a == b)] = EXACT
    ta, tb = left.date_text[li], right.date_text[rj]
    text_only = ~both & (ta >= 0) & (tb >= 0)
    grades[text_only] = np.where(ta[text_only] == tb[text_only], EXACT, DATE_UNREADABLE)
    return grades


def grade_nirs(left: IdentityTable, right: IdentityTable, li: np.ndarray,
               rj: np.ndarray) -> np.ndarray:
    """Decisive only when both are valid; an invalid NIR equal as text is a small hint."""
    a, b = left.nir[li], right.nir[rj]
    valid = left.nir_valid[li] & right.nir_valid[rj]
    grades = np.full(len(li), UNKNOWN, dtype=np.int8)
    grades[valid] = np.where(a[valid] == b[valid], EXACT, DIFFERENT)
    grades[~valid & (a >= 0) & (a == b)] = CLOSE
    return grades


def _similarity(left: IdentityTable, right: IdentityTable, left_column: str, right_column: str,
                li: np.ndarray, rj: np.ndarray, scorer=JaroWinkler.normalized_similarity,
                scale: float = 1.0) -> np.ndarray:
    """Pairwise similarity of two columns in 0..1, -1 where either side is empty."""
    if not len(li):
        return np.empty(0, dtype=np.float32)
    a, b = getattr(left, left_column)[li], getattr(right, right_column)[rj]
    values = process.cpdist(a, b, scorer=scorer, workers=-1, dtype=np.float32) / scale
    values[~(left.present(left_column)[li] & right.present(right_column)[rj])] = -1.0
    return values


def _surname_similarity(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                        rj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best of the four birth/used pairings, each the better of with and without particles.

    Only pairs where both names exist are compared, and the variant without particles only
    where one of them has a particle: most pairs need one comparison, not eight.
    """
    columns = []
    for left_kind, right_kind in SURNAME_PAIRINGS:
        a, b = f"{left_kind}_full", f"{right_kind}_full"
        both = left.present(a)[li] & right.present(b)[rj]
        best = _similarity_where(left, right, a, b, li, rj, both)
        particles = both & (left.has_particles(left_kind)[li] | right.has_particles(right_kind)[rj])
        stripped = _similarity_where(left, right, f"{left_kind}_strip", f"{right_kind}_strip",
                                     li, rj, particles)
        columns.append(np.maximum(best, stripped))
    stacked = np.vstack(columns)
    return stacked.max(axis=0), stacked.argmax(axis=0).astype(np.int8)


def _similarity_where(left: IdentityTable, right: IdentityTable, left_column: str,
                      right_column: str, li: np.ndarray, rj: np.ndarray,
                      where: np.ndarray) -> np.ndarray:
    values = np.full(len(li), -1.0, dtype=np.float32)
    if where.any():
        values[where] = _similarity(left, right, left_column, right_column, li[where], rj[where])
    return values


def _name_grades(similarity: np.ndarray) -> np.ndarray:
    grades = np.full(len(similarity), DIFFERENT, dtype=np.int8)
    grades[similarity >= NAME_WEAK] = WEAK
    grades[similarity >= NAME_CLOSE] = CLOSE
    grades[similarity >= NAME_EXACT] = EXACT
    grades[similarity < 0] = UNKNOWN
    return grades


def score_pairs(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                rj: np.ndarray) -> PairScores:
    """Grade every field of the plausible pairs and score them (see the module docstring)."""
    date_grade = grade_dates(left, right, li, rj)
    nir_grade = grade_nirs(left, right, li, rj)
    nir_agrees = (nir_grade == EXACT) | (nir_grade == CLOSE)
    keep = (date_grade != DIFFERENT) | nir_agrees
    li, rj, date_grade, nir_grade = li[keep], rj[keep], date_grade[keep], nir_grade[keep]
    surname, pairing = _surname_similarity(left, right, li, rj)
    surname_grade = _name_grades(surname)
    keep = (surname_grade != DIFFERENT) | (nir_grade == EXACT) | (nir_grade == CLOSE)
    li, rj, date_grade, nir_grade = li[keep], rj[keep], date_grade[keep], nir_grade[keep]
    surname, pairing, surname_grade = surname[keep], pairing[keep], surname_grade[keep]
    given_grade, given, conflict = _given_grades(left, right, li, rj)
    sex_grade = _equal_grades(left.sex[li], right.sex[rj], missing=UNKNOWN_SEX)
    place_grade = _equal_grades(left.place[li], right.place[rj], missing=-1)
    address = _address_similarity(left, right, li, rj)
    points = (_grade(surname_grade, SURNAME_POINTS) + _grade(given_grade, GIVEN_POINTS)
              + conflict * GIVEN_LIST_CONFLICT_POINTS + _grade(date_grade, DATE_POINTS)
              + _grade(sex_grade, SEX_POINTS) + _grade(place_grade, PLACE_POINTS)
              + (address >= ADDRESS_SAME) * ADDRESS_POINTS + _grade(nir_grade, NIR_POINTS))
    score = np.clip(points / SCORE_SCALE, 0.0, 1.0).astype(np.float32)
    return PairScores(li, rj, score, surname, surname_grade, pairing, given, given_grade,
                      conflict, date_grade, sex_grade, place_grade, address, nir_grade)


def _given_grades(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                  rj: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First name against first name (or all joined); a list contained in the other is IN_LIST."""
    first = _similarity(left, right, "given_first", "given_first", li, rj)
    joined = _similarity(left, right, "given_all", "given_all", li, rj)
    similarity = np.maximum(first, joined)
    token_set = _similarity(left, right, "given_list", "given_list", li, rj,
                            fuzz.token_set_ratio, 100.0)
    grades = _name_grades(similarity)
    grades[(grades != EXACT) & (grades != UNKNOWN) & (token_set >= NAME_EXACT)] = IN_LIST
    both_lists = (left.given_count[li] >= 2) & (right.given_count[rj] >= 2)
    conflict = both_lists & (token_set >= 0) & (token_set < LIST_CONFLICT)
    return grades, similarity, conflict


def _equal_grades(a: np.ndarray, b: np.ndarray, missing: int) -> np.ndarray:
    grades = np.where(a == b, EXACT, DIFFERENT).astype(np.int8)
    grades[(a == missing) | (b == missing)] = UNKNOWN
    return grades


def _address_similarity(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                        rj: np.ndarray) -> np.ndarray:
    """Street similarity, only where the postcodes agree (else -1): a hint, never a penalty."""
    similarity = np.full(len(li), -1.0, dtype=np.float32)
    same_code = (left.postcode[li] >= 0) & (left.postcode[li] == right.postcode[rj])
    if same_code.any():
        similarity[same_code] = _similarity(left, right, "address", "address", li[same_code],
                                            rj[same_code])
    return similarity


def best_per_left(scores: PairScores) -> tuple[np.ndarray, np.ndarray]:
    """Per left row with candidates: the index of its best pair and of its runner-up (-1)."""
    if not len(scores.left):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.lexsort((scores.right, -scores.score, scores.left))
    lefts = scores.left[order]
    group_first = np.flatnonzero(np.concatenate(([True], lefts[1:] != lefts[:-1])))
    best = order[group_first]
    second_pos = group_first + 1
    has_second = np.zeros(len(group_first), dtype=bool)
    in_range = second_pos < len(order)
    has_second[in_range] = lefts[second_pos[in_range]] == lefts[group_first[in_range]]
    second = np.full(len(group_first), -1, dtype=np.int64)
    second[has_second] = order[second_pos[has_second]]
    return best, second
