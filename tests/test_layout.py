"""``reentry layout CODE``: the boxes it gives are the boxes on the paper.

A demo ward is printed by the real print station; for pages of each form, the command's JSON is
checked against the page rasterised at 200 dpi by poppler: every tick and comb box's border is
dark where the layout says and its inside white, and the corner marks are solid squares there.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pdfcheck
import pytest
from click.testing import CliRunner
from printed_ward import print_demo_ward

from reentry.barcodes import group_for_reading
from reentry.cli import cli
from reentry.domain.layout import BoxKind
from reentry.formdefs import load_forms
from reentry.layout.sheet import form_layouts, page_layout
from reentry.model import Allergy
from reentry.printing.form_pages import comb_groups
from reentry.printing.mar import BAND_GAP, BAND_HEIGHTS
from reentry.store import open_store

PX_PER_MM = pdfcheck.DPI / 25.4


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The printed ward: its database, its PDF, its sheets and each page's text."""
    folder = tmp_path_factory.mktemp("layout")
    db = folder / "reentry.sqlite"
    store = open_store(db)
    try:
        outcome = print_demo_ward(store, folder / "pdf", admission_packets=1)
        sheets = store.batch_sheets(outcome.batch_id)
    finally:
        store.close()
    pdf = outcome.wards[0].pdf
    return db, pdf, sheets, pdfcheck.page_texts(pdf), folder


def _layout(db, code, *options, lang=None):
    prefix = ["--db", str(db)] + (["--lang", lang] if lang else [])
    return CliRunner().invoke(cli, [*prefix, "layout", code, *options], catch_exceptions=False)


def _pdf_page(texts, code) -> int:
    (number,) = [n for n, text in enumerate(texts, 1) if group_for_reading(code) in text]
    return number


def _px(value_mm: float) -> int:
    return round(value_mm * PX_PER_MM)


def _darkest(image, x0, y0, x1, y1) -> int:
    return int(np.asarray(image.crop((x0, y0, x1 + 1, y1 + 1))).min())


def _check_box(image, box: dict) -> None:
    """Each of the four sides is dark at its middle (within 2 px of where the layout puts
    it), and the inside, 0.8 mm in from the sides, is white."""
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    middle_x, middle_y = _px(x + w / 2), _px(y + h / 2)
    for side_x, side_y in ((x, None), (x + w, None), (None, y), (None, y + h)):
        if side_x is not None:
            darkest = _darkest(image, _px(side_x) - 2, middle_y, _px(side_x) + 2, middle_y)
        else:
            darkest = _darkest(image, middle_x, _px(side_y) - 2, middle_x, _px(side_y) + 2)
        assert darkest < 128, (box, side_x, side_y, darkest)
    inside = image.crop((_px(x + 0.8), _px(y + 0.8), _px(x + w - 0.8), _px(y + h - 0.8)))
    assert np.asarray(inside).min() > 200, box


def _sheet(sheets, template, page_count=None):
    return next(s for s in sheets if s.template_id == template and s.ipp
                and (page_count is None or s.page_count >= page_count))


@pytest.mark.parametrize("template", ["vital_signs", "medication_administration",
                                      "nursing_notes", "transfer_discharge",
                                      "downtime_admission"])
def test_the_layout_of_a_printed_page_is_what_is_drawn(printed, template):
    db, pdf, sheets, texts, folder = printed
    sheet = next(s for s in sheets if s.template_id == template)
    code = sheet.code(1)
    result = _layout(db, code, "--format", "json")
    assert result.exit_code == 0, result.output
    layout = json.loads(result.output)
    assert (layout["code"], layout["page"], layout["template"]) == (code, 1, template)
    image = pdfcheck.raster(pdf, _pdf_page(texts, code), folder)
    assert abs(image.width / PX_PER_MM - layout["width"]) < 1
    for mark in layout["corner_marks"]:  # solid: dark all over, white around
        inside = image.crop((_px(mark["x"] + 0.5), _px(mark["y"] + 0.5),
                             _px(mark["x"] + mark["width"] - 0.5),
                             _px(mark["y"] + mark["height"] - 0.5)))
        assert np.asarray(inside).max() < 100
        around = image.crop((_px(mark["x"] - 1.5), _px(mark["y"] - 1.5),
                             _px(mark["x"] - 0.5), _px(mark["y"] + mark["height"])))
        assert np.asarray(around).min() > 200
    checked = 0
    for box in layout["boxes"]:
        if box["kind"] == "checkbox":
            _check_box(image, box)
            checked += 1
        for digit in box.get("digits", ()):
            _check_box(image, digit)
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("band", [0.0, max(BAND_HEIGHTS) + BAND_GAP])
def test_every_number_and_time_written_on_a_shipped_form_gets_a_comb_that_fits(band):
    """Each field written digit by digit has its comb on every row, boxes at least 4 × 5 mm,
    as many as its range needs, the separator printed between groups (a date's too, at the
    top of its first page); on the medication record too when a long allergy list takes the
    tallest band."""
    dates = 0
    for form in load_forms().values():
        for number, page in enumerate(form_layouts(form, dose_count=20, reserved=band)):
            combs = {(b.field_id, b.row): b for b in page.boxes if b.kind is BoxKind.COMB_DIGIT}
            dates += sum(len(b.digits) == 8 and [s.text for s in b.separators] == ["/", "/"]
                         for b in combs.values())
            for section in form.sections:
                groups = [(f, comb_groups(f)) for f in section.fields]
                rows: list[int | None] = ([None] if number == 0 else []) if not section.repeated \
                    else sorted({b.row for b in page.boxes if b.row is not None})
                for field_def, comb in groups:
                    if comb is None:
                        continue
                    for row in rows:
                        box = combs[(field_def.id, row)]
                        assert len(box.digits) == sum(comb[0])
                        assert all(d.width >= 4 and d.height >= 5 for d in box.digits)
                        assert [s.text for s in box.separators] == [comb[1]] * (len(comb[0]) - 1)
    assert dates == 4  # the sheets' dates and the admission's birth date


def test_the_medication_record_layout_has_its_answers_and_its_decimal_comma(printed):
    db, pdf, sheets, texts, folder = printed
    sheet = _sheet(sheets, "medication_administration")
    layout = json.loads(_layout(db, sheet.code(1), "--format", "json").output)
    status = [b for b in layout["boxes"] if b["field"] == "status"]
    rows = sorted({b["row"] for b in status})
    assert rows == list(range(len(rows))) and len(rows) >= 2
    assert {b["choice"] for b in status} == {"given", "not_given", "refused"}
    assert len(status) == 3 * len(rows)
    (dose,) = [b for b in layout["boxes"] if b["field"] == "dose_given" and b["row"] == 0]
    assert len(dose["digits"]) == 9 and [s["text"] for s in dose["separators"]] == [","]
    times = [b for b in layout["boxes"] if b["field"] == "actual_time"]
    assert len(times) == len(rows) and all(len(t["digits"]) == 4 for t in times)


def test_the_table_lists_each_box_and_each_digit_in_french_and_english(printed):
    db, pdf, sheets, texts, folder = printed
    code = _sheet(sheets, "vital_signs").code(1)
    french = _layout(db, code)
    assert french.exit_code == 0
    assert "Surveillance des paramètres vitaux, page 1/1" in french.output
    assert "repère d'angle" in french.output and "chiffre 3" in french.output
    assert "séparateur « , »" in french.output and "comb_digit" in french.output
    assert "temperature" in french.output and "consciousness" in french.output
    english = _layout(db, code, lang="en")
    assert "Vital signs chart, page 1/1" in english.output and "digit 3" in english.output


def test_a_code_that_names_no_form_page_is_one_line_and_status_2(printed):
    db, pdf, sheets, texts, folder = printed
    dossier = next(s for s in sheets if s.template_id == "dossier")
    result = CliRunner().invoke(cli, ["--db", str(db), "layout", dossier.code(1)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "pas un formulaire à remplir" in result.output
    assert "Traceback" not in result.output
    unknown = CliRunner().invoke(cli, ["--db", str(db), "layout", "12345"])
    assert unknown.exit_code == 2 and unknown.output.count("\n") == 1
    assert "code refusé" in unknown.output
    english = CliRunner().invoke(cli, ["--db", str(db), "--lang", "en", "layout",
                                       dossier.code(1)])
    assert english.exit_code == 2 and "not a form to fill in" in english.output


class _AllergiesChangedSince:
    """The store after printing, with the patient's allergies since grown long enough to need
    the tallest band: the printed page did not move, nor must its layout."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def dossier(self, patient_id, since=None):
        dossier = self._store.dossier(patient_id, since)
        many = [Allergy(f"a-{n}", dossier.patient.key, f"allergène au nom long numéro {n}",
                        reaction="urticaire", severity="severe") for n in range(40)]
        return dataclasses.replace(dossier, allergies=many)


def test_a_medication_record_keeps_the_band_it_was_printed_with(printed):
    db, pdf, sheets, texts, folder = printed
    store = open_store(db)
    try:
        mar = [s for s in sheets if s.template_id == "medication_administration"]
        assert all(store.sheet_content(s.serial)["reserved_top"] > 0 for s in mar)
        for sheet in mar:
            as_printed = page_layout(store, sheet.code(1))
            assert page_layout(_AllergiesChangedSince(store), sheet.code(1)) == as_printed
    finally:
        store.close()
