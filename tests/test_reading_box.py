"""The box view's shared pieces: boxes viewed together read exactly as each alone, and the
labelling of marks by runs agrees with a plain flood fill (issue 14, reading speed)."""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path

import numpy as np

from reentry.reading import view_box, view_boxes
from reentry.reading.box import label_marks

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import reading_boxes as rb  # noqa: E402


def flood_labels(mask: np.ndarray) -> np.ndarray:
    """8-connected marks numbered in the order of their first pixel, row by row."""
    labels = np.zeros(mask.shape, dtype=np.int32)
    height, width = mask.shape
    count = 0
    for y in range(height):
        for x in range(width):
            if mask[y, x] and not labels[y, x]:
                count += 1
                labels[y, x] = count
                todo = deque([(y, x)])
                while todo:
                    cy, cx = todo.popleft()
                    for ny in range(max(0, cy - 1), min(height, cy + 2)):
                        for nx in range(max(0, cx - 1), min(width, cx + 2)):
                            if mask[ny, nx] and not labels[ny, nx]:
                                labels[ny, nx] = count
                                todo.append((ny, nx))
    return labels


def test_marks_are_labelled_as_a_flood_fill_would() -> None:
    rng = np.random.default_rng(14)
    for _ in range(300):
        height, width = (int(n) for n in rng.integers(1, 30, 2))
        mask = rng.random((height, width)) < rng.uniform(0.05, 0.7)
        labels, areas = label_marks(mask)
        expected = flood_labels(mask)
        assert np.array_equal(labels, expected)
        assert areas.tolist() == np.bincount(expected.ravel())[1:].tolist()


def test_two_marks_touching_only_by_a_corner_are_one() -> None:
    mask = np.array([[1, 1, 0, 0, 0],
                     [0, 0, 1, 0, 1],
                     [1, 0, 0, 0, 1]], dtype=bool)
    labels, areas = label_marks(mask)
    assert labels.tolist() == [[1, 1, 0, 0, 0], [0, 0, 1, 0, 2], [3, 0, 0, 0, 2]]
    assert areas.tolist() == [3, 2, 1]


def test_boxes_viewed_together_read_as_each_alone() -> None:
    rng = np.random.default_rng(2026)
    crops = []
    for i in range(24):
        if i % 4 == 0:
            crops.append(rb.empty_box(rng, *rb.DIGIT_BOX_MM, speck=True))
        elif i % 4 == 1:
            canvas = rb.Canvas(rb.CHECKBOX_MM, rb.CHECKBOX_MM)  # another size in the same call
            rb.tick(canvas, rng, rb.pen_gray(rng))
            crops.append(canvas.scan(rb.Scan.random(rng)))
        else:
            canvas = rb.Canvas(*rb.DIGIT_BOX_MM)
            rb.scribble(canvas, rng, rb.pen_gray(rng, light=i % 4 == 3))
            crops.append(canvas.scan(rb.Scan.random(rng)))
    pencil = np.full((44, 52), 250, dtype=np.uint8)  # a printed box, a faint pencil mark
    pencil[8, 8:44] = pencil[35, 8:44] = 40
    pencil[8:36, 8] = pencil[8:36, 43] = 40
    pencil[18:24, 20:27] = 195
    crops.insert(5, pencil)
    together = view_boxes(crops, rb.SCAN_PX_PER_MM)
    assert len(together) == len(crops)
    for crop, view in zip(crops, together, strict=True):
        alone = view_box(crop, rb.SCAN_PX_PER_MM)
        assert view.darkness.shape == crop.shape
        assert np.array_equal(view.darkness, alone.darkness)
        assert np.array_equal(view.ink, alone.ink)
        assert np.array_equal(view.interior, alone.interior)
        assert (view.border_found, view.marks) == (alone.border_found, alone.marks)
        # the faint marks counted for the whole stack are those the box's own view counts
        assert view.faint_mm2 == alone.faint_mm2
        recounted = type(alone)(alone.darkness, alone.ink, alone.interior,
                                alone.border_found, alone.marks)
        assert recounted.faint_mm2 == alone.faint_mm2
    assert {v.marks for v in together} != {0}
    assert any(v.faint_mm2 > 0 for v in together)
