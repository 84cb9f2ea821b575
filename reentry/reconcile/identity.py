"""Identity linking: patients under temporary identities matched to the SIH patients they are.

During an outage, patients admitted under a temporary identity (or whose IPP was missing or
unknown to the SIH) must be tied back to their SIH record. A wrong automatic link puts one
person's care in another's record, so the rule is: link only when the strict traits agree and
no other SIH patient comes close; everything else plausible goes to the identity-vigilance cell
(``review``); the rest is ``no_match``.

Fields and how each is compared (points add up to the score = points / 20, kept within 0..1):

=============  =====================================================  ============================
field          comparison                                             points
=============  =====================================================  ============================
surname        best of left birth/used name vs right birth/used name  exact +6, close +4, weak +1,
               (a downtime admission often carries the used name),    different -6
               with and without particles; Jaro-Winkler: exact
               ≥ 0.999, close ≥ 0.92, weak ≥ 0.85
given names    first vs first (or all joined: Jean-Pierre = Jean      exact +5, in list +3,
               Pierre); "in list" when one list contains the other;   close +3, weak +1,
               two lists of ≥ 2 names sharing little (token set       different -5; conflict -2
               < 0.80) are in conflict
birth date     exact; day/month swapped; one digit off; year off by   +6, +3, +3, +2; different -8
               one; an unreadable date compares as text               (unreadable text 0)
sex            must agree, or be unknown on one side                  same +1, different -10
birth place    INSEE code, exact                                      same +2, different -3
address        street (Jaro-Winkler ≥ 0.90) when postcodes agree      +1 (never a penalty)
national id    INS-NIR, decisive only when both valid                 same +8, different -6;
                                                                      equal invalid text +2
=============  =====================================================  ============================

Decision for each left identity, on its best candidate:

* ``link`` when the score is ≥ ``LINK_THRESHOLD`` (0.85) *and* every strict trait agrees:
  birth date exact, sex not different, birth place not different, NIR not different, first
  name exact and the lists not in conflict, surname exact or one typo away (one edit,
  transpositions included) when a second strict trait confirms it (same birth place or same
  valid NIR), *and* no competitor: the runner-up scores less than best − ``MARGIN`` (0.15).
  A first name one letter away (Naël / Nahel) or found only further in the list goes to review:
  that is how a twin looks, and twins share every other trait. Twins and a father and son
  (other birth year) therefore never link to each other.
* ``review`` when the score is ≥ ``REVIEW_THRESHOLD`` (0.50), or the two valid NIRs are equal
  whatever the traits say (an equal NIR with different traits is a question, not an answer).
* ``no_match`` otherwise; the best score is still written to say how far the nearest was.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from reentry.errors import UserError
from reentry.i18n import tr
from reentry.reconcile.identity_pairs import (
    CLOSE,
    DATE_ONE_DIGIT,
    DATE_SWAPPED,
    DATE_UNREADABLE,
    DATE_YEAR_OFF,
    DIFFERENT,
    EXACT,
    IN_LIST,
    SURNAME_PAIRINGS,
    UNKNOWN,
    WEAK,
    PairScores,
    best_per_left,
    build_block_index,
    candidate_pairs,
    score_pairs,
)
from reentry.reconcile.identity_table import (
    IdentityTable,
    Vocabulary,
    build_table_from_columns,
    read_columns,
)

LINK_THRESHOLD = 0.85
REVIEW_THRESHOLD = 0.50
MARGIN = 0.15
CHUNK = 20_000  # left rows scored together: bounds the memory taken by candidate pairs

LINK, REVIEW, NO_MATCH = "link", "review", "no_match"
OUTPUT_COLUMNS = ("id_left", "id_right", "score", "decision", "fields", "reason")

_GRADE_WORDS = {UNKNOWN: "unknown", EXACT: "exact", CLOSE: "close", WEAK: "weak",
                DIFFERENT: "different", DATE_SWAPPED: "swapped", DATE_ONE_DIGIT: "one_digit",
                DATE_YEAR_OFF: "year_off", DATE_UNREADABLE: "unreadable", IN_LIST: "in_list"}
_SAME_WORDS = {UNKNOWN: "unknown", EXACT: "same", DIFFERENT: "different", CLOSE: "same_text"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LinkSummary:
    """How many left identities got each decision."""

    link: int = 0
    review: int = 0
    no_match: int = 0

    @property
    def total(self) -> int:
        return self.link + self.review + self.no_match


@dataclass(frozen=True)
class Decision:
    """The outcome for one left identity: one output row."""

    id_left: str
    id_right: str
    score: float
    decision: str
    fields: str
    reason: str

    def row(self) -> tuple[str, ...]:
        return (self.id_left, self.id_right, f"{self.score:.2f}", self.decision, self.fields,
                self.reason)


def link_identity_files(left: Path, right: Path, out: Path,
                        progress: Progress | None = None) -> LinkSummary:
    """Match every identity of ``left`` against the patients of ``right``; write ``out`` whole."""
    vocabulary = Vocabulary()
    right_table = build_table_from_columns(read_columns(Path(right)), vocabulary,
                                           add_keys=True)
    left_table = build_table_from_columns(read_columns(Path(left)), vocabulary,
                                          add_keys=False)
    decisions = link_tables(left_table, right_table, len(vocabulary), progress)
    write_decisions(Path(out), decisions)
    return summarise(decisions)


def summarise(decisions: list[Decision]) -> LinkSummary:
    counts = {LINK: 0, REVIEW: 0, NO_MATCH: 0}
    for decision in decisions:
        counts[decision.decision] += 1
    return LinkSummary(**counts)


def link_tables(left: IdentityTable, right: IdentityTable, key_count: int,
                progress: Progress | None = None) -> list[Decision]:
    """One decision per left row, in the left file's order."""
    index = build_block_index(right, key_count)
    decisions: list[Decision] = []
    for first in range(0, len(left), CHUNK):
        stop = min(first + CHUNK, len(left))
        li, rj = candidate_pairs(left, index, first, stop)
        scores = score_pairs(left, right, li, rj)
        decisions.extend(_decide_chunk(left, right, scores, first, stop))
        if progress:
            progress(stop, len(left))
    return decisions


def _decide_chunk(left: IdentityTable, right: IdentityTable, scores: PairScores, first: int,
                  stop: int) -> list[Decision]:
    best, second = best_per_left(scores)
    decided = dict(zip(scores.left[best].tolist(), decide_all(left, right, scores, best,
                                                              second), strict=True))
    no_candidate = tr("identity.reason_no_candidate")
    return [decided.get(row) or Decision(left.ids[row], "", 0.0, NO_MATCH, "", no_candidate)
            for row in range(first, stop)]


# The strict traits that forbid an automatic link, as bits, in the order reasons list them.
_PROBLEMS = ("birth_date", "sex", "birth_place", "national_id", "given_names", "birth_name",
             "corroboration")
_BIT = {name: 1 << n for n, name in enumerate(_PROBLEMS)}


def problem_bits(left: IdentityTable, right: IdentityTable, scores: PairScores,
                 pairs: np.ndarray) -> np.ndarray:
    """``link_problems`` of many pairs at once, as bits (``_PROBLEMS`` order)."""
    bits = np.zeros(len(pairs), dtype=np.int64)
    bits |= np.where(scores.date_grade[pairs] != EXACT, _BIT["birth_date"], 0)
    bits |= np.where(scores.sex_grade[pairs] == DIFFERENT, _BIT["sex"], 0)
    bits |= np.where(scores.place_grade[pairs] == DIFFERENT, _BIT["birth_place"], 0)
    bits |= np.where(scores.nir_grade[pairs] == DIFFERENT, _BIT["national_id"], 0)
    bits |= np.where(scores.given_conflict[pairs] | (scores.given_grade[pairs] != EXACT),
                     _BIT["given_names"], 0)
    grade = scores.surname_grade[pairs]
    typo = np.zeros(len(pairs), dtype=bool)
    close = np.flatnonzero(grade == CLOSE)
    if len(close):
        typo[close] = _surname_edits(left, right, scores, pairs[close]) <= 1
    bits |= np.where((grade != EXACT) & ~typo, _BIT["birth_name"], 0)
    confirmed = (scores.place_grade[pairs] == EXACT) | (scores.nir_grade[pairs] == EXACT)
    bits |= np.where(typo & ~confirmed & (bits == 0), _BIT["corroboration"], 0)
    return bits


def _surname_edits(left: IdentityTable, right: IdentityTable, scores: PairScores,
                   pairs: np.ndarray) -> np.ndarray:
    """Edits (OSA: a transposition counts one) between the surnames each pair compared."""
    edits = np.zeros(len(pairs), dtype=np.int64)
    pairing = scores.surname_pairing[pairs]
    for number, (left_kind, right_kind) in enumerate(SURNAME_PAIRINGS):
        chosen = np.flatnonzero(pairing == number)
        if len(chosen):
            a = getattr(left, f"{left_kind}_full")[scores.left[pairs[chosen]]]
            b = getattr(right, f"{right_kind}_full")[scores.right[pairs[chosen]]]
            edits[chosen] = process.cpdist(list(a), list(b), scorer=OSA.distance,
                                           dtype=np.int64)
    return edits


def decide_all(left: IdentityTable, right: IdentityTable, scores: PairScores,
               best: np.ndarray, second: np.ndarray) -> list[Decision]:
    """``decide`` for many left identities at once (their best pair and runner-up, -1 when
    none): the same rules, with the traits compared as arrays."""
    score = scores.score[best].astype(np.float64)
    nir_grade = scores.nir_grade[best]
    weak = (score < REVIEW_THRESHOLD) & (nir_grade != EXACT)
    has_second = second >= 0
    second_score = np.where(has_second, scores.score[np.maximum(second, 0)].astype(np.float64),
                            -np.inf)
    competitor = ~weak & has_second & (second_score > score - MARGIN)
    bits = problem_bits(left, right, scores, best)
    link = ~weak & ~competitor & (score >= LINK_THRESHOLD) & (bits == 0)
    fields = describe_all(scores, best)
    id_left = [left.ids[r] for r in scores.left[best].tolist()]
    id_right = [right.ids[r] for r in scores.right[best].tolist()]
    other = [right.ids[r] for r in scores.right[np.maximum(second, 0)].tolist()]
    reasons = _Reasons()
    decisions = []
    for n, (is_weak, is_rival, is_link) in enumerate(zip(weak.tolist(), competitor.tolist(),
                                                         link.tolist(), strict=True)):
        value = float(score[n])
        if is_weak:
            decisions.append(Decision(id_left[n], "", value, NO_MATCH, "",
                                      reasons.weak(value)))
        elif is_rival:
            decisions.append(Decision(id_left[n], id_right[n], value, REVIEW, fields[n],
                                      reasons.competitor(other[n], float(second_score[n]))))
        elif is_link:
            decisions.append(Decision(id_left[n], id_right[n], value, LINK, fields[n],
                                      reasons.link))
        else:
            decisions.append(Decision(id_left[n], id_right[n], value, REVIEW, fields[n],
                                      reasons.review(int(nir_grade[n]), int(bits[n]))))
    return decisions


class _Reasons:
    """The reasons of ``decide``, with templates looked up once."""

    def __init__(self) -> None:
        self.link = tr("identity.reason_link")
        self._weak = tr("identity.reason_weak")
        self._competitor = tr("identity.reason_competitor")
        self._review: dict[tuple[int, int], str] = {}

    def weak(self, score: float) -> str:
        return self._weak.format(score=f"{score:.2f}")

    def competitor(self, other: str, score: float) -> str:
        return self._competitor.format(other=other, other_score=f"{score:.2f}")

    def review(self, nir_grade: int, bits: int) -> str:
        key = (nir_grade, bits)
        if key not in self._review:
            problems = [name for name in _PROBLEMS if bits & _BIT[name]]
            self._review[key] = _review_text(nir_grade, problems)
        return self._review[key]


def decide(left: IdentityTable, right: IdentityTable, scores: PairScores, best: int,
           second: int) -> Decision:
    """Link, review or no match for one left identity, from its best pair and runner-up."""
    score = float(scores.score[best])
    id_left = left.ids[int(scores.left[best])]
    id_right = right.ids[int(scores.right[best])]
    fields = describe_fields(scores, best)
    nir_equal = scores.nir_grade[best] == EXACT
    if score < REVIEW_THRESHOLD and not nir_equal:
        return Decision(id_left, "", score, NO_MATCH, "",
                        tr("identity.reason_weak", score=f"{score:.2f}"))
    if second >= 0 and float(scores.score[second]) > score - MARGIN:
        reason = tr("identity.reason_competitor", other=right.ids[int(scores.right[second])],
                    other_score=f"{float(scores.score[second]):.2f}")
        return Decision(id_left, id_right, score, REVIEW, fields, reason)
    problems = link_problems(left, right, scores, best)
    if score >= LINK_THRESHOLD and not problems:
        return Decision(id_left, id_right, score, LINK, fields, tr("identity.reason_link"))
    return Decision(id_left, id_right, score, REVIEW, fields, _review_reason(scores, best,
                                                                             problems))


def _review_reason(scores: PairScores, best: int, problems: list[str]) -> str:
    return _review_text(int(scores.nir_grade[best]), problems)


def _review_text(nir_grade: int, problems: list[str]) -> str:
    if nir_grade == EXACT and problems:
        return tr("identity.reason_nir_traits", fields=", ".join(problems))
    if nir_grade == DIFFERENT and not [p for p in problems if p != "national_id"]:
        return tr("identity.reason_nir_differs")
    if problems == ["corroboration"]:
        return tr("identity.reason_uncorroborated")
    return tr("identity.reason_partial", fields=", ".join(problems) or "score")


def link_problems(left: IdentityTable, right: IdentityTable, scores: PairScores,
                  best: int) -> list[str]:
    """The strict traits that forbid an automatic link (empty list: none)."""
    problems = []
    if scores.date_grade[best] != EXACT:
        problems.append("birth_date")
    if scores.sex_grade[best] == DIFFERENT:
        problems.append("sex")
    if scores.place_grade[best] == DIFFERENT:
        problems.append("birth_place")
    if scores.nir_grade[best] == DIFFERENT:
        problems.append("national_id")
    if scores.given_conflict[best]:
        problems.append("given_names")
    typos = _name_typos(left, right, scores, best, problems)
    confirmed = scores.place_grade[best] == EXACT or scores.nir_grade[best] == EXACT
    if typos and not confirmed and not problems:
        problems.append("corroboration")
    return problems


def _name_typos(left: IdentityTable, right: IdentityTable, scores: PairScores, best: int,
                problems: list[str]) -> int:
    """1 when the surname is one typo away, 0 when exact; a bigger gap is a problem.

    The first name must be exact: a first name one letter away (Naël, Nahel) or found further
    in the list is how a twin looks, and a twin shares every other strict trait.
    """
    if scores.given_grade[best] != EXACT and "given_names" not in problems:
        problems.append("given_names")
    grade = scores.surname_grade[best]
    if grade == EXACT:
        return 0
    if grade == CLOSE and OSA.distance(*_surname_strings(left, right, scores, best)) <= 1:
        return 1
    problems.append("birth_name")
    return 0


def _surname_strings(left: IdentityTable, right: IdentityTable, scores: PairScores,
                     best: int) -> tuple[str, str]:
    left_kind, right_kind = SURNAME_PAIRINGS[int(scores.surname_pairing[best])]
    a = getattr(left, f"{left_kind}_full")[scores.left[best]]
    b = getattr(right, f"{right_kind}_full")[scores.right[best]]
    return a, b


def describe_fields(scores: PairScores, pair: int) -> str:
    """``birth_name=1.00;given_names=0.92;birth_date=exact;sex=same;...`` for one pair."""
    surname = _number(scores.surname[pair])
    if surname != "unknown" and SURNAME_PAIRINGS[int(scores.surname_pairing[pair])] != (
            "birth", "birth"):
        left_kind, right_kind = SURNAME_PAIRINGS[int(scores.surname_pairing[pair])]
        surname = f"{surname}({left_kind}/{right_kind})"
    given = _number(scores.given[pair])
    if scores.given_grade[pair] == IN_LIST:
        given = f"{given}(in_list)"
    if scores.given_conflict[pair]:
        given = f"{given}(conflict)"
    parts = (f"birth_name={surname}", f"given_names={given}",
             f"birth_date={_GRADE_WORDS[int(scores.date_grade[pair])]}",
             f"sex={_SAME_WORDS[int(scores.sex_grade[pair])]}",
             f"birth_place={_SAME_WORDS[int(scores.place_grade[pair])]}",
             f"address={_number(scores.address[pair])}",
             f"national_id={_SAME_WORDS[int(scores.nir_grade[pair])]}")
    return ";".join(parts)


def _number(value: np.floating) -> str:
    return "unknown" if value < 0 else f"{float(value):.2f}"


def _numbers(values: np.ndarray) -> list[str]:
    """``_number`` of each value, each distinct value formatted once."""
    shown = {v: ("unknown" if v < 0 else f"{v:.2f}") for v in dict.fromkeys(values.tolist())}
    return [shown[v] for v in values.tolist()]


def describe_all(scores: PairScores, pairs: np.ndarray) -> list[str]:
    """``describe_fields`` of many pairs at once."""
    surname = _numbers(scores.surname[pairs])
    pairing = scores.surname_pairing[pairs].tolist()
    given = _numbers(scores.given[pairs])
    in_list = (scores.given_grade[pairs] == IN_LIST).tolist()
    conflict = scores.given_conflict[pairs].tolist()
    address = _numbers(scores.address[pairs])
    dates = [_GRADE_WORDS[g] for g in scores.date_grade[pairs].tolist()]
    sexes = [_SAME_WORDS[g] for g in scores.sex_grade[pairs].tolist()]
    places = [_SAME_WORDS[g] for g in scores.place_grade[pairs].tolist()]
    nirs = [_SAME_WORDS[g] for g in scores.nir_grade[pairs].tolist()]
    described = []
    for n in range(len(pairs)):
        name = surname[n]
        if name != "unknown" and pairing[n]:
            left_kind, right_kind = SURNAME_PAIRINGS[pairing[n]]
            name = f"{name}({left_kind}/{right_kind})"
        first = given[n]
        if in_list[n]:
            first = f"{first}(in_list)"
        if conflict[n]:
            first = f"{first}(conflict)"
        described.append(f"birth_name={name};given_names={first};birth_date={dates[n]};"
                         f"sex={sexes[n]};birth_place={places[n]};address={address[n]};"
                         f"national_id={nirs[n]}")
    return described


def write_decisions(target: Path, decisions: list[Decision]) -> None:
    """The links file, written whole or not at all (a temporary file, then a rename)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(OUTPUT_COLUMNS)
    writer.writerows(d.row() for d in decisions)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(buffer.getvalue(), encoding="utf-8-sig")
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError("identity.cannot_write", path=str(target),
                        detail=error.strerror or str(error)) from error
