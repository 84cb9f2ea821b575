"""The patient of a PID segment, read the way the French PAM profile (IHE PAM FR 2.11) writes it.

The INS *traits stricts* (birth name, first names, birth date, sex, birthplace) come from fixed
places: PID-5 typed ``L`` for the birth name and the list of first names, PID-11 typed ``BDL``
for the INSEE code of the birthplace. A wrong INS-NIR key or an unknown status rejects the file:
a wrong identity is worse than no import.
"""

from __future__ import annotations

from reentry.i18n import msg
from reentry.importing.hl7v2_segments import Segment
from reentry.model import IdentityStatus, Patient, Sex
from reentry.nir import INS_OIDS, nir_problem, normalise_nir

_SEX = {"F": Sex.FEMALE, "M": Sex.MALE, "U": Sex.UNKNOWN, "O": Sex.UNKNOWN, "A": Sex.UNKNOWN,
        "N": Sex.UNKNOWN}
_INS_TYPES = ("INS", "INS-NIR")
# French table 0445 (PID-32 repeats): identity attributes and pre-INS statuses that are not one
# of the four RNIV statuses. They are known, so accepted, but give no status.
_IDENTITY_ATTRIBUTES = frozenset({
    "VIDE", "DOUB", "DESA", "DPOT", "DOUA", "COLP", "COLV", "FILI", "CACH", "ANOM", "IDVER",
    "RECD", "IDRA", "USUR", "HOMD", "HOMA", "INVA", "FICT", "DOUT", "DOUTE", "FICTI", "HOMON",
})


def read_patient(pid: Segment, ipp_authority: str = "") -> Patient:
    """The patient named by ``pid``; rejects one with neither IPP nor INS.

    With ``ipp_authority`` set (the hospital's namespace or OID, setting ``ipp_authority``),
    only a ``PI`` identifier assigned by it is the IPP: a PID-3 that also carries another
    facility's patient number must not put that number in our IPP.
    """
    ipp, ins = _identifiers(pid, ipp_authority.strip().upper())
    if not ipp and not ins:
        raise pid.reject(3, msg("problem.no_patient_id"))
    birth_name, used_name, given_names = _names(pid)
    address, postcode, city = _home_address(pid)
    return Patient(
        ipp=ipp, ins_nir=ins, identity_status=_identity_status(pid), birth_name=birth_name,
        used_name=used_name, given_names=given_names, birth_date=pid.date(7), sex=_sex(pid),
        birthplace_insee=_birthplace(pid), address=address, postcode=postcode, city=city)


def _identifiers(pid: Segment, authority: str) -> tuple[str | None, str | None]:
    """The IPP (PID-3 typed PI, from ``authority`` when set) and the INS-NIR (its assigning
    authority is an INS OID)."""
    ipp = ins = None
    for rep in range(1, pid.repetitions(3) + 1):
        value, id_type = pid.get(3, 1, rep=rep), pid.get(3, 5, rep=rep)
        namespace, oid = pid.get(3, 4, 1, rep=rep), pid.get(3, 4, 2, rep=rep)
        if not value:
            continue
        if oid in INS_OIDS or (id_type in _INS_TYPES and not oid):
            problem = nir_problem(value)
            if problem:
                raise pid.reject(3, msg("problem.bad_nir", value=value, reason=problem))
            ins = ins or normalise_nir(value)
        elif id_type == "PI" and ipp is None and (
                not authority or authority in (namespace.upper(), oid.upper())):
            ipp = value
    return ipp, ins


def _names(pid: Segment) -> tuple[str | None, str | None, str | None]:
    """Birth name and first names from the ``L`` name (else the first one); used name from ``D``."""
    birth_name = used_name = given = None
    birth_from_legal = False
    for rep in range(1, pid.repetitions(5) + 1):
        name_type, family = pid.get(5, 7, rep=rep), pid.get(5, 1, rep=rep) or None
        if name_type == "D":
            used_name = used_name or family
        elif (name_type == "L" and not birth_from_legal) or birth_name is None:
            birth_name = family
            given = given_names(pid.get(5, 2, rep=rep), pid.get(5, 3, rep=rep))
            birth_from_legal = name_type == "L"
    if used_name and birth_name and used_name.upper() == birth_name.upper():
        used_name = None  # no used name distinct from the birth name
    return birth_name, used_name, given


def given_names(first: str, others: str) -> str | None:
    """PAM FR puts the first given name in PID-5.2 and the whole list in PID-5.3; plain HL7 puts
    only the middle names in PID-5.3. Either way the first name is given once."""
    if others and others.split(" ")[0].upper() == first.upper():
        return others
    return " ".join(part for part in (first, others) if part) or None


def _sex(pid: Segment) -> Sex | None:
    text = pid.get(8).upper()
    if not text:
        return None
    if text not in _SEX:
        raise pid.reject(8, msg("problem.bad_sex", value=text))
    return _SEX[text]


def _identity_status(pid: Segment) -> IdentityStatus | None:
    """The RNIV status among the PID-32 repetitions; attributes (DOUTE, FICTI...) give none."""
    status = None
    for rep in range(1, pid.repetitions(32) + 1):
        text = pid.get(32, rep=rep).upper()
        if not text or text in _IDENTITY_ATTRIBUTES:
            continue
        try:
            found = IdentityStatus(text)
        except ValueError:
            raise pid.reject(32, msg("problem.bad_identity_status", value=text)) from None
        status = status or found
    return status


def _birthplace(pid: Segment) -> str | None:
    """INSEE code of the birthplace: PID-11 typed BDL, component 9 (county/parish code)."""
    for rep in range(1, pid.repetitions(11) + 1):
        if pid.get(11, 7, rep=rep) == "BDL":
            return pid.get(11, 9, rep=rep) or None
    return None


def _home_address(pid: Segment) -> tuple[str | None, str | None, str | None]:
    """Street, postcode and city of the address typed H (home), else of an untyped one."""
    reps = range(1, pid.repetitions(11) + 1)
    chosen = next((r for r in reps if pid.get(11, 7, rep=r) == "H"), None)
    if chosen is None:
        chosen = next((r for r in reps if not pid.get(11, 7, rep=r)), None)
    if chosen is None:
        return None, None, None
    street = " ".join(part for part in (pid.get(11, 1, rep=chosen), pid.get(11, 2, rep=chosen))
                      if part)
    return street or None, pid.get(11, 5, rep=chosen) or None, pid.get(11, 3, rep=chosen) or None
