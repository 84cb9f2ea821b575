"""Drawing a ward's registered sheets into one PDF, in print order, fast.

Order: the ward cover, then each patient in bed order (dossier, then blank forms), then the blank
downtime-admission packets. Every page gets the frame (identity, page x / n, data as of, page
codes). Inputs are plain picklable dataclasses and a path, so that the caller can render wards in
parallel processes; each process registers the fonts and loads the form definitions once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from reentry import clock, display
from reentry.barcodes import page_code
from reentry.domain.sheet_plan import (
    PatientPacket,
    PlannedDose,
    RegisteredSheet,
    WardPrint,
)
from reentry.formdefs import load_forms
from reentry.formdefs_model import FormDefinition
from reentry.i18n import get_language, language, tr
from reentry.model import Dossier
from reentry.printing import cover as cover_pages
from reentry.printing import dossier_pages
from reentry.printing.cover import CensusLine, CoverSummary, draw_cover_page, layout_cover
from reentry.printing.dossier_pages import draw_dossier_page, layout_dossier
from reentry.printing.fonts import register_fonts
from reentry.printing.form_pages import (
    FormPage,
    PageGeometry,
    draw_box_values,
    draw_form_static,
    draw_row_values,
    form_pages,
    needs_doses,
)
from reentry.printing.mar import (
    MarBand,
    dose_values,
    draw_mar_band,
    layout_band,
    mar_band,
    row_values,
)
from reentry.printing.page import (
    Banner,
    Footer,
    Pen,
    Stamp,
    content_box,
    draw_frame,
    page_size,
)
from reentry.registry import PrintedTemplate

TEMPORARY_TITLE_SIZE = 15.0


class PlanMismatch(RuntimeError):
    """A sheet would not have the pages it was registered with: its page codes would lie."""


def _grouped_temporary_id(code: str) -> str:
    """« 900000127 » → « 900 000 127 », easier to read aloud and to copy by hand."""
    return " ".join(code[i:i + 3] for i in range(0, len(code), 3))


def patient_banner(dossier: Dossier, today: date) -> Banner:
    """Name (« DUPONT née MARTIN Marie »), birth date and age, sex, IPP, NDA, then the bed."""
    p, stay = dossier.patient, dossier.stay
    identity = tr("print.banner_identity", birth=display.birth_date_text(p, today),
                  sex=display.sex_label(p.sex), ipp=p.ipp or display.DASH,
                  nda=stay.nda if stay else display.DASH)
    place = display.location_text(dossier.site, dossier.ward, stay.room if stay else None,
                                  stay.bed if stay else None)
    return Banner(display.full_name(p), (identity, place))


def patient_values(dossier: Dossier) -> dict[str, str]:
    """What each patient and stay prefill key prints."""
    p, stay = dossier.patient, dossier.stay
    return {
        "patient.ipp": p.ipp or "",
        "patient.birth_name": p.birth_name or "",
        "patient.used_name": p.used_name or "",
        "patient.given_names": display.given_names_text(p),
        "patient.birth_date": display.date_text(p.birth_date),
        "patient.sex": display.sex_label(p.sex) if p.sex else "",
        "patient.birthplace_insee": p.birthplace_insee or "",
        "stay.nda": stay.nda if stay else "",
        "stay.ward": dossier.ward.name if dossier.ward else "",
        "stay.room": (stay.room or "") if stay else "",
        "stay.bed": (stay.bed or "") if stay else "",
    }


def _binary_streams() -> None:
    """Page streams compressed but not ASCII85-encoded: 20 % smaller files, and without
    reportlab's optional C accelerator the pure-Python encoder costs a tenth of render time.
    (A reportlab setting, hence process-wide; binary streams are what every PDF reader expects.)
    """
    rl_config.useA85 = 0


class _Document:
    """One PDF being drawn: the canvas, the static drawings already defined, the page count."""

    def __init__(self, ward_print: WardPrint, out: Path) -> None:
        _binary_streams()
        self.ward_print = ward_print
        regular, _ = register_fonts()
        # Starting every page in our own font keeps the unembedded Helvetica out of the PDF.
        self.canvas = Canvas(str(out), pageCompression=1, initialFontName=regular,
                             initialFontSize=8.5)
        self.canvas.setTitle(tr("print.pdf_title", ward=ward_print.ward.name))
        self.canvas.setCreator("Reentry")
        self.pen = Pen(self.canvas)
        self.forms = load_forms()
        self.statics: dict[tuple[str, int, str | None, bool, float],
                           tuple[str, PageGeometry]] = {}
        self.today = clock.local(ward_print.printed_at).date()
        self.footer = Footer(display.data_as_of_text(ward_print.snapshot),
                             tr("print.printed_at",
                                when=clock.format_local(ward_print.printed_at)),
                             _page_mark(ward_print))
        self.ward_values = {"ward.code": ward_print.ward.code, "ward.name": ward_print.ward.name}
        self.pages = 0

    # -- pages --------------------------------------------------------------------------------

    def _begin(self, orientation: str) -> None:
        self.canvas.setPageSize(page_size(orientation))
        self.pen.forget_font()

    def _finish(self, orientation: str, banner: Banner, stamp: Stamp) -> None:
        draw_frame(self.pen, orientation, banner, self.footer, stamp)
        self.canvas.showPage()
        self.pen.forget_font()
        self.pages += 1

    def _stamp(self, sheet: RegisteredSheet, page: int, number: int, total: int,
               title: str) -> Stamp:
        return Stamp(page_code(sheet.serial, page), number, total,
                     tr("print.page_of", page=number, pages=total), title)

    # -- the ward cover -----------------------------------------------------------------------

    def cover(self, patients: Sequence[PatientPacket]) -> None:
        sheet = self.ward_print.cover
        assert sheet is not None, "a ward print always has its cover sheet"
        pages = layout_cover(len(patients))
        _check_pages(sheet, len(pages))
        census = [_census_line(packet.dossier) for packet in patients]
        summary = self._summary(len(patients))
        banner = self._ward_banner()
        title = tr("print.cover_sheet")
        for number, page in enumerate(pages, 1):
            self._begin(cover_pages.ORIENTATION)
            draw_cover_page(self.pen, page, census, summary)
            self._finish(cover_pages.ORIENTATION, banner,
                         self._stamp(sheet, number, number, len(pages), title))

    def _ward_banner(self) -> Banner:
        ward_print = self.ward_print
        return Banner(tr("print.ward_banner", ward=ward_print.ward.name,
                         code=ward_print.ward.code), (ward_print.site.name,))

    def _summary(self, patients: int) -> CoverSummary:
        ward_print = self.ward_print
        sheets = [*([ward_print.cover] if ward_print.cover else []),
                  *(s for p in ward_print.patients for s in p.sheets),
                  *(s for packet in ward_print.admission_packets for s in packet)]
        return CoverSummary(
            ward_title=tr("print.ward_banner", ward=ward_print.ward.name,
                          code=ward_print.ward.code),
            site=ward_print.site.name, data_as_of=self.footer.data_as_of,
            printed_at=self.footer.printed_at, patients=patients, sheets=len(sheets),
            pages=sum(s.plan.page_count for s in sheets),
            packets=len(ward_print.admission_packets))

    # -- one patient --------------------------------------------------------------------------

    def patient(self, packet: PatientPacket) -> None:
        dossier = packet.dossier
        banner = patient_banner(dossier, self.today)
        values = {**self.ward_values, **patient_values(dossier)}
        self._sheets(packet.sheets, banner, values, dossier)

    def _sheets(self, sheets: Sequence[RegisteredSheet], banner: Banner,
                values: Mapping[str, str], dossier: Dossier | None) -> None:
        total = sum(s.plan.page_count for s in sheets)
        number = 0
        for sheet in sheets:
            if sheet.plan.template_id == PrintedTemplate.DOSSIER:
                assert dossier is not None
                number = self._dossier(sheet, dossier, banner, number, total)
            elif sheet.plan.template_id == PrintedTemplate.WARD_COVER:
                raise PlanMismatch("a ward cover cannot be a patient's sheet")
            else:
                number = self._form(sheet, banner, values, dossier, number, total)

    def _dossier(self, sheet: RegisteredSheet, dossier: Dossier, banner: Banner, number: int,
                 total: int) -> int:
        pages = layout_dossier(dossier, self.today).pages
        _check_pages(sheet, len(pages))
        title = tr("print.dossier_sheet")
        for page_number, page in enumerate(pages, 1):
            number += 1
            self._begin(dossier_pages.ORIENTATION)
            draw_dossier_page(self.pen, page)
            self._finish(dossier_pages.ORIENTATION, banner,
                         self._stamp(sheet, page_number, number, total, title))
        return number

    def _form(self, sheet: RegisteredSheet, banner: Banner, values: Mapping[str, str],
              dossier: Dossier | None, number: int, total: int) -> int:
        form = self._definition(sheet)
        doses = sheet.plan.doses
        pages = form_pages(form, len(doses))
        _check_pages(sheet, len(pages))
        orientation = form.layout.orientation
        title = form.title_in(get_language())
        sheet_values = dict(values)
        if sheet.temporary_id:
            sheet_values["temporary_identity.id"] = _grouped_temporary_id(sheet.temporary_id)
        box = content_box(orientation)
        band = self._mar_band(form, dossier)
        band_layout = layout_band(band, box) if band is not None else None
        _check_band(sheet, band_layout.reserved if band_layout else 0.0)
        for page_number, page in enumerate(pages, 1):
            number += 1
            self._begin(orientation)
            geometry = self._static(form, page, sheet.plan.reserved_top)
            self._form_values(form, page, geometry, sheet_values, doses)
            if band is not None and band_layout is not None:
                draw_mar_band(self.pen, box, band, band_layout)
            self._finish(orientation, banner,
                         self._stamp(sheet, page_number, number, total, title))
        return number

    def _mar_band(self, form: FormDefinition, dossier: Dossier | None) -> MarBand | None:
        """A medication record (a table of the prescriptions' doses) repeats its window and the
        allergies on every page; other forms have no band."""
        if not needs_doses(form):
            return None
        return mar_band(dossier, self.ward_print.window_start, self.ward_print.window_hours)

    def _definition(self, sheet: RegisteredSheet) -> FormDefinition:
        form = self.forms.get(sheet.plan.template_id)
        if form is None or form.version != sheet.plan.template_version:
            raise PlanMismatch(f"form {sheet.plan.template_id} v{sheet.plan.template_version}"
                               " is not the shipped definition")
        return form

    def _static(self, form: FormDefinition, page: FormPage, reserved: float) -> PageGeometry:
        """Draw (once per PDF) and place the static part of this kind of page, ``reserved``
        points below the top (the medication record's band)."""
        key = (form.id, form.version, *page.kind, round(reserved, 2))
        known = self.statics.get(key)
        if known is None:
            name = (f"static_{form.id}_{form.version}_{page.section_id or ''}_{int(page.first)}"
                    f"_{round(reserved)}")
            self.canvas.beginForm(name)
            self.pen.forget_font()
            geometry = draw_form_static(self.pen, form, page, reserved)
            self.canvas.endForm()
            self.pen.forget_font()
            known = self.statics[key] = (name, geometry)
        self.canvas.doForm(known[0])
        return known[1]

    def _form_values(self, form: FormDefinition, page: FormPage, geometry: PageGeometry,
                     values: Mapping[str, str], doses: Sequence[PlannedDose]) -> None:
        if page.first:
            fixed = {f.id: values[f.prefill] for s in form.sections if not s.repeated
                     for f in s.fields if f.prefill and f.prefill in values}
            draw_box_values(self.pen, geometry, fixed)
        table = geometry.table
        if table is not None and doses:
            chosen = [doses[i] for i in page.rows if i < len(doses)]
            draw_row_values(self.pen, geometry,
                            [row_values(table.section, dose_values(d)) for d in chosen])

    # -- admission packets --------------------------------------------------------------------

    def admission_packet(self, sheets: Sequence[RegisteredSheet]) -> None:
        temporary = next((s.temporary_id for s in sheets if s.temporary_id), None)
        shown = _grouped_temporary_id(temporary) if temporary else display.DASH
        place = display.location_text(self.ward_print.site, self.ward_print.ward, None, None)
        banner = Banner(tr("print.temporary_banner", id=shown),
                        (tr("print.temporary_write_in"), place), TEMPORARY_TITLE_SIZE)
        self._sheets(sheets, banner, dict(self.ward_values), None)

    def save(self) -> int:
        self.canvas.save()
        return self.pages


def _page_mark(ward_print: WardPrint) -> str:
    """The large grey mark across every page: a test print's or a drill's, else none."""
    if ward_print.test_print:
        return tr("print.test_mark")
    return tr("print.drill_mark") if ward_print.drill else ""


def _check_pages(sheet: RegisteredSheet, drawn: int) -> None:
    if drawn != sheet.plan.page_count:
        raise PlanMismatch(f"sheet {sheet.serial} ({sheet.plan.template_id}) registered with "
                           f"{sheet.plan.page_count} page(s) but lays out {drawn}")


def _check_band(sheet: RegisteredSheet, drawn: float) -> None:
    """The band drawn must be the one planned: the table under it is where the registry (and
    so the reading of the scanned page) expects it."""
    if abs(drawn - sheet.plan.reserved_top) > 0.01:
        raise PlanMismatch(f"sheet {sheet.serial} ({sheet.plan.template_id}) planned with a "
                           f"{sheet.plan.reserved_top:.1f} pt band but draws {drawn:.1f} pt")


def _census_line(dossier: Dossier) -> CensusLine:
    p, stay = dossier.patient, dossier.stay
    return CensusLine(
        room=(stay.room or "") if stay else "", bed=(stay.bed or "") if stay else "",
        name=display.display_name(p), given_names=display.given_names_text(p),
        birth_date=display.date_text(p.birth_date), ipp=p.ipp or "",
        nda=stay.nda if stay else "")


def render_ward(ward_print: WardPrint, out: Path) -> int:
    """The ward's whole pile as one PDF; returns its page count."""
    with language(ward_print.language):
        document = _Document(ward_print, Path(out))
        document.cover(ward_print.patients)
        for packet in ward_print.patients:
            document.patient(packet)
        for sheets in ward_print.admission_packets:
            document.admission_packet(sheets)
        return document.save()


def render_patient(ward_print: WardPrint, packet: PatientPacket, out: Path) -> int:
    """One patient's sheets only (a reprint), framed as in the ward's pile."""
    with language(ward_print.language):
        document = _Document(ward_print, Path(out))
        document.patient(packet)
        return document.save()
