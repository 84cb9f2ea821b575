"""Export as a person: who may, from which database, and a line in the audit trail.

``export_items`` writes a file from items; ``export_entries`` is what a person runs: it checks
they may export (``Permission.EXPORT``), refuses a drill copy unless asked, reads what was typed
(every item, or only those of verified sheets), writes the file and records who exported what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reentry.domain.entry import Item, User
from reentry.domain.permissions import Permission, require
from reentry.events.drill import refuse_export_from_drill
from reentry.export import export_items, left_out
from reentry.export.settings import DEFAULT_SENDER, IPP_SYSTEM, NDA_SYSTEM
from reentry.i18n import Msg
from reentry.store.areas import Store


@dataclass(frozen=True)
class ExportOutcome:
    written: int
    total: int  # items read (after ``verified_only``)
    left_out: list[tuple[Item, Msg]]  # items the format cannot carry, each with why
    unverified: int | None = None  # with ``verified_only``: items left out as not verified


def export_entries(store: Store, user: User, format: str, out: Path, *,
                   verified_only: bool = False, drill_ok: bool = False,
                   sender: str = DEFAULT_SENDER, ipp_system: str = IPP_SYSTEM,
                   nda_system: str = NDA_SYSTEM, now: datetime | None = None) -> ExportOutcome:
    """Write what was typed to ``out`` in ``format`` (``reentry.export.FORMATS``), as ``user``."""
    require(user, Permission.EXPORT)
    refuse_export_from_drill(store, drill_ok)
    items = store.items()
    unverified = None
    if verified_only:  # docs/double-entry.md: what "verified" covers
        verified = store.verified_items()
        unverified = len(items) - len(verified)
        items = verified
    written = export_items(items, format, out, sender=sender, ipp_system=ipp_system,
                           nda_system=nda_system, now=now)
    store.record_action(user, "export_written", "export", None, {
        "format": format, "file": str(out), "items": written,
        "verified_only": verified_only})
    return ExportOutcome(written, len(items), left_out(items, format), unverified)
