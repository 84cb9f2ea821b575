"""Round 2 of the labelled variant benchmark: what real SIH exports and real re-entry add.

The variations, tags, labels and exclusion rules are described in ``sih_variants``' docstring
("Round 2"); this module builds the cases and writes the SIH's FHIR R4 and HL7 v2.5 files.
Written from the verdict definitions and the readers' documentation (``docs/formats.md``,
``reentry/importing``), never from the matcher.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from rapidfuzz.distance import Levenshtein
from sih_variants import (
    ALL_DRUGS,
    AMBIGUOUS,
    DEVICE_AUTHORS,
    DST_END,
    FORMULARY,
    LOOKALIKES,
    MED,
    NOTE,
    NOTE_TOPICS,
    NURSES,
    PADDING_DRUGS,
    PADDING_VITALS,
    SAFE_GAP,
    TOLERANCE,
    VITAL,
    VITAL_CODES,
    VITALS,
    WINDOW_END,
    WINDOW_START,
    Drug,
    Generator,
    Patient,
    Rec,
    _drug,
    _write,
    fill,
    format_number,
    inn_spellings,
    strip_accents,
    utc_offset,
    vital_text,
    vital_typo,
)

AVPU = "80288-4"
AVPU_LABELS = {"A": ("alerte", "Alerte", "Alert", "A - alerte"),
               "V": ("réagit à la voix", "Voice", "V - réagit à la voix"),
               "P": ("réagit à la douleur", "Pain", "P - réagit à la douleur"),
               "U": ("ne réagit pas", "Unresponsive", "U - aréactif")}
VITAL_LABELS = {"8867-4": "Fréquence cardiaque", "8480-6": "Pression artérielle systolique",
                "8462-4": "Pression artérielle diastolique", "8310-5": "Température",
                "2708-6": "Saturation en oxygène", "9279-1": "Fréquence respiratoire",
                "72514-3": "Douleur (EN)", AVPU: "Conscience (AVPU)",
                "2339-0": "Glycémie", "29463-7": "Poids"}
BP_PANEL, NOTE_CODE = "85354-9", "34746-8"
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
# Placeholder OIDs of the hospital: IPP and NDA domains, its local AVPU code system.
IPP_OID, NDA_OID, AVPU_OID = "1.2.250.1.999.1.1", "1.2.250.1.999.1.2", "1.2.250.1.999.2.1"

# -- units ------------------------------------------------------------------------------------

# How exports write the forms' UCUM units: the same quantity every time.
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "8867-4": ("{beats}/min", "bpm", "batt/min", "/mn", "min-1"),
    "9279-1": ("{breaths}/min", "c/min", "cycles/min", "/mn"),
    "8480-6": ("mmHg", "mm Hg", "mmhg"), "8462-4": ("mmHg", "mm Hg", "mmhg"),
    "8310-5": ("°C", "degC", "°c"), "72514-3": ("/10",),
}
BLANK_UNIT_OK = frozenset({"8867-4", "2708-6", "72514-3", "9279-1"})
FAHRENHEIT = ("[degF]", "°F", "degF")
UCUM_CODES = frozenset({"mm[Hg]", "Cel", "/min", "%", "{score}", "[degF]", "{beats}/min",
                        "{breaths}/min", "min-1", "mg", "g", "ug", "[iU]", "mmol/L", "kg"})
HUMAN_UNIT = {"mm[Hg]": "mmHg", "Cel": "°C", "/min": "/min", "%": "%", "{score}": "",
              "[degF]": "°F", "{beats}/min": "bpm", "{breaths}/min": "/min", "min-1": "/min",
              "ug": "µg", "[iU]": "UI"}

# Doses: a mass (µg), international units, or a count of units (the unit is what is counted).
MASS = {"g": 1_000_000, "mg": 1000, "µg": 1, "ug": 1, "mcg": 1, "microgrammes": 1}
UNITS = frozenset({"UI", "U", "IU", "[iU]", "unités"})
COUNTS = {"cp": "{tbl}", "comprimé": "{tbl}", "comprimés": "{tbl}", "cpr": "{tbl}",
          "CP": "{tbl}", "gél": "{cap}", "gélule": "{cap}", "gélules": "{cap}",
          "bouffée": "{puff}", "bouffées": "{puff}", "bouffée(s)": "{puff}", "puff": "{puff}",
          "sachet": "{sachet}", "sachets": "{sachet}"}
COUNT_SPELLINGS = {"{tbl}": ("cp", "comprimé", "comprimés", "cpr", "CP"),
                   "{cap}": ("gél", "gélule", "gélules"),
                   "{puff}": ("bouffées", "bouffée", "bouffée(s)", "puff"),
                   "{sachet}": ("sachet", "sachets")}
DOSE_SPELLINGS = {"µg": ("mcg", "ug", "microgrammes"), "UI": ("U", "IU", "[iU]", "unités")}


def canon2(value: float, unit: str) -> tuple[int, str]:
    """A dose as (amount, dimension): µg for masses, UI, or a count of tablets, puffs..."""
    if unit in MASS:
        return round(value * MASS[unit]), "ug"
    if unit in UNITS:
        return round(value), "UI"
    return round(value * 1000), COUNTS[unit]


# -- drugs ------------------------------------------------------------------------------------

# Drugs on paper in round 2 only, and the look-alikes an SIH may hold next to them.
R2_DRUGS: dict[str, Drug] = {d.key: d for d in (
    _drug("hydroxyzine", "hydroxyzine", "Atarax", ((25, "mg"), (50, "mg")), "PO", 8),
    _drug("clonazepam", "clonazépam", "Rivotril", ((0.5, "mg"), (1, "mg")), "PO", 8),
    _drug("clonidine", "clonidine", "Catapressan", ((0.15, "mg"),), "PO", 12),
    _drug("hydromorphone", "hydromorphone", "", ((2, "mg"), (4, "mg")), "SC", 4),
    _drug("carbamazepine", "carbamazépine", "Tégrétol", ((200, "mg"),), "PO", 12),
    _drug("ropinirole", "ropinirole", "Requip", ((1, "mg"), (2, "mg")), "PO", 8),
    _drug("olanzapine", "olanzapine", "Zyprexa", ((10, "mg"), (5, "mg")), "PO", 24),
    _drug("valaciclovir", "valaciclovir", "Zelitrex", ((500, "mg"), (1000, "mg")), "PO", 8),
    _drug("hydrocortisone", "hydrocortisone", "", ((20, "mg"), (10, "mg")), "PO", 12),
    _drug("piperacilline+tazobactam", "pipéracilline + tazobactam", "Tazocilline",
          ((4, "g"),), "IV", 8),
    _drug("sulfamethoxazole+trimethoprime", "sulfaméthoxazole + triméthoprime", "Bactrim",
          ((1, "cp"),), "PO", 12),
    _drug("levodopa+benserazide", "lévodopa + bensérazide", "Modopar", ((1, "gél"), (2, "gél")),
          "PO", 8),
    LOOKALIKES["prednisone"],
)}
R2_LOOKALIKES: dict[str, Drug] = {d.key: d for d in (
    _drug("hydralazine", "hydralazine", "Népressol", ((25, "mg"),), "PO"),
    _drug("clobazam", "clobazam", "Urbanyl", ((10, "mg"), (5, "mg")), "PO"),
    _drug("trazodone", "trazodone", "", ((100, "mg"), (50, "mg")), "PO"),
    _drug("risperidone", "rispéridone", "Risperdal", ((1, "mg"), (2, "mg")), "PO"),
    _drug("cetirizine", "cétirizine", "Zyrtec", ((10, "mg"),), "PO"),
    _drug("valganciclovir", "valganciclovir", "Rovalcyte", ((450, "mg"),), "PO"),
    _drug("hydrochlorothiazide", "hydrochlorothiazide", "Esidrex", ((25, "mg"),), "PO"),
)}
DRUGS2 = {**ALL_DRUGS, **R2_DRUGS, **R2_LOOKALIKES}
PAPER_DRUGS2 = [*FORMULARY.values(), *R2_DRUGS.values()]
# (paper drug, the look-alike the SIH holds next to it): never the same drug.
LOOKALIKE_PAIRS = (("hydroxyzine", "hydralazine"), ("prednisone", "prednisolone"),
                   ("clonazepam", "clobazam"), ("clonidine", "clonazepam"),
                   ("morphine", "hydromorphone"), ("hydromorphone", "morphine"),
                   ("tramadol", "trazodone"), ("carbamazepine", "oxcarbazepine"),
                   ("ropinirole", "risperidone"), ("olanzapine", "cetirizine"),
                   ("valaciclovir", "valganciclovir"), ("hydrocortisone", "hydrochlorothiazide"))
# Doses written as a count of units on the MAR (the paper and the SIH both count).
COUNT_DOSES = {"salbutamol": ((2, "bouffées"), (4, "bouffées")),
               "macrogol": ((1, "sachet"), (2, "sachets")),
               "paracetamol": ((1, "cp"), (2, "cp")), "ibuprofene": ((1, "cp"),)}
COUNT_ROUTES = {"salbutamol": "INH", "macrogol": "PO", "paracetamol": "PO", "ibuprofene": "PO"}
# The substance as the drug database writes it: salt, or the INN with its salt in brackets.
SALTS = {
    "tramadol": ("chlorhydrate de tramadol", "TRAMADOL (CHLORHYDRATE DE)", "tramadol chlorhydrate"),
    "morphine": ("sulfate de morphine", "chlorhydrate de morphine", "MORPHINE (SULFATE DE)"),
    "oxycodone": ("chlorhydrate d'oxycodone", "OXYCODONE (CHLORHYDRATE D')"),
    "bisoprolol": ("fumarate de bisoprolol", "bisoprolol hémifumarate"),
    "amlodipine": ("bésilate d'amlodipine", "amlodipine bésilate"),
    "metformine": ("chlorhydrate de metformine", "METFORMINE (CHLORHYDRATE DE)"),
    "ondansetron": ("chlorhydrate d'ondansétron", "ondansétron chlorhydrate dihydraté"),
    "metoclopramide": ("chlorhydrate de métoclopramide",),
    "sertraline": ("chlorhydrate de sertraline",),
    "levothyroxine": ("lévothyroxine sodique", "LEVOTHYROXINE SODIQUE"),
    "esomeprazole": ("ésoméprazole magnésien", "ésoméprazole sodique"),
    "omeprazole": ("oméprazole magnésien",),
    "enoxaparine": ("énoxaparine sodique", "ENOXAPARINE SODIQUE"),
    "atorvastatine": ("atorvastatine calcique", "atorvastatine calcique trihydratée"),
    "nefopam": ("chlorhydrate de néfopam",),
    "ceftriaxone": ("ceftriaxone sodique",),
    "salbutamol": ("sulfate de salbutamol",),
    "prednisolone": ("prednisolone (métasulfobenzoate sodique de)",),
    "methylprednisolone": ("méthylprednisolone (hémisuccinate de)",),
    "hydroxyzine": ("dichlorhydrate d'hydroxyzine",),
    "clonidine": ("chlorhydrate de clonidine",),
    "ropinirole": ("chlorhydrate de ropinirole",),
    "valaciclovir": ("chlorhydrate de valaciclovir",),
    "hydromorphone": ("chlorhydrate d'hydromorphone",),
    "hydrocortisone": ("hydrocortisone (hémisuccinate d')",),
}
SYNONYMS = {"acide acetylsalicylique": ("aspirine", "ASPIRINE"),
            "paracetamol": ("acétaminophène",), "salbutamol": ("albutérol",),
            "sulfamethoxazole+trimethoprime": ("cotrimoxazole", "COTRIMOXAZOLE"),
            "amoxicilline+acide clavulanique": ("co-amoxiclav",)}
# INNs a misspelling must stay far from (besides every drug of the benchmark).
OTHER_INNS = (
    "codéine méthadone kétamine midazolam diazépam lorazépam alprazolam bromazépam prazépam "
    "zolpidem paroxétine fluoxétine escitalopram citalopram venlafaxine duloxétine mirtazapine "
    "amitriptyline halopéridol cyamémazine loxapine tiapride quétiapine aripiprazole warfarine "
    "fluindione héparine rivaroxaban dabigatran clopidogrel ticagrélor spironolactone "
    "indapamide périndopril énalapril losartan valsartan irbésartan candésartan nicardipine "
    "diltiazem vérapamil digoxine aténolol propranolol métoprolol nébivolol carvédilol "
    "simvastatine rosuvastatine pravastatine ézétimibe gliclazide glimépiride sitagliptine "
    "dapagliflozine empagliflozine lansoprazole pantoprazole rabéprazole dompéridone "
    "lopéramide racécadotril lactulose ciprofloxacine lévofloxacine ofloxacine clarithromycine "
    "azithromycine érythromycine doxycycline vancomycine gentamicine amikacine céfazoline "
    "céfuroxime céfépime méropénème imipénème fluconazole aciclovir ganciclovir oseltamivir "
    "dexaméthasone bétaméthasone colchicine naproxène diclofénac célécoxib gabapentine "
    "prégabaline lamotrigine valproate phénytoïne topiramate baclofène sumatriptan "
    "acétazolamide granisétron dropéridol scopolamine atropine néostigmine adrénaline "
    "noradrénaline dobutamine dopamine salmétérol formotérol tiotropium ipratropium budésonide "
    "fluticasone montélukast théophylline hydroxychloroquine méthotrexate fébuxostat "
    "tamsulosine alfuzosine oxybutynine loratadine desloratadine fentanyl tapentadol "
    "buprénorphine nalbuphine naloxone clozapine quinine quinidine").split()
FORMS2 = {"PO": ("cp", "CPR", "gél", "cp pellic"), "IV": ("inj", "pdre sol inj", "sol inj"),
          "SC": ("sol inj", "inj"), "INH": ("susp p inhal", "sol p inhal")}
ROUTE_LABELS = {"PO": ("Voie orale", "orale"), "IV": ("Voie intraveineuse", "intraveineuse"),
                "SC": ("Voie sous-cutanée", "sous-cutanée"), "INH": ("Voie inhalée",)}


def plain(name: str) -> str:
    return strip_accents(name).lower()


def distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    return int(Levenshtein.distance(a, b))


KNOWN_NAMES = sorted({plain(n) for d in DRUGS2.values() for n in (d.inn, *d.brands)}
                     | {plain(n) for n in OTHER_INNS})


_MISSPELLINGS: dict[str, list[str]] = {}


def misspell(rng: random.Random, inn: str) -> str | None:
    """The INN with one or two letters slipped, still far from every other known name
    (at least 3 edits farther than from its own INN), or None."""
    if inn not in _MISSPELLINGS:
        own_rng = random.Random(inn)
        _MISSPELLINGS[inn] = sorted({w for w in (_misspell(own_rng, inn) for _ in range(30))
                                     if w})
    found = _MISSPELLINGS[inn]
    return rng.choice(found) if found else None


def _misspell(rng: random.Random, inn: str) -> str | None:
    base = plain(inn)
    if " " in base or len(base) < 7:
        return None
    for _ in range(5):
        word = base
        for _ in range(rng.choice((1, 1, 2))):
            j = rng.randrange(2, len(word) - 1)      # typing slips spare the first letters
            how = rng.choice(("drop", "double", "swap", "vowel", "end"))
            if how == "drop":
                word = word[:j] + word[j + 1:]
            elif how == "double":
                word = word[:j] + word[j] + word[j:]
            elif how == "swap":
                word = word[:j] + word[j + 1] + word[j] + word[j + 2:]
            elif how == "vowel" and word[j] in "aeiouy":
                word = word[:j] + {"a": "e", "e": "a", "i": "y", "y": "i", "o": "au",
                                   "u": "ou"}[word[j]] + word[j + 1:]
            elif how == "end":
                word = word[:-1] if word.endswith("e") else word + "e"
        own = distance(word, base)
        if word == base or own > 2:
            continue
        if all(distance(word, other) >= own + 3 for other in KNOWN_NAMES if other != base):
            return word
    return None


def reversed_combination(inn: str) -> list[str]:
    parts = inn.split(" + ")
    if len(parts) < 2:
        return []
    back = parts[::-1]
    return [" + ".join(back), "/".join(back), strip_accents(" / ".join(back)).upper()]


# -- times ------------------------------------------------------------------------------------

def hl7_time(t: int, offset: int | None, *, seconds: bool = True, fraction: str = "") -> str:
    """HL7 DTM at ``offset`` seconds from UTC (None: no zone, hospital time)."""
    wall = t + (utc_offset(t) if offset is None else offset)
    g = time.gmtime(wall)
    text = f"{g.tm_year:04d}{g.tm_mon:02d}{g.tm_mday:02d}{g.tm_hour:02d}{g.tm_min:02d}"
    if seconds:
        text += f"{g.tm_sec:02d}{fraction}"
    if offset is not None:
        sign = "-" if offset < 0 else "+"
        text += f"{sign}{abs(offset) // 3600:02d}{abs(offset) % 3600 // 60:02d}"
    return text


def iso_time(t: int, offset: int | None, fraction: str = "") -> str:
    """ISO 8601 at ``offset`` seconds from UTC: ``Z`` for 0, none for None (hospital time)."""
    g = time.gmtime(t + (utc_offset(t) if offset is None else offset))
    text = (f"{g.tm_year:04d}-{g.tm_mon:02d}-{g.tm_mday:02d}T"
            f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}{fraction}")
    if offset is None:
        return text
    if offset == 0:
        return text + "Z"
    return f"{text}{'-' if offset < 0 else '+'}{abs(offset) // 3600:02d}:00"


# Tags of how a copy is written (time, author, IPP, shape), as opposed to what it holds.
STYLE_TAGS = frozenset({"utc_z", "naive_local", "fixed_offset", "time_fraction",
                        "hl7_minutes_only", "dst_ambiguous_hour", "fhir_effective_period",
                        "hl7_time_from_obr", "hl7_corrected", "author_spelling",
                        "author_absent", "ipp_leading_zeros", "ipp_spaces"})
# A copy carries at most one of these (its content written another way).
CONTENT_TAGS = frozenset({"ipp_leading_zeros", "ipp_spaces", "unit_annotation", "unit_blank",
                          "unit_fahrenheit", "avpu_label", "avpu_lowercase", "inn_salt",
                          "combo_order", "inn_synonym", "inn_misspelled", "brand",
                          "drug_label_strength", "count_unit_spelling", "dose_unit_spelling",
                          "unit_g_mg", "route_label", "thousands_space", "note_line_breaks"})
VALUE_TAGS = frozenset({"unit_annotation", "unit_blank", "value_precision", "decimal_comma",
                        "unit_fahrenheit", "thousands_space"})
FORMAT_TAGS = {"csv": "sih_csv", "fhir": "sih_fhir_bundle", "ndjson": "sih_fhir_ndjson",
               "hl7": "sih_hl7_oru"}
ROUND2_RULES = ("note_split_merged", "count_vs_mass", "rounded_conversion")


class Round2Generator(Generator):
    """Round 2 cases (alone, or mixed with round 1) and the FHIR / HL7 files of the SIH."""

    CASES2: tuple[tuple[str, float], ...] = (
        ("case2_plain", 30), ("case2_differs", 10), ("case2_missing", 5),
        ("case2_duplicate", 8), ("case2_other_nda", 3), ("case2_refused_given", 3),
        ("case2_lookalike", 5), ("case2_busy", 0.25), ("case2_bp_panel", 4), ("case2_dst", 3),
        ("case2_fhir_device", 3), ("case2_ambiguous", 1),
    )

    def __init__(self, n_paper: int, n_sih: int, seed: int, extras: bool = True,
                 rounds: str = "all") -> None:
        super().__init__(n_paper, n_sih, seed, extras)
        self.rounds = rounds
        self.fmt = "csv"
        self.file_ipp: dict[tuple[str, str], str] = {}
        self.style = ""
        self.groups = 0
        self.plain_ipp = False          # a busy-patient case writes the IPP as it is

    def cases(self) -> tuple[tuple[str, float], ...]:
        return self.CASES2 if self.rounds == "2" else self.CASES + self.CASES2

    # -- drawing --

    def delivery(self, kind: str) -> str:
        """The SIH file a case's records come in: HL7 ORU carries no administrations."""
        fmt = self.rng.choices(("csv", "fhir", "ndjson", "hl7"), (0.4, 0.25, 0.15, 0.2))[0]
        return "fhir" if fmt == "hl7" and kind == MED else fmt

    def other_nda(self, patient_nda: str) -> str:
        return "4" + patient_nda[1:]

    def ipp_text(self, ipp: str, tags: set[str]) -> str:
        """The IPP as this file writes it: zero-padded or with spaces (one way per file and
        patient in FHIR and HL7, per row in the CSV; never in a busy-patient case)."""
        key = (self.fmt, ipp)
        if self.fmt != "csv" and key in self.file_ipp:
            text = self.file_ipp[key]
        else:
            r = self.rng.random()
            if self.plain_ipp:
                text = ipp
            elif r < 0.1:
                text = "0" * self.rng.choice((1, 3)) + ipp
            elif r < 0.16 and self.fmt in ("csv", "hl7"):
                text = self.rng.choice((" " + ipp, ipp + " ", ipp + "  "))
            else:
                text = ipp
            if self.fmt != "csv":
                self.file_ipp[key] = text
        if text.startswith("0"):
            tags.add("ipp_leading_zeros")
        elif text != ipp:
            tags.add("ipp_spaces")
        return text

    def time_in(self, t: int, style: str) -> str:
        """``t`` written in ``style`` for the current file format."""
        kind, _, fixed = style.partition(":")
        offset = {"utc": 0, "naive": None, "fixed": int(fixed or 0)}.get(kind, utc_offset(t))
        fraction = ".000" if kind == "fraction" else ""
        if self.fmt == "hl7":
            if kind == "minutes":
                return hl7_time(t, utc_offset(t), seconds=False)
            return hl7_time(t, offset, fraction=fraction.replace(".000", ".0000"))
        if kind == "minutes":
            kind, offset = "local", utc_offset(t)
        return iso_time(t, offset, fraction)

    def time_text2(self, t: int, tags: set[str]) -> str:
        ambiguous = AMBIGUOUS[0] <= t < AMBIGUOUS[1]
        if ambiguous:
            tags.add("dst_ambiguous_hour")
        r = self.rng.random()
        if r < 0.2:
            style = "utc"
            tags.add("utc_z")
        elif r < 0.3 and not ambiguous:
            style = "naive"
            tags.add("naive_local")
        elif r < 0.45:
            fixed = self.rng.choice((3600, 7200))
            style = f"fixed:{fixed}"
            if fixed != utc_offset(t):
                tags.add("fixed_offset")
        elif r < 0.55:
            style = "fraction"
            tags.add("time_fraction")
        elif r < 0.62 and self.fmt == "hl7" and t % 60 == 0:
            style = "minutes"
            tags.add("hl7_minutes_only")
        else:
            style = "local"
        self.style = style
        return self.time_in(t, style)

    # -- paper items --

    def paper_med2(self, patient: Patient, drug: Drug, t: int, case: str,
                   dose: tuple[float, str] | None = None, route: str | None = None,
                   status: str = "completed") -> Rec:
        if dose is None and drug.key in COUNT_DOSES and self.chance(0.5):
            dose = self.rng.choice(COUNT_DOSES[drug.key])
            route = COUNT_ROUTES[drug.key]
        rec = self.paper_med(patient, drug, t, case, dose, route, status, canon2)
        if rec.unit in COUNTS:
            rec.tags.add("count_unit")
        return rec

    def paper_avpu(self, patient: Patient, t: int, case: str, letter: str | None = None) -> Rec:
        letter = letter or self.rng.choices("AVPU", (0.7, 0.15, 0.1, 0.05))[0]
        rec = self.new_paper(patient, VITAL, AVPU, t, (letter, ""), case, code=AVPU,
                             value=letter, author=" ".join(self.nurse()))
        rec.tags.add("avpu")
        return rec

    def single2(self, kind: str, case: str, span: int = 0) -> tuple[Patient, Rec, int]:
        patient = self.rng.choice(self.patients)
        t = self.paper_time(span)
        if kind == VITAL:
            code = AVPU if self.chance(0.12) else self.rng.choice(VITAL_CODES)
            self.reserve([(patient, (VITAL, code))], t - span, t + span, VITAL)
            if code == AVPU:
                return patient, self.paper_avpu(patient, t, case), t
            return patient, self.paper_vital(patient, code, t, case), t
        if kind == MED:
            drug = self.rng.choice(PAPER_DRUGS2)
            self.reserve([(patient, (MED, drug.key))], t - span, t + span, MED)
            return patient, self.paper_med2(patient, drug, t, case), t
        self.reserve([(patient, (NOTE, ""))], t - span, t + span, NOTE)
        return patient, self.paper_note(patient, t, case)[0], t

    # -- SIH copies --

    def copy2(self, p: Rec, changed: str = "", *, far: bool = True, absent_ok: bool = True,
              limit: int | None = None, at: int | None = None, tags: set[str] | None = None,
              nda: str = "", group: str = "") -> Rec:
        """An SIH copy of ``p`` in the case's file format, varied the round-2 ways: the way it
        is written (format, time, author, number format) freely, and at most one change of
        content (``CONTENT_TAGS``: the IPP, a unit, a drug name...) per copy."""
        tags = p.tags if tags is None else tags
        off = at - p.t if at is not None else self.offset(p.kind, tags, far, limit)
        t = p.t + off
        c = Rec(p.ipp, nda or p.nda, p.kind, p.key, t, p.canon, origin=len(self.paper),
                rel="changed" if changed else "equal", fmt=self.fmt, group=group)
        c.ipp_text = self.ipp_text(p.ipp, tags)
        if c.ipp_text == p.ipp:
            c.ipp_text = ""
        c.time = self.time_text2(t, tags)
        c.author = self.author_text(p.author, tags, absent_ok)
        if p.kind == VITAL and p.code == AVPU:
            self.vary_avpu(p, c, changed, tags)
        elif p.kind == VITAL:
            self.vary_vital2(p, c, changed, tags)
        elif p.kind == MED:
            self.vary_med2(p, c, changed, tags)
        else:
            self.vary_note2(p, c, changed, tags)
        self.shape(c, tags)
        if changed:
            tags.add(changed)
        if nda and nda != p.nda:
            tags.add("copy_other_nda")
        tags.add(FORMAT_TAGS[self.fmt])
        self.sih.append(c)
        return c

    def content(self, c: Rec, options: list[str], share: float) -> str:
        """The one content variation of a copy, or "": none when its IPP is already varied."""
        if c.ipp_text or not options or not self.chance(share):
            return ""
        return self.rng.choice(options)

    def shape(self, c: Rec, tags: set[str]) -> None:
        """Format-specific shapes: FHIR period, HL7 time only on the OBR, corrected result."""
        opts: list[str] = []
        if self.fmt in ("fhir", "ndjson") and self.chance(0.15):
            opts.append("period")
            tags.add("fhir_effective_period")
        if self.fmt == "hl7" and c.kind == VITAL and not c.group and self.chance(0.15):
            opts.append("obr_time")
            tags.add("hl7_time_from_obr")
        if self.fmt == "hl7" and self.chance(0.08):
            opts.append("corrected")
            tags.add("hl7_corrected")
        if self.fmt == "hl7" and c.kind == NOTE:
            tags.add("hl7_note_obx")
        if self.fmt in ("fhir", "ndjson") and c.kind == NOTE:
            tags.add("fhir_note_observation")
        c.opts = (*c.opts, *opts)

    def number_text(self, value: float, tags: set[str], *, tenths: bool = False,
                    thousands: bool = False) -> str:
        """A number as the file writes it: plain, with trailing zeros, decimal comma (CSV and
        HL7; FHIR has JSON numbers), or thousands separated by a space when asked."""
        text = f"{value:.1f}" if tenths else format_number(value)
        if self.fmt in ("fhir", "ndjson"):
            return text
        if thousands:
            return f"{int(value):,}".replace(",", " ")
        if self.chance(0.15):
            text = (text + "0") if "." in text else (text + self.rng.choice((".0", ".00")))
            tags.add("value_precision")
        if "." in text and self.chance(0.35):
            text = text.replace(".", ",")
            tags.add("decimal_comma")
        return text

    def vary_vital2(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        spec = VITALS[p.code]
        canon = self.copy_vital(p, c, changed)
        options = (["unit_annotation"] * 3 if p.code in UNIT_WORDS else []) \
            + (["unit_fahrenheit"] * 2 if spec.tenths else []) \
            + (["unit_blank"] if p.code in BLANK_UNIT_OK else [])
        how = self.content(c, options, 0.45)
        if how:
            tags.add(how)
        if how == "unit_fahrenheit":
            fahrenheit = (canon * 18 + 3200) / 100          # exact: two decimals at most
            c.value = self.number_text(fahrenheit, tags)
            c.unit = self.rng.choice(FAHRENHEIT)
            return
        c.value = self.number_text(canon / 10 if spec.tenths else canon, tags,
                                   tenths=spec.tenths)
        if how == "unit_annotation":
            c.unit = self.rng.choice(UNIT_WORDS[p.code])
        elif how == "unit_blank":
            c.unit = ""

    def vary_avpu(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        letter = str(p.canon[0])
        if changed == "differs_value":
            letter = self.rng.choice([x for x in "AVPU" if x != letter])
            c.canon = (letter, "")
        c.code = AVPU
        how = self.content(c, ["avpu_label"] * 4 + (["avpu_lowercase"] if self.fmt == "csv"
                                                     else []), 0.6)
        c.value = {"avpu_label": self.rng.choice(AVPU_LABELS[letter]),
                   "avpu_lowercase": letter.lower()}.get(how, letter)
        if how:
            tags.add(how)
        c.opts = ("avpu", letter)

    def vary_med2(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        drug = DRUGS2[p.key]
        value = float(p.value)
        value, unit, route, status = self.copy_med(
            p, c, changed, [v for v in (value * 2, value / 2) if v != value]
            if p.unit not in COUNTS else [value + 1, value * 2], canon2)
        fhir = self.fmt in ("fhir", "ndjson")
        names = {"inn_salt": list(SALTS.get(drug.key, ())),
                 "combo_order": reversed_combination(drug.inn),
                 "inn_synonym": list(SYNONYMS.get(drug.key, ())),
                 "brand": [b for b in drug.brands if b != p.code]}
        wrong = misspell(self.rng, drug.inn)
        if wrong:
            names["inn_misspelled"] = [wrong, wrong.upper()]
        options = [tag for tag, found in names.items() if found]
        if fhir and unit not in COUNTS:
            options.append("drug_label_strength")
        if unit in COUNTS:
            options += ["count_unit_spelling"] * 2
        if unit in DOSE_SPELLINGS:
            options.append("dose_unit_spelling")
        if unit == "g" or unit == "mg" and value >= 100 and value % 100 == 0:
            options.append("unit_g_mg")
        if fhir and not changed:
            options.append("route_label")
        if self.fmt == "csv" and value >= 1000 and value == int(value):
            options.append("thousands_space")
        how = "" if "brand_on_paper" in tags else self.content(c, options, 0.6)
        if how:
            tags.add(how)
        c.code = drug.inn if "brand_on_paper" in tags else p.code
        if how in names:
            c.code = self.rng.choice(names[how])
        elif how == "drug_label_strength":
            strength = f"{format_number(value)} {unit}".replace(".", ",")
            form = self.rng.choice(FORMS2[p.route])
            c.code = f"{strip_accents(drug.inn).upper()} {strength}, {form}"
            c.opts = ("med_coding",)
        if fhir and not c.opts and self.chance(0.2):
            c.opts = ("med_reference",)
            tags.add("fhir_medication_reference")
        text_value, text_unit = value, unit
        if how == "count_unit_spelling":
            text_unit = self.rng.choice([u for u in COUNT_SPELLINGS[COUNTS[unit]] if u != unit])
        elif how == "dose_unit_spelling":
            text_unit = self.rng.choice(DOSE_SPELLINGS[unit])
        elif how == "unit_g_mg":
            text_value, text_unit = (value * 1000, "mg") if unit == "g" else (value / 1000, "g")
        c.value = self.number_text(text_value, tags, thousands=how == "thousands_space")
        c.unit = text_unit
        c.route = self.rng.choice(ROUTE_LABELS[route]) if how == "route_label" else route
        c.status = status if fhir else self.status_text(status)

    def vary_note2(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        self.vary_note(p, c, changed, tags)
        if self.content(c, ["note_line_breaks"], 0.3):
            c.text = c.text.replace(". ", ".\n")
            tags.add("note_line_breaks")

    def sih_rec(self, like: Rec, t: int, **changes: object) -> Rec:
        """An SIH record of the case that copies no paper item, in the case's file."""
        c = self.unrelated(like, t, str(changes.pop("author", "")), **changes)
        c.fmt = self.fmt
        if self.fmt != "csv":          # one way of writing a patient's IPP per file
            c.ipp_text = self.ipp_text(c.ipp, set())
            c.ipp_text = "" if c.ipp_text == c.ipp else c.ipp_text
        if c.code == AVPU and c.kind == VITAL:
            c.opts = ("avpu", str(c.canon[0]), *c.opts)
        c.time = self.time_text2(t, set())
        return c

    # -- cases --

    def start(self, kind: str) -> None:
        self.fmt = self.delivery(kind)

    def case2_plain(self) -> None:
        kind = self.pick_kind()
        self.start(kind)
        _, p, _ = self.single2(kind, "plain2")
        self.copy2(p)
        self.add(p)

    def case2_differs(self) -> None:
        kind = self.pick_kind((0.35, 0.45, 0.2))
        self.start(kind)
        _, p, _ = self.single2(kind, "differs2")
        changed = self.what_differs(kind, ("dose_unit_slip",) if p.unit in ("mg", "µg", "g", "UI")
                                    else ())
        self.copy2(p, changed)
        self.add(p)

    def case2_missing(self) -> None:
        """Nothing charted; sometimes a neighbouring IPP, zero-padded, holds the same item."""
        kind = self.pick_kind((0.4, 0.4, 0.2))
        self.start(kind)
        patient, p, t = self.single2(kind, "missing2")
        if self.chance(0.4):
            self.neighbours += 1
            ipp = p.ipp[:-1] + str(self.rng.randint(1, 9))
            c = self.sih_rec(p, t + self.rng.randint(-3, 3) * 60, author=p.author)
            c.ipp, c.nda, c.key = ipp, f"6{self.neighbours:08d}", "neighbour"
            c.ipp_text = self.rng.choice(("0" + ipp, "000" + ipp, " " + ipp))
            if self.fmt in ("fhir", "ndjson"):
                c.ipp_text = c.ipp_text.strip()
            if kind == MED:
                c.status = "completed"
            p.tags.add("near_ipp_padded")
        self.add(p)

    def case2_duplicate(self) -> None:
        kind = self.pick_kind((0.45, 0.4, 0.15))
        self.start(kind)
        patient, p, t = self.single2(kind, "duplicate2")
        mode = self.rng.choice(("dup_retransmission", "dup_retransmission", "dup_other_nda",
                                "dup_cross_file"))
        p.tags.add(mode)
        first = self.copy2(p, far=False)
        if mode == "dup_retransmission":
            second = replace(first, t=first.t + self.rng.choice((1, 2)), tags=set(),
                             opts=(*first.opts, "resend"))
            second.time = self.time_in(second.t, self.style)
            self.sih.append(second)
            p.tags.add("seconds")
        elif mode == "dup_other_nda":
            self.copy2(p, far=False, nda=self.other_nda(patient.nda))
        else:
            formats = ["csv", "fhir", "ndjson"] + (["hl7"] if kind != MED else [])
            self.fmt = self.rng.choice([f for f in formats if f != self.fmt])
            self.copy2(p, far=False)
        self.add(p)

    def case2_other_nda(self) -> None:
        """The one copy filed under another stay of the same patient: still in the SIH."""
        kind = self.pick_kind()
        self.start(kind)
        patient, p, _ = self.single2(kind, "other_nda")
        self.copy2(p, nda=self.other_nda(patient.nda))
        self.add(p)

    def case2_refused_given(self) -> None:
        """The SIH holds the dose twice: once refused, once given; one of them is the paper's."""
        self.start(MED)
        patient, p, t = self.single2(MED, "refused_and_given")
        if self.chance(0.4):
            p.status = "not-done"
            p.canon = (*p.canon[:3], "not-done")
            p.tags.add("refused_dose")
        self.copy2(p, far=False)
        self.copy2(p, "differs_status", far=False, tags=set())
        self.add(p)

    def case2_lookalike(self) -> None:
        """A look-alike drug (hydroxyzine / hydralazine...) given at the same time."""
        key, other_key = self.rng.choice(LOOKALIKE_PAIRS)
        drug, other = DRUGS2[key], DRUGS2[other_key]
        self.start(MED)
        patient = self.rng.choice(self.patients)
        t = self.paper_time()
        self.reserve([(patient, (MED, key)), (patient, (MED, other_key))], t, t, MED)
        p = self.paper_med2(patient, drug, t, "lookalike2", dose=self.rng.choice(drug.doses))
        p.tags.add(f"lookalike_{key}")
        value, unit = (float(p.value), p.unit) if self.chance(0.5) else \
            self.rng.choice(other.doses)
        at = t + self.rng.randint(-10, 10) * 60
        name = self.rng.choice([other.inn, *inn_spellings(other.inn), *other.brands,
                                *SALTS.get(other.key, ())])
        sim = self.sih_rec(p, at, author=self.author_text(p.author, set()), code=name,
                           value=format_number(value), unit=unit, status="completed",
                           canon=(*canon2(value, unit), p.route, "completed"))
        sim.key = other.key
        if self.chance(0.5):
            self.copy2(p, far=False)
        self.add(p)

    def case2_busy(self) -> None:
        """A very busy patient: one code charted by hand every 2 to 5 min for up to 2 h,
        copies typed at the written time; some missing, changed or sent twice."""
        self.start(VITAL)
        self.plain_ipp = True
        patient = self.rng.choice([p for p in self.patients
                                   if self.file_ipp.get((self.fmt, p.ipp), p.ipp) == p.ipp])
        code = self.rng.choice(("8867-4", "8480-6", "8462-4", "2708-6", "9279-1"))
        spec = VITALS[code]
        interval = self.rng.choice((120, 150, 180, 300))
        n = min(self.rng.randint(24, 50), 7200 // interval + 1)
        span = (n - 1) * interval
        t0 = self.paper_time(span)
        self.reserve([(patient, (VITAL, code))], t0, t0 + span, VITAL)
        values, v = [], self.rng.randint(spec.low + 5, spec.high - 5)
        for _ in range(n):
            v = max(spec.low, min(spec.high, v + self.rng.randint(-2, 2)))
            values.append(v)
        author = " ".join(self.nurse())
        monitor = self.fmt == "csv" and self.chance(0.3)
        for i, value in enumerate(values):
            t = t0 + i * interval
            p = self.paper_vital(patient, code, t, "busy_patient", value)
            p.author = author
            if monitor:
                p.tags.add("busy_with_monitor")
            r = self.rng.random()
            near = {values[j] for j in range(n) if abs(j - i) * interval <= TOLERANCE[VITAL]}
            if r < 0.06:
                p.tags.add("busy_missing")
            elif r < 0.12:
                scratch: set[str] = set()
                c = self.copy2(p, at=t, absent_ok=False, tags=scratch)
                for _ in range(20):                 # a typo that is no nearby paper value
                    changed = vital_typo(self.rng, code, value)
                    if changed not in near:
                        break
                c.canon, c.rel = (changed, spec.unit), "changed"
                c.value = vital_text(code, changed)
                c.unit = spec.unit
                p.tags |= scratch - VALUE_TAGS
                p.tags.add("differs_value")
            else:
                c = self.copy2(p, at=t, absent_ok=False)
                if r > 0.96:
                    again = replace(c, t=c.t + self.rng.choice((1, 2)), tags=set(),
                                    opts=(*c.opts, "resend"))
                    again.time = self.time_in(again.t, self.style)
                    self.sih.append(again)
                    p.tags.add("dup_retransmission")
            self.add(p)
        if monitor:
            for t in range(t0 - 300, t0 + span + 301, 60):
                i = min(n - 1, max(0, round((t - t0) / interval)))
                value = values[i] + self.rng.choice((0, 0, -1, 1))
                self.unrelated(self.paper[-1], t, self.rng.choice(DEVICE_AUTHORS), device=True,
                               value=vital_text(code, value), canon=(value, spec.unit))

    def case2_bp_panel(self) -> None:
        """Systolic and diastolic written on one row: one FHIR panel, one OBR, two CSV rows."""
        patient = self.rng.choice(self.patients)
        t = self.paper_time()
        self.reserve([(patient, (VITAL, "8480-6")), (patient, (VITAL, "8462-4"))], t, t, VITAL)
        self.start(VITAL)
        self.plain_ipp = True           # both copies are written once: one IPP for both
        systolic = self.rng.randint(100, 170)
        diastolic = self.rng.randint(50, min(100, systolic - 30))
        author = " ".join(self.nurse())
        mode = self.rng.choice(("both", "both", "one_changed", "systolic_only"))
        self.groups += 1
        group = f"bp{self.groups}"
        shift = self.offset(VITAL, offset_tags := set(), far=False)
        copies: list[Rec] = []
        items: list[Rec] = []
        for code, value in (("8480-6", systolic), ("8462-4", diastolic)):
            p = self.paper_vital(patient, code, t, "bp_panel", value)
            p.author = author
            p.tags |= offset_tags
            items.append(p)
            if mode == "systolic_only" and code == "8462-4":
                self.add(p)
                continue
            changed = "differs_value" if mode == "one_changed" and (
                code == "8480-6") == (self.groups % 2 == 0) else ""
            copies.append(self.copy2(p, changed, at=t + shift, absent_ok=False, group=group))
            self.add(p)
        if len(copies) == 2:            # one resource, one OBR: written once, for both
            first, second = copies
            second.time, second.author, second.ipp_text = first.time, first.author, \
                first.ipp_text
            second.opts = first.opts
            items[1].tags -= STYLE_TAGS
            items[1].tags |= items[0].tags & STYLE_TAGS

    def case2_dst(self) -> None:
        """At the very change of time: a copy across the change, or the same wall-clock time
        twice (02:30 summer time and 02:30 winter time are an hour apart)."""
        patient = self.rng.choice(self.patients)
        kind = VITAL if self.chance(0.6) else MED
        self.start(kind)
        mode = self.rng.choice(("edge", "edge", "twice"))
        if kind == VITAL:
            code = self.rng.choice(VITAL_CODES)
            lane = (VITAL, code)
        else:
            drug = self.rng.choice(PAPER_DRUGS2)
            lane = (MED, drug.key)
        if mode == "edge":
            t = DST_END + self.rng.randint(-3, 3) * 60
            self.reserve([(patient, lane)], t, t, kind)
            times = [t]
        else:
            t = DST_END - 3600 + self.rng.randint(5, 55) * 60
            self.reserve([(patient, lane)], t, t + 3600, kind)
            times = [t, t + 3600]
        canon_value = (self.rng.randint(VITALS[code].low, VITALS[code].high) if kind == VITAL
                       else None)
        dose = self.rng.choice(drug.doses) if kind == MED else None
        for t in times:
            if kind == VITAL:
                p = self.paper_vital(patient, code, t, "dst_change", canon_value)
            else:
                p = self.paper_med2(patient, drug, t, "dst_change", dose=dose)
            p.tags.add("dst_exact_change" if mode == "edge" else "dst_same_wall_time")
            if self.chance(0.85):
                shift = self.rng.choice((-1, 1)) * self.rng.randint(60, 180) \
                    if mode == "edge" else self.rng.choice((0, 0, 60, -60))
                self.copy2(p, at=t + shift, absent_ok=False)
                if shift:
                    p.tags.add("time_offset")
            self.add(p)

    def case2_fhir_device(self) -> None:
        """A monitor's Observation (``device`` set, no performer) holds the paper's value."""
        patient = self.rng.choice(self.patients)
        code = self.rng.choice(VITAL_CODES)
        t = self.paper_time(3600)
        self.reserve([(patient, (VITAL, code))], t - 1800, t + 1800, VITAL)
        self.fmt = self.rng.choice(("fhir", "ndjson"))
        p = self.paper_vital(patient, code, t, "fhir_device")
        p.tags.add("fhir_device_reading")
        at = t + self.rng.choice((0, 0, 60, -60, 120))
        reading = self.sih_rec(p, at, device=True, opts=("device",))
        reading.author = self.rng.choice(DEVICE_AUTHORS)
        if self.chance(0.6):
            self.copy2(p, far=False, absent_ok=False)
        else:
            p.tags.add("device_only")
        self.add(p)

    def case2_ambiguous(self) -> None:
        """Round-2 data the definitions cannot decide, made on purpose: every item excluded."""
        patient = self.rng.choice(self.patients)
        mode = self.rng.choice(("note_split", "note_merged", "count_vs_mass",
                                "rounded_fahrenheit"))
        t = self.paper_time(3600)
        if mode in ("note_split", "note_merged"):
            self.start(NOTE)
            gap = self.rng.randint(10, 25) * 60 if mode == "note_merged" else 0
            self.reserve([(patient, (NOTE, ""))], t, t + gap, NOTE)
            first, topics = self.paper_note(patient, t, "ambiguous2")
            first.tags.add(mode)
            first.excluded = "note_split_merged"
            sentences = first.text.split(". ")
            if mode == "note_split":
                cut = self.rng.randint(1, len(sentences) - 1)
                for i, part in enumerate((". ".join(sentences[:cut]) + ".",
                                          ". ".join(sentences[cut:]))):
                    self.sih_rec(first, t + i * 60, author=first.author, text=part,
                                 key=first.key, rel="changed", origin=len(self.paper))
                self.add(first)
                return
            second, _ = self.paper_note(patient, t + gap, "ambiguous2", avoid=topics)
            second.tags.add(mode)
            second.excluded = "note_split_merged"
            self.sih_rec(first, t + self.rng.choice((0, gap)), author=first.author,
                         text=first.text + " " + second.text, key=first.key, rel="changed",
                         origin=len(self.paper))
            self.add(first)
            self.add(second)
            return
        if mode == "count_vs_mass":
            self.start(MED)
            drug = FORMULARY["paracetamol"]
            self.reserve([(patient, (MED, drug.key))], t, t, MED)
            on_paper, in_sih = self.rng.choice((((1, "cp"), (1000, "mg")),
                                                ((1, "g"), (2, "cp"))))
            p = self.paper_med2(patient, drug, t, "ambiguous2", dose=on_paper, route="PO")
            p.tags.add(mode)
            p.excluded = "count_vs_mass"
            self.sih_rec(p, t, author=p.author, value=format_number(in_sih[0]),
                         unit=in_sih[1], status="completed", code=drug.inn,
                         canon=(*canon2(*in_sih), "PO", "completed"),
                         rel="changed", origin=len(self.paper))
            self.add(p)
            return
        self.start(VITAL)
        self.reserve([(patient, (VITAL, "8310-5"))], t, t, VITAL)
        canon = self.rng.choice([c for c in range(362, 396) if (c * 18) % 10])
        p = self.paper_vital(patient, "8310-5", t, "ambiguous2", canon)
        p.tags.add(mode)
        p.excluded = "rounded_conversion"
        fahrenheit = round((canon * 18 + 3200) / 100, 1)
        self.sih_rec(p, t, author=p.author, value=f"{fahrenheit:.1f}", unit="[degF]",
                     rel="changed", origin=len(self.paper))
        self.add(p)

    def build_case(self, name: str) -> bool:
        """As round 1's, and a case that fails also leaves the lane groups as they were; the
        delivery format and the IPP writing are reset before and after each case."""
        groups, neighbours = self.groups, self.neighbours
        self.fmt, self.plain_ipp = "csv", False
        built = super().build_case(name)
        if not built:
            self.groups, self.neighbours = groups, neighbours
        self.fmt, self.plain_ipp = "csv", False
        return built

    # -- the FHIR and HL7 files --

    def padding_recs(self, fmt: str, ipps: Iterable[tuple[str, str]]) -> list[Rec]:
        """The same patients' other records in that file; they meet no paper item."""
        rng, recs = self.rng, []
        for ipp, text in ipps:
            nda = next((p.nda for p in self.patients if p.ipp == ipp), "")
            for _ in range(rng.randint(2, 5)):
                r = rng.random()
                if r < 0.45 or fmt == "hl7" and r < 0.8:
                    code, unit, low, high, tenths = rng.choice(PADDING_VITALS)
                    value = rng.randint(low, high)
                    t = rng.randrange(WINDOW_START, WINDOW_END)
                    rec = Rec(ipp, nda, VITAL, "pad", t, (), code=code, unit=unit,
                              value=f"{value / 10:.1f}" if tenths else str(value))
                elif r < 0.8:
                    name, value, unit, route = rng.choice(PADDING_DRUGS)
                    t = rng.randrange(WINDOW_START, WINDOW_END)
                    rec = Rec(ipp, nda, MED, "pad", t, (), code=name, unit=unit, route=route,
                              value=format_number(value), status="completed")
                else:
                    t = rng.randrange(WINDOW_START - 3 * 86400, WINDOW_START - SAFE_GAP)
                    topic = rng.choice(NOTE_TOPICS)
                    rec = Rec(ipp, nda, NOTE, "pad", t, (), text=fill(rng, rng.choice(topic)))
                t -= t % 60
                rec.t, rec.fmt, rec.ipp_text = t, fmt, text
                rec.author = " ".join(rng.choice(NURSES))
                self.fmt = fmt
                rec.time = self.time_in(t, "local")
                recs.append(rec)
        self.fmt = "csv"
        return recs

    def write_extra(self, folder: Path) -> tuple[Path, ...]:
        paths = []
        names = {"fhir": "sih-fhir-bundle.json", "ndjson": "sih-fhir.ndjson",
                 "hl7": "sih-oru.hl7"}
        for fmt, name in names.items():
            recs = [s for s in self.sih if s.fmt == fmt]
            ipps = sorted({(s.ipp, s.ipp_text or s.ipp) for s in recs
                           if s.key != "neighbour"})
            padding = self.padding_recs(fmt, ipps)
            self.extra_padding += len(padding)
            recs = recs + padding
            if not recs:
                continue
            self.rng.shuffle(recs)
            path = folder / name
            writer = HL7Writer(self) if fmt == "hl7" else FhirWriter(self, fmt)
            _write(path, writer.text(recs))
            paths.append(path)
        return tuple(paths)


class FhirWriter:
    """The SIH's FHIR R4 export: a searchset Bundle, or NDJSON, one resource per record."""

    def __init__(self, gen: Round2Generator, fmt: str) -> None:
        self.gen, self.fmt = gen, fmt
        self.prefix = "b" if fmt == "fhir" else "n"     # ids unique across the two files
        self.patients: dict[str, dict[str, object]] = {}
        self.encounters: dict[tuple[str, str], dict[str, object]] = {}
        self.count = 0

    def ref(self, resource: dict[str, object]) -> dict[str, str]:
        return {"reference": f"{resource['resourceType']}/{resource['id']}"}

    def patient(self, rec: Rec) -> dict[str, object]:
        ipp = rec.ipp_text or rec.ipp
        if ipp not in self.patients:
            self.patients[ipp] = {
                "resourceType": "Patient",
                "id": f"pat-{self.prefix}{len(self.patients) + 1}",
                "identifier": [{"use": "usual", "type": {"coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}]},
                    "system": f"urn:oid:{IPP_OID}", "value": ipp}]}
        return self.patients[ipp]

    def encounter(self, rec: Rec, patient: dict[str, object]) -> dict[str, object] | None:
        if not rec.nda:
            return None
        key = (str(patient["id"]), rec.nda)
        if key not in self.encounters:
            self.encounters[key] = {
                "resourceType": "Encounter", "id": f"enc-{rec.nda}", "status": "in-progress",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": "IMP"},
                "identifier": [{"type": {"coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "VN"}]},
                    "system": f"urn:oid:{NDA_OID}", "value": rec.nda}],
                "subject": self.ref(patient)}
        return self.encounters[key]

    def when(self, rec: Rec, resource: dict[str, object], name: str = "effective") -> None:
        if "period" in rec.opts:
            resource[f"{name}Period"] = {"start": rec.time}
        else:
            resource[f"{name}DateTime"] = rec.time

    def quantity(self, value: str, unit: str, *, dose: bool = False) -> dict[str, object]:
        number = float(value.replace(",", ".").replace(" ", ""))
        quantity: dict[str, object] = {"value": int(number) if number == int(number) and
                                       "." not in value else number}
        if unit in UCUM_CODES:
            quantity.update(unit=HUMAN_UNIT.get(unit, unit) if not dose else unit,
                            system=UCUM, code=unit)
        elif unit == "µg" or unit == "UI":
            quantity.update(unit=unit, system=UCUM, code={"µg": "ug", "UI": "[iU]"}[unit])
        elif unit:
            quantity["unit"] = unit
        return quantity

    def resources(self, rec: Rec, panel: list[Rec] | None) -> dict[str, object]:
        self.count += 1
        patient = self.patient(rec)
        encounter = self.encounter(rec, patient)
        if rec.kind == MED:
            return self.administration(rec, patient, encounter)
        resource: dict[str, object] = {"resourceType": "Observation",
                                       "id": f"obs-{self.prefix}{self.count}",
                                       "status": "final", "subject": self.ref(patient)}
        if encounter:
            resource["encounter"] = self.ref(encounter)
        if rec.kind == NOTE:
            resource["code"] = {"coding": [{"system": LOINC, "code": NOTE_CODE,
                                            "display": "Nurse Note"}],
                                "text": "Transmission infirmière"}
            self.when(rec, resource)
            resource["valueString"] = rec.text
        else:
            resource["category"] = [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs"}]}]
            code = BP_PANEL if panel else rec.code
            resource["code"] = {"coding": [{"system": LOINC, "code": code}],
                                "text": VITAL_LABELS.get(code, "Pression artérielle")}
            self.when(rec, resource)
            if panel:
                resource["component"] = [
                    {"code": {"coding": [{"system": LOINC, "code": part.code}]},
                     "valueQuantity": self.quantity(part.value, part.unit)} for part in panel]
            elif "avpu" in rec.opts:
                letter = rec.opts[rec.opts.index("avpu") + 1]
                coding = {"system": f"urn:oid:{AVPU_OID}", "code": letter}
                concept: dict[str, object] = {"coding": [coding]}
                if rec.value != letter:
                    coding["display"] = rec.value
                resource["valueCodeableConcept"] = concept
            else:
                resource["valueQuantity"] = self.quantity(rec.value, rec.unit)
        if "device" in rec.opts:
            resource["device"] = {"display": rec.author}
        elif rec.author:
            resource["performer"] = [{"display": rec.author}]
        resource["issued"] = "2025-10-27T10:15:00+01:00"
        return resource

    def administration(self, rec: Rec, patient: dict[str, object],
                       encounter: dict[str, object] | None) -> dict[str, object]:
        resource: dict[str, object] = {
            "resourceType": "MedicationAdministration", "id": f"adm-{self.prefix}{self.count}",
            "status": rec.status or "completed", "subject": self.ref(patient)}
        if "med_coding" in rec.opts:
            resource["medicationCodeableConcept"] = {"coding": [{
                "system": "urn:oid:1.2.250.1.213.2.3.1", "code": f"9{self.count:06d}",
                "display": rec.code}]}
        elif "med_reference" in rec.opts:
            resource["contained"] = [{"resourceType": "Medication", "id": "med",
                                      "code": {"text": rec.code}}]
            resource["medicationReference"] = {"reference": "#med"}
        else:
            resource["medicationCodeableConcept"] = {"text": rec.code}
        if encounter:
            resource["context"] = self.ref(encounter)
        self.when(rec, resource)
        if rec.author:
            resource["performer"] = [{"actor": {"display": rec.author}}]
        if rec.status == "not-done":
            resource["statusReason"] = [{"text": "refus du patient"}]
        dosage: dict[str, object] = {"dose": self.quantity(rec.value, rec.unit, dose=True)}
        if rec.route:
            if rec.route in ("PO", "IV", "SC", "INH"):
                dosage["route"] = {"text": rec.route}
            else:
                dosage["route"] = {"coding": [{"system": "urn:oid:0.4.0.127.0.16.1.1.2.1",
                                               "display": rec.route}]}
        resource["dosage"] = dosage
        return resource

    def text(self, recs: list[Rec]) -> str:
        panels: dict[str, list[Rec]] = {}
        for rec in recs:
            if rec.group:
                panels.setdefault(rec.group, []).append(rec)
        entries: list[dict[str, object]] = []
        done: set[str] = set()
        for rec in recs:
            if rec.group in done:
                continue
            panel = panels.get(rec.group) if rec.group else None
            resource = self.resources(rec, panel)
            label = f"fhir:{resource['resourceType']}/{resource['id']}"
            if panel:
                done.add(rec.group)
                for part in panel:
                    part.rid = f"{label}:{part.code}"
            else:
                rec.rid = label
            entries.append(resource)
        every = [*self.patients.values(), *self.encounters.values(), *entries]
        if self.fmt == "ndjson":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in every)
        bundle = {"resourceType": "Bundle", "id": str(uuid.UUID(int=self.gen.rng.getrandbits(128))),
                  "type": "searchset", "timestamp": "2025-10-27T10:30:00+01:00",
                  "total": len(every),
                  "entry": [{"fullUrl": f"https://dpi.chu.example/fhir/{r['resourceType']}/"
                                        f"{r['id']}", "resource": r,
                             "search": {"mode": "match"}} for r in every]}
        return json.dumps(bundle, ensure_ascii=False, indent=1)


def hl7_escape(text: str) -> str:
    return (text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
            .replace("&", "\\T\\").replace("~", "\\R\\").replace("\n", "\\.br\\"))


class HL7Writer:
    """The SIH's HL7 v2.5 feed: ORU^R01 messages, one patient and stay each."""

    def __init__(self, gen: Round2Generator) -> None:
        self.gen = gen
        self.messages = 0

    def obx(self, number: int, rec: Rec) -> str:
        when = "" if "obr_time" in rec.opts else rec.time
        status = "C" if "corrected" in rec.opts else "F"
        if rec.kind == NOTE:
            value_type, code, value, unit = "TX", f"{NOTE_CODE}^Transmission infirmière^LN", \
                hl7_escape(rec.text), ""
        elif "avpu" in rec.opts:
            letter = rec.opts[rec.opts.index("avpu") + 1]
            value_type, code = "CWE", f"{AVPU}^{VITAL_LABELS[AVPU]}^LN"
            value = letter if rec.value == letter else f"{letter}^{hl7_escape(rec.value)}^L"
            unit = ""
        else:
            value_type = "NM"
            code = f"{rec.code}^{VITAL_LABELS.get(rec.code, rec.code)}^LN"
            value = rec.value
            unit = f"{rec.unit}^{HUMAN_UNIT.get(rec.unit, rec.unit)}^UCUM" \
                if rec.unit in UCUM_CODES else rec.unit
        author = f"^{hl7_escape(rec.author)}" if rec.author else ""
        return "|".join(("OBX", str(number), value_type, code, "", value, unit, "", "", "",
                         "", status, "", "", when, "", author))

    def message(self, recs: list[Rec]) -> str:
        self.messages += 1
        control = f"M{self.messages:07d}"
        head = recs[0]
        ipp = head.ipp_text or head.ipp
        segments = [
            f"MSH|^~\\&|DPI|CHU|REENTRY|CHU|20251027101500+0100||ORU^R01^ORU_R01|{control}|P|"
            "2.5|||||FRA|UNICODE UTF-8",
            f"PID|1||{ipp}^^^CHU&{IPP_OID}&ISO^PI"]
        if head.nda:
            fields = ["PV1", "1", "I", "MED1^101^1"] + [""] * 15 + [
                f"{head.nda}^^^CHU&{NDA_OID}&ISO^AN"]
            segments.append("|".join(fields))
        number, obr = 0, 0
        index = 0
        while index < len(recs):
            rec = recs[index]
            parts = [rec]
            if rec.group:
                parts = [r for r in recs if r.group == rec.group]
            obr += 1
            panel = "85353-1^Paramètres vitaux^LN" if rec.kind == VITAL else \
                f"{NOTE_CODE}^Transmission infirmière^LN"
            segments.append(f"OBR|{obr}|||{panel}|||{rec.time}")
            for part in parts:
                number += 1
                part.rid = f"hl7:DPI:{control}:OBX{number}"
                segments.append(self.obx(number, part))
            index += len(parts) if rec.group else 1
        return "\r".join(segments) + "\r"

    def text(self, recs: list[Rec]) -> str:
        """Records grouped by patient, stay and panel into messages of up to 6 OBR."""
        batches: dict[tuple[str, str], list[list[Rec]]] = {}
        units: list[list[Rec]] = []
        seen: set[str] = set()
        for rec in recs:
            if rec.group:
                if rec.group in seen:
                    continue
                seen.add(rec.group)
                units.append([r for r in recs if r.group == rec.group])
            else:
                units.append([rec])
        messages: list[list[Rec]] = []
        for unit in units:
            head = unit[0]
            key = (head.ipp_text or head.ipp, head.nda)
            open_batches = batches.setdefault(key, [])
            if "resend" in head.opts or not open_batches or len(open_batches[-1]) >= 6:
                open_batches.append([])
                messages.append(open_batches[-1])
            open_batches[-1].extend(unit)
        return "".join(self.message(m) for m in messages)
