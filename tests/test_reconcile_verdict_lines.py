"""A run writes each verdict's reason once (``Reconciliation.verdict_lines``): as text for
verdicts.csv and the PDF report, and as the message tree the store keeps. Both must be what the
``Verdict`` objects give: ``reason.render()`` and ``reason_json(reason)``, field for field.

A synthetic outage (``bench/outage_scenario.py``) gives every verdict and reason shape the
matcher makes: drugs by brand and typo, notes, devices, IPPs written otherwise, duplicates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reentry.domain.items import Reconciliation
from reentry.domain.review_reasons import reason_json
from reentry.i18n import language
from reentry.reconcile.items import reconcile
from reentry.reconcile.items_csv import write_verdicts_csv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from outage_scenario import scenario  # noqa: E402


@pytest.fixture(scope="module")
def result() -> Reconciliation:
    found = scenario(3000, 7000, seed=11, per_patient=40, monitored_every=3)
    return reconcile(found.paper, found.sih)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_line_is_what_its_verdict_says(result: Reconciliation, lang: str) -> None:
    lines = result.verdict_lines(lang)
    verdicts = result.verdicts
    assert len(lines) == len(verdicts) == 3000
    assert {v.verdict for v in verdicts} == {"in_sih", "differs", "missing", "duplicate"}
    for line, v in zip(lines, verdicts, strict=True):
        assert (line.item_id, line.verdict, line.ipp, line.kind, line.sih_ids, line.score,
                line.differs_on) == (v.item_id, v.verdict, v.ipp, v.kind, v.sih_ids, v.score,
                                     v.differs_on)
        assert line.text == v.reason.render(lang)
        assert line.tree == reason_json(v.reason)


def test_a_reconciliation_made_of_verdicts_gives_the_same_lines(result: Reconciliation) -> None:
    made = Reconciliation(result.verdicts, counts=result.counts())
    assert made.verdict_lines("fr") == result.verdict_lines("fr")


def test_verdicts_csv_from_the_lines_is_the_same_file(result: Reconciliation,
                                                      tmp_path: Path) -> None:
    with language("fr"):
        write_verdicts_csv(result, tmp_path / "from_rows.csv")
        write_verdicts_csv(result.verdict_lines(), tmp_path / "from_lines.csv")
    assert (tmp_path / "from_lines.csv").read_bytes() == (tmp_path / "from_rows.csv").read_bytes()
