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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from reentry.i18n import msg
from reentry.importing.source import SourceFile
from reentry.reconcile.csv_columns import Categorical, read_csv_columns
from reentry.reconcile.identity_columns import COLUMNS

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


_INITIALS_ONLY = re.compile(r"^[B-DF-HJ-NP-TV-Z]{2,3}$")  # "JP", "JPM": consonants only
GIVEN_APART, GIVEN_PARTS, GIVEN_ABBREVIATED = 0, 1, 2


def given_parts(text: str) -> tuple[str, ...]:
    """The parts of the first names, folded: ``Jean-Pierre Louis`` → (JEAN, PIERRE, LOUIS);
    ``JP`` (consonants only) → (J, P)."""
    parts = fold(text).split()
    if len(parts) == 1 and _INITIALS_ONLY.match(parts[0]):
        return tuple(parts[0])
    return tuple(parts)


def initials_mask(text: str) -> int:
    """The initials of the parts as a bit mask (A = bit 0): a cheap test that two lists of first
    names may relate at all."""
    mask = 0
    for part in given_parts(text):
        if "A" <= part[0] <= "Z":
            mask |= 1 << (ord(part[0]) - 65)
    return mask


@lru_cache(maxsize=1 << 16)
def relate_given_names(a: str, b: str) -> int:
    """How two lists of first names relate when they are not simply equal:

    * ``GIVEN_PARTS``: the parts of one are all parts of the other, in any order (Pierre Jean
      for Jean-Pierre; Jean Pierre for Jean-Pierre Louis);
    * ``GIVEN_ABBREVIATED``: the same, a one-letter part standing for a part it begins (J-Pierre
      or JP for Jean-Pierre), with a whole part in common or two initials at least;
    * ``GIVEN_APART`` otherwise.
    """
    left, right = given_parts(a), given_parts(b)
    if not left or not right:
        return GIVEN_APART
    for short, full in ((left, right), (right, left)):
        if len(short) > len(full):
            continue
        remaining = list(full)
        whole = 0
        initials: list[str] = []
        for part in short:
            if part in remaining:
                remaining.remove(part)
                whole += 1
            elif len(part) == 1:
                initials.append(part)
            else:
                break
        else:
            if not initials:
                return GIVEN_PARTS
            if whole or len(initials) >= 2:
                for letter in initials:
                    found = next((p for p in remaining if p[0] == letter), None)
                    if found is None:
                        break
                    remaining.remove(found)
                else:
                    return GIVEN_ABBREVIATED
    return GIVEN_APART


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
    """Text values, name sounds and blocking keys as small integers shared by both sides.

    Text values (unreadable dates, birthplaces, postcodes, NIRs) get one number each, so that
    equal texts compare as equal numbers. Blocking keys are packed into 64-bit integers
    (``_pack_keys``); the indexed side's distinct keys, sorted, give each key its number
    (``len`` is their count), and the other side's keys are looked up among them.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._sounds: dict[str, int] = {}
        self._prefixes: dict[str, int] = {}
        self._keys = np.empty(0, dtype=np.int64)

    def add(self, value: str) -> int:
        if not value:
            return -1
        return self._ids.setdefault(value, len(self._ids))

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, value: str) -> int:
        return self._ids.get(value, -1) if value else -1

    def sound(self, value: str) -> int:
        return self._sounds.setdefault(value, len(self._sounds))

    def prefix(self, value: str) -> int:
        return self._prefixes.setdefault(value, len(self._prefixes))

    def key_tags(self) -> np.ndarray:
        """Each key number's kind (``TAG_DATE``, ``TAG_YEAR``...)."""
        return (self._keys >> _TAG_SHIFT).astype(np.int8)

    def number_keys(self, packed: np.ndarray, add: bool) -> np.ndarray:
        """Each packed key's number; ``add``: the keys are the indexed side's (one per
        vocabulary); otherwise a key the indexed side lacks gets -1."""
        if add:
            if len(self._keys):
                raise ValueError("a vocabulary indexes one side only")
            ordered = np.sort(packed)
            distinct = np.ones(len(ordered), dtype=bool)
            distinct[1:] = ordered[1:] != ordered[:-1]
            self._keys = ordered[distinct]
            return np.searchsorted(self._keys, packed)
        if not len(self._keys):
            return np.full(len(packed), -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(self._keys, packed), len(self._keys) - 1)
        return np.where(self._keys[found] == packed, found, -1)


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
    given_first_id: np.ndarray  # int64 id of the first first name, -1 when empty
    given_sound: np.ndarray  # int64 id of its sound (``phonetic``), -1 when empty
    first3: np.ndarray  # int64 id of its first three letters, -1 when empty
    birth_sound: np.ndarray  # int64 id of the birth name's sound, -1 when empty
    used_sound: np.ndarray  # int64 id of the used name's sound, -1 when empty
    given_text: np.ndarray  # object: the first names as written (``relate_given_names``)
    given_initials: np.ndarray  # int32 bit mask of the initials of their parts
    address: np.ndarray
    date: np.ndarray  # int64 YYYYMMDD or -1
    date_text: np.ndarray  # int32 id of the folded date text, -1 when empty
    sex: np.ndarray  # int8
    place: np.ndarray  # int32 id
    postcode: np.ndarray  # int32 id
    nir: np.ndarray  # int32 id of the normalised text
    nir_text: np.ndarray  # object: the identifier as compared (upper case, alphanumeric)
    nir_long: np.ndarray  # bool: ``MIN_ID_LENGTH`` characters or more (a key; typos read)
    nir_valid: np.ndarray  # bool
    keys: np.ndarray  # (n, 2) int64: blocking key id, row (rows ascending)
    key_tags: np.ndarray | None = None  # indexed side: each key id's kind (TAG_DATE...)
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
            self._present[column] = np.asarray(getattr(self, column) != "", dtype=bool)
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


Column = Sequence[str]


def read_columns(path: Path) -> list[Sequence[str]]:
    """The identity CSV as columns in COLUMNS order (stripped; ``Categorical`` but the ids),
    read whole (``csv_columns``): what ``read_rows`` gives row by row, for a million patients
    in a fraction of the time. Only the id column is required."""
    source = SourceFile.read(path)
    wanted = {name: name != "id" for name in COLUMNS}
    columns = read_csv_columns(source, wanted, "id", ("id",))
    columns.require("id")
    return [columns.text("id"), *(columns.category(name) for name in COLUMNS[1:])]


def build_table(rows: Iterable[tuple[int, list[str]]], vocabulary: Vocabulary,
                add_keys: bool) -> IdentityTable:
    """Normalise every row; ``add_keys`` registers new blocking keys (the indexed side only)."""
    listed = [values for _line, values in rows]
    columns = [list(c) for c in zip(*listed, strict=True)] if listed else \
        [[] for _ in COLUMNS]
    return build_table_from_columns(columns, vocabulary, add_keys)


def _per_value(column: Categorical, function: Callable[[str], tuple], dtypes: tuple
               ) -> list[np.ndarray]:
    """Each part of ``function``'s tuple, worked out once per distinct value of the column and
    spread over its rows."""
    results = [np.empty(len(column.values), dtype=dtype) for dtype in dtypes]
    for number, value in enumerate(column.values):
        for part, result in zip(results, function(value), strict=True):
            part[number] = result
    return [part[column.codes] for part in results]


def _married_split(birth: Categorical, used: Categorical) -> tuple[Categorical, Categorical]:
    """Rows whose birth name holds both names ("DURAND EP MARTIN"), with no used name: split."""
    changed = {number: split_married(b, "") for number, b in enumerate(birth.values)
               if " " in b}
    changed = {n: pair for n, pair in changed.items() if pair != (birth.values[n], "")}
    if not changed:
        return birth, used
    rows = np.flatnonzero(np.isin(birth.codes, list(changed)) & used.where(""))
    if not len(rows):
        return birth, used
    births, useds = list(birth), list(used)
    for row in rows.tolist():
        births[row], useds[row] = changed[int(birth.codes[row])]
    return Categorical.of(births), Categorical.of(useds)


def _surnames(vocabulary: Vocabulary) -> Callable[[str], tuple[str, str, int]]:
    def forms(name: str) -> tuple[str, str, int]:
        if not name:
            return "", "", -1
        full, stripped = surname_forms(name)
        return full, stripped, vocabulary.sound(phonetic(full)) if full else -1
    return forms


def _given(vocabulary: Vocabulary
           ) -> Callable[[str], tuple[str, str, str, int, int, int, str, int, int]]:
    def forms(given: str) -> tuple[str, str, str, int, int, int, str, int, int]:
        first, joined, listed = given_forms(given)
        return (first, joined, listed, listed.count(" ") + 1 if listed else 0,
                vocabulary.prefix(first[:3]) if first else -1,
                vocabulary.sound(phonetic(first)) if first else -1, given,
                initials_mask(given), vocabulary.add("F" + first) if first else -1)
    return forms


def _dates(vocabulary: Vocabulary) -> Callable[[str], tuple[int, int]]:
    def parse(text: str) -> tuple[int, int]:
        date = parse_birth_date(text)
        return date, (vocabulary.add(fold(text)) if date < 0 and text else -1)
    return parse


def _nir_text(nir: str) -> str:
    if not nir:
        return ""
    upper = nir.upper()
    return upper if upper.isalnum() and upper.isascii() else _NOT_ALNUM.sub("", upper)


def build_table_from_columns(columns: Sequence[Column], vocabulary: Vocabulary,
                             add_keys: bool) -> IdentityTable:
    """The table of identity columns (COLUMNS order, stripped), each value normalised once
    however many rows hold it; blocking keys packed as integers (``_pack_keys``)."""
    (ids, birth, used, given, birth_date, sex, place, address, postcode, _city, nir) = [
        Categorical.of(c) for c in columns]
    birth, used = _married_split(birth, used)
    surnames = _surnames(vocabulary)
    birth_full, birth_strip, birth_sound = _per_value(birth, surnames, (object, object, int))
    used_full, used_strip, used_sound = _per_value(used, surnames, (object, object, int))
    same = used_full == birth_full
    used_full[same] = ""
    used_strip[same] = ""
    used_sound[same] = -1
    (given_first, given_all, given_list, given_count, first3, given_sound, given_text,
     initials, first_id) = _per_value(given, _given(vocabulary), (
         object, object, object, np.int8, np.int64, np.int64, object, np.int32, np.int64))
    date, date_text = _per_value(birth_date, _dates(vocabulary), (np.int64, np.int32))
    (sex_code,) = _per_value(sex, lambda x: (_SEXES.get(fold(x), UNKNOWN_SEX) if x
                                             else UNKNOWN_SEX,), (np.int8,))
    (place_id,) = _per_value(place, lambda p: (vocabulary.add(fold(p).replace(" ", ""))
                                               if p else -1,), (np.int32,))
    (postcode_id,) = _per_value(postcode, lambda p: (vocabulary.add(p.replace(" ", ""))
                                                     if p else -1,), (np.int32,))
    (address_text,) = _per_value(address, lambda a: (fold_text(a) if a else "",), (object,))
    nir_texts = [_nir_text(n) for n in nir.values]
    nir_valid = valid_nirs(nir_texts)[nir.codes]
    nir_id = np.array([vocabulary.add(t) for t in nir_texts], dtype=np.int32)[nir.codes]
    nir_text = np.array(nir_texts, dtype=object)[nir.codes] if nir_texts else \
        np.full(len(nir.codes), "", dtype=object)
    long_nir = np.array([len(t) >= MIN_ID_LENGTH for t in nir_texts], dtype=bool)[nir.codes]
    table = IdentityTable(
        ids=list(ids), birth_full=birth_full, birth_strip=birth_strip, used_full=used_full,
        used_strip=used_strip, given_first=given_first, given_all=given_all,
        given_list=given_list, given_count=given_count, given_first_id=first_id,
        given_sound=given_sound, first3=first3, birth_sound=birth_sound.astype(np.int64),
        used_sound=used_sound.astype(np.int64),
        given_text=given_text,
        given_initials=initials, address=address_text, date=date,
        date_text=date_text, sex=sex_code, place=place_id, postcode=postcode_id, nir=nir_id,
        nir_text=nir_text, nir_long=long_nir, nir_valid=nir_valid,
        keys=np.empty((0, 2), dtype=np.int64))
    packed, rows = _pack_keys(table, (birth_sound, used_sound), given_sound, long_nir,
                              indexed=add_keys)
    numbers = vocabulary.number_keys(packed, add_keys)
    kept = numbers >= 0
    order = np.argsort(rows[kept], kind="stable")
    table.keys = np.stack([numbers[kept][order], rows[kept][order]], axis=1).astype(np.int64)
    if add_keys:
        table.key_tags = vocabulary.key_tags()
    return table


# Blocking keys as 64-bit integers: a tag (bits 58+), then the key's parts.
(TAG_DATE, TAG_DATE_TEXT, TAG_YEAR, TAG_GIVEN, TAG_NIR, TAG_FIRST_YEAR, TAG_NAMES,
 TAG_NAMES_UNDATED, TAG_POSTCODE, TAG_POSTCODE_UNDATED, TAG_SURNAME_PLACE,
 TAG_SURNAME_PLACE_UNDATED, TAG_HOME) = range(1, 14)
_TAG_SHIFT = 58
MIN_ID_LENGTH = 6  # a national identifier of any shape this long (or longer) is a key


def _tagged(tag: int, parts: np.ndarray) -> np.ndarray:
    return (np.int64(tag) << _TAG_SHIFT) | parts.astype(np.int64)


def _pack_keys(table: IdentityTable, sounds: tuple[np.ndarray, ...],
               given_sound: np.ndarray, long_id: np.ndarray, indexed: bool
               ) -> tuple[np.ndarray, np.ndarray]:
    """(packed key, row) of every blocking key, so that one wrong field never hides the
    person:

    * birth date (D); unreadable date text (T);
    * sound of a surname (birth or used) + birth year (Y: a digit off in the day or month);
    * sound of a surname + day and month (G: the year wrong, the first name too);
    * first name + birth year and month (F: the surname changed, a digit off in the day);
    * a national identifier of any shape, ``MIN_ID_LENGTH`` characters or more (N);
    * sound of a surname + first name + postcode (H: the same person at home, whatever the
      date says);
    * for a birth date missing on either side: the sounds of surname and first name, in either
      order (S: the fields crossed too); postcode + first name (P: the surname changed);
      sound of a surname + postcode, and + birthplace (L: the first name wrong too).
      A date-less key of the indexed side is met by every identity; a dated one only by an
      identity without a date, so that the many dated namesakes are not compared for nothing
      (with both dates known, the keys above find every date that can still agree).
    """
    rows = np.arange(len(table.ids), dtype=np.int64)
    date = table.date
    dated = date >= 0
    undated = ~dated  # no date, or one that does not read as a date
    keys = [(_tagged(TAG_DATE, date[dated]), rows[dated])]
    text = ~dated & (table.date_text >= 0)
    keys.append((_tagged(TAG_DATE_TEXT, table.date_text[text]), rows[text]))
    has_given = given_sound >= 0
    first_name = table.given_first_id

    def undated_keys(tag: int, undated_tag: int, parts: np.ndarray, where: np.ndarray) -> None:
        """Indexed side: undated rows under ``undated_tag``, the others under ``tag``; query
        side: every row under ``undated_tag``, undated rows under ``tag`` too."""
        if indexed:
            keys.append((_tagged(undated_tag, parts[undated[where]]),
                         rows[where][undated[where]]))
            keys.append((_tagged(tag, parts[~undated[where]]), rows[where][~undated[where]]))
        else:
            keys.append((_tagged(undated_tag, parts), rows[where]))
            keys.append((_tagged(tag, parts[undated[where]]), rows[where][undated[where]]))

    for sound in sounds:
        named = (sound >= 0) & dated
        keys.append((_tagged(TAG_YEAR, (sound[named].astype(np.int64) << 16)
                             | (date[named] // 10000)), rows[named]))
        keys.append((_tagged(TAG_GIVEN, (sound[named].astype(np.int64) << 16)
                             | (date[named] % 10000)), rows[named]))
        for place in (table.postcode, table.place):
            located = (sound >= 0) & (place >= 0)
            undated_keys(TAG_SURNAME_PLACE, TAG_SURNAME_PLACE_UNDATED,
                         (sound[located].astype(np.int64) << 26)
                         | (place[located].astype(np.int64) << 1) | (place is table.place),
                         located)
        home = (sound >= 0) & (first_name >= 0) & (table.postcode >= 0)
        keys.append((_tagged(TAG_HOME, (sound[home].astype(np.int64) << 40)
                             | (first_name[home] << 20) | table.postcode[home]), rows[home]))
        both = (sound >= 0) & has_given
        low = np.minimum(sound[both], given_sound[both]).astype(np.int64)
        high = np.maximum(sound[both], given_sound[both]).astype(np.int64)
        undated_keys(TAG_NAMES, TAG_NAMES_UNDATED, (low << 24) | high, both)
    first_dated = (first_name >= 0) & dated
    keys.append((_tagged(TAG_FIRST_YEAR, (first_name[first_dated].astype(np.int64) << 20)
                         | (date[first_dated] // 100)), rows[first_dated]))
    placed = (first_name >= 0) & (table.postcode >= 0)
    undated_keys(TAG_POSTCODE, TAG_POSTCODE_UNDATED,
                 (table.postcode[placed].astype(np.int64) << 24) | first_name[placed], placed)
    keys.append((_tagged(TAG_NIR, table.nir[long_id]), rows[long_id]))
    return (np.concatenate([k for k, _ in keys]).astype(np.int64),
            np.concatenate([r for _, r in keys]))


def valid_nirs(texts: list[str]) -> np.ndarray:
    """Which texts (upper case, alphanumeric) are valid NIRs, all at once: ``is_valid_nir``'s
    rule (15 characters, digits but ``2A``/``2B``, key = 97 − body mod 97)."""
    count = len(texts)
    fifteen = np.fromiter((len(t) == 15 for t in texts), bool, count)
    valid = np.zeros(count, dtype=bool)
    rows = np.flatnonzero(fifteen)
    if not len(rows):
        return valid
    chars = np.array([texts[r] for r in rows.tolist()], dtype="U15").view(np.uint32
                                                                          ).reshape(-1, 15)
    digits = chars.astype(np.int64) - ord("0")
    is_digit = (digits >= 0) & (digits <= 9)
    corsica_a = (chars[:, 5] == ord("2")) & (chars[:, 6] == ord("A"))
    corsica_b = (chars[:, 5] == ord("2")) & (chars[:, 6] == ord("B"))
    department_ok = (is_digit[:, 5] & is_digit[:, 6]) | corsica_a | corsica_b
    shape_ok = is_digit[:, :5].all(axis=1) & is_digit[:, 7:].all(axis=1) & department_ok
    digits[corsica_a, 5], digits[corsica_a, 6] = 1, 9
    digits[corsica_b, 5], digits[corsica_b, 6] = 1, 8
    body = np.zeros(len(rows), dtype=np.int64)
    for position in range(13):
        body = body * 10 + np.where(shape_ok, digits[:, position], 0)
    key = digits[:, 13] * 10 + digits[:, 14]
    valid[rows] = shape_ok & (97 - body % 97 == key)
    return valid
