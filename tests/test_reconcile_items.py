"""Item reconciliation: each verdict, drug names, time edges, one-to-one, duplicates vs monitors."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from reentry import i18n
from reentry.reconcile.drugs import default_drug_names
from reentry.reconcile.items import (
    PaperItem,
    SihItem,
    Tolerances,
    hungarian,
    read_item_csv,
    reconcile,
    write_verdicts_csv,
)

T0 = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
IPP = "900000001"
HR, TEMP = "8867-4", "8310-5"
MED = "medication_administration"


def vital(item_id: str, value: float, minutes: float = 0, code: str = HR, unit: str = "/min",
          ipp: str = IPP) -> PaperItem:
    return PaperItem(item_id, ipp, "vital_sign", code, T0 + timedelta(minutes=minutes), value,
                     unit=unit)


def sih_vital(item_id: str, value: float, minutes: float = 0, code: str = HR,
              unit: str = "/min", ipp: str = IPP) -> SihItem:
    return SihItem(item_id, ipp, "vital_sign", code, T0 + timedelta(minutes=minutes), value,
                   unit=unit)


def dose(item_id: str, drug: str, value: float | None, unit: str = "mg", route: str = "PO",
         minutes: float = 0, status: str = "completed") -> PaperItem:
    return PaperItem(item_id, IPP, MED, drug, T0 + timedelta(minutes=minutes), value, unit=unit,
                     route=route, status=status)


def sih_dose(item_id: str, drug: str, value: float | None, unit: str = "mg", route: str = "PO",
             minutes: float = 0, status: str = "completed") -> SihItem:
    return SihItem(item_id, IPP, MED, drug, T0 + timedelta(minutes=minutes), value, unit=unit,
                   route=route, status=status)


def only(paper: list[PaperItem], sih: list[SihItem], **kwargs):
    result = reconcile(paper, sih, **kwargs)
    assert len(result.verdicts) == len(paper)
    return result.verdicts[0] if len(paper) == 1 else result


def test_each_verdict_with_its_reason():
    paper = [vital("same", 80), vital("changed", 37.5, code=TEMP, unit="Cel"),
             vital("absent", 16, code="9279-1"), vital("twice", 120, code="8480-6",
                                                      unit="mm[Hg]")]
    sih = [sih_vital("s-same", 80, 3), sih_vital("s-changed", 38.5, code=TEMP, unit="°C"),
           sih_vital("s-twice-1", 120, 0, "8480-6", "mmHg"),
           sih_vital("s-twice-2", 120, 1, "8480-6", "mm[Hg]")]
    verdicts = {v.item_id: v for v in reconcile(paper, sih).verdicts}
    assert verdicts["same"].verdict == "in_sih" and verdicts["same"].sih_ids == ("s-same",)
    assert "s-same" in str(verdicts["same"].reason) and "3 min" in str(verdicts["same"].reason)
    assert verdicts["changed"].verdict == "differs"
    assert verdicts["changed"].differs_on == ("value",)
    assert "37.5" in str(verdicts["changed"].reason) and "38.5" in str(verdicts["changed"].reason)
    assert verdicts["absent"].verdict == "missing" and verdicts["absent"].sih_ids == ()
    assert verdicts["twice"].verdict == "duplicate"
    assert set(verdicts["twice"].sih_ids) == {"s-twice-1", "s-twice-2"}


@pytest.mark.parametrize(("paper_name", "sih_name"), [
    ("DOLIPRANE 1000", "paracétamol"),
    ("Kardegic", "acide acetylsalicylique"),
    ("Augmentin 1 g", "amoxicilline + acide clavulanique"),
    ("Lovenox 4000 UI", "Énoxaparine sodique"),
    ("paracétamol IV", "PARACETAMOL"),
])
def test_brand_and_accent_variants_are_the_same_drug(paper_name, sih_name):
    verdict = only([dose("p", paper_name, 1, "g")], [sih_dose("s", sih_name, 1, "g")])
    assert verdict.verdict == "in_sih"
    assert sih_name in str(verdict.reason)


def test_a_typo_in_a_drug_name_is_recognised_and_said():
    verdict = only([dose("p", "Furosemde 40", 40)], [sih_dose("s", "furosémide", 40)])
    assert verdict.verdict == "in_sih"
    assert verdict.score < 1.0
    assert "faute de frappe" in str(verdict.reason)


def test_look_alike_drugs_are_never_merged():
    verdict = only([dose("p", "Cortancyl 20", 20)], [sih_dose("s", "prednisolone", 20)])
    assert verdict.verdict == "missing"
    assert default_drug_names().canonical("prednisone").key != \
        default_drug_names().canonical("prednisolone").key


def test_time_tolerance_edges_thirty_minutes_in_thirty_one_out():
    assert only([vital("p", 80)], [sih_vital("s", 80, 30)]).verdict == "in_sih"
    assert only([vital("p", 80)], [sih_vital("s", 80, -30)]).verdict == "in_sih"
    late = only([vital("p", 80)], [sih_vital("s", 80, 31)])
    assert late.verdict == "missing"
    assert "31 min" in str(late.reason)


def test_medication_window_is_configurable_per_drug():
    paper, sih = [dose("p", "Lantus", 12, "UI")], [sih_dose("s", "insuline glargine", 12, "UI",
                                                            minutes=45)]
    assert only(paper, sih).verdict == "in_sih"  # ± 60 min by default
    tight = Tolerances(per_drug={default_drug_names().canonical("Lantus").key:
                                 timedelta(minutes=30)})
    assert only(paper, sih, tolerances=tight).verdict == "missing"


def test_two_paper_items_and_two_sih_items_are_assigned_one_to_one():
    # Greedy by distance would give p1 the SIH item at +10 min and leave p2 nothing.
    paper = [vital("p1", 80, 0), vital("p2", 80, 20)]
    sih = [sih_vital("s-early", 80, -25), sih_vital("s-mid", 80, 10)]
    verdicts = {v.item_id: v for v in reconcile(paper, sih).verdicts}
    assert verdicts["p1"].sih_ids == ("s-early",)
    assert verdicts["p2"].sih_ids == ("s-mid",)
    assert {v.verdict for v in verdicts.values()} == {"in_sih"}


def test_an_equal_copy_wins_over_a_nearer_different_reading():
    verdict = only([vital("p", 80)], [sih_vital("monitor", 77, 1), sih_vital("copy", 80, 4)])
    assert verdict.verdict == "in_sih" and verdict.sih_ids == ("copy",)


def test_monitor_readings_do_not_make_paper_vitals_duplicates():
    monitor = [sih_vital(f"m{k}", 80, k * 5 + 0.5) for k in range(-6, 6)]  # all equal, every 5 min
    paper = [vital("p", 80)]
    verdict = only(paper, monitor)
    assert verdict.verdict == "in_sih"
    assert len(verdict.sih_ids) == 1
    result = reconcile(paper, monitor)
    assert len(result.unmatched_sih) == len(monitor) - 1  # listed, not flagged


def test_a_double_entry_is_a_duplicate_even_among_monitor_readings():
    monitor = [sih_vital(f"m{k}", 70 + k, k * 5 + 2.5) for k in range(-6, 6)]
    copies = [sih_vital("copy-1", 95, 0), sih_vital("copy-2", 95, 0)]
    verdict = only([vital("p", 95)], monitor + copies)
    assert verdict.verdict == "duplicate"
    assert set(verdict.sih_ids) == {"copy-1", "copy-2"}


def test_an_equal_item_claimed_by_another_paper_item_is_no_duplicate():
    paper = [vital("p1", 80, 0), vital("p2", 80, 2)]
    sih = [sih_vital("s1", 80, 0), sih_vital("s2", 80, 2)]
    assert {v.verdict for v in reconcile(paper, sih).verdicts} == {"in_sih"}


def test_units_are_normalised_before_comparing_doses():
    same = only([dose("p", "Doliprane", 1, "g")], [sih_dose("s", "paracétamol", 1000, "mg")])
    assert same.verdict == "in_sih"
    half = only([dose("p", "Doliprane", 1, "g")], [sih_dose("s", "paracétamol", 500, "mg")])
    assert half.verdict == "differs" and half.differs_on == ("dose",)
    assert "1 g" in str(half.reason) and "500 mg" in str(half.reason)
    temp = only([vital("p", 37.5, code=TEMP, unit="°C")], [sih_vital("s", 37.5, code=TEMP,
                                                                     unit="Cel")])
    assert temp.verdict == "in_sih"
    volume = only([dose("p", "Forlax", 0.5, "L")], [sih_dose("s", "macrogol", 500, "mL")])
    assert volume.verdict == "in_sih"
    unit = only([dose("p", "Forlax", 10, "g")], [sih_dose("s", "macrogol", 10, "mL")])
    assert unit.verdict == "differs" and unit.differs_on == ("unit",)


def test_route_differs_and_route_synonyms_do_not():
    assert only([dose("p", "Lasilix", 40, route="per os")],
                [sih_dose("s", "furosémide", 40, route="PO")]).verdict == "in_sih"
    verdict = only([dose("p", "Lasilix", 40, route="IV")],
                   [sih_dose("s", "furosémide", 40, route="PO")])
    assert verdict.verdict == "differs" and verdict.differs_on == ("route",)


def test_refused_dose_must_be_in_the_sih_as_not_done():
    refused = dose("p", "Seresta 10", None, status="not-done")
    nothing = only([refused], [])
    assert nothing.verdict == "missing"
    recorded = only([refused], [sih_dose("s", "oxazépam", None, status="NA")])
    assert recorded.verdict == "in_sih"
    given = only([refused], [sih_dose("s", "oxazépam", 10)])
    assert given.verdict == "differs" and given.differs_on == ("status",)


def note(item_id: str, text: str, minutes: float = 0) -> PaperItem:
    return PaperItem(item_id, IPP, "nursing_note", "", T0 + timedelta(minutes=minutes),
                     text=text)


def sih_note(item_id: str, text: str, minutes: float = 0) -> SihItem:
    return SihItem(item_id, IPP, "nursing_note", "", T0 + timedelta(minutes=minutes), text=text)


def test_notes_match_by_token_similarity():
    text = "Patient calme, a dormi toute la nuit. Pas de douleur."
    same = only([note("p", text)], [sih_note("s", "pas de douleur ; patient calme a dormi "
                                                   "toute la nuit", 20)])
    assert same.verdict == "in_sih" and same.score >= 0.9
    edited = only([note("p", text)], [sih_note("s", "Patient agité, n'a pas dormi la nuit.")])
    assert edited.verdict == "differs" and edited.differs_on == ("text",)
    other = only([note("p", text)], [sih_note("s", "Pansement refait, cicatrice propre.")])
    assert other.verdict == "missing"
    assert "similarité" in str(other.reason)


def test_other_patients_and_far_items_are_not_listed():
    paper = [vital("p", 80)]
    sih = [sih_vital("other", 80, ipp="900000002"), sih_vital("far", 80, 600),
           sih_vital("near", 70, 20, code=TEMP, unit="Cel")]
    result = reconcile(paper, sih)
    assert result.verdicts[0].verdict == "missing"
    assert [s.id for s in result.unmatched_sih] == ["near"]


def test_reasons_are_translated():
    verdict = only([vital("p", 80)], [sih_vital("s", 82)])
    assert "valeur 80 /min sur le papier" in verdict.reason.render("fr")
    assert "value 80 /min on paper" in verdict.reason.render("en")


def test_hungarian_finds_the_cheapest_assignment_on_rectangles():
    assert sorted(hungarian([[4, 1, 3], [2, 0, 5]])) == [(0, 1), (1, 0)]
    assert sorted(hungarian([[4, 2], [1, 0], [3, 5]])) == [(0, 1), (1, 0)]


def test_item_csv_both_sides_and_verdicts_csv(tmp_path):
    header = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"
    (tmp_path / "sih.csv").write_text(
        header
        + f"r1,{IPP},NDA1,vital_sign,{HR},80,/min,,2026-11-23T23:05:00+01:00,MD,\n"
        + f"r2,{IPP},NDA1,{MED},paracétamol,1000,mg,PO,2026-11-23T23:00:00+01:00,MD,\n",
        encoding="utf-8")
    sih = read_item_csv(tmp_path / "sih.csv")
    assert {s.id for s in sih} == {"r1", "r2"}
    paper = [vital("p1", 80), dose("p2", "Doliprane 1000", 1, "g"), vital("p3", 37, code=TEMP)]
    result = reconcile(paper, sih)
    out = tmp_path / "verdicts.csv"
    with i18n.language("en"):
        write_verdicts_csv(result, out)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["verdict"] for r in rows] == ["in_sih", "in_sih", "missing"]
    assert rows[1]["sih_ids"] == "r2" and rows[1]["score"] == "1.00"
    assert rows[2]["reason"].startswith("Missing from the SIH")
    assert list(rows[0]) == ["item_id", "verdict", "ipp", "kind", "sih_ids", "score", "reason"]
