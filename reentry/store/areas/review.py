"""Reconciliation runs, their flags and the identity decisions of the quality team."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.entry import User
    from reentry.domain.review import (
        FlagDetail,
        FlagRow,
        IdentityCase,
        IdentityDecisionRecord,
        PatientIdentity,
        RunInfo,
    )
    from reentry.domain.review_run import RunRecord


class ReviewStore(UnitOfWork, Protocol):
    """Reconciliation runs, their flags and the identity decisions of the quality team."""

    def paper_item_places(self, item_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Sheet row, page and ward of each re-entered item (for its key and its scan)."""
        ...

    def review_wards(self, ndas: Sequence[str], ipps: Sequence[str]) -> dict[tuple[str, str], str]:
        """Ward of a stay by NDA, and the current (else latest) ward of a patient by IPP."""
        ...

    def review_identities_by_ipp(self, ipps: Sequence[str]) -> dict[str, PatientIdentity]: ...
    def save_reconciliation_run(self, record: RunRecord) -> RunInfo:
        """The run, every verdict, unmatched SIH item and identity candidate, and what it
        does to each flag: all in one transaction, or nothing."""
        ...

    def review_runs(self) -> list[RunInfo]:
        """Every stored run, newest first."""
        ...

    def review_run(self, run_id: int) -> RunInfo | None: ...
    def review_flags(self, run_id: int) -> list[FlagRow]:
        """The items of a run that are flagged, or that this run found fixed in the SIH."""
        ...

    def review_flag_detail(self, run_id: int, item_key: str) -> FlagDetail | None: ...
    def review_flag(self, item_key: str) -> dict[str, Any] | None:
        """The flag of one paper item as it stands now (None: never flagged)."""
        ...

    def review_unmatched(self, run_id: int) -> list[dict[str, Any]]:
        """SIH items no paper item claimed: listed, not errors."""
        ...

    def review_unmatched_text(self, run_id: int) -> str | None:
        """The unmatched SIH items of a run as stored: one JSON array."""
        ...

    def review_verdicts(self, run_id: int) -> list[dict[str, Any]]:
        """Every verdict of a run as stored, in item key order, every column."""
        ...

    def resolve_review_flag(
        self,
        flag_id: int,
        resolution: str,
        comment: str | None,
        user: User,
        *,
        now: datetime | None = None,
    ) -> None:
        """Close an open flag with a person's reason (the caller checked the right)."""
        ...

    def reopen_review_flag(self, flag_id: int, comment: str | None, user: User) -> None: ...
    def identity_cases(self, run_id: int) -> list[IdentityCase]: ...
    def identity_decisions(self) -> dict[str, IdentityDecisionRecord]:
        """The latest decision of the identity-vigilance cell on each temporary identity."""
        ...

    def record_identity_decision(
        self,
        left_id: str,
        action: str,
        right_id: str | None,
        comment: str | None,
        user: User,
        run_id: int | None,
    ) -> None: ...
