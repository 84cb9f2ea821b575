"""Which SIH items are device readings (monitors, pumps), not something a person charted.

A nurse's value written on paper reaches the SIH when a person charts it; a monitor that kept
recording through the outage puts dozens of readings of the same code around it, and one of them
is bound to be close in value and time. Matching a paper value to such a reading would "find" a
value that nobody charted. So the reconciliation first tells devices from people:

1. **The author says so.** The author's first word (lower case, no accents) is one of
   ``Tolerances.device_authors`` (``monitor``, ``moniteur``, ``scope``, ``device``...), which
   also covers ``device:<id>`` and FHIR's ``Device/<id>``. Any other author is a person:
   charted copies are never taken for devices, however regular their times.
2. **No author, but a device's rhythm.** Items without an author are devices when they belong
   to a regular series of one code for one patient: at least ``series_min`` readings, one per
   tick, at a fixed interval of at most ``series_interval`` (times within ``series_jitter``).
   People chart at irregular minutes; a device ticks. The items of a tick holding two are left
   undecided: a device writes one reading per tick, so one of the two was charted by a person,
   and nothing says which; either may be matched, neither makes a duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from reentry.reconcile.drugs import normalise_text

_SERIES_NEIGHBOURS = 2  # the next reading, or the one after when a charted item sits between


@lru_cache(maxsize=4096)
def author_class(author: str | None, device_words: frozenset[str]) -> int:
    """0: no author; 1: a person; 2: a device (rule 1 above)."""
    if author is None:
        return 0
    words = normalise_text(author).split()
    if not words:
        return 0
    return 2 if words[0] in device_words else 1


def classify_authors(authors: Sequence[str | None], device_words: frozenset[str]) -> np.ndarray:
    """``author_class`` of each author, computed once per distinct author."""
    seen = {author: author_class(author, device_words) for author in dict.fromkeys(authors)}
    return np.fromiter(map(seen.__getitem__, authors), np.int8, len(authors))


def series_members(group: np.ndarray, time: np.ndarray, min_count: int, max_interval: float,
                   jitter: float) -> tuple[np.ndarray, np.ndarray]:
    """(members, crowded): which items are readings of a regular series (rule 2 above), and
    which sit on a tick of one that holds two items or more (one of them is not the device's).

    ``group`` and ``time`` are sorted by group, then time; items of one group are one patient's
    readings of one code. Each item alone on its tick starts a candidate series with the
    interval to its next reading (or the one after); the series holds when each of the
    following ``min_count - 1`` ticks holds a reading.
    """
    count = len(time)
    member = np.zeros(count, dtype=bool)
    crowded = np.zeros(count, dtype=bool)
    if count < max(min_count, 2):
        return member, crowded
    start = float(time.min())
    span = float(time.max()) - start + (min_count + 1) * max_interval + 10 * jitter + 1.0
    key = group.astype(np.float64) * span + (time - start)
    alone = _ticks_with_one(key, key, jitter)
    for step in range(1, _SERIES_NEIGHBOURS + 1):
        first = np.arange(count - step)
        later = first + step
        same = group[later] == group[first]
        first, later = first[same], later[same]
        interval = time[later] - time[first]
        fits = (interval > 4 * jitter) & (interval <= max_interval + jitter) & alone[first]
        first, interval = first[fits], interval[fits]
        holds = np.ones(len(first), dtype=bool)
        ticks = []
        for tick in range(1, min_count):
            target = key[first] + tick * interval
            low = np.searchsorted(key, target - jitter, "left")
            high = np.searchsorted(key, target + jitter, "right")
            holds &= high > low
            ticks.append((low, high))
        member[first[holds]] = True
        for low, high in ticks:
            low, high = low[holds], high[holds]
            single = high - low == 1
            member[low[single]] = True
            for a, b in zip(low[~single].tolist(), high[~single].tolist(), strict=True):
                crowded[a:b] = True
    member &= ~crowded
    return member, crowded


def _ticks_with_one(key: np.ndarray, targets: np.ndarray, jitter: float) -> np.ndarray:
    low = np.searchsorted(key, targets - jitter, "left")
    high = np.searchsorted(key, targets + jitter, "right")
    return (high - low) == 1
