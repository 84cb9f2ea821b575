"""What an export needs to know besides the items: who sends it, when, and the hospital's systems.

The identifier systems of the IPP and the NDA are the hospital's own (an OID given by its SIH
team, written ``urn:oid:…``). The defaults are placeholders that say so: an SIH must be told which
patients the items belong to in its own terms, never in a system guessed by Reentry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Placeholders, to be set per hospital (docs/export.md, "Before the first export").
IPP_SYSTEM = "urn:reentry:ipp"
NDA_SYSTEM = "urn:reentry:nda"
# Reentry's own namespaces: temporary identities it allocated and the items it exports.
TEMPORARY_ID_SYSTEM = "urn:reentry:temporary-id"
ITEM_SYSTEM = "urn:reentry:item"
TAG_SYSTEM = "urn:reentry:tag"
LATE_ENTRY_EXTENSION = "urn:reentry:late-entry"
DEFAULT_SENDER = "REENTRY"


@dataclass(frozen=True)
class ExportSettings:
    """One export run: the sending application (HL7 MSH-3), the export time and the systems."""

    now: datetime
    sender: str = DEFAULT_SENDER
    ipp_system: str = IPP_SYSTEM
    nda_system: str = NDA_SYSTEM
