"""What a downtime admission is: a packet of sheets printed with one temporary identifier, and
the identity, ward, bed and time written on its admission form.

A patient who arrives during the outage has no record in the SIH that anyone can reach. The
print station prepared *packets*: an admission form plus blank charts, all carrying the same
temporary identifier. Once the admission form is typed, the patient exists in Reentry with a
provisional identity (PROV) and no IPP, and every sheet of the packet is about that patient,
until identity vigilance links the temporary identity to the real record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from reentry.domain.entry import Draft, User
from reentry.errors import UserError
from reentry.formdefs_model import FormDefinition
from reentry.model import IdentityStatus, Patient, Ward
from reentry.registry import FormInstance

# The stay of a provisional patient needs a number; it is Reentry's own, never an SIH NDA, and
# the exports never send it as one (``export.provenance.identity_of``).
PROVISIONAL_NDA_PREFIX = "PROV-"


class AdmissionStatus(StrEnum):
    ACTIVE = "active"
    CORRECTED = "corrected"  # replaced by a later version; kept and shown


class LinkStatus(StrEnum):
    """Where the provisional identity stands with identity vigilance."""

    PROVISIONAL = "provisional"  # not linked yet: still PROV, no IPP
    LINKED = "linked"  # the patient now carries an IPP from the SIH
    VALIDATED = "validated"  # identity status raised above PROV without an IPP


class AdmissionError(UserError):
    """An admission that cannot be saved as asked; the message says what to do."""


@dataclass(frozen=True)
class Packet:
    """A temporary identity as printed: its code, ward, the print window and its sheets."""

    temporary_identity_id: int
    code: str
    ward_code: str
    batch_id: int
    window_start: datetime
    window_hours: float
    patient_id: int | None
    sheets: tuple[tuple[int, str], ...]  # (serial, template id) of its usable sheets

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(hours=self.window_hours)


@dataclass(frozen=True)
class Admission:
    """One version of an admission typed from paper (the active one, or one it replaced)."""

    id: int
    temporary_identity_id: int
    temporary_code: str
    serial: int  # the admission form
    patient: Patient  # traits as typed; ``id`` is the provisional patient's
    stay_id: int
    ward_code: str
    room: str | None
    bed: str | None
    admitted_at: datetime
    author: str  # who wrote the paper, as written
    values: dict[str, str]  # canonical text by field id, to show the form again
    entered_by: str
    entered_at: datetime
    status: AdmissionStatus = AdmissionStatus.ACTIVE
    corrects: int | None = None
    reason: str | None = None
    warnings_confirmed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProvisionalPatient:
    """A patient admitted during the outage, as the lists show it: the active admission and
    the patient record as it stands now (identity vigilance may have linked it since)."""

    admission: Admission
    patient: Patient

    @property
    def link_status(self) -> LinkStatus:
        if self.patient.ipp:
            return LinkStatus.LINKED
        status = self.patient.identity_status
        if status is not None and status is not IdentityStatus.PROV:
            return LinkStatus.VALIDATED
        return LinkStatus.PROVISIONAL


@dataclass(frozen=True)
class AdmissionSheet:
    """Everything the admission screen needs once the admission form has been scanned."""

    instance: FormInstance
    form: FormDefinition
    packet: Packet
    ward: Ward | None  # the packet's ward
    wards: tuple[Ward, ...]  # where the patient may have been admitted
    active: Admission | None
    history: tuple[Admission, ...]  # every version, oldest first
    draft: Draft | None = None


@dataclass(frozen=True)
class RecordAdmission:
    """Command: the admission form as typed, to store at once (one transaction)."""

    serial: int
    values: dict[str, str]  # raw text by field id
    user: User
    confirmed_warnings: frozenset[str] = frozenset()
    corrects: int | None = None  # when correcting: the active version replaced
    reason: str | None = None  # required with ``corrects``


@dataclass(frozen=True)
class AdmissionToStore:
    """What the service hands the store: checked, parsed, ready to write."""

    packet: Packet
    serial: int
    patient: Patient
    ward_code: str
    room: str | None
    bed: str | None
    admitted_at: datetime
    author: str
    values: dict[str, str]
    entered_at: datetime
    corrects: int | None = None
    reason: str | None = None
    warnings_confirmed: tuple[str, ...] = field(default_factory=tuple)


def temporary_code_text(code: str) -> str:
    """« 900000127 » → « 900 000 127 », grouped as the packet prints it."""
    return " ".join(code[i:i + 3] for i in range(0, len(code), 3))
