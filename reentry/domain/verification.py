"""What double entry works with: modes, where a sheet stands, differences and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reentry.barcodes import group_for_reading, page_code
from reentry.domain.entry import User

SHEET_KEY_SECTION = "sheet"  # differences on the sheet's own values (its date) use this section


class VerifyMode(StrEnum):
    NONE = "none"  # typed once; counted as "entered, not double-checked"
    SIGHTED = "sighted"  # a second person checks the first entry beside the paper
    BLIND = "blind"  # a second person types again without seeing the first entry


class Stage(StrEnum):
    """Where a sheet stands in its double entry (what the next person has to do)."""

    NOT_REQUIRED = "not_required"  # policy ``none``
    AWAITING_FIRST = "awaiting_first"  # the first typist has not finished the sheet yet
    AWAITING_SECOND = "awaiting_second"  # blind: waiting for a second typist
    AWAITING_CHECK = "awaiting_check"  # sighted: waiting for someone to check it
    AWAITING_DECISION = "awaiting_decision"  # blind: differences for a third person
    VERIFIED = "verified"


@dataclass(frozen=True)
class SheetVerification:
    """One sheet's double entry: mode, stage and who did what (usernames)."""

    serial: int
    template_id: str
    mode: VerifyMode
    stage: Stage
    first_typists: tuple[str, ...]
    second_typist: str | None = None
    differences: int | None = None  # after a blind second entry
    verified_by: str | None = None
    verified_at: datetime | None = None

    def typists(self) -> set[str]:
        """Everyone who typed this sheet: none of them may decide on its differences."""
        return {name.casefold() for name in (*self.first_typists, self.second_typist or "")
                if name}


@dataclass(frozen=True)
class Difference:
    """One field on which the two entries disagree, with where to look on paper.

    Values are canonical (as stored: « 37.5 », « 23:15 », « given »); ``None`` means the field
    was left blank (or the whole row was not typed) in that entry.
    """

    serial: int
    page: int
    section_id: str
    row_index: int
    field_id: str
    first: str | None
    second: str | None
    first_entry_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.section_id}:{self.row_index}:{self.field_id}"

    @property
    def row_key(self) -> str:
        return f"{self.section_id}:{self.row_index}"

    @property
    def page_code(self) -> str:
        """The page's code as printed under its barcode, to find the paper in the stack."""
        return group_for_reading(page_code(self.serial, self.page))


class Choice(StrEnum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"  # a value read again on paper by the person deciding


@dataclass(frozen=True)
class Decision:
    """The value kept for one difference; a third value needs the reason it differs from both."""

    key: str  # ``Difference.key``
    choice: Choice
    value: str | None = None  # the third value, as typed
    reason: str | None = None


@dataclass(frozen=True)
class ResolveSheet:
    """Command: decide every difference of a sheet at once (one transaction)."""

    serial: int
    user: User
    decisions: tuple[Decision, ...]
    confirmed_warnings: frozenset[str] = frozenset()  # difference keys whose warning was seen


@dataclass(frozen=True)
class Resolution:
    serial: int
    corrected: tuple[int, ...]  # new entries (corrections or rows added from paper)
    withdrawn: tuple[int, ...]  # first-entry rows that the paper does not have
