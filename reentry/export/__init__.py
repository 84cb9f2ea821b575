"""Export what was re-entered from paper to the SIH: FHIR R4, HL7 v2.5 or the item CSV.

``export_items`` writes one file whole or not at all (temporary file, then ``os.replace``),
readable by its owner only: the SIH team never picks up half an export. Items that a format
cannot carry safely are left out and ``left_out`` says which and why, so that the caller can
show it; nothing is dropped silently.
Every format keeps the late-entry facts: time of care, paper author, typist, entry time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from reentry import clock
from reentry.domain.entry import Item
from reentry.errors import UserError
from reentry.export.provenance import why_left_out
from reentry.export.settings import DEFAULT_SENDER, IPP_SYSTEM, NDA_SYSTEM, ExportSettings
from reentry.files import open_private, written_whole
from reentry.i18n import Msg

FORMATS = ("fhir", "hl7", "csv")
SUFFIXES = {"fhir": ".json", "hl7": ".hl7", "csv": ".csv"}

Renderer = Callable[[Sequence[Item], ExportSettings], bytes]

__all__ = ["FORMATS", "SUFFIXES", "ExportSettings", "export_items", "left_out"]


def export_items(items: Sequence[Item], format: str, out: Path, *, sender: str = DEFAULT_SENDER,
                 now: datetime | None = None, ipp_system: str = IPP_SYSTEM,
                 nda_system: str = NDA_SYSTEM) -> int:
    """Write the exportable ``items`` to ``out`` in ``format``; the number of items written.

    ``ipp_system``/``nda_system`` are the hospital's identifier systems (``urn:oid:…``); the
    defaults are placeholders to be set per hospital (docs/export.md).
    """
    renderer = _renderer(format)
    moment = now or clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.hospital_zone())
    settings = ExportSettings(now=moment, sender=sender.strip() or DEFAULT_SENDER,
                              ipp_system=ipp_system, nda_system=nda_system)
    kept = [item for item in items if why_left_out(item, format) is None]
    _check_unique(kept)
    _write_whole(Path(out), renderer(kept, settings))
    return len(kept)


def left_out(items: Sequence[Item], format: str) -> list[tuple[Item, Msg]]:
    """The items ``format`` cannot carry, each with the reason (to show before or after export)."""
    _renderer(format)
    return [(item, reason) for item in items
            if (reason := why_left_out(item, format)) is not None]


def _renderer(format: str) -> Renderer:
    if format == "fhir":
        from reentry.export.fhir import render
    elif format == "hl7":
        from reentry.export.hl7 import render
    elif format == "csv":
        from reentry.export.csv_items import render
    else:
        raise UserError("export.unknown_format", format=format, accepted=", ".join(FORMATS))
    return render


def _check_unique(items: Sequence[Item]) -> None:
    """Item ids name the records in the SIH; two items with one id would be one record there."""
    seen: set[int] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"item id {item.id} given twice to the export")
        seen.add(item.id)


def _write_whole(target: Path, data: bytes) -> None:
    try:
        with written_whole(target) as partial, open_private(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise UserError("export.cannot_write", path=str(target),
                        detail=error.strerror or str(error)) from error
