"""Checkboxes (reentry.reading.checkbox) on scanned boxes drawn by bench/reading_boxes.py: ticks
and crosses, blacked-out corrections, empty boxes with specks, light ticks, a box off-centre."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reentry.reading import CheckboxVerdict, read_checkbox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import reading_boxes as rb  # noqa: E402

PX = rb.SCAN_PX_PER_MM


def scanned(draw: Callable[[rb.Canvas, np.random.Generator], None], seed: int,
            how: rb.Scan | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    canvas = rb.Canvas(rb.CHECKBOX_MM, rb.CHECKBOX_MM)
    draw(canvas, rng)
    return canvas.scan(how or rb.Scan.random(rng))


@pytest.mark.parametrize("seed", range(25))
def test_a_tick_reads_ticked(seed: int) -> None:
    crop = scanned(lambda c, rng: rb.tick(c, rng, rb.pen_gray(rng)), seed)
    assert read_checkbox(crop, PX).verdict is CheckboxVerdict.TICKED


@pytest.mark.parametrize("seed", range(15))
def test_a_blacked_out_box_reads_filled(seed: int) -> None:
    crop = scanned(lambda c, rng: rb.filled(c, rng, rb.pen_gray(rng)), seed)
    assert read_checkbox(crop, PX).verdict is CheckboxVerdict.FILLED


@pytest.mark.parametrize("seed", range(15))
def test_an_empty_box_reads_empty_with_or_without_a_speck(seed: int) -> None:
    def speck(canvas: rb.Canvas, rng: np.random.Generator) -> None:
        if seed % 2:
            x, y = rng.uniform(0.8, 3.2, 2)
            canvas.add_strokes([[(x, y), (x + 0.01, y)]], 0.35, 30)

    assert read_checkbox(scanned(speck, seed), PX).verdict is CheckboxVerdict.EMPTY


@pytest.mark.parametrize("seed", range(15))
def test_a_light_tick_is_ticked_or_unsure_never_empty(seed: int) -> None:
    crop = scanned(lambda c, rng: rb.tick(c, rng, rb.pen_gray(rng, light=True)), seed)
    assert read_checkbox(crop, PX).verdict in {CheckboxVerdict.TICKED, CheckboxVerdict.UNSURE}


def test_a_box_off_centre_by_half_a_millimetre_keeps_its_reading() -> None:
    for offset in ((0.5, -0.5), (-0.5, 0.5)):
        how = rb.Scan(rotation_deg=-2.0, offset_mm=offset, blur_px=0.5, noise=4, paper=230)
        empty = scanned(lambda c, rng: None, 1, how)
        ticked = scanned(lambda c, rng: rb.tick(c, rng, 30), 2, how)
        assert read_checkbox(empty, PX).verdict is CheckboxVerdict.EMPTY
        assert read_checkbox(ticked, PX).verdict is CheckboxVerdict.TICKED


def test_a_half_filled_box_is_unsure() -> None:
    """Half the box inked: neither a tick nor a correction a reader could swear to."""
    def half(canvas: rb.Canvas, rng: np.random.Generator) -> None:
        left, top, right, bottom = canvas.box_px()
        alpha = np.ones((bottom - top, (right - left) // 2), dtype=np.float32)
        canvas.add_ink(alpha, left, top, 30)

    reading = read_checkbox(scanned(half, 3, rb.Scan()), PX)
    assert reading.verdict is CheckboxVerdict.UNSURE, reading
