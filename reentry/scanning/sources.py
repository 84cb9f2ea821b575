"""Scan files and their pages as grayscale images: multi-page PDFs, TIFFs and single images.

A document scanner writes either one PDF per stack (each page one embedded image, usually JPEG
or CCITT), a multi-page TIFF, or one image file per page in a folder. A file's identity is the
sha256 of its bytes, so the same stack imported twice is recognised whatever it is called.

Pages are read at the scanner's own resolution: an embedded image that fills the page is
decoded as is (no resampling, no anti-aliasing that would soften thin bars), anything else is
rendered at the resolution of its largest image or at 200 dpi.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageSequence, UnidentifiedImageError

from reentry.errors import UserError

PDF = "pdf"
IMAGE = "image"  # one or more frames (multi-page TIFF) in an image file
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif"})
SUFFIXES = IMAGE_SUFFIXES | {".pdf"}

DEFAULT_DPI = 200  # pages with no embedded image (a PDF printed to file, not scanned)
MIN_RENDER_DPI = 150
MAX_RENDER_DPI = 300
A4_LONG_SIDE_INCHES = 297 / 25.4
_FILLS_PAGE = 0.9  # an image covering this much of the page is the scan of that page


@dataclass(frozen=True)
class ScanSource:
    """One file to import: where it is, what it is, how many pages, its sha256."""

    path: Path
    kind: str
    sha256: str
    page_count: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class PageTask:
    """What a worker needs to read one page: picklable, no open handles."""

    path: str
    kind: str
    index: int


@dataclass
class LoadedPage:
    image: Image.Image  # mode "L"
    dpi: int


def _natural(path: Path) -> tuple[object, ...]:
    """``page2.png`` before ``page10.png``, as a scanner numbers its files."""
    parts = re.split(r"(\d+)", path.name.casefold())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as their scan files (PDF and images, natural order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted((p for p in path.iterdir()
                             if p.is_file() and p.suffix.lower() in SUFFIXES), key=_natural)
            if not inside:
                raise UserError("scans.empty_folder", folder=str(path))
            files.extend(inside)
        elif path.is_file():
            files.append(path)
        else:
            raise UserError("scans.file_not_found", path=str(path))
    return files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_source(path: Path) -> ScanSource:
    """Recognise the file by its content (not its name) and count its pages."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise UserError("scans.file_unreadable", file=path.name, detail=error.strerror or "") \
            from error
    if b"%PDF-" in head:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as error:
            raise UserError("scans.not_a_scan", file=path.name) from error
        try:
            count = len(document)
        finally:
            document.close()
        kind = PDF
    else:
        try:
            with Image.open(path) as image:
                count = getattr(image, "n_frames", 1)
        except (UnidentifiedImageError, OSError) as error:
            raise UserError("scans.not_a_scan", file=path.name) from error
        kind = IMAGE
    if count < 1:
        raise UserError("scans.no_pages", file=path.name)
    return ScanSource(path, kind, file_sha256(path), count)


def open_sources(paths: Sequence[Path]) -> list[ScanSource]:
    """Every file checked before anything is imported: a typo in the last path stops nothing
    half-way."""
    return [open_source(path) for path in expand_paths(paths)]


def inferred_dpi(size: tuple[int, int], declared: float | None) -> int:
    """The declared resolution when it is plausible for a sheet of paper; else assume A4."""
    long_side = max(size)
    if declared and declared > 0 and 7.5 <= long_side / declared <= 17.5:
        return round(declared)
    return round(long_side / A4_LONG_SIDE_INCHES)


class PageReader:
    """Reads pages, keeping the last PDF open: a stack's pages are asked for in order."""

    def __init__(self) -> None:
        self._path: str | None = None
        self._document: pdfium.PdfDocument | None = None

    def close(self) -> None:
        if self._document is not None:
            self._document.close()
        self._document = None
        self._path = None

    def read(self, task: PageTask) -> LoadedPage:
        if task.kind == PDF:
            return self._pdf_page(task.path, task.index)
        return _image_page(task.path, task.index)

    def _pdf(self, path: str) -> pdfium.PdfDocument:
        if self._path != path:
            self.close()
            self._document = pdfium.PdfDocument(path)
            self._path = path
        assert self._document is not None
        return self._document

    def _pdf_page(self, path: str, index: int) -> LoadedPage:
        page = self._pdf(path)[index]
        try:
            return _scanned_image(page) or _rendered(page)
        finally:
            page.close()


def _scanned_image(page: pdfium.PdfPage) -> LoadedPage | None:
    """The page's one embedded image, decoded as stored, when it is the scan of the page.

    Any quarter turn of the image is fine (the codes tell which way is up later); a mirrored
    or sheared placement, or a page with other content on top, is rendered instead.
    """
    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1))
    if len(images) != 1:
        return None
    image = images[0]
    width, height = page.get_size()
    left, bottom, right, top = image.get_bounds()
    if (right - left) * (top - bottom) < _FILLS_PAGE * width * height:
        return None
    m = image.get_matrix()
    axis_aligned = (abs(m.b) < 1e-6 and abs(m.c) < 1e-6) or (abs(m.a) < 1e-6 and abs(m.d) < 1e-6)
    if not axis_aligned or m.a * m.d - m.b * m.c <= 0:
        return None
    try:
        picture = image.get_bitmap(render=False).to_pil()
    except pdfium.PdfiumError:
        return None
    grey = picture if picture.mode == "L" else picture.convert("L")
    long_points = max(right - left, top - bottom)
    return LoadedPage(grey, inferred_dpi(grey.size, max(grey.size) / long_points * 72))


def _rendered(page: pdfium.PdfPage) -> LoadedPage:
    width, height = page.get_size()
    dpi = DEFAULT_DPI
    sizes = [o.get_px_size() for o in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
    if sizes:
        largest = max(max(s) for s in sizes)
        dpi = min(MAX_RENDER_DPI, max(MIN_RENDER_DPI, round(largest / max(width, height) * 72)))
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    picture = bitmap.to_pil()
    grey = picture if picture.mode == "L" else picture.convert("L")
    return LoadedPage(grey.copy(), dpi)


def _image_page(path: str, index: int) -> LoadedPage:
    with Image.open(path) as image:
        frame = image if index == 0 else ImageSequence.Iterator(image)[index]
        declared = frame.info.get("dpi")
        dpi = inferred_dpi(frame.size, float(declared[0]) if declared else None)
        if frame.mode == "L":
            grey = frame.copy()
        else:
            grey = frame.convert("L")
    return LoadedPage(grey, dpi)
