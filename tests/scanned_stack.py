"""Scanned stacks made from really printed PDFs, the way a document scanner would return them.

Pages are rasterised with PDFium at the scanner's resolution, turned by a quarter turn (a sheet
fed upside down or sideways), skewed by up to 3°, speckled with sensor noise and dust, shuffled,
and written as a scanner writes them: one JPEG-in-PDF, a multi-page bilevel TIFF, or a folder of
PNG files. What each page *should* be attached to is read from the page's printed text (the
human-readable code under the barcode), never from the barcode decoder under test.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageChops, ImageDraw

from reentry.barcodes import split_code

_PRINTED_CODE = re.compile(r"\b(\d{4}) (\d{4}) (\d{4})\b")
_PAPER = 250  # a scanner's lid is not quite white
_QUARTER_TURNS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
                  270: Image.Transpose.ROTATE_270}  # counterclockwise, like Image.rotate


@dataclass
class ScannedPage:
    image: Image.Image
    serial: int
    page: int
    rotation: int = 0  # quarter turn applied counterclockwise (the importer must undo it)
    skew: float = 0.0


def printed_pages(pdf_path: Path, dpi: int) -> list[ScannedPage]:
    """Each page of a printed PDF as a clean grayscale raster, with the code printed on it."""
    document = pdfium.PdfDocument(str(pdf_path))
    pages = []
    try:
        for page in document:
            text = page.get_textpage().get_text_range()
            codes = {"".join(m.groups()) for m in _PRINTED_CODE.finditer(text)}
            assert len(codes) == 1, f"expected one printed code per page, found {codes}"
            code = split_code(codes.pop())
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            pages.append(ScannedPage(image, code.serial, code.page))
    finally:
        document.close()
    return pages


def scanned(page: ScannedPage, rng: random.Random, *, quarter: int, noise: float = 10.0
            ) -> ScannedPage:
    """``page`` as it comes out of a sheet-fed scanner: turned, skewed ±3°, grainy, dusty."""
    skew = rng.uniform(-3.0, 3.0)
    turned = page.image.transpose(_QUARTER_TURNS[quarter % 360]) if quarter % 360 else page.image
    image = turned.rotate(skew, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=_PAPER)
    width, height = image.size
    generator = np.random.default_rng(rng.randrange(1 << 30))
    # Grain three pixels wide, drawn at a third of the resolution (nine times fewer samples).
    small = generator.standard_normal((height // 3 + 1, width // 3 + 1), dtype=np.float32)
    small = np.clip(small * noise + 128, 0, 255).astype(np.uint8)
    grain = Image.fromarray(small, "L").resize((width, height), Image.Resampling.NEAREST)
    noisy = ImageChops.add(image, grain, 1.0, -128 - (255 - _PAPER))
    dust = int(width * height * 0.0005)
    ImageDraw.Draw(noisy).point(list(zip(generator.integers(0, width, dust).tolist(),
                                         generator.integers(0, height, dust).tolist(),
                                         strict=True)), fill=40)
    return ScannedPage(noisy, page.serial, page.page, quarter % 360, skew)


def smudged(page: ScannedPage, symbols: int = 3) -> ScannedPage:
    """Ink over the middle of the page's codes (all of them by default): unreadable by any
    decoder, as a coffee ring or a marker stroke would leave them."""
    image = page.image.copy()
    draw = ImageDraw.Draw(image)
    found = zxingcpp.read_barcodes(image, formats=(zxingcpp.BarcodeFormat.Code128,
                                                   zxingcpp.BarcodeFormat.DataMatrix))
    assert len(found) >= symbols, "the clean page should carry its three codes"
    for symbol in found[:symbols]:
        p = symbol.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
        width, height = right - left, bottom - top
        # A band through the middle of the symbol, across its whole height (bars) or width.
        if symbol.format == zxingcpp.BarcodeFormat.DataMatrix:
            draw.rectangle((left - 2, top + height * 0.25, right + 2, bottom - height * 0.2),
                           fill=30)
        else:
            draw.rectangle((left + width * 0.3, top - 20, right - width * 0.3, bottom + 20),
                           fill=30)
    return ScannedPage(image, page.serial, page.page)


def _datamatrix(code: str, module_pixels: int) -> Image.Image:
    symbol = zxingcpp.create_barcode(code, zxingcpp.BarcodeFormat.DataMatrix)
    return Image.fromarray(np.asarray(symbol.to_image(scale=module_pixels))).convert("L")


def with_foreign_code(page: ScannedPage, code: str, dpi: int) -> ScannedPage:
    """Another sheet's code on a label stuck in the middle of the page."""
    image = page.image.copy()
    symbol = zxingcpp.create_barcode(code, zxingcpp.BarcodeFormat.Code128)
    bars = np.asarray(symbol.to_image(scale=max(2, dpi // 75), add_hrt=False))
    label = Image.fromarray(bars).convert("L")
    label = label.resize((label.width, dpi // 2))  # bars 12 mm tall
    image.paste(label, (image.width // 3, image.height // 2))
    return ScannedPage(image, page.serial, page.page)


def blank_page(dpi: int, rng: random.Random) -> Image.Image:
    """The back of a sheet: paper and noise, no ink."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    generator = np.random.default_rng(rng.randrange(1 << 30))
    pixels = _PAPER + generator.normal(0, 6, (height, width))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def page_with_only(code: str, dpi: int) -> Image.Image:
    """A page with nothing but one code on it (a sheet from another database)."""
    image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), _PAPER)
    image.paste(_datamatrix(code, max(4, dpi // 40)), (dpi, dpi))
    return image


def shuffled(pages: list[ScannedPage], rng: random.Random) -> list[ScannedPage]:
    order = list(pages)
    rng.shuffle(order)
    return order


def write_pdf(images: list[Image.Image], path: Path, dpi: int) -> Path:
    """One PDF, each page one JPEG image, as most scanners write a stack."""
    first, *rest = images
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=dpi, quality=80)
    return path


def write_bilevel_tiff(images: list[Image.Image], path: Path, dpi: int) -> Path:
    """One multi-page black-and-white TIFF (CCITT group 4), the archival scanner setting."""
    threshold = [0] * 151 + [255] * 105
    bilevel = [image.point(threshold).convert("1") for image in images]
    first, *rest = bilevel
    first.save(path, "TIFF", save_all=True, append_images=rest, compression="group4",
               dpi=(dpi, dpi))
    return path


def write_image_folder(images: list[Image.Image], folder: Path, dpi: int) -> list[str]:
    """One file per page, numbered as a scanner numbers them (``scan2`` before ``scan10``),
    PNG and TIFF in turn; returns the file names in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for number, image in enumerate(images, start=1):
        name = f"scan{number}.png" if number % 2 else f"scan{number}.tif"
        image.save(folder / name, dpi=(dpi, dpi), **({"compress_level": 0} if number % 2 else {}))
        names.append(name)
    return names
