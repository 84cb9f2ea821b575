"""What is known of every printed sheet, for progress and accounting."""

from __future__ import annotations

from typing import Any, Protocol

from reentry.store.areas.work import UnitOfWork


class SheetStore(UnitOfWork, Protocol):
    """What is known of every printed sheet, for progress and accounting."""

    def sheet_facts(
        self, event_id: int | None = None, ward_code: str | None = None, batch_id: int | None = None
    ) -> list[dict[str, Any]]:
        """See ``sheet_fact_rows``."""
        ...
