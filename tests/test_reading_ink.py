"""Ink in a box (reentry.reading.ink) on scanned boxes drawn by bench/reading_boxes.py: held-out
MNIST digits, empty boxes, specks, a border off-centre, light pencil, another resolution."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reentry.reading import InkVerdict, read_ink

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import reading_boxes as rb  # noqa: E402

PX = rb.SCAN_PX_PER_MM


@pytest.fixture(scope="module")
def held_out() -> tuple[np.ndarray, np.ndarray]:
    return rb.held_out_mnist()


def test_written_digits_read_as_written(held_out: tuple[np.ndarray, np.ndarray]) -> None:
    images, _ = held_out
    rng = np.random.default_rng(1)
    verdicts = [read_ink(rb.digit_box(rb.mnist_alpha(images[i]), rng), PX).verdict
                for i in range(40)]
    assert verdicts == [InkVerdict.WRITTEN] * 40


def test_empty_boxes_read_as_blank_even_with_a_speck() -> None:
    rng = np.random.default_rng(2)
    for i in range(40):
        reading = read_ink(rb.empty_box(rng, *rb.DIGIT_BOX_MM, speck=i % 2 == 0), PX)
        assert reading.verdict is InkVerdict.BLANK, reading


def test_a_border_off_centre_and_turned_is_not_taken_for_ink() -> None:
    """Registration off by 0.5 mm and a 2.5° turn: the printed border is found, not counted."""
    rng = np.random.default_rng(3)
    for offset in ((0.5, 0.5), (-0.5, 0.3), (0.4, -0.5)):
        how = rb.Scan(rotation_deg=2.5, offset_mm=offset, blur_px=0.6, noise=5, paper=225)
        reading = read_ink(rb.empty_box(rng, *rb.DIGIT_BOX_MM, speck=False, how=how), PX)
        assert reading.verdict is InkVerdict.BLANK, (offset, reading)
        assert reading.ink_mm2 == 0.0


def test_a_light_pencil_digit_is_never_called_blank(held_out: tuple[np.ndarray, np.ndarray]) -> None:
    images, _ = held_out
    rng = np.random.default_rng(4)
    for i in range(20):
        crop = rb.digit_box(rb.mnist_alpha(images[i]), rng, light=True)
        assert read_ink(crop, PX).verdict is not InkVerdict.BLANK


def test_a_speck_that_counts_as_ink_would_fail_this_test() -> None:
    """A clear dot of 1 mm is a mark, not a speck: not blank (the speck filter has a limit)."""
    canvas = rb.Canvas(*rb.DIGIT_BOX_MM)
    canvas.add_strokes([[(2.0, 3.0), (2.01, 3.0)]], 1.0, 20)
    reading = read_ink(canvas.scan(rb.Scan()), PX)
    assert reading.verdict is not InkVerdict.BLANK
    assert 0.5 < reading.ink_mm2 < 1.2


def test_a_crop_at_another_resolution_reads_the_same(held_out: tuple[np.ndarray, np.ndarray]) -> None:
    images, _ = held_out
    rng = np.random.default_rng(5)
    crop = rb.digit_box(rb.mnist_alpha(images[7]), rng, how=rb.Scan())
    empty = rb.empty_box(rng, *rb.DIGIT_BOX_MM, speck=False, how=rb.Scan())
    for image, expected in ((crop, InkVerdict.WRITTEN), (empty, InkVerdict.BLANK)):
        h, w = image.shape
        at_300 = np.asarray(Image.fromarray(image).resize((round(w * 1.5), round(h * 1.5)),
                                                          Image.Resampling.BICUBIC))
        assert read_ink(at_300, PX * 1.5).verdict is expected


def test_a_crop_that_is_not_grayscale_is_refused() -> None:
    with pytest.raises(ValueError, match="grayscale"):
        read_ink(np.zeros((10, 10, 3), dtype=np.uint8), PX)


def test_a_crop_too_small_to_hold_a_box_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        read_ink(np.full((20, 20), 255, dtype=np.uint8), PX)
