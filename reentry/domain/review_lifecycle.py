"""What a new reconciliation run does to each flag: keep it, open it, close it or reopen it.

The quality team's work must survive a re-run after a newer SIH export, but a resolution only
holds for the problem it answered:

- an item still flagged *the same way* keeps its flag as it is (open, or closed with its
  resolution);
- an item flagged *another way* (differs → missing...) is reopened, the previous resolution kept
  to be shown;
- an open flag whose item now reads ``in_sih`` is closed by the run itself (``fixed_in_sih``,
  with the run id); a flag a person closed stays as they closed it;
- an open flag whose paper item is gone from a run of the same paper source (its row was
  corrected: the correction is a new paper item with a flag of its own) is closed as
  ``superseded``;
- a flag the run itself had closed comes back open if the item is flagged again.
"""

from __future__ import annotations

from dataclasses import dataclass

from reentry.domain.review import (
    CLOSED,
    FIXED_IN_SIH,
    FLAGGED_VERDICTS,
    OPEN,
    RUN_RESOLUTIONS,
    SUPERSEDED,
)

FLAGGED, KEPT, VERDICT_CHANGED = "flagged", "kept", "verdict_changed"
REOPENED, CLOSED_BY_RUN = "reopened_by_run", "closed_by_run"
CHANGES = (FLAGGED, KEPT, VERDICT_CHANGED, REOPENED, CLOSED_BY_RUN, SUPERSEDED)


@dataclass(frozen=True)
class FlagState:
    verdict: str
    status: str
    resolution: str | None


@dataclass(frozen=True)
class Transition:
    """What to do to one flag: ``action`` (one of ``CHANGES``), then its new state."""

    action: str
    verdict: str
    status: str
    resolution: str | None

    @property
    def closes(self) -> bool:
        return self.action in (CLOSED_BY_RUN, SUPERSEDED)

    @property
    def reopens(self) -> bool:
        return self.action == REOPENED


def transition(flag: FlagState | None, verdict: str | None) -> Transition | None:
    """The change a run makes; ``verdict`` None: the paper item is absent from this run (same
    paper source). None: nothing to record."""
    flagged = verdict in FLAGGED_VERDICTS
    if flag is None:
        return Transition(FLAGGED, verdict, OPEN, None) if flagged and verdict else None
    if verdict is None:
        if flag.status == OPEN:
            return Transition(SUPERSEDED, flag.verdict, CLOSED, SUPERSEDED)
        return None
    closed_by_run = flag.status == CLOSED and flag.resolution in RUN_RESOLUTIONS
    if not flagged:  # in_sih now
        if flag.status == OPEN:
            return Transition(CLOSED_BY_RUN, flag.verdict, CLOSED, FIXED_IN_SIH)
        return None
    if flag.status == OPEN:
        if verdict == flag.verdict:
            return Transition(KEPT, verdict, OPEN, None)
        return Transition(VERDICT_CHANGED, verdict, OPEN, None)
    if closed_by_run or verdict != flag.verdict:
        return Transition(REOPENED, verdict, OPEN, None)
    return Transition(KEPT, verdict, CLOSED, flag.resolution)
