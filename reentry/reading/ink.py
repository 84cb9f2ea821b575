"""Is anything written in a box: the ink left once the printed border and the specks are gone.

The decision is made on the area of ink in square millimetres, not on a share of the box, so
one threshold serves comb boxes, checkboxes and wider fields alike. A box with marks too
small or too faint to be sure of is `UNSURE`: the cross-check then asks the person instead of
calling the box blank or written. Thresholds are calibrated on generated validation boxes
(bench/train_digits.py prints the distributions they come from), never on the bench's set.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reentry.reading.box import BoxView, view_boxes

# Calibrated on the validation split (bench/train_digits.py, section "ink"): a written digit
# in ballpoint covers over 0.7 mm² there, an empty box with a speck or noise reads 0 (specks
# under SPECK_AREA_MM2 are dropped before counting); in between is unsure.
WRITTEN_MM2 = 0.60
BLANK_MM2 = 0.30
# Faint marks (a light pencil, a pen running dry) above this keep a box from being blank; a
# speck's faint halo stays under 0.4 mm².
FAINT_BLANK_MM2 = 0.60


class InkVerdict(enum.StrEnum):
    WRITTEN = "written"
    BLANK = "blank"
    UNSURE = "unsure"


@dataclass(frozen=True)
class InkReading:
    verdict: InkVerdict
    ink_mm2: float  # dark ink inside the box, specks excluded
    faint_mm2: float  # faint marks that are not dark ink (0 when the box is plainly written)
    fill: float  # ink_mm2 as a share of the box's inside (0…1)


def read_ink(crop: np.ndarray, px_per_mm: float) -> InkReading:
    return read_inks([crop], px_per_mm)[0]


def read_inks(crops: Sequence[np.ndarray], px_per_mm: float) -> list[InkReading]:
    """The ink of several boxes at once (viewed together, each read as ``read_ink``)."""
    return [ink_of(view) for view in view_boxes(crops, px_per_mm)]


def ink_of(view: BoxView) -> InkReading:
    """The ink verdict of a box already viewed (the digit reader views each box once)."""
    ink = view.ink_mm2
    faint = 0.0 if ink >= WRITTEN_MM2 else view.faint_mm2  # faint marks only matter below
    if ink >= WRITTEN_MM2:
        verdict = InkVerdict.WRITTEN
    elif ink < BLANK_MM2 and faint < FAINT_BLANK_MM2:
        verdict = InkVerdict.BLANK
    else:
        verdict = InkVerdict.UNSURE
    return InkReading(verdict, ink, faint, ink / max(view.interior_mm2, 1e-6))
