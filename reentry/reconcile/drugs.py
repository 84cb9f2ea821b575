"""Drug names as a key that the paper and the SIH share: brand → INN, accents, strengths, typos.

The paper says « DOLIPRANE 1000 », the SIH says « paracétamol »: same drug. The key is the INN
(dénomination commune internationale) in lower case without accents, strengths, forms and salts,
its words sorted so that « amoxicilline + acide clavulanique » and « acide clavulanique /
amoxicilline » agree. Brands come from ``brands_fr.csv`` (common French brands; a hospital can
give its own table); other names of an INN (« aspirine », « acétaminophène », « albutérol »,
« cotrimoxazole ») from ``synonyms_fr.csv``. Salts and their elided articles (« chlorhydrate
d'oxycodone », « ésoméprazole magnésien ») are left out of the key. Typos (one edit in a short
name, two in a long one) are resolved once per unique name with rapidfuzz, never per pair, on
either side (a paper name against the SIH's names, an SIH name against the paper's and the known
INNs), and only for names that are neither a known brand nor a known INN: « prednisone » is a
drug of its own, not a typo of « prednisolone » (look-alike names are exactly the errors to
catch), and a name as near to two drugs is left as written.
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
from rapidfuzz.distance import OSA, Indel

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
# Salts (and hydrates) that do not change which drug it is, as French drug databases write
# them: « chlorhydrate de tramadol », « MORPHINE (SULFATE DE) », « ésoméprazole magnésien »,
# « bisoprolol hémifumarate », « prednisolone (métasulfobenzoate sodique de) ».
_SALT_WORDS = frozenset("""
chlorhydrate dichlorhydrate hydrochloride sodique disodique potassique calcique magnesique
magnesien monohydrate dihydrate dihydratee trihydrate trihydratee sesquihydrate hemihydrate
anhydre base bitartrate tartrate maleate besilate besylate fumarate hemifumarate succinate
hemisuccinate mesilate mesylate sulfate hemisulfate bromhydrate hydrobromide
metasulfobenzoate phosphate acetate citrate
""".split())
# An elided article before a vowel (« chlorhydrate d'oxycodone »): not a word of the name.
_ELIDED = re.compile(r"\b[dl]['\u2019]")
_SEPARATORS = re.compile(r"\+|/|,|;|\bet\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# The combining marks NFKD splits off Latin letters (é → e + ◌́): the diacritical-mark blocks.
# Marks of other scripts need not be listed: their letters are not a-z, so the whole word
# becomes spaces anyway. One regular-expression pass, not a loop over characters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_HAS_DIGIT = re.compile(r"\d")



# Another drug must be this many edits farther than the nearest one for a typo to be resolved.
TYPO_MARGIN = 2


def typo_budget(key: str) -> int:
    """Edits allowed for a typo (two letters swapped count as one): one in a short name, two
    from seven letters on."""
    return 1 if len(key) <= 6 else 2


# ASCII bytes as ``normalise_text`` keeps them: letters in lower case, digits, else a space.
_ASCII = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32
               for c in range(256))


def normalise_text(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: « Kardégic® » → « kardegic »."""
    if not text.isascii():
        text = text.replace("œ", "oe").replace("Œ", "oe").replace("µ", "u").replace("μ", "u")
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        if not text.isascii():  # letters of other scripts: spaces, as any non-letter
            return _NOT_ALNUM.sub(" ", text.lower()).strip()
    return " ".join(text.encode("ascii").translate(_ASCII).decode("ascii").split())


def _words(text: str) -> list[str]:
    """The words that name the drug: no strengths (« 1000 », « 5mg »), forms or salts (unless
    the salt is all there is: « sulfate » alone is kept)."""
    if "'" in text or "\u2019" in text:
        text = _ELIDED.sub(" ", text)
    words = [w for w in normalise_text(text).split()
             if w not in _FORM_WORDS and not _HAS_DIGIT.search(w)]
    named = [w for w in words if w not in _SALT_WORDS]
    return named or words


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
    how: str  # same | brand | synonym | typo
    score: float = 100.0  # 0-100; below 100 only for a typo


class DrugNames:
    """Brand → INN and synonym → INN tables and the keys derived from them; one per
    reconciliation run."""

    def __init__(self, brands: Mapping[str, str],
                 synonyms: Mapping[str, str] | None = None, inns: Iterable[str] = ()) -> None:
        self._brands: dict[tuple[str, ...], tuple[str, str]] = {}
        for table, how in ((brands, "brand"), (synonyms or {}, "synonym")):
            for name, inn in table.items():
                words = tuple(_words(name))
                if words:
                    self._brands.setdefault(words, (_inn_key(inn), how))
        self.known_inns = frozenset(key for key, _ in self._brands.values()) | frozenset(
            key for key in map(_inn_key, inns) if key)
        self._brand_names = {" ".join(words): key for words, (key, _) in self._brands.items()}

    @lru_cache(maxsize=65536)  # noqa: B019 - one instance per run, names repeat a lot
    def canonical(self, written: str) -> DrugName:
        """The key of a name without fuzzy matching: a brand or a synonym (« aspirine »)
        replaced by its INN."""
        words = [w for part in _SEPARATORS.split(written) for w in _words(part)]
        for length in (3, 2, 1):
            brand = tuple(words[:length])
            if len(brand) == length and brand in self._brands:
                inn, how = self._brands[brand]
                return DrugName(written, _key_of_words(inn.split() + words[length:]), how)
        return DrugName(written, _key_of_words(words), "same")

    def is_known(self, key: str) -> bool:
        """A key that is a real drug of the table: never taken for someone else's typo."""
        return key in self.known_inns

    def resolve_typos(self, names: Iterable[DrugName], targets: Iterable[str]
                      ) -> dict[str, DrugName]:
        """For each unknown key, the target key (or brand) it is most likely a typo of: within
        ``typo_budget`` edits (OSA distance: two letters swapped are one slip), and every other
        drug at least ``TYPO_MARGIN`` edits farther (a name between two drugs is not guessed).
        A target (a name the other side wrote) within the budget is preferred: then only another
        target within the margin, or a known drug as near, leaves the name as written; between
        two as near, the one reached by a letter dropped or added rather than changed is nearer
        (« amxicilline » is amoxicilline, not ampicilline; « prednisolne » stays as written).

        One ``extract`` per unique unknown key against the unique targets, the brand names and
        the known INNs: the cost grows with the number of distinct names, not of items.
        """
        target_keys = {t: t for t in targets if t}
        vocabulary = {**self._brand_names, **{k: k for k in self.known_inns}, **target_keys}
        choices = list(vocabulary)
        resolved: dict[str, DrugName] = {}
        for name in names:
            if (not name.key or name.key in target_keys or name.key in resolved
                    or self.is_known(name.key) or name.how != "same"):
                continue
            budget = typo_budget(name.key)
            near = process.extract(name.key, choices, scorer=OSA.distance, limit=None,
                                   score_cutoff=budget + TYPO_MARGIN - 1)
            if not near or near[0][1] > budget:
                continue
            best = next((n for n in near if n[0] in target_keys and n[1] <= budget), near[0])
            if any(self._rivals(name.key, best, choice, distance, vocabulary, target_keys)
                   for choice, distance, _ in near):
                continue  # another drug almost as near: do not guess
            similarity = OSA.normalized_similarity(name.key, best[0]) * 100
            resolved[name.key] = DrugName(name.written, vocabulary[best[0]], "typo",
                                          round(similarity, 1))
        return resolved


    @staticmethod
    def _rivals(key: str, best: tuple[str, float, int], choice: str, distance: float,
                vocabulary: Mapping[str, str], targets: Mapping[str, str]) -> bool:
        """Whether ``choice``, another drug, is too near ``key`` for ``best`` to be chosen."""
        if vocabulary[choice] == vocabulary[best[0]]:
            return False
        if choice in targets or best[0] not in targets:
            return distance < best[1] + TYPO_MARGIN
        if distance != best[1]:
            return distance < best[1]
        return Indel.distance(key, choice) <= Indel.distance(key, best[0])


def read_brands(path: str | None = None, shipped: str = "brands_fr.csv",
                name: str = "brand") -> dict[str, str]:
    """The brand table: ``brand,inn`` lines (the shipped French table when no path is given);
    lines starting with ``#`` are comments (where the data comes from)."""
    if path is None:
        text = (resources.files("reentry.reconcile") / shipped).read_text("utf-8")
    else:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return {row[name].strip(): row["inn"].strip()
            for row in csv.DictReader(lines) if row.get(name) and row.get("inn")}


def read_synonyms(path: str | None = None) -> dict[str, str]:
    """The synonym table: ``name,inn`` lines (the shipped French table when no path is given)."""
    return read_brands(path, "synonyms_fr.csv", "name")


def read_inns(path: str | None = None) -> list[str]:
    """The known INNs: one ``inn`` column (the shipped French list when no path is given)."""
    if path is None:
        text = (resources.files("reentry.reconcile") / "inns_fr.csv").read_text("utf-8")
    else:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [row["inn"].strip() for row in csv.DictReader(lines) if row.get("inn")]


@lru_cache(maxsize=1)
def default_drug_names() -> DrugNames:
    return DrugNames(read_brands(), read_synonyms(), read_inns())
