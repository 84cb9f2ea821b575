"""One FHIR file read whole: its resources, how they reference each other, how to reject it.

A file may be a Bundle of any type (transaction, collection, searchset, nested Bundles too), a
single resource, a JSON array of resources, or NDJSON (one resource per line). References are
resolved within the file only: relative (``Patient/1``), ``urn:uuid:`` (an entry's fullUrl, or
a bare id when NDJSON lines carry no fullUrl), absolute URLs ending in ``Type/id`` (a
``_history`` suffix is ignored), ``#id`` for a contained resource, or a logical reference by
identifier to a Patient. Conditional references (``Location?identifier=...``) never resolve.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from reentry.errors import FileRejected
from reentry.i18n import Msg, msg
from reentry.importing import fhir_shapes as shapes
from reentry.importing import fhir_values as values
from reentry.importing import limits
from reentry.importing.source import SourceFile
from reentry.model import PatientKey


@dataclass(eq=False)
class Resource:
    """One resource of the file; compared by identity so it can key the importer's maps."""

    data: dict[str, Any]
    type: str
    id: str | None
    full_url: str | None

    @cached_property
    def label(self) -> str:
        """``Observation/abc`` (the fullUrl when there is no id): names it in messages."""
        if self.id:
            return f"{self.type}/{self.id}"
        if self.full_url:
            return self.full_url
        digest = hashlib.sha1(json.dumps(self.data, sort_keys=True).encode()).hexdigest()[:16]
        return f"{self.type}/sha1-{digest}"

    @property
    def source_id(self) -> str:
        """Namespaced and stable across exports of the same data, so a re-import updates."""
        return f"fhir:{self.label}"

    def get(self, name: str) -> Any:
        return self.data.get(name)


@dataclass
class FhirFile:
    """The resources of one file, indexed for reference resolution, plus the rejection helpers."""

    source: SourceFile
    resources: list[Resource]
    bundle: dict[str, Any] | None = None
    patient_keys: dict[Resource, PatientKey] = field(default_factory=dict)
    stays: dict[Resource, tuple[str, PatientKey]] = field(default_factory=dict)
    times: list[datetime] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_reference: dict[str, Resource] = {}
        self._by_bare_id: dict[str, Resource | None] = {}
        self._patients_by_identifier: dict[tuple[str, str], Resource] = {}
        for resource in self.resources:
            if resource.id:
                self._by_reference[f"{resource.type}/{resource.id}"] = resource
                previous = self._by_bare_id.get(resource.id, resource)
                self._by_bare_id[resource.id] = resource if previous is resource else None
            if resource.full_url:
                self._by_reference[resource.full_url] = resource
            if resource.type == "Patient":
                for identifier in resource.get("identifier") or ():
                    if isinstance(identifier, dict) and identifier.get("value"):
                        key = (str(identifier.get("system") or ""), str(identifier["value"]))
                        self._patients_by_identifier[key] = resource

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.type in types)

    # -- references -------------------------------------------------------------------------

    def resolve(self, reference: Any, origin: Resource) -> Resource | None:
        """The resource ``reference`` points to in this file, or None."""
        if not isinstance(reference, dict):
            return None
        text = reference.get("reference")
        if not isinstance(text, str) or not text:
            return self._by_identifier(reference.get("identifier"))
        if text.startswith("#"):
            return _contained(origin, text[1:])
        found = self._by_reference.get(text)
        if found is not None or "?" in text:
            return found
        if text.startswith("urn:"):
            return self._by_bare_id.get(text.rsplit(":", 1)[-1])
        parts = text.split("/")
        if "_history" in parts:
            parts = parts[:parts.index("_history")]
        if len(parts) >= 2:
            return self._by_reference.get(f"{parts[-2]}/{parts[-1]}")
        return None

    def _by_identifier(self, identifier: Any) -> Resource | None:
        if not isinstance(identifier, dict) or not identifier.get("value"):
            return None
        return self._patients_by_identifier.get(
            (str(identifier.get("system") or ""), str(identifier["value"])))

    def patient_of(self, resource: Resource, element: str) -> PatientKey:
        """The patient a clinical resource is about; a patient not in the file rejects it."""
        reference = resource.get(element)
        target = self.resolve(reference, resource)
        key = self.patient_keys.get(target) if target is not None else None
        if key is not None:
            return key
        shown = values.reference_text(reference)
        if not shown:
            problem = msg("problem.missing_value", name=element)
        elif target is not None and target.type != "Patient":
            problem = msg("fhir.not_a_patient", reference=shown)
        else:
            problem = msg("problem.missing_reference", reference=shown)
        raise self.reject(resource, element, problem)

    def stay_of(self, resource: Resource, element: str, patient: PatientKey) -> str | None:
        """The NDA of the stay a resource belongs to, if its Encounter is in the file."""
        reference = resource.get(element)
        target = self.resolve(reference, resource)
        if target is None or target not in self.stays:
            return None
        nda, owner = self.stays[target]
        if owner != patient:
            raise self.reject(resource, element, msg(
                "fhir.other_patient", reference=values.reference_text(reference)))
        return nda

    # -- values -----------------------------------------------------------------------------

    def reject(self, resource: Resource, element: str, problem: Msg) -> FileRejected:
        where = msg("where.resource_field", resource=resource.label, element=element)
        return FileRejected(self.source.name, where, problem)

    def datetime(self, resource: Resource, element: str, value: Any, *, end: bool = False,
                 event: bool = True) -> datetime | None:
        """``value`` as a datetime; ``event`` times also count for the file's "data as of"."""
        if value is None:
            return None
        try:
            moment = values.parse_datetime(value, end=end)
        except (ValueError, TypeError, OverflowError):
            raise self.reject(resource, element,
                              msg("problem.bad_datetime", value=limits.shown(value))) from None
        if event:
            self.times.append(moment)
        return moment

    def date(self, resource: Resource, element: str, value: Any) -> date | None:
        if value is None:
            return None
        try:
            return values.parse_date(value)
        except (ValueError, TypeError, OverflowError):
            raise self.reject(resource, element,
                              msg("problem.bad_date", value=limits.shown(value))) from None

    def number(self, resource: Resource, element: str, value: Any) -> float | None:
        try:
            return values.parse_number(value)
        except ValueError:
            raise self.reject(resource, element,
                              msg("problem.bad_number", value=limits.shown(value))) from None

    def quantity(self, resource: Resource, element: str, quantity: Any,
                 *, ucum_first: bool = True) -> tuple[float | None, str | None]:
        """Value and unit of a Quantity: the UCUM ``code`` first (measures, compared by code),
        or the human ``unit`` first (doses, printed for nurses)."""
        if not isinstance(quantity, dict):
            return None, None
        value = self.number(resource, f"{element}.value", quantity.get("value"))
        first, second = ("code", "unit") if ucum_first else ("unit", "code")
        unit = quantity.get(first) or quantity.get(second)
        return value, str(unit) if unit else None


def _contained(origin: Resource, wanted: str) -> Resource | None:
    for item in origin.get("contained") or ():
        if isinstance(item, dict) and item.get("id") == wanted and item.get("resourceType"):
            return Resource(item, str(item["resourceType"]), wanted, None)
    return None


# -- reading the file ---------------------------------------------------------------------------


def read(source: SourceFile) -> FhirFile:
    """Decode the file (JSON or NDJSON) and list its resources, Bundles flattened."""
    text = source.text()
    try:
        document = _loads(source, text, msg("where.file"))
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise FileRejected(source.name, msg("where.json", line=error.lineno,
                                                column=error.colno),
                               msg("problem.broken_json", detail=error.msg)) from None
        return FhirFile(source, _ndjson(source, text))
    resources: list[Resource] = []
    if isinstance(document, list):
        for index, item in enumerate(document, 1):
            _collect(source, item, None, msg("fhir.entry", index=index), resources)
        return FhirFile(source, resources)
    _collect(source, document, None, msg("where.file"), resources)
    bundle = document if document.get("resourceType") == "Bundle" else None
    return FhirFile(source, resources, bundle)


def _loads(source: SourceFile, text: str, where: Msg) -> Any:
    """``json.loads`` within the limits: nesting deeper than ``MAX_JSON_DEPTH`` and integers
    longer than Python converts are refused naming their line (``where`` for one NDJSON line);
    a ``JSONDecodeError`` is left to the caller, who knows whether NDJSON follows."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        document = None  # deeper than Python goes: the scan below names the line
    except ValueError:  # an integer of thousands of digits
        line = limits.long_number_line(text)
        raise FileRejected(source.name, where if line is None else msg("where.line", line=line),
                           msg("fhir.number_too_long", limit=limits.MAX_JSON_DIGITS)) from None
    if document is None or isinstance(document, dict | list):
        deep_at = limits.json_too_deep(text)
        if deep_at is not None or document is None:
            place = msg("where.line", line=deep_at) if deep_at is not None else where
            raise FileRejected(source.name, place,
                               msg("fhir.too_deep", limit=limits.MAX_JSON_DEPTH))
    return document


def _ndjson(source: SourceFile, text: str) -> list[Resource]:
    resources: list[Resource] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = msg("where.line", line=number)
        try:
            item = _loads(source, line, where)
        except json.JSONDecodeError as error:
            raise FileRejected(source.name, where,
                               msg("problem.broken_json", detail=error.msg)) from None
        except FileRejected as error:
            raise FileRejected(source.name, where, error.problem) from None
        _collect(source, item, None, where, resources)
    return resources


def _collect(source: SourceFile, item: Any, full_url: Any, where: Msg,
             into: list[Resource]) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("resourceType"), str):
        raise FileRejected(source.name, where, msg("problem.not_fhir"))
    kind = item["resourceType"]
    resource_id = item.get("id")
    resource = Resource(item, kind, str(resource_id) if _is_value(resource_id) else None,
                        str(full_url) if _is_value(full_url) else None)
    mismatch = shapes.check(item)
    if mismatch is not None:
        raise FileRejected(source.name, _where_in(resource, where, mismatch.path), msg(
            "fhir.wrong_type", expected=mismatch.expected, found=mismatch.found))
    if kind == "Bundle":
        for index, entry in enumerate(item.get("entry") or (), 1):
            if isinstance(entry, dict) and entry.get("resource") is not None:
                _collect(source, entry["resource"], entry.get("fullUrl"),
                         msg("fhir.entry", index=index), into)
        return
    into.append(resource)


def _is_value(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""


def _where_in(resource: Resource, where: Msg, element: str) -> Msg:
    """A resource known by id or fullUrl is named by it; else by where it stands in the file."""
    if resource.id or resource.full_url:
        return msg("where.resource_field", resource=resource.label, element=element)
    return msg("fhir.where_element", where=where, element=element)
