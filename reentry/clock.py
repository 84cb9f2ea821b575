"""Time in the hospital: every stored instant is UTC, every shown one is in the hospital's zone.

The zone defaults to Europe/Paris and can be set with the ``REENTRY_TZ`` environment variable
(a hospital in Martinique or La Réunion sets its own).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Paris"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def hospital_zone() -> tzinfo:
    return _zone(os.environ.get("REENTRY_TZ") or DEFAULT_ZONE)


def now() -> datetime:
    return datetime.now(UTC)


def to_storage(value: datetime) -> str:
    """ISO 8601 in UTC, so that stored instants sort as text."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=hospital_zone())
    return value.astimezone(UTC).isoformat(timespec="seconds")


def from_storage(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text)


def local(value: datetime) -> datetime:
    """The same instant in the hospital's zone, for display and printing."""
    return value.astimezone(hospital_zone())


def format_local(value: datetime | None, with_zone: bool = True) -> str:
    """``23/11/2026 14:05 (UTC+01:00)``: unambiguous across a daylight-saving change."""
    if value is None:
        return ""
    shown = local(value)
    text = shown.strftime("%d/%m/%Y %H:%M")
    if with_zone:
        offset = shown.strftime("%z")
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return text
