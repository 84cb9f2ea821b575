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
from rapidfuzz.distance import OSA, JaroWinkler

from reentry.reconcile.identity_table import (
    GIVEN_ABBREVIATED,
    GIVEN_APART,
    GIVEN_PARTS,
    TAG_FIRST_YEAR,
    TAG_GIVEN,
    TAG_NAMES,
    TAG_NAMES_UNDATED,
    TAG_POSTCODE,
    TAG_POSTCODE_UNDATED,
    TAG_SURNAME_PLACE,
    TAG_SURNAME_PLACE_UNDATED,
    TAG_YEAR,
    UNKNOWN_SEX,
    IdentityTable,
    relate_given_names,
)

MAX_BLOCK = 400
# Keys that a namesake born another day may share: their pairs are checked on the dates.
_NAME_TAGS = (TAG_YEAR, TAG_GIVEN, TAG_FIRST_YEAR, TAG_NAMES, TAG_NAMES_UNDATED, TAG_POSTCODE,
              TAG_POSTCODE_UNDATED, TAG_SURNAME_PLACE, TAG_SURNAME_PLACE_UNDATED)

# Field grades, stored as small integers per pair.
UNKNOWN, EXACT, CLOSE, WEAK, DIFFERENT = 0, 1, 2, 3, 4
DATE_SWAPPED, DATE_ONE_DIGIT, DATE_YEAR_OFF, DATE_UNREADABLE = 5, 6, 7, 8
IN_LIST = 9
DATE_PARTIAL = 10
ABBREVIATED = 11

# Similarity cut-offs (Jaro-Winkler, 0..1) for names.
NAME_EXACT = 0.999
NAME_CLOSE = 0.92
NAME_WEAK = 0.85
ADDRESS_SAME = 0.90
LIST_CONFLICT = 0.80

# Points per field and grade; the score is their sum over SCORE_SCALE, kept within 0..1.
SCORE_SCALE = 20.0
SURNAME_POINTS = {EXACT: 6, CLOSE: 4, WEAK: 1, DIFFERENT: -6, UNKNOWN: 0}
GIVEN_POINTS = {EXACT: 5, IN_LIST: 3, ABBREVIATED: 3, CLOSE: 3, WEAK: 1, DIFFERENT: -5,
                UNKNOWN: 0}
GIVEN_LIST_CONFLICT_POINTS = -2
DATE_POINTS = {EXACT: 6, DATE_SWAPPED: 3, DATE_ONE_DIGIT: 3, DATE_YEAR_OFF: 2, DATE_PARTIAL: 0,
               DIFFERENT: -8,
               DATE_UNREADABLE: 0, UNKNOWN: 0}
SEX_POINTS = {EXACT: 1, DIFFERENT: -10, UNKNOWN: 0}
PLACE_POINTS = {EXACT: 2, DIFFERENT: -3, UNKNOWN: 0}
ADDRESS_POINTS = 1
# CLOSE: the same text, not two valid NIRs; WEAK: one typo apart.
NIR_POINTS = {EXACT: 8, DIFFERENT: -6, CLOSE: 5, WEAK: 3, UNKNOWN: 0}
REVIEW_FLOOR = 0.50  # a pair scoring this much is plausible whatever else (``plausible_pairs``)

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


def _plausible(tag: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs met through a name key whose birth dates may still be the same person's: a date
    missing on one side, or dates that ``date_grades`` does not call different."""
    return (a < 0) | (b < 0) | (date_grades(a, b) != DIFFERENT)


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
        loose = np.flatnonzero(np.isin(tag, _NAME_TAGS))
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
    plausible: np.ndarray  # bool: to be seen by the cell whatever the score (``plausible_pairs``)
    crossed: np.ndarray  # bool: surname and first name written in each other's place

    def take(self, keep: np.ndarray) -> PairScores:
        return PairScores(**{name: getattr(self, name)[keep]
                             for name in self.__dataclass_fields__})


def _grade(values: np.ndarray, table: dict[int, int]) -> np.ndarray:
    lookup = np.zeros(max(table) + 1, dtype=np.float32)
    for grade, points in table.items():
        lookup[grade] = points
    return lookup[values]


def _digits(dates: np.ndarray) -> np.ndarray:
    """The 8 digits of YYYYMMDD integers, most significant first, as an (8, n) array."""
    digits = np.empty((8, len(dates)), dtype=np.int8)
    rest = dates.copy()
    for position in range(7, -1, -1):
        rest, digits[position] = np.divmod(rest, 10)
    return digits


def date_grades(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Grades of YYYYMMDD integers (-1: no date): exact; day and month swapped; one digit off
    or two neighbouring digits swapped (1967 for 1976); year off by one; partial (two of year,
    month and day equal); different; unknown when either is missing."""
    grades = np.full(len(a), UNKNOWN, dtype=np.int8)
    both = (a >= 0) & (b >= 0)
    da, db = _digits(np.maximum(a, 0)), _digits(np.maximum(b, 0))
    apart = da != db
    count = apart.sum(axis=0)
    neighbours = np.zeros(len(a), dtype=bool)
    for p in range(7):
        neighbours |= (apart[p] & apart[p + 1] & (da[p] == db[p + 1]) & (da[p + 1] == db[p]))
    swapped_pair = (count == 2) & neighbours
    ya, ma, dda = a // 10000, (a // 100) % 100, a % 100
    yb, mb, ddb = b // 10000, (b // 100) % 100, b % 100
    components = (ya == yb).astype(np.int8) + (ma == mb) + (dda == ddb)
    grades[both] = DIFFERENT
    grades[both & (components == 2)] = DATE_PARTIAL
    grades[both & (np.abs(ya - yb) == 1) & (ma == mb) & (dda == ddb)] = DATE_YEAR_OFF
    grades[both & ((count == 1) | swapped_pair)] = DATE_ONE_DIGIT
    grades[both & (ya == yb) & (ma == ddb) & (dda == mb) & (ma != dda)] = DATE_SWAPPED
    grades[both & (count == 0)] = EXACT
    return grades


def grade_dates(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                rj: np.ndarray) -> np.ndarray:
    """``date_grades`` of the pairs; an unreadable date compares as text."""
    grades = date_grades(left.date[li], right.date[rj])
    ta, tb = left.date_text[li], right.date_text[rj]
    text_only = (grades == UNKNOWN) & (ta >= 0) & (tb >= 0)
    grades[text_only] = np.where(ta[text_only] == tb[text_only], EXACT, DATE_UNREADABLE)
    return grades


def grade_nirs(left: IdentityTable, right: IdentityTable, li: np.ndarray,
               rj: np.ndarray) -> np.ndarray:
    """National identifiers of any shape: two valid NIRs are equal or different (decisive);
    otherwise the same text is a strong hint (a passport or a NIR with a wrong key, written
    twice alike), one typo apart (``MIN_ID_LENGTH`` characters or more) a weaker one, and
    anything else says nothing (another kind of identifier)."""
    a, b = left.nir[li], right.nir[rj]
    valid = left.nir_valid[li] & right.nir_valid[rj]
    grades = np.full(len(li), UNKNOWN, dtype=np.int8)
    grades[valid] = np.where(a[valid] == b[valid], EXACT, DIFFERENT)
    grades[~valid & (a >= 0) & (a == b)] = CLOSE
    apart = np.flatnonzero(~valid & (a != b) & left.nir_long[li] & right.nir_long[rj])
    if len(apart):
        edits = process.cpdist(list(left.nir_text[li[apart]]), list(right.nir_text[rj[apart]]),
                               scorer=OSA.distance, dtype=np.int32, workers=-1)
        grades[apart[edits <= 1]] = WEAK
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
    """Grade every field of the pairs met by blocking, score them (see the module docstring)
    and keep those that are plausible (``plausible_pairs``) or at least share a surname."""
    date_grade = grade_dates(left, right, li, rj)
    nir_grade = grade_nirs(left, right, li, rj)
    id_agrees = np.isin(nir_grade, (EXACT, CLOSE, WEAK))
    # A different birth date with no identifier in common can only be plausible at the same
    # home (surname, first name and address): the rest is dropped before the costly string
    # comparisons.
    at_same_postcode = (left.postcode[li] >= 0) & (left.postcode[li] == right.postcode[rj])
    keep = ((date_grade != DIFFERENT) | id_agrees | at_same_postcode) & np.where(
        date_grade == EXACT, _shares_something(left, right, li, rj),
        _first_names_may_agree(left, right, li, rj)) | id_agrees
    li, rj, date_grade, nir_grade = li[keep], rj[keep], date_grade[keep], nir_grade[keep]
    surname, pairing = _surname_similarity(left, right, li, rj)
    surname_grade = _name_grades(surname)
    id_agrees = np.isin(nir_grade, (EXACT, CLOSE, WEAK))
    # Another surname can only be plausible with an identifier in common, or with the same
    # birth date and first name (the used name written for the birth name): first names that
    # neither sound nor begin alike are not compared.
    first_name_hint = ((left.given_sound[li] == right.given_sound[rj])
                       | (left.first3[li] == right.first3[rj])) & (left.first3[li] >= 0)
    crossed, crossed_surname, crossed_given = _crossed_names(left, right, li, rj, surname_grade)
    keep = ((surname_grade != DIFFERENT) | id_agrees | crossed
            | ((date_grade == EXACT) & first_name_hint))
    li, rj, date_grade, nir_grade, id_agrees, crossed = (
        li[keep], rj[keep], date_grade[keep], nir_grade[keep], id_agrees[keep], crossed[keep])
    surname, pairing, surname_grade = surname[keep], pairing[keep], surname_grade[keep]
    crossed_surname, crossed_given = crossed_surname[keep], crossed_given[keep]
    worth = np.isin(surname_grade, NAME_AGREES) | id_agrees
    given_grade, given, conflict = _given_grades(left, right, li, rj, worth)
    # Surname written as the first name and the first name as the surname: each compared
    # with the other field (never linked, see ``identity.problem_bits``).
    surname = np.where(crossed, crossed_surname, surname)
    given = np.where(crossed, crossed_given, given)
    surname_grade = np.where(crossed, _name_grades(crossed_surname), surname_grade)
    given_grade = np.where(crossed, _name_grades(crossed_given), given_grade)
    conflict &= ~crossed
    sex_grade = _equal_grades(left.sex[li], right.sex[rj], missing=UNKNOWN_SEX)
    place_grade = _equal_grades(left.place[li], right.place[rj], missing=-1)
    address = _address_similarity(left, right, li, rj)
    points = (_grade(surname_grade, SURNAME_POINTS) + _grade(given_grade, GIVEN_POINTS)
              + conflict * GIVEN_LIST_CONFLICT_POINTS + _grade(date_grade, DATE_POINTS)
              + _grade(sex_grade, SEX_POINTS) + _grade(place_grade, PLACE_POINTS)
              + (address >= ADDRESS_SAME) * ADDRESS_POINTS + _grade(nir_grade, NIR_POINTS))
    score = np.clip(points / SCORE_SCALE, 0.0, 1.0).astype(np.float32)
    same_code = (left.postcode[li] >= 0) & (left.postcode[li] == right.postcode[rj])
    scores = PairScores(li, rj, score, surname, surname_grade, pairing, given, given_grade,
                        conflict, date_grade, sex_grade, place_grade, address, nir_grade,
                        np.zeros(len(li), dtype=bool), crossed)
    scores.plausible = plausible_pairs(scores, same_code)
    return scores.take(scores.plausible | (surname_grade != DIFFERENT))


def _shares_something(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                      rj: np.ndarray) -> np.ndarray:
    """Pairs worth comparing beyond a shared birth date (most pairs met through it are
    strangers born the same day): a surname or first name that sounds or begins alike, in any
    field, the same postcode, or a name missing on one side. Cheap integer tests only; every
    plausible pair born the same day passes one of them (``plausible_pairs``)."""
    def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a == b) & (a >= 0)

    lb, lu, lg = left.birth_sound[li], left.used_sound[li], left.given_sound[li]
    rb, ru, rg = right.birth_sound[rj], right.used_sound[rj], right.given_sound[rj]
    surname = same(lb, rb) | same(lb, ru) | same(lu, rb) | same(lu, ru)
    given = same(lg, rg) | same(left.first3[li], right.first3[rj])
    crossed = same(lb, rg) | same(lg, rb)
    missing = (lb < 0) | (rb < 0) | (lg < 0) | (rg < 0)
    return surname | given | crossed | missing | same(left.postcode[li], right.postcode[rj])


def _first_names_may_agree(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                           rj: np.ndarray) -> np.ndarray:
    """Pairs whose first names may still agree (same sound or first letters, an initial in
    common, crossed with the surname) or are missing on one side, or who live or were born
    at the same place: with the birth dates apart, only those can be plausible
    (``plausible_pairs``)."""
    lg, rg = left.given_sound[li], right.given_sound[rj]
    lp, lc = left.place[li], left.postcode[li]
    return (((lg == rg) & (lg >= 0)) | (left.first3[li] == right.first3[rj])
            | ((lp == right.place[rj]) & (lp >= 0)) | ((lc == right.postcode[rj]) & (lc >= 0))
            | ((left.given_initials[li] & right.given_initials[rj]) != 0)
            | (lg < 0) | (rg < 0)
            | ((left.birth_sound[li] == rg) & (rg >= 0))
            | ((lg == right.birth_sound[rj]) & (lg >= 0)))


def _crossed_names(left: IdentityTable, right: IdentityTable, li: np.ndarray, rj: np.ndarray,
                   surname_grade: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(crossed, surname similarity, first-name similarity) where one side's birth name is the
    other's first name and the other way round: looked at only where the surnames disagree
    and a sound says the fields may have been crossed."""
    crossed = np.zeros(len(li), dtype=bool)
    surname = np.full(len(li), -1.0, dtype=np.float32)
    given = np.full(len(li), -1.0, dtype=np.float32)
    hint = (((left.birth_sound[li] == right.given_sound[rj]) & (left.birth_sound[li] >= 0))
            | ((left.given_sound[li] == right.birth_sound[rj]) & (left.given_sound[li] >= 0)))
    look = np.flatnonzero(hint & np.isin(surname_grade, (DIFFERENT, WEAK)))
    if len(look):
        a = _similarity(left, right, "birth_full", "given_first", li[look], rj[look])
        b = _similarity(left, right, "given_first", "birth_full", li[look], rj[look])
        both = (a >= NAME_CLOSE) & (b >= NAME_CLOSE)
        crossed[look[both]] = True
        surname[look] = a
        given[look] = b
    return crossed, surname, given


NAME_AGREES = (EXACT, CLOSE)
GIVEN_AGREES = (EXACT, CLOSE, IN_LIST, ABBREVIATED)
DATE_NEAR = (EXACT, DATE_SWAPPED, DATE_ONE_DIGIT, DATE_YEAR_OFF, DATE_PARTIAL, UNKNOWN,
             DATE_UNREADABLE)


def plausible_pairs(scores: PairScores, same_code: np.ndarray) -> np.ndarray:
    """Pairs the identity-vigilance cell must see, even when their score is low, because one
    wrong or missing field is all that separates them from the same person:

    * the score reaches ``REVIEW_FLOOR``;
    * the same valid NIR, whatever the traits say (a question, not an answer);
    * an identifier agrees otherwise (the same text, one typo apart) with a name, a near birth
      date or the same home;
    * surname and birth date agree at the same postcode (a twin, or the first name wrong);
    * surname and first name (or no first name) agree at the same address, whatever the
      date; or birth date and address agree (the names replaced);
    * surname and first name agree, the birth dates are near (one digit, swapped, a year,
      two of year / month / day) or one is missing, and no two valid NIRs tell them apart;
    * first name and birth date agree, the sex does not differ, and a second trait confirms
      (birthplace, postcode, address or a weak surname): the used name written for the birth
      name, or the birth name of someone the SIH knows only by another.
    """
    surname = np.isin(scores.surname_grade, NAME_AGREES)
    given = np.isin(scores.given_grade, GIVEN_AGREES)
    some_name = np.isin(scores.surname_grade, (EXACT, CLOSE, WEAK)) | np.isin(
        scores.given_grade, (*GIVEN_AGREES, WEAK))
    id_agrees = np.isin(scores.nir_grade, (EXACT, CLOSE, WEAK))
    names_near_date = (surname & given & np.isin(scores.date_grade, DATE_NEAR)
                       & (scores.nir_grade != DIFFERENT))
    home = scores.address >= ADDRESS_SAME
    date_close = np.isin(scores.date_grade, (EXACT, DATE_SWAPPED, DATE_ONE_DIGIT, DATE_YEAR_OFF))
    id_with_more = id_agrees & (some_name | date_close | home)
    same_family = surname & (scores.date_grade == EXACT) & same_code
    given_or_none = given | (scores.given_grade == UNKNOWN)
    at_home = (surname & given_or_none & home) | (
        (scores.date_grade == EXACT) & home & (scores.sex_grade != DIFFERENT))
    confirmed = ((scores.place_grade == EXACT) | same_code | (scores.address >= ADDRESS_SAME)
                 | (scores.surname_grade == WEAK))
    other_surname = (given & (scores.date_grade == EXACT) & (scores.sex_grade != DIFFERENT)
                     & confirmed)
    return ((scores.score >= REVIEW_FLOOR) | (scores.nir_grade == EXACT) | id_with_more
            | names_near_date | same_family | at_home | other_surname)


def _given_grades(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                  rj: np.ndarray, worth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First name against first name (or all joined); a list contained in the other is
    IN_LIST. Where it can change the outcome (``worth``: another name or an identifier
    agrees) and the initials overlap, the parts are related in any order (Pierre Jean,
    Jean-Pierre: IN_LIST) and abbreviations read (J-Pierre, JP: ABBREVIATED)."""
    first = _similarity(left, right, "given_first", "given_first", li, rj)
    joined = _similarity(left, right, "given_all", "given_all", li, rj)
    similarity = np.maximum(first, joined)
    token_set = _similarity(left, right, "given_list", "given_list", li, rj,
                            fuzz.token_set_ratio, 100.0)
    grades = _name_grades(similarity)
    grades[(grades != EXACT) & (grades != UNKNOWN) & (token_set >= NAME_EXACT)] = IN_LIST
    related = np.zeros(len(li), dtype=bool)
    look = np.flatnonzero(worth & (grades != EXACT) & (grades != UNKNOWN) & (grades != IN_LIST)
                          & ((left.given_initials[li] & right.given_initials[rj]) != 0))
    if len(look):
        relation = np.fromiter(
            map(relate_given_names, left.given_text[li[look]], right.given_text[rj[look]]),
            np.int8, len(look))
        grades[look[relation == GIVEN_PARTS]] = IN_LIST
        grades[look[relation == GIVEN_ABBREVIATED]] = ABBREVIATED
        related[look[relation != GIVEN_APART]] = True
    both_lists = (left.given_count[li] >= 2) & (right.given_count[rj] >= 2)
    conflict = both_lists & (token_set >= 0) & (token_set < LIST_CONFLICT) & ~related
    return grades, similarity, conflict


def _equal_grades(a: np.ndarray, b: np.ndarray, missing: int) -> np.ndarray:
    grades = np.where(a == b, EXACT, DIFFERENT).astype(np.int8)
    grades[(a == missing) | (b == missing)] = UNKNOWN
    return grades


def _address_similarity(left: IdentityTable, right: IdentityTable, li: np.ndarray,
                        rj: np.ndarray) -> np.ndarray:
    """Street similarity where the postcodes agree (Jaro-Winkler, or the words in any order:
    « 6 lhotsky street, nunkeri » is « 6 nunkeri, lhotsky street »), 0 where both addresses
    are written under different postcodes, -1 where either is missing: a hint, never a
    penalty."""
    similarity = np.full(len(li), -1.0, dtype=np.float32)
    both = (left.postcode[li] >= 0) & (right.postcode[rj] >= 0)
    same_code = both & (left.postcode[li] == right.postcode[rj])
    similarity[both & ~same_code & left.present("address")[li]
               & right.present("address")[rj]] = 0.0
    if same_code.any():
        a, b = li[same_code], rj[same_code]
        similarity[same_code] = np.maximum(
            _similarity(left, right, "address", "address", a, b),
            _similarity(left, right, "address", "address", a, b, fuzz.token_sort_ratio, 100.0))
    return similarity


def ranked(scores: PairScores) -> tuple[np.ndarray, np.ndarray]:
    """The pairs in rank order (per left row: plausible first, then by score, then by right
    row) and the position where each left row's pairs start."""
    order = np.lexsort((scores.right, -scores.score, ~scores.plausible, scores.left))
    lefts = scores.left[order]
    group_first = np.flatnonzero(np.concatenate(([True], lefts[1:] != lefts[:-1])))
    return order, group_first


def best_per_left(scores: PairScores,
                  ranking: tuple[np.ndarray, np.ndarray] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per left row with candidates: the index of its best pair and of its runner-up (-1);
    ``ranking``: ``ranked(scores)`` when already known."""
    if not len(scores.left):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order, group_first = ranking if ranking is not None else ranked(scores)
    lefts = scores.left[order]
    best = order[group_first]
    second_pos = group_first + 1
    has_second = np.zeros(len(group_first), dtype=bool)
    in_range = second_pos < len(order)
    has_second[in_range] = lefts[second_pos[in_range]] == lefts[group_first[in_range]]
    second = np.full(len(group_first), -1, dtype=np.int64)
    second[has_second] = order[second_pos[has_second]]
    return best, second
