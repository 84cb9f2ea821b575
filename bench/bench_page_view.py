"""How long a scanned page keeps the GUI thread busy when it comes on screen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_page_view.py [--pages 20]

Makes pages as the importer stores them (A4 at 200 dpi, grayscale JPEG quality 70, with scanner
grain so they weigh what real scans weigh), then times the two halves of ``PageView.set_image``:
the decode and conversion done in the worker thread (``decode_page``), and what is left for the
GUI thread once it is done (wrapping the image, fitting the width, the first paint). Prints the
median and the worst page of each. No assertion on time (goal: the GUI-thread part well under
50 ms per page).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
from PIL import Image, ImageDraw
from PySide6.QtWidgets import QApplication

from reentry.scanning.page_images import JPEG_QUALITY
from ui.page_view import PageView, decode_page

A4_AT_200_DPI = (1654, 2339)


def stored_page(seed: int) -> bytes:
    """A ruled form with some ink and scanner grain, encoded as the importer stores it."""
    generator = np.random.default_rng(seed)
    width, height = A4_AT_200_DPI
    pixels = np.clip(250 + generator.normal(0, 10, (height, width)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "L")
    draw = ImageDraw.Draw(image)
    for y in range(300, height - 200, 60):
        draw.line((100, y, width - 100, y), fill=30, width=2)
    for x in range(100, width - 99, 180):
        draw.line((x, 300, x, height - 260), fill=30, width=2)
    for n in range(40):
        draw.text((140 + (n % 8) * 180, 320 + (n // 8) * 60), f"{36 + n % 3},{n % 10}", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    view = PageView()
    view.resize(700, 900)
    view.show()
    app.processEvents()

    pages = [stored_page(seed) for seed in range(args.pages)]
    worker, gui = [], []
    for data in pages:
        began = time.perf_counter()
        image = decode_page(data)
        decoded = time.perf_counter()
        view.show_decoded(image)  # what the GUI thread does once the decode is done
        view.canvas.viewport().repaint()
        gui.append(time.perf_counter() - decoded)
        worker.append(decoded - began)
    size = statistics.median(len(p) for p in pages) / 1000
    print(f"{len(pages)} pages of {A4_AT_200_DPI[0]}x{A4_AT_200_DPI[1]} px, median {size:.0f} kB")
    for name, times in (("worker thread: decode + convert", worker),
                        ("GUI thread: show + fit + first paint", gui)):
        print(f"{name:40s} median {statistics.median(times) * 1000:6.1f} ms"
              f"   worst {max(times) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
