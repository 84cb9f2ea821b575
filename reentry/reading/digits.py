"""Which digit is written in a comb box (ICR), with a calibrated confidence and a reject rule.

The ink found inside the box (reentry.reading.box) is cropped to its bounding box, scaled so
that its longer side is 20 px and centred by mass in 28 × 28, as MNIST digits are: training
(bench/train_digits.py) pushes its digits through these same functions, drawn into printed
boxes and scanned, so that what the model learnt is what it reads.

The model is a small ensemble of convolutional networks run with numpy (im2col and matrix
products: a page of 60 boxes in a few milliseconds), trained apart from other seeds; their
eleventh class is "not one digit" (a crossed-out digit, two digits in one box, a scribble).
Each network's softmax is temperature-scaled on held-out validation boxes so that its confidence
is a probability; a digit is *confident* only when every network gives it at least the
threshold chosen on the same validation boxes (so they agree), and none finds "not one digit"
likely. Weights: digits_weights.npz beside this file.

A box whose digit is not confident can still say which digits it is *not*: a digit to which
even the most lenient network gives less than ``rule_out_below`` (fitted on validation so that
the written digit is almost never among them) is ruled out. That is what a second reader needs
most: not to read the paper alone, but to tell that the digit typed for a box cannot be the one
written there (a 7 typed for a 1 that the reader would not vouch for).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from reentry.reading.box import FAINT_LEVEL, BoxView, label_marks, view_boxes
from reentry.reading.ink import BLANK_MM2, InkReading, ink_of

WEIGHTS_PATH = Path(__file__).with_name("digits_weights.npz")
NOT_A_DIGIT = 10  # the model's eleventh class
SIDE = 28
BODY = 20


class DigitReject(enum.StrEnum):
    """Why a box's digit is not confident ("" when it is)."""

    NONE = ""
    BLANK = "blank"
    NOT_A_DIGIT = "not_a_digit"
    TWO_MARKS = "two_marks"
    STRUCK_THROUGH = "struck_through"
    LOW_CONFIDENCE = "low_confidence"


@dataclass(frozen=True)
class DigitReading:
    digit: int | None  # the likeliest digit, None for a blank box
    confidence: float  # calibrated probability that `digit` is what was written, given one digit
    reject: DigitReject
    ink: InkReading  # the same box's ink, read from the same view
    # digits that this box almost surely does not hold (empty for a blank box, and for a box
    # refused as not one digit: a crossed-out digit, two digits, a scribble may hold anything)
    ruled_out: frozenset[int] = frozenset()

    @property
    def confident(self) -> bool:
        return self.reject is DigitReject.NONE


@dataclass(frozen=True)
class DigitModel:
    """Small convolutional networks (members), each two 5 × 5 convolutions with 2 × 2
    max-pooling, then two dense layers (the shape cues join at the first); about 60,000 weights
    each. One network alone is at times sure of a wrong digit; two or three trained apart are
    seldom sure of the same wrong one, so a digit is confident only when all of them are."""

    members: tuple[dict[str, np.ndarray], ...]
    temperatures: tuple[float, ...]  # one a member, fitted on validation
    threshold: float  # least confidence, for every member, of a confident digit
    not_digit_max: float  # a box whose "not one digit" probability reaches this is refused
    rule_out_below: float  # a digit every member gives less than this is not in the box

    def member_probabilities(self, features: np.ndarray) -> np.ndarray:
        """(members, boxes, 11): each member's temperature-scaled softmax."""
        out = []
        for weights, temperature in zip(self.members, self.temperatures, strict=True):
            logits = forward(weights, features)[0] / temperature
            logits -= logits.max(axis=1, keepdims=True)
            e = np.exp(logits)
            out.append(e / e.sum(axis=1, keepdims=True))
        return np.stack(out)

    def judge(self, features: np.ndarray) -> Judgement:
        """Per box: the digit (likeliest on the members' mean), its confidence (the least that a
        member gives it, given one digit: a member that reads another digit gives it < 0.5),
        whether the box is refused as "not one digit" (any member's probability of it reaches
        not_digit_max, or is its likeliest class), and the most any member gives each digit."""
        p = self.member_probabilities(features)
        given_one = p[..., :NOT_A_DIGIT] / np.maximum(1.0 - p[..., NOT_A_DIGIT:], 1e-9)
        digits = given_one.mean(axis=0).argmax(axis=1)
        confidence = given_one[:, np.arange(len(digits)), digits].min(axis=0)
        not_one = ((p[..., NOT_A_DIGIT] >= self.not_digit_max)
                   | (p.argmax(axis=2) == NOT_A_DIGIT)).any(axis=0)
        return Judgement(digits, confidence, not_one, given_one.max(axis=0))


class Judgement(NamedTuple):
    """What the ensemble says of a batch of boxes (see ``DigitModel.judge``)."""

    digits: np.ndarray  # (boxes,) the likeliest digit
    confidence: np.ndarray  # (boxes,) the least any member gives it
    not_one: np.ndarray  # (boxes,) refused as "not one digit"
    most: np.ndarray  # (boxes, 10) the most any member gives each digit, given one digit


LAYERS = ("c1w", "c1b", "c2w", "c2b", "f1w", "f1b", "f2w", "f2b")


def windows(images: np.ndarray, size: int) -> tuple[np.ndarray, tuple[int, int, int]]:
    """im2col: every size × size window of (n, h, w, c) as rows of (n·oh·ow, c·size²)."""
    view = np.lib.stride_tricks.sliding_window_view(images, (size, size), axis=(1, 2))
    n, oh, ow = view.shape[:3]
    return view.reshape(n * oh * ow, -1), (n, oh, ow)


def pool(maps: np.ndarray) -> np.ndarray:
    n, h, w, c = maps.shape
    return np.asarray(maps.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4)))


def forward(weights: dict[str, np.ndarray], features: np.ndarray
            ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Logits for a batch of feature rows, and the intermediate values training needs."""
    n = features.shape[0]
    images = features[:, :SIDE * SIDE].reshape(n, SIDE, SIDE, 1)
    cols1, (_, h1, w1) = windows(images, 5)
    a1 = np.maximum(cols1 @ weights["c1w"] + weights["c1b"], 0).reshape(n, h1, w1, -1)
    p1 = pool(a1)
    cols2, (_, h2, w2) = windows(p1, 5)
    a2 = np.maximum(cols2 @ weights["c2w"] + weights["c2b"], 0).reshape(n, h2, w2, -1)
    p2 = pool(a2)
    flat = np.concatenate([p2.reshape(n, -1), features[:, SIDE * SIDE:]], axis=1)
    hidden = np.maximum(flat @ weights["f1w"] + weights["f1b"], 0)
    logits = hidden @ weights["f2w"] + weights["f2b"]
    cache = {"cols1": cols1, "a1": a1, "p1": p1, "cols2": cols2, "a2": a2, "p2": p2,
             "flat": flat, "hidden": hidden}
    return logits, cache


def member_key(member: int, layer: str) -> str:
    """The name of a member's layer in digits_weights.npz."""
    return f"m{member}_{layer}"


@lru_cache(maxsize=1)
def load_model(path: Path = WEIGHTS_PATH) -> DigitModel:
    with np.load(path) as data:
        temperatures = tuple(float(t) for t in data["temperatures"])
        members = tuple({name: data[member_key(m, name)].astype(np.float32) for name in LAYERS}
                        for m in range(len(temperatures)))
        return DigitModel(members, temperatures, float(data["threshold"]),
                          float(data["not_digit_max"]), float(data["rule_out_below"]))


def features_of(view: BoxView) -> np.ndarray | None:
    """The model's input for one box, None when blank: the MNIST-like 28 × 28 image, then three
    shape cues (log of the ink's width / height, marks counted up to 4, ink density)."""
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
    extras = np.array([
        np.log(width / height),
        min(view.marks, 4) / 4.0,
        float(view.ink[top:bottom, left:right].mean()),
    ], dtype=np.float32)
    return np.concatenate([image.ravel(), extras])


def _two_marks(view: BoxView) -> bool:
    """Two tall marks side by side with a gap between them: two digits in one box."""
    if view.marks < 2:
        return False
    labels, areas = label_marks(view.ink)
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


# A stroke crossing the whole box: one mark reaching both sides of the inside (within
# _STRIKE_EDGE_PX) that covers _STRIKE_SHARE of its width within _STRIKE_BAND_PX rows, and whose
# two ends are bare: in the _STRIKE_END_PX outermost columns at each end, no run of ink is taller
# than _STRIKE_END_RUN_PX (a line through the digit goes past its ink on both sides). Without the
# bare ends, the wide bar of a plain 2, 4, 5 or 7 and the top of a wide 0 or 3 read as struck
# through: 3.9 % of plain validation digits (MNIST's validation split and the validation font),
# refused for nothing; with them 0.6 %. The rule flags 60 % of crossed-out validation digits
# (90 % without), but it is a second net only: on those 600 boxes the model alone ("not one
# digit" or unsure) refuses 99.7 %, and neither form of the rule refuses one more.
_STRIKE_EDGE_PX = 2
_STRIKE_BAND_PX = 8
_STRIKE_SHARE = 0.9
_STRIKE_END_PX = 3
_STRIKE_END_RUN_PX = 8


def _longest_run(column: np.ndarray) -> int:
    """The longest run of True in a 1-D boolean array."""
    padded = np.concatenate([[False], column, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


def _struck_through(view: BoxView) -> bool:
    cols = np.flatnonzero(view.interior.any(axis=0))
    if not len(cols):
        return False
    left, right = int(cols[0]), int(cols[-1])
    labels, _ = label_marks(view.ink)
    for mark in range(1, int(labels.max()) + 1):
        mask = labels == mark
        xs = np.flatnonzero(mask.any(axis=0))
        if xs[0] - left > _STRIKE_EDGE_PX or right - xs[-1] > _STRIKE_EDGE_PX:
            continue
        ends = (view.ink[:, xs[0]:xs[0] + _STRIKE_END_PX],
                view.ink[:, xs[-1] + 1 - _STRIKE_END_PX:xs[-1] + 1])
        if max(_longest_run(np.asarray(end.any(axis=1))) for end in ends) > _STRIKE_END_RUN_PX:
            continue
        ys = np.flatnonzero(mask.any(axis=1))
        for top in range(int(ys[0]), int(ys[-1]) + 1, 2):
            covered = int(mask[top:top + _STRIKE_BAND_PX].any(axis=0).sum())
            if covered >= _STRIKE_SHARE * (right - left + 1):
                return True
    return False


# Boxes that may hold any digit, or none: nothing is ruled out in them.
_ANYTHING = frozenset({DigitReject.NOT_A_DIGIT, DigitReject.TWO_MARKS,
                       DigitReject.STRUCK_THROUGH})


def read_digits(crops: Sequence[np.ndarray], px_per_mm: float,
                model: DigitModel | None = None) -> list[DigitReading]:
    """Every box of a page at once: one matrix product for all of them."""
    model = model or load_model()
    views = view_boxes(crops, px_per_mm)
    inks = [ink_of(view) for view in views]
    features = [features_of(view) for view in views]
    written = [i for i, f in enumerate(features) if f is not None]
    readings = [DigitReading(None, 0.0, DigitReject.BLANK, ink) for ink in inks]
    if not written:
        return readings
    judged = model.judge(np.stack([features[i] for i in written]))  # type: ignore[misc]
    for digit, confidence, refused, most, i in zip(
            judged.digits.tolist(), judged.confidence.tolist(), judged.not_one.tolist(),
            judged.most, written, strict=True):
        # the shape rules before the confidence: a box holding two digits or a struck one may
        # hold anything, and rules nothing out however unsure the networks are of it
        if refused:
            reject = DigitReject.NOT_A_DIGIT
        elif _two_marks(views[i]):
            reject = DigitReject.TWO_MARKS
        elif _struck_through(views[i]):
            reject = DigitReject.STRUCK_THROUGH
        elif confidence < model.threshold:
            reject = DigitReject.LOW_CONFIDENCE
        else:
            reject = DigitReject.NONE
        ruled_out = frozenset() if reject in _ANYTHING else frozenset(
            np.flatnonzero(most < model.rule_out_below).tolist())
        readings[i] = DigitReading(digit, confidence, reject, inks[i], ruled_out)
    return readings


def read_digit(crop: np.ndarray, px_per_mm: float) -> DigitReading:
    return read_digits([crop], px_per_mm)[0]
