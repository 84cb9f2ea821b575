"""Reading one box of a scanned form: is anything written, is a checkbox ticked, which digit.

The scanned page is a *second reader* of what a nurse typed (issue 14); these readers look at
one printed box at a time and never guess: each answer carries a confidence or an `unsure`.

Input contract (shared by every reader here):

- ``crop``: a 2-D ``uint8`` numpy array, grayscale, white paper ≈ 255, ink dark; the box's
  printed rectangle plus a margin of :data:`MARGIN_MM` (1 mm) on every side, so that the
  printed border stays inside the crop when the registration is off by up to 0.5 mm.
- ``px_per_mm``: the crop's resolution (a 200 dpi page is 200 / 25.4 ≈ 7.87 px/mm). Readers
  resample every crop to :data:`READ_PX_PER_MM` (8 px/mm, 203 dpi) first, so that their
  thresholds, calibrated once, are in millimetres whatever the scan's resolution.
- the box's size in millimetres is the crop's size minus the two margins; the printed border
  is found in the crop (rows and columns of long dark runs near where it should be), never
  assumed to be at an exact pixel.

Only numpy and Pillow are used at run time; no Qt.
"""

from reentry.reading.box import MARGIN_MM, READ_PX_PER_MM, BoxView, view_box, view_boxes
from reentry.reading.checkbox import (
    CheckboxReading,
    CheckboxVerdict,
    read_checkbox,
    read_checkboxes,
)
from reentry.reading.digits import DigitReading, read_digit, read_digits
from reentry.reading.ink import InkReading, InkVerdict, read_ink, read_inks

__all__ = [
    "MARGIN_MM", "READ_PX_PER_MM", "BoxView", "view_box", "view_boxes",
    "CheckboxReading", "CheckboxVerdict", "read_checkbox", "read_checkboxes",
    "DigitReading", "read_digit", "read_digits",
    "InkReading", "InkVerdict", "read_ink", "read_inks",
]
