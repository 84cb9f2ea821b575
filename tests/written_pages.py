"""Pages printed by the print station, then written on as a nurse would and scanned back.

A page is rasterised at 200 dpi by poppler's pdftoppm; digits are composited into its comb boxes
from a handwriting-like font the digit model never saw (Humor Sans, fonts-humor-sans) or from
held-out MNIST digits (tests/data), ticks and initials are drawn as ballpoint strokes; the page
is then turned a little, made grainy and JPEG-compressed, as a sheet-fed scanner returns it.
Where each box is comes from the sheet's layout (``reentry.layout``), in millimetres.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pdfcheck
from PIL import Image, ImageDraw

from reentry.domain.layout import FieldBox, PageLayout, Rect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import reading_boxes as rb  # noqa: E402

PX_PER_MM = pdfcheck.DPI / 25.4
PEN = 45  # a dark ballpoint on the grayscale scan
DIGIT_HEIGHT_MM = 3.9


def _px(value_mm: float) -> int:
    return round(value_mm * PX_PER_MM)


def box(layout: PageLayout, field_id: str, row: int | None, choice: str | None = None
        ) -> FieldBox:
    return next(b for b in layout.boxes if b.field_id == field_id and b.row == row
                and (choice is None or b.choice == choice))


class Pen:
    """Writes on one rasterised page (grayscale, 200 dpi, origin top-left)."""

    def __init__(self, image: Image.Image, seed: int) -> None:
        self.pixels = np.asarray(image.convert("L"), dtype=np.float32).copy()
        self.rng = np.random.default_rng(seed)
        self.mnist = rb.held_out_mnist()

    def _digit_alpha(self, digit: int, source: str) -> np.ndarray:
        if source == "mnist":
            images, labels = self.mnist
            index = int(self.rng.choice(np.flatnonzero(labels == digit)[:20]))
            return rb.mnist_alpha(images[index])
        return rb.font_digit_alpha(rb.HELD_OUT_FONT, digit, self.rng)

    def digit(self, rect: Rect, digit: int, source: str = "font") -> None:
        """One digit, about 4 mm tall, near the middle of its comb box."""
        alpha = self._digit_alpha(digit, source)
        scale = DIGIT_HEIGHT_MM * PX_PER_MM / alpha.shape[0]
        width = max(1, round(alpha.shape[1] * scale))
        height = max(1, round(alpha.shape[0] * scale))
        mark = np.asarray(Image.fromarray((alpha * 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.LANCZOS), dtype=np.float32) / 255.0
        cx, cy = rect.centre
        left = _px(cx + self.rng.uniform(-0.3, 0.3)) - width // 2
        top = _px(cy + self.rng.uniform(-0.2, 0.2)) - height // 2
        region = self.pixels[top:top + height, left:left + width]
        np.copyto(region, region * (1 - mark) + PEN * mark)

    def number(self, comb: FieldBox, text: str, source: str = "font") -> None:
        """``text``'s digits in the comb, right-aligned in each group between separators
        (« 37,4 » in a 2 + 1 comb, « 64 » in the last two boxes of three, « 23/11/2026 »)."""
        cuts = sorted(s.rect.x for s in comb.separators)
        groups: list[list[Rect]] = [[] for _ in range(len(cuts) + 1)]
        for rect in comb.digits:
            groups[sum(rect.x > cut for cut in cuts)].append(rect)
        parts = text.replace(":", ",").replace("/", ",").split(",")
        for rects, part in zip(groups, parts, strict=False):
            for rect, character in zip(rects[len(rects) - len(part):], part, strict=True):
                self.digit(rect, int(character), source)

    def strokes(self, lines: Iterable[list[tuple[float, float]]], width_mm: float = 0.4) -> None:
        layer = Image.new("L", (self.pixels.shape[1], self.pixels.shape[0]), 0)
        draw = ImageDraw.Draw(layer)
        for line in lines:
            draw.line([(x * PX_PER_MM, y * PX_PER_MM) for x, y in line], fill=255,
                      width=max(1, _px(width_mm)), joint="curve")
        alpha = np.asarray(layer, dtype=np.float32) / 255.0
        np.copyto(self.pixels, self.pixels * (1 - alpha) + PEN * alpha)

    def tick(self, rect: Rect) -> None:
        """A tick, pen stroke from the left of the box down and up past its top-right."""
        x, y, w, h = rect.x, rect.y, rect.width, rect.height
        self.strokes([[(x + 0.2 * w, y + 0.55 * h), (x + 0.45 * w, y + 0.9 * h),
                       (x + 0.95 * w, y + 0.05 * h)]])

    def initials(self, rect: Rect) -> None:
        """Two letters scrawled in the initials box."""
        x, y, h = rect.x + 2, rect.y + rect.height * 0.25, rect.height * 0.5
        self.strokes([[(x, y + h), (x + 1, y), (x + 2, y + h * 0.6), (x + 3, y), (x + 4, y + h)],
                      [(x + 6, y), (x + 6, y + h), (x + 8, y + h * 0.7), (x + 8, y + h * 0.3),
                       (x + 6, y)]])

    def scribble(self, rect: Rect, length_mm: float, line: int = 0) -> None:
        """A line of running handwriting (loops of a pen, 2 mm tall) from the box's left,
        on its ``line``-th writing line (5 mm apart)."""
        x0, middle = rect.x + 2.0, rect.y + 3.0 + 5.0 * line
        points = []
        for step in range(int(length_mm / 0.6)):
            x = x0 + step * 0.6
            points.append((x, middle + (-1.0 if step % 3 == 0 else 0.8 if step % 3 == 1
                                        else 0.1)))
        self.strokes([points], width_mm=0.35)

    def erase(self, rect: Rect) -> None:
        """Paper over a part of the page (a corner torn off, a mark cut by the scanner)."""
        self.pixels[_px(rect.y):_px(rect.bottom), _px(rect.x):_px(rect.right)] = 255

    def image(self) -> Image.Image:
        return Image.fromarray(np.clip(self.pixels, 0, 255).astype(np.uint8), "L")


def scanned(image: Image.Image, angle: float, seed: int, quality: int = 75) -> Image.Image:
    """What a sheet-fed scanner returns: turned a little, grainy, JPEG-compressed."""
    turned = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250)
    rng = np.random.default_rng(seed)
    pixels = np.asarray(turned, dtype=np.float32) + rng.normal(0, 5, (turned.height,
                                                                       turned.width))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(buffer, "JPEG",
                                                                        quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")
