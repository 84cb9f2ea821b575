"""Field comparisons for the item reconciliation: numbers across units, routes, statuses.

« 1 g » and « 1000 mg » are the same dose; « 37,5 °C » and « 37.5 Cel » the same temperature;
« /mn », « batt/min », « {beats}/min » and « min-1 » the same rate; « 2 bouffées » and « 2 puff »
the same count; « per os », « Voie orale » and « PO » the same route; « réagit à la douleur »,
« Pain » and « P - réagit à la douleur » the same AVPU answer (the form's choices). Each field
is brought to one form before comparing, so that a verdict « differs » always means a real
difference, and names the field. A unit left blank is no difference: the numbers are compared
as written (the form gives the code its unit).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from rapidfuzz.distance import OSA

from reentry import clinical_codes
from reentry.reconcile.drugs import normalise_text, typo_budget

# unit (normalised) -> (dimension, factor to the dimension's base, offset)
_UNITS: dict[str, tuple[str, float, float]] = {
    "mg": ("mass", 1.0, 0.0), "g": ("mass", 1000.0, 0.0), "gr": ("mass", 1000.0, 0.0),
    "kg": ("mass", 1e6, 0.0), "ug": ("mass", 1e-3, 0.0), "mcg": ("mass", 1e-3, 0.0),
    "ng": ("mass", 1e-6, 0.0), "microgramme": ("mass", 1e-3, 0.0),
    "microgrammes": ("mass", 1e-3, 0.0), "milligramme": ("mass", 1.0, 0.0),
    "milligrammes": ("mass", 1.0, 0.0), "gramme": ("mass", 1000.0, 0.0),
    "grammes": ("mass", 1000.0, 0.0),
    "ml": ("volume", 1.0, 0.0), "l": ("volume", 1000.0, 0.0), "cl": ("volume", 10.0, 0.0),
    "dl": ("volume", 100.0, 0.0),
    "c": ("temperature", 1.0, 0.0), "cel": ("temperature", 1.0, 0.0),
    "degc": ("temperature", 1.0, 0.0),
    "f": ("temperature", 5 / 9, -32 * 5 / 9), "degf": ("temperature", 5 / 9, -32 * 5 / 9),
    "mmhg": ("pressure", 1.0, 0.0), "mm hg": ("pressure", 1.0, 0.0),
    "kpa": ("pressure", 7.500617, 0.0), "cmhg": ("pressure", 10.0, 0.0),
    "min": ("per_minute", 1.0, 0.0), "bpm": ("per_minute", 1.0, 0.0),
    "cpm": ("per_minute", 1.0, 0.0), "rpm": ("per_minute", 1.0, 0.0),
    "": ("none", 1.0, 0.0),
    "ui": ("iu", 1.0, 0.0), "u i": ("iu", 1.0, 0.0), "iu": ("iu", 1.0, 0.0),
    "u": ("iu", 1.0, 0.0), "unites": ("iu", 1.0, 0.0), "unite": ("iu", 1.0, 0.0),
    "unites internationales": ("iu", 1.0, 0.0),
    "score": ("score", 1.0, 0.0), "pts": ("score", 1.0, 0.0), "points": ("score", 1.0, 0.0),
    "percent": ("percent", 1.0, 0.0),
}
_PER_TIME = {"h": 60.0, "min": 1.0, "mn": 1.0, "j": 1440.0, "d": 1440.0, "24h": 1440.0}
# What a rate counts (« batt/min », « {breaths}/min », « cycles/mn »): events, not a unit.
_EVENTS = frozenset({"bat", "batt", "battement", "battements", "beat", "beats", "breath",
                     "breaths", "c", "cycle", "cycles", "mvt", "mvts", "mouvement", "mouvements",
                     "resp", "respiration", "respirations", "puls", "pulsations"})
# Doses counted in units of a form (« 1 cp », « 2 bouffées »): the form is the dimension.
_COUNTED = {
    "tablet": ("cp", "cpr", "comp", "comprime", "comprimes", "tbl", "tab", "tablet", "tablets"),
    "capsule": ("gel", "gelule", "gelules", "cap", "caps", "capsule", "capsules"),
    "puff": ("bouffee", "bouffees", "bouffee s", "puff", "puffs", "inhalation", "inhalations",
             "pulverisation", "pulverisations", "pulv"),
    "sachet": ("sachet", "sachets", "sach"),
    "ampoule": ("amp", "ampoule", "ampoules"),
    "drop": ("goutte", "gouttes", "gtt"),
    "suppository": ("suppo", "suppositoire", "suppositoires"),
    "dose": ("dose", "doses", "unidose", "unidoses"),
}
for _form, _spellings in _COUNTED.items():
    for _spelling in _spellings:
        _UNITS[_spelling] = (f"count:{_form}", 1.0, 0.0)
# « /10 », « sur 10 »: a score out of ten, written as its scale.
_OUT_OF = re.compile(r"^(?:1\s*)?(?:/|sur\s)\s*(\d+)$")
# « min-1 », « mn^-1 »: per minute, written with an exponent.
_NEGATIVE_POWER = re.compile(r"^(\w*?)\s*\^?-1$")
_ROUTES = {
    "po": "PO", "per os": "PO", "os": "PO", "oral": "PO", "orale": "PO", "voie orale": "PO",
    "buccale": "PO", "vo": "PO",
    "iv": "IV", "ivd": "IV", "ivl": "IV", "ivse": "IV", "intraveineuse": "IV",
    "intraveineux": "IV", "voie intraveineuse": "IV", "perfusion": "IV",
    "sc": "SC", "s c": "SC", "sous cutanee": "SC", "sous cutane": "SC", "souscutanee": "SC",
    "voie sous cutanee": "SC",
    "im": "IM", "intramusculaire": "IM", "voie intramusculaire": "IM",
    "ih": "IH", "inh": "IH", "inhalee": "IH", "inhalation": "IH", "aerosol": "IH",
    "nebulisation": "IH",
    "td": "TD", "transdermique": "TD", "patch": "TD",
    "pr": "PR", "rectale": "PR", "intrarectale": "PR", "ir": "PR",
    "sl": "SL", "sublinguale": "SL",
    "ns": "NS", "nasale": "NS", "intranasale": "NS",
    "tp": "TP", "cutanee": "TP", "locale": "TP", "topique": "TP",
}
_STATUSES = {
    "completed": "completed", "cp": "completed", "given": "completed", "done": "completed",
    "administre": "completed", "fait": "completed",
    "not done": "not-done", "not-done": "not-done", "notdone": "not-done", "na": "not-done",
    "re": "not-done", "refused": "not-done", "not given": "not-done", "refuse": "not-done",
    "non administre": "not-done",
}
_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_DIGIT_EDGE = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")


@lru_cache(maxsize=1 << 16)
def ipp_key(ipp: str | None) -> str:
    """An IPP as the matching compares it, the same on both sides: spaces anywhere left out
    (« 810 007 820 », no-break spaces too) and the leading zeros of an all-digit IPP dropped
    (« 000810007820 », a fixed-width export); "" when there is none. Two IPPs that differ only
    so are one patient number written two ways, never two patients."""
    if not ipp:
        return ""
    text = ipp if ipp.isdigit() else _SPACES.sub("", ipp)  # digits only: no space to drop
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text


@lru_cache(maxsize=4096)
def unit_scale(unit: str | None) -> tuple[str, float, float]:
    """(dimension, factor, offset) of a unit; an unknown unit is its own dimension."""
    text = (unit or "").replace("[", "").replace("]", "").replace("{", "").replace("}", "")
    text = text.replace("°", "deg").replace("μ", "u").replace("µ", "u").replace("%", " percent")
    text = text.strip()
    plain = normalise_text(text)
    plain = plain.replace("deg c", "degc").replace("deg f", "degf")
    if plain in _UNITS:
        return _UNITS[plain]
    if _OUT_OF.match(text.lower()):
        return ("score", 1.0, 0.0)
    power = _NEGATIVE_POWER.match(text.lower())
    if power and normalise_text(power.group(1)) in _PER_TIME:
        return ("per_minute", 1.0 / _PER_TIME[normalise_text(power.group(1))], 0.0)
    if "/" in text:
        top, _, bottom = text.partition("/")
        top_plain, bottom_plain = normalise_text(top), normalise_text(bottom)
        if bottom_plain in _PER_TIME and (not top_plain or top_plain in _EVENTS):
            return ("per_minute", 1.0 / _PER_TIME[bottom_plain], 0.0)
        top_dim, top_factor, _ = unit_scale(top)
        if bottom_plain in _PER_TIME and top_dim not in ("none",):
            return (f"{top_dim}/time", top_factor / _PER_TIME[bottom_plain], 0.0)
    words = plain.split()
    if len(words) == 2 and words[0] in _EVENTS and words[1] in _PER_TIME:  # « bat min »
        return ("per_minute", 1.0 / _PER_TIME[words[1]], 0.0)
    return (plain, 1.0, 0.0)


def same_number(a: float, b: float, relative: float, absolute: float) -> bool:
    return math.isclose(a, b, rel_tol=relative, abs_tol=absolute)


def compare_quantity(paper_value: float | None, paper_unit: str | None,
                     sih_value: float | None, sih_unit: str | None,
                     relative: float, absolute: float) -> tuple[bool, bool]:
    """(value equal, unit compatible). Values in units of one dimension are converted first.

    A unit missing on one side is not a difference (the CSV may omit it); then the numbers are
    compared as written.
    """
    if paper_value is None or sih_value is None:
        return paper_value is None and sih_value is None, True
    if not paper_unit or not sih_unit:
        return same_number(paper_value, sih_value, relative, absolute), True
    paper_dim, paper_factor, paper_offset = unit_scale(paper_unit)
    sih_dim, sih_factor, sih_offset = unit_scale(sih_unit)
    if paper_dim != sih_dim:
        return same_number(paper_value, sih_value, relative, absolute), False
    return same_number(paper_value * paper_factor + paper_offset,
                       sih_value * sih_factor + sih_offset, relative, absolute), True


@lru_cache(maxsize=1 << 14)
def changed_words(paper: str, sih: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of two normalised notes that were changed for other words, not typed wrong:
    (paper's, SIH's). A word left in one note only pairs with one of the other within
    ``typo_budget`` edits (two letters swapped are one); a number only with the same number.
    « talon droit » / « talon gauche » gives (droit,), (gauche,); « pansement » / « pnasement »
    gives nothing."""
    words, others = paper.split(), sih.split()
    left, right = set(words), set(others)
    only_left = [w for w in words if w not in right]  # each time it is written
    only_right = [w for w in others if w not in left]
    if sorted(w for w in words if w in right) != sorted(w for w in others if w in left):
        # a word kept but written more or fewer times: count them
        counted, counted_other = Counter(words), Counter(others)
        only_left = list((counted - counted_other).elements())
        only_right = list((counted_other - counted).elements())
    if not only_left and not only_right:
        return (), ()
    if any(map(_DIGIT.search, only_left + only_right)):  # « 23h » is « 23 h »
        split_left = Counter(_DIGIT_EDGE.sub(" ", " ".join(only_left)).split())
        split_right = Counter(_DIGIT_EDGE.sub(" ", " ".join(only_right)).split())
        only_left = list((split_left - split_right).elements())
        only_right = list((split_right - split_left).elements())
    only_left.sort()
    unpaired = []
    for word in only_left:
        twin = next((other for other in only_right if _typo_of(word, other)), None)
        if twin is None:
            unpaired.append(word)
        else:
            only_right.remove(twin)
    return tuple(unpaired), tuple(sorted(only_right))


def _typo_of(word: str, other: str) -> bool:
    if _DIGIT.search(word) or _DIGIT.search(other):
        return False
    return OSA.distance(word, other, score_cutoff=typo_budget(max(word, other, key=len))) \
        <= typo_budget(max(word, other, key=len))


@lru_cache(maxsize=4096)
def normalise_route(route: str | None) -> str:
    """« Voie inhalée », « inhalation », « INH » → IH; an unknown route in capitals."""
    plain = normalise_text(route or "")
    if plain not in _ROUTES:
        for lead in ("par voie ", "voie "):
            if plain.startswith(lead) and plain[len(lead):] in _ROUTES:
                return _ROUTES[plain[len(lead):]]
    return _ROUTES.get(plain, plain.upper())


@lru_cache(maxsize=256)
def normalise_status(status: str | None) -> str:
    plain = _SPACES.sub(" ", (status or "completed").strip().lower().replace("_", " "))
    return _STATUSES.get(plain, _STATUSES.get(plain.replace(" ", "-"), plain))


def same_text_value(a: str | None, b: str | None, code: str = "") -> bool:
    """Coded answers (AVPU « A ») compared without case or accents, labels read as their
    choice (``answer_key``)."""
    return answer_key(code, a) == answer_key(code, b)


@lru_cache(maxsize=1 << 14)
def answer_key(code: str, text: str | None) -> str:
    """A value written as text, as it compares: for a code a form asks as a choice (AVPU
    80288-4), the choice's code however the answer is written — its code (« a »), its label in
    either language (« réagit à la douleur », « alert »), its code before a label (« P - réagit
    à la douleur », « U - aréactif ») or the words of one label only (« Pain »); otherwise the
    text without case, accents or punctuation."""
    plain = normalise_text(text or "")
    choices = _choices(code)
    if not choices or not plain:
        return plain
    if plain in choices:
        return choices[plain]
    words = plain.split()
    if words[0] in choices and len(words[0]) <= 2:  # the code first, then a label
        rest = " ".join(words[1:])
        if choices.get(rest, choices[words[0]]) == choices[words[0]]:
            return choices[words[0]]
    found = {choice for label, choice in choices.items() if set(words) <= set(label.split())}
    return found.pop() if len(found) == 1 else plain


def has_choices(code: str) -> bool:
    """Whether a form asks ``code`` as a choice (its answers compare by ``answer_key``)."""
    return bool(_choices(code))


@lru_cache(maxsize=256)
def _choices(code: str) -> dict[str, str]:
    """Each way the form names the choices of ``code`` (code, French and English labels),
    normalised, → the choice's code; empty when no form asks ``code`` as a choice."""
    charted = clinical_codes.charted(code) if code else None
    if charted is None:
        return {}
    named: dict[str, str] = {}
    for choice in charted.field.choices:
        for name in (choice.code, choice.label.fr, choice.label.en):
            named.setdefault(normalise_text(name), choice.code)
    return named
