"""Drug names as a key that the paper and the SIH share: brand → INN, accents, strengths, typos.

The paper says « DOLIPRANE 1000 », the SIH says « paracétamol »: same drug. The key is the INN
(dénomination commune internationale) in lower case without accents, strengths, forms and salts,
its words sorted so that « amoxicilline + acide clavulanique » and « acide clavulanique /
amoxicilline » agree. Brands come from ``brands_fr.csv`` (common French brands; a hospital can
give its own table). Typos (one edit in a short name, two in a long one) are resolved once per
unique name with rapidfuzz, never per pair, and only for names that are neither a known brand
nor a known INN: « prednisone » is a drug of its
own, not a typo of « prednisolone » (look-alike names are exactly the errors to catch).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# Words that say how a drug is packaged or given, not what it is.
_FORM_WORDS = frozenset("""
mg g gr ml l ui u ug mcg microgrammes microgramme milligrammes milligramme grammes gramme
cp cpr comp comprime comprimes gelule gelules caps capsule sachet sachets amp ampoule ampoules
inj injectable injection sol solution buv buvable sirop susp suspension pdre poudre lp sr lm
orodispersible oro effervescent secable pellicule stylo flacon seringue preremplie iv ivd ivl
ivse im sc po per os perfusion pour de a en la le du des sous cutane cutanee voie orale
suppositoire suppo collyre creme pommade patch dispositif transdermique nebulisation aerosol
spray dose doses unidose gouttes goutte cuillere mesure adulte enfant nourrisson forte
pellic pell pellicul enrobe enrob gastroresistant gastro resistant dispersible disp orodisp
lyoc lyophilisat efferv eff retard microgranules granules gran sach fl perf pdr cr pom coll
nasal aer inh inhal inhalation ser pen sl sublingual pediatrique ped gel p pr
""".split())
# Salts that do not change which drug it is.
_SALT_WORDS = frozenset("""
chlorhydrate hydrochloride sodique potassique calcique magnesique monohydrate dihydrate
trihydrate base bitartrate tartrate maleate besilate fumarate succinate mesilate
""".split())
_SEPARATORS = re.compile(r"\+|/|,|;|\bet\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# The combining marks NFKD splits off Latin letters (é → e + ◌́): the diacritical-mark blocks.
# Marks of other scripts need not be listed: their letters are not a-z, so the whole word
# becomes spaces anyway. One regular-expression pass, not a loop over characters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_HAS_DIGIT = re.compile(r"\d")



def typo_budget(key: str) -> int:
    """Edits allowed for a typo: one in a short name, two in a long one."""
    return 1 if len(key) <= 8 else 2


def normalise_text(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: « Kardégic® » → « kardegic »."""
    if not text.isascii():
        text = text.replace("œ", "oe").replace("Œ", "oe").replace("µ", "u").replace("μ", "u")
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _NOT_ALNUM.sub(" ", text.lower()).strip()


def _words(text: str) -> list[str]:
    """The words that name the drug: no strengths (« 1000 », « 5mg »), forms or salts."""
    return [w for w in normalise_text(text).split()
            if w not in _FORM_WORDS and w not in _SALT_WORDS and not _HAS_DIGIT.search(w)]


def _key_of_words(words: Iterable[str]) -> str:
    return " ".join(sorted(set(words)))


def _inn_key(inn: str) -> str:
    """An INN, or several joined by « + », as a key."""
    words: list[str] = []
    for part in _SEPARATORS.split(inn):
        words.extend(_words(part))
    return _key_of_words(words)


@dataclass(frozen=True)
class DrugName:
    """A name as written, its key, and how the key was found (for the verdict's reason)."""

    written: str
    key: str
    how: str  # same | brand | typo
    score: float = 100.0  # 0-100; below 100 only for a typo


class DrugNames:
    """Brand → INN table and the keys derived from it; one per reconciliation run."""

    def __init__(self, brands: Mapping[str, str]) -> None:
        self._brands: dict[tuple[str, ...], str] = {}
        for brand, inn in brands.items():
            words = tuple(_words(brand))
            if words:
                self._brands[words] = _inn_key(inn)
        self.known_inns = frozenset(self._brands.values())
        self._brand_names = {" ".join(words): key for words, key in self._brands.items()}

    @lru_cache(maxsize=65536)  # noqa: B019 - one instance per run, names repeat a lot
    def canonical(self, written: str) -> DrugName:
        """The key of a name without fuzzy matching: a brand replaced by its INN."""
        raw_words = []
        for part in _SEPARATORS.split(written):
            raw_words.append(_words(part))
        words = [w for part in raw_words for w in part]
        for length in (3, 2, 1):
            brand = tuple(words[:length])
            if len(brand) == length and brand in self._brands:
                rest = words[length:]
                key = _key_of_words(self._brands[brand].split() + rest)
                return DrugName(written, key, "brand")
        return DrugName(written, _key_of_words(words), "same")

    def is_known(self, key: str) -> bool:
        """A key that is a real drug of the table: never taken for someone else's typo."""
        return key in self.known_inns

    def resolve_typos(self, names: Iterable[DrugName], targets: Iterable[str]
                      ) -> dict[str, DrugName]:
        """For each unknown key, the target key (or brand) it is most likely a typo of.

        One ``extract`` per unique unknown key against the unique targets and the brand names:
        the cost grows with the number of distinct names, not with the number of items.
        """
        target_keys = {t: t for t in targets if t}
        vocabulary = {**self._brand_names, **{k: k for k in self.known_inns}, **target_keys}
        choices = list(vocabulary)
        resolved: dict[str, DrugName] = {}
        for name in names:
            if (not name.key or name.key in target_keys or name.key in resolved
                    or self.is_known(name.key) or name.how == "brand"):
                continue
            budget = typo_budget(name.key)
            best = process.extract(name.key, choices, scorer=Levenshtein.distance, limit=2,
                                   score_cutoff=budget)
            if not best:
                continue
            if len(best) > 1 and best[0][1] == best[1][1] \
                    and vocabulary[best[0][0]] != vocabulary[best[1][0]]:
                continue  # as near to two different drugs: do not guess
            similarity = Levenshtein.normalized_similarity(name.key, best[0][0]) * 100
            resolved[name.key] = DrugName(name.written, vocabulary[best[0][0]], "typo",
                                          round(similarity, 1))
        return resolved


def read_brands(path: str | None = None) -> dict[str, str]:
    """The brand table: ``brand,inn`` lines (the shipped French table when no path is given)."""
    if path is None:
        text = (resources.files("reentry.reconcile") / "brands_fr.csv").read_text("utf-8")
    else:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    return {row["brand"].strip(): row["inn"].strip()
            for row in csv.DictReader(text.splitlines()) if row.get("brand") and row.get("inn")}


@lru_cache(maxsize=1)
def default_drug_names() -> DrugNames:
    return DrugNames(read_brands())
