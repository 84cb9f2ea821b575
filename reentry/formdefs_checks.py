"""Checks of a form definition file before anything uses it: the JSON schema, then the rules the
schema cannot express (unique ids, min ≤ max, known prefill keys...).

A definition drives printing, entry and export, so a mistake in one must stop loading with a
message that names the file, the place in it (a JSON path such as ``sections[1].fields[3].range``
followed by the id of the field) and the problem, in the user's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from reentry.errors import FormDefinitionError
from reentry.formdefs_model import (
    ANY_FORM_PREFILLS,
    NUMERIC_TYPES,
    PATIENT_PREFILLS,
    PREFILL_KEYS,
    PRESCRIPTION_PREFILLS,
    TEMPORARY_IDENTITY_PREFILLS,
    ExportRole,
    FieldType,
    RepeatPer,
    Subject,
)
from reentry.i18n import LANGUAGES, Msg, msg

SCHEMA_FILE = "schema.json"
ROOT = "$"

JsonPath = tuple[str | int, ...]
Problem = tuple[JsonPath, Msg]

# Keys that only make sense for some field types, and those types.
_KEYS_BY_TYPE: dict[str, frozenset[FieldType]] = {
    "unit": NUMERIC_TYPES,
    "range": NUMERIC_TYPES,
    "plausible": NUMERIC_TYPES,
    "decimals": frozenset({FieldType.DECIMAL}),
    "choices": frozenset({FieldType.CHOICE}),
    "max_length": frozenset({FieldType.TEXT, FieldType.INITIALS}),
    "pattern": frozenset({FieldType.TEXT}),
    "lines": frozenset({FieldType.TEXT}),
}
_PREFILLS_BY_SUBJECT = {
    Subject.PATIENT: PATIENT_PREFILLS | PRESCRIPTION_PREFILLS | ANY_FORM_PREFILLS,
    Subject.TEMPORARY_IDENTITY: TEMPORARY_IDENTITY_PREFILLS | ANY_FORM_PREFILLS,
}
# Roles whose values are exported as events, which need the time they happened.
_EVENT_ROLES = frozenset({
    ExportRole.OBSERVATION, ExportRole.DOSE, ExportRole.STATUS, ExportRole.NOTE_TEXT,
})


@cache
def schema() -> dict[str, Any]:
    """``forms/schema.json``, read through the package so that an installed copy works."""
    text = (resources.files("forms") / SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def check_definition(document: object, file: str) -> dict[str, Any]:
    """The parsed definition file, once checked; ``FormDefinitionError`` for its first problem."""
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        path, problem = _schema_problem(error)
        raise FormDefinitionError(file, describe_path(document, path), problem)
    assert isinstance(document, dict)  # the schema says so
    for path, problem in semantic_problems(document):
        raise FormDefinitionError(file, describe_path(document, path), problem)
    return document


# -- where: JSON paths that a person can follow -------------------------------------------------


def json_path(path: Sequence[str | int]) -> str:
    """``("sections", 0, "fields", 3, "range")`` → ``sections[0].fields[3].range``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or ROOT


def describe_path(document: object, path: Sequence[str | int]) -> str:
    """The JSON path, followed by the id of the innermost section or field it goes through."""
    owner_id: str | None = None
    node = document
    for part in path:
        if isinstance(node, dict) and isinstance(node.get("id"), str) and node is not document:
            owner_id = node["id"]
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and isinstance(node.get("id"), str) and node is not document:
        owner_id = node["id"]
    where = json_path(path)
    return f"{where} ({owner_id})" if owner_id else where


# -- the schema, in words -----------------------------------------------------------------------


def _schema_problem(error: ValidationError) -> Problem:
    """The place and the problem of a schema error, told in the catalog's words."""
    path: JsonPath = tuple(error.absolute_path)
    kind, limit, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = next(key for key in limit if key not in instance)
        return path + (missing,), msg("formdefs.problem.missing_key")
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(key for key in instance if key not in allowed)[0]
        return path + (extra,), msg("formdefs.problem.unknown_key", allowed=", ".join(allowed))
    return path, _value_problem(error)


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _value_problem(error: ValidationError) -> Msg:
    kind, limit, instance = error.validator, error.validator_value, error.instance
    simple = {
        "minimum": "too_small", "maximum": "too_large", "exclusiveMinimum": "not_above",
        "exclusiveMaximum": "too_large",
    }
    if kind in ("enum", "const"):
        allowed = ", ".join(_shown(v) for v in (limit if kind == "enum" else [limit]))
        return msg("formdefs.problem.not_allowed", value=_shown(instance), allowed=allowed)
    if kind == "type" and isinstance(limit, str):
        return msg("formdefs.problem.wrong_type", expected=msg(f"formdefs.json_type.{limit}"))
    if kind in simple:
        return msg(f"formdefs.problem.{simple[kind]}", value=_shown(instance), limit=limit)
    if kind == "minLength":
        return msg("formdefs.problem.empty_text")
    if kind == "maxLength":
        return msg("formdefs.problem.too_long", limit=limit)
    if kind == "minItems":
        return msg("formdefs.problem.empty_list")
    if kind == "pattern" and error.schema is schema()["$defs"]["identifier"]:
        return msg("formdefs.problem.bad_identifier", value=instance)
    if kind == "pattern":
        return msg("formdefs.problem.bad_value", value=_shown(instance), pattern=limit)
    return msg("formdefs.problem.schema", detail=error.message)


# -- what the schema cannot say -----------------------------------------------------------------


def semantic_problems(form: dict[str, Any]) -> Iterator[Problem]:
    """Every rule beyond the schema, in paper order; ``form`` already matches the schema."""
    yield from _blank_texts(form, ())
    yield from _duplicate_ids(form)
    subject = Subject(form["subject"])
    for s_index, section in enumerate(form["sections"]):
        section_path: JsonPath = ("sections", s_index)
        yield from _section_problems(section, section_path)
        for f_index, field in enumerate(section["fields"]):
            field_path = section_path + ("fields", f_index)
            yield from _field_problems(field, field_path, section, subject)
    yield from _event_date_problems(form)


def _blank_texts(node: object, path: JsonPath) -> Iterator[Problem]:
    """Every {fr, en} text must say something in both languages (spaces are not a label)."""
    if isinstance(node, dict):
        if set(node) == set(LANGUAGES):
            for language in LANGUAGES:
                if isinstance(node[language], str) and not node[language].strip():
                    name = msg(f"formdefs.language.{language}")
                    yield path + (language,), msg("formdefs.problem.blank_text", language=name)
            return
        for key, value in node.items():
            yield from _blank_texts(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _blank_texts(value, path + (index,))


def _duplicate_ids(form: dict[str, Any]) -> Iterator[Problem]:
    """Field ids are unique in the whole form: the export and the entry screen name fields by id."""
    sections: dict[str, JsonPath] = {}
    fields: dict[str, JsonPath] = {}
    for s_index, section in enumerate(form["sections"]):
        path: JsonPath = ("sections", s_index)
        if section["id"] in sections:
            yield path + ("id",), msg("formdefs.problem.duplicate_section", id=section["id"],
                                      first=json_path(sections[section["id"]]))
        sections.setdefault(section["id"], path)
        for f_index, field in enumerate(section["fields"]):
            field_path = path + ("fields", f_index)
            if field["id"] in fields:
                yield field_path + ("id",), msg("formdefs.problem.duplicate_field", id=field["id"],
                                                first=json_path(fields[field["id"]]))
            fields.setdefault(field["id"], field_path)


def _section_problems(section: dict[str, Any], path: JsonPath) -> Iterator[Problem]:
    repeat = section.get("repeat")
    if repeat is not None and ("rows" in repeat) == ("per" in repeat):
        yield path + ("repeat",), msg("formdefs.problem.repeat_rows_or_per")
    if repeat is None and "rows_per_page" in section.get("layout", {}):
        yield path + ("layout", "rows_per_page"), msg(
            "formdefs.problem.rows_per_page_not_repeated")
    roles = {field["export"] for field in section["fields"]}
    if roles & _EVENT_ROLES and ExportRole.EVENT_TIME not in roles:
        yield path + ("fields",), msg("formdefs.problem.no_event_time")


def _field_problems(field: dict[str, Any], path: JsonPath, section: dict[str, Any],
                    subject: Subject) -> Iterator[Problem]:
    yield from _type_problems(field, path)
    yield from _bounds_problems(field, path)
    yield from _prefill_problems(field, path, section, subject)
    yield from _condition_problems(field, path, section)
    if field["export"] == ExportRole.OBSERVATION and "code" not in field:
        yield path + ("code",), msg("formdefs.problem.observation_without_code")
    if "pattern" in field:
        try:
            re.compile(field["pattern"])
        except re.error as error:
            yield path + ("pattern",), msg("formdefs.problem.bad_pattern", detail=str(error))
        if "pattern_hint" not in field:
            yield path + ("pattern",), msg("formdefs.problem.pattern_without_hint")


def _type_problems(field: dict[str, Any], path: JsonPath) -> Iterator[Problem]:
    field_type = FieldType(field["type"])
    for key, types in _KEYS_BY_TYPE.items():
        if key in field and field_type not in types:
            yield path + (key,), msg("formdefs.problem.only_for_types", key=key,
                                     types=", ".join(sorted(types)))
    if field_type == FieldType.CHOICE:
        if not field.get("choices"):
            yield path + ("choices",), msg("formdefs.problem.no_choices")
        seen: set[str] = set()
        for index, choice in enumerate(field.get("choices", [])):
            if choice["code"] in seen:
                yield path + ("choices", index, "code"), msg(
                    "formdefs.problem.duplicate_choice", code=choice["code"])
            seen.add(choice["code"])
        choices = field.get("choices", [])
        for index, choice in enumerate(choices):
            # One key, one answer: not an earlier answer's key, nor another answer's code.
            key = str(choice.get("key", "")).casefold()
            taken = {str(c.get("key", "")).casefold() for c in choices[:index]}
            taken |= {str(c["code"]).casefold() for c in choices if c is not choice}
            if key and key in taken:
                yield path + ("choices", index, "key"), msg(
                    "formdefs.problem.duplicate_choice_key", key=choice["key"])


def _bounds_problems(field: dict[str, Any], path: JsonPath) -> Iterator[Problem]:
    for key in ("range", "plausible"):
        bounds = field.get(key)
        if bounds and bounds["min"] > bounds["max"]:
            yield path + (key,), msg("formdefs.problem.min_above_max", min=bounds["min"],
                                     max=bounds["max"])
    allowed, plausible = field.get("range"), field.get("plausible")
    if allowed and plausible and not (
            allowed["min"] <= plausible["min"] and plausible["max"] <= allowed["max"]):
        yield path + ("plausible",), msg(
            "formdefs.problem.plausible_outside_range", min=plausible["min"],
            max=plausible["max"], range_min=allowed["min"], range_max=allowed["max"])


def _prefill_problems(field: dict[str, Any], path: JsonPath, section: dict[str, Any],
                      subject: Subject) -> Iterator[Problem]:
    key = field.get("prefill")
    if key is None:
        if field.get("readonly"):
            yield path + ("readonly",), msg("formdefs.problem.readonly_without_prefill")
        return
    where = path + ("prefill",)
    if key not in PREFILL_KEYS:
        yield where, msg("formdefs.problem.unknown_prefill", key=key,
                         known=", ".join(sorted(PREFILL_KEYS)))
    elif key not in _PREFILLS_BY_SUBJECT[subject]:
        yield where, msg("formdefs.problem.prefill_wrong_subject", key=key, subject=subject)
    elif key in PRESCRIPTION_PREFILLS and (
            section.get("repeat", {}).get("per") != RepeatPer.PRESCRIPTION_DOSE):
        yield where, msg("formdefs.problem.prefill_needs_prescription_rows", key=key)


def _condition_problems(field: dict[str, Any], path: JsonPath,
                        section: dict[str, Any]) -> Iterator[Problem]:
    condition = field.get("required_when")
    if condition is None:
        return
    where = path + ("required_when",)
    if field.get("required"):
        yield where, msg("formdefs.problem.required_twice")
    trigger = next((f for f in section["fields"] if f["id"] == condition["field"]), None)
    if trigger is None:
        yield where + ("field",), msg("formdefs.problem.condition_unknown_field",
                                      id=condition["field"])
    elif trigger["type"] != FieldType.CHOICE:
        yield where + ("field",), msg("formdefs.problem.condition_not_choice",
                                      id=trigger["id"], type=trigger["type"])
    else:
        codes = {choice["code"] for choice in trigger.get("choices", [])}
        for index, code in enumerate(condition["in"]):
            if code not in codes:
                yield where + ("in", index), msg("formdefs.problem.condition_unknown_code",
                                                 code=code, id=trigger["id"])


def _event_date_problems(form: dict[str, Any]) -> Iterator[Problem]:
    """A time of day alone is not an instant: the form must also say which day."""
    fields = [(s, f, field) for s, section in enumerate(form["sections"])
              for f, field in enumerate(section["fields"])]
    if any(field["export"] == ExportRole.EVENT_DATE for _, _, field in fields):
        return
    for s_index, f_index, field in fields:
        if field["export"] == ExportRole.EVENT_TIME and field["type"] == FieldType.TIME:
            yield ("sections", s_index, "fields", f_index, "type"), msg(
                "formdefs.problem.no_event_date", id=field["id"])
            return
