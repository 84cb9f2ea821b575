"""How a run is written down for the quality review: reasons as message trees rendered when read,
item snapshots written field by field as json.dumps would, a PDF that lists a bounded number of
items per verdict and says where the rest are."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

from reentry.domain.items import PaperItem, SihItem
from reentry.domain.review_reasons import (
    as_on_paper,
    reason_json,
    reason_msg,
    reason_texts,
    render_reason,
)
from reentry.domain.review_run import ItemJson, item_dict
from reentry.i18n import language
from reentry.reconcile.items import reconcile
from reentry.reconcile_report import write_report

AT = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)


def _paper(n: int, value: float, **fields) -> PaperItem:
    return PaperItem(f"p{n}", "100001", "vital_sign", "8867-4", AT + timedelta(hours=n),
                     value, unit="/min", author="AB", **fields)


def _sih(n: int, value: float) -> SihItem:
    return SihItem(f"s{n}", "100001", "vital_sign", "8867-4", AT + timedelta(hours=n), value,
                   unit="/min", author="AB")


def test_an_item_snapshot_is_the_text_json_dumps_writes():
    odd = [
        _paper(1, 72.0),
        PaperItem('q"1', "100002", "nursing_note", "", AT, None,
                  text="Patiente « agitée »\nappel\tmédecin \\ 10 % \u2028", author=None),
        PaperItem("q2", "100003", "medication_administration", "paracétamol", AT, 1e-7,
                  value_text=None, unit="g", route="PO", nda="NDA-1", status="not-done"),
        SihItem("s3", "100004", "vital_sign", "8867-4", AT, float("nan")),
        SihItem("s4", "100004", "vital_sign", "9269-2", AT, 15, value_text="A"),  # an int
    ]
    encode = ItemJson()
    for item in odd:
        assert encode(item) == json.dumps(item_dict(item), ensure_ascii=False)
    extra = ', "entered_by": "mdupont"'
    assert json.loads(encode(odd[0], extra)) == {**item_dict(odd[0]), "entered_by": "mdupont"}


def test_a_stored_reason_reads_as_the_matcher_wrote_it_in_every_language():
    paper = [_paper(1, 72.0), _paper(2, 37.5), _paper(3, 80.0), _paper(4, 90.0)]
    sih = [_sih(1, 72.0), _sih(2, 38.5), _sih(4, 90.0),
           SihItem("s4b", "100001", "vital_sign", "8867-4", AT + timedelta(hours=4), 90.0,
                   unit="/min", author="AB")]
    verdicts = reconcile(paper, sih).verdicts
    assert {v.verdict for v in verdicts} == {"in_sih", "differs", "missing", "duplicate"}
    for v in verdicts:
        stored = reason_json(v.reason)
        assert reason_msg(stored) == v.reason
        person = as_on_paper(v.reason)  # codes and units as on paper, nothing else changed
        assert reason_texts(stored) == {"fr": person.render("fr"), "en": person.render("en")}
        with language("en"):
            assert render_reason(stored) == person.render("en")
    differs = next(v for v in verdicts if v.verdict == "differs")
    assert "38" in render_reason(reason_json(differs.reason), "fr")


def test_a_reason_names_vital_signs_and_units_as_the_paper_does():
    """Issue 13 (8): « Fréquence cardiaque », « mmHg », « °C » — never 8867-4, mm[Hg], Cel."""
    paper = [PaperItem("p1", "100001", "vital_sign", "8480-6", AT, 146.0, unit="mm[Hg]",
                       author="AB"),
             PaperItem("p2", "100001", "vital_sign", "8310-5", AT, 37.5, unit="Cel",
                       author="AB"),
             PaperItem("p3", "100001", "vital_sign", "8867-4", AT, 72.0, unit="/min",
                       author="AB")]
    sih = [SihItem("s1", "100001", "vital_sign", "8480-6", AT, 156.0, unit="mm[Hg]",
                   author="AB"),
           SihItem("s2", "100001", "vital_sign", "8310-5", AT, 38.5, unit="Cel", author="AB")]
    reasons = {v.item_id: reason_texts(reason_json(v.reason))
               for v in reconcile(paper, sih).verdicts}
    assert "mmHg" in reasons["p1"]["fr"] and "°C" in reasons["p2"]["fr"]
    assert "Fréquence cardiaque" in reasons["p3"]["fr"] and "Heart rate" in reasons["p3"]["en"]
    for texts in reasons.values():
        for text in texts.values():
            assert not any(code in text for code in ("8480-6", "8310-5", "8867-4", "mm[Hg]",
                                                     "Cel"))
    assert render_reason(None) == "" and reason_texts("") == {}


def test_the_pdf_lists_the_first_items_of_each_verdict_and_says_how_many_more(tmp_path):
    paper = [_paper(n, 60.0 + n) for n in range(7)]
    sih = [_sih(0, 60.0), _sih(1, 99.0)]  # one in the SIH, one differs, five missing
    result = reconcile(paper, sih)
    out = tmp_path / "rapport.pdf"
    write_report(result.verdict_lines(), {p.id: p.effective_time for p in paper}, 0, out,
                 listed=2)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Éléments à traiter : 6" in text
    assert "absent du SIH : 5" in text and "différent dans le SIH : 1" in text
    assert "… et 3 autres, dans verdicts.csv" in text
    listed = [line.rsplit(" ", 1)[-1] for line in text.splitlines() if "— élément p" in line]
    assert listed == ["p1", "p2", "p3"]  # the one that differs, then the first two missing
