"""What the entry screen asks of the scanned page, off the GUI thread: the sheet's cross-check
(each stored page image read once, about a tenth of a second) and, for the page on screen, where
each field's boxes lie on the stored image, so the box of a disagreement can be shown beside its
cell. Plain data only: this runs in a reader's thread, on its own connection, and never touches
a widget.

``second_read.page.field_rect`` gives a field's boxes in millimetres on the printed layout; the
stored image is the scanned paper (shifted, a little turned), so the page is registered by its
corner marks (``layout.registration``) and every field's boxes mapped to image pixels at once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image

from reentry.barcodes import page_code
from reentry.domain.layout import Rect
from reentry.domain.second_read import FieldKey, SheetCheck
from reentry.formdefs import load_forms
from reentry.layout.registration import MarksNotFound, Registration, register_page
from reentry.layout.sheet import NoLayout, page_layout
from reentry.second_read.crosscheck import check_sheet
from reentry.second_read.page import field_key
from reentry.store.areas import Store

MM_PER_INCH = 25.4
Area = tuple[float, float, float, float]  # left, top, width, height in image pixels


@dataclass(frozen=True)
class PaperReading:
    """The sheet's cross-check and, for one page, each field's boxes on its stored image."""

    serial: int
    page: int
    check: SheetCheck
    areas: dict[FieldKey, Area] = field(default_factory=dict)


def read_paper(store: Store, serial: int, page: int) -> PaperReading:
    """Read what has not been read yet, compare, keep the outcome (the core's ``check_sheet``),
    then place the page's fields on its image."""
    return PaperReading(serial, page, check_sheet(store, serial), box_areas(store, serial, page))


def box_areas(store: Store, serial: int, page: int) -> dict[FieldKey, Area]:
    """Each field's boxes (a comb, every answer of a choice) on the latest stored image of the
    page; empty when the page has no image, no layout or corner marks that cannot be found."""
    instance = store.form_instance(serial)
    form = load_forms().get(instance.template_id) if instance is not None else None
    scan = next((s for s in store.scan_pages(serial) if s.page == page and s.current), None)
    if form is None or scan is None:
        return {}
    try:
        layout = page_layout(store, page_code(serial, page)).layout
    except NoLayout:
        return {}
    with Image.open(io.BytesIO(store.queued_page_image(scan.id))) as image:
        try:
            registration = register_page(image.convert("L"), layout, scan.dpi / MM_PER_INCH)
        except MarksNotFound:
            return {}
    rects: dict[FieldKey, list[Rect]] = {}
    for box in layout.boxes:
        rects.setdefault(field_key(form, box), []).append(box.rect)
    return {key: _area(registration, found) for key, found in rects.items()}


def _area(registration: Registration, rects: list[Rect]) -> Area:
    corners = [registration.to_pixels(x, y) for r in rects
               for x in (r.x, r.right) for y in (r.y, r.bottom)]
    left, top = min(c[0] for c in corners), min(c[1] for c in corners)
    return (left, top, max(c[0] for c in corners) - left, max(c[1] for c in corners) - top)
