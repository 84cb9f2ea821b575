"""Which digit is written in a comb box (ICR), with a calibrated confidence and a reject rule.

The ink found inside the box (reentry.reading.box) is cropped to its bounding box, scaled so
that its longer side is 20 px and centred by mass in 28 × 28, as MNIST digits are: training
(bench/train_digits.py) pushes its digits through these same functions, drawn into printed
boxes and scanned, so that what the model learnt is what it reads.

The model is a one-hidden-layer perceptron run with numpy (a page of 60 boxes in a few
milliseconds); its eleventh class is "not one digit" (a crossed-out digit, two digits in one
box, a scribble). Its softmax is temperature-scaled on held-out validation boxes so that the
confidence is a probability; a digit is *confident* only at or above the threshold chosen on
the same validation boxes. Weights: digits_weights.npz beside this file.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from reentry.reading.box import FAINT_LEVEL, BoxView, label_marks, view_box
from reentry.reading.ink import BLANK_MM2

WEIGHTS_PATH = Path(__file__).with_name("digits_weights.npz")
NOT_A_DIGIT = 10  # the model's eleventh class
SIDE = 28
BODY = 20
EXTRA_FEATURES = 3


class DigitReject(enum.StrEnum):
    """Why a box's digit is not confident ("" when it is)."""

    NONE = ""
    BLANK = "blank"
    NOT_A_DIGIT = "not_a_digit"
    TWO_MARKS = "two_marks"
    LOW_CONFIDENCE = "low_confidence"


@dataclass(frozen=True)
class DigitReading:
    digit: int | None  # the likeliest digit, None for a blank box
    confidence: float  # calibrated probability that `digit` is what was written
    reject: DigitReject

    @property
    def confident(self) -> bool:
        return self.reject is DigitReject.NONE


@dataclass(frozen=True)
class DigitModel:
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    mean: np.ndarray
    temperature: float
    threshold: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        hidden = np.maximum((features - self.mean) @ self.w1 + self.b1, 0.0)
        logits = (hidden @ self.w2 + self.b2) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True))


@lru_cache(maxsize=1)
def load_model(path: Path = WEIGHTS_PATH) -> DigitModel:
    with np.load(path) as data:
        return DigitModel(
            w1=data["w1"].astype(np.float32), b1=data["b1"].astype(np.float32),
            w2=data["w2"].astype(np.float32), b2=data["b2"].astype(np.float32),
            mean=data["mean"].astype(np.float32),
            temperature=float(data["temperature"]), threshold=float(data["threshold"]),
        )


def features_of(view: BoxView) -> np.ndarray | None:
    """The model's input for one box (MNIST-like 28 × 28 plus shape cues), None when blank."""
    if view.ink_mm2 < BLANK_MM2:
        return None
    rows = np.flatnonzero(view.ink.any(axis=1))
    cols = np.flatnonzero(view.ink.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    patch = view.darkness[top:bottom, left:right].copy()
    patch[patch < FAINT_LEVEL] = 0.0
    strong = np.percentile(patch[view.ink[top:bottom, left:right]], 90)
    patch = np.clip(patch / max(float(strong), 0.3), 0.0, 1.0)
    height, width = patch.shape
    scale = BODY / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = np.asarray(Image.fromarray(patch.astype(np.float32), mode="F").resize(
        size, Image.Resampling.BILINEAR if scale > 1 else Image.Resampling.BOX))
    total = float(small.sum())
    cy, cx = (SIDE - 1) / 2, (SIDE - 1) / 2
    if total > 0:
        yy, xx = np.indices(small.shape)
        my, mx = float((yy * small).sum() / total), float((xx * small).sum() / total)
    else:
        my, mx = (small.shape[0] - 1) / 2, (small.shape[1] - 1) / 2
    top28 = int(np.clip(round(cy - my), 0, SIDE - small.shape[0]))
    left28 = int(np.clip(round(cx - mx), 0, SIDE - small.shape[1]))
    image = np.zeros((SIDE, SIDE), dtype=np.float32)
    image[top28:top28 + small.shape[0], left28:left28 + small.shape[1]] = small
    _, areas = label_marks(view.ink)
    extras = np.array([
        np.log(width / height),
        min(len(areas), 4) / 4.0,
        float(view.ink[top:bottom, left:right].mean()),
    ], dtype=np.float32)
    return np.concatenate([image.ravel(), extras])


def _two_marks(view: BoxView) -> bool:
    """Two tall marks side by side with a gap between them: two digits in one box."""
    labels, areas = label_marks(view.ink)
    if len(areas) < 2:
        return False
    big = np.argsort(areas)[::-1][:2]
    if areas[big[1]] < 0.25 * areas.sum():
        return False
    rows = np.flatnonzero(view.ink.any(axis=1))
    full_height = rows[-1] - rows[0] + 1
    spans = []
    for index in big:
        ys, xs = np.nonzero(labels == index + 1)
        if ys.max() - ys.min() + 1 < 0.6 * full_height:
            return False
        spans.append((xs.min(), xs.max()))
    (a0, a1), (b0, b1) = sorted(spans)
    return bool(b0 > a1 + 1)


def read_digits(crops: Sequence[np.ndarray], px_per_mm: float,
                model: DigitModel | None = None) -> list[DigitReading]:
    """Every box of a page at once: one matrix product for all of them."""
    model = model or load_model()
    views = [view_box(crop, px_per_mm) for crop in crops]
    features = [features_of(view) for view in views]
    written = [i for i, f in enumerate(features) if f is not None]
    readings = [DigitReading(None, 0.0, DigitReject.BLANK) for _ in crops]
    if not written:
        return readings
    probabilities = model.probabilities(np.stack([features[i] for i in written]))  # type: ignore[misc]
    for row, i in zip(probabilities, written, strict=True):
        digit = int(np.argmax(row[:NOT_A_DIGIT]))
        confidence = float(row[digit])
        if int(np.argmax(row)) == NOT_A_DIGIT:
            reject = DigitReject.NOT_A_DIGIT
        elif _two_marks(views[i]):
            reject = DigitReject.TWO_MARKS
        elif confidence < model.threshold:
            reject = DigitReject.LOW_CONFIDENCE
        else:
            reject = DigitReject.NONE
        readings[i] = DigitReading(digit, confidence, reject)
    return readings


def read_digit(crop: np.ndarray, px_per_mm: float) -> DigitReading:
    return read_digits([crop], px_per_mm)[0]
