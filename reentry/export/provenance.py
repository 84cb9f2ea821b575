"""Whom an item is about and how it reached the SIH: a paper author, a typist, an entry time.

Every exported item is a late entry. Each format says so in words (a note, an NTE) and in fields
a program can read (FHIR ``issued`` and an extension, HL7 ORC-9/ORC-10 and RXA-22), so that the
SIH never mistakes the entry time for the time of care, nor the typist for the author.
"""

from __future__ import annotations

from dataclasses import dataclass

from reentry import clock
from reentry.domain.entry import Item, ItemKind
from reentry.i18n import Msg, msg, tr


@dataclass(frozen=True)
class PatientIdentity:
    """The patient as the SIH can find them: the IPP, else Reentry's temporary identifier."""

    ipp: str | None
    temporary_id: str | None
    nda: str | None

    @property
    def is_temporary(self) -> bool:
        return self.ipp is None


def identity_of(item: Item) -> PatientIdentity | None:
    """None when the item names no patient at all (it cannot be exported)."""
    ipp = (item.ipp or "").strip() or None
    temporary = (item.temporary_id or "").strip() or None
    if ipp is None and temporary is None:
        return None
    # A patient without IPP has only the stay Reentry opened at the downtime admission: its
    # number is Reentry's own, never to be sent as an NDA of the SIH.
    nda = (item.nda or "").strip() or None if ipp else None
    return PatientIdentity(ipp, None if ipp else temporary, nda)


def author_text(item: Item) -> str:
    """Who wrote the paper, as written; said plainly when the paper did not say."""
    return item.author.strip() or tr("export.author_unknown")


def late_entry_text(item: Item) -> str:
    """The sentence a clinician reads in the SIH next to the value."""
    return tr("export.late_entry", author=author_text(item), entered_by=item.entered_by,
              entered_at=clock.format_local(item.entered_at))


def why_left_out(item: Item, format: str) -> Msg | None:
    """Why ``item`` cannot be written in ``format`` (None when it can)."""
    identity = identity_of(item)
    if identity is None:
        return msg("export.no_identity")
    if format != "csv":
        return None
    if identity.is_temporary:
        # The item CSV has an IPP column only: a temporary identifier there could be taken for
        # another patient's IPP. Link the identity first (identity vigilance), or use FHIR/HL7.
        return msg("export.csv_temporary_identity", temporary_id=identity.temporary_id)
    if item.kind == ItemKind.MEDICATION_ADMINISTRATION and item.status != "completed":
        # No status column: a dose not given would read as given.
        return msg("export.csv_not_given")
    return None
