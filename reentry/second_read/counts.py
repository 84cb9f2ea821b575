"""Sheets with open disagreements, per ward: what the progress screen and the quality report
count. Read from each sheet's latest cross-check as kept (no image is read, nothing compared)."""

from __future__ import annotations

from reentry.store.areas import SecondReadStore


def open_disagreements_by_ward(store: SecondReadStore, event_id: int | None = None
                               ) -> dict[str, int]:
    """Ward code → sheets (of one outage event, when given) whose scanned pages disagree with
    what was typed on a field nobody has answered yet; wards with none are left out."""
    return {ward: count for ward, count in store.open_disagreement_counts(event_id).items()
            if count}
