"""FHIR Encounters as stays and movements; their Locations as sites, wards, rooms and beds.

Rules:

- NDA: the identifier typed ``VN``, else one of use ``official`` or ``usual``, else the
  Encounter's logical id. An untyped identifier of unknown use may be anything (the Inferno
  sample's holds the class code "IMP"), so it never becomes an NDA.
- Movements: an admission at ``period.start`` in the current location; a discharge at
  ``period.end`` when the status is ``finished``. A ``cancelled`` or ``entered-in-error``
  Encounter has its admission cancelled, so the stay leaves the census.
- Only encounters that hold a bed carry a ward: every class except ambulatory, virtual, home
  health, field and pre-admission (``AMB``, ``VR``, ``HH``, ``FLD``, ``PRENC``).
- Location: among the Encounter's locations (``active`` ones if any, ``planned`` ones never),
  the most precise one. Its ``partOf`` chain is read by ``physicalType``: ``bd`` bed, ``ro``
  room, ``wa`` ward; without a ``wa``, the nearest location above the room and bed is the
  ward. Site: the chain's ``managingOrganization``, else the top of the chain above the ward,
  else the Encounter's ``serviceProvider``, else one default site.
- A Location not in the file (Synthea's conditional ``Location?identifier=...``) names the ward
  from the reference's ``display``, with a code derived from that name: a place is not the
  patient, so it never rejects the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reentry.i18n import Msg, msg, tr
from reentry.importing import fhir_values as values
from reentry.importing.fhir_file import FhirFile, Resource, read
from reentry.importing.source import SourceFile
from reentry.model import (
    Bed,
    ImportBatch,
    Movement,
    MovementKind,
    PatientKey,
    Site,
    Stay,
    Ward,
)

OUTPATIENT_CLASSES = frozenset({"AMB", "VR", "HH", "FLD", "PRENC"})
FINESS_SYSTEMS = ("urn:oid:1.2.250.1.71.4.2.2", "http://finess.sante.gouv.fr")
DEFAULT_SITE_CODE = "FHIR"
MAX_CHAIN = 10


@dataclass(frozen=True)
class _Place:
    site: Site
    ward: Ward
    room: str | None
    bed: str | None

    @property
    def precision(self) -> int:
        return 2 if self.bed else 1 if self.room else 0


def _physical_type(location: Resource) -> str | None:
    codes = values.concept_codes(location.get("physicalType"))
    return codes[0] if codes else None


def _first_identifier(resource: Resource, systems: tuple[str, ...] = ()) -> str | None:
    for identifier in resource.get("identifier") or ():
        if not isinstance(identifier, dict) or not identifier.get("value"):
            continue
        if not systems or str(identifier.get("system") or "").startswith(systems):
            return str(identifier["value"])
    return None


def _name(resource: Resource) -> str:
    return str(resource.get("name") or _first_identifier(resource) or resource.id or "?")


def _location_code(location: Resource) -> str:
    return (_first_identifier(location) or location.id
            or values.slug_code(str(location.get("name") or location.label)))


def _unresolved_name(reference: Any) -> str | None:
    """A place known only by its reference: its display, else the identifier it names."""
    if not isinstance(reference, dict):
        return None
    if reference.get("display"):
        return str(reference["display"])
    identifier = reference.get("identifier")
    if isinstance(identifier, dict) and identifier.get("value"):
        return str(identifier["value"])
    text = str(reference.get("reference") or "")
    if "?" in text and "|" in text:
        return text.rsplit("|", 1)[-1] or None
    return None


class _Places:
    """Sites, wards and beds met in the file, each listed once."""

    def __init__(self, file: FhirFile) -> None:
        self.file = file
        self.sites: dict[str, Site] = {}
        self.wards: dict[str, Ward] = {}
        self.beds: dict[tuple[str, str, str], Bed] = {}

    def add_to(self, batch: ImportBatch) -> None:
        batch.sites.extend(self.sites.values())
        batch.wards.extend(self.wards.values())
        batch.beds.extend(self.beds.values())

    def locate(self, encounter: Resource) -> tuple[str | None, str | None, str | None]:
        """Ward code, room and bed of the encounter's current location."""
        entries = [e for e in encounter.get("location") or ()
                   if isinstance(e, dict) and e.get("status") != "planned"]
        entries = [e for e in entries if e.get("status") == "active"] or entries
        best: _Place | None = None
        for entry in entries:
            place = self._place(encounter, entry.get("location"))
            if place is not None and (best is None or place.precision >= best.precision):
                best = place
        if best is None:
            return None, None, None
        self.sites[best.site.code] = best.site
        self.wards[best.ward.code] = best.ward
        if best.room and best.bed:
            self.beds[(best.ward.code, best.room, best.bed)] = Bed(best.ward.code, best.room,
                                                                   best.bed)
        return best.ward.code, best.room, best.bed

    def _place(self, encounter: Resource, reference: Any) -> _Place | None:
        target = self.file.resolve(reference, encounter)
        if target is not None and target.type == "Location":
            return self._from_chain(encounter, self._chain(target))
        name = _unresolved_name(reference)
        if name is None:
            return None
        site = self._provider_site(encounter)
        return _Place(site, Ward(values.slug_code(name), name, site.code), None, None)

    def _chain(self, location: Resource) -> list[Resource]:
        """The location, then the locations it is part of, up to the building or site."""
        chain = [location]
        while len(chain) < MAX_CHAIN:
            parent = self.file.resolve(chain[-1].get("partOf"), chain[-1])
            if parent is None or parent.type != "Location" or parent in chain:
                break
            chain.append(parent)
        return chain

    def _from_chain(self, encounter: Resource, chain: list[Resource]) -> _Place | None:
        kinds = [_physical_type(location) for location in chain]
        if "wa" in kinds:
            ward_at = kinds.index("wa")
        else:
            ward_at = next((i for i, kind in enumerate(kinds) if kind not in ("bd", "ro")), -1)
        if ward_at < 0:
            return None
        below = list(zip(chain[:ward_at], kinds[:ward_at], strict=True))
        room = next((_name(loc) for loc, kind in below if kind == "ro"), None)
        bed = next((_name(loc) for loc, kind in below if kind == "bd"), None)
        site = self._chain_site(encounter, chain, ward_at)
        ward_location = chain[ward_at]
        ward = Ward(_location_code(ward_location), _name(ward_location), site.code)
        return _Place(site, ward, room, bed)

    def _chain_site(self, encounter: Resource, chain: list[Resource], ward_at: int) -> Site:
        for location in chain[ward_at:]:
            site = self._organisation_site(location, location.get("managingOrganization"))
            if site is not None:
                return site
        if ward_at + 1 < len(chain):
            top = chain[-1]
            return Site(_location_code(top), _name(top))
        return self._provider_site(encounter)

    def _provider_site(self, encounter: Resource) -> Site:
        site = self._organisation_site(encounter, encounter.get("serviceProvider"))
        return site or Site(DEFAULT_SITE_CODE, tr("fhir.default_site"))

    def _organisation_site(self, origin: Resource, reference: Any) -> Site | None:
        target = self.file.resolve(reference, origin)
        if target is not None and target.type == "Organization":
            code = _first_identifier(target, FINESS_SYSTEMS) or target.id or _name(target)
            return Site(code, _name(target))
        name = _unresolved_name(reference)
        return Site(values.slug_code(name), name) if name else None


def _nda(encounter: Resource) -> str:
    identifiers = [i for i in encounter.get("identifier") or ()
                   if isinstance(i, dict) and i.get("value")]
    for identifier in identifiers:
        if "VN" in values.concept_codes(identifier.get("type")):
            return str(identifier["value"])
    for identifier in identifiers:
        if identifier.get("use") in ("official", "usual"):
            return str(identifier["value"])
    return encounter.id or encounter.label


def locate_stay(source: SourceFile, nda: str) -> Msg | None:
    """The first Encounter that is stay ``nda`` (to name the resource the store refused)."""
    for encounter in read(source).of_type("Encounter"):
        if _nda(encounter) == nda:
            return msg("where.resource_field", resource=encounter.label, element="identifier")
    return None


def _class_codes(encounter: Resource) -> list[str]:
    kind = encounter.get("class")
    if isinstance(kind, dict):  # R4: one Coding
        return [str(kind["code"])] if kind.get("code") else []
    if isinstance(kind, list):  # R5: a list of CodeableConcepts, read the same way
        return [code for item in kind for code in values.concept_codes(item)]
    return []


def _holds_bed(encounter: Resource) -> bool:
    return not any(code.upper() in OUTPATIENT_CLASSES for code in _class_codes(encounter))


def _movements(file: FhirFile, encounter: Resource, nda: str,
               places: _Places) -> list[Movement]:
    period = encounter.get("period")
    period = period if isinstance(period, dict) else {}
    start = file.datetime(encounter, "period.start", period.get("start"))
    end = file.datetime(encounter, "period.end", period.get("end"), end=True)
    status = encounter.get("status")
    ward, room, bed = places.locate(encounter) if _holds_bed(encounter) else (None, None, None)
    movements = [Movement(f"{encounter.source_id}/admission", nda, MovementKind.ADMISSION,
                          start, ward, room, bed,
                          cancelled=status in ("cancelled", "entered-in-error"))]
    if status == "finished" and end is not None:
        movements.append(Movement(f"{encounter.source_id}/discharge", nda,
                                  MovementKind.DISCHARGE, end, ward))
    return movements


def read_stays(file: FhirFile, batch: ImportBatch) -> None:
    """Every Encounter becomes a stay; ``file.stays`` then links clinical data to it."""
    places = _Places(file)
    owners: dict[str, PatientKey] = {}
    for encounter in file.of_type("Encounter"):
        patient = file.patient_of(encounter, "subject")
        nda = _nda(encounter)
        if owners.setdefault(nda, patient) != patient:
            raise file.reject(encounter, "identifier", msg("fhir.nda_of_other_patient", nda=nda))
        file.stays[encounter] = (nda, patient)
        batch.stays.append(Stay(nda, patient))
        batch.movements.extend(_movements(file, encounter, nda, places))
    places.add_to(batch)
