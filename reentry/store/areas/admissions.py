"""Downtime admissions under temporary identities and their packets."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

from reentry.store.areas.work import UnitOfWork

if TYPE_CHECKING:
    from reentry.domain.admission import (
        Admission,
        AdmissionToStore,
        Packet,
        ProvisionalPatient,
    )
    from reentry.domain.entry import User
    from reentry.model import Patient


class AdmissionStore(UnitOfWork, Protocol):
    """Downtime admissions under temporary identities and their packets."""

    def packet(self, temporary_code: str) -> Packet | None:
        """The packet printed with ``temporary_code``, with its sheets still in use."""
        ...

    def admission_versions(self, temporary_identity_id: int) -> list[Admission]:
        """Every version of the packet's admission, oldest first."""
        ...

    def provisional_patients(self, ward_code: str | None = None) -> list[ProvisionalPatient]:
        """Active admissions with their patient as it stands now, by ward then admission
        time."""
        ...

    def patients_born_on(self, day: date) -> list[Patient]:
        """Everyone born on ``day`` (to spot a patient the hospital may already know)."""
        ...

    def save_admission(self, record: AdmissionToStore, user: User) -> Admission:
        """Store an admission in one transaction."""
        ...
