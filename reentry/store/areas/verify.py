"""Double entry: the policy, second entries, sighted checks, decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.entry import Entry, Item, User


class VerifyStore(UnitOfWork, Protocol):
    """Double entry: the policy, second entries, sighted checks, decisions."""

    def double_entry_policy_rows(self) -> list[dict[str, Any]]:
        """The modes chosen by the hospital (templates not listed keep their default)."""
        ...

    def set_double_entry_mode(
        self, template_id: str, mode: str, previous: str, user: User
    ) -> None: ...
    def double_entry_sheet(self, serial: int) -> dict[str, Any] | None: ...
    def double_entry_sheets(self) -> dict[int, dict[str, Any]]: ...
    def first_typists(self, serial: int) -> list[str]:
        """Who typed the first entry (every version of every row), not who checked it."""
        ...

    def sheet_entered(self, serial: int) -> bool: ...
    def save_second_entry(self, entry: Entry, user: User) -> Entry:
        """Store one row of the second entry; the first row saved makes ``user`` the sheet's
        second typist (another PC cannot start a second one meanwhile)."""
        ...

    def second_entries(self, serial: int, include_corrected: bool = True) -> list[Entry]: ...
    def finish_second_entry(self, serial: int, user: User, differences: int) -> None:
        """The second typist is done; with no difference the sheet is verified at once."""
        ...

    def sighted_checks(self, serial: int) -> dict[int, dict[str, Any]]:
        """Checked first-entry rows by entry id: outcome, who, when, the correction's id."""
        ...

    def confirm_checked_row(self, serial: int, entry_id: int, user: User) -> None: ...
    def save_checked_correction(self, entry: Entry, items: Sequence[Item], user: User) -> Entry:
        """A checker's correction: the new row (items updated, audited) and the check at
        once."""
        ...

    def finish_sighted_check(self, serial: int, user: User) -> None: ...
    def apply_double_entry_decision(
        self,
        serial: int,
        user: User,
        corrections: Sequence[tuple[Entry, Sequence[Item]]],
        withdrawals: Sequence[int],
        decisions: Sequence[dict[str, Any]],
    ) -> list[int]:
        """Corrections of the first entry, rows withdrawn, the decisions and the
        verification, all in one transaction; returns the ids of the new entries."""
        ...

    def double_entry_decisions(self, serial: int) -> list[dict[str, Any]]: ...
    def verified_sheets(self) -> dict[int, int]:
        """Verified sheets: serial → id of the last entry the verification covered."""
        ...

    def verified_items(self, serials: Sequence[int] | None = None) -> list[Item]:
        """Active items of verified sheets, as they were when verified (a later correction
        of a row is not verified and is left out)."""
        ...
