"""Planning and rendering the printed pages, checked on real PDFs with real readers.

A small demo ward is planned, numbered (``SerialCounter``: no registry here) and rendered; its
pages are rasterised at 200 dpi by poppler and decoded by zxing-cpp, as a scanner would, and
their text is read back with pdftotext.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pdfcheck
import pytest

from reentry import clock
from reentry.barcodes import group_for_reading, page_code
from reentry.demo import create_demo
from reentry.domain.sheet_plan import PatientPacket, RegisteredSheet, WardPrint
from reentry.formdefs import load_forms
from reentry.i18n import language
from reentry.model import Allergy, PatientKey, Prescription, Ward
from reentry.printing import fonts, marks
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.planner import plan_admission_packet, plan_cover, plan_patient
from reentry.printing.render import PlanMismatch, render_patient, render_ward
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
HOURS = 24


@pytest.fixture(scope="module")
def hospital(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("print") / "reentry.sqlite")
    create_demo(store, patients=12, seed=5, as_of=AS_OF)
    yield store
    store.close()


def _ward_print(store, ward_code: str, lang: str = "fr", packets: int = 1) -> WardPrint:
    ward = next(w for w in store.wards() if w.code == ward_code)
    site = next(s for s in store.sites() if s.code == ward.site_code)
    return build_ward_print(store, site, ward, load_forms(), SerialCounter(), start=AS_OF,
                            hours=HOURS, printed_at=AS_OF + timedelta(minutes=20),
                            packets=packets, lang=lang)


def _ward_with(store, wanted) -> str:
    """The ward of the first inpatient whose dossier satisfies ``wanted``."""
    for row in store.census():
        if wanted(row.patient, store.dossier(row.patient.id)):
            return row.ward.code
    raise AssertionError("the demo has no such inpatient")


@dataclasses.dataclass
class Rendered:
    ward_print: WardPrint
    pdf: object
    pages: int
    texts: list[str]
    expected: list[tuple[str, str | None, RegisteredSheet, int]]  # (code, owner, sheet, page)


def _expected_pages(ward_print: WardPrint) -> list[tuple[str, str | None, RegisteredSheet, int]]:
    """Every page in print order: its code, whose it is (IPP, temporary id or None: the ward)."""
    pages = [(ward_print.cover, None)]
    pages += [(s, p.dossier.patient.ipp) for p in ward_print.patients for s in p.sheets]
    pages += [(s, s.temporary_id) for packet in ward_print.admission_packets for s in packet]
    return [(page_code(sheet.serial, n), owner, sheet, n)
            for sheet, owner in pages for n in range(1, sheet.plan.page_count + 1)]


@pytest.fixture(scope="module")
def french(hospital, tmp_path_factory) -> Rendered:
    """A ward whose patient has a used name (« née ») and allergies, with an admission packet."""
    code = _ward_with(hospital, lambda p, d: p.used_name and d.allergies)
    ward_print = _ward_print(hospital, code)
    pdf = tmp_path_factory.mktemp("pdf") / "ward.pdf"
    pages = render_ward(ward_print, pdf)
    return Rendered(ward_print, pdf, pages, pdfcheck.page_texts(pdf),
                    _expected_pages(ward_print))


# -- the PDF as a whole ---------------------------------------------------------------------------


def test_page_count_returned_is_the_pdfs_and_the_plans(french):
    planned = len(french.expected)
    assert french.pages == pdfcheck.page_count(french.pdf) == planned
    templates = [s.plan.template_id for s in french.ward_print.patients[0].sheets]
    assert templates == ["dossier", "vital_signs", "medication_administration",
                         "nursing_notes", "transfer_discharge"]


def test_every_page_carries_its_code_in_both_corners_and_in_2d(french, tmp_path):
    seen = set()
    for number, (code, *_rest) in enumerate(french.expected, 1):
        image = pdfcheck.raster(french.pdf, number, tmp_path)
        found = pdfcheck.decode(image)
        linear = [f for f in found if f.format == "Code128"]
        square = [f for f in found if f.format in ("DataMatrix", "QRCode")]
        assert {f.text for f in found} == {code}, (number, found)
        assert len(linear) == 2 and len(square) == 1, (number, found)
        top_right = [f for f in linear if f.left > image.width / 2 and f.bottom < image.height / 4]
        bottom_left = [f for f in linear if f.right < image.width / 2 and f.top > image.height * 3 / 4]
        assert top_right and bottom_left, (number, linear)
        seen.add(code)
    assert len(seen) == len(french.expected)  # unique across the PDF


def test_code128_is_printed_big_enough_to_scan(french, tmp_path):
    image = pdfcheck.raster(french.pdf, 2, tmp_path)
    for found in (f for f in pdfcheck.decode(image) if f.format == "Code128"):
        bars = pdfcheck.measure_code128(image, found)
        assert bars.module_mm >= 0.25
        assert bars.height_mm >= 9.9  # 10 mm drawn, less one pixel of antialiasing
        assert bars.quiet_left_modules >= 10 and bars.quiet_right_modules >= 10
    assert marks.CODE128_QUIET_MODULES >= 10 and marks.CODE128_BAR_HEIGHT >= 10 * 72 / 25.4


# -- what the pages say ---------------------------------------------------------------------------


def test_every_page_names_its_patient_and_its_place_in_the_patients_pages(french):
    packets = {p.dossier.patient.ipp: p for p in french.ward_print.patients}
    counters: dict[str | None, int] = {}
    for text, (code, owner, _sheet, _page) in zip(french.texts, french.expected, strict=True):
        assert "Données du 23/11/2026 15:00" in text
        assert "Imprimé le 23/11/2026 15:20" in text
        assert group_for_reading(code) in text
        counters[owner] = counters.get(owner, 0) + 1
        if owner in packets:
            patient = packets[owner].dossier.patient
            total = sum(s.plan.page_count for s in packets[owner].sheets)
            assert owner in text and patient.birth_name in text
            assert f"Page {counters[owner]} / {total}" in text
        elif owner is not None:  # an admission packet: the temporary identifier, large
            assert " ".join(owner[i:i + 3] for i in range(0, 9, 3)) in text
            assert "Identifiant provisoire" in text


def test_cover_lists_the_census_and_the_hand_over(french):
    cover = french.texts[0]
    patient = french.ward_print.patients[0].dossier.patient
    for expected in (patient.ipp, patient.birth_name, patient.used_name,
                     french.ward_print.patients[0].dossier.stay.nda, "Remis par", "Reçu par",
                     "Date et heure", f"Patients : {len(french.ward_print.patients)}"):
        assert expected in cover


def test_dossier_shows_identity_and_allergies(french):
    dossier = french.ward_print.patients[0].dossier
    first_page = french.texts[1]
    assert f"{dossier.patient.used_name} née {dossier.patient.birth_name}" in first_page
    assert dossier.patient.ipp in first_page and dossier.stay.nda in first_page
    assert (dossier.patient.ins_nir or "—") in first_page
    assert "ALLERGIES" in first_page
    for allergy in dossier.allergies:
        assert allergy.substance in first_page
    assert "Aucune allergie" not in first_page


def test_medication_record_lists_every_planned_dose(french):
    packet = french.ward_print.patients[0]
    mar = next(s for s in packet.sheets if s.plan.template_id == "medication_administration")
    assert mar.plan.doses
    pages = [t for t, (_c, _o, sheet, _p) in zip(french.texts, french.expected, strict=True)
             if sheet is mar]
    text = "\n".join(pages)
    for dose in mar.plan.doses:
        assert dose.drug in text
        assert f"{clock.local(dose.planned_at):%H:%M}" in text
    assert "administré" in text and "refusé" in text


def test_french_accents_survive(french):
    text = "\n".join(french.texts)
    for word in ("née", "Données du", "Médicament", "paramètres", "Reçu par", "réagit à la voix"):
        assert word in text, word


def test_no_allergy_is_said_explicitly_and_oe_survives(french, tmp_path):
    packet = french.ward_print.patients[0]
    without = dataclasses.replace(packet.dossier, allergies=[])
    pdf = tmp_path / "patient.pdf"
    pages = render_patient(french.ward_print, PatientPacket(without, packet.sheets), pdf)
    assert pages == sum(s.plan.page_count for s in packet.sheets) == pdfcheck.page_count(pdf)
    assert "Aucune allergie enregistrée dans le SIH au 23/11/2026 15:00" in (
        pdfcheck.page_texts(pdf)[0])

    egg = Allergy("test-œuf", packet.dossier.patient.key, "œuf", "œdème de Quincke", "severe")
    with_egg = dataclasses.replace(packet.dossier, allergies=[egg])
    render_patient(french.ward_print, PatientPacket(with_egg, packet.sheets), pdf)
    assert "œuf : œdème de Quincke (sévère)" in pdfcheck.page_texts(pdf)[0]


def test_english_rendering(hospital, tmp_path):
    code = _ward_with(hospital, lambda p, d: d.allergies)
    ward_print = _ward_print(hospital, code, lang="en")
    pdf = tmp_path / "ward-en.pdf"
    assert render_ward(ward_print, pdf) == pdfcheck.page_count(pdf)
    text = "\n".join(pdfcheck.page_texts(pdf))
    for phrase in ("Data as of", "Printed 23/11/2026", "Patients by room and bed", "Received by",
                   "Medication administration record", "Vital signs chart", "Temporary identifier",
                   "Current treatments", "given", "refused"):
        assert phrase in text, phrase
    assert "Données du" not in text and "Médicament" not in text


# -- planning (pure) ------------------------------------------------------------------------------


def _prescription(drug: str, schedule: tuple[str, ...], **fields) -> Prescription:
    return Prescription(f"rx-{drug}", PatientKey("1"), drug, dose=1, unit="g", route="PO",
                        schedule=schedule, id=hash(drug) % 1000, **fields)


def test_medication_record_holds_the_doses_of_the_window_only(french):
    dossier = french.ward_print.patients[0].dossier
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    dossier = dataclasses.replace(dossier, prescriptions=[
        _prescription("paracétamol", ("08:00", "20:00")),
        _prescription("amoxicilline", ("08:00", "20:00"), end=datetime(2026, 11, 24, 6, 0, tzinfo=UTC)),
        _prescription("héparine", ("22:00",), start=datetime(2026, 11, 23, 22, 0, tzinfo=UTC)),
        _prescription("morphine", ()),  # if needed: no planned time
        _prescription("ancien", ("12:00",), status="stopped"),
    ])
    plans = plan_patient(dossier, load_forms(), start, 24)
    mar = next(p for p in plans if p.template_id == "medication_administration")
    planned = [(d.drug, f"{clock.local(d.planned_at):%d %H:%M}" if d.planned_at else "si besoin",
                d.dose) for d in mar.doses]
    assert planned == [("amoxicilline", "23 20:00", "1 g"), ("paracétamol", "23 20:00", "1 g"),
                       ("paracétamol", "24 08:00", "1 g"),
                       # an "as needed" drug gets blank lines to record the doses given
                       ("morphine", "si besoin", "1 g"), ("morphine", "si besoin", "1 g")]


def test_a_long_medication_record_continues_on_a_second_page(french):
    dossier = dataclasses.replace(french.ward_print.patients[0].dossier, prescriptions=[
        _prescription(f"médicament {n}", ("06:00", "12:00", "18:00", "00:00")) for n in range(4)])
    plans = plan_patient(dossier, load_forms(), AS_OF, 24)
    mar = next(p for p in plans if p.template_id == "medication_administration")
    assert len(mar.doses) == 16 and mar.page_count == 2  # 14 rows per page


def test_admission_packet_is_the_admission_form_then_blank_charts():
    plans = plan_admission_packet(Ward("1110", "Cardiologie", "NORD"), load_forms(), 3)
    assert [p.template_id for p in plans] == ["downtime_admission", "vital_signs",
                                              "medication_administration", "nursing_notes"]
    assert all(p.admission_packet == 3 and p.patient_id is None and p.page_count == 1
               for p in plans)


def test_large_ward_cover_and_page_counts_stay_consistent(french, tmp_path):
    """A 45-patient ward: the cover runs over two pages, and every sheet's registered page
    count is the number of pages drawn (rendering refuses to draw anything else)."""
    base = french.ward_print
    packet = base.patients[0]
    ward = base.ward
    cover = plan_cover(ward, 45)
    assert cover.page_count == 2 and plan_cover(ward, 0).page_count == 1
    counter = SerialCounter()
    patients = [PatientPacket(packet.dossier, counter([s.plan for s in packet.sheets]))
                for _ in range(45)]
    big = dataclasses.replace(base, cover=counter([cover])[0], patients=patients,
                              admission_packets=[])
    pdf = tmp_path / "big.pdf"
    assert render_ward(big, pdf) == pdfcheck.page_count(pdf) == 2 + 45 * sum(
        s.plan.page_count for s in packet.sheets)


def test_fonts_fall_back_to_the_bundled_vera_when_dejavu_is_absent(tmp_path):
    regular, bold = fonts.find_font_files([tmp_path])
    assert regular.name == "Vera.ttf" and regular.is_file() and bold.is_file()


def test_doses_keep_their_local_time_across_the_autumn_clock_change(french):
    dossier = dataclasses.replace(french.ward_print.patients[0].dossier, prescriptions=[
        _prescription("paracétamol", ("08:00", "02:30"))])
    start = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # 10:00 in Paris; clocks go back at 03:00
    plans = plan_patient(dossier, load_forms(), start, 25)
    mar = next(p for p in plans if p.template_id == "medication_administration")
    assert [clock.format_local(d.planned_at) for d in mar.doses] == [
        "25/10/2026 02:30 (UTC+02:00)", "25/10/2026 08:00 (UTC+01:00)"]


def test_page_counts_do_not_depend_on_the_language_planned_in(hospital):
    for row in hospital.census():
        dossier = hospital.dossier(row.patient.id)
        counts = {}
        for lang in ("fr", "en"):
            with language(lang):
                counts[lang] = [p.page_count for p in plan_patient(dossier, load_forms(), AS_OF, 24)]
        assert counts["fr"] == counts["en"]


def test_a_sheet_is_never_drawn_with_other_pages_than_registered(french, tmp_path):
    packet = french.ward_print.patients[0]
    dossier_sheet = packet.sheets[0]
    wrong = dataclasses.replace(dossier_sheet, plan=dataclasses.replace(
        dossier_sheet.plan, page_count=dossier_sheet.plan.page_count + 1))
    with pytest.raises(PlanMismatch):
        render_patient(french.ward_print, PatientPacket(packet.dossier, [wrong]),
                       tmp_path / "wrong.pdf")
