"""Temporary identities against SIH patients, every plausible candidate kept for the cell.

``reentry.reconcile.identity`` decides link / review / no_match on the best candidate; the
identity-vigilance cell needs to see the others too (a twin, a namesake), so this module scores
every candidate pair with the same functions and keeps up to ``MAX_CANDIDATES`` per temporary
identity, each with its score and field agreements, beside the automatic decision.

Rows are identity-file rows: values in ``identity_table.COLUMNS`` order (id, birth_name,
used_name, given_names, birth_date, sex, birth_place, address, postcode, city, national_id).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reentry import i18n
from reentry.domain.review import PatientIdentity
from reentry.domain.review_run import Candidate, IdentityOutcome
from reentry.model import Patient
from reentry.reconcile.identity import (
    MAX_CANDIDATES,
    NO_MATCH,
    Decision,
    decide,
    describe_fields,
)
from reentry.reconcile.identity_pairs import (
    best_per_left,
    build_block_index,
    candidate_pairs,
    score_pairs,
)
from reentry.reconcile.identity_table import (
    COLUMNS,
    Vocabulary,
    build_table,
    build_table_from_columns,
    read_columns,
    read_rows,
)
from reentry.store.areas import Store

IdentityRow = list[str]
IdentityColumns = list[Sequence[str]]  # one per COLUMNS, all as long


def traits(row: Sequence[str]) -> PatientIdentity:
    values = dict(zip(COLUMNS, row, strict=False))
    return PatientIdentity.from_dict(values)


def rows_from_file(path: Path) -> list[IdentityRow]:
    """An identity CSV (the columns of ``reentry link-identities``)."""
    return [values for _line, values in read_rows(Path(path))]


def columns_from_file(path: Path) -> IdentityColumns:
    """An identity CSV as columns (``identity_table.read_columns``: what ``rows_from_file``
    gives, read whole rather than row by row)."""
    return read_columns(Path(path))


def columns_of(rows: Sequence[IdentityRow]) -> IdentityColumns:
    """Identity rows as columns, in ``COLUMNS`` order."""
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in COLUMNS]


def traits_by_id(columns: IdentityColumns) -> dict[str, PatientIdentity]:
    """``{row[0]: traits(row)}`` for every row, made column by column."""
    fields = [[str(v or "") for v in columns[COLUMNS.index(name)]]
              for name in PatientIdentity.__dataclass_fields__]
    return dict(zip(columns[0], map(PatientIdentity, *fields), strict=True))


def rows_from_patients(patients: Iterable[Patient]) -> list[IdentityRow]:
    """SIH patients read from a FHIR or HL7 export, as identity rows keyed by IPP."""
    rows: dict[str, IdentityRow] = {}
    for p in patients:
        if not p.ipp:
            continue
        rows[p.ipp] = [p.ipp, p.birth_name or "", p.used_name or "", p.given_names or "",
                       p.birth_date.isoformat() if p.birth_date else "",
                       p.sex.value if p.sex else "", p.birthplace_insee or "", p.address or "",
                       p.postcode or "", p.city or "", p.ins_nir or ""]
    return list(rows.values())


def admission_rows(store: Store) -> list[IdentityRow] | None:
    """The identities written on downtime admission packets, when that module is installed.

    ``reentry.admission.provisional_identities(store)`` gives identity-file rows (mappings by
    column name, or sequences in column order); None when the module is not there.
    """
    try:
        module = importlib.import_module("reentry.admission")
    except ImportError:
        return None
    provider = getattr(module, "provisional_identities", None)
    if provider is None:
        return None
    return [_as_row(row) for row in provider(store)]


def _as_row(row: Any) -> IdentityRow:
    if isinstance(row, Mapping):
        return [str(row.get(column) or "") for column in COLUMNS]
    values = [str(v or "") for v in row]
    return (values + [""] * len(COLUMNS))[:len(COLUMNS)]


def link_candidates(left_rows: Sequence[IdentityRow], right_rows: Sequence[IdentityRow]
                    ) -> list[IdentityOutcome]:
    """One outcome per left row, in order; the decision is ``reconcile.identity``'s own."""
    return link_against_columns(left_rows, columns_of(right_rows))


def link_against_columns(left_rows: Sequence[IdentityRow], right_columns: IdentityColumns
                         ) -> list[IdentityOutcome]:
    """``link_candidates``, the SIH patients as columns (``columns_from_file``)."""
    if not left_rows:
        return []
    vocabulary = Vocabulary()
    right = build_table_from_columns(right_columns, vocabulary, add_keys=True)
    left = build_table(enumerate(left_rows, start=2), vocabulary, add_keys=False)
    index = build_block_index(right, len(vocabulary))
    li, rj = candidate_pairs(left, index, 0, len(left))
    scores = score_pairs(left, right, li, rj)
    best, second = best_per_left(scores)
    by_left = {int(scores.left[b]): (int(b), int(s)) for b, s in zip(best, second, strict=True)}
    pairs_of: dict[int, list[int]] = {}
    for pair in range(len(scores.left)):
        pairs_of.setdefault(int(scores.left[pair]), []).append(pair)
    outcomes = []
    for row in range(len(left)):
        if row not in by_left:
            outcomes.append(_no_candidate(left.ids[row]))
            continue
        reasons = {}
        for lang in i18n.LANGUAGES:
            with i18n.language(lang):
                decision = decide(left, right, scores, *by_left[row])
            reasons[lang] = decision.reason
        outcomes.append(_outcome(decision, reasons, scores, pairs_of[row], right.ids,
                                 by_left[row][0]))
    return outcomes


def _no_candidate(left_id: str) -> IdentityOutcome:
    reasons = {}
    for lang in i18n.LANGUAGES:
        reasons[lang] = i18n.tr("identity.reason_no_candidate", lang=lang)
    return IdentityOutcome(left_id, NO_MATCH, None, 0.0, "", reasons, [])


def _outcome(decision: Decision, reasons: dict[str, str], scores: Any, pairs: list[int],
             right_ids: list[str], best: int) -> IdentityOutcome:
    ranked = sorted(pairs, key=lambda p: (not scores.plausible[p], -float(scores.score[p]),
                                          right_ids[int(scores.right[p])]))
    kept = [p for p in ranked if scores.plausible[p] or p == best]
    candidates = [Candidate(right_ids[int(scores.right[p])], round(float(scores.score[p]), 4),
                            describe_fields(scores, p)) for p in kept[:MAX_CANDIDATES]]
    return IdentityOutcome(decision.id_left, decision.decision, decision.id_right or None,
                           round(decision.score, 4), decision.fields, reasons, candidates)
