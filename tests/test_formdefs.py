"""Form definitions: the shipped files load and say what the wards need, broken definitions are
refused with a message naming the file, the field and the problem, and typed values are checked
the way the entry screen and the importers need (ranges with units, confirmations, French input)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from reentry import clock, i18n
from reentry.errors import FormDefinitionError, NotFound
from reentry.formdefs import (
    ExportRole,
    FieldType,
    FormKind,
    Subject,
    get_form,
    is_blank_row,
    load_form_file,
    load_forms,
    validate_row,
    validate_value,
)
from reentry.formdefs_checks import schema
from reentry.formdefs_model import PREFILL_KEYS, FieldDefinition, LocalizedText, RepeatPer
from reentry.model import MovementKind, Sex

from conftest import REPO

FIVE_FORMS = {"vital_signs", "medication_administration", "nursing_notes", "downtime_admission",
              "transfer_discharge"}
LOINC = "http://loinc.org"


@pytest.fixture(scope="module")
def forms():
    return load_forms()


@pytest.fixture(scope="module")
def vitals(forms):
    return forms["vital_signs"]


def field_ids(form) -> list[str]:
    return [f.id for f in form.fields]


# -- the shipped forms --------------------------------------------------------------------------


def test_every_shipped_file_loads_and_the_five_forms_are_there(forms):
    files = sorted(e.name for e in resources.files("forms").iterdir()
                   if e.name.endswith(".json") and e.name != "schema.json")
    assert len(forms) == len(files)
    assert set(forms) >= FIVE_FORMS
    for form_id, form in forms.items():
        assert form.id == form_id and form.version >= 1
        assert form.source == f"forms/{form_id}.json"
        assert form.title_in("fr") and form.title_in("en") and form.title_in("fr") != form.title_in("en")


def test_the_schema_is_valid_draft_2020_12_and_agrees_with_the_typed_model():
    Draft202012Validator.check_schema(schema())
    definitions = schema()["$defs"]
    field = definitions["field"]["properties"]
    assert set(field["type"]["enum"]) == {t.value for t in FieldType}
    assert set(field["export"]["enum"]) == {r.value for r in ExportRole}
    assert set(schema()["properties"]["kind"]["enum"]) == {k.value for k in FormKind}
    assert set(schema()["properties"]["subject"]["enum"]) == {s.value for s in Subject}
    assert set(definitions["repeat"]["properties"]["per"]["enum"]) == {p.value for p in RepeatPer}


def test_loading_is_cached_but_callers_get_their_own_dict(forms):
    again = load_forms()
    assert again["vital_signs"] is forms["vital_signs"]
    again.pop("vital_signs")
    assert "vital_signs" in load_forms()


def test_vital_signs_have_their_fields_units_and_loinc_codes(vitals):
    assert field_ids(vitals) == ["date", "time", "systolic", "diastolic", "heart_rate",
                                 "temperature", "spo2", "respiratory_rate", "pain",
                                 "consciousness", "initials"]
    codes = {f.id: f.code.code for f in vitals.fields if f.code}
    assert codes == {"systolic": "8480-6", "diastolic": "8462-4", "heart_rate": "8867-4",
                     "temperature": "8310-5", "spo2": "2708-6", "respiratory_rate": "9279-1",
                     "pain": "72514-3", "consciousness": "80288-4"}
    assert all(f.code.system == LOINC for f in vitals.fields if f.code)
    units = {f.id: f.unit for f in vitals.fields if f.unit}
    assert units == {"systolic": "mm[Hg]", "diastolic": "mm[Hg]", "heart_rate": "/min",
                     "temperature": "Cel", "spo2": "%", "respiratory_rate": "/min",
                     "pain": "{score}"}
    systolic = vitals.field("systolic")
    assert (systolic.range.min, systolic.range.max) == (30, 300)
    assert (systolic.plausible.min, systolic.plausible.max) == (70, 220)
    temperature = vitals.field("temperature")
    assert temperature.type == FieldType.DECIMAL and temperature.decimals == 1
    assert (temperature.range.min, temperature.range.max) == (25, 45)
    readings = vitals.section_of("heart_rate")
    assert readings.repeat.rows == 12 and readings.layout.rows_per_page == 12
    assert vitals.layout.orientation == "landscape"
    assert [c.code for c in vitals.field("consciousness").choices] == ["A", "V", "P", "U"]
    assert vitals.field("consciousness").choice("V").label_in("fr") == "réagit à la voix"
    assert vitals.field("heart_rate").label_in("en") == "Heart rate"
    assert vitals.field("heart_rate").short_label_in("fr") == "FC"


def test_every_observation_an_exporter_sees_is_coded_and_timed(forms):
    for form in forms.values():
        for section in form.sections:
            roles = {f.export for f in section.fields}
            if ExportRole.OBSERVATION in roles:
                assert ExportRole.EVENT_TIME in roles, (form.id, section.id)
        for field in form.fields_with_role(ExportRole.OBSERVATION):
            assert field.code is not None, (form.id, field.id)


def test_medication_record_has_one_prefilled_row_per_planned_dose(forms):
    mar = forms["medication_administration"]
    rows = mar.section_of("status")
    assert rows.repeat.per == RepeatPer.PRESCRIPTION_DOSE and rows.repeat.rows is None
    prefills = {f.id: f.prefill for f in rows.fields if f.prefill}
    assert prefills == {"drug": "prescription.drug", "prescribed_dose": "prescription.dose",
                        "route": "prescription.route", "planned_time": "planned_time"}
    assert all(rows.fields[i].readonly for i in range(4))
    status = mar.field("status")
    assert [(c.code, c.label_in("fr")) for c in status.choices] == [
        ("given", "administré"), ("not_given", "non administré"), ("refused", "refusé")]
    fhir = "http://terminology.hl7.org/CodeSystem/medication-admin-status"
    assert [c.code_in(fhir).code for c in status.choices] == ["completed", "not-done", "not-done"]
    assert mar.field("reason").required_when.values == ("not_given", "refused")
    roles = {f.id: f.export for f in mar.fields}
    assert roles["actual_time"] == ExportRole.EVENT_TIME and roles["dose_given"] == ExportRole.DOSE
    assert roles["initials"] == ExportRole.AUTHOR


def test_nursing_notes_downtime_admission_and_transfer_forms(forms):
    assert field_ids(forms["nursing_notes"]) == ["date", "time", "text", "initials"]
    assert forms["nursing_notes"].field("text").export == ExportRole.NOTE_TEXT

    admission = forms["downtime_admission"]
    assert admission.subject == Subject.TEMPORARY_IDENTITY
    roles = {f.export for f in admission.fields}
    assert {ExportRole.BIRTH_NAME, ExportRole.USED_NAME, ExportRole.GIVEN_NAMES,
            ExportRole.BIRTH_DATE, ExportRole.SEX, ExportRole.BIRTHPLACE_INSEE,
            ExportRole.TEMPORARY_ID, ExportRole.WARD, ExportRole.ROOM, ExportRole.BED,
            ExportRole.EVENT_TIME, ExportRole.AUTHOR} <= roles
    assert admission.field("temporary_id").prefill == "temporary_identity.id"
    # The codes typed on paper are the ones the domain model understands.
    assert {c.code for c in admission.field("sex").choices} == {s.value for s in Sex}

    movement = forms["transfer_discharge"]
    assert field_ids(movement) == ["movement", "moved_at", "destination", "comments", "initials"]
    kinds = {c.code for c in movement.field("movement").choices}
    assert kinds == {MovementKind.TRANSFER.value, MovementKind.DISCHARGE.value}


def test_every_prefill_key_used_is_one_the_print_station_knows(forms):
    used = {f.prefill for form in forms.values() for f in form.fields if f.prefill}
    assert used <= PREFILL_KEYS


def test_get_form_names_a_missing_form():
    assert get_form("nursing_notes").kind == FormKind.NURSING_NOTES
    with pytest.raises(NotFound) as caught:
        get_form("no_such_form")
    assert caught.value.message() == "Formulaire introuvable : no_such_form."


def test_forms_are_read_through_importlib_resources_even_from_a_zip(tmp_path):
    """Nothing installed: a zipped copy of the ``forms`` package, first on the path, is what
    ``load_forms`` reads — which works only through ``importlib.resources``, not file paths."""
    archive = tmp_path / "forms.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted((REPO / "forms").iterdir()):
            if path.suffix in (".py", ".json"):
                zipped.write(path, f"forms/{path.name}")
        marker = json.loads((REPO / "forms" / "nursing_notes.json").read_text(encoding="utf-8"))
        marker["id"] = "zipped_marker"
        zipped.writestr("forms/zipped_marker.json", json.dumps(marker))
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import forms; "
              "from reentry.formdefs import load_forms; "
              "print(forms.__file__); print(' '.join(sorted(load_forms())))")
    result = subprocess.run([sys.executable, "-c", script, str(archive)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    where, ids = result.stdout.splitlines()
    assert "forms.zip" in where
    assert set(ids.split()) == FIVE_FORMS | {"zipped_marker"}


# -- broken definitions -------------------------------------------------------------------------


def vital_signs_document() -> dict:
    return json.loads((REPO / "forms" / "vital_signs.json").read_text(encoding="utf-8"))


def readings(document: dict) -> list[dict]:
    return document["sections"][1]["fields"]


def write_definition(tmp_path: Path, document: dict | str, name: str = "broken.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as caught:
        load_form_file(path)
    return caught.value


def test_the_unchanged_copy_of_a_shipped_form_loads(tmp_path):
    form = load_form_file(write_definition(tmp_path, vital_signs_document(), "copy.json"))
    assert form.fields == load_forms()["vital_signs"].fields


def _drop_english_label(document):
    del readings(document)[3]["label"]["en"]


def _reverse_range(document):
    readings(document)[3]["range"] = {"min": 300, "max": 0}


def _duplicate_field_id(document):
    readings(document)[4]["id"] = "heart_rate"


def _unknown_type(document):
    readings(document)[3]["type"] = "float"


def _plausible_outside_range(document):
    readings(document)[3]["plausible"] = {"min": 40, "max": 400}


def _unit_on_text(document):
    readings(document)[9]["unit"] = "mm[Hg]"


def _choice_without_choices(document):
    readings(document)[8]["choices"] = []


def _unknown_prefill(document):
    readings(document)[9]["prefill"] = "patient.shoe_size"


def _misspelt_key(document):
    readings(document)[3]["requried"] = True


def _observation_without_code(document):
    del readings(document)[3]["code"]


def _blank_french_label(document):
    readings(document)[3]["label"]["fr"] = "   "


def _one_key_for_two_answers(document):
    readings(document)[8]["choices"][1]["key"] = "A"


@pytest.mark.parametrize(("breakage", "field", "problem", "problem_en"), [
    (_drop_english_label, "sections[1].fields[3].label.en (heart_rate)",
     "clé obligatoire absente", "required key missing"),
    (_reverse_range, "sections[1].fields[3].range (heart_rate)",
     "minimum 300 supérieur au maximum 0", "minimum 300 greater than maximum 0"),
    (_duplicate_field_id, "sections[1].fields[4].id (heart_rate)",
     "identifiant de champ « heart_rate » déjà utilisé par sections[1].fields[3]",
     'field identifier "heart_rate" already used by sections[1].fields[3]'),
    (_unknown_type, "sections[1].fields[3].type (heart_rate)",
     'valeur "float" non permise', 'value "float" not allowed'),
    (_plausible_outside_range, "sections[1].fields[3].plausible (heart_rate)",
     "plage plausible 40 à 400 en dehors de la plage permise 0 à 300",
     "plausible range 40 to 400 outside the allowed range 0 to 300"),
    (_unit_on_text, "sections[1].fields[9].unit (initials)",
     "la clé « unit » n'est permise que pour les champs de type decimal, integer",
     'the key "unit" is only allowed on fields of type decimal, integer'),
    (_choice_without_choices, "sections[1].fields[8].choices (consciousness)",
     "un champ de type « choice » doit avoir au moins un choix",
     'a field of type "choice" needs at least one choice'),
    (_unknown_prefill, "sections[1].fields[9].prefill (initials)",
     "pré-remplissage inconnu « patient.shoe_size »", 'unknown prefill "patient.shoe_size"'),
    (_misspelt_key, "sections[1].fields[3].requried (heart_rate)",
     "clé inconnue", "unknown key"),
    (_observation_without_code, "sections[1].fields[3].code (heart_rate)",
     "un champ exporté comme observation doit avoir un code standard",
     "a field exported as an observation needs a standard code"),
    (_blank_french_label, "sections[1].fields[3].label.fr (heart_rate)",
     "texte vide en français", "empty text in French"),
    (_one_key_for_two_answers, "sections[1].fields[8].choices[1].key (consciousness)",
     "touche « A » déjà prise par une autre réponse de ce champ",
     'key "A" already taken by another answer of this field'),
])
def test_an_invalid_definition_is_refused_naming_file_field_and_problem(
        tmp_path, breakage, field, problem, problem_en):
    document = vital_signs_document()
    breakage(document)
    path = write_definition(tmp_path, document)
    error = refusal(path)
    assert error.file == str(path) and error.field == field
    assert error.message().startswith(
        f"Définition de formulaire {path}, champ « {field} » : {problem}")
    assert error.message("en").startswith(f'Form definition {path}, field "{field}": {problem_en}')


def test_broken_json_is_refused_with_its_line_and_column(tmp_path):
    path = write_definition(tmp_path, '{\n  "id": "x",\n  "version": 1\n  "kind": "vital_signs"\n}')
    message = refusal(path).message()
    assert message.startswith(f"Définition de formulaire {path}, champ « $ » : "
                              "JSON invalide à la ligne 4, colonne 3 : ")


def test_a_key_written_twice_is_refused_rather_than_silently_overwritten(tmp_path):
    text = (REPO / "forms" / "nursing_notes.json").read_text(encoding="utf-8").replace(
        '"max_length": 2000,', '"max_length": 2000, "max_length": 20,')
    error = refusal(write_definition(tmp_path, text))
    assert error.field == "text"
    assert "clé « max_length » écrite deux fois dans le même objet" in error.message()


def test_a_conditional_requirement_must_name_a_real_choice(tmp_path):
    document = json.loads(
        (REPO / "forms" / "medication_administration.json").read_text(encoding="utf-8"))
    fields = document["sections"][1]["fields"]
    reason = next(f for f in fields if f["id"] == "reason")
    reason["required_when"]["in"] = ["not_given", "lost"]
    error = refusal(write_definition(tmp_path, document))
    assert error.field == "sections[1].fields[7].required_when.in[1] (reason)"
    assert "le code « lost », absent des choix du champ « status »" in error.message()


def test_a_time_of_day_without_a_date_field_is_refused(tmp_path):
    document = vital_signs_document()
    del document["sections"][0]
    error = refusal(write_definition(tmp_path, document))
    assert error.field == "sections[0].fields[0].type (time)"
    assert "le formulaire doit avoir un champ de date" in error.message()


def test_prescription_prefills_need_rows_per_planned_dose(tmp_path):
    document = vital_signs_document()
    readings(document)[9]["prefill"] = "prescription.drug"
    assert "repeat.per = prescription_dose" in refusal(write_definition(tmp_path, document)).message()


# -- values -------------------------------------------------------------------------------------


def test_heart_rate_out_of_range_is_refused_with_range_and_unit(vitals):
    check = validate_value(vitals.field("heart_rate"), "350")
    assert not check.ok and check.value is None
    assert str(check.error) == "Fréquence cardiaque : 350 hors limites (0 à 300 /min)"


def test_message_in_english_when_asked(vitals):
    check = validate_value(vitals.field("heart_rate"), "350", lang="en")
    assert check.error_text == "Heart rate: 350 out of range (0 to 300 /min)"
    assert validate_value(vitals.field("time"), "", lang="en").error_text == "Time: value required"


def test_a_message_follows_the_language_current_when_it_is_shown(vitals):
    check = validate_value(vitals.field("temperature"), "46")
    assert str(check.error) == "Température : 46 hors limites (25 à 45 °C)"
    i18n.set_language("en")
    assert str(check.error) == "Body temperature: 46 out of range (25 to 45 °C)"


def test_implausible_heart_rate_is_kept_but_needs_confirmation(vitals):
    check = validate_value(vitals.field("heart_rate"), "250")
    assert check.ok and check.value == 250 and check.needs_confirmation
    assert str(check.warning) == ("Fréquence cardiaque : 250 est inhabituel (valeurs habituelles :"
                                  " 40 à 180 /min) ; confirmez la valeur")
    assert not validate_value(vitals.field("heart_rate"), "72").needs_confirmation


@pytest.mark.parametrize(("raw", "value"), [("37,5", 37.5), ("37.5", 37.5), (" 38 ", 38.0),
                                            ("36,50", 36.5)])
def test_temperature_accepts_a_french_decimal_comma(vitals, raw, value):
    check = validate_value(vitals.field("temperature"), raw)
    assert check.ok and check.value == value and isinstance(check.value, float)


def test_temperature_with_too_many_decimals_or_not_a_number_is_refused(vitals):
    temperature = vitals.field("temperature")
    assert str(validate_value(temperature, "37,55").error) == (
        "Température : « 37,55 » a trop de chiffres après la virgule (au plus 1)")
    assert str(validate_value(temperature, "trente").error) == (
        "Température : « trente » n'est pas un nombre")
    low = validate_value(temperature, "33,5")
    assert low.ok and str(low.warning).startswith(
        "Température : 33,5 est inhabituel (valeurs habituelles : 34 à 41 °C)")


def test_pain_above_ten_is_refused_and_the_message_has_no_empty_unit(vitals):
    assert str(validate_value(vitals.field("pain"), "11").error) == (
        "Douleur (EN 0 à 10) : 11 hors limites (0 à 10)")
    assert validate_value(vitals.field("pain"), "10").value == 10


def test_integer_fields_refuse_decimals(vitals):
    assert str(validate_value(vitals.field("spo2"), "97,5").error) == (
        "Saturation en oxygène (SpO2) : « 97,5 » n'est pas un nombre entier")


def test_required_but_empty_is_refused_and_optional_empty_is_fine(vitals):
    assert str(validate_value(vitals.field("initials"), "  ").error) == (
        "Initiales : valeur obligatoire")
    empty = validate_value(vitals.field("systolic"), "")
    assert empty.ok and empty.value is None and empty.warning is None


@pytest.mark.parametrize(("raw", "value"), [
    ("14h05", time(14, 5)), ("14:05", time(14, 5)), ("1405", time(14, 5)), ("9h30", time(9, 30)),
    ("905", time(9, 5)), ("14h", time(14, 0)), ("00:00", time(0, 0)), ("23H59", time(23, 59)),
])
def test_times_in_the_ways_nurses_write_them(vitals, raw, value):
    assert validate_value(vitals.field("time"), raw).value == value


@pytest.mark.parametrize("raw", ["24h00", "14h65", "14", "quatorze heures", "14:5"])
def test_impossible_times_are_refused(vitals, raw):
    check = validate_value(vitals.field("time"), raw)
    assert str(check.error) == (
        f"Heure : heure invalide « {raw} » (exemples : 14h05, 14:05, 1405)")


@pytest.mark.parametrize("raw", ["28/03/1979", "1979-03-28", "28.03.1979", "28031979"])
def test_dates_in_french_and_iso_forms(forms, raw):
    birth_date = forms["downtime_admission"].field("birth_date")
    assert validate_value(birth_date, raw).value == date(1979, 3, 28)


@pytest.mark.parametrize("raw", ["31/02/1979", "28/03/79", "28/03/0979", "1979-3-28x"])
def test_impossible_dates_are_refused(forms, raw):
    check = validate_value(forms["downtime_admission"].field("birth_date"), raw)
    assert check.error is not None and str(check.error).startswith(
        f"Date de naissance : date invalide « {raw} »")


def test_date_and_time_are_read_in_the_hospital_zone(forms):
    admitted = forms["downtime_admission"].field("admitted_at")
    expected = datetime(2026, 11, 23, 14, 5, tzinfo=clock.hospital_zone())
    for raw in ("23/11/2026 14h05", "23/11/2026 à 1405", "2026-11-23T14:05", "2026-11-23 14:05"):
        assert validate_value(admitted, raw).value == expected, raw
    assert validate_value(admitted, "2026-11-23").error is not None  # a day is not an instant


def test_choices_accept_the_code_or_the_label_in_either_language(vitals):
    consciousness = vitals.field("consciousness")
    for raw in ("v", "V", "Réagit à la voix", "responds to voice"):
        assert validate_value(consciousness, raw).value == "V"
    assert str(validate_value(consciousness, "Z").error) == (
        "Conscience (AVPU) : « Z » n'est pas un choix possible (A = alerte, V = réagit à la voix, "
        "P = réagit à la douleur, U = ne réagit pas)")


def test_a_medication_status_is_typed_with_its_one_key_and_refusals_never_show_codes(forms):
    status = forms["medication_administration"].field("status")
    assert [(c.key, c.code) for c in status.choices] == [
        ("A", "given"), ("N", "not_given"), ("R", "refused")]
    for raw, code in (("a", "given"), ("N", "not_given"), ("r", "refused"),
                      ("administré", "given"), ("refused", "refused")):
        assert validate_value(status, raw).value == code, raw
    refused = validate_value(status, "x").error
    assert str(refused) == ("Administration : « x » n'est pas un choix possible "
                            "(A = administré, N = non administré, R = refusé)")
    assert refused.render("en").endswith("(A = given, N = not given, R = refused)")
    movement = forms["transfer_discharge"].field("movement")  # no key: the words only
    assert str(validate_value(movement, "x").error).endswith("(transfert, sortie)")


@pytest.mark.parametrize("raw", ["MD", "é.l.", "J.-P. D.", "Jean-Pierre Dupont", "Ødegård"])
def test_initials_or_a_name_are_accepted(vitals, raw):
    assert validate_value(vitals.field("initials"), raw).value == raw


@pytest.mark.parametrize("raw", ["M2", "1234", "--", "M@D"])
def test_initials_with_digits_or_symbols_are_refused(vitals, raw):
    assert validate_value(vitals.field("initials"), raw).error is not None


def test_text_length_and_format(forms):
    admission = forms["downtime_admission"]
    assert validate_value(admission.field("birthplace_insee"), "2A004").value == "2A004"
    assert str(validate_value(admission.field("birthplace_insee"), "7505").error).startswith(
        "Lieu de naissance (code INSEE) : « 7505 » mal formé (attendu : 5 caractères")
    too_long = validate_value(admission.field("room"), "x" * 11)
    assert str(too_long.error) == "Chambre : texte trop long (11 caractères, au plus 10)"


def test_a_dose_that_was_not_given_needs_a_reason(forms):
    rows = forms["medication_administration"].section_of("status")
    prefilled = {"drug": "PARACETAMOL 1 g cp", "prescribed_dose": "1 g", "route": "PO",
                 "planned_time": "08:00"}
    refused = validate_row(rows, {**prefilled, "status": "refusé", "initials": "MD"})
    assert str(refused["reason"].error) == "Motif si non administré : valeur obligatoire"
    assert refused["actual_time"].ok and refused["dose_given"].ok
    assert refused["status"].value == "refused" and refused["planned_time"].value == time(8)

    given = validate_row(rows, {**prefilled, "status": "given", "initials": "MD"}, lang="en")
    assert given["actual_time"].error_text == "Actual time: value required"
    assert given["dose_given"].error_text == "Dose given: value required"
    assert given["reason"].ok

    complete = validate_row(rows, {**prefilled, "status": "Z", "actual_time": "8h10",
                                   "dose_given": "1", "initials": "MD"})
    assert str(complete["status"].error).startswith("Administration : « Z » n'est pas un choix")
    fixed = validate_row(rows, {**prefilled, "status": "administré", "actual_time": "8h10",
                                "dose_given": "1", "initials": "MD"})
    assert all(check.ok for check in fixed.values())
    assert list(fixed) == [f.id for f in rows.fields]


def test_a_row_with_only_its_prefilled_cells_is_blank(forms):
    rows = forms["medication_administration"].section_of("status")
    assert is_blank_row(rows, {"drug": "PARACETAMOL", "planned_time": "08:00", "status": " "})
    assert not is_blank_row(rows, {"drug": "PARACETAMOL", "initials": "MD"})


def test_booleans_read_oui_non_and_a_cross():
    checkbox = FieldDefinition(id="done", label=LocalizedText("Fait", "Done"),
                               type=FieldType.BOOLEAN, export=ExportRole.COMMENT)
    assert [validate_value(checkbox, raw).value for raw in ("oui", "X", "non", "no")] == [
        True, True, False, False]
    assert str(validate_value(checkbox, "peut-être").error) == (
        "Fait : « peut-être » : oui ou non attendu")
