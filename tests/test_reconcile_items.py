"""Item reconciliation: each verdict, drug names, time edges, one-to-one, duplicates vs monitors."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from reentry import i18n
from reentry.reconcile.drugs import default_drug_names
from reentry.reconcile.items import (
    PaperItem,
    SihItem,
    Tolerances,
    hungarian,
    read_item_csv,
    read_item_table,
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
    assert "37,5" in str(verdicts["changed"].reason) and "38,5" in str(verdicts["changed"].reason)
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
    copy = SihItem("copy", IPP, "vital_sign", HR, T0 + timedelta(minutes=2), 80, unit="/min",
                   author="C.D. (IDE)")
    paper = [vital("p", 80)]
    result = reconcile(paper, [*monitor, copy])
    verdict = result.verdicts[0]
    assert verdict.verdict == "in_sih" and verdict.sih_ids == ("copy",)
    assert len(result.unmatched_sih) == len(monitor)  # listed, not flagged
    assert result.unmatched_count == len(monitor)


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


# --- Device readings: never a charted copy (see reentry/reconcile/items_devices.py) -------------

NURSE = "C.D. (IDE)"


def signed(item_id: str, value: float, minutes: float, author: str | None,
           code: str = HR) -> SihItem:
    return SihItem(item_id, IPP, "vital_sign", code, T0 + timedelta(minutes=minutes), value,
                   unit="/min", author=author)


def series(author: str | None, values: list[float], start: float = -29.5, every: float = 5
           ) -> list[SihItem]:
    return [signed(f"m{k}", v, start + k * every, author) for k, v in enumerate(values)]


MONITOR_VALUES = [78, 79, 81, 80, 82, 79, 80, 81, 83, 80, 79, 78]  # 80 at -14.5, +0.5, +15.5


@pytest.mark.parametrize("author", ["Moniteur lit 12", "monitor", "Device/scope-3",
                                    "device:IntelliVue-7", None])
def test_a_value_missing_from_the_sih_is_not_found_in_a_monitor_series(author):
    paper = [PaperItem("p", IPP, "vital_sign", HR, T0, 80, unit="/min", author=NURSE)]
    result = reconcile(paper, series(author, MONITOR_VALUES))
    verdict = result.verdicts[0]
    assert verdict.verdict == "missing" and verdict.sih_ids == ()
    assert "relevés d'appareil (12)" in verdict.reason.render("fr")
    assert "only device readings (12)" in verdict.reason.render("en")


def test_a_charted_copy_is_found_among_nearer_monitor_readings():
    paper = [PaperItem("p", IPP, "vital_sign", HR, T0, 80, unit="/min", author=NURSE)]
    copy = signed("copy", 80, 4, NURSE)
    for author in ("Moniteur lit 12", None):
        verdict = reconcile(paper, [*series(author, MONITOR_VALUES), copy]).verdicts[0]
        assert verdict.verdict == "in_sih" and verdict.sih_ids == ("copy",)
    changed = signed("copy", 88, 4, NURSE)  # the nurse's copy typed wrong: differs, not in_sih
    verdict = reconcile(paper, [*series(None, MONITOR_VALUES), changed]).verdicts[0]
    assert verdict.verdict == "differs" and verdict.sih_ids == ("copy",)


def test_unsigned_items_without_a_rhythm_are_charted_copies():
    paper = [vital("p", 80)]
    lone = [signed("a", 80, 3, None), signed("b", 75, -20, None), signed("c", 70, 11, None)]
    assert reconcile(paper, lone).verdicts[0].sih_ids == ("a",)
    three = series(None, [79, 80, 81], start=-4.5)  # fewer than series_min readings
    assert reconcile(paper, three).verdicts[0].verdict == "in_sih"


def test_people_charting_at_a_steady_rhythm_are_not_devices():
    charted = series(NURSE, [80, 82, 84, 86, 88], start=-30, every=15)  # exact quarter hours
    paper = [PaperItem(f"p{k}", IPP, "vital_sign", HR, item.effective_time, item.value,
                       unit="/min", author=NURSE) for k, item in enumerate(charted)]
    assert [v.verdict for v in reconcile(paper, charted).verdicts] == ["in_sih"] * 5


def test_a_tick_holding_two_unsigned_items_is_no_device_reading():
    readings = series(None, MONITOR_VALUES)
    copy = signed("copy", 80, 0.5, None)  # the nurse's copy on the very tick of a reading
    verdict = reconcile([vital("p", 80)], [*readings, copy]).verdicts[0]
    assert verdict.verdict == "in_sih" and verdict.sih_ids[0] in ("copy", "m6")


def test_device_window_lets_an_equal_reading_taken_then_stand_for_the_paper():
    tolerances = Tolerances(device_window=timedelta(minutes=1))
    paper = [vital("p", 80)]
    verdict = only(paper, series("Moniteur lit 12", MONITOR_VALUES), tolerances=tolerances)
    assert verdict.verdict == "in_sih" and verdict.sih_ids == ("m6",)  # 80 at +0.5 min
    assert "relevé d'appareil (Moniteur lit 12)" in verdict.reason.render("fr")
    later = series("Moniteur lit 12", MONITOR_VALUES, start=-27)  # 80 at +3 min: too far
    assert only(paper, later, tolerances=tolerances).verdict == "missing"
    other = only([vital("p", 81.5)], series("Moniteur lit 12", MONITOR_VALUES),
                 tolerances=tolerances)
    assert other.verdict == "missing"  # a device reading never passes for a changed copy


def test_series_members_need_one_reading_per_tick():
    from reentry.reconcile.items_devices import series_members

    def members(times: list[float]) -> tuple[list[bool], list[bool]]:
        group = np.zeros(len(times), dtype=np.int64)
        found, crowded = series_members(group, np.array(times), 4, 900.0, 2.0)
        return found.tolist(), crowded.tolist()

    assert members([0, 300, 600, 900]) == ([True] * 4, [False] * 4)
    assert members([0, 300, 600])[0] == [False] * 3  # too short
    assert members([0, 300, 610, 900])[0] == [False] * 4  # 10 s off: no rhythm
    assert members([0, 150, 300, 600, 900])[0] == [True, False, True, True, True]  # one between
    assert members([0, 300, 301, 600, 900]) == ([True, False, False, True, True],
                                                 [False, True, True, False, False])
    assert members([0, 1200, 2400, 3600])[0] == [False] * 4  # beyond series_interval
    two_patients = series_members(np.array([0, 0, 1, 1]), np.array([0.0, 300, 600, 900]), 4,
                                  900.0, 2.0)[0]
    assert two_patients.tolist() == [False] * 4


@pytest.mark.parametrize(("author", "kind"), [
    (None, 0), ("", 0), ("  ", 0), ("C.D. (IDE)", 1), ("Martin Dupont", 1), ("monitor", 2),
    ("Moniteur lit 4", 2), ("Device/abc", 2), ("device:scope-3", 2), ("SCOPE 12", 2),
])
def test_an_author_is_a_person_a_device_or_nobody(author, kind):
    from reentry.domain.items import DEVICE_WORDS
    from reentry.reconcile.items_devices import author_class
    assert author_class(author, DEVICE_WORDS) == kind


# --- Ties: the paper's author, the nearer value ---------------------------------------------------

def test_two_equal_paper_items_each_find_the_copy_of_their_own_author():
    paper = [PaperItem("mine", IPP, "vital_sign", HR, T0, 80, unit="/min", author="S.B."),
             PaperItem("theirs", IPP, "vital_sign", HR, T0, 80, unit="/min", author="J.P.")]
    sih = [signed("copy-jp", 80, 1, "J.P."), signed("copy-sb", 80, 4, "S.B."),
           signed("copy-sb-bis", 80, -1, "S.B.")]
    verdicts = {v.item_id: v for v in reconcile(paper, sih).verdicts}
    assert verdicts["theirs"].verdict == "in_sih"
    assert verdicts["theirs"].sih_ids == ("copy-jp",)
    assert verdicts["mine"].verdict == "duplicate"
    assert set(verdicts["mine"].sih_ids) == {"copy-sb", "copy-sb-bis"}


def test_a_changed_copy_goes_to_the_paper_value_it_is_nearest():
    paper = [vital("omitted", 98, code="8480-6", unit="mm[Hg]"),
             vital("typed-wrong", 140, code="8480-6", unit="mm[Hg]")]
    sih = [sih_vital("s", 138, 0, code="8480-6", unit="mm[Hg]")]
    verdicts = {v.item_id: v for v in reconcile(paper, sih).verdicts}
    assert verdicts["typed-wrong"].verdict == "differs"
    assert verdicts["omitted"].verdict == "missing"


def test_a_second_equal_copy_nearer_an_unmatched_paper_item_is_its_changed_copy():
    paper = [vital("a", 80, 0), vital("b", 82, 4)]
    sih = [sih_vital("copy-a", 80, 0), sih_vital("copy-b", 80, 4)]  # b's value typed wrong
    verdicts = {v.item_id: v for v in reconcile(paper, sih).verdicts}
    assert verdicts["a"].verdict == "in_sih" and verdicts["a"].sih_ids == ("copy-a",)
    assert verdicts["b"].verdict == "differs" and verdicts["b"].sih_ids == ("copy-b",)


def test_a_paper_item_without_patient_matches_nothing():
    paper = [vital("p", 80, ipp="")]
    verdict = only(paper, [sih_vital("s", 80, ipp="")])
    assert verdict.verdict == "missing"


# --- Columns: the item CSV read straight into a table -------------------------------------------

HEADER = "record_id,ipp,nda,kind,code,value,unit,route,effective_time,author,text\n"


@pytest.fixture(params=["arrow", "csv"])
def reader(request, monkeypatch):
    """Each CSV test runs with pyarrow's reader and with the csv module's (the fallback)."""
    from reentry.reconcile import csv_columns
    if request.param == "csv":
        monkeypatch.setattr(csv_columns, "pa_csv", None)
    elif csv_columns.pa_csv is None:
        pytest.skip("pyarrow is not installed")
    return request.param


def test_an_item_csv_as_columns_gives_the_same_verdicts_as_objects(tmp_path, reader):
    path = tmp_path / "sih.csv"
    path.write_text(
        HEADER
        + f"csv:item:r1,{IPP},N1,vital_sign,{HR},80,/min,,2026-11-23T23:02:00+01:00,C.D.,\n"
        + f"r2,{IPP},N1,vital_sign,{HR},\"80,0\",/min,,23/11/2026 23:07,Moniteur lit 2,\n"
        + f"r3,{IPP},,{MED},paracétamol,1000,mg,PO,2026-11-23T23:00:00+01:00,,\n"
        + f"r4,{IPP},,vital_sign,AVPU,A,,,2026-11-23T23:00:00+01:00,,\n"
        + f"r5,{IPP},,nursing_note,IGNORED,,,,2026-11-23T23:10:00+01:00,,Patient calme.\n"
        + ",,,,,,,,,,\n", encoding="utf-8")
    table = read_item_table(path)
    assert table.ids == ["r1", "r2", "r3", "r4", "r5"]
    assert table.author[:2] == ["C.D.", "Moniteur lit 2"]  # kept for vital signs too
    assert table.value[1] == 80.0 and table.value_text[3] == "A" and table.code[4] == ""
    items = read_item_csv(path)
    assert items[1].author == "Moniteur lit 2" and items[1].effective_time.hour == 22
    paper = [vital("p1", 80), dose("p2", "Doliprane 1000", 1, "g"), vital("p3", 81, 7)]
    by_table = [(v.item_id, v.verdict, v.sih_ids) for v in reconcile(paper, table).verdicts]
    by_items = [(v.item_id, v.verdict, v.sih_ids) for v in reconcile(paper, items).verdicts]
    assert by_table == by_items
    assert by_table[:2] == [("p1", "in_sih", ("r1",)), ("p2", "in_sih", ("r3",))]
    assert by_table[2][1] == "missing"  # r2 is a device reading, and r1 is p1's


@pytest.mark.parametrize(("row", "where", "problem"), [
    (f"r1,{IPP},,vital_signs,{HR},80,,,2026-11-23T23:00:00+01:00,,", "kind", "vital_signs"),
    (f"r1,{IPP},,vital_sign,{HR},80,,,2026-13-23T23:00:00+01:00,,", "effective_time",
     "2026-13-23"),
    (f"r1,{IPP},,{MED},paracétamol,un,mg,,2026-11-23T23:00:00+01:00,,", "value", "un"),
    (f"r1,{IPP},,{MED},,1,mg,,2026-11-23T23:00:00+01:00,,", "code", "code"),
    (f"r1,{IPP},,nursing_note,,,,,2026-11-23T23:00:00+01:00,,", "text", "text"),
    (f"r1,,,vital_sign,{HR},80,,,2026-11-23T23:00:00+01:00,,", "ipp", "ipp"),
])
def test_a_bad_item_csv_is_refused_with_its_line_and_column(tmp_path, reader, row, where,
                                                           problem):
    from reentry.errors import FileRejected
    from reentry.importing.csv_tables import parse
    from reentry.importing.source import SourceFile

    path = tmp_path / "sih.csv"
    path.write_text(HEADER + f"r0,{IPP},,vital_sign,{HR},80,,,2026-11-23T23:00:00+01:00,,\n"
                    + row + "\n", encoding="utf-8")
    with pytest.raises(FileRejected) as ours:
        read_item_table(path)
    with pytest.raises(FileRejected) as imports:
        parse(SourceFile.read(path))
    assert str(ours.value) == str(imports.value)  # the very message of `reentry import`
    assert "3" in str(ours.value) and where in str(ours.value) and problem in str(ours.value)


def test_refused_doses_come_from_an_optional_status_column(tmp_path, reader):
    path = tmp_path / "sih.csv"
    path.write_text(HEADER.replace("text\n", "text,status\n")
                    + f"r1,{IPP},,{MED},oxazépam,,,,2026-11-23T23:00:00+01:00,,,not-done\n",
                    encoding="utf-8")
    refused = dose("p", "Seresta 10", None, status="not-done")
    assert only([refused], read_item_table(path)).verdict == "in_sih"


@pytest.mark.parametrize(("text", "problem"), [
    (HEADER + f"r1,{IPP},,vital_sign,{HR},80,,,2026-11-23T23:00:00+01:00,,,extra\n",
     "plus de valeurs"),
    (HEADER + f"r1,{IPP},,vital_sign,{HR},80,,,2026-11-23T23:00:00+01:00,,\n"
     + f",{IPP},,vital_sign,{HR},80,,,2026-11-23T23:00:00+01:00,,\n", "record_id"),
    ("record_id,ipp,kind\n,,\n", "fichier vide"),
    ("record_id,ipp,kind\nr1,1,vital_sign\n", "effective_time"),
])
def test_both_readers_refuse_the_same_files_the_same_way(tmp_path, reader, text, problem):
    from reentry.errors import FileRejected
    from reentry.importing.csv_tables import parse
    from reentry.importing.source import SourceFile

    path = tmp_path / "sih.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileRejected) as ours:
        read_item_table(path)
    with pytest.raises(FileRejected) as imports:
        parse(SourceFile.read(path))
    assert str(ours.value) == str(imports.value)
    assert problem in str(ours.value)


def test_blank_lines_spaces_semicolons_and_windows_1252_read_alike(tmp_path, reader):
    text = (HEADER.replace(",", ";")
            + f" r1 ; {IPP} ;;vital_sign; {HR} ; 80 ; /min ;;2026-11-23T23:00:00+01:00; C.D. ;\n"
            + "\n;;;;;;;;;;\n"
            + f"r2;{IPP};;{MED};Doliprane;1000;mg;PO;23/11/2026 23:30;Hélène;\n"
            + f'r3;{IPP};;nursing_note;;;;;2026-11-23T23:40:00+01:00;;"Calme; a dormi"\n')
    path = tmp_path / "sih.csv"
    path.write_bytes(text.encode("cp1252"))
    table = read_item_table(path)
    assert list(table.ids) == ["r1", "r2", "r3"]
    assert table.code[0] == HR and table.unit[0] == "/min" and table.author[0] == "C.D."
    assert table.author[1] == "Hélène" and table.text[2] == "Calme; a dormi"
    assert [item.effective_time.hour for item in table.items()] == [22, 22, 22]


def test_verdicts_csv_reasons_are_the_verdicts_own_in_both_languages(tmp_path):
    """verdicts.csv renders the reasons without building message trees: the same text."""
    monitor = series("Moniteur lit 2", MONITOR_VALUES)
    paper = [vital("same", 80), vital("late", 80, 20, code=TEMP, unit="Cel"),
             vital("changed", 37.5, code=TEMP, unit="Cel"), vital("twice", 120, code="8480-6",
                                                                  unit="mm[Hg]"),
             vital("absent", 16, code="9279-1"), vital("far", 16, 90, code="9279-1"),
             PaperItem("hr", IPP, "vital_sign", HR, T0 + timedelta(minutes=2), 81.0,
                       unit="/min"),
             dose("brand", "Doliprane 1000", 1, "g"), dose("typo", "Furosemde 40", 40),
             dose("route", "Lasilix", 40, route="IV", minutes=200),
             dose("refused", "Seresta 10", None, status="not-done", minutes=300),
             note("note", "Patient calme, a dormi toute la nuit."),
             note("unlike", "Pansement refait, cicatrice propre.", 400)]
    sih = [sih_vital("s-same", 80, 3), sih_vital("s-late", 80, 29, code=TEMP, unit="Cel"),
           sih_vital("s-changed", 38.5, code=TEMP, unit="°C"),
           sih_vital("s-twice-1", 120, 0, "8480-6", "mmHg"),
           sih_vital("s-twice-2", 120, 1, "8480-6", "mm[Hg]"),
           sih_vital("s-far", 16, 150, code="9279-1"), *monitor,
           sih_dose("s-brand", "paracétamol", 1000), sih_dose("s-typo", "furosémide", 40),
           sih_dose("s-route", "furosémide", 40, route="PO", minutes=201),
           sih_dose("s-refused", "oxazépam", 10, minutes=300),
           sih_note("s-note", "patient calme a dormi toute la nuit", 10),
           sih_note("s-unlike", "Chute au lever, médecin informé.", 400)]
    for tolerances in (Tolerances(), Tolerances(device_window=timedelta(minutes=3))):
        for lang in ("fr", "en"):
            fast = list(reconcile(paper, sih, tolerances=tolerances).verdict_rows(lang))
            result = reconcile(paper, sih, tolerances=tolerances)
            slow = [(v.item_id, v.verdict, v.ipp, v.kind, "|".join(v.sih_ids),
                     f"{v.score:.2f}", v.reason.render(lang)) for v in result.verdicts]
            assert fast == slow
            assert list(result.verdict_rows(lang)) == slow  # from the verdicts once built
    verdicts = {row[0]: row[1] for row in fast}
    assert set(verdicts.values()) == {"in_sih", "differs", "missing", "duplicate"}
    out = tmp_path / "verdicts.csv"
    write_verdicts_csv(reconcile(paper, sih), out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1:] == [list(r) for r in reconcile(paper, sih).verdict_rows()]


@pytest.mark.parametrize("sih_ipp", ["000810007820", "810007820"])
def test_verdicts_csv_reasons_with_leading_zeros_are_the_verdicts_own(sih_ipp):
    """A fixed-width IPP (« 000810007820 ») written alike on both sides is not said to be
    written otherwise; written without its zeros in the SIH, the reason says so. The CSV's
    own text and the verdicts' agree either way."""
    paper = [replace(item, ipp="000810007820") for item in (
        vital("same", 80), vital("late", 80, 20, code=TEMP, unit="Cel"),
        vital("changed", 37.5, code=TEMP, unit="Cel"), dose("brand", "Doliprane 1000", 1, "g"),
        note("note", "Patient calme, a dormi toute la nuit."))]
    sih = [replace(item, ipp=sih_ipp) for item in (
        sih_vital("s-same", 80, 3), sih_vital("s-late", 80, 29, code=TEMP, unit="Cel"),
        sih_vital("s-changed", 38.5, code=TEMP, unit="°C"),
        sih_dose("s-brand", "paracétamol", 1000),
        sih_note("s-note", "patient calme a dormi toute la nuit", 10))]
    fast = list(reconcile(paper, sih).verdict_rows("fr"))
    slow = [(v.item_id, v.verdict, v.ipp, v.kind, "|".join(v.sih_ids), f"{v.score:.2f}",
             v.reason.render("fr")) for v in reconcile(paper, sih).verdicts]
    assert fast == slow
    assert [row[1] for row in fast] == ["in_sih", "in_sih", "differs", "in_sih", "in_sih"]
    said = [f"IPP écrit « {sih_ipp} » dans le SIH" in row[6] for row in fast]
    assert said == [sih_ipp != "000810007820"] * len(fast)


def test_counts_come_without_building_verdicts():
    result = reconcile([vital("p", 80), vital("q", 70, code=TEMP)], [sih_vital("s", 80)])
    assert result.counts() == {"in_sih": 1, "differs": 0, "missing": 1, "duplicate": 0}
    assert result._verdicts is None  # nothing built for the counts
    assert [v.verdict for v in result.verdicts] == ["in_sih", "missing"]
