"""HL7 v2.5 with the French PAM profile (IHE PAM FR 2.11): ADT movements, ORU observations and
RAS administrations.

Accepted: ADT A01/A04 (admission), A02/A06/A07 (transfer, or change of patient class on the same
stay), A03 (discharge), A11/A12/A13 (cancellation of the admission, transfer or discharge),
Z99 (update of a movement, PAM FR), A05/A08/A28/A31 (identity only); ORU^R01 (observations);
RAS^O17 (medication administrations, as ``reentry export`` sends them: ``hl7v2_administrations``).
Anything else rejects the file: a half-understood feed is worse than a refused one.

- Stay: PV1-19 (NDA), else PID-18. Location: PV1-3 (point of care ^ room ^ bed ^ facility) and
  the ZBE segment (ZBE-1 movement id, ZBE-2 time, ZBE-4 action, ZBE-7/ZBE-8 responsible medical
  and nursing wards, UF code in component 10). The ward is ZBE-8, else ZBE-7, else PV1-3.1.
- Movements carry the ZBE id, so that a cancellation undoes exactly the movement it names; the
  store derives each stay's location, admission and discharge from the movements that stand.
  Without a ZBE, an admission or discharge is named after its stay (so A11/A13 can still find
  it), a transfer after its message (MSH-10); an A12 without ZBE cannot say which transfer it
  undoes and is refused.
- Data as of: the latest MSH-7 of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reentry.config import load_settings
from reentry.i18n import Msg, msg
from reentry.importing.hl7v2_administrations import read_administrations
from reentry.importing.hl7v2_patient import read_patient
from reentry.importing.hl7v2_results import read_results
from reentry.importing.hl7v2_segments import Message, Segment, read_messages
from reentry.importing.source import SourceFile
from reentry.model import (
    Administration,
    Bed,
    ImportBatch,
    Movement,
    MovementKind,
    Observation,
    Patient,
    PatientKey,
    Site,
    Stay,
    Ward,
)

FORMAT = "hl7v2"
MOVEMENTS = {"A01": MovementKind.ADMISSION, "A04": MovementKind.ADMISSION,
             "A02": MovementKind.TRANSFER, "A06": MovementKind.TRANSFER,
             "A07": MovementKind.TRANSFER, "A03": MovementKind.DISCHARGE}
CANCELLATIONS = {"A11": MovementKind.ADMISSION, "A12": MovementKind.TRANSFER,
                 "A13": MovementKind.DISCHARGE}
IDENTITY_ONLY = frozenset({"A05", "A08", "A28", "A31"})
MOVEMENT_UPDATE = "Z99"
ADT_TRIGGERS = (*MOVEMENTS, *CANCELLATIONS, *IDENTITY_ONLY, MOVEMENT_UPDATE)
ACCEPTED = f"ADT^{'/'.join(sorted(ADT_TRIGGERS))}, ORU^R01, RAS^O17"
ACTIONS = ("INSERT", "UPDATE", "CANCEL")


def parse(source: SourceFile) -> ImportBatch:
    """Everything the file says, checked whole: one bad message rejects the file."""
    builder = _BatchBuilder(load_settings().ipp_authority)
    as_of: datetime | None = None
    for message in read_messages(source):
        sent = message.msh.timestamp(7, required=True)
        assert sent is not None
        as_of = sent if as_of is None or sent > as_of else as_of
        code, trigger = message.msh.get(9, 1), message.msh.get(9, 2)
        if code == "ADT" and trigger in ADT_TRIGGERS:
            builder.adt(message, trigger, sent)
        elif code == "ORU" and trigger == "R01":
            builder.oru(message, sent)
        elif code == "RAS" and trigger == "O17":
            builder.ras(message)
        else:
            raise message.msh.reject(9, msg("problem.unsupported_message", kind=message.kind,
                                            accepted=ACCEPTED))
    assert as_of is not None  # read_messages returns at least one message
    return builder.finish(source.batch(FORMAT, as_of))


def locate_stay(source: SourceFile, nda: str) -> Msg | None:
    """The first PV1 that names stay ``nda`` (to name the segment the store refused)."""
    for message in read_messages(source):
        pid = message.first("PID")
        for segment in message.segments:
            if segment.name == "PV1" and (segment.get(19) or (pid.get(18) if pid else "")) == nda:
                return segment.where(19)
    return None


@dataclass(frozen=True)
class _Zbe:
    """The PAM FR movement segment, read through the one-field shift some senders make.

    The ANS discharge sample puts the action in ZBE-5 and the wards one field later; when ZBE-4
    is empty and ZBE-5 holds an action word, every field from ZBE-4 on is read one further.
    """

    segment: Segment
    shift: int

    @classmethod
    def of(cls, message: Message) -> _Zbe | None:
        zbe = message.first("ZBE")
        if zbe is None:
            return None
        shifted = not zbe.get(4) and zbe.get(5).upper() in ACTIONS
        return cls(zbe, 1 if shifted else 0)

    def get(self, field: int, component: int = 1, sub: int = 1) -> str:
        return self.segment.get(field + self.shift if field >= 4 else field, component, sub)

    @property
    def movement_id(self) -> str:
        return self.get(1)

    @property
    def at(self) -> datetime | None:
        return self.segment.timestamp(2)

    @property
    def action(self) -> str:
        text = self.get(4).upper() or "INSERT"
        if text not in ACTIONS:
            problem = msg("hl7.bad_action", value=text, accepted=", ".join(ACTIONS))
            raise self.segment.reject(4 + self.shift, problem)
        return text

    @property
    def original_trigger(self) -> str:
        return self.get(6)


class _BatchBuilder:
    """Collects records message after message; later messages refine what earlier ones said."""

    def __init__(self, ipp_authority: str = "") -> None:
        self.ipp_authority = ipp_authority
        self.sites: dict[str, Site] = {}
        self.wards: dict[str, Ward] = {}
        self.beds: dict[tuple[str, str, str], Bed] = {}
        self.patients: list[Patient] = []
        self.patient_references: list[Patient] = []
        self.stays: dict[str, Stay] = {}
        self.movements: list[Movement] = []
        self.observations: list[Observation] = []
        self.administrations: list[Administration] = []

    def finish(self, batch: ImportBatch) -> ImportBatch:
        batch.sites = list(self.sites.values())
        batch.wards = list(self.wards.values())
        batch.beds = list(self.beds.values())
        batch.patients = self.patients
        batch.patient_references = self.patient_references
        batch.stays = list(self.stays.values())
        batch.movements = self.movements
        batch.observations = self.observations
        batch.administrations = self.administrations
        return batch

    def oru(self, message: Message, sent: datetime) -> None:
        results = read_results(message, sent, self.ipp_authority)
        self.patient_references.extend(results.patients)  # a lab never rewrites an identity
        for stay in results.stays:
            self._add_stay(stay, message.require("PV1"))
        self.observations.extend(results.observations)

    def ras(self, message: Message) -> None:
        found = read_administrations(message, self.ipp_authority)
        self.patient_references.extend(found.patients)  # the MAR never rewrites an identity
        for stay in found.stays:
            self._add_stay(stay, message.require("PV1"))
        self.administrations.extend(found.administrations)

    def adt(self, message: Message, trigger: str, sent: datetime) -> None:
        pid = message.require("PID")
        patient = read_patient(pid, self.ipp_authority)
        self.patients.append(patient)
        if trigger in IDENTITY_ONLY:
            return
        pv1 = message.require("PV1")
        nda = pv1.get(19) or pid.get(18)
        if not nda:
            raise pv1.reject(19, msg("problem.missing_value", name="NDA (PV1-19)"))
        _refuse_change_of_stay(message, trigger, nda)
        self._add_stay(Stay(nda, patient.key), pv1)
        zbe = _Zbe.of(message)
        kind = _movement_kind(message, trigger, zbe)
        action = zbe.action if zbe else "INSERT"
        cancelled = trigger in CANCELLATIONS or action == "CANCEL"
        movement_id = _movement_id(message, trigger, zbe, kind, nda)
        if cancelled:
            self.movements.append(Movement(movement_id, nda, kind, None, cancelled=True))
            return
        ward_code, room, bed = self._location(message, pv1, zbe)
        at = (zbe.at if zbe else None) or _fallback_time(message, pv1, kind, sent)
        self.movements.append(Movement(movement_id, nda, kind, at, ward_code, room, bed))

    def _add_stay(self, stay: Stay, pv1: Segment) -> None:
        """Records a stay; the same NDA on two different patients is an identity collision."""
        known = self.stays.get(stay.nda)
        if known is not None and _different_patients(known.patient, stay.patient):
            raise pv1.reject(19, msg("hl7.stay_of_two_patients", nda=stay.nda))
        if known is None or (stay.patient.ipp and stay.patient.ins_nir):
            self.stays[stay.nda] = stay

    def _location(self, message: Message, pv1: Segment, zbe: _Zbe | None
                  ) -> tuple[str | None, str | None, str | None]:
        """Ward code, room and bed of a movement; records the site, ward and bed it names."""
        site_code = pv1.get(3, 4, 2) or pv1.get(3, 4, 1)
        site_name = pv1.get(3, 4, 1) or site_code
        ward_code = ward_name = None
        responsible = _responsible_ward(zbe) if zbe else None
        if responsible is not None:
            ward_code, ward_name, ward_site, ward_site_name = responsible
            site_code, site_name = site_code or ward_site, site_name or ward_site_name
        if ward_code is None and pv1.get(3, 1):
            ward_code = ward_name = pv1.get(3, 1)
        if ward_code is None:
            return None, None, None
        if not site_code:  # the sending facility, MSH-4
            site_code = message.msh.get(4, 2) or message.msh.get(4, 1) or "SIH"
            site_name = message.msh.get(4, 1) or site_code
        self.sites.setdefault(site_code, Site(site_code, site_name or site_code))
        self.wards[ward_code] = Ward(ward_code, ward_name or ward_code, site_code)
        room, bed = pv1.get(3, 2) or None, pv1.get(3, 3) or None
        if room and bed:
            self.beds[(ward_code, room, bed)] = Bed(ward_code, room, bed)
        return ward_code, room, bed


def _different_patients(one: PatientKey, other: PatientKey) -> bool:
    """True when the two keys cannot name the same person (another IPP or another INS)."""
    return bool((one.ipp and other.ipp and one.ipp != other.ipp)
                or (one.ins_nir and other.ins_nir and one.ins_nir != other.ins_nir))


def _responsible_ward(zbe: _Zbe) -> tuple[str, str, str, str] | None:
    """Code, name, site code and site name of the nursing ward (ZBE-8), else the medical one."""
    for field in (8, 7):
        name, code = zbe.get(field, 1), zbe.get(field, 10)
        if name or code:
            site = zbe.get(field, 6, 2) or zbe.get(field, 6, 1)
            return code or name, name or code, site, zbe.get(field, 6, 1) or site
    return None


def _movement_kind(message: Message, trigger: str, zbe: _Zbe | None) -> MovementKind:
    """The kind of movement; a Z99 names it by the trigger of the movement it updates (ZBE-6)."""
    if trigger != MOVEMENT_UPDATE:
        return MOVEMENTS.get(trigger) or CANCELLATIONS[trigger]
    if zbe is None:
        raise message.msh.reject(9, msg("problem.missing_segment", segment="ZBE"))
    original = zbe.original_trigger
    if original not in MOVEMENTS:
        raise zbe.segment.reject(6 + zbe.shift, msg("hl7.bad_updated_trigger", value=original))
    return MOVEMENTS[original]


def _movement_id(message: Message, trigger: str, zbe: _Zbe | None, kind: MovementKind,
                 nda: str) -> str:
    if zbe is not None and zbe.movement_id:
        return zbe.movement_id
    if kind is not MovementKind.TRANSFER:
        return f"{kind.value}-{nda}"
    if trigger in CANCELLATIONS or trigger == MOVEMENT_UPDATE:
        raise message.msh.reject(9, msg("hl7.cancel_without_movement", kind=message.kind))
    control = message.msh.get(10)
    if not control:
        raise message.msh.reject(10, msg("problem.missing_value", name="MSH-10"))
    return f"{trigger}-{control}"


def _refuse_change_of_stay(message: Message, trigger: str, nda: str) -> None:
    """An A06/A07 that moves the patient onto another stay number (MRG) is not a transfer."""
    mrg = message.first("MRG")
    if trigger not in ("A06", "A07") or mrg is None:
        return
    prior = mrg.get(5) or mrg.get(3)
    if prior and prior != nda:
        raise mrg.reject(5, msg("hl7.change_of_stay", kind=message.kind, prior=prior, nda=nda))


def _fallback_time(message: Message, pv1: Segment, kind: MovementKind, sent: datetime
                   ) -> datetime:
    """Without ZBE-2: PV1-44/45 (admit/discharge time), else EVN-6/EVN-2, else MSH-7."""
    field = {MovementKind.ADMISSION: 44, MovementKind.DISCHARGE: 45}.get(kind)
    if field is not None:
        known = pv1.timestamp(field)
        if known is not None:
            return known
    evn = message.first("EVN")
    return ((evn.timestamp(6) or evn.timestamp(2)) if evn else None) or sent
