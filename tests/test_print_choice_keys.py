"""The key that types an answer on screen is printed beside its tick box (read back with pdftotext).

The MAR's « A = administré, N = non administré, R = refusé » and the AVPU letters come from the
form definition, the same one the entry screen reads, so paper and screen cannot disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pdfcheck
import pytest

from reentry.demo import create_demo
from reentry.formdefs import load_forms
from reentry.printing.assemble import SerialCounter, build_ward_print
from reentry.printing.render import render_patient
from reentry.store import open_store

AS_OF = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def _patient_pages(tmp_path, lang: str) -> tuple[dict[str, str], int]:
    """One patient's printed sheets in ``lang``: the text of each template's pages, and the
    number of doses planned on the MAR."""
    store = open_store(tmp_path / f"reentry-{lang}.sqlite")
    try:
        create_demo(store, patients=4, seed=5, as_of=AS_OF)
        ward = store.census()[0].ward
        site = next(s for s in store.sites() if s.code == ward.site_code)
        ward_print = build_ward_print(store, site, ward, load_forms(), SerialCounter(),
                                      start=AS_OF, hours=24,
                                      printed_at=AS_OF + timedelta(minutes=20), packets=0,
                                      lang=lang)
    finally:
        store.close()
    packet, mar = next((p, s) for p in ward_print.patients for s in p.sheets
                       if s.plan.template_id == "medication_administration" and s.plan.doses)
    pdf = tmp_path / f"patient-{lang}.pdf"
    render_patient(ward_print, packet, pdf)
    texts = iter(pdfcheck.page_texts(pdf))
    pages: dict[str, str] = {}
    for sheet in packet.sheets:
        for _ in range(sheet.plan.page_count):
            pages[sheet.plan.template_id] = pages.get(sheet.plan.template_id, "") + next(texts)
    return pages, len(mar.plan.doses)


def rows_showing_keys(text: str, answers: list[tuple[str, str]]) -> int:
    """How many rows print each answer's key by its tick box: « A administré » when the cell has
    room for the words, else « A N R » with the legend « A = administré, … » under the table."""
    with_words = min(text.count(f"{key} {label}") for key, label in answers)
    if with_words:
        return with_words
    legend = ", ".join(f"{key} = {label}" for key, label in answers)
    return text.count(" ".join(key for key, _label in answers)) if legend in text else 0


@pytest.mark.parametrize(("lang", "answers", "avpu"), [
    ("fr", [("A", "administré"), ("N", "non administré"), ("R", "refusé")], "A = alerte"),
    ("en", [("A", "given"), ("N", "not given"), ("R", "refused")], "A = alert"),
])
def test_the_printed_mar_shows_the_key_of_each_answer(tmp_path, lang, answers, avpu):
    pages, doses = _patient_pages(tmp_path, lang)
    mar = " ".join(pages["medication_administration"].split())
    assert rows_showing_keys(mar, answers) >= doses  # every row, blank rows included
    assert "not_given" not in mar  # the stored code never reaches the paper
    vitals = " ".join(pages["vital_signs"].split())
    assert avpu in vitals  # AVPU's letters are its keys: the legend under the chart
