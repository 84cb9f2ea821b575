"""How patients, places, values and times read: the formatting shared by screens and printed pages.

Pure functions, no Qt. French is the default language; English is checked where the wording or
the number format differs.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from reentry import display, i18n
from reentry.model import (
    Allergy,
    IdentityStatus,
    Observation,
    Patient,
    PatientKey,
    Prescription,
    Sex,
    Site,
    Snapshot,
    Ward,
)

KEY = PatientKey("100001")
AS_OF = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 14:00 in Paris (winter, UTC+01:00)
SNAPSHOT = Snapshot("census.csv", "csv", "h", AS_OF)


def patient(**traits) -> Patient:
    values = {"ipp": "100001", "birth_name": "MARTIN", "given_names": "Marie Claire",
              "sex": Sex.FEMALE, "birth_date": date(1945, 3, 12)}
    values.update(traits)
    return Patient(**values)


def observation(code, value=None, unit=None, at=AS_OF, label="label", text=None) -> Observation:
    return Observation(f"o-{code}-{at.isoformat()}", KEY, code, label, at, value=value,
                       value_text=text, unit=unit)


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sex", "expected"), [
    (Sex.FEMALE, "DUPONT née MARTIN"),
    (Sex.MALE, "DUPONT né MARTIN"),
    (Sex.UNKNOWN, "DUPONT né(e) MARTIN"),
    (None, "DUPONT né(e) MARTIN"),
])
def test_used_name_comes_first_then_the_birth_name(sex, expected):
    assert display.display_name(patient(used_name="Dupont", sex=sex)) == expected


def test_a_used_name_equal_to_the_birth_name_is_not_repeated():
    assert display.display_name(patient(used_name="martin")) == "MARTIN"
    assert display.display_name(patient(used_name=None)) == "MARTIN"
    assert display.display_name(patient(birth_name=None, used_name="DUPONT")) == "DUPONT"


def test_a_patient_without_any_name_says_so():
    assert display.display_name(patient(birth_name=None)) == "(nom inconnu)"
    i18n.set_language("en")
    assert display.display_name(patient(birth_name=" ")) == "(name unknown)"


def test_full_name_keeps_given_names_as_recorded():
    shown = display.full_name(patient(used_name="DUPONT", given_names="MARIE-CLAIRE Anne"))
    assert shown == "DUPONT née MARTIN MARIE-CLAIRE Anne"
    assert display.full_name(patient(given_names=None)) == "MARTIN"


# -- birth date and age ------------------------------------------------------------------------


@pytest.mark.parametrize(("birth", "on", "expected"), [
    (date(1945, 3, 12), date(2026, 11, 23), "12/03/1945 (81 ans)"),
    (date(1945, 11, 24), date(2026, 11, 23), "24/11/1945 (80 ans)"),  # birthday is tomorrow
    (date(1945, 11, 23), date(2026, 11, 23), "23/11/1945 (81 ans)"),  # birthday is today
    (date(2025, 6, 10), date(2026, 11, 23), "10/06/2025 (17 mois)"),
    (date(2026, 10, 23), date(2026, 11, 23), "23/10/2026 (1 mois)"),
    (date(2026, 11, 20), date(2026, 11, 23), "20/11/2026 (3 jours)"),
    (date(2026, 11, 22), date(2026, 11, 23), "22/11/2026 (1 jour)"),
])
def test_birth_date_is_day_month_year_with_an_age_fit_for_adults_and_newborns(birth, on,
                                                                              expected):
    assert display.birth_date_text(patient(birth_date=birth), on) == expected


def test_age_in_english_and_unknown_birth_date():
    i18n.set_language("en")
    assert display.birth_date_text(patient(), date(2026, 11, 23)) == "12/03/1945 (81 years)"
    assert display.birth_date_text(patient(birth_date=None), date(2026, 11, 23)) == "not recorded"


def test_a_birth_date_in_the_future_shows_no_age():
    assert display.birth_date_text(patient(birth_date=date(2027, 1, 1)), date(2026, 11, 23)) == (
        "01/01/2027")


def test_sex_and_identity_status_labels_in_both_languages():
    assert display.sex_label(Sex.FEMALE) == "Féminin"
    assert display.sex_label(None) == "non renseigné"
    assert display.identity_status_label(IdentityStatus.QUAL) == "Qualifiée"
    i18n.set_language("en")
    assert display.sex_label(Sex.MALE) == "Male"
    assert display.identity_status_label(IdentityStatus.PROV) == "Provisional"


# -- places ------------------------------------------------------------------------------------


def test_location_reads_site_ward_room_and_bed():
    site, ward = Site("N", "Hôpital Nord"), Ward("1201", "Cardiologie", "N")
    assert display.location_text(site, ward, "101", "A") == (
        "Hôpital Nord — Cardiologie — ch. 101 lit A")
    assert display.location_text(site, ward, "101", None) == "Hôpital Nord — Cardiologie — ch. 101"
    assert display.location_text(None, ward, None, "B") == "Cardiologie — lit B"
    assert display.location_text(None, None, None, None) == "non renseigné"
    i18n.set_language("en")
    assert display.location_text(site, ward, "101", "A") == (
        "Hôpital Nord — Cardiologie — room 101 bed A")


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (1.0, "1"), (0.5, "0,5"), (37.55, "37,55"), (4000.0, "4000"), (-0.0, "0"), (1 / 3, "0,333"),
])
def test_numbers_use_the_french_decimal_comma_without_trailing_zeros(value, expected):
    assert display.format_number(value) == expected


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (37.5, "Cel", "37,5 °C"),
    (72.0, "/min", "72/min"),
    (18.0, "{breaths}/min", "18/min"),
    (96.0, "%", "96 %"),
    (135.0, "mm[Hg]", "135 mmHg"),
    (2.0, "1", "2"),
    (70.5, None, "70,5"),
    (4000.0, "[iU]", "4000 UI"),
])
def test_observation_value_shows_the_unit_a_nurse_expects(value, unit, expected):
    assert display.observation_value(observation("x", value, unit)) == expected


def test_observation_text_value_and_missing_value():
    assert display.observation_value(observation("x", text="positif")) == "positif"
    assert display.observation_value(observation("x")) == "—"
    i18n.set_language("en")
    assert display.observation_value(observation("x", 37.5, "Cel")) == "37.5 °C"


def test_prescription_line_reads_drug_dose_route_then_times():
    paracetamol = Prescription("rx1", KEY, "paracétamol", dose=1.0, unit="g", route="PO",
                               schedule=("06:00", "12:00", "18:00"))
    assert display.prescription_line(paracetamol) == "paracétamol 1 g PO — 06:00, 12:00, 18:00"
    as_needed = Prescription("rx2", KEY, "morphine", dose=2.5, unit="mg", route="SC",
                             frequency="si douleur > 4")
    assert display.prescription_line(as_needed) == "morphine 2,5 mg SC — si douleur > 4"
    assert display.prescription_line(Prescription("rx3", KEY, "oxygène")) == "oxygène"


def test_allergy_line_translates_the_coded_severity():
    allergy = Allergy("a1", KEY, "Pénicilline", reaction="urticaire", severity="severe")
    assert display.allergy_line(allergy) == "Pénicilline : urticaire (sévère)"
    assert display.allergy_line(Allergy("a2", KEY, "Iode", criticality="high")) == (
        "Iode (risque élevé)")
    assert display.allergy_line(Allergy("a3", KEY, "Latex", severity="odd")) == "Latex (odd)"
    i18n.set_language("en")
    assert display.allergy_line(allergy) == "Pénicilline: urticaire (severe)"


EVENING = Snapshot("sih.json", "fhir", "h", datetime(2026, 11, 23, 20, 0, tzinfo=UTC))


def test_no_allergy_says_none_is_recorded_in_the_sih_at_the_datas_date():
    """What the data says, and when: never « aucune allergie connue », which the SIH did not say."""
    text = display.no_allergy_text(EVENING)
    assert text == "Aucune allergie enregistrée dans le SIH au 23/11/2026 21:00 (UTC+01:00)."
    assert "connue" not in text
    assert display.no_allergy_text(None) == (
        "Aucune allergie enregistrée : aucune donnée du SIH n'a été importée.")
    i18n.set_language("en")
    assert display.no_allergy_text(EVENING) == (
        "No allergy recorded in the SIH as of 23/11/2026 21:00 (UTC+01:00).")
    assert "known" not in display.no_allergy_text(EVENING) + display.no_allergy_text(None)


# -- times -------------------------------------------------------------------------------------


def test_data_as_of_shows_local_time_and_offset():
    assert display.data_as_of_text(SNAPSHOT) == "Données du 23/11/2026 14:00 (UTC+01:00)"
    summer = Snapshot("s", "csv", "h2", datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert display.data_as_of_text(summer) == "Données du 01/07/2026 14:00 (UTC+02:00)"
    assert display.data_as_of_text(None) == "Aucune donnée importée"
    i18n.set_language("en")
    assert display.data_as_of_text(SNAPSHOT) == "Data as of 23/11/2026 14:00 (UTC+01:00)"


def test_stale_only_past_the_threshold():
    assert not display.is_stale(SNAPSHOT, AS_OF + timedelta(hours=4), 4)
    assert display.is_stale(SNAPSHOT, AS_OF + timedelta(hours=4, minutes=1), 4)
    assert not display.is_stale(SNAPSHOT, AS_OF - timedelta(hours=1), 4)  # clock behind
    assert not display.is_stale(None, AS_OF, 4)


def test_stale_warning_says_how_old_and_what_to_do():
    assert display.stale_warning_text(SNAPSHOT, AS_OF + timedelta(hours=5, minutes=59)) == (
        "Données anciennes de 5 h, datées du 23/11/2026 14:00 (UTC+01:00) :"
        " vérifiez avec le dossier papier.")  # one pair of brackets, never nested
    assert "de 3 j," in display.stale_warning_text(SNAPSHOT, AS_OF + timedelta(days=3, hours=2))
    i18n.set_language("en")
    assert display.stale_warning_text(SNAPSHOT, AS_OF + timedelta(hours=6)).startswith(
        "Data is 6 h old")


def test_moment_shows_the_offset_only_when_it_differs_from_the_reference():
    # 25/10/2026: clocks go back at 03:00 CEST; 02:30 happens twice in Paris.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 UTC+02:00
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 UTC+01:00
    reference = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    assert display.moment_text(second, reference) == "25/10/2026 02:30"
    assert display.moment_text(first, reference) == "25/10/2026 02:30 (UTC+02:00)"
    assert display.moment_text(second) == "25/10/2026 02:30 (UTC+01:00)"


def test_dossier_window_ends_at_the_data_as_of():
    assert display.dossier_since(SNAPSHOT, AS_OF + timedelta(days=2), 24) == (
        AS_OF - timedelta(hours=24))
    assert display.dossier_since(None, AS_OF, 12) == AS_OF - timedelta(hours=12)


# -- vital signs table -------------------------------------------------------------------------


def test_vitals_grid_has_times_as_rows_and_signs_as_columns_in_chart_order():
    early, late = AS_OF - timedelta(hours=6), AS_OF - timedelta(hours=2)
    observations = [
        observation("8310-5", 38.1, "Cel", early, "Body temperature"),
        observation("8867-4", 80, "/min", early, "Heart rate"),
        observation("8480-6", 135, "mm[Hg]", late, "Systolic"),
        observation("8462-4", 80, "mm[Hg]", late, "Diastolic"),
        observation("8867-4", 72, "/min", late, "Heart rate"),
        observation("99999-9", None, None, late, "Zinc", text="normal"),
        observation("1234-5", 3, None, late, "Alpha score"),
    ]
    grid = display.vitals_grid(observations)
    # The paper chart's order and short labels (forms/vital_signs.json), then others by label.
    assert [c.key for c in grid.columns] == ["bp", "8867-4", "8310-5", "1234-5", "99999-9"]
    assert [c.label for c in grid.columns] == ["PA", "FC", "T°", "Alpha score", "Zinc"]
    assert [r.at for r in grid.rows] == [late, early]
    assert grid.rows[0].cells == {"8867-4": "72/min", "bp": "135/80 mmHg", "1234-5": "3",
                                  "99999-9": "normal"}
    assert grid.rows[1].cells == {"8310-5": "38,1 °C", "8867-4": "80/min"}
    i18n.set_language("en")
    assert [c.label for c in display.vitals_grid(observations).columns][:3] == [
        "BP", "HR", "Temp"]


def test_vitals_grid_keeps_duplicates_and_a_lone_pressure():
    observations = [observation("8867-4", 72, "/min"),
                    Observation("o-again", KEY, "8867-4", "HR", AS_OF, value=75, unit="/min"),
                    observation("8480-6", 120, "mm[Hg]")]
    (row,) = display.vitals_grid(observations).rows
    assert row.cells == {"8867-4": "72/min; 75/min", "bp": "120/— mmHg"}


def test_a_printed_sheet_is_named_by_its_form_title_never_its_template_id():
    from reentry.display import form_title

    assert form_title("vital_signs") == "Surveillance des paramètres vitaux"
    assert form_title("ward_cover") == "Page de garde du service"  # printed, not a form
    assert form_title("something_else") == "something_else"
