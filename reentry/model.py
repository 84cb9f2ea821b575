"""The domain: places, patients, stays and what the dossier holds.

The same frozen dataclasses serve as import records (what a file says) and as read models (what
the store returns). In an import record, ``None`` means "this file does not say", so an import
never erases what an earlier one knew; the store fills ``id`` fields on the way out.
Datetimes are always timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class IdentityStatus(StrEnum):
    """French identity-vigilance statuses (RNIV): provisional, validated, retrieved, qualified."""

    PROV = "PROV"
    VALI = "VALI"
    RECUP = "RECUP"
    QUAL = "QUAL"


class MovementKind(StrEnum):
    ADMISSION = "admission"
    TRANSFER = "transfer"
    DISCHARGE = "discharge"


@dataclass(frozen=True, slots=True)
class PatientKey:
    """How a record names its patient: the IPP, else the INS-NIR."""

    ipp: str | None = None
    ins_nir: str | None = None

    def __bool__(self) -> bool:
        return bool(self.ipp or self.ins_nir)


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Ward:
    """A functional unit (UF) on a site."""

    code: str
    name: str
    site_code: str


@dataclass(frozen=True, slots=True)
class Bed:
    ward_code: str
    room: str
    bed: str


@dataclass(frozen=True, slots=True)
class Patient:
    ipp: str | None
    ins_nir: str | None = None
    identity_status: IdentityStatus | None = None
    birth_name: str | None = None
    used_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    birthplace_insee: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    id: int | None = None

    @property
    def key(self) -> PatientKey:
        return PatientKey(self.ipp, self.ins_nir)

    @property
    def first_given_name(self) -> str:
        return (self.given_names or "").split(" ")[0]


@dataclass(frozen=True, slots=True)
class Stay:
    """A hospital stay (séjour), named by its NDA.

    In an import record, ``ward_code``/``room``/``bed``/``admitted_at``/``discharged_at`` are
    usually left to the movements; the store derives them.
    """

    nda: str
    patient: PatientKey
    ward_code: str | None = None
    room: str | None = None
    bed: str | None = None
    admitted_at: datetime | None = None
    discharged_at: datetime | None = None
    cancelled: bool = False
    id: int | None = None
    patient_id: int | None = None


@dataclass(frozen=True, slots=True)
class Movement:
    """One patient movement (PAM ``ZBE`` segment): admission, transfer or discharge.

    ``cancelled`` records an A11/A12/A13 cancellation of the movement with the same id.
    """

    movement_id: str
    nda: str
    kind: MovementKind
    at: datetime | None
    ward_code: str | None = None
    room: str | None = None
    bed: str | None = None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class Allergy:
    source_id: str
    patient: PatientKey
    substance: str
    reaction: str | None = None
    severity: str | None = None
    criticality: str | None = None
    recorded_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Prescription:
    """An active prescription: ``schedule`` holds the planned times of day ("08:00", ...)."""

    source_id: str
    patient: PatientKey
    drug: str
    nda: str | None = None
    dose: float | None = None
    unit: str | None = None
    route: str | None = None
    schedule: tuple[str, ...] = ()
    frequency: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str = "active"
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    """A measured value (vital sign, lab result), coded in LOINC where possible, unit in UCUM."""

    source_id: str
    patient: PatientKey
    code: str
    label: str
    effective_at: datetime
    nda: str | None = None
    value: float | None = None
    value_text: str | None = None
    unit: str | None = None
    id: int | None = None
    # Who charted it (FHIR performer, HL7 OBX-16), or ``device:<name>`` for a device's reading
    # (FHIR device, HL7 OBX-18): tells a nurse's charting from a monitor's series.
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Administration:
    """A medication given (or not) to the patient."""

    source_id: str
    patient: PatientKey
    drug: str
    at: datetime
    nda: str | None = None
    dose: float | None = None
    unit: str | None = None
    route: str | None = None
    status: str = "completed"
    performer: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Note:
    source_id: str
    patient: PatientKey
    written_at: datetime
    text: str
    nda: str | None = None
    author: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One import: where the data came from and how fresh it was ("data as of")."""

    source: str
    format: str
    content_hash: str
    data_as_of: datetime
    imported_at: datetime | None = None
    id: int | None = None


@dataclass(slots=True)
class ImportBatch:
    """Everything one file says, parsed and checked, ready to be stored in one transaction."""

    source: str
    format: str
    content_hash: str
    data_as_of: datetime
    sites: list[Site] = field(default_factory=list)
    wards: list[Ward] = field(default_factory=list)
    beds: list[Bed] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    # Patients as named by results (a lab's ORU): they create a patient the store does not know
    # and fill traits it lacks, but never overwrite what the admission system said.
    patient_references: list[Patient] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    prescriptions: list[Prescription] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            name: len(getattr(self, name))
            for name in (
                "sites", "wards", "beds", "patients", "patient_references", "stays",
                "movements", "allergies",
                "prescriptions", "observations", "administrations", "notes",
            )
        }


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    snapshot: Snapshot
    already_imported: bool
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class CensusRow:
    """One inpatient on the census, in bed order."""

    patient: Patient
    stay: Stay
    site: Site
    ward: Ward


@dataclass(frozen=True, slots=True)
class Dossier:
    """What the offline viewer and the printed dossier show for one patient."""

    patient: Patient
    stay: Stay | None
    ward: Ward | None
    site: Site | None
    allergies: list[Allergy]
    prescriptions: list[Prescription]
    observations: list[Observation]
    notes: list[Note]
    snapshot: Snapshot | None
