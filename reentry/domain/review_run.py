"""A reconciliation run as the store keeps it: the run, one record per verdict (its JSON columns
already encoded), the SIH items as JSON, and the automatic decision on each temporary identity.

The review service builds these (``reentry.review.record``, ``reentry.review.identities``); the
store writes them in one transaction (``reentry.store.sql_review``). Both import them from
here, so that the store never imports a service.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as _string
from typing import Any, NamedTuple

from reentry import clock
from reentry.domain.entry import User
from reentry.domain.items import SihItem
from reentry.domain.review import PatientIdentity, SourceInfo


@dataclass(frozen=True)
class Candidate:
    right_id: str
    score: float
    fields: str


@dataclass(frozen=True)
class IdentityOutcome:
    """The automatic decision for one temporary identity and its candidates, best first."""

    left_id: str
    decision: str
    right_id: str | None
    score: float
    fields: str
    reason: dict[str, str]  # language → why
    candidates: list[Candidate]


def item_dict(item: SihItem) -> dict[str, Any]:
    return {"id": item.id, "ipp": item.ipp, "kind": item.kind, "code": item.code,
            "effective_time": clock.to_storage(item.effective_time), "value": item.value,
            "value_text": item.value_text, "unit": item.unit, "route": item.route,
            "text": item.text, "nda": item.nda, "author": item.author, "status": item.status}


class ItemJson:
    """``json.dumps(item_dict(item), ensure_ascii=False)``, the same text, written field by field
    (a run stores a hundred thousand of them); instants repeat and are converted once."""

    def __init__(self) -> None:
        self._times: dict[datetime, str] = {}

    def time(self, moment: datetime) -> str:
        found = self._times.get(moment)
        if found is None:
            found = self._times[moment] = clock.to_storage(moment)
        return found

    def __call__(self, item: SihItem, extra: str = "") -> str:
        """``extra``: more members, already encoded (``, "key": value``), put last."""
        try:
            return (
                f'{{"id": {_string(item.id)}, "ipp": {_string(item.ipp)},'
                f' "kind": {_string(item.kind)}, "code": {_string(item.code)},'
                f' "effective_time": {_string(self.time(item.effective_time))},'
                f' "value": {json_value(item.value)},'
                f' "value_text": {"null" if item.value_text is None else _string(item.value_text)},'
                f' "unit": {"null" if item.unit is None else _string(item.unit)},'
                f' "route": {"null" if item.route is None else _string(item.route)},'
                f' "text": {"null" if item.text is None else _string(item.text)},'
                f' "nda": {"null" if item.nda is None else _string(item.nda)},'
                f' "author": {"null" if item.author is None else _string(item.author)},'
                f' "status": {_string(item.status)}{extra}}}')
        except TypeError:  # a field that is not text where text is expected: the slow way
            return json.dumps(item_dict(item), ensure_ascii=False)[:-1] + extra + "}"


def json_list(parts: Iterable[str]) -> str:
    """A JSON array of members already encoded, spaced as ``json.dumps`` spaces them."""
    return f"[{', '.join(parts)}]"


def json_value(value: object) -> str:
    """An item's value as ``json.dumps`` writes it."""
    if type(value) is float and math.isfinite(value):
        return repr(value)
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


class VerdictRecord(NamedTuple):
    """One verdict as ``review_verdicts`` stores it (in its column order), the JSON columns
    already encoded: the paper item and its SIH copies as they were, the reason as its message
    tree (``reentry.domain.review_reasons``)."""

    item_key: str
    verdict: str
    ipp: str
    temporary_id: str | None
    identity: str  # JSON of PatientIdentity
    search: str
    ward_code: str | None
    kind: str
    code: str
    effective_time: str  # storage form (UTC ISO)
    sih_ids: str  # JSON list
    score: float
    differs_on: str  # JSON list
    reason: str  # JSON message tree
    paper: str  # JSON object
    sih: str  # JSON list of objects
    serial: int | None
    page: int | None


@dataclass
class RunRecord:
    """One run, ready to be stored in one transaction."""

    at: datetime
    user: User | None
    sih_files: list[SourceInfo]
    paper_source: str
    paper_sha256: str | None
    counts: dict[str, int]
    verdicts: list[VerdictRecord]
    unmatched: list[str]  # the SIH items no paper item claimed, each as JSON (``ItemJson``)
    identities: list[IdentityOutcome] = field(default_factory=list)
    left_traits: dict[str, PatientIdentity] = field(default_factory=dict)
    right_traits: dict[str, PatientIdentity] = field(default_factory=dict)
    applied_links: dict[str, str] = field(default_factory=dict)

    @property
    def identity_counts(self) -> dict[str, int]:
        counts = {"link": 0, "review": 0, "no_match": 0}
        for outcome in self.identities:
            counts[outcome.decision] = counts.get(outcome.decision, 0) + 1
        return counts if self.identities else {}
