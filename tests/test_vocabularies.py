"""One definition of each vocabulary: codes, labels and units come from forms/, kinds and
template names from their enum, and every reader and writer agrees with them.

Each coded field of a shipped form is looked up the way the screens, the printed dossier, the
exports and the imports look it up; none may disagree with the form (80288-4 included).
"""

from __future__ import annotations

import ast
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import hl7
import pytest

from reentry import clinical_codes, display
from reentry.domain.entry import Item, ItemKind
from reentry.export import export_items
from reentry.formdefs import load_forms
from reentry.formdefs_model import ExportRole, FieldDefinition, FormKind
from reentry.importing import parse_file
from reentry.registry import PrintedTemplate

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2026, 11, 23, 22, 15, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def coded_fields() -> list[FieldDefinition]:
    return [f for form in load_forms().values() for f in form.fields
            if f.export == ExportRole.OBSERVATION and f.code is not None]


CODED = {f.code.code: f for f in reversed(coded_fields())}  # the first form defines a code


def test_the_forms_chart_every_vital_sign_of_the_paper_chart():
    assert {"8480-6", "8462-4", "8867-4", "8310-5", "2708-6", "9279-1", "72514-3",
            "80288-4"} <= set(CODED)
    assert set(clinical_codes.charted_codes()) == set(CODED)


@pytest.mark.parametrize("code", sorted(CODED))
def test_labels_units_and_displays_are_the_forms(code):
    field = CODED[code]
    assert clinical_codes.label(code) == field.label_in()
    assert clinical_codes.label(code, "en") == field.label_in("en")
    assert clinical_codes.stored_label(code) == field.label_in("fr")
    assert clinical_codes.unit(code) == field.unit
    assert clinical_codes.standard_display(code) == field.code.display
    assert display.vital_label(code, "?") == field.short_label_in()
    key = display.BLOOD_PRESSURE if code in (clinical_codes.SYSTOLIC,
                                             clinical_codes.DIASTOLIC) else code
    assert key in display.vital_order()


@pytest.mark.parametrize("code", sorted(CODED))
def test_exports_carry_the_forms_code_display_and_unit(code, tmp_path):
    field = CODED[code]
    numeric = field.is_numeric
    item = Item(id=1, entry_id=1, serial=1, kind=ItemKind.VITAL_SIGN, code=code,
                effective_time=AT, author="AB", entered_by="mdupont", entered_at=NOW,
                ipp="100001", label=field.label_in("fr"), value=1.0 if numeric else None,
                value_text=None if numeric else field.choices[0].code, unit=field.unit)
    export_items([item], "fhir", tmp_path / "out.json", now=NOW)
    resource = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["entry"][0][
        "resource"]
    assert resource["code"]["coding"] == [{"system": clinical_codes.LOINC, "code": code,
                                           "display": field.code.display}]
    export_items([item], "hl7", tmp_path / "out.hl7", now=NOW)
    (message,) = hl7.split_file((tmp_path / "out.hl7").read_bytes().decode("utf-8"))
    obx = hl7.parse(message).segment("OBX")
    assert str(obx[3]) == f"{code}^{field.label_in('fr')}^LN"
    export_items([item], "csv", tmp_path / "out.csv", now=NOW)
    (row,) = csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8")))
    assert row["unit"] == (field.unit or "")  # UCUM in the exports
    if numeric and field.unit:
        quantity = resource["valueQuantity"]  # UCUM for programs, as on paper for people
        assert (quantity["code"], quantity.get("unit", "")) == (field.unit,
                                                                display.unit_text(field.unit))
        assert str(obx[6]) == f"{field.unit}^{display.unit_text(field.unit) or field.unit}^UCUM"


def test_units_read_as_on_paper():
    assert [display.unit_text(u) for u in ("mm[Hg]", "Cel", "/min", "%", "{score}")] == [
        "mmHg", "°C", "/min", "%", ""]
    for field in coded_fields():
        shown = display.unit_text(field.unit)
        assert "[" not in shown and "{" not in shown, field.id  # never UCUM syntax to a person


@pytest.mark.parametrize("code", sorted(CODED))
def test_csv_import_labels_a_vital_sign_as_its_form(code, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
                    f"1,100001,,vital_sign,{code},1,,,2026-11-23T23:15:00+01:00,AB,\n",
                    encoding="utf-8")
    (observation,) = parse_file(path).observations
    assert (observation.code, observation.label) == (code, CODED[code].label_in("fr"))


@pytest.mark.parametrize("code", sorted(CODED))
def test_fhir_import_keeps_the_code_the_forms_chart(code, tmp_path):
    """A resource coded twice in LOINC (another code first) is filed under the form's code."""
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1",
                      "identifier": [{"system": "urn:ipp", "value": "100001"}],
                      "name": [{"family": "MARTIN", "given": ["Anne"]}],
                      "birthDate": "1950-02-03", "gender": "female"}},
        {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                      "subject": {"reference": "Patient/p1"},
                      "effectiveDateTime": "2026-11-23T23:15:00+01:00",
                      "code": {"coding": [{"system": clinical_codes.LOINC, "code": "00000-0"},
                                          {"system": clinical_codes.LOINC, "code": code}]},
                      "valueString": "x"}}]}
    path = tmp_path / "sih.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    (observation,) = parse_file(path).observations
    assert observation.code == code


# -- no second list of a vocabulary --------------------------------------------------------------

# Where a value is defined: the enum (or the form-kind enum whose values are the form ids).
DEFINITIONS = {"reentry/domain/entry.py", "reentry/registry.py", "reentry/formdefs_model.py"}
# The same word meaning something else: the main window's "dossier" pane.
OTHER_MEANINGS = {("ui/main_window.py", "dossier")}
def vocabulary() -> set[str]:
    """Item kinds, template names of the sheets that are not forms, and the shipped form ids."""
    return ({k.value for k in ItemKind} | {t.value for t in PrintedTemplate}
            | set(load_forms()))


def literals(path: Path, words: set[str]) -> set[str]:
    """The words of ``words`` written as a string literal in ``path``, alone or quoted in SQL."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= {w for w in words if node.value == w or f"'{w}'" in node.value}
    return found


def test_no_kind_or_template_name_is_written_outside_its_enum():
    words = vocabulary()
    assert {"movement", "ward_cover", "dossier", "transfer_discharge"} <= words
    assert all(FormKind(form.kind) for form in load_forms().values())
    seen = set()
    for path in sorted([*ROOT.joinpath("reentry").rglob("*.py"),
                        *ROOT.joinpath("ui").rglob("*.py")]):
        name = path.relative_to(ROOT).as_posix()
        if name in DEFINITIONS:
            continue
        for word in literals(path, words):
            seen.add((name, word))
    unexpected = seen - OTHER_MEANINGS
    assert not unexpected, f"use the enum (ItemKind, PrintedTemplate, FormKind): {unexpected}"
