"""Checking one typed value against its field definition, for the entry screen and the importers.

Paper is read by tired people at the end of an outage, so input is forgiving in form (« 37,5 »,
« 14h05 », « 1405 », « 28/03/1979 ») and strict in substance: a value outside the allowed range
is refused with the range and unit in the message; a value outside the plausible range is kept
but needs an explicit confirmation (a heart rate of 250 happens; it is rarely typed on purpose).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from reentry import clock
from reentry.display import unit_text
from reentry.formdefs_model import (
    Bounds,
    Choice,
    DefinitionText,
    FieldDefinition,
    FieldType,
    Section,
    per_language,
)
from reentry.i18n import LANGUAGES, Msg, msg, tr

ParsedValue = int | float | str | bool | time | date | datetime | None

# Years outside this span are typing slips (« 28/03/0979 ») for both birth and event dates.
FIRST_YEAR, LAST_YEAR = 1900, 2199
DEFAULT_INITIALS_LENGTH = 40

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d+(?:[.,](\d+))?")
_TIME = re.compile(r"(\d{1,2})\s*[hH:.,]\s*(?:(\d{2})(?::(\d{2}))?)?")
_COMPACT_TIME = re.compile(r"\d{3,4}")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_COMPACT_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_AND_TIME = re.compile(r"(\S+?)(?:\s+(?:à|a|at)\s+|\s+|T)(\S.*)", re.IGNORECASE)
_INITIALS = re.compile(r"[^\W\d_]+(?:[\s.'’\-]*[^\W\d_]+)*\.?")
_TRUE = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x", "✓"})
_FALSE = frozenset({"non", "n", "no", "faux", "false", "0"})

# UCUM codes and how a nurse reads them; annotations such as {score} are not read at all.


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """The outcome of checking one typed value.

    ``error`` refuses the value; ``warning`` keeps it but asks the person to confirm. Both are
    messages rendered in the language current when shown, or in ``lang`` by the ``*_text``
    properties.
    """

    value: ParsedValue = None
    error: Msg | None = None
    warning: Msg | None = None
    lang: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def needs_confirmation(self) -> bool:
        return self.error is None and self.warning is not None

    @property
    def error_text(self) -> str | None:
        return self.error.render(self.lang) if self.error else None

    @property
    def warning_text(self) -> str | None:
        return self.warning.render(self.lang) if self.warning else None


class _Refused(ValueError):
    def __init__(self, problem: Msg) -> None:
        super().__init__(problem.id)
        self.problem = problem


def validate_value(field: FieldDefinition, raw: str | None, lang: str | None = None, *,
                   required: bool | None = None) -> ValueCheck:
    """Parse and check ``raw`` for ``field``; ``required`` overrides the field's own flag (the
    entry screen passes it for fields that are required only when another field says so)."""
    text = (raw or "").strip()
    label = field.label.as_msg()
    if not text:
        needed = field.required if required is None else required
        return ValueCheck(error=msg("formdefs.value.required", label=label) if needed else None,
                          lang=lang)
    try:
        value = _PARSERS[field.type](field, text, label)
        warning = _plausibility_warning(field, value, text, label)
    except _Refused as refused:
        return ValueCheck(error=refused.problem, lang=lang)
    return ValueCheck(value=value, warning=warning, lang=lang)


def validate_row(section: Section, raw_values: Mapping[str, str | None],
                 lang: str | None = None) -> dict[str, ValueCheck]:
    """Check every field of one row (or of a non-repeated section), in paper order.

    A field with ``required_when`` is required when its trigger field holds one of the listed
    codes (e.g. the reason when a dose was not given). Rows left blank on paper should be told
    apart first with ``is_blank_row``: whether a blank row matters is the caller's decision.
    """
    checks: dict[str, ValueCheck] = {}
    for field in section.fields:
        if field.required_when is None:
            checks[field.id] = validate_value(field, raw_values.get(field.id), lang)
    for field in section.fields:
        condition = field.required_when
        if condition is not None:
            trigger = checks.get(condition.field)
            needed = trigger is not None and trigger.value in condition.values
            checks[field.id] = validate_value(field, raw_values.get(field.id), lang,
                                              required=needed)
    return {field.id: checks[field.id] for field in section.fields}


def collect_checks(checks: Mapping[str, ValueCheck], errors: dict[str, Msg],
                   warnings: dict[str, Msg], parsed: dict[str, ParsedValue]) -> None:
    """Sort ``validate_row``'s checks into the refusals, the warnings to confirm and the parsed
    values (kept for every field, even refused, so later checks can look at what was typed)."""
    for field_id, check in checks.items():
        if check.error is not None:
            errors[field_id] = check.error
        elif check.warning is not None:
            warnings[field_id] = check.warning
        parsed[field_id] = check.value


def is_blank_row(section: Section, raw_values: Mapping[str, str | None]) -> bool:
    """Nothing was written in the row (pre-filled, read-only cells do not count)."""
    return not any((raw_values.get(f.id) or "").strip()
                   for f in section.fields if not f.readonly)


# -- numbers ------------------------------------------------------------------------------------


def _number_text(value: float) -> DefinitionText:
    """A limit as each language writes it: « 37,5 » in French, "37.5" in English."""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return per_language({lang: text.replace(".", tr("formdefs.decimal_separator", lang=lang))
                         for lang in LANGUAGES})


def _limits_message(kind: str, field: FieldDefinition, bounds: Bounds, text: str,
                    label: Msg) -> Msg:
    unit = unit_text(field.unit)
    params: dict[str, object] = {"label": label, "value": text,
                                 "min": _number_text(bounds.min), "max": _number_text(bounds.max)}
    if unit:
        return msg(f"formdefs.value.{kind}", unit=unit, **params)
    return msg(f"formdefs.value.{kind}_no_unit", **params)


def _in_range(field: FieldDefinition, value: float, text: str, label: Msg) -> None:
    if field.range is not None and value not in field.range:
        raise _Refused(_limits_message("out_of_range", field, field.range, text, label))


def _plausibility_warning(field: FieldDefinition, value: ParsedValue, text: str,
                          label: Msg) -> Msg | None:
    if field.plausible is None or not isinstance(value, int | float):
        return None
    if value in field.plausible:
        return None
    return _limits_message("implausible", field, field.plausible, text, label)


def _parse_integer(field: FieldDefinition, text: str, label: Msg) -> int:
    compact = _SPACES.sub("", text)
    if not _INTEGER.fullmatch(compact):
        raise _Refused(msg("formdefs.value.not_integer", label=label, value=text))
    value = int(compact)
    _in_range(field, value, text, label)
    return value


def _parse_decimal(field: FieldDefinition, text: str, label: Msg) -> float:
    compact = _SPACES.sub("", text)
    match = _DECIMAL.fullmatch(compact)
    if not match:
        raise _Refused(msg("formdefs.value.not_number", label=label, value=text))
    typed_decimals = len((match.group(1) or "").rstrip("0"))
    if field.decimals is not None and typed_decimals > field.decimals:
        raise _Refused(msg("formdefs.value.too_many_decimals", label=label, value=text,
                           decimals=field.decimals))
    value = float(compact.replace(",", "."))
    _in_range(field, value, text, label)
    return value


# -- times and dates ----------------------------------------------------------------------------


def parse_time(text: str) -> time | None:
    """« 14h05 », « 14:05 », « 14.05 », « 14h », « 1405 », « 905 »; ``None`` if not a time."""
    text = text.strip()
    if match := _TIME.fullmatch(text):
        hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    elif _COMPACT_TIME.fullmatch(text):
        hour, minute, second = int(text[:-2]), int(text[-2:]), 0
    else:
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_date(text: str) -> date | None:
    """« 28/03/1979 », « 28.03.1979 », « 28031979 », « 1979-03-28 »; ``None`` if not a date."""
    text = text.strip()
    if match := _DAY_MONTH_YEAR.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """A date and a time in any of the forms above (or ISO 8601), in the hospital's zone."""
    text = text.strip()
    try:
        if len(text) <= len("2026-03-28"):  # a date alone is not an instant
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        match = _DATE_AND_TIME.fullmatch(text)
        day = parse_date(match[1]) if match else None
        hour = parse_time(match[2]) if match else None
        if day is None or hour is None:
            return None
        moment = datetime.combine(day, hour)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.hospital_zone())


def _parse_time(field: FieldDefinition, text: str, label: Msg) -> time:
    value = parse_time(text)
    if value is None:
        raise _Refused(msg("formdefs.value.bad_time", label=label, value=text))
    return value


def _parse_date(field: FieldDefinition, text: str, label: Msg) -> date:
    value = parse_date(text)
    if value is None:
        raise _Refused(msg("formdefs.value.bad_date", label=label, value=text))
    return value


def _parse_datetime(field: FieldDefinition, text: str, label: Msg) -> datetime:
    value = parse_datetime(text)
    if value is None:
        raise _Refused(msg("formdefs.value.bad_datetime", label=label, value=text))
    return value


# -- words --------------------------------------------------------------------------------------


def choice_text(choice: Choice, lang: str | None = None) -> str:
    """An answer as people see it, on screen and in messages: « A = administré » when it has a
    key, else its label; never the stored code."""
    if choice.key:
        return tr("formdefs.choice_item", lang=lang, key=choice.key, label=choice.label_in(lang))
    return choice.label_in(lang)


def _choices_text(field: FieldDefinition) -> DefinitionText:
    return per_language({lang: ", ".join(choice_text(c, lang) for c in field.choices)
                         for lang in LANGUAGES})


def _parse_choice(field: FieldDefinition, text: str, label: Msg) -> str:
    """The choice's code, typed as its key (« A »), its code or its label in either language."""
    wanted = text.casefold()
    for choice in field.choices:
        if wanted in (choice.code.casefold(), choice.label.fr.casefold(),
                      choice.label.en.casefold(), (choice.key or "").casefold()):
            return choice.code
    raise _Refused(msg("formdefs.value.unknown_choice", label=label, value=text,
                       choices=_choices_text(field)))


def _check_length(field: FieldDefinition, text: str, label: Msg, default: int | None) -> None:
    limit = field.max_length or default
    if limit is not None and len(text) > limit:
        raise _Refused(msg("formdefs.value.too_long", label=label, length=len(text), limit=limit))


def _parse_text(field: FieldDefinition, text: str, label: Msg) -> str:
    _check_length(field, text, label, None)
    if field.pattern and not re.fullmatch(field.pattern, text):
        hint = field.pattern_hint.as_msg() if field.pattern_hint else field.pattern
        raise _Refused(msg("formdefs.value.bad_format", label=label, value=text, hint=hint))
    return text


def _parse_initials(field: FieldDefinition, text: str, label: Msg) -> str:
    """1 to 4 letters (« MD », « É.L. ») or a name (« Jean-Pierre D. »): letters, no digits."""
    text = _SPACES.sub(" ", text)
    _check_length(field, text, label, DEFAULT_INITIALS_LENGTH)
    if not _INITIALS.fullmatch(text):
        raise _Refused(msg("formdefs.value.bad_initials", label=label, value=text))
    return text


def _parse_boolean(field: FieldDefinition, text: str, label: Msg) -> bool:
    word = text.casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Refused(msg("formdefs.value.bad_boolean", label=label, value=text))


_PARSERS: dict[FieldType, Callable[[FieldDefinition, str, Msg], ParsedValue]] = {
    FieldType.INTEGER: _parse_integer,
    FieldType.DECIMAL: _parse_decimal,
    FieldType.TIME: _parse_time,
    FieldType.DATE: _parse_date,
    FieldType.DATETIME: _parse_datetime,
    FieldType.CHOICE: _parse_choice,
    FieldType.TEXT: _parse_text,
    FieldType.INITIALS: _parse_initials,
    FieldType.BOOLEAN: _parse_boolean,
}


def canonical(value: Any) -> str:
    """A parsed value as stored in an entry (double entry compares and re-applies these)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
