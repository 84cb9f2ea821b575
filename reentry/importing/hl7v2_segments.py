"""Reading HL7 v2 files: messages out of MLLP frames and any line ending, lenient field access.

Every segment keeps its line in the file, so that every error names the line, the segment and
the field, and a component the sender left out reads as "". The HL7 syntax is read here rather
than by python-hl7, which splits every field of every segment into objects up front (a 150 MB
file of fields took minutes), asserts on odd separators and logs a traceback for a bad escape:
a segment is split only when one of its fields is read, a field only down to the repetition,
component and sub-component asked for, and escapes (``\\F\\``, ``\\S\\``, ``\\T\\``,
``\\R\\``, ``\\E\\``, ``\\Xhh\\``, ``\\.br\\``...) are read by one regular expression.
The separators are those MSH-1 and MSH-2 declare, checked first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from reentry import clock
from reentry.errors import FileRejected
from reentry.i18n import Msg, msg
from reentry.importing.limits import MAX_REPETITIONS, check_instant, shown
from reentry.importing.source import SourceFile

_SEGMENT = re.compile(r"^[A-Z][A-Z0-9]{2}(\|.*)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-])?(\d{2})?(\d{2})?$")
# Batch envelope segments (FHS/BHS ... BTS/FTS) wrap messages in exported files; they say
# nothing about patients.
_ENVELOPE = frozenset({"FHS", "BHS", "BTS", "FTS"})
_MLLP_START, _MLLP_END = "\x0b", "\x1c"
_SPLIT_FIELDS = 100  # fields split at first; no segment the importer reads has more
_MAX_SPACING = 100  # \.sp<n>\ and the like: at most this many characters


@dataclass(frozen=True)
class Encoding:
    """The separators of a message, as MSH-2 declares them (fields are always separated by
    ``|``: a segment that is not is refused before)."""

    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    @classmethod
    def of(cls, msh: str) -> Encoding | None:
        """The encoding MSH-2 declares; None unless it gives 4 (or 5, with the truncation
        character of v2.7) distinct characters, none a letter, digit, space or ``|``."""
        end = msh.find("|", 4)
        chars = msh[4:end] if end >= 0 else msh[4:]
        if (len(chars) not in (4, 5) or len(set(chars)) != len(chars) or "|" in chars
                or any(c.isalnum() or c.isspace() for c in chars)):
            return None
        return cls(chars[0], chars[1], chars[2], chars[3])


@dataclass
class Segment:
    """One segment of a message, with its line in the file; split when first read."""

    name: str
    line: int
    text: str
    source: SourceFile
    encoding: Encoding = field(default_factory=Encoding)
    _fields: list[str] | None = field(default=None, init=False, repr=False)

    def where(self, field: int | None = None) -> Msg:
        if field is None:
            return msg("where.segment", line=self.line, segment=self.name)
        return msg("where.segment_field", line=self.line, segment=self.name, field=field)

    def reject(self, field: int | None, problem: Msg) -> FileRejected:
        return self.source.reject(self.where(field), problem)

    def raw(self, field: int) -> str:
        """Field ``field`` as written (escapes kept); "" when left out. MSH-1 is the field
        separator and MSH-2 the encoding characters, as HL7 numbers them."""
        if self.name == "MSH":
            if field == 1:
                return "|"
            field -= 1
        fields = self._fields
        if fields is None:
            fields = self._fields = self.text.split("|", _SPLIT_FIELDS)
        if field >= len(fields) - 1 and len(fields) > _SPLIT_FIELDS:
            fields = self._fields = self.text.split("|")
        return fields[field] if 0 < field < len(fields) else ""

    def repetitions(self, field: int) -> int:
        value = self.raw(field)
        if not value:
            return 0
        count = value.count(self.encoding.repetition) + 1
        if count > MAX_REPETITIONS:
            raise self.reject(field, msg("hl7.too_many_repetitions", count=count,
                                         limit=MAX_REPETITIONS))
        return count

    def get(self, field: int, component: int = 1, sub: int = 1, rep: int = 1) -> str:
        """The unescaped value at field~rep^component&sub (1-based); "" when left out."""
        value = self.raw(field)
        if not value or (self.name == "MSH" and field <= 2):
            return value
        encoding = self.encoding
        parts = value.split(encoding.repetition, rep)
        if rep > len(parts):
            return ""
        parts = parts[rep - 1].split(encoding.component, component)
        if component > len(parts):
            return ""
        parts = parts[component - 1].split(encoding.subcomponent, sub)
        if sub > len(parts):
            return ""
        return unescape(parts[sub - 1], encoding).strip()

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
            raise self.reject(field, msg("problem.bad_datetime", value=shown(text))) from None

    def date(self, field: int) -> date | None:
        """A calendar date such as a birth date; one known only to the month or year is unknown,
        never guessed."""
        text = self.get(field)
        if not text:
            return None
        try:
            moment = parse_timestamp(text, naive=True)
        except ValueError:
            raise self.reject(field, msg("problem.bad_date", value=shown(text))) from None
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

    Raises ValueError on anything else, impossible dates included (2024-02-30, 25:00), and on
    an instant that cannot be stored in UTC.
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
        return check_instant(moment.replace(tzinfo=timezone(offset if sign == "+" else -offset)))
    return check_instant(moment.replace(tzinfo=clock.hospital_zone()))


def unescape(text: str, encoding: Encoding) -> str:
    """``text`` with its HL7 escape sequences read (HL7 v2.5 section 2.7): separators, hex
    bytes (UTF-8, else Latin-1), formatting (``\\.br\\`` a line break, ``\\.sp3\\`` three,
    indents as spaces). Highlighting, character-set switches and unknown ones are dropped."""
    if encoding.escape not in text:
        return text
    return _escapes(encoding).sub(lambda found: _escaped(found.group(1), encoding), text)


@lru_cache(maxsize=8)
def _escapes(encoding: Encoding) -> re.Pattern[str]:
    escape = re.escape(encoding.escape)
    return re.compile(f"{escape}([^{escape}]*){escape}")


_FORMATTING = {".br": "\r", ".sp": "\r", ".ce": "\r", ".in": " ", ".ti": " ", ".sk": " ",
               ".fi": "", ".nf": ""}


def _escaped(code: str, encoding: Encoding) -> str:
    separators = {"F": "|", "S": encoding.component, "T": encoding.subcomponent,
                  "R": encoding.repetition, "E": encoding.escape}
    if code in separators:
        return separators[code]
    if code[:3] in _FORMATTING:
        count = code[3:].lstrip("+-")
        times = min(int(count), _MAX_SPACING) if count.isdecimal() and len(count) < 6 else 1
        return _FORMATTING[code[:3]] * (times * (4 if code[:3] in (".in", ".ti") else 1))
    if code[:1] == "X" and len(code) % 2 == 1:
        try:
            data = bytes.fromhex(code[1:])
        except ValueError:
            return ""
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return ""


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    """Lines numbered as an editor shows them, whatever the separator (\\r, \\n, \\r\\n).

    MLLP frame marks at the start or end of a line are dropped without shifting the numbering;
    a mark glued between two segments separates them.
    """
    if _MLLP_START in text:  # the regular expressions cost a scan of the whole file
        text = re.sub(r"(\A|[\r\n])\x0b", r"\1", text)
    if _MLLP_END in text:
        text = re.sub(r"\x1c(?=[\r\n]|\Z)", "", text)
    text = text.replace(_MLLP_START, "\n").replace(_MLLP_END, "\n")
    return list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1))


def read_messages(source: SourceFile) -> list[Message]:
    """Every message of the file, each line checked to be a segment, each message from an MSH
    whose separators are sound."""
    messages: list[Message] = []
    encoding = Encoding()
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
            declared = Encoding.of(line)
            if declared is None:
                shown = line[4:line.find("|", 4)] if "|" in line[4:] else line[4:12]
                raise source.reject(
                    msg("where.segment_field", line=number, segment="MSH", field=2),
                    msg("hl7.bad_encoding_characters", value=shown[:12]))
            encoding = declared
            messages.append(Message([]))
        elif not messages:
            raise source.reject(msg("where.line", line=number), msg("problem.not_hl7"))
        messages[-1].segments.append(Segment(name, number, line, source, encoding))
    if not messages:
        raise source.reject(msg("where.file"), msg("problem.not_hl7"))
    return messages
