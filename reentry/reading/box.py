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

from collections.abc import Sequence
from dataclasses import dataclass, field

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
    # faint_mm2 when already counted (view_boxes counts every box's faint marks at once)
    faint_counted: float | None = field(default=None, repr=False, compare=False)

    @property
    def interior_mm2(self) -> float:
        return float(self.interior.sum()) / READ_PX_PER_MM**2

    @property
    def ink_mm2(self) -> float:
        return float(self.ink.sum()) / READ_PX_PER_MM**2

    @property
    def faint_mm2(self) -> float:
        """Area of faint-or-darker pixels that are not already ink (a light pencil tick)."""
        if self.faint_counted is not None:
            return self.faint_counted
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
    return view_boxes([crop], px_per_mm)[0]


def view_boxes(crops: Sequence[np.ndarray], px_per_mm: float) -> list[BoxView]:
    """Every crop viewed as ``view_box`` would, boxes of one size together: a page's comb boxes
    share their size, and one numpy operation over all of them costs far less than one per
    box (the per-box arithmetic is the same, so each view is the same to the last bit)."""
    images = [at_read_resolution(crop, px_per_mm) for crop in crops]
    for crop, image in zip(crops, images, strict=True):
        if min(image.shape) < (2 * MARGIN_MM + _SMALLEST_BOX_MM) * READ_PX_PER_MM:
            raise ValueError(f"a box crop holds the box and a {MARGIN_MM:g} mm margin on each "
                             f"side: {crop.shape[1]} × {crop.shape[0]} px at {px_per_mm:.2f} "
                             "px/mm is too small")
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for index, image in enumerate(images):
        by_shape.setdefault(image.shape, []).append(index)
    views: list[BoxView | None] = [None] * len(images)
    for indices in by_shape.values():
        for index, view in zip(indices, _view_stack(np.stack([images[i] for i in indices])),
                               strict=True):
            views[index] = view
    return [view for view in views if view is not None]


def _view_stack(images: np.ndarray) -> list[BoxView]:
    """The views of a stack of same-sized images at READ_PX_PER_MM (float32, count × h × w)."""
    paper = np.maximum(np.percentile(images, 95, axis=(1, 2)), np.float32(64.0))
    paper = paper.astype(np.float32)[:, None, None]
    darkness = np.clip((paper - images) / paper, 0.0, 1.0)
    inside, found = _interiors(darkness)
    darkness = np.where(inside, darkness, np.float32(0.0)).astype(np.float32)
    ink, marks = _drop_specks_stacked(darkness > DARK_LEVEL)
    count = len(images)
    if count == 1:  # a box read alone counts its faint marks only if asked (a written box not)
        return [BoxView(darkness[0], ink[0], inside[0], found[0], marks[0])]
    faint, _ = _drop_specks_stacked((darkness > FAINT_LEVEL) & ~ink)
    faint_px = np.count_nonzero(faint, axis=(1, 2)).tolist()
    return [BoxView(darkness[i], ink[i], inside[i], found[i], marks[i],
                    float(faint_px[i]) / READ_PX_PER_MM**2) for i in range(count)]


def _interiors(darkness: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Pixels strictly inside the printed border, following each side's line in two halves,
    for each image of a stack (count × h × w)."""
    count, height, width = darkness.shape
    margin = round(MARGIN_MM * READ_PX_PER_MM)
    band = round(_BAND_MM * READ_PX_PER_MM)
    dark = darkness > 0.35
    ys = np.arange(height, dtype=np.float32)[:, None]
    xs = np.arange(width, dtype=np.float32)[None, :]
    # (axis, expected index, sign towards the inside)
    sides = ((0, margin, 1), (0, height - 1 - margin, -1),
             (1, margin, 1), (1, width - 1 - margin, -1))
    # each side's band, in two halves along the side: dark pixels per row of the band
    bands, lengths, firsts, inwards, centres = [], [], [], [], []
    for axis, expected, inward in sides:
        lines = dark if axis == 0 else dark.transpose(0, 2, 1)
        length = lines.shape[2]
        across = margin + 2, length - margin - 2
        mid = (across[0] + across[1]) // 2
        lo, hi = max(0, expected - band), min(lines.shape[1], expected + band + 1)
        for start, stop in ((across[0], mid), (mid, across[1])):
            bands.append(np.count_nonzero(lines[:, lo:hi, start:stop], axis=2))
            lengths.append(max(stop - start, 1))  # an empty half counts no dark pixel
            firsts.append(lo)
            inwards.append(inward)
            centres.append((start + stop - 1) / 2.0)
    seen, edges = _line_edges(bands, lengths, firsts, inwards)
    seen0, seen1, edge0, edge1 = seen[:, 0::2], seen[:, 1::2], edges[:, 0::2], edges[:, 1::2]
    found = np.count_nonzero(seen0 & seen1, axis=1)
    expected_edge = np.array([expected for _, expected, _ in sides], dtype=np.float64)
    # one half seen: trust it for the whole side; none seen: where the line should be
    e0 = np.where(seen0, edge0, np.where(seen1, edge1, expected_edge))
    e1 = np.where(seen1, edge1, np.where(seen0, edge0, expected_edge))
    c0, c1 = np.array(centres[0::2]), np.array(centres[1::2])
    slope = np.divide(e1 - e0, c1 - c0, out=np.zeros_like(e0), where=c1 != c0)
    # each side's limit along it, in float32 (as a Python float meeting a float32 array is
    # computed): rows for the top and bottom sides, columns for the left and right ones
    pad = np.array([inward * _LINE_PAD_PX for _, _, inward in sides], dtype=np.float32)
    e0, slope, c0 = e0.astype(np.float32), slope.astype(np.float32), c0.astype(np.float32)
    across_x, across_y = np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    rows = e0[:, :2, None] + slope[:, :2, None] * (across_x - c0[:2, None]) + pad[:2, None]
    cols = e0[:, 2:, None] + slope[:, 2:, None] * (across_y - c0[2:, None]) + pad[2:, None]
    inside = ((ys > rows[:, 0, None, :]) & (ys < rows[:, 1, None, :])
              & (xs > cols[:, 0, :, None]) & (xs < cols[:, 1, :, None]))
    return inside, found.tolist()


def _line_edges(bands: list[np.ndarray], lengths: list[int], firsts: list[int],
                inwards: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Where a border line ends towards the inside in each half side's band, for each box of
    a stack, all at once (``bands``: per half side, count × rows of dark pixels, over
    ``lengths`` pixels, the first row being ``firsts``): whether a row is a line (count ×
    half sides) and the last line row towards the inside (``inwards``: the sign of that way)."""
    count = bands[0].shape[0]
    rows = max(b.shape[1] for b in bands)
    counted = np.zeros((count, len(bands), rows), dtype=np.int64)
    for half, dark_pixels in enumerate(bands):
        counted[:, half, :dark_pixels.shape[1]] = dark_pixels  # rows past a band count none
    # a row's share of dark pixels: count / length, the same float as a mean of the row
    share = counted / np.array(lengths, dtype=np.int64)[None, :, None]
    seen = share.max(axis=2) >= _LINE_SHARE
    best = share.argmax(axis=2)  # the strongest row, the first of equals
    # the run of line rows from the strongest one, no wider than a printed line (a pen stroke
    # along the border must not drag the limit inwards): up to _LINE_MAX_PX more rows
    line = np.zeros((count, len(bands), rows + 2 * _LINE_MAX_PX), dtype=bool)
    line[:, :, _LINE_MAX_PX:_LINE_MAX_PX + rows] = share >= _LINE_SHARE * 0.6
    inward = np.array(inwards, dtype=np.int64)
    steps = np.zeros((count, len(bands)), dtype=np.int64)
    going = np.ones((count, len(bands)), dtype=bool)
    for step in range(1, _LINE_MAX_PX + 1):
        going &= np.take_along_axis(line, (best + _LINE_MAX_PX + inward * step)[:, :, None],
                                    axis=2)[:, :, 0]
        steps += going
    first = np.array(firsts, dtype=np.int64)
    return seen, (best + first + inward * steps).astype(np.float64)


def _drop_specks_stacked(masks: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """``_drop_specks`` of each mask of a stack (count × h × w), labelled at once: the masks
    holding anything one above the other with an empty row between them, so that no mark
    joins two boxes."""
    count, height, width = masks.shape
    marked = np.flatnonzero(masks.any(axis=(1, 2)))
    if not len(marked):
        return masks, [0] * count
    tall = np.zeros((len(marked), height + 1, width), dtype=bool)
    tall[:, :height] = masks[marked]
    labels, areas = label_marks(tall.reshape(len(marked) * (height + 1), width))
    big = areas >= SPECK_AREA_MM2 * READ_PX_PER_MM**2
    keep = np.zeros_like(masks)
    keep[marked] = np.concatenate(([False], big))[labels].reshape(
        len(marked), height + 1, width)[:, :height]
    box_of = np.zeros(len(areas) + 1, dtype=np.int64)
    pixels = np.flatnonzero(labels)
    box_of[labels.ravel()[pixels]] = marked[pixels // ((height + 1) * width)]
    marks = np.bincount(box_of[1:][big], minlength=count).tolist()
    return keep, marks


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

    Returns the label image (0 = background, 1… = marks) and the area of each mark. Marks are
    numbered in the order of their first run, top to bottom and left to right.
    """
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    change = np.diff(padded, axis=1)
    start_rows, starts = np.divmod(np.flatnonzero(change == 1), width + 1)
    # same row order: every run that starts also stops
    stops = np.flatnonzero(change == -1) % (width + 1)
    count = len(starts)
    # Runs i and j touch (8-connected) when j is in the row above i and [start, stop) overlap
    # once widened by one. Within a row runs are sorted, so the runs of the row above touching
    # run i are one slice, found by searching the runs' ends and starts as page positions.
    line = width + 2
    above = (start_rows - 1) * line
    first = np.searchsorted(start_rows * line + stops, above + starts, side="left")
    last = np.searchsorted(start_rows * line + starts, above + stops, side="right")
    touching = np.maximum(last - first, 0)
    lower = np.repeat(np.arange(count), touching)
    upper = (np.repeat(first - np.cumsum(touching) + touching, touching)
             + np.arange(int(touching.sum())))
    # Each run takes the first run of its mark as its root: every run takes the smallest root
    # among itself and the runs it touches, then follows roots to their own roots, until the
    # runs that touch agree (roots only decrease and stay in the mark, so the first run's own
    # index is where each mark ends).
    roots = np.arange(count)
    while len(lower):
        np.minimum.at(roots, lower, roots[upper])
        np.minimum.at(roots, upper, roots[lower])
        while True:
            followed = roots[roots]
            if np.array_equal(followed, roots):
                break
            roots = followed
        if np.array_equal(roots[lower], roots[upper]):
            break
    run_label = np.cumsum(roots == np.arange(count))[roots]  # marks numbered 1… by first run
    lengths = stops - starts
    areas = np.bincount(run_label, weights=lengths)[1:]
    labels = np.zeros(height * width, dtype=np.int32)
    offsets = np.cumsum(lengths) - lengths
    pixels = (np.repeat(start_rows * width + starts - offsets, lengths)
              + np.arange(int(lengths.sum())))
    labels[pixels] = np.repeat(run_label, lengths)
    return labels.reshape(height, width), areas


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
