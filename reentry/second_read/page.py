"""Reading one stored scanned page: its printed layout, its corner marks, then every field's boxes.

The layout comes from ``reentry.layout`` (the renderer's own geometry), the box readers from
``reentry.reading``; this module only turns their per-box answers into one answer per field, in
the form's own terms: a number with its decimal separator, a time, a choice's code. A value is
given only when every box of it is read with confidence *and* the form accepts it (range,
decimals, a real time); anything short of that is `unsure`, never a guess.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from reentry.barcodes import page_code
from reentry.domain.layout import BoxKind, FieldBox, PageLayout, Rect
from reentry.domain.second_read import FieldKey, FieldReading, Ink, PageReading, ReadOutcome
from reentry.formdefs import load_forms
from reentry.formdefs_model import ExportRole, FieldDefinition, FieldType, FormDefinition, Section
from reentry.formdefs_values import canonical, validate_value
from reentry.layout.registration import (
    CROP_PX_PER_MM,
    MarksNotFound,
    Registration,
    crop_box,
    register_page,
)
from reentry.reading import (
    MARGIN_MM,
    CheckboxVerdict,
    DigitReading,
    InkVerdict,
    read_checkboxes,
    read_digits,
    read_inks,
)
from reentry.store.areas import Store

MM_PER_INCH = 25.4
_ALWAYS_READ = frozenset({BoxKind.COMB_DIGIT, BoxKind.CHECKBOX, BoxKind.INITIALS})
_FREE_WRITING = frozenset({BoxKind.WRITE_IN, BoxKind.TEXT_AREA})
_RULE_SHARE = 0.6  # a row of a ruled area this dark across its width is a printed rule
_RULE_PAD_PX = 1  # rows either side of a rule, whitened with it (its anti-aliasing)
_BORDER_MM = 0.8  # rows this close to the box's border are left to the reader's border finder
_AROUND_MM = 2.0  # paper kept around a field's boxes before cutting each one out
_COMB_KEEP_MM = 0.35  # paper kept above and below a comb box (see ``_comb_crop``)
_INK = {InkVerdict.WRITTEN: Ink.WRITTEN, InkVerdict.BLANK: Ink.BLANK,
        InkVerdict.UNSURE: Ink.UNSURE}


def is_sheet_section(section: Section) -> bool:
    """The sheet's own values (its date), typed once for the sheet, not in a row."""
    return not section.repeated and all(f.export == ExportRole.EVENT_DATE
                                        for f in section.fields)


def field_key(form: FormDefinition, box: FieldBox) -> FieldKey:
    """Where a box's value is typed: a row of its section (a section that is not repeated is
    typed as its row 0), or the sheet's own values (``row_index`` None)."""
    section = form.section_of(box.field_id)
    if is_sheet_section(section):
        return FieldKey(section.id, None, box.field_id)
    return FieldKey(section.id, box.row if box.row is not None else 0, box.field_id)


@dataclass(frozen=True)
class _Group:
    """The boxes of one field in one row, in paper order."""

    key: FieldKey
    field: FieldDefinition
    boxes: tuple[FieldBox, ...]

    @property
    def kind(self) -> BoxKind:
        return self.boxes[0].kind


def _groups(form: FormDefinition, layout: PageLayout) -> list[_Group]:
    found: dict[FieldKey, list[FieldBox]] = {}
    for box in layout.boxes:
        found.setdefault(field_key(form, box), []).append(box)
    return [_Group(key, form.field(key.field_id), tuple(boxes)) for key, boxes in found.items()]


def _is_read(form: FormDefinition, group: _Group) -> bool:
    """Digits, ticks and initials everywhere; what is written freely (a reason, a note's ruled
    lines) in a table's cells only: a labelled line outside a table (the sheet's date, a
    transfer's destination) has its label and hint printed inside the box, and the ink found
    there is not the writer's, so it is left to the person."""
    if group.kind in _ALWAYS_READ:
        return True
    return group.kind in _FREE_WRITING and form.section_of(group.field.id).repeated


def read_page_image(image: Image.Image, layout: PageLayout, form: FormDefinition,
                    px_per_mm: float | None = None) -> tuple[list[FieldReading], float]:
    """Every field on ``layout`` as read on ``image`` (an upright scan of that page) and how
    well the corner marks agreed (mm); ``MarksNotFound`` when they cannot be found."""
    gray = image.convert("L")
    registration = register_page(gray, layout, px_per_mm)
    groups = [g for g in _groups(form, layout) if _is_read(form, g)]
    readings: dict[FieldKey, FieldReading] = {}
    combs = [g for g in groups if g.kind is BoxKind.COMB_DIGIT]
    crops = [_comb_crop(c) for g in combs for c in _crops(gray, registration, g.boxes[0].digits)]
    # Every comb box viewed once, all together: its ink, and its digit where not blank (the
    # model sees the same boxes as when only the boxes with ink were given to it).
    comb_reads = read_digits(crops, CROP_PX_PER_MM)
    inks = [reading.ink.verdict for reading in comb_reads]
    digits: list[DigitReading | None] = [  # None: a blank box
        None if ink is InkVerdict.BLANK else reading
        for ink, reading in zip(inks, comb_reads, strict=True)]
    start = 0
    for group in combs:
        count = len(group.boxes[0].digits)
        readings[group.key] = _comb(group, inks[start:start + count],
                                    digits[start:start + count])
        start += count
    choices = [g for g in groups if g.kind is BoxKind.CHECKBOX]
    others = [g for g in groups if g.kind not in (BoxKind.CHECKBOX, BoxKind.COMB_DIGIT)]
    choice_crops = [_crops(gray, registration, [box.rect for box in g.boxes]) for g in choices]
    other_crops = [_ink_crops(g, gray, registration) for g in others]
    ticks = iter(read_checkboxes([c for cs in choice_crops for c in cs], CROP_PX_PER_MM))
    for group, group_crops in zip(choices, choice_crops, strict=True):
        readings[group.key] = _choice(group, [next(ticks).verdict for _ in group_crops])
    marks = iter(read_inks([c for cs in other_crops for c in cs], CROP_PX_PER_MM))
    for group, group_crops in zip(others, other_crops, strict=True):
        readings[group.key] = FieldReading(group.key, str(group.kind), _field_ink(
            [_INK[next(marks).verdict] for _ in group_crops]))
    return [readings[g.key] for g in groups], registration.residual_mm


def read_stored_page(image_bytes: bytes, dpi: int, layout: PageLayout, form: FormDefinition,
                     scan_page_id: int, serial: int, page: int) -> PageReading:
    """A stored page image read, or the reason it cannot be (marks not found: rescan)."""
    began = time.perf_counter()
    with Image.open(io.BytesIO(image_bytes)) as image:
        try:
            fields, residual = read_page_image(image, layout, form, dpi / MM_PER_INCH)
        except MarksNotFound:
            return PageReading(scan_page_id, serial, page, ReadOutcome.MARKS_NOT_FOUND,
                               seconds=time.perf_counter() - began)
    return PageReading(scan_page_id, serial, page, ReadOutcome.READ, tuple(fields), residual,
                       seconds=time.perf_counter() - began)


def _crops(image: Image.Image, registration: Registration, rects: Sequence[Rect]
           ) -> list[np.ndarray]:
    """The crops of boxes lying close together (one field, one row), cut from the part of the
    page around them: ``crop_box`` converts the image it is given, and a whole page each time
    would cost more than reading the boxes."""
    left = min(r.x for r in rects) - _AROUND_MM
    top = min(r.y for r in rects) - _AROUND_MM
    right = max(r.right for r in rects) + _AROUND_MM
    bottom = max(r.bottom for r in rects) + _AROUND_MM
    corners = [registration.to_pixels(x, y) for x in (left, right) for y in (top, bottom)]
    x0 = max(0, math.floor(min(p[0] for p in corners)))
    y0 = max(0, math.floor(min(p[1] for p in corners)))
    x1 = min(image.width, math.ceil(max(p[0] for p in corners)))
    y1 = min(image.height, math.ceil(max(p[1] for p in corners)))
    part = image.crop((x0, y0, x1, y1))
    matrix = registration.matrix.copy()
    matrix[:, 2] -= (x0, y0)
    moved = Registration(matrix, registration.marks_px, registration.residual_mm)
    return [crop_box(part, moved, rect) for rect in rects]


def _without_rules(crop: np.ndarray) -> np.ndarray:
    """A ruled writing area with its printed rules whitened: the rows (away from the border)
    dark across most of the width. Writing across a rule loses those few rows only."""
    paper = max(float(np.percentile(crop, 95)), 64.0)
    edge = round((MARGIN_MM + _BORDER_MM) * CROP_PX_PER_MM)
    inside = crop[:, edge:-edge] < paper * 0.8
    rows = [r for r in np.flatnonzero(inside.mean(axis=1) >= _RULE_SHARE)
            if edge <= r < crop.shape[0] - edge]
    cleaned = crop.copy()
    for row in rows:
        cleaned[row - _RULE_PAD_PX:row + _RULE_PAD_PX + 1, edge:-edge] = 255
    return cleaned


def _comb_crop(crop: np.ndarray) -> np.ndarray:
    """A comb box with the paper above and below it whitened beyond ``_COMB_KEEP_MM``: the
    table's rules run half a millimetre from a comb (a medication record's rows are tight),
    inside the reader's margin, where they would be taken for the box's own border."""
    keep = round((MARGIN_MM - _COMB_KEEP_MM) * CROP_PX_PER_MM)
    cleaned = crop.copy()
    cleaned[:keep, :] = 255
    cleaned[-keep:, :] = 255
    return cleaned


def _field_ink(inks: Sequence[Ink]) -> Ink:
    if Ink.WRITTEN in inks:
        return Ink.WRITTEN
    if Ink.UNSURE in inks:
        return Ink.UNSURE
    return Ink.BLANK


def _comb(group: _Group, inks: Sequence[InkVerdict], digits: Sequence[DigitReading | None]
          ) -> FieldReading:
    """A number or a time from its comb: the digits of each group between printed separators,
    blank boxes before or after the digits allowed (a number written from the left or the
    right), a gap inside a group or one unsure box making the whole value unsure."""
    box = group.boxes[0]
    ink = _field_ink([_INK[i] for i in inks])
    cuts = sorted(s.rect.x for s in box.separators)
    separators = [s.text for s in sorted(box.separators, key=lambda s: s.rect.x)]
    parts: list[list[tuple[InkVerdict, DigitReading | None]]] = [
        [] for _ in range(len(cuts) + 1)]
    for rect, verdict, reading in zip(box.digits, inks, digits, strict=True):
        parts[sum(rect.x > cut for cut in cuts)].append((verdict, reading))
    if ink is not Ink.WRITTEN:
        return FieldReading(group.key, str(box.kind), ink)
    shown = []
    ruled_out: list[str] = []  # a string of digits for each « ? »
    counted = sure = InkVerdict.UNSURE not in inks
    confidence = 1.0
    for part in parts:
        written = [i for i, (v, _) in enumerate(part) if v is InkVerdict.WRITTEN]
        if written and written[-1] - written[0] + 1 != len(written):
            counted = sure = False  # a blank box between two digits
        text = ""
        for verdict, reading in part:
            if verdict is InkVerdict.BLANK:
                continue
            if reading is not None and reading.confident and reading.digit is not None:
                text += str(reading.digit)
                confidence *= reading.confidence
            else:
                text += "?"
                ruled_out.append("".join(map(str, sorted(reading.ruled_out)))
                                 if reading is not None else "")
                sure = False
        shown.append(text)
    written_text = _joined(shown, separators)
    if not sure:
        return FieldReading(group.key, str(box.kind), ink, None, written_text,
                            ruled_out=tuple(ruled_out), counted=counted)
    check = validate_value(group.field, written_text)
    if check.error is not None or check.value is None or not _complete(group.field, shown):
        return FieldReading(group.key, str(box.kind), ink, None, written_text, counted=counted)
    return FieldReading(group.key, str(box.kind), ink, canonical(check.value), written_text,
                        round(confidence, 4), counted=counted)


def _joined(parts: Sequence[str], separators: Sequence[str]) -> str:
    """« 37,5 », « 14:05 »; a part left blank after the separator drops it (« 37 »)."""
    text = parts[0]
    for separator, part in zip(separators, parts[1:], strict=True):
        if part:
            text += separator + part
    return text


def _complete(field: FieldDefinition, parts: Sequence[str]) -> bool:
    """A time needs its hours and its two minute digits; a date its day, month and year; any
    number needs its first part."""
    if not parts[0]:
        return False
    if field.type is FieldType.TIME:
        return len(parts) < 2 or len(parts[1]) == 2
    if field.type is FieldType.DATE:
        return all(parts)
    return True


def _choice(group: _Group, verdicts: Sequence[CheckboxVerdict]) -> FieldReading:
    """One answer ticked among the field's boxes: its code. Two ticks, a box blacked out
    without another ticked, or any box unsure: unsure."""
    kind = str(BoxKind.CHECKBOX)
    if all(v is CheckboxVerdict.EMPTY for v in verdicts):
        return FieldReading(group.key, kind, Ink.BLANK)
    ticked = [box for box, v in zip(group.boxes, verdicts, strict=True)
              if v is CheckboxVerdict.TICKED]
    marked = ticked or any(v is CheckboxVerdict.FILLED for v in verdicts)
    ink = Ink.WRITTEN if marked else Ink.UNSURE
    shown = "+".join(_choice_text(group.field, box.choice) for box in ticked)
    if len(ticked) != 1 or CheckboxVerdict.UNSURE in verdicts:
        return FieldReading(group.key, kind, ink, None, shown)
    return FieldReading(group.key, kind, ink, ticked[0].choice, shown, None)


def _choice_text(field: FieldDefinition, code: str | None) -> str:
    choice = field.choice(code or "")
    return (choice.key or choice.code) if choice else str(code)


def _ink_crops(group: _Group, image: Image.Image, registration: Registration
               ) -> list[np.ndarray]:
    """Initials, a reason, a note are read for whether anything is written, not what: their
    boxes, a note's ruled lines whitened."""
    crops = _crops(image, registration, [box.rect for box in group.boxes])
    if group.kind is BoxKind.TEXT_AREA:
        crops = [_without_rules(crop) for crop in crops]
    return crops


def field_rect(store: Store, serial: int, page: int, key: FieldKey) -> Rect | None:
    """Where a field's boxes are on a page of the sheet, in millimetres from the page's
    top-left corner (all its boxes together: a comb, the answers of a choice), for showing the
    scanned box beside a disagreement; None when the page has no such field."""
    from reentry.layout.sheet import page_layout

    instance = store.form_instance(serial)
    form = load_forms().get(instance.template_id) if instance is not None else None
    if form is None:
        return None
    rects = [box.rect for box in page_layout(store, page_code(serial, page)).layout.boxes
             if field_key(form, box) == key]
    if not rects:
        return None
    left, top = min(r.x for r in rects), min(r.y for r in rects)
    return Rect(left, top, max(r.right for r in rects) - left,
                max(r.bottom for r in rects) - top)
