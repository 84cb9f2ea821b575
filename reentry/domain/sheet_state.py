"""One sheet, one state: the vocabulary and the rule that every view of the sheets applies.

Re-entry progress, the event accounting (and the check that refuses to close an event), the
quality report and the demo all count sheets through :func:`sheet_state`; the store only
fetches the facts. Pure: no store, no Qt.

The rule, in words:

* superseded by a reprint, cancelled, or never on paper (left ``registered`` by an
  interrupted print batch; a prepared set no outage adopted for the sheet's ward) — not expected
  back; ward covers and dossiers are read, never written on — not expected back either;
* otherwise the sheet is expected back and stands at the furthest of: verified (second check
  done) › entered (its typist marked it finished) › returned (scanned) › missing;
* a declaration (lost, not used) counts unless the sheet is entered, or scanned *after* the
  declaration: a lost sheet that turns up is found, and counts as returned, entered or verified
  like any other; the declaration stays in its history. Between declarations the latest wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum

from reentry.registry import NOT_FORMS, BatchKind, SheetStatus


class SheetState(StrEnum):
    # expected back
    MISSING = "missing"  # on paper, neither scanned back nor declared
    RETURNED = "returned"  # scanned back, not entered yet
    ENTERED = "entered"  # its typist marked it finished
    VERIFIED = "verified"  # entered, and the second check (double entry) is done
    LOST = "lost"  # declared lost (and not found since)
    NOT_USED = "not_used"  # declared not used: blank, or its patient left before the cut
    # not expected back
    UNPRINTED = "unprinted"  # registered, never reached paper
    SUPERSEDED = "superseded"  # replaced by a reprint
    CANCELLED = "cancelled"  # withdrawn explicitly
    READ_ONLY = "read_only"  # a ward cover or a dossier (``PrintedTemplate``): read, not written


EXPECTED = (SheetState.MISSING, SheetState.RETURNED, SheetState.ENTERED, SheetState.VERIFIED,
            SheetState.LOST, SheetState.NOT_USED)
# Still owed: what is on them is not in the SIH yet, and nobody said why.
UNACCOUNTED = frozenset({SheetState.MISSING, SheetState.RETURNED})
# What a person may declare about a sheet that will never be entered.
DECLARATIONS = (SheetState.LOST, SheetState.NOT_USED)


@dataclass(frozen=True)
class SheetFacts:
    """What the registry and the sheet's history say. History positions order what happened
    (the later, the greater); None: never happened."""

    template_id: str
    status: SheetStatus
    batch_kind: BatchKind
    adopted: bool  # its batch belongs to an outage event that affects the sheet's ward
    returned: int | None = None  # the latest scan back
    entered: int | None = None  # the latest "finished" mark
    verified: int | None = None  # the latest completed second check
    declared: SheetState | None = None  # the latest declaration (lost or not used)
    declared_position: int | None = None


def sheet_state(facts: SheetFacts) -> SheetState:
    """The one rule (see the module docstring)."""
    if facts.template_id in NOT_FORMS:
        return SheetState.READ_ONLY
    if facts.status is SheetStatus.SUPERSEDED:
        return SheetState.SUPERSEDED
    if facts.status is SheetStatus.CANCELLED:
        return SheetState.CANCELLED
    # Prepared sheets are printed on the ward PC as needed, never marked printed: once an outage
    # adopted their set for the ward, every one still standing is on paper.
    on_paper = (facts.adopted if facts.batch_kind is BatchKind.PREPARED
                else facts.status is SheetStatus.PRINTED)
    if not on_paper:
        return SheetState.UNPRINTED
    if facts.verified is not None:
        return SheetState.VERIFIED
    if facts.entered is not None:
        return SheetState.ENTERED
    if facts.declared is not None and not _found(facts):
        return facts.declared
    if facts.returned is not None:
        return SheetState.RETURNED
    return SheetState.MISSING


def _found(facts: SheetFacts) -> bool:
    """Scanned back after it was declared."""
    return (facts.returned is not None and facts.declared_position is not None
            and facts.returned > facts.declared_position)


@dataclass(frozen=True)
class SheetCounts:
    """The sheets expected back, counted the one way every screen, command and report shows.

    *returned*, *entered* and *verified* count the sheets that reached at least that step (a
    verified sheet is also entered and returned; a lost sheet found again counts); *lost* and
    *not used* the declarations that stand. So expected = missing + returned + lost + not used,
    and unaccounted (still owed) = expected − entered − lost − not used.
    """

    expected: int = 0
    returned: int = 0
    entered: int = 0
    verified: int = 0
    lost: int = 0
    not_used: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.returned - self.lost - self.not_used

    @property
    def unaccounted(self) -> int:
        return self.expected - self.entered - self.lost - self.not_used

    def value(self, column: str) -> int:
        """A count by its column name (a field, ``missing`` or ``unaccounted``)."""
        return int(getattr(self, column))

    def __add__(self, other: SheetCounts) -> SheetCounts:
        return SheetCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                              for f in fields(self)})


def count_states(states: Iterable[SheetState]) -> SheetCounts:
    """Counts of the sheets in ``states`` (one state per sheet); sheets not expected back are
    left out."""
    n = Counter(states)
    verified = n[SheetState.VERIFIED]
    entered = verified + n[SheetState.ENTERED]
    return SheetCounts(expected=sum(n[s] for s in EXPECTED),
                       returned=entered + n[SheetState.RETURNED], entered=entered,
                       verified=verified, lost=n[SheetState.LOST],
                       not_used=n[SheetState.NOT_USED])
