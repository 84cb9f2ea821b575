"""Identity linking: patients under temporary identities matched to the SIH patients they are.

During an outage, patients admitted under a temporary identity (or whose IPP was missing or
unknown to the SIH) must be tied back to their SIH record. A wrong automatic link puts one
person's care in another's record; a true match dropped leaves a patient's paper records
orphaned. So: link only when the strict traits agree, something confirms them and no other
SIH patient comes close; send everything plausible to the identity-vigilance cell (``review``,
with the candidates ranked); ``no_match`` only when nothing plausible exists.

Candidates are found by several blocking keys (``identity_table._pack_keys``) so that one wrong
field never hides the person, then every field is graded (``identity_pairs``):

=============  =====================================================  ============================
field          comparison                                             points
=============  =====================================================  ============================
surname        best of left birth/used name vs right birth/used name  exact +6, close +4, weak +1,
               (a downtime admission often carries the used name),    different -6
               with and without particles, or crossed with the first
               name; Jaro-Winkler: exact ≥ 0.999, close ≥ 0.92, weak
               ≥ 0.85
given names    first vs first (or all joined: Jean-Pierre = Jean      exact +5, in list +3,
               Pierre); "in list" when one list contains the other    abbreviated +3, close +3,
               or the parts agree in another order (Pierre Jean);     weak +1, different -5;
               "abbreviated": J-Pierre, JP; two lists of ≥ 2 names    conflict -2
               sharing little (token set < 0.80) are in conflict
birth date     exact; day/month swapped; one digit off or two         +6, +3, +3, +2, 0;
               neighbouring digits swapped; a year apart; partial     different -8
               (two of year, month, day); an unreadable date          (unreadable text 0)
               compares as text
sex            must agree, or be unknown on one side                  same +1, different -10
birth place    INSEE code, exact                                      same +2, different -3
address        street (Jaro-Winkler or words in any order ≥ 0.90)     +1 (never a penalty)
               when postcodes agree
national id    two valid INS-NIRs: decisive; otherwise the same text  same +8, different -6,
               (passport, hospital number, a NIR with a wrong key)    same text +5, one typo +3
               or one typo apart (6 characters or more)
=============  =====================================================  ============================

The score is the points over 20, kept within 0..1. A pair is **plausible**
(``identity_pairs.plausible_pairs``) when it scores ≥ 0.50, or one wrong or missing field is
all that separates it from the same person, whatever its score.

Decision for each left identity, on its best plausible candidate (``decide_all``):

* ``link`` when the score is ≥ ``LINK_THRESHOLD`` (0.85), every strict trait agrees (birth date
  exact, sex and birthplace not different, no two valid NIRs apart, first name exact and the
  lists not in conflict, surname exact or one typo away, not crossed), a trait beyond names,
  date and sex confirms it (birthplace, the same identifier or the same address; for a surname
  typo, the birthplace or a valid NIR), *and* no competitor: the runner-up scores less than
  best − ``MARGIN`` (0.15). A first name one letter away (Naël / Nahel) or found only further
  in the list goes to review: that is how a twin looks, and twins share every other trait.
* ``review`` for any other plausible best candidate; the other plausible candidates follow it
  in the output (``rank`` 2…, at most ``MAX_CANDIDATES`` rows).
* ``no_match`` otherwise; the reason says whether any SIH patient was compared at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from reentry.errors import UserError
from reentry.files import open_private, written_whole
from reentry.i18n import format_number, tr
from reentry.reconcile.identity_pairs import (
    ABBREVIATED,
    ADDRESS_SAME,
    CLOSE,
    DATE_ONE_DIGIT,
    DATE_PARTIAL,
    DATE_SWAPPED,
    DATE_UNREADABLE,
    DATE_YEAR_OFF,
    DIFFERENT,
    EXACT,
    IN_LIST,
    SURNAME_PAIRINGS,
    UNKNOWN,
    WEAK,
    BlockIndex,
    PairScores,
    best_per_left,
    build_block_index,
    candidate_pairs,
    ranked,
    score_pairs,
)
from reentry.reconcile.identity_table import (
    IdentityTable,
    Vocabulary,
    build_table_from_columns,
    read_columns,
)

LINK_THRESHOLD = 0.85
MARGIN = 0.15
CHUNK = 20_000  # left rows scored together: bounds the memory taken by candidate pairs

LINK, REVIEW, NO_MATCH = "link", "review", "no_match"
OUTPUT_COLUMNS = ("id_left", "id_right", "score", "decision", "fields", "reason", "rank")
MAX_CANDIDATES = 5  # rows per identity sent to review: the best and the next plausible ones

_GRADE_WORDS = {UNKNOWN: "unknown", EXACT: "exact", CLOSE: "close", WEAK: "weak",
                DIFFERENT: "different", DATE_SWAPPED: "swapped", DATE_ONE_DIGIT: "one_digit",
                DATE_YEAR_OFF: "year_off", DATE_UNREADABLE: "unreadable", IN_LIST: "in_list",
                DATE_PARTIAL: "partial", ABBREVIATED: "abbreviated"}
_GIVEN_NOTES = {IN_LIST: "in_list", ABBREVIATED: "abbreviated"}
_SAME_WORDS = {UNKNOWN: "unknown", EXACT: "same", DIFFERENT: "different", CLOSE: "same_text",
               WEAK: "one_typo"}

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
    """One output row: the outcome for a left identity (rank 1), or a further candidate the
    cell should also look at (rank 2, 3…: decision ``review``, the best one named first)."""

    id_left: str
    id_right: str
    score: float
    decision: str
    fields: str
    reason: str
    rank: int = 1

    def row(self) -> tuple[str, ...]:
        return (self.id_left, self.id_right, f"{self.score:.2f}", self.decision, self.fields,
                self.reason, str(self.rank))


@dataclass
class PatientIndex:
    """The SIH side, read, normalised and blocked once: many identity files may be linked
    against it (``link_against``)."""

    table: IdentityTable
    blocks: BlockIndex
    vocabulary: Vocabulary


def index_patients(right: Path) -> PatientIndex:
    """Read an identity file of SIH patients and index it for linking."""
    vocabulary = Vocabulary()
    table = build_table_from_columns(read_columns(Path(right)), vocabulary, add_keys=True)
    return PatientIndex(table, build_block_index(table, len(vocabulary)), vocabulary)


def link_against(index: PatientIndex, left: Path, out: Path,
                 progress: Progress | None = None) -> LinkSummary:
    """Match every identity of ``left`` against an indexed SIH side; write ``out`` whole."""
    left_table = build_table_from_columns(read_columns(Path(left)), index.vocabulary,
                                          add_keys=False)
    decisions = link_tables(left_table, index.table, len(index.vocabulary), progress,
                            blocks=index.blocks)
    write_decisions(Path(out), decisions)
    return summarise(decisions)


def link_identity_files(left: Path, right: Path, out: Path,
                        progress: Progress | None = None) -> LinkSummary:
    """Match every identity of ``left`` against the patients of ``right``; write ``out`` whole."""
    return link_against(index_patients(right), left, out, progress)


def summarise(decisions: list[Decision]) -> LinkSummary:
    """Decisions per left identity (further candidates are not counted again)."""
    counts = {LINK: 0, REVIEW: 0, NO_MATCH: 0}
    for decision in decisions:
        if decision.rank == 1:
            counts[decision.decision] += 1
    return LinkSummary(**counts)


def link_tables(left: IdentityTable, right: IdentityTable, key_count: int,
                progress: Progress | None = None, blocks: BlockIndex | None = None
                ) -> list[Decision]:
    """Per left row, in the left file's order: its decision, then, when it goes to review,
    the other plausible candidates, best first (``MAX_CANDIDATES`` rows in all)."""
    index = blocks if blocks is not None else build_block_index(right, key_count)
    decisions: list[Decision] = []
    for first in range(0, len(left), CHUNK):
        stop = min(first + CHUNK, len(left))
        li, rj = candidate_pairs(left, index, first, stop)
        met = np.zeros(stop - first, dtype=bool)
        met[li - first] = True
        scores = score_pairs(left, right, li, rj)
        decisions.extend(_decide_chunk(left, right, scores, first, stop, met))
        if progress:
            progress(stop, len(left))
    return decisions


def _decide_chunk(left: IdentityTable, right: IdentityTable, scores: PairScores, first: int,
                  stop: int, met: np.ndarray) -> list[Decision]:
    ranking = ranked(scores) if len(scores.left) else None
    best, second = best_per_left(scores, ranking)
    decided = dict(zip(scores.left[best].tolist(), decide_all(left, right, scores, best,
                                                              second), strict=True))
    further = _further_candidates(right, scores, decided, ranking)
    no_candidate = tr("identity.reason_no_candidate")
    none_plausible = tr("identity.reason_none_plausible")
    rows: list[Decision] = []
    for row in range(first, stop):
        decision = decided.get(row)
        if decision is None:
            reason = none_plausible if met[row - first] else no_candidate
            rows.append(Decision(left.ids[row], "", 0.0, NO_MATCH, "", reason))
            continue
        rows.append(decision)
        rows.extend(further.get(row, ()))
    return rows


def _further_candidates(right: IdentityTable, scores: PairScores, decided: dict[int, Decision],
                        ranking: tuple[np.ndarray, np.ndarray] | None
                        ) -> dict[int, list[Decision]]:
    """For each left row sent to review, its other plausible candidates (ranks 2…)."""
    if ranking is None:
        return {}
    order, starts = ranking
    lefts = scores.left[order]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    reviewed = np.array([decided[r].decision == REVIEW for r in lefts.tolist()], dtype=bool)
    chosen = order[(rank >= 1) & (rank < MAX_CANDIDATES) & reviewed & scores.plausible[order]]
    if not len(chosen):
        return {}
    fields = describe_all(scores, chosen)
    template = tr("identity.reason_other_candidate")
    further: dict[int, list[Decision]] = {}
    for n, pair in enumerate(chosen.tolist()):
        row = int(scores.left[pair])
        first = decided[row]
        listed = further.setdefault(row, [])
        listed.append(Decision(first.id_left, right.ids[int(scores.right[pair])],
                               float(scores.score[pair]), REVIEW, fields[n],
                               template.format(best=first.id_right), rank=len(listed) + 2))
    return further


# What forbids an automatic link, as bits, in the order reasons list them. ``corroboration``:
# a surname one typo away that neither the birthplace nor a valid NIR confirms;
# ``confirmation``: names, date and sex alone, with nothing else to tell a strict namesake.
_PROBLEMS = ("birth_date", "sex", "birth_place", "national_id", "given_names", "birth_name",
             "names_crossed", "corroboration", "confirmation")
_BIT = {name: 1 << n for n, name in enumerate(_PROBLEMS)}
# What confirms names, birth date and sex, as bits, in the order the link reason names them.
_CONFIRMATIONS = ("birth_place", "national_id", "address")


def problem_bits(left: IdentityTable, right: IdentityTable, scores: PairScores,
                 pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(what forbids a link, what confirms it) for many pairs, as bits (``_PROBLEMS``,
    ``_CONFIRMATIONS``).

    A link needs every strict trait to agree: birth date exact, sex and birthplace not
    different, no two valid NIRs apart, first name exact (a first name one letter away, or
    found only further in the list, is how a twin looks) and the lists not in conflict, the
    surname exact or one typo away; and one trait beyond names, date and sex to confirm it:
    the birthplace, the same NIR or identifier, or the same address (for a surname typo: the
    birthplace or a valid NIR). Without it, a strict namesake (same names and birth date,
    another person) would be linked whenever the birthplace was not written.
    """
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
    bits |= np.where(scores.crossed[pairs], _BIT["names_crossed"], 0)
    place = scores.place_grade[pairs] == EXACT
    nir = scores.nir_grade[pairs]
    address = scores.address[pairs] >= ADDRESS_SAME
    confirms = (place * 1) | (np.isin(nir, (EXACT, CLOSE)) * 2) | (address * 4)
    strict = place | (nir == EXACT)
    bits |= np.where(typo & ~strict & (bits == 0), _BIT["corroboration"], 0)
    bits |= np.where(~typo & (confirms == 0) & (bits == 0), _BIT["confirmation"], 0)
    return bits, confirms


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
    """Link, review or no match for many left identities at once, from their best pair and
    runner-up (-1 when none); see the module docstring."""
    score = scores.score[best].astype(np.float64)
    nir_grade = scores.nir_grade[best]
    weak = ~scores.plausible[best]
    has_second = (second >= 0) & scores.plausible[np.maximum(second, 0)]
    second_score = np.where(has_second, scores.score[np.maximum(second, 0)].astype(np.float64),
                            -np.inf)
    competitor = ~weak & has_second & (second_score > score - MARGIN)
    bits, confirms = problem_bits(left, right, scores, best)
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
                                      reasons.link(int(confirms[n]))))
        else:
            decisions.append(Decision(id_left[n], id_right[n], value, REVIEW, fields[n],
                                      reasons.review(int(nir_grade[n]), int(bits[n]))))
    return decisions


class _Reasons:
    """The reasons of ``decide_all``, each text made once per distinct case."""

    def __init__(self) -> None:
        self._weak = tr("identity.reason_weak")
        self._competitor = tr("identity.reason_competitor")
        self._review: dict[tuple[int, int], str] = {}
        self._link: dict[int, str] = {}

    def weak(self, score: float) -> str:
        return self._weak.format(score=format_number(score, 2))

    def competitor(self, other: str, score: float) -> str:
        return self._competitor.format(other=other, other_score=format_number(score, 2))

    def link(self, confirms: int) -> str:
        if confirms not in self._link:
            names = [_field_name(name) for n, name in enumerate(_CONFIRMATIONS)
                     if confirms & (1 << n)]
            self._link[confirms] = tr("identity.reason_link", confirmed=", ".join(names))
        return self._link[confirms]

    def review(self, nir_grade: int, bits: int) -> str:
        key = (nir_grade, bits)
        if key not in self._review:
            problems = [name for name in _PROBLEMS if bits & _BIT[name]]
            self._review[key] = _review_text(nir_grade, problems)
        return self._review[key]


def _field_name(name: str) -> str:
    """A field as people call it (``Lieu de naissance``), from the agreement vocabulary."""
    return tr(f"agreement.field_{name}")


def decide(left: IdentityTable, right: IdentityTable, scores: PairScores, best: int,
           second: int) -> Decision:
    """``decide_all`` for one left identity."""
    return decide_all(left, right, scores, np.array([best]), np.array([second]))[0]


def _review_text(nir_grade: int, problems: list[str]) -> str:
    if problems == ["corroboration"]:
        return tr("identity.reason_uncorroborated")
    if problems == ["confirmation"]:
        return tr("identity.reason_unconfirmed")
    fields = ", ".join(_field_name(p) for p in problems
                       if p not in ("corroboration", "confirmation"))
    if nir_grade == EXACT and problems:
        return tr("identity.reason_nir_traits", fields=fields)
    if nir_grade == DIFFERENT and not [p for p in problems if p != "national_id"]:
        return tr("identity.reason_nir_differs")
    return tr("identity.reason_partial", fields=fields or tr("identity.score_only"))


def describe_fields(scores: PairScores, pair: int) -> str:
    """``describe_all`` for one pair."""
    return describe_all(scores, np.array([pair]))[0]


def _numbers(values: np.ndarray) -> list[str]:
    """Each similarity as written in ``fields`` (``unknown`` when not compared), each distinct
    value formatted once."""
    shown = {v: ("unknown" if v < 0 else f"{v:.2f}") for v in dict.fromkeys(values.tolist())}
    return [shown[v] for v in values.tolist()]


def describe_all(scores: PairScores, pairs: np.ndarray) -> list[str]:
    """``birth_name=1.00;given_names=0.92;birth_date=exact;sex=same;...`` of each pair."""
    surname = _numbers(scores.surname[pairs])
    pairing = scores.surname_pairing[pairs].tolist()
    given = _numbers(scores.given[pairs])
    given_notes = [_GIVEN_NOTES.get(g) for g in scores.given_grade[pairs].tolist()]
    conflict = scores.given_conflict[pairs].tolist()
    crossed = scores.crossed[pairs].tolist()
    address = _numbers(scores.address[pairs])
    dates = [_GRADE_WORDS[g] for g in scores.date_grade[pairs].tolist()]
    sexes = [_SAME_WORDS[g] for g in scores.sex_grade[pairs].tolist()]
    places = [_SAME_WORDS[g] for g in scores.place_grade[pairs].tolist()]
    nirs = [_SAME_WORDS[g] for g in scores.nir_grade[pairs].tolist()]
    described = []
    for n in range(len(pairs)):
        name = surname[n]
        if crossed[n]:
            name = f"{name}(crossed)"
        elif name != "unknown" and pairing[n]:
            left_kind, right_kind = SURNAME_PAIRINGS[pairing[n]]
            name = f"{name}({left_kind}/{right_kind})"
        first = given[n]
        if given_notes[n]:
            first = f"{first}({given_notes[n]})"
        if conflict[n]:
            first = f"{first}(conflict)"
        if crossed[n]:
            first = f"{first}(crossed)"
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
    try:
        with written_whole(target) as partial, open_private(
                partial, "w", encoding="utf-8-sig") as handle:
            handle.write(buffer.getvalue())
    except OSError as error:
        raise UserError("identity.cannot_write", path=str(target),
                        detail=error.strerror or str(error)) from error
