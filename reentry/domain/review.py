"""What the quality team's review works with: stored runs, flags, resolutions, identity cases.

A *flag* is a paper item whose verdict is ``differs``, ``missing`` or ``duplicate``. It is keyed
by the paper item (``item_key``), not by the run, so that its resolution outlives the run that
raised it: a later run after a newer SIH export keeps it, closes it, or reopens it (see
``reentry.domain.review_lifecycle``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from reentry import clinical_codes, display
from reentry.barcodes import group_for_reading, page_code
from reentry.domain.entry import ItemKind
from reentry.domain.items import ItemVerdict
from reentry.domain.review_reasons import reason_texts, render_reason
from reentry.i18n import get_language, tr
from reentry.model import Patient, Sex

VERDICTS = tuple(v.value for v in ItemVerdict)  # in_sih first, then the flagged ones
FLAGGED_VERDICTS = tuple(v for v in VERDICTS if v != ItemVerdict.IN_SIH)
KINDS = tuple(kind.value for kind in ItemKind)
OPEN, CLOSED = "open", "closed"


class ResolutionReason(StrEnum):
    """Why a person closed a flag; ``other`` needs a comment."""

    ENTERED_IN_SIH = "entered_in_sih"
    PAPER_ERROR = "paper_error"
    ACCEPTED_DIFFERENCE = "accepted_difference"
    DUPLICATE_REMOVED = "duplicate_removed"
    NOT_RELEVANT = "not_relevant"
    OTHER = "other"


# Closures a run makes by itself (never offered to a person).
FIXED_IN_SIH = "fixed_in_sih"  # the item now reads in_sih
SUPERSEDED = "superseded"  # the paper item is gone (its row was corrected)
RUN_RESOLUTIONS = (FIXED_IN_SIH, SUPERSEDED)


class IdentityAction(StrEnum):
    LINK = "link"
    NO_MATCH = "no_match"
    UNDO_LINK = "undo_link"


def resolution_label(code: str | None) -> str:
    return tr(f"review.resolution.{code}") if code else ""


def verdict_label(verdict: str) -> str:
    return tr(f"review.verdict.{verdict}")


def kind_label(kind: str) -> str:
    return tr(f"review.kind.{kind}")


def item_label(kind: str, code: str, lang: str | None = None) -> str:
    """What a paper item is about, as the paper names it: « Fréquence cardiaque » for a vital
    sign (never its LOINC code), the drug as written, « transfert »; the code itself only when
    the forms do not know it."""
    if kind == ItemKind.MEDICATION_ADMINISTRATION:
        return code
    if kind == ItemKind.NURSING_NOTE:
        return tr(f"review.kind.{kind}", lang=lang)
    return clinical_codes.display_name(code, lang) or code


def paper_reference(item_key: str) -> str:
    """Where a flagged item is on paper: « feuille 0000 0019 3011, ligne 2 » for an item typed
    here (its key is ``serial/section/row/item``); a paper CSV's own record id otherwise."""
    parts = item_key.split("/")
    if len(parts) == 4 and parts[0].isdigit() and parts[2].isdigit():
        return tr("review.paper_reference", code=group_for_reading(page_code(int(parts[0]), 1)),
                  row=int(parts[2]) + 1)
    return item_key


@dataclass(frozen=True)
class SourceInfo:
    """One SIH export a run read: its name and content hash (which export it was, exactly)."""

    name: str
    sha256: str


@dataclass(frozen=True)
class RunInfo:
    id: int
    at: datetime
    username: str | None
    sih_files: tuple[SourceInfo, ...]
    paper_source: str  # "store" or "csv:<file name>"
    counts: dict[str, int]
    unmatched: int
    identity_counts: dict[str, int] = field(default_factory=dict)
    flag_changes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PatientIdentity:
    """Who an item is about, as known when the run was made (shown with every flag)."""

    birth_name: str = ""
    used_name: str = ""
    given_names: str = ""
    birth_date: str = ""  # ISO date, or the text written when it is not a date
    sex: str = ""

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PatientIdentity:
        return cls(**{k: str(values.get(k) or "") for k in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @property
    def known(self) -> bool:
        return bool(self.birth_name or self.used_name or self.given_names)

    def name(self) -> str:
        """« DUPONT née MARTIN Marie », or « nom inconnu »."""
        if not self.known:
            return tr("review.unknown_identity")
        sex = Sex(self.sex) if self.sex in ("F", "M", "U") else None
        patient = Patient(None, birth_name=self.birth_name or None,
                          used_name=self.used_name or None, given_names=self.given_names or None,
                          sex=sex)
        return display.full_name(patient)

    def birth_date_text(self) -> str:
        try:
            return display.date_text(date.fromisoformat(self.birth_date))
        except ValueError:
            return self.birth_date


@dataclass(frozen=True)
class FlagRow:
    """One line of the review table: a paper item of one run that is, or was, flagged."""

    flag_id: int
    item_key: str
    run_verdict: str  # what this run said
    verdict: str  # what the item is flagged for now
    status: str  # open | closed
    ward_code: str
    ipp: str
    temporary_id: str
    identity: PatientIdentity
    search: str  # folded name, IPP and temporary id, for the patient search
    kind: str
    code: str
    effective_time: datetime
    reason_tree: str  # the matcher's reason as a message tree (JSON), rendered when shown
    resolution: str | None
    first_flagged_at: datetime
    closed_at: datetime | None

    @cached_property
    def reason(self) -> dict[str, str]:
        """Language → the matcher's reason."""
        return reason_texts(self.reason_tree)

    def reason_text(self) -> str:
        """The matcher's reason in the current language."""
        return render_reason(self.reason_tree)

    @property
    def time_to_closure(self) -> timedelta | None:
        """First flagged → closed: how long the item stayed a problem."""
        return self.closed_at - self.first_flagged_at if self.closed_at else None


@dataclass(frozen=True)
class FlagEvent:
    at: datetime
    action: str  # flagged | verdict_changed | resolved | reopened | closed_by_run | ...
    username: str | None
    run_id: int | None
    verdict: str | None
    resolution: str | None
    comment: str | None


@dataclass(frozen=True)
class FlagDetail:
    """Everything the side-by-side view shows about one flag."""

    row: FlagRow
    run_id: int
    paper: dict[str, Any]
    sih: list[dict[str, Any]]
    sih_ids: tuple[str, ...]
    differs_on: tuple[str, ...]
    score: float
    serial: int | None
    page: int | None
    comment: str | None
    closed_by: str | None
    closed_by_run: int | None
    previous: dict[str, Any] | None  # the resolution in force before a reopening
    history: list[FlagEvent]


@dataclass(frozen=True)
class IdentityCandidate:
    right_id: str
    score: float
    fields: str  # ``birth_name=1.00;given_names=...``, as link-identities writes it
    traits: PatientIdentity
    rank: int


@dataclass(frozen=True)
class IdentityDecisionRecord:
    action: str
    right_id: str | None
    username: str
    at: datetime
    comment: str | None


# The words of an identity case: the automatic decision, and the state the cell's decisions
# leave it in (``IdentityCase.state``).
IDENTITY_DECISIONS = ("link", "review", "no_match")
IDENTITY_STATES = ("auto_link", "linked", "no_match", "to_decide", "unlinked", "no_candidate")


@dataclass(frozen=True)
class IdentityCase:
    """One temporary identity in one run: the automatic decision, its candidates, and what the
    identity-vigilance cell decided (latest decision, whatever the run)."""

    left_id: str
    decision: str  # link | review | no_match (automatic)
    right_id: str | None
    score: float
    fields: str
    reason: dict[str, str]  # language → why the automatic decision
    traits: PatientIdentity
    applied_right_id: str | None  # the IPP this run used for the items of the identity
    candidates: list[IdentityCandidate]
    current: IdentityDecisionRecord | None

    def reason_text(self) -> str:
        return self.reason.get(get_language()) or next(iter(self.reason.values()), "")

    @property
    def state(self) -> str:
        """auto_link | linked | no_match | to_decide | unlinked | no_candidate."""
        if self.current is not None:
            return {"link": "linked", "no_match": "no_match",
                    "undo_link": "unlinked"}[self.current.action]
        if self.decision == "link":
            return "auto_link"
        if self.decision == "review":
            return "to_decide"
        return "no_candidate"

    @property
    def linked_to(self) -> str | None:
        """The SIH patient the temporary identity is now tied to (None: none)."""
        if self.current is not None:
            return self.current.right_id if self.current.action == "link" else None
        return self.right_id if self.decision == "link" else None
