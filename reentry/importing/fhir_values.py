"""FHIR R4 data types as the importer reads them: dates, times, codes, quantities, references.

Pure functions on the decoded JSON; a malformed value raises ``ValueError`` and the caller, who
knows which resource and element it came from, turns it into a ``FileRejected``.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from reentry import clock
from reentry.importing.limits import check_instant

# FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm). Seconds and
# zone are tolerated missing (a zone-less time is hospital time, as everywhere in Reentry).
_DATETIME = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?"
)
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _zone(text: str | None) -> tzinfo:
    if text is None:
        return clock.hospital_zone()
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def _last_second(start: date, month: str | None, day: str | None) -> datetime:
    """The last second of the day, month or year that starts at ``start`` (never past 9999)."""
    if day:
        last = start
    elif month and start.month < 12:
        last = date(start.year, start.month + 1, 1) - timedelta(days=1)
    else:
        last = date(start.year, 12, 31)
    return datetime.combine(last, time(23, 59, 59), tzinfo=clock.hospital_zone())


def parse_datetime(text: str, *, end: bool = False) -> datetime:
    """A FHIR ``dateTime``/``instant`` as an aware datetime.

    A partial value (``2014``, ``2014-05``, ``2014-05-02``) stands for the start of that period,
    or with ``end=True`` for its last second: FHIR ``Period.end`` includes the whole day, month or
    year it names. An instant that cannot be stored in UTC (year 1 east of Greenwich) is refused.
    """
    found = _DATETIME.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    if hour is None:
        start = date(int(year), int(month or 1), int(day or 1))
        if not end:
            return check_instant(datetime.combine(start, time(), tzinfo=clock.hospital_zone()))
        return check_instant(_last_second(start, month, day))
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return check_instant(datetime(int(year), int(month), int(day), int(hour), int(minute),
                                  int(second or 0), micro, tzinfo=_zone(zone)))


def parse_date(text: str) -> date | None:
    """A FHIR ``date``; a partial one (``1974`` or ``1974-12``) gives None: the day is unknown,
    and an identity trait is never invented."""
    found = _DATE.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(text)
    year, month, day = found.groups()
    if day is None:
        if month is not None and not 1 <= int(month) <= 12:
            raise ValueError(text)
        return None
    return date(int(year), int(month), int(day))


def parse_number(value: Any) -> float | None:
    """A JSON number (FHIR ``decimal``/``integer``); a string or boolean is not one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(value)
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise ValueError(value) from None
    if not math.isfinite(number):  # 1e999, NaN, Infinity: JSON that Python reads anyway
        raise ValueError(value)
    return number


def codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or () if isinstance(c, dict)]


def concept_text(concept: Any) -> str | None:
    """What a person would read: the concept's text, else its first coding's display or code."""
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return str(concept["text"])
    for coding in codings(concept):
        if coding.get("display"):
            return str(coding["display"])
    for coding in codings(concept):
        if coding.get("code"):
            return str(coding["code"])
    return None


def concept_codes(concept: Any) -> list[str]:
    return [str(c["code"]) for c in codings(concept) if c.get("code")]


def reference_text(reference: Any) -> str:
    """How to name a reference in a message: the reference itself, else its display."""
    if not isinstance(reference, dict):
        return ""
    return str(reference.get("reference") or reference.get("display") or "")


def extensions(element: Any) -> list[dict[str, Any]]:
    if not isinstance(element, dict):
        return []
    return [e for e in element.get("extension") or () if isinstance(e, dict)]


def walk_extensions(element: Any) -> list[dict[str, Any]]:
    """Every extension of ``element``, nested ones included (French profiles nest them)."""
    found: list[dict[str, Any]] = []
    pending = extensions(element)
    while pending:
        extension = pending.pop(0)
        found.append(extension)
        pending.extend(extensions(extension))
    return found


def slug_code(text: str, limit: int = 60) -> str:
    """A stable code for a place known only by its name (upper-case letters, digits, dashes);
    a long name is cut and suffixed with a short hash so that two long names never collide."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = re.sub(r"[^A-Z0-9]+", "-", plain.upper()).strip("-")
    if len(code) > limit or not code:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6].upper()
        code = f"{code[:limit - 7].rstrip('-')}-{digest}".lstrip("-")
    return code
