"""What real SIH exports add (round 2 of the variant benchmark, issue 10), one cause per test:
notes sent as observations, IPPs written with zeros or spaces, device readings and performers in
FHIR and HL7, busy hand-charted series, drug names misspelled or named otherwise, unit spellings
and coded answers written out, salts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from reentry.domain.entry import Item, ItemKind
from reentry.export import export_items
from reentry.importing import parse_file
from reentry.reconcile.authors import AuthorMatch, same_author
from reentry.reconcile.drugs import normalise_text
from reentry.reconcile.items import (
    PaperItem,
    SihItem,
    paper_from_items,
    read_item_csv,
    read_item_table,
    reconcile,
)
from reentry.reconcile.items_values import changed_words
from reentry.reconcile_run import read_sih_and_patients

PARIS_WINTER = timezone(timedelta(hours=1))
T0 = datetime(2025, 10, 26, 22, 0, tzinfo=PARIS_WINTER)
IPP = "810007820"
HR = "8867-4"
VITAL, MED, NOTE = "vital_sign", "medication_administration", "nursing_note"
NURSE = "Marie Dupont"
NOTE_TEXT = "Patiente agitée, a arraché sa perfusion, médecin de garde prévenu."
LOINC = "http://loinc.org"


def paper(kind: str = VITAL, code: str = HR, value: float | None = 80.0,
          unit: str | None = "/min", minutes: float = 0, item_id: str = "p",
          **fields) -> PaperItem:
    fields.setdefault("author", NURSE)
    return PaperItem(item_id, IPP, kind, code, T0 + timedelta(minutes=minutes), value,
                     unit=unit, **fields)


def sih(item_id: str, kind: str = VITAL, code: str = HR, value: float | None = 80.0,
        unit: str | None = "/min", minutes: float = 0, ipp: str = IPP, **fields) -> SihItem:
    fields.setdefault("author", NURSE)
    return SihItem(item_id, ipp, kind, code, T0 + timedelta(minutes=minutes), value,
                   unit=unit, **fields)


def verdicts(paper_items: list[PaperItem], sih_items: list[SihItem]) -> dict:
    return {v.item_id: v for v in reconcile(paper_items, sih_items).verdicts}


def fhir_bundle(tmp_path: Path, *observations: dict) -> Path:
    patient = {"resourceType": "Patient", "id": "pat-1", "identifier": [
        {"system": "urn:oid:1.2.250.1.999.1.1", "value": "0" + IPP,
         "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                              "code": "PI"}]}}]}
    entries = [patient]
    for number, observation in enumerate(observations, 1):
        entries.append({"resourceType": "Observation", "id": f"obs-{number}", "status": "final",
                        "subject": {"reference": "Patient/pat-1"}, **observation})
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": r} for r in entries]}
    path = tmp_path / "sih.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return path


def vital(value: float, at: str, **more: object) -> dict:
    return {"code": {"coding": [{"system": LOINC, "code": HR}]}, "effectiveDateTime": at,
            "valueQuantity": {"value": value, "unit": "/min", "system":
                              "http://unitsofmeasure.org", "code": "/min"}, **more}


def oru(tmp_path: Path, *obx: str, ipp: str = "0" + IPP) -> Path:
    segments = ["MSH|^~\\&|DPI|CHU|REENTRY|CHU|20251027101500+0100||ORU^R01^ORU_R01|M1|P|2.5"
                "|||||FRA|UNICODE UTF-8", f"PID|1||{ipp}^^^CHU&1.2.250.1.999.1.1&ISO^PI",
                "OBR|1|||85353-1^Paramètres vitaux^LN|||20251026220000+0100", *obx]
    path = tmp_path / "sih.hl7"
    path.write_bytes(("\r".join(segments) + "\r").encode("utf-8"))
    return path


# -- 1. notes sent as observations (LOINC 34746-8) ---------------------------------------------


def test_a_note_sent_as_a_fhir_observation_is_found_as_a_note(tmp_path):
    path = fhir_bundle(tmp_path, {
        "code": {"coding": [{"system": LOINC, "code": "34746-8", "display": "Nurse Note"}]},
        "effectiveDateTime": "2025-10-26T22:02:00+01:00", "valueString": NOTE_TEXT,
        "performer": [{"display": "DUPONT Marie"}]})
    items, _ = read_sih_and_patients([path])
    assert [(i.kind, i.text, i.author) for i in items] == [(NOTE, NOTE_TEXT, "DUPONT Marie")]
    found = verdicts([paper(NOTE, "", None, None, text=NOTE_TEXT)], items)["p"]
    assert found.verdict == "in_sih"


def test_a_note_sent_as_an_hl7_tx_obx_is_found_as_a_note(tmp_path):
    path = oru(tmp_path, "OBX|1|TX|34746-8^Transmission infirmière^LN||"
                         + NOTE_TEXT + "||||||F|||20251026220100+0100||^Dupont^Marie")
    items, _ = read_sih_and_patients([path])
    assert [(i.kind, i.text) for i in items] == [(NOTE, NOTE_TEXT)]
    found = verdicts([paper(NOTE, "", None, None, text=NOTE_TEXT)], items)["p"]
    assert found.verdict == "in_sih"


# -- 2. IPPs written with zeros or spaces ----------------------------------------------------------


def test_an_ipp_with_leading_zeros_or_spaces_is_the_same_patient():
    paper_items = [paper(item_id="a"), paper(item_id="b", minutes=60),
                   paper(item_id="c", minutes=120)]
    found = verdicts(paper_items, [sih("zeros", ipp="000" + IPP),
                                   sih("spaces", ipp="810 007 820", minutes=60),
                                   sih("padded", ipp=f" {IPP}\u202f", minutes=120)])
    assert {k: v.verdict for k, v in found.items()} == {"a": "in_sih", "b": "in_sih",
                                                         "c": "in_sih"}


def test_a_neighbouring_ipp_padded_with_zeros_is_another_patient():
    found = verdicts([paper()], [sih("other", ipp="0810007821")])
    assert found["p"].verdict == "missing"


def test_the_reason_says_when_the_ipp_was_written_otherwise():
    found = verdicts([paper()], [sih("zeros", ipp="0" + IPP)])["p"]
    assert "0810007820" in found.reason.render("fr")
    assert "0810007820" in found.reason.render("en")
    plain = verdicts([paper()], [sih("same")])["p"]
    assert IPP not in plain.reason.render("fr")


# -- 3 and 4. who charted it: FHIR performer and device, HL7 OBX-16 and OBX-18 ----------------------


def test_a_fhir_device_reading_is_never_taken_for_the_charted_copy(tmp_path):
    path = fhir_bundle(
        tmp_path,
        vital(80, "2025-10-26T22:01:00+01:00", device={"display": "Moniteur Philips"}),
        vital(80, "2025-10-26T22:03:00+01:00", performer=[{"display": "IDE MD"}]))
    items, _ = read_sih_and_patients([path])
    assert sorted(i.author or "" for i in items) == ["IDE MD", "device:Moniteur Philips"]
    found = verdicts([paper()], items)["p"]
    assert found.verdict == "in_sih" and found.sih_ids == ("fhir:Observation/obs-2",)
    alone = verdicts([paper()], [i for i in items if i.id.endswith("obs-1")])["p"]
    assert alone.verdict == "missing"


def test_an_observation_performer_is_read_from_the_referenced_practitioner(tmp_path):
    path = fhir_bundle(tmp_path, vital(80, "2025-10-26T22:00:00+01:00",
                                       performer=[{"reference": "#nurse"}],
                                       contained=[{"resourceType": "Practitioner", "id": "nurse",
                                                   "name": [{"family": "Dupont",
                                                             "given": ["Marie"]}]}]))
    items, _ = read_sih_and_patients([path])
    assert [i.author for i in items] == ["Marie Dupont"]


def test_hl7_responsible_observer_and_equipment_are_the_author(tmp_path):
    path = oru(tmp_path,
               "OBX|1|NM|8867-4^FC^LN||80|/min|||||F|||20251026220000+0100||^Dupont^Marie",
               "OBX|2|NM|8867-4^FC^LN||81|/min|||||F|||20251026220100+0100||jdoe",
               "OBX|3|NM|8867-4^FC^LN||82|/min|||||F|||20251026220200+0100||||MX450-12")
    items, _ = read_sih_and_patients([path])
    assert [i.author for i in items] == ["Marie Dupont", "jdoe", "device:MX450-12"]


def test_a_hand_charted_busy_series_from_fhir_is_no_monitor_series(tmp_path):
    """Every 3 min, signed by the nurse: charted copies, even at a device's rhythm."""
    observations = [vital(80 + (n % 2), (T0 + timedelta(minutes=3 * n)).isoformat(),
                          performer=[{"display": "Marie Dupont"}]) for n in range(8)]
    items, _ = read_sih_and_patients([fhir_bundle(tmp_path, *observations)])
    paper_items = [paper(value=80.0 + (n % 2), minutes=3 * n, item_id=f"p{n}") for n in range(8)]
    found = verdicts(paper_items, items)
    assert {v.verdict for v in found.values()} == {"in_sih"}


# -- 6. drug names misspelled or named otherwise, look-alikes kept apart ---------------------------


def dose(name: str, value: float = 1.0, unit: str = "g", minutes: float = 0,
         item_id: str = "p", **fields) -> PaperItem:
    return paper(MED, name, value, unit, minutes=minutes, item_id=item_id,
                 route=fields.pop("route", "PO"), **fields)


def given(item_id: str, name: str, value: float = 1.0, unit: str = "g", minutes: float = 3,
          **fields) -> SihItem:
    return sih(item_id, MED, name, value, unit, minutes=minutes,
               route=fields.pop("route", "PO"), **fields)


@pytest.mark.parametrize(("paper_name", "sih_name"), [
    ("amoxicilline", "amxicilline"), ("amoxicilline", "AMOXICILINE"),
    ("morphine", "morphnie"), ("néfopam", "NEFOAPM"), ("ramipril", "ramipirl"),
    ("néfopam", "neffopem"), ("valaciclovir", "valacyclovir")])
def test_a_misspelled_inn_in_the_sih_is_recognised_and_said(paper_name, sih_name):
    found = verdicts([dose(paper_name)], [given("typo", sih_name)])["p"]
    assert found.verdict == "in_sih"
    text = found.reason.render("en")
    assert sih_name in text and "likely typo" in text


@pytest.mark.parametrize(("paper_name", "sih_name"), [
    ("salbutamol", "albutérol"), ("acide acétylsalicylique", "aspirine"),
    ("paracétamol", "acétaminophène"), ("sulfaméthoxazole + triméthoprime", "cotrimoxazole"),
    ("amoxicilline + acide clavulanique", "co-amoxiclav"), ("cotrimoxazole", "Bactrim")])
def test_a_synonym_of_the_inn_is_the_same_drug(paper_name, sih_name):
    found = verdicts([dose(paper_name)], [given("other", sih_name)])["p"]
    assert found.verdict == "in_sih"


@pytest.mark.parametrize(("paper_name", "sih_name"), [
    ("ropinirole", "Requip"), ("valaciclovir", "Zelitrex"), ("clonidine", "Catapressan"),
    ("lévodopa + bensérazide", "Modopar 125"), ("clobazam", "Urbanyl"),
    ("hydromorphone", "Sophidone LP"), ("valganciclovir", "Rovalcyte")])
def test_common_brands_of_the_round_two_drugs_are_known(paper_name, sih_name):
    assert verdicts([dose(paper_name)], [given("brand", sih_name)])["p"].verdict == "in_sih"


@pytest.mark.parametrize(("paper_name", "sih_name"), [
    ("prednisone", "prednisolone"), ("prednisolone", "prednisone"),
    ("hydroxyzine", "hydralazine"), ("clonazépam", "clobazam"), ("clobazam", "clonazépam"),
    ("morphine", "hydromorphone"), ("hydromorphone", "morphine"),
    ("valaciclovir", "valganciclovir"), ("quinine", "quinidine"), ("sufentanil", "alfentanil"),
    ("oméprazole", "ésoméprazole"), ("prednisone", "prednisolne")])
def test_look_alike_drugs_never_merge_on_either_side(paper_name, sih_name):
    assert verdicts([dose(paper_name)], [given("other", sih_name)])["p"].verdict == "missing"
    assert verdicts([dose(sih_name)], [given("other", paper_name)])["p"].verdict == "missing"


# -- 7. units, coded answers and routes written otherwise -------------------------------------------


@pytest.mark.parametrize("unit", ["/mn", "batt/min", "{beats}/min", "bpm", "min-1", "/min",
                                  "cycles/min", "{breaths}/min", "", None])
def test_rates_in_any_spelling_are_the_same_rate(unit):
    assert verdicts([paper()], [sih("s", unit=unit)])["p"].verdict == "in_sih"


@pytest.mark.parametrize("unit", ["/10", "{score}", "", "pts"])
def test_a_pain_score_out_of_ten_is_a_score(unit):
    found = verdicts([paper(code="72514-3", value=4, unit="{score}")],
                     [sih("s", code="72514-3", value=4, unit=unit)])
    assert found["p"].verdict == "in_sih"


@pytest.mark.parametrize(("paper_unit", "sih_unit"), [
    ("bouffées", "puff"), ("bouffées", "bouffée(s)"), ("cp", "comprimé"), ("cp", "CP"),
    ("gél", "gélules"), ("sachet", "sachets"), ("µg", "microgrammes"), ("UI", "unités")])
def test_counted_doses_and_dose_units_in_any_spelling(paper_unit, sih_unit):
    found = verdicts([dose("salbutamol", 2, paper_unit)], [given("s", "salbutamol", 2, sih_unit)])
    assert found["p"].verdict == "in_sih"


def test_a_count_of_puffs_is_not_a_count_of_tablets():
    found = verdicts([dose("salbutamol", 2, "bouffées")], [given("s", "salbutamol", 2, "cp")])
    assert found["p"].verdict == "differs" and found["p"].differs_on == ("unit",)


@pytest.mark.parametrize(("letter", "written"), [
    ("A", "alerte"), ("A", "Alert"), ("A", "A - alerte"), ("A", "a"),
    ("V", "réagit à la voix"), ("V", "Voice"), ("P", "réagit à la douleur"), ("P", "Pain"),
    ("P", "P - réagit à la douleur"), ("U", "U - aréactif"), ("U", "ne réagit pas")])
def test_avpu_answers_are_read_as_the_forms_choices(letter, written):
    avpu = "80288-4"
    found = verdicts([paper(code=avpu, value=None, unit=None, value_text=letter)],
                     [sih("s", code=avpu, value=None, unit=None, value_text=written)])
    assert found["p"].verdict == "in_sih"
    other = next(x for x in "AVPU" if x != letter)
    changed = verdicts([paper(code=avpu, value=None, unit=None, value_text=other)],
                       [sih("s", code=avpu, value=None, unit=None, value_text=written)])
    assert changed["p"].verdict == "differs"


@pytest.mark.parametrize(("route", "written"), [
    ("INH", "Voie inhalée"), ("PO", "Voie orale"), ("SC", "voie sous-cutanée"),
    ("IV", "par voie intraveineuse")])
def test_route_labels_are_the_route(route, written):
    found = verdicts([dose("salbutamol", 5, "mg", route=route)],
                     [given("s", "salbutamol", 5, "mg", route=written)])
    assert found["p"].verdict == "in_sih"


# -- 8. salts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper_name", "sih_name"), [
    ("ésoméprazole", "ésoméprazole magnésien"), ("tramadol", "chlorhydrate de tramadol"),
    ("tramadol", "TRAMADOL (CHLORHYDRATE DE)"), ("oxycodone", "chlorhydrate d'oxycodone"),
    ("morphine", "MORPHINE (SULFATE DE)"), ("bisoprolol", "bisoprolol hémifumarate"),
    ("hydroxyzine", "dichlorhydrate d'hydroxyzine"),
    ("prednisolone", "prednisolone (métasulfobenzoate sodique de)")])
def test_a_salt_named_in_the_sih_is_the_same_drug(paper_name, sih_name):
    assert verdicts([dose(paper_name)], [given("salt", sih_name)])["p"].verdict == "in_sih"


def test_a_given_copy_named_with_its_salt_wins_over_a_refused_copy_named_plainly():
    found = verdicts([dose("tramadol", 50, "mg")],
                     [given("refused", "tramadol", 50, "mg", minutes=1, status="not-done"),
                      given("given", "chlorhydrate de tramadol", 50, "mg", minutes=8)])["p"]
    assert found.verdict == "in_sih" and found.sih_ids == ("given",)


# -- 5. busy series: a paper item's own copy at its written time wins ------------------------------


def series(*items: tuple[str, float, float]) -> list[PaperItem]:
    """(id, value, minutes) of one heart rate charted by hand every couple of minutes."""
    return [paper(value=value, minutes=minutes, item_id=item_id)
            for item_id, value, minutes in items]


def test_a_copy_typed_by_a_colleague_at_the_written_time_beats_a_neighbours_copy():
    paper_items = series(("p1", 80, 0), ("p2", 80, 2))
    sih_items = [sih("c1", minutes=0), sih("c1-resent", minutes=1 / 60),
                 sih("c2", minutes=2, author="Paul Martin")]
    found = verdicts(paper_items, sih_items)
    assert (found["p1"].verdict, set(found["p1"].sih_ids)) == ("duplicate", {"c1", "c1-resent"})
    assert (found["p2"].verdict, found["p2"].sih_ids) == ("in_sih", ("c2",))


def test_a_resent_copy_is_no_copy_of_the_missing_item_charted_just_before():
    paper_items = series(("p1", 23, 0), ("p2", 23, 2.5))
    sih_items = [sih("c2", value=23, minutes=2.5), sih("c2-resent", value=23, minutes=2.5 + 1 / 60)]
    found = verdicts(paper_items, sih_items)
    assert found["p1"].verdict == "missing"
    assert (found["p2"].verdict, set(found["p2"].sih_ids)) == ("duplicate", {"c2", "c2-resent"})


def test_a_changed_copy_at_the_written_time_is_that_items_own_in_a_busy_series():
    paper_items = series(("p1", 69, 0), ("p2", 69, 2.5), ("p3", 68, 5))
    sih_items = [sih("c1", value=69, minutes=0), sih("c1-resent", value=69, minutes=1 / 60),
                 sih("c2", value=96, minutes=2.5)]
    found = verdicts(paper_items, sih_items)
    assert found["p1"].verdict == "duplicate"
    assert (found["p2"].verdict, found["p2"].sih_ids) == ("differs", ("c2",))
    assert found["p3"].verdict == "missing"


@pytest.mark.parametrize(("login", "name"), [
    ("elambert", "Élodie Lambert"), ("fgauthier", "François Gauthier"), ("cfaure", "Chloé Faure"),
    ("troux", "Thomas Roux"), ("dupontm", "Marie Dupont")])
def test_a_login_made_of_initials_and_surname_is_the_same_author(login, name):
    assert same_author(login, name) == AuthorMatch.SAME


@pytest.mark.parametrize(("login", "name"), [
    ("jdupont", "Marie Dupont"), ("xlambert", "Élodie Lambert"), ("lamberts", "Élodie Martin")])
def test_a_login_of_someone_else_is_another_author(login, name):
    assert same_author(login, name) == AuthorMatch.OTHER


# -- notes: a word changed for another is a difference, a typo or a moved word is not -------------


def test_a_note_with_a_side_or_an_hour_changed_differs_and_says_which_words():
    text = "Effleurage des points d'appui, rougeur au talon droit, talonnière mise en place."
    changed = "Effleeurage des pointts d'appui, rougeur au talon gauche, talonnière mise en place."
    found = verdicts([paper(NOTE, "", None, None, text=text)],
                     [sih("s", NOTE, "", None, None, text=changed)])["p"]
    assert found.verdict == "differs" and found.differs_on == ("text",)
    assert "« droit »" in found.reason.render("fr") and "« gauche »" in found.reason.render("fr")
    hour = verdicts([paper(NOTE, "", None, None, text="Agitation vers 3 h, médecin prévenu.")],
                    [sih("s", NOTE, "", None, None, text="AGITATION VERS 4 H, MEDECIN PREVENU")])
    assert hour["p"].verdict == "differs"


def test_a_note_with_a_first_letter_typo_and_line_breaks_is_the_same_note():
    text = ("Anxieux avant l'examen de demain, explications données, plus détendu ensuite. "
            "Respiration ample et régulière, pas de signe de détresse. Pansement de la jambe "
            "gauche refait, plaie propre, pas d'écoulement, berges saines.")
    typed = ("Anxieux avant l'examen de demain, explications donnees, plus detendu ensuite.\n"
             "Reespiration ample et reguliere, pas de signe de detresse.\nPnasement de la jambe "
             "gauche refait, plaie propre, pas d'ecoulement, berges saines.")
    found = verdicts([paper(NOTE, "", None, None, text=text)],
                     [sih("s", NOTE, "", None, None, text=typed)])["p"]
    assert found.verdict == "in_sih"


def test_a_changed_copy_at_the_written_time_is_not_given_to_a_neighbour_nearer_in_value():
    """12 is nearer 21 than 22 in value, but it was typed at 22's time: 22's changed copy."""
    paper_items = series(("p1", 21, 0), ("p2", 22, 2.5))
    found = verdicts(paper_items, [sih("c2", value=12, minutes=2.5)])
    assert found["p1"].verdict == "missing"
    assert (found["p2"].verdict, found["p2"].sih_ids) == ("differs", ("c2",))


# -- what Reentry exports, read back by the reconciliation ------------------------------------------


def exported_shift() -> list[Item]:
    """One night on paper: vital signs (an AVPU answer among them), two doses (one refused), a
    note; all typed by jdupont from what M.D. wrote."""
    event = datetime(2026, 11, 23, 22, 15, tzinfo=UTC)
    base = dict(serial=1, effective_time=event, author="Marie Dupont", entered_by="jdupont",
                entered_at=event + timedelta(hours=9), ipp="100001", nda="500001")
    rows = [(ItemKind.VITAL_SIGN, dict(code="8480-6", label="PAS", value=120, unit="mm[Hg]")),
            (ItemKind.VITAL_SIGN, dict(code="8310-5", label="T", value=37.5, unit="Cel")),
            (ItemKind.VITAL_SIGN, dict(code="80288-4", label="AVPU", value_text="P")),
            (ItemKind.MEDICATION_ADMINISTRATION,
             dict(code="paracétamol", label="paracétamol", value=1, unit="g", route="PO")),
            (ItemKind.MEDICATION_ADMINISTRATION,
             dict(code="amoxicilline", label="amoxicilline", value=1, unit="g", route="IV",
                  status="not-done", status_reason="refus du patient")),
            (ItemKind.NURSING_NOTE, dict(code="", text="Douleur EN 6.\nMédecin prévenu."))]
    return [Item(id=n, entry_id=n, kind=kind, **base, **fields)
            for n, (kind, fields) in enumerate(rows, 1)]


def test_what_reentry_exports_in_hl7_is_found_in_sih_by_the_reconciliation(tmp_path):
    """ORU^R01 for vital signs and notes, RAS^O17 for doses: an SIH that stores them as sent
    gives them back in the same messages."""
    items = exported_shift()
    out = tmp_path / "export.hl7"
    assert export_items(items, "hl7", out) == len(items)
    sih_items, _ = read_sih_and_patients([out])
    kinds = sorted(i.kind for i in sih_items)
    assert kinds == sorted(i.kind.value for i in items)  # RAS^O17 doses and notes included
    found = reconcile(paper_from_items(items), sih_items).verdicts
    assert {v.item_id: v.verdict for v in found} == {str(i.id): "in_sih" for i in items}


# -- numbers written the French way ----------------------------------------------------------------


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_a_dose_with_a_french_thousands_separator_is_read_by_both_readers(tmp_path, space):
    path = tmp_path / "sih.csv"
    path.write_text("record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
                    f"S1,{IPP},5001,medication_administration,énoxaparine,4{space}000,UI,SC,"
                    "2025-10-26T22:00:00+01:00,MD,\n", encoding="utf-8")
    assert list(read_item_table(path).value) == [4000.0]
    assert [a.dose for a in parse_file(path).administrations] == [4000.0]
    found = verdicts([dose("énoxaparine", 4000, "UI", route="SC")], read_item_csv(path))
    assert found["p"].verdict == "in_sih"


@pytest.mark.parametrize(("written", "typed", "changed"), [
    ("Cathéter droit retiré, nouveau cathéter posé.", "cathétter droit retiré, nouveau ctahéter posé",
     ((), ())),
    ("Pied droit, genou droit, main gauche.", "Pied droit, genou gauche, main gauche.",
     (("droit",), ("gauche",))),
    ("Pas de douleur, pas de fièvre.", "De douleur, pas de fièvre.", (("pas",), ())),
    ("Médecin prévenu à 23 h.", "medecin prevenu a 23h", ((), ()))])
def test_changed_words_count_each_word_as_often_as_it_is_written(written, typed, changed):
    assert changed_words(normalise_text(written), normalise_text(typed)) == changed
