"""Identity files read into columns of comparison-ready values, and their blocking keys.

Both sides (temporary identities, SIH patients) go through the same normalisation: upper case,
accents stripped, hyphens, apostrophes and spaces collapsed, particles (DE, LE, VAN...) dropped
in a second comparison variant only. A value that does not parse (an impossible date such as
1979-02-30, a NIR with a wrong key) is kept and compared as text: it never rejects the file.
Values are stored column by column (numpy arrays) so that a million SIH patients fit in memory
and candidate pairs are scored in bulk.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from reentry.i18n import msg
from reentry.importing.source import SourceFile
from reentry.nir import is_valid_nir

COLUMNS = ("id", "birth_name", "used_name", "given_names", "birth_date", "sex", "birth_place",
           "address", "postcode", "city", "national_id")

PARTICLES = frozenset({"DE", "DU", "DES", "D", "LA", "LE", "LES", "L", "VAN", "VON", "DER",
                       "DEN", "DEL", "DELLA", "DI", "DA", "DOS", "DAS", "Y", "TEN", "TER"})
# "DURAND EP MARTIN", "MARTIN NEE DURAND": both names written in one field on paper.
_MARRIED_MARK = re.compile(r"^(.+?)\s+(?:EP|EPSE|EPOUSE|VVE|VEUVE)\s+(.+)$")
_BORN_MARK = re.compile(r"^(.+?)\s+(?:NEE|NE)\s+(.+)$")

_LIGATURES = str.maketrans({"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

MALE, FEMALE, UNKNOWN_SEX = 1, 2, 0
_SEXES = {"M": MALE, "H": MALE, "1": MALE, "MALE": MALE, "HOMME": MALE, "MASCULIN": MALE,
          "F": FEMALE, "2": FEMALE, "FEMALE": FEMALE, "FEMME": FEMALE, "FEMININ": FEMALE}


def fold_text(text: str) -> str:
    """Upper case without accents, every run of non-alphanumerics as one space."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
        text = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub(" ", text.upper()).strip()


fold = lru_cache(maxsize=1 << 18)(fold_text)  # names repeat: fold each once


@lru_cache(maxsize=1 << 18)
def surname_forms(text: str) -> tuple[str, str]:
    """(collapsed, collapsed without particles): ``De la Fontaine`` → (DELAFONTAINE, FONTAINE)."""
    tokens = fold(text).split()
    full = "".join(tokens)
    kept = "".join(t for t in tokens if t not in PARTICLES)
    return full, kept or full


def split_married(birth: str, used: str) -> tuple[str, str]:
    """A birth name field holding both names ("DURAND EP MARTIN") split into birth and used."""
    if used.strip():
        return birth, used
    folded = fold(birth)
    if match := _MARRIED_MARK.match(folded):
        return match.group(1), match.group(2)
    if match := _BORN_MARK.match(folded):
        return match.group(2), match.group(1)
    return birth, used


@lru_cache(maxsize=1 << 18)
def given_forms(text: str) -> tuple[str, str, str]:
    """(first given name, all given names joined, the list space-separated).

    A hyphen joins a compound first name (Jean-Pierre is one name); spaces and commas separate
    the names of the list.
    """
    tokens = fold(text.replace("-", "").replace("'", "")).split()
    if not tokens:
        return "", "", ""
    return tokens[0], "".join(tokens), " ".join(tokens)


_PHONETIC_RULES = (("SCH", "S"), ("CH", "S"), ("SH", "S"), ("PH", "F"), ("GU", "G"), ("QU", "K"),
                   ("CK", "K"), ("CE", "SE"), ("CI", "SI"), ("C", "K"), ("Q", "K"), ("X", "KS"),
                   ("Y", "I"), ("Z", "S"), ("W", "V"))


@lru_cache(maxsize=1 << 18)
def phonetic(name: str) -> str:
    """A coarse French sound key (first letter + 3 consonants) so that blocking survives typos.

    DUPONT, DUPOND and DUPONTT share ``DPN``; it only chooses which pairs are compared, the
    score itself never relies on it.
    """
    if not name:
        return ""
    word = name.rstrip("TDSX") or name
    for old, new in _PHONETIC_RULES:
        word = word.replace(old, new)
    skeleton = [word[0]]
    for letter in word[1:]:
        if letter in "AEIOUH" or letter == skeleton[-1]:
            continue
        skeleton.append(letter)
    return "".join(skeleton)[:4]


def parse_birth_date(text: str) -> int:
    """YYYYMMDD as an integer, even for an impossible calendar date; -1 when not a date shape."""
    value = text.strip()
    if len(value) == 10 and value[4] == "-" == value[7] and value.replace("-", "").isdigit():
        year, month, day = int(value[:4]), int(value[5:7]), int(value[8:])
    elif match := _ISO_DATE.match(value) or _COMPACT_DATE.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH_DATE.match(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        return -1
    if month > 31 or day > 31 or not (month and day):
        return -1
    return year * 10000 + month * 100 + day


class Vocabulary:
    """Text values and blocking keys as small integers shared by both sides."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def add(self, value: str) -> int:
        if not value:
            return -1
        return self._ids.setdefault(value, len(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def find(self, value: str) -> int:
        return self._ids.get(value, -1) if value else -1


@dataclass
class IdentityTable:
    """One identity file, column by column, ready for bulk comparison."""

    ids: list[str]
    birth_full: np.ndarray  # object arrays of collapsed names ("" when missing)
    birth_strip: np.ndarray
    used_full: np.ndarray
    used_strip: np.ndarray
    given_first: np.ndarray
    given_all: np.ndarray
    given_list: np.ndarray
    given_count: np.ndarray  # int8
    address: np.ndarray
    date: np.ndarray  # int64 YYYYMMDD or -1
    date_text: np.ndarray  # int32 id of the folded date text, -1 when empty
    sex: np.ndarray  # int8
    place: np.ndarray  # int32 id
    postcode: np.ndarray  # int32 id
    nir: np.ndarray  # int32 id of the normalised text
    nir_valid: np.ndarray  # bool
    keys: np.ndarray  # (n, 2) int64: blocking key id, row (rows ascending)
    _present: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def has_particles(self, kind: str) -> np.ndarray:
        """Which rows' ``kind`` (birth or used) surname changes without its particles."""
        cached = f"{kind}_particles"
        if cached not in self._present:
            full, stripped = getattr(self, f"{kind}_full"), getattr(self, f"{kind}_strip")
            self._present[cached] = full != stripped
        return self._present[cached]

    def present(self, column: str) -> np.ndarray:
        """Which rows have a non-empty value in a text column (computed once)."""
        if column not in self._present:
            values = getattr(self, column)
            self._present[column] = np.fromiter((bool(v) for v in values), dtype=np.bool_,
                                                count=len(values))
        return self._present[column]


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, values in COLUMNS order) of an identity CSV: ``,`` or ``;``, UTF-8 (BOM or not).

    Only the id column is required; a missing column reads as empty values.
    """
    source = SourceFile.read(path)
    text = source.text()
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [c.strip().lower() for c in next(reader, [])]
    if "id" not in header:
        raise source.reject(msg("where.line", line=1), msg("problem.missing_column", name="id"))
    positions = [header.index(c) if c in header else -1 for c in COLUMNS]
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            values = [row[p].strip() if 0 <= p < len(row) else "" for p in positions]
            if not values[0]:
                raise source.reject(msg("where.line_column", line=reader.line_num, column="id"),
                                    msg("problem.missing_value", name="id"))
            yield reader.line_num, values
    except csv.Error as error:
        raise source.reject(msg("where.line", line=reader.line_num),
                            msg("csv.malformed", detail=str(error))) from None


def build_table(rows: Iterable[tuple[int, list[str]]], vocabulary: Vocabulary,
                add_keys: bool) -> IdentityTable:
    """Normalise every row; ``add_keys`` registers new blocking keys (the indexed side only)."""
    records: list[tuple] = []
    key_ids: list[int] = []
    key_rows: list[int] = []
    key_id: Callable[[str], int] = vocabulary.add if add_keys else vocabulary.find
    for _line, values in rows:
        record, keys = _normalise_row(values, vocabulary.add)
        row = len(records)
        records.append(record)
        for key in keys:
            found = key_id(key)
            if found >= 0:
                key_ids.append(found)
                key_rows.append(row)
    return _as_table(records, np.array([key_ids, key_rows], dtype=np.int64).T.copy())


_RECORD_FIELDS = ("ids", "birth_full", "birth_strip", "used_full", "used_strip", "given_first",
                  "given_all", "given_list", "given_count", "address", "date", "date_text", "sex",
                  "place", "postcode", "nir", "nir_valid")


def _normalise_row(values: list[str], add: Callable[[str], int]) -> tuple[tuple, list[str]]:
    """One row as comparison-ready values (in ``_RECORD_FIELDS`` order) and its blocking keys."""
    (ident, birth, used, given, birth_date, sex, place, address, postcode, _city, nir) = values
    if not used and " " in birth:
        birth, used = split_married(birth, used)
    birth_full, birth_strip = surname_forms(birth)
    used_full, used_strip = surname_forms(used) if used else ("", "")
    if used_full == birth_full:
        used_full = used_strip = ""
    first, joined, listed = given_forms(given)
    date = parse_birth_date(birth_date)
    date_text = fold(birth_date) if date < 0 else ""
    nir_text = _NOT_ALNUM.sub("", nir.upper()) if nir else ""
    record = (ident, birth_full, birth_strip, used_full, used_strip, first, joined, listed,
              listed.count(" ") + 1 if listed else 0, fold_text(address) if address else "",
              date, add(date_text), _SEXES.get(fold(sex), UNKNOWN_SEX) if sex else UNKNOWN_SEX,
              add(fold(place).replace(" ", "")) if place else -1,
              add(postcode.replace(" ", "")) if postcode else -1,
              add(nir_text), bool(nir_text) and is_valid_nir(nir_text))
    keys = []
    if date >= 0:
        keys.append(f"D{date}")
    elif date_text:
        keys.append(f"T{date_text}")
    for name in (birth_full, used_full):
        if name:
            sound = phonetic(name)
            if date >= 0:
                keys.append(f"Y{sound}{date // 10000}")
            if first and date >= 0:
                keys.append(f"G{sound}{first[:3]}{date % 10000}")
    if len(nir_text) >= 13:
        keys.append(f"N{nir_text}")
    return record, keys


_DTYPES = {"given_count": np.int8, "date": np.int64, "date_text": np.int32, "sex": np.int8,
           "place": np.int32, "postcode": np.int32, "nir": np.int32, "nir_valid": np.bool_}


def _as_table(records: list[tuple], keys: np.ndarray) -> IdentityTable:
    columns = list(zip(*records, strict=True)) if records else [()] * len(_RECORD_FIELDS)
    arrays: dict[str, object] = {"keys": keys}
    for name, values in zip(_RECORD_FIELDS, columns, strict=True):
        if name == "ids":
            arrays[name] = list(values)
        elif name in _DTYPES:
            arrays[name] = np.array(values, dtype=_DTYPES[name])
        else:
            array = np.empty(len(values), dtype=object)
            array[:] = values
            arrays[name] = array
    return IdentityTable(**arrays)  # type: ignore[arg-type]
