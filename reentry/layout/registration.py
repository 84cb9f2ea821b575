"""Registering a scanned page to its printed layout through its four corner marks.

Scan import turns pages upright (quarter turns) and keeps them at 200 dpi or less, but leaves a
skew of a few degrees and whatever the scanner did to the scale. Here each corner mark (a solid
4 mm square, see ``printing.page.corner_marks``) is found as the outermost solid square near its
corner, its centre measured on the full image, and an affine map from layout millimetres to image
pixels fitted to the four centres; how far the four disagree with one affine map says whether
the page can be trusted. A field's box is then cut out at a fixed resolution, whatever the scan's.

numpy and Pillow only: a page registers in a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from reentry.domain.layout import PageLayout, Rect
from reentry.errors import UserError

CROP_PX_PER_MM = 8.0  # about 203 dpi: what every cropped box is brought to
CROP_MARGIN_MM = 1.0
COARSE_PX_PER_MM = 2.0  # the search for the marks runs on a reduced page
RING_MM = 2.0  # white expected around a mark
SOLID_SCORE = 0.55  # inside darker than the surrounding ring by this much: a solid square
CANDIDATE_SHARE = 0.8  # of the best score on the page, to count as a mark
MAX_RESIDUAL_MM = 1.0  # the four marks must agree with one affine map within this
_CORNER_SIGNS = ((1, 1), (-1, 1), (-1, -1), (1, -1))  # TL, TR, BR, BL: which way is "outer"


class MarksNotFound(UserError):
    """A scanned page whose corner marks cannot be found or do not agree: not readable."""

    message_id = "layout.marks_not_found"


@dataclass(frozen=True, slots=True)
class Registration:
    """``matrix`` maps layout millimetres to image pixels: ``(px, py) = M @ (x, y, 1)``
    (continuous pixel coordinates: the top-left corner of the image is 0, 0)."""

    matrix: np.ndarray
    marks_px: tuple[tuple[float, float], ...]
    residual_mm: float

    def to_pixels(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        px, py = self.matrix @ np.array([x_mm, y_mm, 1.0])
        return float(px), float(py)

    @property
    def px_per_mm(self) -> float:
        """The mean scale of the page (for reporting and for sizing searches)."""
        return float(np.sqrt(abs(np.linalg.det(self.matrix[:, :2]))))


def _gray(image: Image.Image) -> Image.Image:
    """The image in 8-bit grey, without copying one that already is (a page, many crops)."""
    return image if image.mode == "L" else image.convert("L")


def _box_means(integral: np.ndarray, size: int) -> np.ndarray:
    """Mean of every ``size`` × ``size`` window, indexed by its top-left corner."""
    total = (integral[size:, size:] - integral[:-size, size:] - integral[size:, :-size]
             + integral[:-size, :-size])
    return total / float(size * size)


def _solid_square_scores(darkness: np.ndarray, side: int, ring: int) -> np.ndarray:
    """For each window of ``side`` pixels (indexed by its top-left corner): how much darker it
    is than the ``ring`` pixels around it. A solid square on white scores near 1; text, bars
    and uniform areas score low."""
    padded = np.pad(darkness, ring, mode="constant")
    integral = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1))
    integral[1:, 1:] = padded.cumsum(0).cumsum(1)
    outer_side = side + 2 * ring
    outer = _box_means(integral, outer_side) * outer_side ** 2
    inner = _box_means(integral, side)[ring:ring + outer.shape[0], ring:ring + outer.shape[1]]
    ring_mean = (outer - inner * side ** 2) / (outer_side ** 2 - side ** 2)
    return np.asarray(inner - ring_mean)


def _coarse_marks(gray: Image.Image, mark_mm: float, px_per_mm: float
                  ) -> list[tuple[float, float]]:
    """Approximate centres (full-image pixels) of the four marks, TL, TR, BR, BL."""
    factor = max(1, int(px_per_mm / COARSE_PX_PER_MM))
    small = gray.reduce(factor) if factor > 1 else gray
    scale = px_per_mm / factor
    darkness = 1.0 - np.asarray(small, dtype=np.float32) / 255.0
    side = max(3, round(mark_mm * scale * 0.8))  # a little inside: rotation and blur
    ring = max(2, round(RING_MM * scale))
    scores = _solid_square_scores(darkness, side, ring)
    best = float(scores.max()) if scores.size else 0.0
    if best < SOLID_SCORE:
        raise MarksNotFound()
    ys, xs = np.nonzero(scores >= max(SOLID_SCORE, CANDIDATE_SHARE * best))
    centres = []
    for sx, sy in _CORNER_SIGNS:
        outward = -(sx * xs + sy * ys)  # toward this corner of the image
        pick = int(np.argmax(outward))
        # The strongest response next to the outermost one: the square's centre, not its rim.
        x0, y0 = xs[pick], ys[pick]
        near = (np.abs(xs - x0) <= side) & (np.abs(ys - y0) <= side)
        strongest = np.argmax(np.where(near, scores[ys, xs], -np.inf))
        cx, cy = xs[strongest] + side / 2, ys[strongest] + side / 2
        centres.append((cx * factor, cy * factor))
    return centres


def _refined_centre(gray: Image.Image, x: float, y: float, half: float) -> tuple[float, float]:
    """The centroid of the dark pixels around ``(x, y)``, specks removed first."""
    left, top = max(0, int(x - half)), max(0, int(y - half))
    right, bottom = min(gray.width, int(x + half) + 1), min(gray.height, int(y + half) + 1)
    window = gray.crop((left, top, right, bottom)).filter(ImageFilter.MedianFilter(3))
    values = np.asarray(window, dtype=np.float32)
    low, high = np.percentile(values, 5), np.percentile(values, 95)
    if high - low < 60:  # no contrast: nothing there
        raise MarksNotFound()
    rows, columns = np.nonzero(values < (low + high) / 2)
    return left + float(columns.mean()) + 0.5, top + float(rows.mean()) + 0.5


def register_page(image: Image.Image, layout: PageLayout,
                  px_per_mm: float | None = None) -> Registration:
    """Find the four corner marks of ``layout`` on ``image`` (an upright scanned page, any
    resolution, a few degrees of skew) and fit the affine map from millimetres to pixels.
    ``px_per_mm``: the scan's resolution if known; otherwise taken from the image's size."""
    gray = _gray(image)
    if px_per_mm is None:
        px_per_mm = (gray.width / layout.width + gray.height / layout.height) / 2
    mark_mm = layout.corner_marks[0].width
    coarse = _coarse_marks(gray, mark_mm, px_per_mm)
    half = (mark_mm / 2 + RING_MM * 0.75) * px_per_mm
    found = [_refined_centre(gray, x, y, half) for x, y in coarse]
    return fit_registration(layout.corner_marks, found)


def fit_registration(marks: Sequence[Rect], found: Sequence[tuple[float, float]]
                     ) -> Registration:
    """The least-squares affine map taking the marks' centres (mm) to where they were found."""
    source = np.array([[*m.centre, 1.0] for m in marks])
    target = np.array(found, dtype=np.float64)
    solution, *_ = np.linalg.lstsq(source, target, rcond=None)
    matrix = solution.T  # 2 × 3
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    errors = np.linalg.norm(source @ solution - target, axis=1) / max(scale, 1e-9)
    residual = float(errors.max())
    if residual > MAX_RESIDUAL_MM or scale <= 0:
        raise MarksNotFound()
    return Registration(matrix, tuple(tuple(p) for p in found), residual)  # type: ignore[misc]


def crop_box(image: Image.Image, registration: Registration, rect: Rect,
             margin_mm: float = CROP_MARGIN_MM,
             px_per_mm: float = CROP_PX_PER_MM) -> np.ndarray:
    """The box ``rect`` and ``margin_mm`` around it, resampled to ``px_per_mm`` whatever the
    scan's resolution, skew or scale: a grayscale ``uint8`` array, rows from the top. The box's
    border lies ``margin_mm`` inside each edge of the array."""
    x0, y0 = rect.x - margin_mm, rect.y - margin_mm
    size = (max(1, round((rect.width + 2 * margin_mm) * px_per_mm)),
            max(1, round((rect.height + 2 * margin_mm) * px_per_mm)))
    m = registration.matrix
    data = (m[0, 0] / px_per_mm, m[0, 1] / px_per_mm, m[0, 0] * x0 + m[0, 1] * y0 + m[0, 2],
            m[1, 0] / px_per_mm, m[1, 1] / px_per_mm, m[1, 0] * x0 + m[1, 1] * y0 + m[1, 2])
    out = _gray(image).transform(size, Image.Transform.AFFINE, data,
                                 resample=Image.Resampling.BILINEAR, fillcolor=255)
    return np.asarray(out, dtype=np.uint8)
