"""Find the printed box in a crop and keep what is written inside it.

A crop (see the package docstring) holds the box's printed border somewhere near 1 mm from
each edge; registration may have moved it by half a millimetre and left a small tilt. Each
side's line is looked for in a band around where it should be, separately in the two halves
of the side, so that a slightly tilted line is followed; everything on or outside the lines is
dropped. What remains is the *darkness* of the paper inside (0 = paper, 1 = black, relative
to the paper's own level, so grey recycled paper reads like white) and the ink mask: dark
pixels grouped into connected marks, marks smaller than a speck dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

MARGIN_MM = 1.0
READ_PX_PER_MM = 8.0

# How far from its expected place a border line is looked for: registration is within 0.5 mm,
# plus the line's own width and a little tilt.
_BAND_MM = 0.8
# The smallest box read (a comb box is at least 4 × 5 mm, a checkbox 4 mm): below, no border
# search makes sense.
_SMALLEST_BOX_MM = 2.0
# A pixel this much darker than the paper is ink (a ballpoint reads 0.5–0.9, scanner noise and
# JPEG ringing stay under 0.1); between FAINT and DARK it is a faint mark worth a second look.
DARK_LEVEL = 0.30
FAINT_LEVEL = 0.15
# A border line: this share of a row (or column) of the band is dark.
_LINE_SHARE = 0.45
# Marks smaller than this are specks (dust, toner, a pen resting): a 0.4 mm dot, blurred and
# JPEG-compressed, reads up to 0.23 mm² on validation boxes; a written stroke is far larger.
SPECK_AREA_MM2 = 0.3
# Pixels kept clear of the found line on the inside (anti-aliasing of the printed line).
_LINE_PAD_PX = 1
# A printed line is 0.25 mm; blurred and tilted it spans at most this many pixels either side.
_LINE_MAX_PX = 2


@dataclass(frozen=True)
class BoxView:
    """The inside of one box at READ_PX_PER_MM: darkness, ink mask and the interior's area."""

    darkness: np.ndarray  # float32, 0 paper … 1 black, zero outside the interior
    ink: np.ndarray  # bool, dark marks larger than a speck
    interior: np.ndarray  # bool, the pixels inside the found border
    border_found: int  # how many of the four sides were found printed (0–4)
    marks: int  # connected ink marks larger than a speck

    @property
    def interior_mm2(self) -> float:
        return float(self.interior.sum()) / READ_PX_PER_MM**2

    @property
    def ink_mm2(self) -> float:
        return float(self.ink.sum()) / READ_PX_PER_MM**2

    @property
    def faint_mm2(self) -> float:
        """Area of faint-or-darker pixels that are not already ink (a light pencil tick)."""
        faint = (self.darkness > FAINT_LEVEL) & ~self.ink
        return float(_drop_specks(faint)[0].sum()) / READ_PX_PER_MM**2


def at_read_resolution(crop: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The crop as float32 at READ_PX_PER_MM (untouched when already within 2 %)."""
    if crop.ndim != 2:
        raise ValueError("a box crop is a 2-D grayscale array")
    if abs(px_per_mm - READ_PX_PER_MM) / READ_PX_PER_MM <= 0.02:
        return crop.astype(np.float32)
    scale = READ_PX_PER_MM / px_per_mm
    height, width = crop.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(np.ascontiguousarray(crop, dtype=np.uint8)).resize(
        size, Image.Resampling.BILINEAR if scale > 1 else Image.Resampling.BOX
    )
    return np.asarray(resized, dtype=np.float32)


def view_box(crop: np.ndarray, px_per_mm: float) -> BoxView:
    image = at_read_resolution(crop, px_per_mm)
    if min(image.shape) < (2 * MARGIN_MM + _SMALLEST_BOX_MM) * READ_PX_PER_MM:
        raise ValueError(f"a box crop holds the box and a {MARGIN_MM:g} mm margin on each "
                         f"side: {crop.shape[1]} × {crop.shape[0]} px at {px_per_mm:.2f} px/mm "
                         "is too small")
    paper = max(float(np.percentile(image, 95)), 64.0)
    darkness = np.clip((paper - image) / paper, 0.0, 1.0)
    inside, found = _interior(darkness)
    darkness = np.where(inside, darkness, np.float32(0.0)).astype(np.float32)
    ink, marks = _drop_specks(darkness > DARK_LEVEL)
    return BoxView(darkness, ink, inside, found, marks)


def _interior(darkness: np.ndarray) -> tuple[np.ndarray, int]:
    """Pixels strictly inside the printed border, following each side's line in two halves."""
    height, width = darkness.shape
    margin = round(MARGIN_MM * READ_PX_PER_MM)
    band = round(_BAND_MM * READ_PX_PER_MM)
    dark = darkness > 0.35
    found = 0
    ys = np.arange(height, dtype=np.float32)[:, None]
    xs = np.arange(width, dtype=np.float32)[None, :]
    inside = np.ones((height, width), dtype=bool)
    # (axis, expected index, sign towards the inside)
    sides = ((0, margin, 1), (0, height - 1 - margin, -1),
             (1, margin, 1), (1, width - 1 - margin, -1))
    for axis, expected, inward in sides:
        lines = dark if axis == 0 else dark.T
        length = lines.shape[1]
        across = margin + 2, length - margin - 2
        mid = (across[0] + across[1]) // 2
        lo, hi = max(0, expected - band), min(lines.shape[0], expected + band + 1)
        edges = []
        for start, stop in ((across[0], mid), (mid, across[1])):
            share = lines[lo:hi, start:stop].mean(axis=1) if stop > start else np.zeros(hi - lo)
            edge = float(expected)
            if share.size and share.max() >= _LINE_SHARE:
                found_rows = set((np.flatnonzero(share >= _LINE_SHARE * 0.6) + lo).tolist())
                best = int(np.argmax(share)) + lo
                # the run of line rows around the strongest one, no wider than a printed line
                # (a pen stroke along the border must not drag the limit inwards)
                run = [best]
                for step in (-1, 1):
                    row = best + step
                    while row in found_rows and abs(row - best) <= _LINE_MAX_PX:
                        run.append(row)
                        row += step
                edge = float(max(run) if inward > 0 else min(run))
                edges.append(((start + stop - 1) / 2.0, edge, True))
            else:
                edges.append(((start + stop - 1) / 2.0, edge, False))
        if all(ok for _, _, ok in edges):
            found += 1
        (c0, e0, ok0), (c1, e1, ok1) = edges
        if ok0 != ok1:  # one half seen: trust it for the whole side
            e0 = e1 = e0 if ok0 else e1
        slope = (e1 - e0) / (c1 - c0) if c1 != c0 else 0.0
        along = xs if axis == 0 else ys
        position = ys if axis == 0 else xs
        limit = e0 + slope * (along - c0) + inward * _LINE_PAD_PX
        inside &= (position > limit) if inward > 0 else (position < limit)
    return inside, found


def _drop_specks(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """The mask less its 8-connected marks smaller than SPECK_AREA_MM2, and how many remain."""
    if not mask.any():
        return mask, 0
    min_px = SPECK_AREA_MM2 * READ_PX_PER_MM**2
    labels, areas = label_marks(mask)
    big = areas >= min_px
    keep = np.concatenate(([False], big))
    return keep[labels], int(big.sum())


def label_marks(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """8-connected labelling by runs (a box holds a few hundred runs at most).

    Returns the label image (0 = background, 1… = marks) and the area of each mark.
    """
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    change = np.diff(padded, axis=1)
    start_rows, starts = np.nonzero(change == 1)
    _, stops = np.nonzero(change == -1)  # same row order: every run that starts also stops
    count = len(starts)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    row_first = np.searchsorted(start_rows, np.arange(height + 1))
    for row in range(1, height):
        above = range(row_first[row - 1], row_first[row])
        for i in range(row_first[row], row_first[row + 1]):
            for j in above:
                # runs [start, stop) touch (8-connected) when they overlap once widened by one
                if starts[j] <= stops[i] and starts[i] <= stops[j]:
                    ri, rj = root(i), root(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([root(i) for i in range(count)])
    _, run_label = np.unique(roots, return_inverse=True)
    run_label = run_label + 1
    lengths = stops - starts
    areas = np.bincount(run_label, weights=lengths)[1:]
    labels = np.zeros((height, width), dtype=np.int32)
    for i in range(count):
        labels[start_rows[i], starts[i]:stops[i]] = run_label[i]
    return labels, areas


def solid_mask(mask: np.ndarray, side_px: int) -> np.ndarray:
    """Pixels of the mask whose whole side × side square (centred) is in the mask: an erosion.

    A pen stroke is thinner than a millimetre, so what survives a square wider than the pen is
    a filled-in area, not a line.
    """
    height, width = mask.shape
    if height < side_px or width < side_px:
        return np.zeros_like(mask)
    integral = np.zeros((height + 1, width + 1), dtype=np.int32)
    integral[1:, 1:] = mask.cumsum(axis=0).cumsum(axis=1)
    k = side_px
    sums = integral[k:, k:] - integral[:-k, k:] - integral[k:, :-k] + integral[:-k, :-k]
    out = np.zeros_like(mask)
    half = k // 2
    out[half:half + sums.shape[0], half:half + sums.shape[1]] = sums == k * k
    return out
