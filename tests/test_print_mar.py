"""The medication administration record on paper, read back with pdftotext: the window it covers
on every page (both ends in), the allergies on every page, and allergy wording that says exactly
what the SIH data says, in French and in English."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pdfcheck
import pytest

from reentry import clock
from reentry.demo import create_demo
from reentry.domain.sheet_plan import PatientPacket, WardPrint
from reentry.formdefs import load_forms
from reentry.i18n import language
from reentry.model import Allergy, Dossier, PatientKey, Prescription
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.planner import plan_patient
from reentry.printing.render import render_patient, render_ward
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 21:00 in Paris
MORNING = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 06:00 in Paris
MAR = "medication_administration"


@pytest.fixture(scope="module")
def hospital(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("mar") / "reentry.sqlite")
    create_demo(store, patients=6, seed=5, as_of=AS_OF)
    yield store
    store.close()


@pytest.fixture(scope="module")
def dossier(hospital) -> Dossier:
    row = hospital.census()[0]
    return hospital.dossier(row.patient.id)


def _rx(drug: str, *times: str, **fields) -> Prescription:
    return Prescription(f"rx-{drug}", PatientKey("1"), drug, dose=1, unit="g", route="PO",
                        schedule=times, id=abs(hash(drug)) % 100_000, **fields)


@dataclasses.dataclass
class Printed:
    pages: list[str]  # every page's text, whitespace collapsed
    layouts: list[list[str]]  # every page's lines as laid out (a table row on one line)
    sheets: list[str]  # the template of each page

    def of(self, template: str) -> list[str]:
        return [text for text, sheet in zip(self.pages, self.sheets, strict=True)
                if sheet == template]

    def doses_of(self, template: str) -> list[list[tuple[str, str]]]:
        """Each page's printed doses as (drug, « 14:00 24/11 »): a row's line holds the drug and
        the planned time, one of the two lines under it the day."""
        pages = []
        for lines, sheet in zip(self.layouts, self.sheets, strict=True):
            if sheet != template:
                continue
            doses = []
            for index, line in enumerate(lines):
                row = re.match(r"\s*(\S.*?)\s{2,}.*?\b(\d\d:\d\d)\b", line)
                day = re.search(r"\b(\d\d/\d\d)\b", " ".join(lines[index + 1:index + 3]))
                if row and day and not re.search(r"\d{4}", line):
                    doses.append((row.group(1), f"{row.group(2)} {day.group(1)}"))
            pages.append(doses)
        return pages


def _flat(text: str) -> str:
    return " ".join(text.split())


def layout_pages(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [page.splitlines() for page in text.split("\f")[:pdfcheck.page_count(pdf)]]


def print_patient(hospital, dossier: Dossier, start: datetime, hours: float, folder: Path,
                  lang: str = "fr") -> Printed:
    """The patient's sheets planned and drawn exactly as the print station does, then read."""
    with language(lang):
        plans = plan_patient(dossier, load_forms(), start, hours)
    packet = PatientPacket(dossier, SerialCounter()(plans))
    ward_print = WardPrint(site=dossier.site, ward=dossier.ward, snapshot=dossier.snapshot,
                           printed_at=AS_OF, window_start=start, window_hours=hours, cover=None,
                           patients=[packet], language=lang)
    pdf = folder / f"patient-{lang}.pdf"
    render_patient(ward_print, packet, pdf)
    texts = pdfcheck.page_texts(pdf)
    templates = [s.plan.template_id for s in packet.sheets for _ in range(s.plan.page_count)]
    assert len(texts) == len(templates)
    return Printed([_flat(t) for t in texts], layout_pages(pdf), templates)


# -- the window --------------------------------------------------------------------------------


def test_a_dose_planned_exactly_at_the_end_of_the_window_is_on_the_record(hospital, dossier,
                                                                          tmp_path):
    """The issue's case: 08:00 and 14:00 in the dossier, a window from 06:00 for 8 hours."""
    dossier = dataclasses.replace(dossier, prescriptions=[
        _rx("paracétamol", "08:00", "14:00"), _rx("héparine", "06:00"),
        _rx("furosémide", "14:01"), _rx("lévothyroxine", "05:59")])
    with language("fr"):
        mar = next(p for p in plan_patient(dossier, load_forms(), MORNING, 8)
                   if p.template_id == MAR)
    planned = [(d.drug, f"{clock.local(d.planned_at):%H:%M}") for d in mar.doses]
    assert planned == [("héparine", "06:00"), ("paracétamol", "08:00"),
                       ("paracétamol", "14:00")]  # both ends in, nothing outside

    printed = print_patient(hospital, dossier, MORNING, 8, tmp_path)
    assert [d for d in printed.doses_of(MAR)[0] if d[0] in ("héparine", "paracétamol")] == [
        ("héparine", "06:00 24/11"), ("paracétamol", "08:00 24/11"),
        ("paracétamol", "14:00 24/11")]
    page = printed.of(MAR)[0]
    assert "furosémide" not in page and "lévothyroxine" not in page


def test_every_page_of_the_record_says_the_window_it_covers(hospital, dossier, tmp_path):
    dossier = dataclasses.replace(dossier, prescriptions=[
        _rx(f"médicament {n}", "00:00", "06:00", "12:00", "18:00") for n in range(5)])
    printed = print_patient(hospital, dossier, MORNING, 24, tmp_path)
    pages = printed.of(MAR)
    assert len(pages) >= 2  # 5 drugs x 4 doses x 24 h (+ the end): a continuation page
    for page in pages:
        assert "Période couverte (début et fin incluses)" in page
        assert "du 24/11/2026 06:00 au 25/11/2026 06:00" in page
    doses = [dose for page in printed.doses_of(MAR) for dose in page]
    ours = [d for d in doses if d[0].startswith("médicament")]
    assert len(ours) == 5 * 5  # 06:00, 12:00, 18:00, 00:00 and, at the very end, 06:00 again
    assert sorted(d for d in ours if d[1] == "06:00 25/11") == [
        (f"médicament {n}", "06:00 25/11") for n in range(5)]


def test_a_window_across_the_clock_change_says_the_offset_of_its_end(hospital, dossier,
                                                                     tmp_path):
    start = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 22:00, the night the clocks go back
    page = print_patient(hospital, dossier, start, 8, tmp_path).of(MAR)[0]
    assert "du 24/10/2026 22:00 au 25/10/2026 05:00 (UTC+01:00)" in page


# -- the allergies ---------------------------------------------------------------------------


def _allergies(dossier: Dossier, *substances: str) -> list[Allergy]:
    return [Allergy(f"a-{s}", dossier.patient.key, s, reaction="urticaire", severity="severe")
            for s in substances]


def test_every_page_of_the_record_repeats_the_allergies(hospital, dossier, tmp_path):
    dossier = dataclasses.replace(
        dossier, allergies=_allergies(dossier, "pénicilline", "iode"),
        prescriptions=[_rx(f"médicament {n}", "00:00", "06:00", "12:00", "18:00")
                       for n in range(5)])
    pages = print_patient(hospital, dossier, MORNING, 24, tmp_path).of(MAR)
    assert len(pages) >= 2
    for page in pages:
        assert "ALLERGIES" in page
        assert "pénicilline : urticaire (sévère) ; iode : urticaire (sévère)" in page
        assert "Aucune allergie" not in page


def test_a_long_allergy_list_is_printed_whole_or_says_where_the_rest_is(hospital, dossier,
                                                                       tmp_path):
    """Smaller type rather than a cut; beyond what a band holds, the rest is counted and sent to
    the dossier, never silently dropped."""
    ten = [f"substance numéro {n}" for n in range(10)]
    page = print_patient(hospital, dataclasses.replace(dossier, allergies=_allergies(
        dossier, *ten)), MORNING, 8, tmp_path).of(MAR)[0]
    for substance in ten:
        assert f"{substance} : urticaire (sévère)" in page

    many = [f"allergène au nom assez long numéro {n}" for n in range(40)]
    page = print_patient(hospital, dataclasses.replace(dossier, allergies=_allergies(
        dossier, *many)), MORNING, 8, tmp_path).of(MAR)[0]
    shown = [s for s in many if f"{s} : urticaire (sévère)" in page]
    assert shown == many[:len(shown)] and len(shown) >= 5
    assert f"et {len(many) - len(shown)} autre(s) : voir le dossier" in page


def test_no_allergy_says_none_is_recorded_in_the_sih_on_the_dossier_and_every_record_page(
        hospital, dossier, tmp_path):
    dossier = dataclasses.replace(dossier, allergies=[], prescriptions=[
        _rx(f"médicament {n}", "00:00", "06:00", "12:00", "18:00") for n in range(5)])
    printed = print_patient(hospital, dossier, MORNING, 24, tmp_path)
    said = "Aucune allergie enregistrée dans le SIH au 23/11/2026 21:00 (UTC+01:00)."
    assert said in printed.of("dossier")[0]
    for page in printed.of(MAR):
        assert said in page
    assert not any("connue" in page for page in printed.pages)

    english = print_patient(hospital, dossier, MORNING, 24, tmp_path, lang="en")
    said = "No allergy recorded in the SIH as of 23/11/2026 21:00 (UTC+01:00)."
    assert said in english.of("dossier")[0]
    for page in english.of(MAR):
        assert said in page
        assert "Period covered (start and end included)" in page
        assert "from 24/11/2026 06:00 to 25/11/2026 06:00" in page
    assert not any("known" in page.lower() for page in english.pages)


def test_a_blank_admission_packet_record_has_the_window_and_room_for_the_allergies(
        hospital, tmp_path):
    ward = hospital.census()[0].ward
    site = next(s for s in hospital.sites() if s.code == ward.site_code)
    ward_print = build_ward_print(hospital, site, ward, load_forms(), SerialCounter(),
                                  start=AS_OF, hours=8, printed_at=AS_OF, packets=1)
    pdf = tmp_path / "ward.pdf"
    render_ward(ward_print, pdf)
    texts = [_flat(t) for t in pdfcheck.page_texts(pdf)]
    packet = ward_print.admission_packets[0]
    first = 1 + sum(s.plan.page_count for p in ward_print.patients for s in p.sheets)
    templates = [s.plan.template_id for s in packet for _ in range(s.plan.page_count)]
    (page,) = [t for t, template in zip(texts[first:], templates, strict=True)
               if template == MAR]
    assert "du 23/11/2026 21:00 au 24/11/2026 05:00" in page
    assert "ALLERGIES Patient admis pendant la panne : demandez-les et notez-les ici." in page


def test_the_record_band_leaves_every_planned_dose_on_its_page(hospital, dossier, tmp_path):
    """The band takes room from the table, not rows: a full page still holds its 14 doses."""
    dossier = dataclasses.replace(dossier, prescriptions=[
        _rx(f"médicament {n}", *(f"{h:02d}:30" for h in range(0, 24, 2))) for n in range(2)])
    printed = print_patient(hospital, dossier, MORNING + timedelta(minutes=1), 24, tmp_path)
    text = " ".join(printed.of(MAR))
    assert text.count("médicament 0") == text.count("médicament 1") == 12
