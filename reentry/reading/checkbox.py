"""A checkbox (OMR): ticked, empty, filled in (a tick taken back by blacking the box) or unsure.

Read from the share of the box's inside covered by ink once the printed border is gone, and
from how much of that ink is an inked area rather than a pen line. queXF
calls a box ticked when 60–85 % of it stays white; here the bands were calibrated on
generated validation boxes (ticks and crosses of 0.3–0.6 mm pens, dense scribbles and solid
fills, empty boxes with specks, light pencil), each band kept clear of the nearest other class
by a margin, so that a box between bands is `UNSURE`, never a confident wrong reading.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reentry.reading.box import READ_PX_PER_MM, BoxView, solid_mask, view_boxes

# Share of the inside that is ink (calibration: bench/train_digits.py, section "checkbox"; on
# 4 mm validation boxes ticks and crosses covered 0.11–0.55, blacked-out boxes 0.92–1, empty
# boxes with specks 0, light pencil ticks 0–0.45 with their faint marks above 0.07).
EMPTY_MAX = 0.010
TICK_MIN = 0.030
TICK_MAX = 0.65
FILLED_MIN = 0.85
# A box whose faint marks cover this share is not called empty (a light pencil tick); a speck's
# faint halo stayed under 0.04.
FAINT_EMPTY_MAX = 0.06
# Ink that survives an erosion by a SOLID_SIDE_MM square is an inked area, not a pen line: a
# tick has (almost) none of it (validation: ≤ 0.015 of the inside), a box half blacked out has
# plenty; above SOLID_TICK_MAX a mark is not called a tick.
SOLID_SIDE_MM = 0.875
SOLID_TICK_MAX = 0.03


class CheckboxVerdict(enum.StrEnum):
    TICKED = "ticked"
    EMPTY = "empty"
    FILLED = "filled"
    UNSURE = "unsure"


@dataclass(frozen=True)
class CheckboxReading:
    verdict: CheckboxVerdict
    fill: float  # dark ink share of the inside
    faint: float  # faint, not dark, share of the inside
    solid: float  # share of the inside inked as an area rather than as a line


def read_checkbox(crop: np.ndarray, px_per_mm: float) -> CheckboxReading:
    return read_checkboxes([crop], px_per_mm)[0]


def read_checkboxes(crops: Sequence[np.ndarray], px_per_mm: float) -> list[CheckboxReading]:
    """Every checkbox of a page at once (viewed together, each read as ``read_checkbox``)."""
    return [_checkbox_of(view) for view in view_boxes(crops, px_per_mm)]


def _checkbox_of(view: BoxView) -> CheckboxReading:
    area = max(view.interior_mm2, 1e-6)
    fill, faint = view.ink_mm2 / area, view.faint_mm2 / area
    side = round(SOLID_SIDE_MM * READ_PX_PER_MM)
    solid = float(solid_mask(view.ink, side).sum()) / READ_PX_PER_MM**2 / area
    if fill <= EMPTY_MAX and faint <= FAINT_EMPTY_MAX:
        verdict = CheckboxVerdict.EMPTY
    elif TICK_MIN <= fill <= TICK_MAX and solid <= SOLID_TICK_MAX:
        verdict = CheckboxVerdict.TICKED
    elif fill >= FILLED_MIN:
        verdict = CheckboxVerdict.FILLED
    else:
        verdict = CheckboxVerdict.UNSURE
    return CheckboxReading(verdict, fill, faint, solid)
