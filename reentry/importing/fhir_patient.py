"""A FHIR Patient as a Reentry identity: IPP, INS-NIR, strict traits, status, address.

Rules (the French FR Core profile and US exports both read sensibly):

- IPP: the identifier typed ``PI``, else typed ``MR``, else the first whose system names an IPP
  (contains "ipp"). A patient with no identifier at all is keyed by its FHIR logical id; one
  whose identifiers hold neither an IPP nor an INS cannot be keyed and rejects the file.
- INS-NIR: the identifier whose system is an INS OID (``urn:oid:1.2.250.1.213.1.4.8``, test
  ``.10``...); its key is checked, a wrong key rejects the file. ``use: old`` ones are skipped.
- Names: the ``official`` name gives the birth name and the first names (all of them from the
  FR Core ``birth-list-given-name`` extension when present); a ``usual`` name with another
  family name gives the used name (the French profile puts the nom d'usage there); a ``maiden``
  name, when present, is the birth name and the official one becomes the used name.
- Identity status: any extension, nested or not, whose code is VALI, PROV, RECUP or QUAL.
- Birthplace: the INSEE code from the ``birthPlace`` extension's address (the FR Core
  ``insee-code`` extension, or a coded value). A postal code is never taken for an INSEE code:
  they differ for most communes, and the birthplace is a strict identity trait.
"""

from __future__ import annotations

import re
from typing import Any

from reentry.i18n import msg
from reentry.importing import fhir_values as values
from reentry.importing.fhir_file import FhirFile, Resource
from reentry.model import IdentityStatus, Patient, PatientKey, Sex
from reentry.nir import INS_OIDS, nir_problem, normalise_nir

SEXES = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.UNKNOWN, "unknown": Sex.UNKNOWN}
STATUSES = {status.value: status for status in IdentityStatus}
INSEE_CODE = re.compile(r"(\d{5}|2[AB]\d{3})")


def _identifiers(resource: Resource) -> list[dict[str, Any]]:
    return [i for i in resource.get("identifier") or ()
            if isinstance(i, dict) and i.get("value") and i.get("use") != "old"]


def _ipp(identifiers: list[dict[str, Any]]) -> str | None:
    for wanted in ("PI", "MR"):
        for identifier in identifiers:
            if wanted in values.concept_codes(identifier.get("type")):
                return str(identifier["value"])
    for identifier in identifiers:
        if "ipp" in str(identifier.get("system") or "").lower():
            return str(identifier["value"])
    return None


def _ins_nir(file: FhirFile, resource: Resource,
             identifiers: list[dict[str, Any]]) -> str | None:
    for identifier in identifiers:
        system = str(identifier.get("system") or "").removeprefix("urn:oid:")
        if system in INS_OIDS:
            value = str(identifier["value"])
            reason = nir_problem(value)
            if reason is not None:
                raise file.reject(resource, "identifier",
                                  msg("problem.bad_nir", value=value, reason=reason))
            return normalise_nir(value)
    return None


def patient_key(file: FhirFile, resource: Resource) -> PatientKey:
    identifiers = _identifiers(resource)
    key = PatientKey(_ipp(identifiers), _ins_nir(file, resource, identifiers))
    if key:
        return key
    if not resource.get("identifier") and resource.id:
        return PatientKey(resource.id, None)
    raise file.reject(resource, "identifier", msg("problem.no_patient_id"))


def _name(names: list[dict[str, Any]], use: str) -> dict[str, Any] | None:
    return next((n for n in names if n.get("use") == use), None)


def _given(name: dict[str, Any] | None) -> str | None:
    if name is None:
        return None
    for extension in values.extensions(name):
        if str(extension.get("url", "")).endswith("birth-list-given-name"):
            if extension.get("valueString"):
                return str(extension["valueString"])
    given = [str(g) for g in name.get("given") or () if g]
    return " ".join(given) or None


def _family(name: dict[str, Any] | None) -> str | None:
    return str(name["family"]) if name and name.get("family") else None


def _names(resource: Resource) -> tuple[str | None, str | None, str | None]:
    """Birth name, used name and first names."""
    names = [n for n in resource.get("name") or () if isinstance(n, dict)]
    official = _name(names, "official") or next((n for n in names if not n.get("use")), None)
    usual, maiden = _name(names, "usual"), _name(names, "maiden")
    given = _given(official) or _given(usual) or _given(maiden)
    if maiden is not None and _family(maiden):
        used = _family(official) or _family(usual)
        birth = _family(maiden)
    else:
        birth = _family(official) or _family(usual)
        used = _family(usual)
    if used == birth:
        used = None
    return birth, used, given


def _identity_status(resource: Resource) -> IdentityStatus | None:
    for extension in values.walk_extensions(resource.data):
        codes = values.concept_codes({"coding": [extension.get("valueCoding")]})
        codes += values.concept_codes(extension.get("valueCodeableConcept"))
        if extension.get("valueCode"):
            codes.append(str(extension["valueCode"]))
        for code in codes:
            if code.upper() in STATUSES:
                return STATUSES[code.upper()]
    return None


def _insee_in(value: Any) -> str | None:
    text = str(value or "").strip().upper()
    return text if INSEE_CODE.fullmatch(text) else None


def _birthplace(resource: Resource) -> str | None:
    for extension in values.extensions(resource.data):
        if not str(extension.get("url", "")).lower().endswith("birthplace"):
            continue
        address = extension.get("valueAddress")
        for inner in values.walk_extensions(address):
            if "insee" in str(inner.get("url", "")).lower():
                codes = values.concept_codes({"coding": [inner.get("valueCoding")]})
                found = _insee_in(codes[0] if codes else inner.get("valueCode")
                                  or inner.get("valueString"))
                if found:
                    return found
        codes = values.concept_codes({"coding": [extension.get("valueCoding")]})
        codes += values.concept_codes(extension.get("valueCodeableConcept"))
        for code in codes:
            if _insee_in(code):
                return _insee_in(code)
    return None


def _address(resource: Resource) -> tuple[str | None, str | None, str | None]:
    addresses = [a for a in resource.get("address") or ()
                 if isinstance(a, dict) and a.get("use") != "old"]
    chosen = next((a for a in addresses if a.get("use") == "home"),
                  addresses[0] if addresses else None)
    if chosen is None:
        return None, None, None
    lines = ", ".join(str(line) for line in chosen.get("line") or () if line)
    return (lines or None, str(chosen["postalCode"]) if chosen.get("postalCode") else None,
            str(chosen["city"]) if chosen.get("city") else None)


def _sex(file: FhirFile, resource: Resource) -> Sex | None:
    gender = resource.get("gender")
    if gender is None:
        return None
    if not isinstance(gender, str) or gender not in SEXES:
        raise file.reject(resource, "gender", msg("problem.bad_sex", value=gender))
    return SEXES[gender]


def read_patient(file: FhirFile, resource: Resource) -> Patient:
    key = patient_key(file, resource)
    birth_name, used_name, given_names = _names(resource)
    address, postcode, city = _address(resource)
    return Patient(
        ipp=key.ipp, ins_nir=key.ins_nir, identity_status=_identity_status(resource),
        birth_name=birth_name, used_name=used_name, given_names=given_names,
        birth_date=file.date(resource, "birthDate", resource.get("birthDate")),
        sex=_sex(file, resource), birthplace_insee=_birthplace(resource),
        address=address, postcode=postcode, city=city,
    )
