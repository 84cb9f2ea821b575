"""Scanned boxes made on demand: a printed box, what a pen put in it, and a scanner's damage.

Used by the digit training (bench/train_digits.py), the reading bench (bench/bench_reading.py)
and the reading tests. Every box is drawn at 16 px/mm (a printed page), the pen's marks
composited like ink, then the page is "scanned": turned (±3°), moved (±0.5 mm, the
registration's error), blurred, brought to 200 dpi, given sensor noise and a grey paper, and
stored as JPEG quality 60. The result honours reentry.reading's input contract: the box's
printed rectangle plus a 1 mm margin, uint8, at SCAN_PX_PER_MM.

Digits come from MNIST arrays (28×28, ink bright) or from a handwriting font (a file path).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reentry.reading.box import MARGIN_MM

RENDER_PX_PER_MM = 16
SCAN_PX_PER_MM = 200 / 25.4
DIGIT_BOX_MM = (4.5, 5.5)  # comb box as printed (reentry/layout): width, height, ≥ 4 × 5 mm
CHECKBOX_MM = 4.0  # tick box as printed (reentry/layout), ≥ 4 mm
_EXTRA_MM = 1.5  # room around the crop so that turning and moving never shows a canvas edge

# Handwriting fonts from Debian's fonts-* packages. TRAIN_FONTS teach the classifier;
# VALIDATION_FONT only calibrates its confidence; HELD_OUT_FONT (fonts-humor-sans) is never
# seen by the training script at all: the bench and the tests read it.
FONT_DIR = Path("/usr/share/fonts")
TRAIN_FONTS = (
    "opentype/bwht/BecauseWeLearn-Regular.otf",
    "opentype/bwht/BecauseWeOrganize-Regular.otf",
    "opentype/bwht/BecauseWeMentor-Regular.otf",
    "opentype/bwht/BecauseWeConnect-Regular.otf",
    "opentype/bwht/BecauseWeBuild-Regular.otf",
    "truetype/fifthhorseman/dkg.ttf",
    "truetype/fifthhorseman/dkgIt.ttf",
    "truetype/breip/Breip.ttf",
    "opentype/comic-neue/ComicNeue-Regular.otf",
    "opentype/comic-neue/ComicNeue-Bold.otf",
)
VALIDATION_FONT = "opentype/bwht/BecauseWeCreate-Regular.otf"
HELD_OUT_FONT = "truetype/humor-sans/Humor-Sans.ttf"
# MNIST digits kept out of training (bench/train_digits.py writes them here): the bench's and
# the tests' held-out handwriting.
HELD_OUT_MNIST = (Path(__file__).resolve().parent.parent / "tests" / "data"
                  / "reading_mnist_heldout.npz")


def held_out_mnist() -> tuple[np.ndarray, np.ndarray]:
    """The held-out MNIST digits: images (n, 784) uint8 and labels (n,)."""
    with np.load(HELD_OUT_MNIST) as data:
        return data["images"], data["labels"]


@dataclass(frozen=True)
class Scan:
    """How one box is scanned."""

    rotation_deg: float = 0.0
    offset_mm: tuple[float, float] = (0.0, 0.0)
    blur_px: float = 0.0
    noise: float = 0.0
    jpeg_quality: int = 60
    paper: int = 250
    seed: int = 0  # the sensor noise's

    @staticmethod
    def random(rng: np.random.Generator) -> Scan:
        return Scan(
            rotation_deg=float(rng.uniform(-3, 3)),
            offset_mm=(float(rng.uniform(-0.5, 0.5)), float(rng.uniform(-0.5, 0.5))),
            blur_px=float(rng.uniform(0.0, 0.8)),
            noise=float(rng.uniform(0.0, 6.0)),
            jpeg_quality=60,
            paper=int(rng.integers(215, 256)),
            seed=int(rng.integers(2**31)),
        )


class Canvas:
    """A printed box at RENDER_PX_PER_MM, with an ink layer for what the pen adds."""

    def __init__(self, width_mm: float, height_mm: float, border_gray: int = 20,
                 border_mm: float = 0.25) -> None:
        self.width_mm, self.height_mm = width_mm, height_mm
        s = RENDER_PX_PER_MM
        self.origin = round((_EXTRA_MM + MARGIN_MM) * s)  # the box's top-left corner, px
        self.size = (round((width_mm + 2 * (_EXTRA_MM + MARGIN_MM)) * s),
                     round((height_mm + 2 * (_EXTRA_MM + MARGIN_MM)) * s))
        self.printed = Image.new("L", self.size, 255)
        line = max(1, round(border_mm * s))
        o = self.origin
        ImageDraw.Draw(self.printed).rectangle(
            (o, o, o + round(width_mm * s) - 1, o + round(height_mm * s) - 1),
            outline=border_gray, width=line)
        self.ink_alpha = np.zeros((self.size[1], self.size[0]), dtype=np.float32)
        self.ink_gray = np.zeros_like(self.ink_alpha)

    def box_px(self) -> tuple[int, int, int, int]:
        s = RENDER_PX_PER_MM
        o = self.origin
        return o, o, o + round(self.width_mm * s), o + round(self.height_mm * s)

    def add_ink(self, alpha: np.ndarray, left: int, top: int, gray: float) -> None:
        """Composite an alpha mark (0…1) with its top-left at (left, top) in canvas pixels."""
        h, w = alpha.shape
        y0, x0 = max(0, top), max(0, left)
        y1, x1 = min(self.size[1], top + h), min(self.size[0], left + w)
        if y1 <= y0 or x1 <= x0:
            return
        part = alpha[y0 - top:y1 - top, x0 - left:x1 - left]
        here = self.ink_alpha[y0:y1, x0:x1]
        stronger = part > here
        self.ink_gray[y0:y1, x0:x1] = np.where(stronger, gray, self.ink_gray[y0:y1, x0:x1])
        self.ink_alpha[y0:y1, x0:x1] = np.maximum(here, part)

    def add_strokes(self, strokes: list[list[tuple[float, float]]], width_mm: float,
                    gray: float) -> None:
        """Pen strokes, points in millimetres from the box's top-left corner."""
        s = RENDER_PX_PER_MM
        layer = Image.new("L", self.size, 0)
        draw = ImageDraw.Draw(layer)
        width = max(1, round(width_mm * s))
        for stroke in strokes:
            points = [(self.origin + x * s, self.origin + y * s) for x, y in stroke]
            draw.line(points, fill=255, width=width, joint="curve")
            for x, y in (points[0], points[-1]):
                r = width / 2
                draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        self.add_ink(np.asarray(layer, dtype=np.float32) / 255.0, 0, 0, gray)

    def scan(self, how: Scan) -> np.ndarray:
        """The crop a registration would hand the readers, as uint8 at SCAN_PX_PER_MM."""
        page = np.asarray(self.printed, dtype=np.float32) * (how.paper / 255.0)
        page = page * (1 - self.ink_alpha) + self.ink_gray * (how.paper / 255.0) * self.ink_alpha
        image = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
        image = image.rotate(how.rotation_deg, resample=Image.Resampling.BILINEAR,
                             fillcolor=how.paper)
        s = RENDER_PX_PER_MM
        dx, dy = (round(v * s) for v in how.offset_mm)
        left = round(_EXTRA_MM * s) - dx
        top = round(_EXTRA_MM * s) - dy
        crop_w = round((self.width_mm + 2 * MARGIN_MM) * s)
        crop_h = round((self.height_mm + 2 * MARGIN_MM) * s)
        image = image.crop((left, top, left + crop_w, top + crop_h))
        scanned = (round(crop_w * SCAN_PX_PER_MM / s), round(crop_h * SCAN_PX_PER_MM / s))
        image = image.resize(scanned, Image.Resampling.BOX)
        if how.blur_px > 0.05:
            image = image.filter(ImageFilter.GaussianBlur(how.blur_px))
        pixels = np.asarray(image, dtype=np.float32)
        if how.noise > 0:
            noise = np.random.default_rng(how.seed).normal(0, how.noise, pixels.shape)
            pixels = pixels + noise
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=how.jpeg_quality)
        buffer.seek(0)
        return np.asarray(Image.open(buffer).convert("L"))


# --- what a pen puts in a box --------------------------------------------------------------

def pen_gray(rng: np.random.Generator, light: bool = False) -> float:
    """A ballpoint on a grayscale scan (blue and black both read dark); a light one for pencil."""
    return float(rng.uniform(120, 165) if light else rng.uniform(10, 90))


def font_digit_alpha(font_path: str | Path, digit: int, rng: np.random.Generator) -> np.ndarray:
    """One digit from a font as an alpha mark, tightly cropped, drawn large (then scaled)."""
    path = Path(font_path)
    if not path.is_absolute():
        path = FONT_DIR / path
    font = ImageFont.truetype(str(path), 96)
    layer = Image.new("L", (160, 160), 0)
    ImageDraw.Draw(layer).text((30, 10), str(digit), font=font, fill=255)
    alpha = np.asarray(layer, dtype=np.float32) / 255.0
    return _tight(alpha)


# Digits drawn with a pen stroke by stroke, for the shapes that neither MNIST (American) nor the
# fonts write often: the French 1 with its flag (at times a foot) and the 7 with a bar.
PEN_DIGITS = (1, 7)


def pen_digit_alpha(digit: int, rng: np.random.Generator) -> np.ndarray:
    """A 1 or a 7 as a hand writes it in France, as an alpha mark (then placed like any digit):
    a 1 is a stem, most often with a flag going down-left from its top and sometimes a foot;
    a 7 is a top bar and a long stroke down (straight or a little bowed), half of them with a
    bar across the middle."""
    if digit not in PEN_DIGITS:
        raise ValueError(f"no pen strokes for {digit}")
    size, height = 160, 110.0
    top, bottom = 25.0, 25.0 + height
    strokes: list[list[tuple[float, float]]] = []
    if digit == 1:
        x_bottom = 80 + rng.uniform(-8, 8)
        x_top = x_bottom + rng.uniform(-4, 16)  # upright or leaning right, as a hand slants
        bow = rng.uniform(-8, 8) if rng.random() < 0.4 else 0.0
        strokes.append([(x_bottom, bottom), ((x_bottom + x_top) / 2 + bow, (top + bottom) / 2),
                        (x_top, top)])
        if rng.random() < 0.75:
            length, angle = rng.uniform(0.12, 0.3) * height, np.radians(rng.uniform(35, 65))
            strokes.append([(x_top, top),
                            (x_top - length * np.cos(angle), top + length * np.sin(angle))])
        if rng.random() < 0.2:
            half = rng.uniform(0.12, 0.28) * height
            strokes.append([(x_bottom - half, bottom), (x_bottom + half, bottom)])
    else:
        width = rng.uniform(0.45, 0.75) * height
        left = 80 - width / 2 + rng.uniform(-6, 6)
        right, right_y = left + width, top + rng.uniform(-6, 8)
        start = [(left, top + rng.uniform(8, 18))] if rng.random() < 0.2 else []
        strokes.append([*start, (left, top), (right, right_y)])
        end = (left + width * rng.uniform(0.05, 0.5), bottom)
        bow = rng.uniform(-10, 10)
        middle = ((right + end[0]) / 2 + bow, (right_y + bottom) / 2)
        strokes.append([(right, right_y), middle, end])
        if rng.random() < 0.5:
            cx, cy = middle[0] + rng.uniform(-4, 4), middle[1] + rng.uniform(-8, 8)
            half = rng.uniform(0.15, 0.28) * height
            tilt = rng.uniform(-5, 5)
            strokes.append([(cx - half, cy + tilt), (cx + half, cy - tilt)])
    layer = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(layer)
    pen = max(2, round(height * rng.uniform(0.1, 0.2)))  # 0.3–0.9 mm (a felt pen) in a box
    for stroke in strokes:
        draw.line(stroke, fill=255, width=pen, joint="curve")
        for x, y in (stroke[0], stroke[-1]):
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=255)
    return _tight(np.asarray(layer, dtype=np.float32) / 255.0)


def mnist_alpha(image28: np.ndarray) -> np.ndarray:
    return _tight(np.asarray(image28, dtype=np.float32).reshape(28, 28) / 255.0)


def _tight(alpha: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(alpha.max(axis=1) > 0.1)
    cols = np.flatnonzero(alpha.max(axis=0) > 0.1)
    if not len(rows):
        return alpha
    return alpha[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _warp(alpha: np.ndarray, height_px: float, rng: np.random.Generator,
          width_scale: float = 1.0) -> np.ndarray:
    """Scale a mark to a height in canvas pixels, with a little slant and aspect jitter."""
    h, w = alpha.shape
    scale = height_px / h
    new_w = max(1, round(w * scale * width_scale * rng.uniform(0.85, 1.15)))
    new_h = max(1, round(height_px))
    image = Image.fromarray((alpha * 255).astype(np.uint8)).resize((new_w, new_h),
                                                                   Image.Resampling.BILINEAR)
    shear = rng.uniform(-0.25, 0.25)
    pad = round(abs(shear) * new_h) + 2
    image = image.transform((new_w + pad, new_h), Image.Transform.AFFINE,
                            (1, shear, -pad / 2 if shear < 0 else 0, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR)
    image = image.rotate(float(rng.uniform(-6, 6)), resample=Image.Resampling.BILINEAR, expand=True)
    return _tight(np.asarray(image, dtype=np.float32) / 255.0)


def place_mark(canvas: Canvas, alpha: np.ndarray, rng: np.random.Generator, gray: float,
               height_share: tuple[float, float] = (0.5, 0.8), width_scale: float = 1.0,
               jitter_mm: float = 0.4, overflow_mm: float = 0.3) -> None:
    """Put a mark in the box, not centred: a nurse writes where the pen lands (up to
    jitter_mm off the centre), at times a little over the printed line (up to overflow_mm)."""
    s = RENDER_PX_PER_MM
    left, top, right, bottom = canvas.box_px()
    mark = _warp(alpha, rng.uniform(*height_share) * (bottom - top), rng, width_scale)
    mh, mw = mark.shape
    over = overflow_mm * s
    centre = []
    for low, high, size in ((left, right, mw), (top, bottom, mh)):
        middle = (low + high) / 2
        lo = max(low + size / 2 - over, middle - jitter_mm * s)
        hi = min(high - size / 2 + over, middle + jitter_mm * s)
        centre.append(rng.uniform(lo, hi) if lo < hi else middle)
    canvas.add_ink(mark, round(centre[0] - mw / 2), round(centre[1] - mh / 2), gray)


def digit_box(alpha: np.ndarray, rng: np.random.Generator, how: Scan | None = None,
              light: bool = False) -> np.ndarray:
    canvas = Canvas(*DIGIT_BOX_MM)
    place_mark(canvas, alpha, rng, pen_gray(rng, light))
    return canvas.scan(how or Scan.random(rng))


def empty_box(rng: np.random.Generator, width_mm: float, height_mm: float, speck: bool,
              how: Scan | None = None) -> np.ndarray:
    canvas = Canvas(width_mm, height_mm)
    if speck:  # a dot of dust or toner, 0.2–0.4 mm across, anywhere inside
        d = rng.uniform(0.2, 0.4)
        x, y = rng.uniform(0.6, width_mm - 0.6), rng.uniform(0.6, height_mm - 0.6)
        canvas.add_strokes([[(x, y), (x + 0.01, y)]], d, float(rng.uniform(20, 90)))
    return canvas.scan(how or Scan.random(rng))


def crossed_out(canvas: Canvas, rng: np.random.Generator, gray: float) -> None:
    """Strokes through what was written (across its middle, where the digit is): a
    correction, not a value."""
    w, h = canvas.width_mm, canvas.height_mm
    strokes = []
    for _ in range(int(rng.integers(1, 4))):
        y0, y1 = rng.uniform(0.3 * h, 0.7 * h, 2)
        strokes.append([(rng.uniform(0, 0.6), y0), (w - rng.uniform(0, 0.6), y1)])
    canvas.add_strokes(strokes, rng.uniform(0.3, 0.6), gray)


def scribble(canvas: Canvas, rng: np.random.Generator, gray: float, dense: bool = False) -> None:
    """A zigzag: a blacked-out box when dense, a doodle otherwise.

    A doodle is a tangle: 5–8 pen turns that span most of the box both ways and cross the
    doodle's own line at least three times (4, 6, 8 and 9 cross it once, an 8 drawn with
    corners twice). A random doodle of 3–6 turns, as these were, is often one straight stroke,
    a hook, a "7" or an "S", and such boxes, taught as "not one digit", taught the reader to
    refuse plain 1s and 7s."""
    w, h = canvas.width_mm, canvas.height_mm
    if not dense:
        while True:
            xs = rng.uniform(0.4, w - 0.4, int(rng.integers(5, 9)))
            ys = rng.uniform(0.4, h - 0.4, len(xs))
            if (np.ptp(xs) >= 0.6 * w and np.ptp(ys) >= 0.6 * h
                    and _crossings(list(zip(xs, ys, strict=True))) >= 3):
                break
        points = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
        canvas.add_strokes([points], rng.uniform(0.3, 0.5), gray)
        return
    turns = int(rng.integers(9, 16))
    points = []
    for i in range(turns):
        y = (i + rng.uniform(0.2, 0.8)) * h / turns
        x = rng.uniform(0, 0.6) if i % 2 == 0 else w - rng.uniform(0, 0.6)
        points.append((x, y))
    canvas.add_strokes([points], rng.uniform(0.45, 0.8), gray)


def _crossings(points: list[tuple[float, float]]) -> int:
    """How many times a polyline crosses itself (segments that are not neighbours)."""
    def side(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    count = 0
    for i in range(len(points) - 1):
        for j in range(i + 2, len(points) - 1):
            p, q, r, s = points[i], points[i + 1], points[j], points[j + 1]
            if side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0:
                count += 1
    return count


def tick(canvas: Canvas, rng: np.random.Generator, gray: float) -> None:
    """A ✓ or an ×, the two ways nurses tick a box, sometimes spilling over the border."""
    w, h = canvas.width_mm, canvas.height_mm
    pen = rng.uniform(0.3, 0.6)
    if rng.random() < 0.6:
        a = (rng.uniform(0.3, 1.5), rng.uniform(h * 0.35, h * 0.65))
        b = (rng.uniform(w * 0.3, w * 0.55), rng.uniform(h * 0.7, h + 0.3))
        c = (rng.uniform(w * 0.7, w + 1.0), rng.uniform(-1.0, h * 0.3))
        canvas.add_strokes([[a, b, c]], pen, gray)
    else:
        m = rng.uniform(0.3, 1.2)
        canvas.add_strokes([[(m, m + rng.uniform(-0.3, 0.3)), (w - m, h - m)],
                            [(w - m, m), (m + rng.uniform(-0.3, 0.3), h - m)]], pen, gray)


def filled(canvas: Canvas, rng: np.random.Generator, gray: float) -> None:
    """A box blacked out to take a tick back: solid, or scribbled over densely."""
    if rng.random() < 0.4:
        left, top, right, bottom = canvas.box_px()
        inset = round(rng.uniform(0, 0.4) * RENDER_PX_PER_MM)
        alpha = np.ones((bottom - top - 2 * inset, right - left - 2 * inset), dtype=np.float32)
        canvas.add_ink(alpha, left + inset, top + inset, gray)
    else:
        scribble(canvas, rng, gray, dense=True)
        scribble(canvas, rng, gray, dense=True)


def two_digits(canvas: Canvas, first: np.ndarray, second: np.ndarray,
               rng: np.random.Generator, gray: float) -> None:
    """Two digits squeezed into one comb box."""
    s = RENDER_PX_PER_MM
    left, top, right, bottom = canvas.box_px()
    half = (right - left) / 2
    for i, alpha in enumerate((first, second)):
        mark = _warp(alpha, rng.uniform(0.5, 0.75) * (bottom - top), rng,
                     width_scale=0.55)
        mh, mw = mark.shape
        cx = left + half * (i + 0.5) + rng.uniform(-0.2, 0.2) * s
        cy = (top + bottom) / 2 + rng.uniform(-0.4, 0.4) * s
        canvas.add_ink(mark, round(cx - mw / 2), round(cy - mh / 2), gray)

