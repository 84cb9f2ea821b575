"""Which flags a reviewer wants to see: by verdict, ward, kind, open or closed, and patient.

Shared by the review window and ``reentry flags list`` so that both filter the same way. The
patient search matches name, IPP or temporary identity, without accents or case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reentry.domain.review import OPEN, FlagRow
from reentry.review.record import fold_search


@dataclass(frozen=True)
class FlagFilter:
    verdict: str | None = None  # what the run said: differs, missing, duplicate, in_sih
    ward: str | None = None
    kind: str | None = None
    status: str | None = None  # open | closed
    patient: str = ""  # part of a name, an IPP or a temporary identity

    def matches(self, row: FlagRow, words: tuple[str, ...] | None = None) -> bool:
        if self.verdict and row.run_verdict != self.verdict:
            return False
        if self.ward and row.ward_code != self.ward:
            return False
        if self.kind and row.kind != self.kind:
            return False
        if self.status and (row.status == OPEN) != (self.status == OPEN):
            return False
        return all(word in row.search for word in (words if words is not None
                                                   else self.words()))

    def words(self) -> tuple[str, ...]:
        return tuple(fold_search(self.patient).split())

    def apply(self, rows: Iterable[FlagRow]) -> list[FlagRow]:
        words = self.words()
        return [row for row in rows if self.matches(row, words)]
