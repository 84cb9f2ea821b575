"""A labelled, adversarial French identity set for the identity linker (written blind to it).

Why: a wrong link puts one person's care in another person's record, and the errors that
produce wrong links in real downtime admissions are known (married names, crossed names,
swapped day and month, abbreviated compound first names, twins, namesakes, a mother and her
daughter at the same address...). This module writes them on purpose, each tagged, so that the
scorer (``bench_identity_variants.py``) can say per kind of error how often the true patient is
found and whether anyone else was ever linked. It was written without reading the linker, so it
tests the linker's promises rather than its implementation.

The files:

* ``right.csv`` — the SIH patient index: synthetic French patients (``reentry.demo.people``),
  a few percent with compound first names (Jean-Pierre, Marie-Claire...), plus the relatives
  that make hard negatives: twins (also with close first names: Naël/Nahel, Louis/Louise),
  namesakes (also born on a date one digit, a day/month swap or a year apart, or the same day
  elsewhere), a mother and daughter with the same birth name, first name and address, a father
  and son "Jean X" — half of whose children are written with the parent's NIR (tag
  ``nir_of_parent``: the child was on the parent's health-insurance card).
* ``left.csv`` — temporary identities written during a downtime admission. Each one is the
  index patient's identity with one tagged error (or two, tag ``a+b``), or a person absent from
  the index (unrelated, or the relative of an index patient).
* ``truth.csv`` — per left id: the true right id (empty when absent), the tag, the relation,
  the hard negatives (right ids that must never be linked to it), a detail of the corruption,
  and ``excluded`` when the data cannot tell the left identity from another index patient
  (see ``indistinguishable``): such identities stay in ``left.csv`` (a hospital would have them)
  but are not scored, and the scorer counts them.

Everything is deterministic per (right size, left size, seed).
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from reentry.demo.people import (
    FRENCH_BIRTHPLACES,
    LOCAL_BIRTHPLACES,
    Person,
    build_nir,
    make_person,
    name_table,
    unique_numbers,
)
from reentry.model import Sex
from reentry.nir import is_valid_nir
from reentry.reconcile.identity_columns import COLUMNS

GENERATOR_VERSION = 2  # part of the cache key: bump when the files would change
TODAY = date(2025, 6, 1)  # the outage day; fixed so that the files do not depend on the calendar
AGES = (0.0, 48.0, 101.0)  # youngest, most frequent, oldest patient (years)
FEMALE_SHARE = 0.52
COMPOUND_SHARE = 0.05  # of patients born before 2000 given a compound first name

Record = dict[str, str]
"""One identity row: the keys are ``COLUMNS``, missing values are empty strings."""

TRUTH_COLUMNS = ("id", "true_id", "tag", "relation", "hard_negatives", "detail", "excluded")

# Compound first names, with deliberate collisions of their initials (JP = Jean-Pierre,
# Jean-Paul, Jean-Philippe; MC = Marie-Claire, Marie-Christine) so that "JP" is not a key.
COMPOUNDS = {
    "M": ("Jean-Pierre", "Jean-Paul", "Jean-Philippe", "Jean-Luc", "Jean-Marc", "Jean-Michel",
          "Jean-François", "Jean-Claude", "Jean-Louis", "Jean-Baptiste", "Pierre-Yves",
          "Paul-Henri", "Marc-Antoine", "Jean-Marie", "Pierre-Jean"),
    "F": ("Marie-Claire", "Marie-Christine", "Marie-Thérèse", "Marie-France", "Marie-Hélène",
          "Anne-Sophie", "Anne-Marie", "Marie-Laure", "Marie-Pierre", "Anne-Laure",
          "Marie-Claude", "Marie-Noëlle"),
}

# Twins with close first names: (name of the first, its sex, name of the second, its sex).
CLOSE_TWIN_NAMES = (
    ("Naël", "M", "Nahel", "M"), ("Mathis", "M", "Mathys", "M"), ("Léo", "M", "Léon", "M"),
    ("Adam", "M", "Adem", "M"), ("Théo", "M", "Timéo", "M"), ("Lucas", "M", "Luca", "M"),
    ("Léna", "F", "Léana", "F"), ("Emma", "F", "Emmy", "F"), ("Chloé", "F", "Cloé", "F"),
    ("Élise", "F", "Éloïse", "F"), ("Lina", "F", "Léna", "F"),
    ("Louis", "M", "Louise", "F"), ("Maël", "M", "Maëlle", "F"), ("Gabriel", "M", "Gabrielle", "F"),
    ("Raphaël", "M", "Raphaëlle", "F"), ("Daniel", "M", "Danielle", "F"),
    ("Frédéric", "M", "Frédérique", "F"), ("Pascal", "M", "Pascale", "F"),
    ("Joël", "M", "Joëlle", "F"), ("Jules", "M", "Julie", "F"),
)

# Phonetic spellings: known pairs first (both directions), then generic French rules.
PHONETIC_PAIRS = {
    "PHILIPPE": ("FILLIPE", "FILIPE", "PHILIPE"), "MATTHIEU": ("MATHIEU",),
    "MATHIEU": ("MATTHIEU",), "KÉVIN": ("KEVIN",), "GAUTHIER": ("GAUTIER",),
    "GAUTIER": ("GAUTHIER",), "THÉO": ("TÉO",), "CHLOÉ": ("CLOÉ", "KLOÉ"), "SOPHIE": ("SOFIE",),
    "STÉPHANE": ("STÉFANE", "STEFANE"), "CHRISTOPHE": ("CRISTOPHE",), "RAPHAËL": ("RAFAËL",),
    "NATHAN": ("NATAN",), "CATHERINE": ("KATHERINE", "CATHERYNE"), "MICHAËL": ("MICKAËL",),
    "LEFEBVRE": ("LEFÈVRE", "LEFEVRE"), "LEFÈVRE": ("LEFEBVRE",), "GIRAUD": ("GIRAULT",),
    "RENAUD": ("RENAULT",), "ARNAUD": ("ARNAULT",), "THIBAUT": ("THIBAULT",),
    "THIBAULT": ("THIBAUT",), "NATHALIE": ("NATALIE",), "ANTHONY": ("ANTONY",),
}
PHONETIC_RULES = (
    ("PH", "F"), ("TH", "T"), ("EAU", "O"), ("AULT", "AUD"), ("AUD", "AULT"), ("AU", "O"),
    ("QU", "K"), ("CK", "K"), ("Y", "I"), ("CA", "KA"), ("CO", "KO"), ("AI", "È"), ("EI", "AI"),
    ("ER$", "É"), ("EZ$", "ÉS"), ("ET$", "AIS"), ("S$", ""), ("X$", ""), ("T$", ""), ("D$", "T"),
    ("Z", "S"), ("K", "C"), ("F", "PH"),
)
AZERTY_ROWS = ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN")

# Tag → share of the left file (before rounding). Relations are separate (RELATION_WEIGHTS).
TAG_WEIGHTS: dict[str, float] = {
    "clean": 3, "used_as_birth": 3, "names_crossed": 2.5, "epouse_one_field": 2.5,
    "date_one_digit": 3, "date_day_month_swapped": 2.5, "date_year_off_by_one": 2.5,
    "date_missing": 2.5, "id_passport_or_foreign": 2, "id_hospital_number": 1.5,
    "nir_one_digit": 2.5, "id_match_date_differs": 2.5, "given_compound_space": 1.2,
    "given_compound_abbrev": 1.2, "given_compound_reversed": 1.2, "given_compound_initials": 1.2,
    "given_hyphenated": 1.2, "given_first_only": 2.5, "given_usual_second": 2,
    "typo_letter": 2.5, "typo_transposition": 2.5, "typo_accent_missing": 2,
    "typo_double_letter": 2, "phonetic": 3, "sex_missing": 1.5, "birth_place_missing": 1.5,
    "address_missing": 1.5, "sparse": 2.5, "combo": 6,
}
# (relation, present in the index?) → share. Present: the left identity is one of the pair and
# both are in the index; absent: only the other one is in the index (true no_match).
RELATION_WEIGHTS: dict[tuple[str, bool], float] = {
    ("twin", True): 2.5, ("twin_close_name", True): 2.5, ("namesake", True): 2,
    ("namesake_close_date", True): 2.5, ("namesake_same_date", True): 2,
    ("mother_daughter", True): 2, ("father_son", True): 2,
    ("twin", False): 1.5, ("twin_close_name", False): 1.5, ("namesake", False): 1.5,
    ("namesake_close_date", False): 1.5, ("namesake_same_date", False): 1.5,
    ("mother_daughter", False): 1.5, ("father_son", False): 1.5, ("unrelated", False): 4,
}
PARENT_RELATIONS = ("mother_daughter", "father_son")
NIR_OF_PARENT_SHARE = 0.5  # of children with a parent holding a NIR: the parent's card is used
# Errors put on relatives and absent people: mostly none, else a common one.
MILD_TAGS = ("clean", "clean", "clean", "clean", "date_one_digit", "typo_letter",
             "typo_accent_missing", "given_first_only", "sex_missing", "address_missing",
             "phonetic", "used_as_birth", "names_crossed", "birth_place_missing", "date_missing")
# Errors that may be put together on one identity (tag "a+b"), one per family at most.
COMBINABLE = {
    "names": ("used_as_birth", "names_crossed", "epouse_one_field"),
    "date": ("date_one_digit", "date_day_month_swapped", "date_year_off_by_one", "date_missing"),
    "given": ("given_first_only", "given_usual_second", "given_compound_space",
              "given_compound_initials", "given_hyphenated"),
    "typo": ("typo_letter", "typo_transposition", "typo_accent_missing", "typo_double_letter",
             "phonetic"),
    "missing": ("sex_missing", "birth_place_missing", "address_missing"),
    "id": ("id_passport_or_foreign", "id_hospital_number", "nir_one_digit"),
}


@dataclass(slots=True)
class Truth:
    """What the left identity really is, and what it must never be linked to."""

    id: str
    true_id: str  # "" when the person is not in the index
    tag: str
    relation: str  # "" (none), or twin, twin_close_name, namesake, ..., unrelated
    hard_negatives: tuple[str, ...]
    detail: str
    excluded: str = ""  # why it is not scored ("" when scored)

    def row(self) -> dict[str, str]:
        return {"id": self.id, "true_id": self.true_id, "tag": self.tag,
                "relation": self.relation, "hard_negatives": ";".join(self.hard_negatives),
                "detail": self.detail, "excluded": self.excluded}


@dataclass(slots=True)
class VariantSet:
    """A generated set: the index, the temporary identities and their labels."""

    right: list[Record]
    left: list[Record]
    truth: list[Truth]

    @property
    def excluded(self) -> int:
        return sum(1 for t in self.truth if t.excluded)


# ---------------------------------------------------------------- text helpers

def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def norm(text: str) -> str:
    """Upper case, no accents, letters and digits separated by single spaces."""
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", strip_accents(text).upper()).split())


MARRIED_SPLIT = re.compile(r"\s+(?:ép\.?|épouse|ep\.?|epouse|née|nee|vve|veuve)\s+|-",
                           re.IGNORECASE)


def surnames(record: Record) -> set[str]:
    """Every surname a record carries, "DURAND ép. MARTIN" counting as both."""
    found = set()
    for value in (record["birth_name"], record["used_name"]):
        if value:
            found.add(norm(value))
            found.update(norm(part) for part in MARRIED_SPLIT.split(value) if part.strip())
    found.discard("")
    return found


def first_given(record: Record) -> str:
    """The first given name, a compound one as one word ("JEANPIERRE")."""
    words = record["given_names"].split()
    return norm(words[0]).replace(" ", "") if words else ""


def _case_like(model: str, text: str) -> str:
    """``text`` in the case of ``model`` (upper-case birth names, proper-case first names)."""
    return text.upper() if model.isupper() else text.title()


# ---------------------------------------------------------------- the index

def _record(person: Person) -> Record:
    p = person.patient
    return {
        "id": p.ipp, "birth_name": p.birth_name or "", "used_name": p.used_name or "",
        "given_names": p.given_names or "", "birth_date": p.birth_date.isoformat(),
        "sex": p.sex.value, "birth_place": p.birthplace_insee or "", "address": p.address or "",
        "postcode": p.postcode or "", "city": p.city or "", "national_id": p.ins_nir or "",
    }


def _birth(record: Record) -> date:
    return date.fromisoformat(record["birth_date"])


def _renir(rng: random.Random, record: Record, nirs: set[str]) -> None:
    """Give a record that has a NIR a new one matching its (changed) traits."""
    if record["national_id"]:
        sex = Sex.FEMALE if record["sex"] == "F" else Sex.MALE
        record["national_id"] = build_nir(rng, sex, _birth(record), record["birth_place"], nirs)


def _person(rng: random.Random, ipp: str, nirs: set[str], female_share: float = FEMALE_SHARE,
            ages: tuple[float, float, float] = AGES) -> Record:
    return _record(make_person(rng, ipp, ages, female_share, TODAY, nirs))


def _with_first(record: Record, first: str) -> None:
    """Replace the first given name, dropping it from the others if it was there."""
    rest = [w for w in record["given_names"].split()[1:] if norm(w) != norm(first)]
    record["given_names"] = " ".join([first, *rest])


# ---------------------------------------------------------------- corruptions

def _valid_date(text: str) -> date | None:
    try:
        value = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return value if date(1900, 1, 1) <= value <= TODAY else None


def _one_digit(rng: random.Random, birth: date) -> date | None:
    text = birth.strftime("%Y%m%d")
    for _ in range(60):
        pos = rng.randint(2, 7)  # not the century
        digit = rng.choice([d for d in "0123456789" if d != text[pos]])
        value = _valid_date(text[:pos] + digit + text[pos + 1:])
        if value is not None:
            return value
    return None


def _swapped(birth: date) -> date | None:
    if birth.day > 12 or birth.day == birth.month:
        return None
    return date(birth.year, birth.day, birth.month)


def _year_off(rng: random.Random, birth: date) -> date | None:
    for step in rng.sample((-1, 1), 2):
        try:
            value = birth.replace(year=birth.year + step)
        except ValueError:
            continue
        if value <= TODAY:
            return value
    return None


def _name_field(rng: random.Random, left: Record, apply: Callable[[str], str | None],
                fields: tuple[str, ...] = ("birth_name", "given_names")) -> str | None:
    """Apply ``apply`` to the birth name or to the first given name (where it changes
    something), in random order; the detail says which and how."""
    for field in rng.sample(fields, len(fields)):
        words = left[field].split()
        if not words:
            continue
        target = left[field] if field == "birth_name" else words[0]
        changed = apply(target)
        if changed is None or changed == target:
            continue
        left[field] = changed if field == "birth_name" else " ".join([changed, *words[1:]])
        return f"{field}: {target} → {changed}"
    return None


def _typo_letter(rng: random.Random) -> Callable[[str], str | None]:
    def apply(name: str) -> str | None:
        spots = [i for i, c in enumerate(name) if strip_accents(c).upper() in "".join(AZERTY_ROWS)]
        if not spots:
            return None
        i = rng.choice(spots)
        upper = strip_accents(name[i]).upper()
        row = next(r for r in AZERTY_ROWS if upper in r)
        j = row.index(upper)
        near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
        new = rng.choice(near)
        new = new if name[i].isupper() else new.lower()
        return name[:i] + new + name[i + 1:]
    return apply


def _typo_transposition(rng: random.Random) -> Callable[[str], str | None]:
    def apply(name: str) -> str | None:
        spots = [i for i in range(len(name) - 1)
                 if name[i].isalpha() and name[i + 1].isalpha()
                 and name[i].lower() != name[i + 1].lower()]
        if not spots:
            return None
        i = rng.choice(spots)
        swapped = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        return _case_like(name, swapped) if i == 0 else swapped
    return apply


def _typo_accent(name: str) -> str | None:
    plain = strip_accents(name)
    return plain if plain != name else None


def _typo_double(rng: random.Random) -> Callable[[str], str | None]:
    def apply(name: str) -> str | None:
        doubles = [i for i in range(1, len(name)) if name[i].isalpha()
                   and name[i].lower() == name[i - 1].lower()]
        if doubles:
            i = rng.choice(doubles)
            return name[:i] + name[i + 1:]
        spots = [i for i in range(1, len(name)) if name[i].isalpha()
                 and strip_accents(name[i]).upper() not in "AEIOUY"]
        if not spots:
            return None
        i = rng.choice(spots)
        return name[:i] + name[i] + name[i:]
    return apply


def _phonetic(rng: random.Random) -> Callable[[str], str | None]:
    def apply(name: str) -> str | None:
        upper = name.upper()
        if upper in PHONETIC_PAIRS:
            return _case_like(name, rng.choice(PHONETIC_PAIRS[upper]))
        rules = [(p, r) for p, r in PHONETIC_RULES if re.search(p, upper[1:] if p[0] in "FK"
                                                                else upper)]
        if not rules:
            return None
        pattern, replacement = rng.choice(rules)
        if pattern[0] in "FK":  # not the initial: "Fabien" → "Phabien" is not a spelling
            changed = upper[0] + re.sub(pattern, replacement, upper[1:], count=1)
        else:
            changed = re.sub(pattern, replacement, upper, count=1)
        if len(norm(changed)) < 2:
            return None
        return _case_like(name, changed)
    return apply


def _passport_or_foreign(rng: random.Random, birth: date) -> tuple[str, str]:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    kind = rng.choice(("passport", "belgian", "spanish", "italian"))
    if kind == "passport":
        value = (f"{rng.randint(10, 24):02d}{rng.choice(letters)}{rng.choice(letters)}"
                 f"{rng.randint(0, 99999):05d}")
    elif kind == "belgian":
        value = (f"{birth:%y.%m.%d}-{rng.randint(1, 998):03d}.{rng.randint(0, 97):02d}")
    elif kind == "spanish":
        value = f"X{rng.randint(0, 9999999):07d}{rng.choice(letters)}"
    else:
        value = ("".join(rng.choice(letters) for _ in range(6)) + f"{birth:%y}"
                 + rng.choice("ABCDEHLMPRST") + f"{birth.day:02d}" + rng.choice(letters)
                 + f"{rng.randint(0, 999):03d}" + rng.choice(letters))
    return value, kind


def applicable(tag: str, r: Record) -> bool:
    """Whether the error ``tag`` can be made on the index patient ``r``."""
    given = r["given_names"].split()
    if tag in ("used_as_birth", "names_crossed", "epouse_one_field"):
        return bool(r["used_name"])
    if tag == "date_day_month_swapped":
        return _swapped(_birth(r)) is not None
    if tag in ("nir_one_digit", "id_match_date_differs"):
        return bool(r["national_id"])
    if tag.startswith("given_compound"):
        return bool(given) and given[0].count("-") == 1
    if tag == "given_hyphenated":
        return len(given) >= 2 and "-" not in given[0]
    if tag in ("given_first_only", "given_usual_second"):
        return len(given) >= 2
    if tag == "typo_accent_missing":
        return _typo_accent(r["birth_name"] + given[0]) is not None
    if tag == "phonetic":
        return _phonetic(random.Random(0))(r["birth_name"]) is not None \
            or _phonetic(random.Random(0))(given[0]) is not None
    if tag == "sex_missing":
        return bool(r["sex"])
    if tag == "birth_place_missing":
        return bool(r["birth_place"])
    if tag == "address_missing":
        return bool(r["address"])
    return True


def corrupt(tag: str, rng: random.Random, left: Record, r: Record) -> str | None:
    """Make the error ``tag`` on ``left`` (a copy of the index patient ``r``); the detail, or
    None when it cannot be made on this patient."""
    if not applicable(tag, r):
        return None
    birth, given = _birth(r), r["given_names"].split()
    if tag == "clean":
        return "as in the index"
    if tag == "used_as_birth":
        left["birth_name"], left["used_name"] = r["used_name"], ""
        return f"birth_name {r['used_name']} (the used name), no used name"
    if tag == "names_crossed":
        left["birth_name"], left["used_name"] = r["used_name"], r["birth_name"]
        return "birth and used names crossed"
    if tag == "epouse_one_field":
        b, u = r["birth_name"], r["used_name"]
        left["birth_name"] = rng.choice((f"{b} ép. {u}", f"{b} EPOUSE {u}", f"{u} née {b}",
                                         f"{b}-{u}"))
        left["used_name"] = ""
        return f"birth_name {left['birth_name']!r}"
    if tag in ("date_one_digit", "date_day_month_swapped", "date_year_off_by_one"):
        value = (_one_digit(rng, birth) if tag == "date_one_digit" else
                 _swapped(birth) if tag == "date_day_month_swapped" else _year_off(rng, birth))
        if value is None:
            return None
        left["birth_date"] = value.isoformat()
        return f"birth_date {r['birth_date']} → {value.isoformat()}"
    if tag == "date_missing":
        left["birth_date"] = ""
        return "no birth date"
    if tag == "id_passport_or_foreign":
        left["national_id"], kind = _passport_or_foreign(rng, birth)
        return f"national_id {kind} {left['national_id']}"
    if tag == "id_hospital_number":
        left["national_id"] = f"{rng.choice('2345678')}{rng.randint(0, 99999999):08d}"
        return f"national_id hospital number {left['national_id']}"
    if tag == "nir_one_digit":
        nir = r["national_id"]
        spots = [i for i, c in enumerate(nir) if c.isdigit()]
        i = rng.choice(spots)
        typo = nir[:i] + rng.choice([d for d in "0123456789" if d != nir[i]]) + nir[i + 1:]
        left["national_id"] = typo
        return f"national_id {nir} → {typo} (position {i + 1})"
    if tag == "id_match_date_differs":
        left["national_id"] = r["national_id"]
        if rng.random() < 0.4:
            value, why = TODAY, "the admission date"
        else:
            while True:
                value = birth + timedelta(days=rng.choice((-1, 1)) * rng.randint(800, 12000))
                if date(1905, 1, 1) <= value <= TODAY:
                    break
            why = "another date"
        left["birth_date"] = value.isoformat()
        return f"same NIR and names, birth_date {r['birth_date']} → {value.isoformat()} ({why})"
    if tag.startswith("given_compound"):
        first, second = given[0].split("-")
        written = {
            "given_compound_space": f"{first} {second}",
            "given_compound_abbrev": rng.choice((f"{first[0]}-{second}", f"{first[0]}.-{second}",
                                                 f"{first}-{second[0]}.")),
            "given_compound_reversed": f"{second} {first}",
            "given_compound_initials": rng.choice((f"{first[0]}{second[0]}",
                                                   f"{first[0]}.{second[0]}.",
                                                   f"{first[0]}-{second[0]}")),
        }[tag]
        left["given_names"] = " ".join([written, *given[1:]])
        return f"given_names {r['given_names']!r} → {left['given_names']!r}"
    if tag == "given_hyphenated":
        left["given_names"] = " ".join([f"{given[0]}-{given[1]}", *given[2:]])
        return f"given_names {r['given_names']!r} → {left['given_names']!r}"
    if tag == "given_first_only":
        left["given_names"] = given[0]
        return f"given_names {r['given_names']!r} → {given[0]!r}"
    if tag == "given_usual_second":
        left["given_names"] = given[1]
        return f"given_names {r['given_names']!r} → {given[1]!r} (the usual one)"
    if tag.startswith("typo_") or tag == "phonetic":
        apply = {"typo_letter": _typo_letter(rng), "typo_transposition": _typo_transposition(rng),
                 "typo_accent_missing": _typo_accent, "typo_double_letter": _typo_double(rng),
                 "phonetic": _phonetic(rng)}[tag]
        return _name_field(rng, left, apply)
    if tag == "sex_missing":
        left["sex"] = ""
        return "no sex"
    if tag == "birth_place_missing":
        left["birth_place"] = ""
        return "no birth place"
    if tag == "address_missing":
        left["address"] = left["postcode"] = left["city"] = ""
        return "no address, postcode or city"
    if tag == "sparse":
        keep = {"id", "birth_name", "birth_date", "sex"}
        for column in COLUMNS:
            if column not in keep:
                left[column] = ""
        left["given_names"] = given[0]
        return "only birth name, first given name, birth date and sex"
    raise ValueError(f"unknown tag {tag}")


def _combo_tags(rng: random.Random, r: Record) -> list[str]:
    families = rng.sample(sorted(COMBINABLE), len(COMBINABLE))
    chosen: list[str] = []
    for family in families:
        options = [t for t in COMBINABLE[family] if applicable(t, r)]
        if family == "typo" and any(t.startswith("given_") for t in chosen):
            options = []  # a typo would land on a first name already rewritten
        if options:
            chosen.append(rng.choice(options))
        if len(chosen) == 2:
            return chosen
    return []


def _baseline(rng: random.Random, r: Record, left_id: str) -> Record:
    """What a careful admission writes: the patient's traits; the NIR only half of the time
    (when the patient's card was at hand)."""
    left = dict(r)
    left["id"] = left_id
    if left["national_id"] and rng.random() < 0.5:
        left["national_id"] = ""
    return left


# ---------------------------------------------------------------- relatives

def _twin(rng: random.Random, p: Record, ipp: str, nirs: set[str], close: bool) -> tuple[
        Record, str]:
    q = dict(p)
    q["id"] = ipp
    if close:
        options = [c for c in CLOSE_TWIN_NAMES if c[1] == p["sex"]]
        a, _, b, sex_b = rng.choice(options)
        if rng.random() < 0.5 and sex_b == p["sex"]:
            a, b = b, a
        _with_first(p, a)
        q["sex"] = sex_b
        _with_first(q, b)
        q["given_names"] = b if rng.random() < 0.5 else q["given_names"]
        detail = f"{a} / {b}"
    else:
        while True:
            other = name_table(q["sex"]).draw(rng).title()
            if norm(other) != first_given(p) and norm(other)[:3] != first_given(p)[:3]:
                break
        _with_first(q, other)
        detail = f"{p['given_names']} / {q['given_names']}"
    if q["sex"] != "F" or _birth(q) > TODAY - timedelta(days=25 * 365):
        q["used_name"] = ""
    elif q["used_name"] and rng.random() < 0.5:
        q["used_name"] = name_table("last").draw(rng)
    _renir(rng, q, nirs)
    return q, detail


def _namesake(rng: random.Random, p: Record, ipp: str, nirs: set[str],
              date_kind: str) -> tuple[Record, str]:
    """Another person with ``p``'s birth name and first name (or all given names), born on
    another date ("other"), a date one typing error away ("close"), or the same day ("same":
    a strict namesake that only the birthplace, the address and the NIR tell apart)."""
    q = _person(rng, ipp, nirs, female_share=1.0 if p["sex"] == "F" else 0.0)
    q["birth_name"] = p["birth_name"]
    q["given_names"] = p["given_names"] if rng.random() < 0.5 else p["given_names"].split()[0]
    while q["birth_place"] == p["birth_place"]:
        q["birth_place"] = rng.choice(LOCAL_BIRTHPLACES + FRENCH_BIRTHPLACES)
    while q["address"] == p["address"]:
        q["address"] = f"{rng.randint(1, 60)} {p['address'].split(' ', 1)[1]}"
    if date_kind == "same":
        q["birth_date"] = p["birth_date"]
        if q["sex"] != "F" or _birth(q) > TODAY - timedelta(days=25 * 365):
            q["used_name"] = ""
        _renir(rng, q, nirs)
        return q, f"both born {p['birth_date']}, in {p['birth_place']} / {q['birth_place']}"
    if date_kind == "close":
        birth = _birth(p)
        for _ in range(20):
            how = rng.choice(("digit", "swap", "year"))
            value = (_one_digit(rng, birth) if how == "digit" else _swapped(birth)
                     if how == "swap" else _year_off(rng, birth))
            if value is not None:
                break
        else:
            value, how = birth + timedelta(days=1), "next day"
        q["birth_date"] = value.isoformat()
        if q["sex"] != "F" or value > TODAY - timedelta(days=25 * 365):
            q["used_name"] = ""
        _renir(rng, q, nirs)
        return q, f"born {p['birth_date']} / {q['birth_date']} ({how})"
    return q, f"born {p['birth_date']} / {q['birth_date']}"


def _parent(rng: random.Random, p: Record, ipp: str, nirs: set[str], relation: str) -> tuple[
        Record, str]:
    """The mother (of a daughter ``p``) or the father (of a son ``p``): same birth name, same
    first given name, same address, born 18 to 45 years before."""
    female = relation == "mother_daughter"
    q = _person(rng, ipp, nirs, female_share=1.0 if female else 0.0)
    shared = ("Marie" if female else "Jean") if rng.random() < 0.5 \
        else p["given_names"].split()[0]
    _with_first(p, shared)
    _with_first(q, shared)
    years = rng.randint(18, 45) if female else rng.randint(20, 45)
    birth = _birth(p) - timedelta(days=int(years * 365.25) + rng.randint(-150, 150))
    q["birth_date"] = birth.isoformat()
    q["birth_name"] = p["birth_name"]
    q["used_name"] = ""
    if female or rng.random() < 0.8:
        q["address"], q["postcode"], q["city"] = p["address"], p["postcode"], p["city"]
    _renir(rng, q, nirs)
    return q, f"{p['given_names']} {p['birth_date']} / {q['given_names']} {q['birth_date']}"


def relation_eligible(relation: str, r: Record) -> bool:
    age = (TODAY - _birth(r)).days / 365.25
    if relation.startswith("twin"):
        return age < 85
    if relation == "mother_daughter":
        return r["sex"] == "F" and 1 < age < 50
    if relation == "father_son":
        return r["sex"] == "M" and 1 < age < 55
    return True


# ---------------------------------------------------------------- honesty

def features(left: Record, r: Record) -> tuple[float, ...]:
    """How well ``left`` agrees with ``r``, field by field (1 = same); 0 where either lacks
    the field. Used only to decide whether the data can tell two index patients apart."""
    def ratio(a: str, b: str) -> float:
        return Indel.normalized_similarity(a, b) if a and b else 0.0

    def same(a: str, b: str) -> float:
        return 1.0 if a and b and norm(a) == norm(b) else 0.0

    left_names, right_names = surnames(left), surnames(r)
    surname = max((ratio(a, b) for a in left_names for b in right_names), default=0.0)
    date_agree = (sum(a == b for a, b in zip(left["birth_date"], r["birth_date"], strict=False))
                  / 10 if left["birth_date"] and r["birth_date"] else 0.0)
    given_all = (fuzz.token_sort_ratio(norm(left["given_names"]), norm(r["given_names"])) / 100
                 if left["given_names"] and r["given_names"] else 0.0)
    return (surname, ratio(norm(left["birth_name"]), norm(r["birth_name"])),
            ratio(first_given(left), first_given(r)), given_all, date_agree,
            same(left["sex"], r["sex"]), same(left["birth_place"], r["birth_place"]),
            ratio(norm(left["address"]), norm(r["address"])),
            same(left["postcode"], r["postcode"]), same(left["city"], r["city"]),
            same(left["national_id"], r["national_id"]))


def perfect(left: Record) -> tuple[float, ...]:
    """The features of a right record agreeing on everything ``left`` carries."""
    return features(left, left)


def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x >= y - 1e-9 for x, y in zip(a, b, strict=True))


class IndexLookup:
    """Index patients by (surname, birth date) and (surname, first given name) and NIR: the
    patients who could be as good a match as the true one."""

    def __init__(self, right: list[Record]) -> None:
        self.right = right
        self.keys: dict[tuple[str, str], list[int]] = {}
        for row, r in enumerate(right):
            for name in surnames(r):
                self.keys.setdefault((name, r["birth_date"]), []).append(row)
                self.keys.setdefault((name, "G" + first_given(r)), []).append(row)
            if r["national_id"]:
                self.keys.setdefault(("NIR", norm(r["national_id"])), []).append(row)

    def near(self, records: Iterable[Record]) -> set[int]:
        rows: set[int] = set()
        for rec in records:
            for name in surnames(rec):
                rows.update(self.keys.get((name, rec["birth_date"]), ()))
                rows.update(self.keys.get((name, "G" + first_given(rec)), ()))
            if rec["national_id"]:
                rows.update(self.keys.get(("NIR", norm(rec["national_id"])), ()))
        return rows


def indistinguishable(left: Record, true: Record | None, others: Iterable[Record]) -> str:
    """Why ``left`` cannot be told from another index patient by its data, or "".

    With a true patient: another patient agrees with ``left`` at least as well as the true one
    on every field (``dominates``), e.g. a twin's first name typed with the other twin's
    name and no sex. Absent from the index: some patient agrees with everything ``left``
    carries, e.g. a father without birth date at his son's address. Such identities are not
    scored: no linker could be right about them but by chance.
    """
    target = features(left, true) if true is not None else perfect(left)
    for other in others:
        if true is not None and other["id"] == true["id"]:
            continue
        if dominates(features(left, other), target):
            return f"as close to {other['id']}"
    return ""


# ---------------------------------------------------------------- the plan

def allocate(weights: dict, total: int) -> dict:
    """Split ``total`` by ``weights`` (largest remainder), so every kind gets its share even in
    a small file."""
    scale = total / sum(weights.values())
    counts = {k: int(w * scale) for k, w in weights.items()}
    order = sorted(weights, key=lambda k: (-(weights[k] * scale - counts[k]), str(k)))
    for k in order[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


class Pool:
    """Unused index patients, drawn at random under a condition."""

    def __init__(self, rng: random.Random, records: list[Record]) -> None:
        self.rng, self.records, self.used = rng, records, set[int]()

    def draw(self, condition: Callable[[Record], bool]) -> int | None:
        for _ in range(400):
            row = self.rng.randrange(len(self.records))
            if row not in self.used and condition(self.records[row]):
                self.used.add(row)
                return row
        rows = [i for i, r in enumerate(self.records) if i not in self.used and condition(r)]
        if not rows:
            return None
        row = self.rng.choice(rows)
        self.used.add(row)
        return row


def generate(right_size: int, left_size: int, seed: int) -> VariantSet:
    """The index of ``right_size`` patients and ``left_size`` temporary identities."""
    if left_size > right_size // 2:
        raise ValueError("the index must hold at least twice as many patients as the left file")
    rng = random.Random(seed)
    weights: dict[object, float] = {**TAG_WEIGHTS, **RELATION_WEIGHTS}
    counts = allocate(weights, left_size)
    slots = [kind for kind, n in counts.items() for _ in range(n)]
    rng.shuffle(slots)
    present = sum(1 for s in slots if isinstance(s, tuple) and s[1])
    ipps = unique_numbers(rng, right_size + 1, "1")
    nirs: set[str] = set()
    base = [_person(rng, ipp, nirs) for ipp in ipps[: right_size - present]]
    for r in base:
        if _birth(r).year < 2000 and rng.random() < COMPOUND_SHARE:
            _with_first(r, rng.choice(COMPOUNDS[r["sex"]]))
    spare_ipps = iter(ipps[right_size - present:])
    pool = Pool(rng, base)
    added: list[Record] = []
    lefts: list[tuple[Record, Truth, Record | None]] = []
    left_ids = [f"T{n:07d}" for n in rng.sample(range(10 ** 7), left_size)]
    for left_id, slot in zip(left_ids, slots, strict=True):
        if isinstance(slot, tuple):
            lefts.append(_relation_slot(rng, slot, left_id, pool, added, spare_ipps, nirs))
        else:
            lefts.append(_tag_slot(rng, slot, left_id, pool))
    right = base + added
    rng.shuffle(right)
    lookup = IndexLookup(right)
    by_id = {r["id"]: r for r in right}
    for left, truth, true in lefts:
        rows = lookup.near([left] + ([true] if true is not None else []))
        others = [right[i] for i in sorted(rows)] + [by_id[h] for h in truth.hard_negatives]
        truth.excluded = indistinguishable(left, true, others)
    left_rows = [left for left, _, _ in lefts]
    truths = [truth for _, truth, _ in lefts]
    return VariantSet(right, left_rows, truths)


def _tag_slot(rng: random.Random, tag: str, left_id: str,
              pool: Pool) -> tuple[Record, Truth, Record | None]:
    if tag == "combo":
        while True:
            row = pool.draw(lambda r: True)
            assert row is not None, "index too small"
            r = pool.records[row]
            tags = _combo_tags(rng, r)
            left = _baseline(rng, r, left_id)
            details = [corrupt(t, rng, left, r) for t in tags]
            if tags and all(details):
                return left, Truth(left_id, r["id"], "+".join(tags), "", (),
                                   " ; ".join(d for d in details if d)), r
    while True:
        row = pool.draw(lambda r: applicable(tag, r))
        if row is None:
            raise ValueError(f"no index patient for {tag}: use a larger index")
        r = pool.records[row]
        left = _baseline(rng, r, left_id)
        detail = corrupt(tag, rng, left, r)
        if detail is not None:
            return left, Truth(left_id, r["id"], tag, "", (), detail), r


def _relation_slot(rng: random.Random, slot: tuple[str, bool], left_id: str, pool: Pool,
                   added: list[Record], spare_ipps: Iterable[str],
                   nirs: set[str]) -> tuple[Record, Truth, Record | None]:
    relation, present = slot
    if relation == "unrelated":
        person = _person(rng, f"ABSENT-{left_id}", nirs)
        return _mild(rng, person, left_id, "", (), relation, "not in the index")
    row = pool.draw(lambda r: relation_eligible(relation, r))
    if row is None:
        raise ValueError(f"no index patient for {relation}: use a larger index")
    p = pool.records[row]
    ipp = next(iter(spare_ipps)) if present else f"ABSENT-{left_id}"
    if relation.startswith("twin"):
        q, detail = _twin(rng, p, ipp, nirs, close=relation == "twin_close_name")
    elif relation.startswith("namesake"):
        date_kind = {"namesake": "other", "namesake_close_date": "close",
                     "namesake_same_date": "same"}[relation]
        q, detail = _namesake(rng, p, ipp, nirs, date_kind)
    else:
        q, detail = _parent(rng, p, ipp, nirs, relation)
    parent_card = (relation in PARENT_RELATIONS and bool(q["national_id"])
                   and rng.random() < NIR_OF_PARENT_SHARE)
    if present:
        added.append(q)
        if parent_card:
            return _nir_of_parent(rng, p, q, left_id, p["id"], relation, detail)
        person, other = (p, q) if rng.random() < 0.5 else (q, p)
        return _mild(rng, person, left_id, person["id"], (other["id"],), relation, detail)
    if rng.random() < 0.5 and not parent_card:  # the relative is the one absent...
        return _mild(rng, q, left_id, "", (p["id"],), relation, detail)
    # ...or the index holds the relative and the patient is the one absent
    q["id"], absent = p["id"], dict(p)
    pool.records[row] = q
    if parent_card:
        return _nir_of_parent(rng, absent, q, left_id, "", relation, detail)
    return _mild(rng, absent, left_id, "", (q["id"],), relation, detail)


def _nir_of_parent(rng: random.Random, child: Record, parent: Record, left_id: str,
                   true_id: str, relation: str,
                   detail: str) -> tuple[Record, Truth, Record | None]:
    """A child admitted with the parent's NIR (the card the child was on): the NIR points
    at the parent, who must not be linked; the child may or may not be in the index."""
    left = _baseline(rng, child, left_id)
    left["national_id"] = parent["national_id"]
    truth = Truth(left_id, true_id, "nir_of_parent", relation, (parent["id"],),
                  f"{detail}; national_id is the parent's {parent['national_id']}")
    return left, truth, child if true_id else None


def _mild(rng: random.Random, person: Record, left_id: str, true_id: str,
          hard: tuple[str, ...], relation: str,
          detail: str) -> tuple[Record, Truth, Record | None]:
    """A relative's or an absent person's identity with a common error (or none)."""
    while True:
        tag = rng.choice(MILD_TAGS)
        left = _baseline(rng, person, left_id)
        made = corrupt(tag, rng, left, person)
        if made is not None:
            break
    truth = Truth(left_id, true_id, tag, relation, hard, f"{detail}; {made}")
    return left, truth, person if true_id else None


# ---------------------------------------------------------------- files

def write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict[str, str]]) -> None:
    """Write whole or not at all (the cache must never hold half a file)."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    partial.replace(path)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file; a byte-order mark (the linker writes one for Excel) is skipped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_set(folder: Path, variants: VariantSet) -> None:
    """``left.csv``, ``right.csv`` and ``truth.csv`` in ``folder`` (truth last: its presence
    says the set is complete)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "right.csv", COLUMNS, variants.right)
    write_csv(folder / "left.csv", COLUMNS, variants.left)
    write_csv(folder / "truth.csv", TRUTH_COLUMNS, (t.row() for t in variants.truth))


def read_truth(path: Path) -> list[Truth]:
    return [Truth(row["id"], row["true_id"], row["tag"], row["relation"],
                  tuple(h for h in row["hard_negatives"].split(";") if h), row["detail"],
                  row["excluded"]) for row in read_csv(path)]


def french_set(folder: Path, right_size: int, left_size: int, seed: int) -> Path:
    """The set for these sizes and seed in ``folder``, generated on first use."""
    target = folder / f"french-v{GENERATOR_VERSION}-r{right_size}-l{left_size}-s{seed}"
    if not (target / "truth.csv").exists():
        write_set(target, generate(right_size, left_size, seed))
    return target


def is_nir(value: str) -> bool:
    """Exposed for the tests: whether a national_id is a valid NIR."""
    return bool(value) and is_valid_nir(value)
