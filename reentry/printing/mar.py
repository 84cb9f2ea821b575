"""The medication administration record: which doses are planned during the printed window.

Each active prescription's planned times of day (local wall-clock « 08:00 ») are laid over the
days of the window ``[start, start + hours)``, in the hospital's zone, so that a daylight-saving
night still gets each dose once at its local time. A dose before the prescription starts or from
its end on is not planned. Rows are in time order, as a nurse does the rounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from reentry import clock, display
from reentry.formdefs_model import Section
from reentry.i18n import tr
from reentry.model import Prescription
from reentry.printing.plan import PlannedDose

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
    """Each planned time of day falling in ``[start, end)``, as UTC instants, once each."""
    times = [t for t in (parse_clock_time(text) for text in schedule) if t is not None]
    moments = set()
    for day in _days(start, end, zone):
        for wall in times:
            moment = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
            if start <= moment < end:
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
    """One line per planned dose in the window, in time order, then ``AS_NEEDED_LINES`` lines
    without a time for each "as needed" prescription (a dose given in an outage must have
    somewhere to be written, or it is the dose that never reaches the SIH)."""
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
