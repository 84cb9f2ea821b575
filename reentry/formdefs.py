"""Paper form definitions: loaded from ``forms/*.json``, checked, and turned into a typed model.

Adding a form is adding a file, not code: the print station, the entry screen, the value checks,
the exporters and the reconciliation all read the same definition (see docs/forms.md). A file
that is broken, does not match ``forms/schema.json`` or breaks a rule the schema cannot express
stops loading with a ``FormDefinitionError`` naming the file, the field and the problem.

The definitions are read through ``importlib.resources`` so that an installed (non-editable,
even zipped) copy of Reentry finds them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from reentry.errors import FormDefinitionError, NotFound
from reentry.formdefs_checks import ROOT, SCHEMA_FILE, check_definition
from reentry.formdefs_model import (
    Bounds,
    Choice,
    Code,
    ExportRole,
    FieldDefinition,
    FieldType,
    FormDefinition,
    FormKind,
    FormLayout,
    LocalizedText,
    Repeat,
    RepeatPer,
    RequiredWhen,
    Section,
    SectionLayout,
    Subject,
)
from reentry.formdefs_values import ValueCheck, is_blank_row, validate_row, validate_value
from reentry.i18n import msg

__all__ = [
    "Choice", "Code", "ExportRole", "FieldDefinition", "FieldType", "FormDefinition",
    "FormDefinitionError", "FormKind", "LocalizedText", "Section", "Subject", "ValueCheck",
    "get_form", "is_blank_row", "load_form_file", "load_forms", "validate_row",
    "validate_value",
]

FORMS_PACKAGE = "forms"


def load_forms() -> dict[str, FormDefinition]:
    """Every form shipped in ``forms/``, by id (read and checked once, then cached)."""
    return dict(_shipped_forms())


def get_form(form_id: str) -> FormDefinition:
    """The shipped form ``form_id``; ``NotFound`` names it if there is none."""
    try:
        return _shipped_forms_by_id()[form_id]
    except KeyError:
        raise NotFound(what=msg("formdefs.form"), key=form_id) from None


def load_form_file(path: str | os.PathLike[str] | Traversable,
                   name: str | None = None) -> FormDefinition:
    """Read, check and build one definition file; ``name`` is how messages call the file."""
    source = Path(path) if isinstance(path, str | os.PathLike) else path
    file = name or str(path)
    document = check_definition(_parse(_read(source, file), file), file)
    return build_form(document, file)


@cache
def _shipped_forms() -> tuple[tuple[str, FormDefinition], ...]:
    folder = resources.files(FORMS_PACKAGE)
    forms: dict[str, FormDefinition] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name == SCHEMA_FILE:
            continue
        form = load_form_file(entry, name=f"{FORMS_PACKAGE}/{entry.name}")
        if form.id in forms:
            raise FormDefinitionError(form.source, "id", msg(
                "formdefs.problem.duplicate_form", id=form.id, other=forms[form.id].source))
        forms[form.id] = form
    return tuple(forms.items())


@cache
def _shipped_forms_by_id() -> dict[str, FormDefinition]:
    return dict(_shipped_forms())


# -- reading ------------------------------------------------------------------------------------


def _read(source: Traversable, file: str) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FormDefinitionError(file, ROOT, msg("problem.bad_encoding", detail=error.reason)) \
            from None
    except OSError as error:
        raise FormDefinitionError(file, ROOT, msg("formdefs.problem.unreadable",
                                                  detail=error.strerror or str(error))) from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str, owner: str | None) -> None:
        super().__init__(key)
        self.key = key
        self.owner = owner


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON keeps the last of two equal keys silently; in a definition that is always a slip."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            owner = next((v for k, v in pairs if k == "id" and isinstance(v, str)), None)
            raise _DuplicateKey(key, owner)
        result[key] = value
    return result


def _parse(text: str, file: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise FormDefinitionError(file, ROOT, msg(
            "formdefs.problem.broken_json", line=error.lineno, column=error.colno,
            detail=error.msg)) from None
    except _DuplicateKey as error:
        raise FormDefinitionError(file, error.owner or ROOT, msg(
            "formdefs.problem.duplicate_key", key=error.key)) from None


# -- building the model from a checked document -------------------------------------------------


def build_form(document: dict[str, Any], file: str) -> FormDefinition:
    """The typed form of a document that passed ``check_definition``."""
    layout = document["layout"]
    return FormDefinition(
        id=document["id"],
        version=document["version"],
        kind=FormKind(document["kind"]),
        subject=Subject(document["subject"]),
        title=_text(document["title"]),
        description=_optional_text(document.get("description")),
        layout=FormLayout(orientation=layout["orientation"], paper=layout.get("paper", "A4")),
        sections=tuple(_section(s) for s in document["sections"]),
        source=file,
    )


def _text(node: dict[str, str]) -> LocalizedText:
    return LocalizedText(fr=node["fr"].strip(), en=node["en"].strip())


def _optional_text(node: dict[str, str] | None) -> LocalizedText | None:
    return _text(node) if node else None


def _code(node: dict[str, str]) -> Code:
    return Code(system=node["system"], code=node["code"], display=node.get("display"))


def _bounds(node: dict[str, float] | None) -> Bounds | None:
    return Bounds(min=node["min"], max=node["max"]) if node else None


def _section(node: dict[str, Any]) -> Section:
    repeat = node.get("repeat")
    layout = node.get("layout", {})
    return Section(
        id=node["id"],
        title=_optional_text(node.get("title")),
        repeat=Repeat(rows=repeat.get("rows"),
                      per=RepeatPer(repeat["per"]) if "per" in repeat else None)
        if repeat is not None else None,
        layout=SectionLayout(columns=layout.get("columns", 1),
                             rows_per_page=layout.get("rows_per_page")),
        fields=tuple(_field(f) for f in node["fields"]),
    )


def _choices(nodes: Iterable[dict[str, Any]]) -> tuple[Choice, ...]:
    return tuple(
        Choice(code=c["code"], label=_text(c["label"]),
               codes=tuple(_code(code) for code in c.get("codes", ())), key=c.get("key"))
        for c in nodes)


def _field(node: dict[str, Any]) -> FieldDefinition:
    condition = node.get("required_when")
    return FieldDefinition(
        id=node["id"],
        label=_text(node["label"]),
        short_label=_optional_text(node.get("short_label")),
        type=FieldType(node["type"]),
        export=ExportRole(node["export"]),
        unit=node.get("unit"),
        range=_bounds(node.get("range")),
        plausible=_bounds(node.get("plausible")),
        decimals=node.get("decimals"),
        required=node.get("required", False),
        required_when=RequiredWhen(field=condition["field"], values=tuple(condition["in"]))
        if condition else None,
        choices=_choices(node.get("choices", ())),
        code=_code(node["code"]) if "code" in node else None,
        max_length=node.get("max_length"),
        pattern=node.get("pattern"),
        pattern_hint=_optional_text(node.get("pattern_hint")),
        prefill=node.get("prefill"),
        readonly=node.get("readonly", False),
        width=float(node.get("width", 1)),
        lines=node.get("lines", 1),
    )
