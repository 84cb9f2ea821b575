"""HL7 v2.5 with the French PAM profile (IHE PAM FR 2.11): ADT movements and ORU observations.

- Identity from PID: IPP (PID-3 typed ``PI``), INS-NIR (PID-3 whose assigning authority is an
  INS OID; key checked), birth name (PID-5 typed ``L``) and used name (``D``), the list of first
  names (PID-5.3 in the French profile), birth date, sex, birthplace (PID-11 typed ``BDL``,
  INSEE code in component 9), home address, identity status (PID-32).
- Stay and movement from PV1 (PV1-19 NDA, PV1-3 location) and ZBE (ZBE-1 movement id, ZBE-2
  time, ZBE-4 action, ZBE-7/ZBE-8 responsible wards, UF code in component 10). Without a ZBE,
  an admission or discharge is named after its stay so that A11/A13 can still cancel it.
- ORU^R01: one Observation per OBX coded in LOINC or carrying a number; an embedded document
  (ED) is recorded by its type, never its payload. Routing flags (DMP, MSSanté) are skipped.
"""

from __future__ import annotations

from datetime import datetime

from reentry.i18n import msg
from reentry.importing.hl7_segments import Message, Segment, read_messages
from reentry.importing.source import SourceFile
from reentry.model import (
    Bed,
    IdentityStatus,
    ImportBatch,
    Movement,
    MovementKind,
    Observation,
    Patient,
    PatientKey,
    Sex,
    Site,
    Stay,
    Ward,
)
from reentry.nir import INS_OIDS, nir_problem, normalise_nir

ADMISSIONS = {"A01": MovementKind.ADMISSION, "A04": MovementKind.ADMISSION,
              "A02": MovementKind.TRANSFER, "A03": MovementKind.DISCHARGE}
CANCELLATIONS = {"A11": MovementKind.ADMISSION, "A12": MovementKind.TRANSFER,
                 "A13": MovementKind.DISCHARGE}
IDENTITY_ONLY = {"A08", "A28", "A31"}
ACCEPTED = ("ADT^A01 A02 A03 A04 A08 A11 A12 A13 A28 A31", "ORU^R01")
_SEX = {"F": Sex.FEMALE, "M": Sex.MALE, "U": Sex.UNKNOWN, "O": Sex.UNKNOWN, "A": Sex.UNKNOWN,
        "N": Sex.UNKNOWN}
_ACTIONS = ("INSERT", "UPDATE", "CANCEL")
LOINC_SYSTEMS = ("LN", "LOINC", "http://loinc.org")


def parse(source: SourceFile) -> ImportBatch:
    messages = read_messages(source)
    as_of: datetime | None = None
    reader = _BatchBuilder()
    for message in messages:
        sent = message.msh.timestamp(7, required=True)
        assert sent is not None
        as_of = sent if as_of is None or sent > as_of else as_of
        kind, trigger = message.msh.get(9, 1), message.msh.get(9, 2)
        if kind == "ADT" and (trigger in ADMISSIONS or trigger in CANCELLATIONS
                              or trigger in IDENTITY_ONLY):
            reader.adt(message, trigger, sent)
        elif kind == "ORU" and trigger == "R01":
            reader.oru(message, sent)
        else:
            raise message.msh.reject(9, msg("problem.unsupported_message",
                                            kind=f"{kind}^{trigger}", accepted=", ".join(ACCEPTED)))
    assert as_of is not None
    return reader.finish(source.batch("hl7v2", as_of))


class _BatchBuilder:
    """Collects records message after message; later messages refine what earlier ones said."""

    def __init__(self) -> None:
        self.sites: dict[str, Site] = {}
        self.wards: dict[str, Ward] = {}
        self.beds: dict[tuple[str, str, str], Bed] = {}
        self.patients: list[Patient] = []
        self.stays: dict[str, Stay] = {}
        self.movements: list[Movement] = []
        self.observations: list[Observation] = []

    def finish(self, batch: ImportBatch) -> ImportBatch:
        batch.sites = list(self.sites.values())
        batch.wards = list(self.wards.values())
        batch.beds = list(self.beds.values())
        batch.patients = self.patients
        batch.stays = list(self.stays.values())
        batch.movements = self.movements
        batch.observations = self.observations
        return batch

    # -- messages ---------------------------------------------------------------------------

    def adt(self, message: Message, trigger: str, sent: datetime) -> None:
        patient = self._patient(message.require("PID"))
        if trigger in IDENTITY_ONLY:
            return
        pv1 = message.require("PV1")
        nda = self._nda(pv1, message.require("PID"))
        self.stays[nda] = Stay(nda, patient.key)
        zbe = message.first("ZBE")
        kind = ADMISSIONS.get(trigger) or CANCELLATIONS[trigger]
        cancelled = trigger in CANCELLATIONS or (zbe is not None and _action(zbe) == "CANCEL")
        movement_id = self._movement_id(message, zbe, kind, nda, cancelled)
        ward_code, room, bed = self._location(message, pv1, zbe)
        at = (zbe.timestamp(2) if zbe else None) or self._fallback_time(message, pv1, kind, sent)
        if cancelled:
            self.movements.append(Movement(movement_id, nda, kind, None, cancelled=True))
        else:
            self.movements.append(Movement(movement_id, nda, kind, at, ward_code, room, bed))

    def oru(self, message: Message, sent: datetime) -> None:
        pid = message.require("PID")
        patient = self._patient(pid)
        pv1 = message.first("PV1")
        nda = self._nda(pv1, pid) if pv1 else None
        if nda:
            self.stays.setdefault(nda, Stay(nda, patient.key))
        obr = message.first("OBR")
        default_time = (obr.timestamp(7) if obr else None) or sent
        sender = message.msh.get(3) or "hl7"
        control = message.msh.get(10)
        for index, obx in enumerate(message.all("OBX"), start=1):
            observation = self._observation(obx, patient.key, nda, default_time,
                                            f"hl7:{sender}:{control}:OBX{index}")
            if observation is not None:
                self.observations.append(observation)

    # -- identity ---------------------------------------------------------------------------

    def _patient(self, pid: Segment) -> Patient:
        ipp = ins = None
        for rep in range(1, pid.repetitions(3) + 1):
            value, kind = pid.get(3, 1, rep=rep), pid.get(3, 5, rep=rep)
            oid = pid.get(3, 4, 2, rep=rep)
            if not value:
                continue
            if oid in INS_OIDS or (kind in ("INS", "INS-NIR") and not oid):
                problem = nir_problem(value)
                if problem:
                    raise pid.reject(3, msg("problem.bad_nir", value=value, reason=problem))
                ins = normalise_nir(value)
            elif kind == "PI" and ipp is None:
                ipp = value
        if not ipp and not ins:
            raise pid.reject(3, msg("problem.no_patient_id"))
        birth_name = used_name = given = None
        for rep in range(1, pid.repetitions(5) + 1):
            name_type = pid.get(5, 7, rep=rep)
            family = pid.get(5, 1, rep=rep)
            if name_type == "D":
                used_name = family or None
            elif name_type == "L" or birth_name is None:
                birth_name = family or None
                given = _given_names(pid.get(5, 2, rep=rep), pid.get(5, 3, rep=rep))
        sex_text = pid.get(8).upper()
        if sex_text and sex_text not in _SEX:
            raise pid.reject(8, msg("problem.bad_sex", value=sex_text))
        status_text = pid.get(32).upper()
        status = None
        if status_text:
            try:
                status = IdentityStatus(status_text)
            except ValueError:
                raise pid.reject(32, msg("problem.bad_identity_status",
                                         value=status_text)) from None
        address = postcode = city = birthplace = None
        for rep in range(1, pid.repetitions(11) + 1):
            address_type = pid.get(11, 7, rep=rep)
            if address_type == "BDL":
                birthplace = pid.get(11, 9, rep=rep) or None
            elif address_type in ("H", "") and address is None:
                address = " ".join(p for p in (pid.get(11, 1, rep=rep),
                                               pid.get(11, 2, rep=rep)) if p) or None
                city = pid.get(11, 3, rep=rep) or None
                postcode = pid.get(11, 5, rep=rep) or None
        patient = Patient(
            ipp=ipp, ins_nir=ins, identity_status=status, birth_name=birth_name,
            used_name=used_name if used_name != birth_name else None, given_names=given,
            birth_date=pid.date(7), sex=_SEX.get(sex_text) if sex_text else None,
            birthplace_insee=birthplace, address=address, postcode=postcode, city=city)
        self.patients.append(patient)
        return patient

    # -- stays and places -------------------------------------------------------------------

    @staticmethod
    def _nda(pv1: Segment | None, pid: Segment) -> str:
        nda = (pv1.get(19) if pv1 else "") or pid.get(18)
        if not nda:
            raise (pv1 or pid).reject(19 if pv1 else 18,
                                      msg("problem.missing_value", name="NDA (PV1-19)"))
        return nda

    @staticmethod
    def _movement_id(message: Message, zbe: Segment | None, kind: MovementKind, nda: str,
                     cancelled: bool) -> str:
        if zbe is not None and zbe.get(1):
            return zbe.get(1)
        if kind is MovementKind.TRANSFER:
            if cancelled:
                raise message.msh.reject(None, msg("problem.missing_segment", segment="ZBE"))
            return f"transfer-{message.msh.get(10)}"
        return f"{kind.value}-{nda}"

    def _location(self, message: Message, pv1: Segment, zbe: Segment | None
                  ) -> tuple[str | None, str | None, str | None]:
        site_code = pv1.get(3, 4, 2) or pv1.get(3, 4, 1)
        site_name = pv1.get(3, 4, 1) or site_code
        ward_code = ward_name = None
        if zbe is not None:
            for field in (8, 7):
                name, code = zbe.get(field, 1), zbe.get(field, 10)
                if name or code:
                    ward_code, ward_name = code or name, name or code
                    site_code = site_code or zbe.get(field, 6, 2) or zbe.get(field, 6, 1)
                    site_name = site_name or zbe.get(field, 6, 1) or site_code
                    break
        if ward_code is None and pv1.get(3, 1):
            ward_code = ward_name = pv1.get(3, 1)
        if ward_code is None:
            return None, None, None
        if not site_code:
            site_code = message.msh.get(4, 2) or message.msh.get(4, 1) or "SIH"
            site_name = message.msh.get(4, 1) or site_code
        self.sites.setdefault(site_code, Site(site_code, site_name or site_code))
        self.wards[ward_code] = Ward(ward_code, ward_name or ward_code, site_code)
        room, bed = pv1.get(3, 2) or None, pv1.get(3, 3) or None
        if room and bed:
            self.beds[(ward_code, room, bed)] = Bed(ward_code, room, bed)
        return ward_code, room, bed

    @staticmethod
    def _fallback_time(message: Message, pv1: Segment, kind: MovementKind, sent: datetime
                       ) -> datetime:
        evn = message.first("EVN")
        if kind is MovementKind.ADMISSION and pv1.timestamp(44):
            return pv1.timestamp(44)  # type: ignore[return-value]
        if kind is MovementKind.DISCHARGE and pv1.timestamp(45):
            return pv1.timestamp(45)  # type: ignore[return-value]
        return ((evn.timestamp(6) or evn.timestamp(2)) if evn else None) or sent

    # -- observations -----------------------------------------------------------------------

    @staticmethod
    def _observation(obx: Segment, patient: PatientKey, nda: str | None, default: datetime,
                     source_id: str) -> Observation | None:
        value_type = obx.get(2).upper()
        code, label = obx.get(3, 1), obx.get(3, 2) or obx.get(3, 1)
        if not code or (obx.get(3, 3) not in LOINC_SYSTEMS and value_type not in ("NM", "SN")):
            return None  # routing flags (DMP, MSSanté) and local codes are not clinical data
        at = obx.timestamp(14) or default
        value: float | None = None
        text: str | None
        if value_type == "ED":
            text = _document_label(obx.get(5, 2), obx.get(5, 3))
        elif value_type == "NM":
            raw = obx.get(5)
            try:
                value, text = float(raw.replace(",", ".")), None
            except ValueError:
                text = raw or None  # "<5", ">100": kept as written, never guessed
        else:
            text = obx.get(5) or None
        return Observation(source_id, patient, code, label, at, nda, value, text,
                           obx.get(6, 1) or None)


def _document_label(kind: str, subtype: str) -> str:
    """What an embedded document is, without its payload (which can hold a whole report)."""
    described = "/".join(part for part in (kind, subtype) if part) or "?"
    return f"[document {described}]"


def _given_names(first: str, others: str) -> str | None:
    """PAM FR puts the whole list of first names in PID-5.3, the first one in PID-5.2."""
    if others and others.split(" ")[0].upper() == first.upper():
        return others
    return " ".join(part for part in (first, others) if part) or None


def _action(zbe: Segment) -> str:
    """ZBE-4, or the first action word nearby when a sender shifted the fields."""
    for field in (4, 5, 3, 6):
        value = zbe.get(field).upper()
        if value in _ACTIONS:
            return value
    return "INSERT"

