"""The medication administration record: which doses are planned during the printed window.

Each active prescription's planned times of day (local wall-clock « 08:00 ») are laid over the
days of the window ``[start, start + hours]``, in the hospital's zone, so that a daylight-saving
night still gets each dose once at its local time. Both ends are in: a dose planned exactly at
the end of the window is on the sheet (a dose printed twice, on two sheets whose windows touch, is
seen; a dose printed on none is the one that is never given). A dose before the prescription
starts or from its end on is not planned. Rows are in time order, as a nurse does the rounds.

Every page of the record repeats, above its table, the window it covers and the patient's
allergies (``MarBand``): a continuation page found alone on a trolley still says both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from reentry import clock, display
from reentry.domain.sheet_plan import PlannedDose
from reentry.formdefs_model import Section
from reentry.i18n import tr
from reentry.model import Dossier, Prescription
from reentry.printing.fonts import BOLD, REGULAR, fitting_size, text_width, wrap_text
from reentry.printing.page import Box, Pen

_CLOCK_TIME = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})?\s*$")


def parse_clock_time(text: str) -> time | None:
    """« 08:00 », « 8h », « 8h30 » → a time of day; anything else → None (not planned)."""
    match = _CLOCK_TIME.match(text)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def _days(start: datetime, end: datetime, zone: tzinfo) -> Iterator[date]:
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def schedule_moments(schedule: Iterable[str], start: datetime, end: datetime,
                     zone: tzinfo) -> list[datetime]:
    """Each planned time of day falling in ``[start, end]``, as UTC instants, once each."""
    times = [t for t in (parse_clock_time(text) for text in schedule) if t is not None]
    moments = set()
    for day in _days(start, end, zone):
        for wall in times:
            moment = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
            if start <= moment <= end:
                moments.add(moment)
    return sorted(moments)


def _is_active(prescription: Prescription) -> bool:
    return prescription.status == "active"


def _during_prescription(prescription: Prescription, moment: datetime) -> bool:
    if prescription.start is not None and moment < prescription.start:
        return False
    return prescription.end is None or moment < prescription.end


AS_NEEDED_LINES = 2  # blank lines per "as needed" prescription, for the doses given in the window


def _as_needed(prescription: Prescription) -> bool:
    return not any(parse_clock_time(text) for text in prescription.schedule)


def planned_doses(prescriptions: Iterable[Prescription], start: datetime,
                  hours: float) -> tuple[PlannedDose, ...]:
    """One line per planned dose in the window (both ends included), in time order, then
    ``AS_NEEDED_LINES`` lines without a time for each "as needed" prescription (a dose given in
    an outage must have somewhere to be written, or it is the dose that never reaches the SIH)."""
    end = start + timedelta(hours=hours)
    zone = clock.hospital_zone()
    active = [rx for rx in prescriptions if _is_active(rx)]
    timed = [
        PlannedDose(rx.id, rx.drug, display.prescription_dose(rx), rx.route or "", moment)
        for rx in active
        for moment in schedule_moments(rx.schedule, start, end, zone)
        if _during_prescription(rx, moment)
    ]
    timed.sort(key=lambda d: (d.planned_at, d.drug.lower(), d.dose))
    as_needed = [
        PlannedDose(rx.id, rx.drug, display.prescription_dose(rx), rx.route or "", None)
        for rx in sorted(active, key=lambda rx: rx.drug.lower())
        if _as_needed(rx) and _during_prescription(rx, start)
        for _ in range(AS_NEEDED_LINES)
    ]
    return (*timed, *as_needed)


def planned_time_text(moment: datetime) -> str:
    """« 08:00 » then, on a second line, the day (« 24/11 »): a window can cross midnight."""
    local = clock.local(moment)
    return f"{local:%H:%M}\n{local:%d/%m}"


def dose_values(dose: PlannedDose) -> dict[str, str]:
    """What each prescription prefill key prints for one planned dose."""
    return {
        "prescription.drug": dose.drug,
        "prescription.dose": dose.dose,
        "prescription.route": dose.route,
        "planned_time": (planned_time_text(dose.planned_at) if dose.planned_at
                         else tr("print.as_needed")),
    }


def row_values(section: Section, values_by_key: Mapping[str, str]) -> dict[str, str]:
    """The row's cells by field id, from the fields' prefill keys."""
    return {f.id: values_by_key[f.prefill] for f in section.fields
            if f.prefill and f.prefill in values_by_key}


# -- what every page of the record repeats -----------------------------------------------------

# The band takes its height from the doses' rows (14 on a page): kept as low as two lines allow.
BAND_HEIGHTS = (9.5 * mm, 19 * mm)  # the usual band; a taller one for a long list of allergies
BAND_GAP = 1.5 * mm  # between the band and the form's title
WINDOW_SHARE = 0.34  # of the width; the allergies have the rest
BAND_PAD = 1.2 * mm
LABEL_SIZE = 6.5
WINDOW_SIZE = 10.0
TITLE_SIZE = 9.5
ALLERGY_SIZES = (9.5, 8.5, 7.5, 6.5)  # smaller rather than cut
READABLE_SIZE = 7.5  # below it, a taller band first
ALLERGY_RED = Color(0.8, 0.0, 0.0)
ALLERGY_BORDER = 2.0
HINT_GREY = Color(0.45, 0.45, 0.45)


@dataclass(frozen=True, slots=True)
class MarBand:
    """What every page of one medication record shows above its table."""

    window: str  # « du 23/11/2026 21:00 au 24/11/2026 05:00 »
    allergies: tuple[str, ...]  # as on the dossier; empty: ``no_allergy`` says why
    no_allergy: str  # « Aucune allergie enregistrée dans le SIH au … », or where to write them
    write_in: bool = False  # a blank admission packet: the patient is not known yet


@dataclass(frozen=True, slots=True)
class BandLayout:
    height: float
    lines: tuple[str, ...]  # the allergy text, wrapped
    size: float

    @property
    def reserved(self) -> float:
        """What the band takes from the top of each page of the record."""
        return self.height + BAND_GAP


def window_text(start: datetime, hours: float) -> str:
    """« du 23/11/2026 21:00 au 24/11/2026 05:00 »; the end's UTC offset when the clocks change
    during the window, so that the end is never ambiguous."""
    end = start + timedelta(hours=hours)
    return tr("print.mar_window", start=display.moment_text(start, start),
              end=display.moment_text(end, start))


def mar_band(dossier: Dossier | None, start: datetime, hours: float) -> MarBand:
    """A patient's band: the window and their allergies, or exactly what the SIH data says when
    it holds none. A blank admission packet's (patient not known yet): room to write them in."""
    window = window_text(start, hours)
    if dossier is None:
        return MarBand(window, (), tr("print.mar_allergies_write_in"), write_in=True)
    return MarBand(window, tuple(display.allergy_line(a) for a in dossier.allergies),
                   display.no_allergy_text(dossier.snapshot))


def _text_left(box: Box) -> float:
    return (box.left + box.width * WINDOW_SHARE + 2 * mm + BAND_PAD
            + text_width(tr("print.allergies"), BOLD, TITLE_SIZE) + 2.5 * mm)


def _capacity(height: float, size: float) -> int:
    return max(1, int((height - 2 * BAND_PAD) // (size * 1.2)))


def layout_band(band: MarBand, box: Box) -> BandLayout:
    """The smallest band, and the largest type, that hold every allergy; a list longer than the
    tallest band holds ends with how many more there are and where to read them, never cut
    silently."""
    width = box.right - BAND_PAD - _text_left(box)
    if not band.allergies:
        size = ALLERGY_SIZES[0]
        lines = wrap_text(band.no_allergy, REGULAR, size, width)
        return BandLayout(BAND_HEIGHTS[0], tuple(lines[:_capacity(BAND_HEIGHTS[0], size)]), size)
    separator = tr("print.mar_allergies_separator")
    text = separator.join(band.allergies)
    for height in BAND_HEIGHTS:
        tallest = height == BAND_HEIGHTS[-1]
        for size in ALLERGY_SIZES:
            if size < READABLE_SIZE and not tallest:
                break
            lines = wrap_text(text, BOLD, size, width)
            if len(lines) <= _capacity(height, size):
                return BandLayout(height, tuple(lines), size)
    height, size = BAND_HEIGHTS[-1], ALLERGY_SIZES[-1]
    for shown in range(len(band.allergies) - 1, -1, -1):
        more = tr("print.mar_allergies_more", count=len(band.allergies) - shown)
        lines = wrap_text(separator.join((*band.allergies[:shown], more)), BOLD, size, width)
        if len(lines) <= _capacity(height, size):
            break
    return BandLayout(height, tuple(lines), size)


def band_reserved(dossier: Dossier | None, box: Box) -> float:
    """What the band of ``dossier``'s record takes from the top of each page (its height
    depends on the allergies only); a blank admission packet's has no allergy yet."""
    allergies = tuple(display.allergy_line(a) for a in dossier.allergies) if dossier else ()
    return layout_band(MarBand("", allergies, ""), box).reserved


def draw_mar_band(pen: Pen, box: Box, band: MarBand, layout: BandLayout) -> None:
    """The window (left) and the allergies in a red frame (right), across the top of ``box``."""
    canvas = pen.canvas
    top, bottom = box.top, box.top - layout.height
    window_width = box.width * WINDOW_SHARE
    canvas.setLineWidth(0.8)
    canvas.rect(box.left, bottom, window_width, layout.height, stroke=1, fill=0)
    pen.text(box.left + BAND_PAD, top - BAND_PAD - LABEL_SIZE, tr("print.mar_window_label"),
             REGULAR, LABEL_SIZE)
    size = fitting_size(band.window, BOLD, WINDOW_SIZE, window_width - 2 * BAND_PAD - 1, 5.0)
    pen.text(box.left + BAND_PAD, top - BAND_PAD - LABEL_SIZE - WINDOW_SIZE * 1.2, band.window,
             BOLD, size)  # smaller, never cut

    left = box.left + window_width + 2 * mm
    half = ALLERGY_BORDER / 2
    canvas.setStrokeColor(ALLERGY_RED)
    canvas.setLineWidth(ALLERGY_BORDER)
    canvas.rect(left + half, bottom + half, box.right - left - ALLERGY_BORDER,
                layout.height - ALLERGY_BORDER, stroke=1, fill=0)
    canvas.setStrokeColorRGB(0, 0, 0)
    baseline = top - BAND_PAD - max(layout.size, TITLE_SIZE) * 0.85
    canvas.setFillColor(ALLERGY_RED)
    pen.text(left + BAND_PAD, baseline, tr("print.allergies"), BOLD, TITLE_SIZE)
    if not band.allergies:
        canvas.setFillColor(HINT_GREY if band.write_in else Color(0, 0, 0))
    font = BOLD if band.allergies else REGULAR
    text_left = _text_left(box)
    for line in layout.lines:
        pen.text(text_left, baseline, line, font, layout.size)
        baseline -= layout.size * 1.2
    canvas.setFillColorRGB(0, 0, 0)
