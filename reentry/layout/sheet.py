"""A registered sheet's layout, page by page, computed by the code that drew it.

The boxes come from ``draw_form_static``, the renderer's own drawing of a page's static part,
run here on a canvas that is never saved: the reading side cannot drift from the paper. What a
form's pages look like depends on the definition, on the sheet's content (its medication record
lines), on the language it was printed in and, for a medication record, on the height of the
allergy band at the top of each page (planned with the sheet and kept in its content); all four
are read back from the store.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.pdfgen.canvas import Canvas

from reentry.domain.layout import POINTS_PER_MM, PageLayout
from reentry.errors import UserError
from reentry.formdefs import load_forms
from reentry.formdefs_model import FormDefinition
from reentry.i18n import language
from reentry.model import Dossier
from reentry.printing.fonts import register_fonts
from reentry.printing.form_pages import draw_form_static, form_pages, needs_doses
from reentry.printing.mar import band_reserved
from reentry.printing.page import Pen, content_box, corner_marks, page_size

if TYPE_CHECKING:
    from reentry.store.areas import Store


class NoLayout(UserError):
    """A code that names no printed form page (refused, or a dossier or ward cover)."""

    message_id = "layout.no_layout"


def _reserved_top(form: FormDefinition, content: dict[str, Any], dossier: Dossier | None
                  ) -> float:
    """Points left at the top of each page for the medication record's band: as planned and
    kept with the sheet; for a sheet registered before it was kept, from the patient's
    allergies as the database holds them now."""
    if not needs_doses(form):
        return 0.0
    if "reserved_top" in content:
        return float(content["reserved_top"])
    return band_reserved(dossier, content_box(form.layout.orientation))


def form_layouts(form: FormDefinition, dose_count: int, reserved: float = 0.0,
                 lang: str = "fr") -> list[PageLayout]:
    """Every page of a sheet of ``form`` with ``dose_count`` medication lines, as drawn in
    ``lang`` below ``reserved`` points of band. Table rows are numbered for the whole sheet."""
    register_fonts()
    orientation = form.layout.orientation
    width, height = page_size(orientation)
    canvas = Canvas(io.BytesIO(), pagesize=(width, height))
    pen = Pen(canvas)
    layouts = []
    with language(lang):
        for number, page in enumerate(form_pages(form, dose_count), 1):
            geometry = draw_form_static(pen, form, page, reserved)
            boxes = tuple(box if box.row is None else box.in_row(page.rows.start + box.row)
                          for box in geometry.fields)
            layouts.append(PageLayout(number, width / POINTS_PER_MM, height / POINTS_PER_MM,
                                      corner_marks(orientation), boxes))
            canvas.showPage()
            pen.forget_font()
    return layouts


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """One page of a registered sheet, and what it was printed as."""

    code: str
    serial: int
    template_id: str
    pages: int
    layout: PageLayout

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "serial": self.serial, "template": self.template_id,
                "pages": self.pages, **self.layout.as_dict()}


def page_layout(store: Store, code: str) -> SheetLayout:
    """The layout of the page a printed code names, from the registry and the sheet's content;
    a code that is refused, or that names a page with nothing to read, is a ``NoLayout``."""
    from reentry.registry import resolve_code

    resolution = resolve_code(store, code)
    instance = resolution.instance
    if resolution.problem is not None:
        raise NoLayout("layout.refused_code", reason=resolution.problem)
    assert instance is not None and resolution.page is not None
    form = load_forms().get(instance.template_id)
    if form is None or form.version != instance.template_version:
        from reentry.display import form_title

        raise NoLayout("layout.not_a_form", template=form_title(instance.template_id))
    batch = next(b for b in store.batches() if b.id == instance.batch_id)
    content = store.sheet_content(instance.serial)
    doses: Sequence[Any] = content.get("doses", ())
    dossier = (store.dossier(instance.patient_id)
               if instance.patient_id and "reserved_top" not in content else None)
    with language(batch.language):
        reserved = _reserved_top(form, content, dossier)
    layouts = form_layouts(form, len(doses), reserved, batch.language)
    return SheetLayout(resolution.code, instance.serial, instance.template_id,
                       instance.page_count, layouts[resolution.page - 1])
