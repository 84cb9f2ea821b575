"""Reading HL7 v2 files: messages out of MLLP frames and any line ending, lenient field access.

python-hl7 does the HL7 syntax (separators, escapes, repetitions; it keeps the French Z-segments
that hl7apy drops). Around it, every segment keeps its line in the file, so that every error
names the line, the segment and the field, and a component the sender left out reads as "".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import hl7
from hl7.containers import Repetition

from reentry import clock
from reentry.errors import FileRejected
from reentry.i18n import Msg, msg
from reentry.importing.source import SourceFile

_SEGMENT = re.compile(r"^[A-Z][A-Z0-9]{2}(\|.*)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-])?(\d{2})?(\d{2})?$")
# Batch envelope segments (FHS/BHS ... BTS/FTS) wrap messages in exported files; they say
# nothing about patients.
_ENVELOPE = frozenset({"FHS", "BHS", "BTS", "FTS"})
_MLLP_START, _MLLP_END = "\x0b", "\x1c"


@dataclass
class Segment:
    """One segment of a message, with its line in the file."""

    name: str
    line: int
    raw: hl7.Segment
    source: SourceFile

    def where(self, field: int | None = None) -> Msg:
        if field is None:
            return msg("where.segment", line=self.line, segment=self.name)
        return msg("where.segment_field", line=self.line, segment=self.name, field=field)

    def reject(self, field: int | None, problem: Msg) -> FileRejected:
        return self.source.reject(self.where(field), problem)

    def repetitions(self, field: int) -> int:
        if field >= len(self.raw) or not self.raw(field):
            return 0
        value = self.raw(field)
        return len(value) if isinstance(value[0], Repetition) else 1

    def get(self, field: int, component: int = 1, sub: int = 1, rep: int = 1) -> str:
        """The unescaped value at field~rep^component&sub (1-based); "" when left out."""
        try:
            value = self.raw.extract_field(1, field, rep, component, sub)
        except (IndexError, KeyError):
            return ""
        return str(value).strip()

    def timestamp(self, field: int, required: bool = False) -> datetime | None:
        """An instant (HL7 DTM), in the hospital's zone when the sender gave no offset."""
        text = self.get(field)
        if not text:
            if required:
                raise self.reject(field, msg("problem.missing_value",
                                             name=f"{self.name}-{field}"))
            return None
        try:
            return parse_timestamp(text)
        except ValueError:
            raise self.reject(field, msg("problem.bad_datetime", value=text)) from None

    def date(self, field: int) -> date | None:
        """A calendar date such as a birth date; one known only to the month or year is unknown,
        never guessed."""
        text = self.get(field)
        if not text:
            return None
        try:
            moment = parse_timestamp(text, naive=True)
        except ValueError:
            raise self.reject(field, msg("problem.bad_date", value=text)) from None
        return moment.date() if len(text) >= 8 else None


@dataclass
class Message:
    segments: list[Segment]

    @property
    def msh(self) -> Segment:
        return self.segments[0]

    @property
    def kind(self) -> str:
        """``ADT^A01``: message code and trigger event (MSH-9.1, MSH-9.2)."""
        return f"{self.msh.get(9, 1)}^{self.msh.get(9, 2)}"

    def first(self, name: str) -> Segment | None:
        return next((s for s in self.segments if s.name == name), None)

    def require(self, name: str) -> Segment:
        found = self.first(name)
        if found is None:
            raise self.msh.reject(None, msg("problem.missing_segment", segment=name))
        return found


def parse_timestamp(text: str, naive: bool = False) -> datetime:
    """HL7 DTM ``YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]``; without an offset, hospital time.

    Raises ValueError on anything else, impossible dates included (2024-02-30, 25:00).
    """
    match = _TIMESTAMP.match(text)
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    if (sign and not (off_h and off_m)) or (off_h and not sign):
        raise ValueError(text)
    moment = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                      int(minute or 0), int(second or 0),
                      int((fraction or "0").ljust(6, "0")[:6]))
    if naive:
        return moment
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        if offset >= timedelta(hours=24) or int(off_m) >= 60:
            raise ValueError(text)
        return moment.replace(tzinfo=timezone(offset if sign == "+" else -offset))
    return moment.replace(tzinfo=clock.hospital_zone())


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    """Lines numbered as an editor shows them, whatever the separator (\\r, \\n, \\r\\n).

    MLLP frame marks at the start or end of a line are dropped without shifting the numbering;
    a mark glued between two segments separates them.
    """
    text = re.sub(r"(\A|[\r\n])\x0b", r"\1", text)
    text = re.sub(r"\x1c(?=[\r\n]|\Z)", "", text)
    text = text.replace(_MLLP_START, "\n").replace(_MLLP_END, "\n")
    return list(enumerate(re.split(r"\r\n|\r|\n", text), start=1))


def _group_messages(source: SourceFile) -> list[list[tuple[int, str]]]:
    """The lines of each message, every line checked to be a segment, each message from MSH."""
    messages: list[list[tuple[int, str]]] = []
    for number, line in _numbered_lines(source.text()):
        line = line.strip("\x00 \t")
        if not line:
            continue
        if not _SEGMENT.match(line):
            shown = line if len(line) <= 40 else line[:40] + "…"
            raise source.reject(msg("where.line", line=number),
                                msg("problem.bad_segment", text=shown))
        name = line[:3]
        if name in _ENVELOPE:
            continue
        if name == "MSH":
            if len(line) < 8:
                raise source.reject(msg("where.segment", line=number, segment="MSH"),
                                    msg("problem.bad_segment", text=line))
            messages.append([])
        elif not messages:
            raise source.reject(msg("where.line", line=number), msg("problem.not_hl7"))
        messages[-1].append((number, line))
    if not messages:
        raise source.reject(msg("where.file"), msg("problem.not_hl7"))
    return messages


def read_messages(source: SourceFile) -> list[Message]:
    """Every message of the file, each segment checked for shape and parsed by python-hl7."""
    parsed = []
    for lines in _group_messages(source):
        first_line = lines[0][0]
        try:
            raw = hl7.parse("\r".join(text for _, text in lines))
        except (hl7.ParseException, ValueError, IndexError) as error:
            raise source.reject(msg("where.segment", line=first_line, segment="MSH"),
                                msg("problem.bad_segment", text=str(error)[:60])) from None
        parsed.append(Message([Segment(str(segment[0]), number, segment, source)
                               for (number, _), segment in zip(lines, raw, strict=True)]))
    return parsed
