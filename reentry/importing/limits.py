"""What the importer accepts at most: file size, JSON nesting, repetitions of an HL7 field, and
instants that a clock can hold. Past a limit, the file is refused whole with a message that says
which limit and what to do.

The limits are there so that a damaged or hostile file is refused in seconds instead of
exhausting memory or time, or stopping the import with a Python error. Each is far above what a
hospital's export holds (docs/formats.md): a FHIR resource nests about 15 levels deep, a PID-3
repeats a handful of identifiers, a snapshot of a whole hospital weighs tens of megabytes.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime

import numpy as np

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 100
MAX_REPETITIONS = 10_000
MAX_JSON_DIGITS = sys.get_int_max_str_digits() or 4300  # Python's own limit on int("…")
_CHUNK = 1 << 24
# A JSON string (no raw line break inside, as JSON requires); possessive, so that a quote left
# open never makes the scan go back and forth.
_STRINGS = re.compile(rb'"(?:[^"\\\n]++|\\.)*+"')


def shown(value: object, width: int = 80) -> str:
    """A value as a message quotes it: cut after ``width`` characters (a damaged file can put
    a whole page in one field)."""
    text = str(value)
    return text if len(text) <= width else text[:width] + "…"


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def check_instant(moment: datetime) -> datetime:
    """``moment`` if it can be stored (in UTC) and shown in any zone; ValueError otherwise:
    0001-01-01T00:00+14:00 lies before year 1 in UTC, 9999-12-31T23:30Z after 9999 in Paris."""
    try:
        year = moment.astimezone(UTC).year
    except (OverflowError, ValueError):
        raise ValueError(moment.isoformat()) from None
    if not 1 < year < 9999:
        raise ValueError(moment.isoformat())
    return moment


def json_too_deep(text: str) -> int | None:
    """The line where a JSON text first nests deeper than ``MAX_JSON_DEPTH``, or None.

    Brackets inside strings do not count: strings are blanked first. Counted with numpy over
    the bracket positions, chunk by chunk, so a file of hundreds of megabytes is checked in a
    fraction of a second. A string never spans lines in JSON, so line numbers survive.
    """
    data = _STRINGS.sub(b'""', text.encode("utf-8", "surrogatepass"))
    depth = 0
    for start in range(0, len(data), _CHUNK):
        chunk = np.frombuffer(data, np.uint8, min(_CHUNK, len(data) - start), start)
        opens = (chunk == ord("[")) | (chunk == ord("{"))
        brackets = np.flatnonzero(opens | (chunk == ord("]")) | (chunk == ord("}")))
        if not len(brackets):
            continue
        levels = depth + np.cumsum(np.where(opens[brackets], 1, -1), dtype=np.int64)
        deep = np.flatnonzero(levels > MAX_JSON_DEPTH)
        if len(deep):
            position = start + int(brackets[deep[0]])
            return data.count(b"\n", 0, position) + 1
        depth = int(levels[-1])
    return None



def long_number_line(text: str) -> int | None:
    """The line of the first JSON number longer than ``MAX_JSON_DIGITS`` digits, or None."""
    data = _STRINGS.sub(b'""', text.encode("utf-8", "surrogatepass"))
    found = re.search(rb"\d{%d,}" % (MAX_JSON_DIGITS + 1), data)
    return data.count(b"\n", 0, found.start()) + 1 if found else None
