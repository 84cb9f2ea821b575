"""When in the day a FHIR dosage is planned, for the pre-filled medication administration record.

The rule is written down because nurses read its result on paper:

1. Explicit times win: ``Timing.repeat.timeOfDay`` (``"08:00:00"`` gives ``08:00``).
2. Else the moments of ``Timing.repeat.when``: morning and breakfast 08:00, noon and lunch
   12:00, afternoon 14:00, evening 18:00, dinner 19:00, night and bedtime 22:00, "with meals"
   08:00, 12:00 and 19:00.
3. Else ``frequency`` per ``period``:
   - *n* times a day, *n* up to 3, are spread over the waking day from 08:00 to 20:00
     (1: 08:00; 2: 08:00 and 20:00; 3: 08:00, 14:00 and 20:00);
   - 4 times a day or more, and any period counted in hours, are spaced evenly around the
     clock from 08:00 (4 a day: 08:00, 14:00, 20:00, 02:00; every 8 h: 08:00, 16:00, 00:00).
4. No times otherwise: "as needed" doses, periods longer than a day (every 2 days, weekly),
   rhythms that do not repeat each day (every 5 h), more than 24 doses a day, no timing. The
   record then leaves the times blank and shows the frequency text.

Times are listed in the order of the nursing day, which starts at 08:00.
"""

from __future__ import annotations

import math
import re
from typing import Any

DAY_START = 8 * 60
WHEN_TIMES = {
    "MORN": ("08:00",), "CM": ("08:00",), "ACM": ("08:00",), "PCM": ("08:00",),
    "NOON": ("12:00",), "CD": ("12:00",), "ACD": ("12:00",), "PCD": ("12:00",),
    "AFT": ("14:00",), "EVE": ("18:00",), "CV": ("19:00",), "ACV": ("19:00",),
    "PCV": ("19:00",), "NIGHT": ("22:00",), "HS": ("22:00",),
    "C": ("08:00", "12:00", "19:00"), "AC": ("08:00", "12:00", "19:00"),
    "PC": ("08:00", "12:00", "19:00"),
}
PERIOD_HOURS = {"h": 1, "d": 24}
_TIME_OF_DAY = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d+)?)?")


def _nursing_order(planned: str) -> int:
    hours, minutes = planned.split(":")
    return (int(hours) * 60 + int(minutes) - DAY_START) % (24 * 60)


def _in_day_order(times: set[str]) -> tuple[str, ...]:
    return tuple(sorted(times, key=_nursing_order))


def _clock(minutes: float) -> str:
    total = round(minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _positive(number: Any) -> float | None:
    """A positive finite number (a 400-digit integer or 1e999 gives no rhythm at all)."""
    if isinstance(number, int | float) and not isinstance(number, bool) and number > 0:
        try:
            value = float(number)
        except OverflowError:
            return None
        return value if math.isfinite(value) else None
    return None


def _from_frequency(repeat: dict[str, Any]) -> tuple[str, ...]:
    frequency, period = _positive(repeat.get("frequency", 1)), _positive(repeat.get("period"))
    hours_per_unit = PERIOD_HOURS.get(str(repeat.get("periodUnit")))
    if hours_per_unit is None or frequency is None or period is None:
        return ()
    period_hours = period * hours_per_unit
    doses_a_day = frequency * 24 / period_hours
    if not 1 <= doses_a_day < 24.5:  # also infinite or NaN after an overflow
        return ()
    count = round(doses_a_day)
    if period_hours > 24 or abs(doses_a_day - count) > 1e-9:
        return ()
    if repeat.get("periodUnit") == "d" and count <= 3:
        step = 12 * 60 / (count - 1) if count > 1 else 0
    else:
        step = 24 * 60 / count
    return _in_day_order({_clock(DAY_START + i * step) for i in range(count)})


def planned_times(dosage: dict[str, Any]) -> tuple[str, ...]:
    """The planned times of day (``HH:MM``) of one ``Dosage``, by the rule above."""
    if dosage.get("asNeededBoolean") is True or dosage.get("asNeededCodeableConcept"):
        return ()
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if not isinstance(repeat, dict):
        return ()
    explicit = {str(t)[:5] for t in repeat.get("timeOfDay") or ()
                if isinstance(t, str) and _TIME_OF_DAY.fullmatch(t)}
    if explicit:
        return _in_day_order(explicit)
    moments = {t for code in repeat.get("when") or () for t in WHEN_TIMES.get(str(code), ())}
    if moments:
        return _in_day_order(moments)
    return _from_frequency(repeat)
