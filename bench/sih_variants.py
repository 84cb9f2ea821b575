"""Labelled, adversarial paper and SIH item files for the item reconciliation.

Written from the verdict definitions of the issue, without reading the matcher, so that the
data is not shaped by the code it scores. Every paper item carries the verdict the definitions
give (``in_sih``, ``differs``, ``missing``, ``duplicate``) and tags naming how its SIH copies
were varied; ``bench_reconcile_variants.py`` scores a run against them.

**What varies.** Paper items are vital signs (seven LOINC codes), medication administrations
(an INN formulary) and nursing notes, on patients of one ward across an outage that spans the
end of summer time (Europe/Paris, 26 October 2025). An SIH copy of a paper item may differ from
it the way real records do, each way a tag:

- ``author_spelling`` ("MD", "IDE MD", "DUPONT Marie", "Dupont M.", a login...) or
  ``author_absent``; ``time_offset`` (a few minutes either way) and ``time_offset_far`` (over
  5 minutes, within the kind's tolerance); ``utc_z`` (UTC with ``Z``), ``naive_local`` (no
  offset: hospital time), ``fr_datetime`` (``26/10/2025 14:05``), ``dst_ambiguous_hour`` (the
  item falls in the hour that happens twice); ``seconds`` (a time with seconds);
- ``decimal_comma``, ``value_format`` (``80.0`` for 80), ``unit_celsius`` (``°C`` for
  ``Cel``), ``unit_g_mg`` (1 g as 1000 mg, 500 mg as 0.5 g), ``unit_ug_mg`` (75 µg as
  0.075 mg);
- ``brand`` (Doliprane for paracétamol...), ``brand_on_paper`` (the paper wrote the brand),
  ``inn_spelling`` (case, accents, ``+`` or ``/`` between the parts of a combination);
- ``note_typo`` (one or two letters), ``note_no_accents``, ``note_case_punct``;
- extras, not named in the issue (``--no-extras`` leaves them out): ``route_spelling`` ("per
  os" for PO), ``unit_spelling`` (mmHg, bpm, mcg, [iU]), ``brand_with_strength``
  ("DOLIPRANE 1000 mg cp").

Cases (the ``case`` column; the case name is a tag too): ``plain`` (one copy), ``differs``
(``differs_value``, ``differs_dose``, ``dose_unit_slip``, ``differs_route``, ``differs_status``,
``differs_text``: a sentence dropped, added or replaced), ``missing`` of each kind,
``duplicate`` (``interface_copy``, ``typed_twice``, ``triple_copy``, ``dup_far``,
``dup_both_far``, ``dup_authorless``, ``dup_in_series``), and the hard negatives:
``device_confounder`` (monitor readings with the paper's value near its time: device authors,
or an author-less series every 15 min; with a charted copy, a changed one
(``device_changed_copy``: differs), or none (``device_only``: missing)),
``repeated_dose`` (q4h/q6h/q8h doses, each on paper and once in the SIH; sometimes one missing
or one entered twice),
``repeated_vital`` (the same value 42+ min apart), ``other_value_nearby`` (another charted
reading of the same code, another value, near the paper time), ``near_dup_patient`` (another
patient, a neighbouring IPP or another paper patient, with the identical item at the same
time), ``similar_drug`` (another INN easily mistaken for it: oméprazole / ésoméprazole,
Doliprane / Codoliprane...), ``outside_tolerance`` (the paper's value, charted, just outside
the tolerance), ``other_note_nearby`` (another note of the patient within the hour),
``refused_dose`` (paper ``not-done``: SIH ``not-done`` is in_sih, nothing is missing, given is
differs).

**Labels come from the data**, not from the case: a paper item with two or more SIH copies
equal to it is ``duplicate``, one equal copy ``in_sih``, one changed copy ``differs``, nothing
``missing``. Tolerances: vital signs 30 min, administrations 60 min, notes 60 min.

**Lanes.** Each case reserves its patient's (kind, code or INN) time span, widened by the
tolerance and a margin, so that cases do not meet by accident; similar drugs and neighbour
patients reserve their own lanes too. Padding (the same patients' other activity and other
patients' items) never meets a paper item: the same patients' padding uses codes and drugs that
are never on paper, or paper codes at least 3 hours outside the outage, and notes of its own.

**Exclusions** (a case the data cannot decide is removed, not scored; ``excluded`` in the truth
file names the rule). Copies below are charted SIH items (not device readings) of the same
patient, kind and code/INN (notes: the same note) as the paper item:

1. ``tolerance_boundary``: an SIH item lies within 2 min of the tolerance edge of a paper item.
2. ``copy_ambiguous``: a copy of paper item P also lies within tolerance of paper item Q and
   either equals Q but not P, or relates to both alike (equal to both or changed from both) and
   is not at least 5 min nearer to P (e.g. two identical paper items 5 min apart with three
   identical copies, or a changed copy closer to another paper item); both are removed.
3. ``unrelated_equal``: an SIH item that copies no paper item equals P within its tolerance
   (P would be a duplicate of something it does not own).
4. ``unrelated_changed``: an SIH item that copies no paper item and differs from P lies within
   P's tolerance while P has no equal copy (it could be P's changed copy).
5. ``authorless_series``: an author-less charted item lies within 20 min of an author-less
   monitor series of the same patient and code (device or charting cannot be told).
6. ``authorless_regular``: three author-less charted items of one patient and code tick at
   the same interval (a series by its rhythm).

The ``ambiguous`` case makes such data on purpose (one of the four examples above, on a vital
sign), so that the rules are seen to work: every item of it must end up excluded.

Everything is synthetic. Files are ``paper.csv`` (``,``, ISO times with offset), ``sih.csv``
(``;``, UTF-8 BOM, SIH order shuffled, ids in file order) and ``truth.csv``.

**Rounds.** ``generate(..., rounds=)``: ``"1"`` is everything above, byte for byte as before;
``"2"`` the second round alone; ``"all"`` both, drawn on the same patients (the scorer's
default). Round 2 is built in ``sih_variants_round2`` and adds what real SIH exports and real
re-entry produce:

*Files.* Each round-2 case delivers its SIH records in one file, drawn per case: the item CSV
(``sih_csv``), a FHIR R4 searchset Bundle (``sih_fhir_bundle``: Patient, Encounter,
Observation, MedicationAdministration), FHIR NDJSON (``sih_fhir_ndjson``), or HL7 v2.5
ORU^R01 (``sih_hl7_oru``; vital signs and notes only: ``reentry import`` refuses RAS^O17, so an
SIH sending administrations in HL7 cannot be read at all). The files are disjoint parts of one
SIH: a record is in exactly one. Ids are those the readers give (``fhir:Observation/obs-b12``,
a blood-pressure panel's ``fhir:Observation/obs-b7:8480-6``, ``hl7:DPI:M0000003:OBX2``). The
file shapes are tags too: ``fhir_effective_period`` (``effectivePeriod.start``),
``fhir_medication_reference`` (a contained Medication), ``hl7_time_from_obr`` (OBX-14 empty,
OBR-7 holds the time), ``hl7_corrected`` (OBX-11 ``C``), ``hl7_minutes_only``,
``fhir_note_observation`` and ``hl7_note_obx`` (a nursing note as an Observation / OBX coded
LOINC 34746-8 Nurse Note, ``valueString`` / ``TX``, the way Reentry's own export sends notes),
``bp_panel`` (systolic and diastolic written on one paper row: one FHIR panel 85354-9 with two
components, one OBR with two OBX, or two CSV rows). The FHIR and HL7 files carry the author
(``performer``, OBX-16) as a real export does, even where the readers do not keep it.

*How it is written* (free on every copy): ``fixed_offset`` (a system that writes every time at
+01:00 or +02:00 whatever the season: the same instant), ``time_fraction`` (``.000``),
``utc_z``, ``naive_local`` (never in the hour that happens twice), ``value_precision``
(``37.50``, ``120.00``), ``decimal_comma``, the author spellings of round 1.

*What it holds, written another way* (at most one per copy, so that its recall shows it):
``ipp_leading_zeros`` (``0810000010``, ``000810000010``) and ``ipp_spaces`` (``" 810000010"``;
one way per patient in a FHIR or HL7 file, per row in the CSV); ``unit_annotation``
(``{beats}/min``, ``bpm``, ``batt/min``, ``/mn``, ``min-1``, ``{breaths}/min``, ``c/min``,
``mmHg``, ``mm Hg``, ``°c``, ``degC``, ``/10`` for the 0-10 pain score), ``unit_blank`` (no unit
on SpO2, heart or breathing rate, pain score), ``unit_fahrenheit`` (the exact value in °F:
37.3 °C is 99.14 ``[degF]``/``°F``/``degF``), ``avpu_label`` / ``avpu_lowercase`` (AVPU
80288-4, a new paper code: ``A`` charted as ``alerte``, ``Alert``, ``A - alerte``, ``a``);
``inn_salt`` (``chlorhydrate de tramadol``, ``MORPHINE (SULFATE DE)``, ``ésoméprazole
magnésien``), ``inn_misspelled`` (one or two letters slipped, never the first two, and at least
three edits farther from every other known drug name than from its own), ``combo_order``
(``acide clavulanique + amoxicilline``, ``TAZOBACTAM/PIPERACILLINE``), ``inn_synonym``
(``aspirine``, ``acétaminophène``, ``cotrimoxazole``, ``co-amoxiclav``), ``brand``,
``drug_label_strength`` (FHIR coding display ``PARACETAMOL 1 g, cp``), ``count_unit_spelling``
(doses counted on the MAR: ``2 bouffées`` as ``2 puff``, ``1 cp`` as ``1 comprimé``; tag
``count_unit`` on the paper item), ``dose_unit_spelling`` (``mcg``, ``ug``, ``microgrammes``;
``U``, ``IU``, ``[iU]``, ``unités`` for UI), ``unit_g_mg``, ``thousands_space`` (``1 000``,
``4 000``), ``route_label`` (``Voie orale``), ``note_line_breaks``.

*Cases* (the case name is a tag): ``plain2``, ``differs2``, ``missing2`` (sometimes with
``near_ipp_padded``: a neighbouring IPP, zero-padded, holds the identical item: still missing),
``duplicate2`` (``dup_retransmission``: the same record sent again 1-2 s later;
``dup_other_nda``: the second copy filed under another stay of the same patient;
``dup_cross_file``: one copy in one file, the other in another), ``other_nda`` (the one copy
under another stay: ``copy_other_nda``; still in_sih: the definitions name patient, kind and
code, not the stay), ``refused_and_given`` (the SIH holds the dose both refused and given; the
one matching the paper's status is its copy, the other a changed copy: in_sih), ``lookalike2``
(``lookalike_<drug>``: hydroxyzine/hydralazine, prednisone/prednisolone, clonazépam/clobazam,
clonidine/clonazépam, morphine/hydromorphone both ways, tramadol/trazodone,
carbamazépine/oxcarbazépine, ropinirole/rispéridone, Zyprexa/Zyrtec, valaciclovir/
valganciclovir, hydrocortisone/hydrochlorothiazide; the other drug given within 10 min, half
the time with the paper's very dose; never a copy), ``busy_patient`` (one code charted by hand
every 2, 2.5, 3 or 5 min, 24 to 50 items in at most 2 h, values in a slow random walk so that
they repeat; copies typed at the written time; 6 % missing (``busy_missing``), 6 % changed to
no nearby paper value, 4 % sent twice; sometimes among a monitor's readings every minute
(``busy_with_monitor``); IPPs written as they are), ``bp_panel``, ``dst_change``
(``dst_exact_change``: within 3 min of 03:00 summer time = 02:00 winter time, the copy 1-3 min
away across the change; ``dst_same_wall_time``: the same code and value at 02:xx summer time
and 02:xx winter time, an hour apart, each with its copy), ``fhir_device``
(``fhir_device_reading``: a FHIR Observation with ``device`` and no performer holds the
paper's value within 2 min: a device reading, never a copy; with a charted copy, or none:
``device_only``, missing).

*Labels* follow the round-1 rule (equal copies, changed copies, nothing). A copy written at
its paper item's exact time (within ``EXACT`` = 2 s, as typed from paper) needs to be only
``NEARER_BY_EXACT`` = 90 s nearer its own item than another under rule 2 (a busy patient's
copies 2 min apart are decided), and rule 1 ignores a copy of another paper item that rule 2
decides for that item. Neither changes round 1 (its files are the same).

*Exclusion rules of round 2* (generated on purpose in the ``ambiguous2`` case, and checked):

7. ``note_split_merged``: the SIH holds the paper note split into two notes, or two paper notes
   merged into one; the verdict definitions (one SIH item equal, or changed) do not say which
   verdict that is.
8. ``count_vs_mass``: the paper dose is counted (``1 cp``) and the SIH's is a mass
   (``1000 mg``), or the reverse: equal only if the strength of the unit is known, which an
   item does not say.
9. ``rounded_conversion``: the SIH holds the temperature in °F rounded to a tenth (99.0 °F for
   37.2 °C is 37.22 °C): the paper's tenth cannot be told from a rounding.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

GENERATOR_VERSION = 4
ROUNDS = ("1", "2", "all")
PARIS = ZoneInfo("Europe/Paris")
VERDICTS = ("in_sih", "differs", "missing", "duplicate")
COLUMNS = ("record_id", "ipp", "nda", "kind", "code", "value", "unit", "route",
           "effective_time", "author", "text", "status")
TRUTH_COLUMNS = ("record_id", "ipp", "kind", "code", "label", "case", "tags", "excluded",
                 "expected_sih_ids")

VITAL, MED, NOTE = "vital_sign", "medication_administration", "nursing_note"
TOLERANCE = {VITAL: 30 * 60, MED: 60 * 60, NOTE: 60 * 60}
BOUNDARY = 120        # rule 1: seconds either side of a tolerance edge
NEARER_BY = 300       # rule 2: a copy shared by two paper items must be this much nearer its own
EXACT = 2             # rule 2: a copy this close to its paper item's time carries that time...
NEARER_BY_EXACT = 90  # ...and then needs to be only this much nearer its own
SAFE_GAP = 3 * 3600   # padding on paper codes stays this far outside the outage

# The outage: 25 Oct 2025 20:00 (+02:00) to 27 Oct 2025 08:00 (+01:00); summer time ends at
# 01:00 UTC on the 26th, so 02:00-03:00 local happens twice.
WINDOW_START = int(datetime(2025, 10, 25, 20, 0, tzinfo=PARIS).timestamp())
WINDOW_END = int(datetime(2025, 10, 27, 8, 0, tzinfo=PARIS).timestamp())
DST_END = int(datetime(2025, 10, 26, 1, 0, tzinfo=UTC).timestamp())
AMBIGUOUS = (DST_END - 3600, DST_END + 3600)
PAD_START, PAD_END = WINDOW_START - 3 * 86400, WINDOW_END + 86400

EXTRA_TAGS = frozenset({"route_spelling", "unit_spelling", "brand_with_strength"})


def utc_offset(t: int) -> int:
    """Paris offset in seconds, valid between the March 2025 and March 2026 changes."""
    return 7200 if t < DST_END else 3600


def format_time(t: int, style: str) -> str:
    """One instant written as an SIH or the paper export would write it."""
    if style == "utc":
        g = time.gmtime(t)
        return (f"{g.tm_year:04d}-{g.tm_mon:02d}-{g.tm_mday:02d}T"
                f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}Z")
    offset = utc_offset(t)
    g = time.gmtime(t + offset)
    if style == "fr":
        return f"{g.tm_mday:02d}/{g.tm_mon:02d}/{g.tm_year:04d} {g.tm_hour:02d}:{g.tm_min:02d}"
    stamp = (f"{g.tm_year:04d}-{g.tm_mon:02d}-{g.tm_mday:02d}T"
             f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}")
    if style == "naive":
        return stamp
    return f"{stamp}+0{offset // 3600}:00"


def format_number(value: float) -> str:
    """Shortest plain decimal: 1000, 0.5, 0.075."""
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def quote(field_text: str, sep: str) -> str:
    """CSV quoting, only where needed: writing a million rows stays a string join."""
    if sep in field_text or '"' in field_text or "\n" in field_text:
        return '"' + field_text.replace('"', '""') + '"'
    return field_text


# --- Vital signs ---------------------------------------------------------------------------

@dataclass(frozen=True)
class VitalSpec:
    unit: str
    low: int
    high: int
    tenths: bool = False              # the canonical value is in tenths (temperature)
    spellings: tuple[str, ...] = ()   # other ways of writing the unit (extras)


VITALS: dict[str, VitalSpec] = {
    "8867-4": VitalSpec("/min", 52, 125, spellings=("bpm",)),
    "8480-6": VitalSpec("mm[Hg]", 95, 175, spellings=("mmHg",)),
    "8462-4": VitalSpec("mm[Hg]", 48, 98, spellings=("mmHg",)),
    "8310-5": VitalSpec("Cel", 360, 396, tenths=True),
    "2708-6": VitalSpec("%", 89, 100),
    "9279-1": VitalSpec("/min", 12, 28),
    "72514-3": VitalSpec("{score}", 0, 10),
}
VITAL_CODES = tuple(VITALS)
# Codes the same patients have in the SIH but never on paper (padding).
PADDING_VITALS = (("2339-0", "mmol/L", 40, 150, True), ("29463-7", "kg", 450, 1100, True))

DEVICE_AUTHORS = ("Moniteur Philips", "scope", "device:MX450-12", "MONITEUR IntelliVue",
                  "Scope Dräger", "appareil Dinamap", "monitor GE Carescape",
                  "device:CARESCAPE-B450-03")


def vital_text(code: str, canon: int) -> str:
    return f"{canon / 10:.1f}" if VITALS[code].tenths else str(canon)


def vital_typo(rng: random.Random, code: str, canon: int) -> int:
    """A value typed wrong: a digit changed or two digits swapped, never the same value."""
    spec = VITALS[code]
    for _ in range(50):
        digits = list(str(canon))
        if len(digits) >= 2 and rng.random() < 0.4:
            i = rng.randrange(len(digits) - 1)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        else:
            i = rng.randrange(len(digits))
            digits[i] = str((int(digits[i]) + rng.choice((1, 2, 8, 9))) % 10)
        new = int("".join(digits))
        if new != canon and new > 0 and (not spec.tenths or 300 <= new <= 430):
            return new
    return canon + (10 if spec.tenths else 7)


def other_vital_value(rng: random.Random, code: str, canon: int) -> int:
    """Another plausible measurement, clearly not the same value."""
    spec = VITALS[code]
    step = 3 if spec.tenths else max(2, (spec.high - spec.low) // 10)
    return canon + rng.choice((-1, 1)) * rng.randint(step, 3 * step)


# --- Medications ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Drug:
    key: str
    inn: str
    brands: tuple[str, ...]
    doses: tuple[tuple[float, str], ...]
    routes: tuple[str, ...]
    interval_h: int = 6
    similar: tuple[str, ...] = ()      # keys of other drugs easily mistaken for this one


def _drug(key: str, inn: str, brands: str, doses: Iterable[tuple[float, str]], routes: str,
          interval_h: int = 6, similar: str = "") -> Drug:
    return Drug(key, inn, tuple(b for b in brands.split(",") if b), tuple(doses),
                tuple(routes.split(",")), interval_h, tuple(s for s in similar.split(",") if s))


FORMULARY: dict[str, Drug] = {d.key: d for d in (
    _drug("paracetamol", "paracétamol", "Doliprane,Dafalgan,Efferalgan",
          ((1, "g"), (500, "mg")), "PO,IV", 6, "paracetamol+codeine,tramadol+paracetamol"),
    _drug("enoxaparine", "énoxaparine", "Lovenox", ((4000, "UI"), (6000, "UI")), "SC", 12,
          "tinzaparine"),
    _drug("furosemide", "furosémide", "Lasilix", ((40, "mg"), (20, "mg")), "PO,IV", 8,
          "bumetanide"),
    _drug("amoxicilline+acide clavulanique", "amoxicilline + acide clavulanique", "Augmentin",
          ((1, "g"),), "IV,PO", 8, "amoxicilline"),
    _drug("amoxicilline", "amoxicilline", "Clamoxyl", ((1, "g"), (500, "mg")), "PO", 8,
          "amoxicilline+acide clavulanique"),
    _drug("esomeprazole", "ésoméprazole", "Inexium", ((40, "mg"), (20, "mg")), "IV,PO", 12,
          "omeprazole"),
    _drug("omeprazole", "oméprazole", "Mopral", ((20, "mg"),), "PO", 12, "esomeprazole"),
    _drug("acide acetylsalicylique", "acide acétylsalicylique", "Kardégic",
          ((75, "mg"), (160, "mg")), "PO", 24),
    _drug("phloroglucinol", "phloroglucinol", "Spasfon", ((80, "mg"),), "PO,IV", 8),
    _drug("tramadol", "tramadol", "Topalgic,Contramal", ((50, "mg"), (100, "mg")), "PO", 6,
          "tramadol+paracetamol"),
    _drug("nefopam", "néfopam", "Acupan", ((20, "mg"),), "IV", 6),
    _drug("ketoprofene", "kétoprofène", "Profénid", ((100, "mg"), (50, "mg")), "IV,PO", 12),
    _drug("ibuprofene", "ibuprofène", "Advil,Nurofen", ((400, "mg"), (200, "mg")), "PO", 8),
    _drug("apixaban", "apixaban", "Eliquis", ((5, "mg"), (2.5, "mg")), "PO", 12),
    _drug("bisoprolol", "bisoprolol", "Cardensiel", ((2.5, "mg"), (5, "mg")), "PO", 24),
    _drug("amlodipine", "amlodipine", "Amlor", ((5, "mg"), (10, "mg")), "PO", 24, "amiodarone"),
    _drug("atorvastatine", "atorvastatine", "Tahor", ((40, "mg"), (80, "mg")), "PO", 24),
    _drug("levothyroxine", "lévothyroxine", "Levothyrox", ((75, "µg"), (100, "µg")), "PO", 24,
          "liothyronine"),
    _drug("metformine", "metformine", "Glucophage", ((1000, "mg"), (500, "mg")), "PO", 12),
    _drug("insuline glargine", "insuline glargine", "Lantus", ((20, "UI"), (14, "UI")), "SC", 24,
          "insuline asparte"),
    _drug("ondansetron", "ondansétron", "Zophren", ((4, "mg"), (8, "mg")), "IV,PO", 8),
    _drug("metoclopramide", "métoclopramide", "Primpéran", ((10, "mg"),), "IV,PO", 8,
          "metopimazine"),
    _drug("ceftriaxone", "ceftriaxone", "Rocéphine", ((1, "g"), (2, "g")), "IV", 24,
          "cefotaxime"),
    _drug("metronidazole", "métronidazole", "Flagyl", ((500, "mg"),), "IV,PO", 8),
    _drug("salbutamol", "salbutamol", "Ventoline", ((5, "mg"), (2.5, "mg")), "INH", 4),
    _drug("prednisolone", "prednisolone", "Solupred", ((40, "mg"), (20, "mg")), "PO", 24,
          "prednisone,methylprednisolone"),
    _drug("methylprednisolone", "méthylprednisolone", "Solumédrol", ((40, "mg"), (120, "mg")),
          "IV", 24, "prednisolone"),
    _drug("levetiracetam", "lévétiracétam", "Keppra", ((500, "mg"), (1000, "mg")), "PO,IV", 12,
          "levocetirizine"),
    _drug("oxycodone", "oxycodone", "Oxynorm", ((5, "mg"), (10, "mg")), "PO", 4),
    _drug("oxazepam", "oxazépam", "Séresta", ((10, "mg"),), "PO", 8, "oxcarbazepine"),
    _drug("zopiclone", "zopiclone", "Imovane", ((3.75, "mg"), (7.5, "mg")), "PO", 24),
    _drug("macrogol", "macrogol", "Forlax", ((10, "g"),), "PO", 24),
    _drug("allopurinol", "allopurinol", "Zyloric", ((100, "mg"), (300, "mg")), "PO", 24),
    _drug("sertraline", "sertraline", "Zoloft", ((50, "mg"),), "PO", 24),
    _drug("ramipril", "ramipril", "Triatec", ((5, "mg"), (2.5, "mg")), "PO", 24),
    _drug("morphine", "morphine", "", ((5, "mg"), (2.5, "mg")), "SC", 4),
)}
# Other INNs, written near a paper item in the "similar drug" case; never on paper.
LOOKALIKES: dict[str, Drug] = {d.key: d for d in (
    _drug("paracetamol+codeine", "paracétamol + codéine", "Codoliprane,Dafalgan codéiné",
          ((500, "mg"),), "PO"),
    _drug("tramadol+paracetamol", "tramadol + paracétamol", "Ixprim,Zaldiar",
          ((37.5, "mg"),), "PO"),
    _drug("tinzaparine", "tinzaparine", "Innohep", ((4500, "UI"),), "SC"),
    _drug("bumetanide", "bumétanide", "Burinex", ((1, "mg"),), "PO,IV"),
    _drug("amiodarone", "amiodarone", "Cordarone", ((200, "mg"),), "PO"),
    _drug("liothyronine", "liothyronine", "Cynomel", ((25, "µg"),), "PO"),
    _drug("insuline asparte", "insuline asparte", "NovoRapid", ((6, "UI"),), "SC"),
    _drug("metopimazine", "métopimazine", "Vogalène", ((10, "mg"),), "IV,PO"),
    _drug("cefotaxime", "céfotaxime", "Claforan", ((1, "g"),), "IV"),
    _drug("prednisone", "prednisone", "Cortancyl", ((20, "mg"),), "PO"),
    _drug("levocetirizine", "lévocétirizine", "Xyzall", ((5, "mg"),), "PO"),
    _drug("oxcarbazepine", "oxcarbazépine", "Trileptal", ((300, "mg"),), "PO"),
)}
ALL_DRUGS = {**FORMULARY, **LOOKALIKES}
# The same patients' other treatments, never on paper (padding).
PADDING_DRUGS = (("thiamine", 100, "mg", "PO"), ("acide folique", 5, "mg", "PO"),
                 ("cholécalciférol", 100000, "UI", "PO"), ("lactulose", 10, "g", "PO"),
                 ("nicotine", 21, "mg", "TD"), ("vitamine K1", 10, "mg", "IV"))

UNIT_FACTORS = {"g": (1_000_000, "ug"), "mg": (1000, "ug"), "µg": (1, "ug"), "UI": (1, "UI")}
ROUTE_SPELLINGS = {"PO": ("per os", "VO", "orale"), "IV": ("intraveineuse",),
                   "SC": ("sous-cutanée", "S/C"), "INH": ("inhalée",)}
UNIT_SPELLINGS = {"µg": ("mcg", "ug"), "UI": ("[iU]",)}
FORMS = {"PO": ("cp", "gél", "cp pellic", ""), "IV": ("inj", "sol inj", "pdre sol inj", ""),
         "SC": ("sol inj", "inj", ""), "INH": ("sol p inhal", "")}


def dose_canon(value: float, unit: str) -> tuple[int, str]:
    factor, dim = UNIT_FACTORS[unit]
    return round(value * factor), dim


def inn_spellings(inn: str) -> list[str]:
    """The INN as other systems write it: case, accents, separators of combinations."""
    plain = strip_accents(inn)
    out = {inn.upper(), plain.upper(), plain, inn.capitalize(), plain.capitalize()}
    if " + " in inn:
        for sep in ("/", "-", " / ", " "):
            out.add(inn.replace(" + ", sep))
            out.add(plain.upper().replace(" + ", sep))
    out.discard(inn)
    return sorted(out)


# --- People --------------------------------------------------------------------------------

NURSES = (("Marie", "Dupont"), ("Sophie", "Martin"), ("Hélène", "Lefèvre"),
          ("Céline", "Moreau"), ("Julie", "Bernard"), ("Nathalie", "Petit"),
          ("Isabelle", "Durand"), ("Aurélie", "Leroy"), ("Thomas", "Roux"),
          ("Nicolas", "Fournier"), ("Émilie", "Girard"), ("Camille", "Bonnet"),
          ("Léa", "Mercier"), ("Chloé", "Faure"), ("Laurent", "Garnier"),
          ("Stéphanie", "Chevalier"), ("Élodie", "Lambert"), ("François", "Gauthier"),
          ("Agnès", "Rousseau"), ("Jérôme", "Blanc"), ("Karine", "Guérin"), ("Yasmine", "Benali"))


def author_spellings(given: str, family: str) -> list[str]:
    """How an SIH writes "Marie Dupont": initials, role prefix, family name first, a login."""
    initials = strip_accents(given[0] + family[0]).upper()
    plain_given, plain_family = strip_accents(given), strip_accents(family)
    return [initials, initials.lower(), f"IDE {initials}", f"{given[0]}. {family}",
            f"{family.upper()} {given}", f"{family} {given[0]}.", f"{family.upper()} {given[0]}",
            f"{plain_family.upper()} {plain_given}", f"{given.lower()} {family.lower()}",
            f"{given} {family.upper()}"]


def login(given: str, family: str) -> str:
    return strip_accents(given[0] + family).lower()


# --- Notes ---------------------------------------------------------------------------------

NOTE_TOPICS: tuple[tuple[str, ...], ...] = (
    ("Nuit calme, sommeil récupérateur, pas de plainte exprimée.",
     "A dormi par intermittence, réveillé vers {h} h, se rendort après réassurance.",
     "Insomnie en début de nuit, tisane proposée, endormissement tardif."),
    ("Se plaint de douleurs {loc}, EVA à {n}, antalgique donné selon prescription.",
     "Douleur {loc} soulagée après antalgique, réévaluation prévue dans une heure.",
     "Pas de douleur exprimée au repos, gêne {loc} à la mobilisation."),
    ("Pansement {site} refait, plaie propre, pas d'écoulement, berges saines.",
     "Pansement {site} souillé changé, léger suintement séreux, surveillance.",
     "Ablation des fils {site} prévue demain selon le chirurgien."),
    ("Visite de {rel} en fin de journée, échange rassurant sur le projet de sortie.",
     "Appel téléphonique de {rel}, nouvelles données avec l'accord du patient.",
     "{rel} présent au chevet, demande à rencontrer le médecin."),
    ("Repas pris en totalité, bonne hydratation, aide au repas non nécessaire.",
     "Mange peu, a refusé le plateau du soir, complément oral proposé.",
     "Nausées après le repas, pas de vomissement, antiémétique non nécessaire."),
    ("Premier lever au fauteuil avec aide, tolérance correcte, pas de malaise.",
     "Marche dans le couloir accompagné, périmètre de marche en progrès.",
     "Reste alité à sa demande, changements de position toutes les trois heures."),
    ("Diurèse conservée, urines claires, pas de globe vésical à la palpation.",
     "Selles ce jour, transit repris, abdomen souple et indolore.",
     "Sonde urinaire retirée ce matin, miction spontanée depuis."),
    ("Anxieux avant l'examen de demain, explications données, plus détendu ensuite.",
     "Humeur triste, pleure en évoquant son domicile, écoute proposée.",
     "Souriant, participe aux soins, moral en amélioration nette."),
    ("Voie veineuse périphérique au bras {side} perméable, point de ponction sans rougeur.",
     "Cathéter {side} retiré car douloureux, nouveau cathéter posé au bras opposé.",
     "Perfusion terminée, voie veineuse obturée et rincée."),
    ("Légère dyspnée à l'effort, saturation correcte, oxygène arrêté ce matin.",
     "Encombrement bronchique, toux grasse, kinésithérapie respiratoire demandée.",
     "Respiration ample et régulière, pas de signe de détresse."),
    ("Désorienté en début de nuit, barrières relevées, surveillance rapprochée.",
     "Agitation vers {h} h, arrache sa perfusion, médecin de garde prévenu.",
     "Orienté dans le temps et l'espace, propos cohérents."),
    ("Effleurage des points d'appui, rougeur au talon {side}, talonnière mise en place.",
     "Peau intègre, matelas à air vérifié, installation confortable.",
     "Escarre sacrée stade deux, pansement hydrocolloïde posé."),
    ("Toilette au lit avec aide partielle, soins de bouche réalisés.",
     "Douche au fauteuil, autonome pour le haut du corps.",
     "Refuse la toilette ce soir, reportée à demain matin."),
    ("Glycémie capillaire contrôlée, protocole insuline appliqué.",
     "Hypoglycémie ressentie, resucrage oral, contrôle satisfaisant ensuite.",
     "Régime diabétique rappelé, collation du soir prise."),
)
NOTE_FILL = {"loc": ("abdominales", "lombaires", "thoraciques", "à la hanche droite",
                     "au genou gauche", "céphaliques"),
             "site": ("abdominal", "du genou", "de la jambe gauche", "sacré", "du pied droit"),
             "rel": ("sa fille", "son épouse", "son fils", "son mari", "sa sœur", "un voisin"),
             "side": ("droit", "gauche"),
             "h": tuple(str(h) for h in (22, 23, 1, 2, 3, 4, 5)),
             "n": tuple(str(n) for n in range(2, 9))}
OTHER_PROFESSIONS = ("Kiné : séance de mobilisation, bonne participation.",
                     "Diététicienne : bilan nutritionnel fait, enrichissement des repas.",
                     "Assistante sociale : dossier de retour à domicile ouvert.",
                     "Psychologue : entretien d'une demi-heure, suivi proposé.",
                     "Ergothérapeute : essai de chaise percée, aménagement conseillé.")


def fill(rng: random.Random, sentence: str) -> str:
    for slot, options in NOTE_FILL.items():
        token = "{" + slot + "}"
        if token in sentence:
            sentence = sentence.replace(token, rng.choice(options))
    return sentence[0].upper() + sentence[1:]


def typo(rng: random.Random, text: str) -> str:
    """One or two letter slips in long words; digits and short words are left alone."""
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    for i in rng.sample(long_words, min(len(long_words), rng.choice((1, 1, 2)))):
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        how = rng.randrange(3)
        if how == 0:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif how == 1:
            w = w[:j] + w[j + 1:]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
    return " ".join(words)


def recase(rng: random.Random, text: str) -> str:
    """The same words, cased or punctuated otherwise."""
    how = rng.randrange(4)
    if how == 0:
        return text.upper()
    if how == 1:
        return text.lower()
    if how == 2:
        return text.replace(",", "").replace(".", "").strip()
    return text.replace(", ", " - ").replace(". ", " ; ").rstrip(".")


# --- Records -------------------------------------------------------------------------------

@dataclass(slots=True)
class Rec:
    """One paper or SIH item: its true content (for labels and checks) and its written row."""

    ipp: str
    nda: str
    kind: str
    key: str                      # LOINC code, INN key, or note id
    t: int                        # epoch seconds
    canon: tuple[object, ...]     # compared content after normalisation
    code: str = ""
    value: str = ""
    unit: str = ""
    route: str = ""
    time: str = ""
    author: str = ""
    text: str = ""
    status: str = ""
    device: bool = False
    origin: int = -1              # the paper item this SIH item copies
    rel: str = ""                 # "equal" or "changed" copy, "" for anything else
    rid: str = ""
    tags: set[str] = field(default_factory=set)
    case: str = ""
    excluded: str = ""
    ipp_text: str = ""            # the IPP as this SIH file writes it, when not as on paper
    fmt: str = "csv"              # the SIH file it is delivered in (round 2: fhir, ndjson, hl7)
    opts: tuple[str, ...] = ()    # how a FHIR or HL7 writer shapes it (round 2)
    group: str = ""               # a blood-pressure panel: both items in one resource / OBR

    def row(self, sep: str) -> str:
        return sep.join((self.rid, self.ipp_text or self.ipp, self.nda, self.kind,
                         quote(self.code, sep), self.value, self.unit, quote(self.route, sep),
                         self.time, quote(self.author, sep), quote(self.text, sep), self.status))


@dataclass(slots=True)
class Patient:
    ipp: str
    nda: str
    lanes: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)

    def free(self, lane: tuple[str, str], start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.lanes.get(lane, ()))

    def take(self, lane: tuple[str, str], start: int, end: int) -> None:
        self.lanes.setdefault(lane, []).append((start, end))


class NoLane(Exception):
    """No free time span for a case on the patients tried: the case is drawn again."""


@dataclass
class Generated:
    paper: Path
    sih: Path
    truth: Path
    extra: tuple[Path, ...] = ()   # round 2: the SIH's FHIR and HL7 files, read with ``sih``

    @property
    def sih_files(self) -> tuple[Path, ...]:
        return (self.sih, *self.extra)


class Generator:
    """Builds the cases, checks them, and writes the three files."""

    def __init__(self, n_paper: int, n_sih: int, seed: int, extras: bool = True) -> None:
        self.rng = random.Random(seed)
        self.n_paper, self.n_sih, self.extras = n_paper, n_sih, extras
        count = max(4, n_paper // 24)
        self.patients = [Patient(f"8{10 * i + 10_000_000:08d}", f"5{i + 1:08d}")
                         for i in range(count)]
        self.paper: list[Rec] = []
        self.sih: list[Rec] = []
        self.series: list[tuple[str, str, int, int]] = []   # (ipp, code, first, last tick)
        self.neighbours = 0
        self.labels: list[str] = []
        self.copies: list[list[Rec]] = []
        self.extra_padding = 0          # padding rows written in the round-2 files
        self.extra_tags: frozenset[str] = EXTRA_TAGS

    # -- drawing helpers --

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def nurse(self) -> tuple[str, str]:
        return self.rng.choice(NURSES)

    def reserve(self, lanes: list[tuple[Patient, tuple[str, str]]], first: int, last: int,
                kind: str) -> None:
        """Claims [first, last] widened by the tolerance and a margin on every lane, or fails."""
        guard = TOLERANCE[kind] + 15 * 60
        start, end = first - guard, last + guard
        if not all(p.free(lane, start, end) for p, lane in lanes):
            raise NoLane
        for p, lane in lanes:
            p.take(lane, start, end)

    def paper_time(self, span: int = 0) -> int:
        """A paper time to the minute, leaving room for the case's span."""
        t = self.rng.randrange(WINDOW_START + 1800, WINDOW_END - 1800 - span)
        return t - t % 60

    def new_paper(self, patient: Patient, kind: str, key: str, t: int, canon: tuple[object, ...],
                  case: str, **fields: str) -> Rec:
        rec = Rec(patient.ipp, patient.nda, kind, key, t, canon, time=format_time(t, "local"),
                  case=case, **fields)
        rec.tags.add(case)
        return rec

    def offset(self, kind: str, tags: set[str], far: bool = True, limit: int | None = None) -> int:
        """A copy's time shift: none, a few minutes, or far but within the tolerance."""
        tol = TOLERANCE[kind]
        r = self.rng.random()
        sign = self.rng.choice((-1, 1))
        if r < 0.45:
            off = 0
        elif r < 0.8 or not far:
            off = sign * self.rng.randint(60, 300)
        else:
            off = sign * self.rng.randint(301, tol - BOUNDARY - 60)
        if limit is not None:
            off = max(-limit, min(limit, off))
        if self.chance(0.3):
            off += self.rng.randint(1, 59) if off >= 0 else -self.rng.randint(1, 59)
        if off:
            tags.add("time_offset")
        if abs(off) > 300:
            tags.add("time_offset_far")
        if off % 60:
            tags.add("seconds")
        return off

    def time_text(self, t: int, tags: set[str]) -> str:
        ambiguous = AMBIGUOUS[0] <= t < AMBIGUOUS[1]
        if ambiguous:
            tags.add("dst_ambiguous_hour")
        r = self.rng.random()
        if r < 0.30:
            tags.add("utc_z")
            return format_time(t, "utc")
        if r < 0.42 and not ambiguous:
            tags.add("naive_local")
            return format_time(t, "naive")
        if r < 0.52 and not ambiguous and t % 60 == 0:
            tags.add("fr_datetime")
            return format_time(t, "fr")
        return format_time(t, "local")

    def author_text(self, paper_author: str, tags: set[str], absent_ok: bool = True) -> str:
        given, family = paper_author.split(" ", 1)
        r = self.rng.random()
        if r < 0.35:
            return paper_author
        if r < 0.87 or not absent_ok:
            tags.add("author_spelling")
            return self.rng.choice(author_spellings(given, family) + [login(given, family)])
        tags.add("author_absent")
        return ""

    def status_text(self, status: str) -> str:
        if status == "not-done":
            return "not-done"
        return "completed" if self.chance(0.7) else ""

    # -- paper items per kind --

    def paper_vital(self, patient: Patient, code: str, t: int, case: str,
                    canon: int | None = None) -> Rec:
        spec = VITALS[code]
        value = canon if canon is not None else self.rng.randint(spec.low, spec.high)
        author = " ".join(self.nurse())
        return self.new_paper(patient, VITAL, code, t, (value, spec.unit), case, code=code,
                              value=vital_text(code, value), unit=spec.unit, author=author)

    def paper_med(self, patient: Patient, drug: Drug, t: int, case: str,
                  dose: tuple[float, str] | None = None, route: str | None = None,
                  status: str = "completed",
                  canon: Callable[[float, str], tuple[int, str]] = dose_canon) -> Rec:
        value, unit = dose or self.rng.choice(drug.doses)
        route = route or self.rng.choice(drug.routes)
        code = drug.inn
        rec_tags: set[str] = set()
        if drug.brands and self.chance(0.12):
            code = self.rng.choice(drug.brands)
            rec_tags.add("brand_on_paper")
        rec = self.new_paper(patient, MED, drug.key, t, (*canon(value, unit), route, status),
                             case, code=code, value=format_number(value), unit=unit, route=route,
                             author=" ".join(self.nurse()), status=status)
        rec.tags |= rec_tags
        if status == "not-done":
            rec.tags.add("refused_dose")
        return rec

    def note_text(self, topics: list[int]) -> str:
        return " ".join(fill(self.rng, self.rng.choice(NOTE_TOPICS[i])) for i in topics)

    def paper_note(self, patient: Patient, t: int, case: str,
                   avoid: Iterable[int] = ()) -> tuple[Rec, list[int]]:
        pool = [i for i in range(len(NOTE_TOPICS)) if i not in set(avoid)]
        topics = self.rng.sample(pool, 3)
        note_id = f"n{len(self.paper)}"
        rec = self.new_paper(patient, NOTE, note_id, t, (note_id, 0), case,
                             text=self.note_text(topics), author=" ".join(self.nurse()))
        return rec, topics

    # -- SIH copies --

    def copy(self, p: Rec, changed: str = "", *, far: bool = True, absent_ok: bool = True,
             limit: int | None = None, at: int | None = None,
             tags: set[str] | None = None) -> Rec:
        """An SIH copy of paper item ``p``, equal after normalisation unless ``changed`` names
        the field typed otherwise; its variations are added to the paper item's tags."""
        tags = p.tags if tags is None else tags
        off = at - p.t if at is not None else self.offset(p.kind, tags, far, limit)
        t = p.t + off
        c = Rec(p.ipp, p.nda, p.kind, p.key, t, p.canon, origin=len(self.paper),
                rel="changed" if changed else "equal")
        c.time = self.time_text(t, tags)
        c.author = self.author_text(p.author, tags, absent_ok)
        if p.kind == VITAL:
            self.vary_vital(p, c, changed, tags)
        elif p.kind == MED:
            self.vary_med(p, c, changed, tags)
        else:
            self.vary_note(p, c, changed, tags)
        if changed:
            tags.add(changed)
        self.sih.append(c)
        return c

    def copy_vital(self, p: Rec, c: Rec, changed: str) -> int:
        """The copy's code, unit and canonical value (a typo when ``changed``); the value."""
        spec = VITALS[p.code]
        canon = int(p.canon[0])  # type: ignore[call-overload]
        if changed == "differs_value":
            canon = vital_typo(self.rng, p.code, canon)
            c.canon = (canon, spec.unit)
        c.code = p.code
        c.unit = spec.unit
        return canon

    def vary_vital(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        spec = VITALS[p.code]
        canon = self.copy_vital(p, c, changed)
        c.value = vital_text(p.code, canon)
        if spec.tenths:
            if self.chance(0.4):
                c.value = c.value.replace(".", ",")
                tags.add("decimal_comma")
            if self.chance(0.4):
                c.unit = "°C"
                tags.add("unit_celsius")
        elif self.chance(0.12):
            c.value += self.rng.choice((".0", ",0"))
            tags.add("value_format")
        if self.extras and spec.spellings and self.chance(0.15):
            c.unit = self.rng.choice(spec.spellings)
            tags.add("unit_spelling")

    def copy_med(self, p: Rec, c: Rec, changed: str, other_doses: list[float],
                 canon: Callable[[float, str], tuple[int, str]] = dose_canon
                 ) -> tuple[float, str, str, str]:
        """The copy's canonical administration, ``changed`` naming what was typed otherwise
        (a dose among ``other_doses``, another unit, route or status); its value, unit, route
        and status."""
        value, unit = float(p.value), p.unit
        route, status = p.route, p.status
        if changed == "differs_dose":
            value = self.rng.choice(other_doses)
        elif changed == "dose_unit_slip":
            unit = {"mg": "µg", "µg": "mg", "g": "mg", "UI": "mg"}[unit]
        elif changed == "differs_route":
            route = self.rng.choice([r for r in ("PO", "IV", "SC") if r != route])
        elif changed == "differs_status":
            status = "completed" if status == "not-done" else "not-done"
        c.canon = (*canon(value, unit), route, status)
        if not changed:
            assert c.canon == p.canon
        return value, unit, route, status

    def vary_med(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        drug = FORMULARY[p.key]
        value = float(p.value)
        value, unit, route, status = self.copy_med(
            p, c, changed, [v for v in (value * 2, value / 2, value * 10, value / 10)
                            if v != value])
        # Name: as on paper, another spelling of the INN, a brand, or a brand with its strength.
        r = self.rng.random()
        brands = [b for b in drug.brands if b != p.code]
        if "brand_on_paper" in tags and r < 0.6:
            c.code = self.rng.choice([drug.inn, *inn_spellings(drug.inn)])
        elif r < 0.35 or (not brands and r >= 0.55):
            c.code = p.code
        elif r < 0.55:
            c.code = self.rng.choice(inn_spellings(drug.inn))
            tags.add("inn_spelling")
        elif r < 0.9 or not self.extras:
            c.code = self.rng.choice(brands)
            tags.add("brand")
        else:
            strength = f"{format_number(value)} {unit}".replace(".", ",")
            form = self.rng.choice(FORMS[p.route])
            c.code = f"{self.rng.choice(brands).upper()} {strength} {form}"
            c.code = c.code.strip()
            tags.add("brand_with_strength")
        # Dose: as written, or in another unit of the same quantity.
        text_value, text_unit = value, unit
        if self.chance(0.35):
            if unit == "g":
                text_value, text_unit = value * 1000, "mg"
                tags.add("unit_g_mg")
            elif unit == "mg" and value >= 100 and value % 100 == 0:
                text_value, text_unit = value / 1000, "g"
                tags.add("unit_g_mg")
            elif unit == "µg":
                text_value, text_unit = value / 1000, "mg"
                tags.add("unit_ug_mg")
        c.value = format_number(text_value)
        if "." in c.value and self.chance(0.5):
            c.value = c.value.replace(".", ",")
            tags.add("decimal_comma")
        c.unit = text_unit
        if self.extras and text_unit in UNIT_SPELLINGS and self.chance(0.2):
            c.unit = self.rng.choice(UNIT_SPELLINGS[text_unit])
            tags.add("unit_spelling")
        c.route = route
        if self.extras and not changed and self.chance(0.1):
            c.route = self.rng.choice(ROUTE_SPELLINGS[route])
            tags.add("route_spelling")
        c.status = self.status_text(status)

    def vary_note(self, p: Rec, c: Rec, changed: str, tags: set[str]) -> None:
        text = p.text
        if changed == "differs_text":
            sentences = [s + "." for s in text.rstrip(".").split(". ")]
            how = self.rng.randrange(3)
            extra = sentences[0]
            while extra in sentences:
                extra = fill(self.rng, self.rng.choice(self.rng.choice(NOTE_TOPICS)))
            if how == 0 and len(sentences) >= 3:
                del sentences[self.rng.randrange(len(sentences))]
                tags.add("note_sentence_dropped")
            elif how == 1:
                sentences.append(extra)
                tags.add("note_sentence_added")
            else:
                sentences[-1] = extra
                tags.add("note_sentence_replaced")
            text = " ".join(sentences)
            assert text != p.text
            c.canon = (p.key, 1)
        if self.chance(0.3):
            text = typo(self.rng, text)
            tags.add("note_typo")
        if self.chance(0.2) and strip_accents(text) != text:
            text = strip_accents(text)
            tags.add("note_no_accents")
        if self.chance(0.2):
            text = recase(self.rng, text)
            tags.add("note_case_punct")
        c.text = text

    def unrelated(self, like: Rec, t: int, author: str, **changes: object) -> Rec:
        """An SIH item of the same lane that copies no paper item (another measurement...)."""
        c = Rec(like.ipp, like.nda, like.kind, like.key, t, like.canon, code=like.code,
                value=like.value, unit=like.unit, route=like.route, time=format_time(t, "local"),
                author=author, text=like.text, status=like.status)
        for name, value in changes.items():
            setattr(c, name, value)
        self.sih.append(c)
        return c

    # -- cases --

    def pick_kind(self, weights: tuple[float, float, float] = (0.45, 0.4, 0.15)) -> str:
        return self.rng.choices((VITAL, MED, NOTE), weights)[0]

    def single(self, kind: str, case: str, span: int = 0) -> tuple[Patient, Rec, int]:
        """A patient, a free lane and one paper item on it."""
        patient = self.rng.choice(self.patients)
        t = self.paper_time(span)
        if kind == VITAL:
            code = self.rng.choice(VITAL_CODES)
            self.reserve([(patient, (VITAL, code))], t - span, t + span, VITAL)
            return patient, self.paper_vital(patient, code, t, case), t
        if kind == MED:
            drug = self.rng.choice(list(FORMULARY.values()))
            self.reserve([(patient, (MED, drug.key))], t - span, t + span, MED)
            return patient, self.paper_med(patient, drug, t, case), t
        self.reserve([(patient, (NOTE, ""))], t - span, t + span, NOTE)
        return patient, self.paper_note(patient, t, case)[0], t

    def add(self, p: Rec) -> int:
        self.paper.append(p)
        return len(self.paper) - 1

    def case_plain(self) -> None:
        _, p, _ = self.single(self.pick_kind(), "plain")
        self.copy(p)
        self.add(p)

    def case_differs(self) -> None:
        kind = self.pick_kind((0.35, 0.45, 0.2))
        patient, p, _ = self.single(kind, "differs")
        changed = self.what_differs(kind)
        if changed == "differs_status" and self.chance(0.4):
            p.status = "not-done"
            p.canon = (*p.canon[:3], "not-done")
            p.tags.add("refused_dose")
        self.copy(p, changed)
        self.add(p)

    def what_differs(self, kind: str, slips: tuple[str, ...] = ("dose_unit_slip",)) -> str:
        """What a copy typed otherwise changes: a vital's value, a note's text, or a dose
        (twice as likely), its unit (one of ``slips``), the route or the status."""
        if kind == VITAL:
            return "differs_value"
        if kind == NOTE:
            return "differs_text"
        return self.rng.choice(("differs_dose", "differs_dose", *slips, "differs_route",
                                "differs_status"))

    def case_missing(self) -> None:
        _, p, _ = self.single(self.pick_kind((0.4, 0.4, 0.2)), "missing")
        self.add(p)

    def case_refused(self) -> None:
        patient = self.rng.choice(self.patients)
        drug = self.rng.choice(list(FORMULARY.values()))
        t = self.paper_time()
        self.reserve([(patient, (MED, drug.key))], t, t, MED)
        p = self.paper_med(patient, drug, t, "refused", status="not-done")
        if self.chance(0.6):
            self.copy(p)
        self.add(p)

    def case_outside(self) -> None:
        """The paper's own value charted, but beyond the tolerance: not a copy."""
        kind = self.pick_kind((0.5, 0.35, 0.15))
        tol = TOLERANCE[kind]
        patient, p, t = self.single(kind, "outside_tolerance", span=tol + 3600)
        shift = self.rng.choice((-1, 1)) * (tol + self.rng.randint(BOUNDARY + 60, 20 * 60))
        if kind == VITAL and self.chance(0.3):
            shift = self.rng.choice((-1, 1)) * 3600          # an hour slip
        self.copy(p, at=t + shift, tags=set())
        self.sih[-1].rel, self.sih[-1].origin = "", -1        # not a copy: it lies outside
        self.add(p)

    def case_duplicate(self) -> None:
        kind = self.pick_kind((0.4, 0.45, 0.15))
        patient, p, t = self.single(kind, "duplicate")
        mode = self.rng.choice(("interface_copy", "typed_twice", "triple_copy", "dup_far",
                                "dup_both_far") if kind != NOTE else
                               ("typed_twice", "typed_twice", "dup_far", "dup_both_far"))
        p.tags.add(mode)
        if mode == "interface_copy":
            self.copy(p, far=False)
            c = self.copy(p, at=t)
            given, family = p.author.split(" ", 1)
            c.author = self.rng.choice((login(given, family), strip_accents(
                family + given[0]).upper(), "", ""))
            if not c.author:
                p.tags.add("dup_authorless")
        elif mode == "typed_twice":
            self.copy(p, far=False)
            c = self.copy(p, far=False)
            c.author = " ".join(self.rng.choice([n for n in NURSES
                                                 if " ".join(n) != p.author]))
        elif mode == "triple_copy":
            for _ in range(3):
                self.copy(p, far=False)
        else:
            tol = TOLERANCE[kind]
            if mode == "dup_far":
                self.copy(p, far=False)
            else:
                self.copy(p, at=t + self.rng.choice((-1, 1)) * self.rng.randint(360, tol - 300))
            self.copy(p, at=t + self.rng.choice((-1, 1)) * self.rng.randint(360, tol - 300))
            p.tags.add("time_offset_far")
        self.add(p)

    def case_device(self) -> None:
        """Monitor readings holding the paper's value near its time: never its copy."""
        patient = self.rng.choice(self.patients)
        code = self.rng.choice(VITAL_CODES)
        t = self.paper_time(3 * 3600)
        self.reserve([(patient, (VITAL, code))], t - 7200, t + 7200, VITAL)
        p = self.paper_vital(patient, code, t, "device_confounder")
        charted = self.chance(0.65)
        if not charted:
            p.tags.add("device_only")
        changed = charted and self.chance(0.25)
        if changed:
            p.tags.add("device_changed_copy")
        if self.chance(0.5):
            p.tags.add("device_author")
            for i in range(self.rng.randint(1, 3)):
                at = t + (0 if i == 0 else self.rng.randint(-600, 600))
                self.unrelated(p, at, self.rng.choice(DEVICE_AUTHORS), device=True,
                               time=format_time(at, self.rng.choice(("local", "utc"))))
            for _ in range(self.rng.randint(0, 3)):
                at = t + self.rng.randint(-1800, 1800)
                value = other_vital_value(self.rng, code, int(p.canon[0]))  # type: ignore
                self.unrelated(p, at, self.rng.choice(DEVICE_AUTHORS), device=True,
                               value=vital_text(code, value), canon=(value, p.canon[1]))
        else:
            p.tags.add("device_series")
            tick = t - t % 900 + (900 if t % 900 > 450 else 0)
            before, after = self.rng.randint(3, 6), self.rng.randint(3, 6)
            first, last = tick - before * 900, tick + after * 900
            for at in range(first, last + 1, 900):
                if at == tick:
                    value = int(p.canon[0])  # type: ignore[call-overload]
                else:
                    value = other_vital_value(self.rng, code, int(p.canon[0]))  # type: ignore
                    if self.chance(0.3):
                        value = int(p.canon[0])  # type: ignore[call-overload]
                self.unrelated(p, at, "", device=True, value=vital_text(code, value),
                               canon=(value, p.canon[1]))
            self.series.append((patient.ipp, code, first, last))
        if charted:
            self.copy(p, "differs_value" if changed else "", absent_ok=False)
        self.add(p)

    def case_repeated_dose(self) -> None:
        patient = self.rng.choice(self.patients)
        drug = self.rng.choice([d for d in FORMULARY.values() if d.interval_h <= 8])
        interval = drug.interval_h * 3600
        n = self.rng.randint(3, 5)
        while n > 2 and (n - 1) * interval > WINDOW_END - WINDOW_START - 7200:
            n -= 1
        first = self.paper_time((n - 1) * interval)
        first -= first % 3600
        self.reserve([(patient, (MED, drug.key))], first, first + (n - 1) * interval, MED)
        dose, route = self.rng.choice(drug.doses), self.rng.choice(drug.routes)
        missing = self.rng.randrange(n) if self.chance(0.25) else -1
        refused = self.rng.randrange(n) if self.chance(0.15) else -1
        doubled = self.rng.randrange(n) if self.chance(0.15) else -1
        for i in range(n):
            t = first + i * interval + self.rng.choice((0, 0, 5, 10, -5)) * 60
            p = self.paper_med(patient, drug, t, "repeated_dose", dose, route,
                               "not-done" if i == refused else "completed")
            if i != missing:
                self.copy(p, absent_ok=False, limit=20 * 60)
                if i == doubled:
                    self.copy(p, absent_ok=False, limit=20 * 60)
                    p.tags.add("dup_in_series")
            self.add(p)

    def case_repeated_vital(self) -> None:
        patient = self.rng.choice(self.patients)
        code = self.rng.choice(VITAL_CODES)
        n = self.rng.randint(2, 3)
        gaps = [self.rng.randint(42, 60) * 60 for _ in range(n - 1)]
        t0 = self.paper_time(sum(gaps))
        self.reserve([(patient, (VITAL, code))], t0, t0 + sum(gaps), VITAL)
        value = self.rng.randint(VITALS[code].low, VITALS[code].high)
        missing = self.rng.randrange(n) if self.chance(0.3) else -1
        t = t0
        for i in range(n):
            p = self.paper_vital(patient, code, t, "repeated_vital", value)
            if i != missing:
                self.copy(p, absent_ok=False, limit=8 * 60)
            self.add(p)
            if i < n - 1:
                t += gaps[i]

    def case_other_value(self) -> None:
        """Another charted measurement of the same code near the paper time, another value."""
        kind = VITAL if self.chance(0.75) else MED
        patient, p, t = self.single(kind, "other_value_nearby")
        self.copy(p, far=False)
        tol = TOLERANCE[kind]
        at = t + self.rng.choice((-1, 1)) * self.rng.randint(5 * 60, tol - BOUNDARY - 120)
        author = " ".join(self.nurse())
        if kind == VITAL:
            value = other_vital_value(self.rng, p.code, int(p.canon[0]))  # type: ignore
            self.unrelated(p, at, author, value=vital_text(p.code, value),
                           canon=(value, p.canon[1]))
        else:
            value = float(p.value) * self.rng.choice((0.5, 2))
            canon = (*dose_canon(value, p.unit), *p.canon[2:])
            self.unrelated(p, at, author, value=format_number(value), canon=canon,
                           status="completed")
        self.add(p)

    def case_near_patient(self) -> None:
        """Another patient has the identical item at the same time."""
        kind = self.pick_kind((0.45, 0.4, 0.15))
        patient, p, t = self.single(kind, "near_dup_patient")
        on_paper = self.chance(0.4)
        if on_paper:
            other = self.rng.choice([q for q in self.patients if q is not patient])
            lane = (kind, p.key if kind != NOTE else "")
            self.reserve([(other, lane)], t, t, kind)
            twin = Rec(other.ipp, other.nda, p.kind, p.key, p.t, p.canon, code=p.code,
                       value=p.value, unit=p.unit, route=p.route, time=p.time, author=p.author,
                       text=p.text, status=p.status, tags=set(p.tags), case=p.case)
            if kind == NOTE:
                twin.key = f"n{len(self.paper)}b"
                twin.canon = (twin.key, 0)
        else:
            self.neighbours += 1
            ipp = p.ipp[:-1] + str(self.rng.randint(1, 9))
            neighbour = Rec(ipp, f"6{self.neighbours:08d}", p.kind, p.key, t, p.canon,
                            code=p.code, value=p.value, unit=p.unit, route=p.route,
                            time=self.time_text(t, set()), author=p.author, text=p.text,
                            status=self.status_text(p.status))
            neighbour.key = "neighbour"
            self.sih.append(neighbour)
        if self.chance(0.6):
            self.copy(p, far=False)
        self.add(p)
        if on_paper:
            if self.chance(0.7):
                self.copy(twin, far=False)
            self.add(twin)

    def case_similar_drug(self) -> None:
        """Another INN easily mistaken for the paper's drug, given at the same time."""
        drug = self.rng.choice([d for d in FORMULARY.values() if d.similar])
        other = ALL_DRUGS[self.rng.choice(drug.similar)]
        patient = self.rng.choice(self.patients)
        t = self.paper_time()
        self.reserve([(patient, (MED, drug.key)), (patient, (MED, other.key))], t, t, MED)
        p = self.paper_med(patient, drug, t, "similar_drug")
        value, unit = self.rng.choice(other.doses)
        at = t + self.rng.randint(-10, 10) * 60
        name = self.rng.choice([other.inn, *inn_spellings(other.inn), *other.brands])
        sim = Rec(p.ipp, p.nda, MED, other.key, at, (*dose_canon(value, unit), p.route,
                                                     "completed"),
                  code=name, value=format_number(value), unit=unit, route=p.route,
                  time=self.time_text(at, set()), author=self.author_text(p.author, set()),
                  status="completed")
        self.sih.append(sim)
        if self.chance(0.4):
            self.copy(p, far=False)
        self.add(p)

    def case_other_note(self) -> None:
        """Two different notes within the hour: each is only its own copy."""
        patient = self.rng.choice(self.patients)
        gap = self.rng.randint(20, 50) * 60
        t = self.paper_time(gap)
        self.reserve([(patient, (NOTE, ""))], t, t + gap, NOTE)
        first, topics = self.paper_note(patient, t, "other_note_nearby")
        missing = self.rng.choice((-1, -1, 0, 1))
        if missing != 0:
            self.copy(first, limit=10 * 60)
        self.add(first)
        second, _ = self.paper_note(patient, t + gap, "other_note_nearby", avoid=topics)
        if missing != 1:
            self.copy(second, limit=10 * 60)
        self.add(second)

    def case_ambiguous(self) -> None:
        """Data that cannot decide, made on purpose: the checks must remove every one."""
        patient = self.rng.choice(self.patients)
        code = self.rng.choice(VITAL_CODES)
        t = self.paper_time(3 * 3600)
        self.reserve([(patient, (VITAL, code))], t - 7200, t + 7200, VITAL)
        mode = self.rng.randrange(4)
        value = self.rng.randint(VITALS[code].low, VITALS[code].high)
        first = self.paper_vital(patient, code, t, "ambiguous", value)
        if mode == 0:    # two identical paper items 5 min apart, three identical copies
            second = self.paper_vital(patient, code, t + 300, "ambiguous", value)
            self.copy(first, at=t)
            self.copy(first, at=t + 150, absent_ok=False)
            self.add(first)
            self.copy(second, at=t + 300, absent_ok=False)
            self.add(second)
        elif mode == 1:  # a changed copy nearer to another paper item than to its own
            second = self.paper_vital(patient, code, t + 1200, "ambiguous", value)
            self.copy(first, "differs_value", at=t + 720, absent_ok=False)
            self.add(first)
            self.copy(second, at=t + 1200, absent_ok=False)
            self.add(second)
        elif mode == 2:  # a copy on the tolerance edge
            edge = TOLERANCE[VITAL] + self.rng.randint(-BOUNDARY + 10, BOUNDARY - 10)
            self.copy(first, at=t + self.rng.choice((-1, 1)) * edge)
            self.add(first)
        else:            # an author-less copy inside an author-less monitor series
            tick = t - t % 900
            for at in range(tick - 4 * 900, tick + 5 * 900, 900):
                self.unrelated(first, at, "", device=True)
            self.series.append((patient.ipp, code, tick - 4 * 900, tick + 4 * 900))
            copy = self.copy(first, at=t + 420 if t % 900 != 480 else t + 360)
            copy.author = ""
            self.add(first)

    CASES: tuple[tuple[str, float], ...] = (
        ("case_plain", 30), ("case_differs", 12), ("case_missing", 8), ("case_duplicate", 10),
        ("case_device", 6), ("case_repeated_dose", 2), ("case_repeated_vital", 2),
        ("case_other_value", 4), ("case_near_patient", 5), ("case_refused", 4),
        ("case_outside", 3), ("case_similar_drug", 3), ("case_other_note", 2),
        ("case_ambiguous", 0.5),
    )

    def cases(self) -> tuple[tuple[str, float], ...]:
        return self.CASES

    def build_cases(self) -> None:
        names = [name for name, _ in self.cases()]
        weights = [w for _, w in self.cases()]
        while len(self.paper) < self.n_paper:
            self.build_case(self.rng.choices(names, weights)[0])

    def build_case(self, name: str) -> bool:
        """Case ``name``, or nothing of it when it finds no free lane (then False)."""
        mark_paper, mark_sih = len(self.paper), len(self.sih)
        try:
            getattr(self, name)()
        except NoLane:
            del self.paper[mark_paper:], self.sih[mark_sih:]
            return False
        return True

    # -- checks: the exclusion rules of the module docstring --

    def check(self) -> None:
        paper, sih = self.paper, self.sih
        for i, p in enumerate(paper):
            p.rid = f"P{i + 1:07d}"
        equal_copies = [0] * len(paper)
        for s in sih:
            if s.rel == "equal":
                equal_copies[s.origin] += 1
        lanes: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i, p in enumerate(paper):
            lanes[(p.ipp, p.kind, p.key)].append(i)
        charted: dict[tuple[str, str, str], list[Rec]] = defaultdict(list)
        for s in sih:
            if not s.device:
                charted[(s.ipp, s.kind, s.key)].append(s)

        def exclude(index: int, rule: str) -> None:
            if not paper[index].excluded:
                paper[index].excluded = rule

        def nearer_by(own: int) -> int:
            return NEARER_BY_EXACT if own <= EXACT else NEARER_BY

        for lane, indices in lanes.items():
            tol = TOLERANCE[lane[1]]
            items = charted.get(lane, [])
            for i in indices:
                p = paper[i]
                for s in items:
                    d = abs(s.t - p.t)
                    own = abs(s.t - paper[s.origin].t) if s.rel else 0
                    if abs(d - tol) <= BOUNDARY and not (
                            s.rel and s.origin != i and d >= own + nearer_by(own)):
                        exclude(i, "tolerance_boundary")
                    if d > tol or s.origin == i:
                        continue
                    equal_here = s.canon == p.canon
                    if s.rel:
                        o = s.origin
                        equal_own = s.rel == "equal"
                        if (equal_here and not equal_own) or (
                                equal_here == equal_own and d < own + nearer_by(own)):
                            exclude(i, "copy_ambiguous")
                            exclude(o, "copy_ambiguous")
                    elif equal_here:
                        exclude(i, "unrelated_equal")
                    elif not equal_copies[i]:
                        exclude(i, "unrelated_changed")
            # Author-less charted items: near a monitor series, or ticking like one.
            authorless = sorted(s.t for s in items if not s.author)
            suspects = [t for t in authorless if any(
                ipp == lane[0] and code == lane[2] and first - 1200 <= t <= last + 1200
                for ipp, code, first, last in self.series)] if lane[1] == VITAL else []
            regular = [t for a, b, c in zip(authorless, authorless[1:], authorless[2:],
                                            strict=False) if abs((b - a) - (c - b)) <= 2
                       for t in (a, b, c)]
            for rule, times in (("authorless_series", suspects), ("authorless_regular", regular)):
                for t in times:
                    for i in indices:
                        if abs(paper[i].t - t) <= tol + BOUNDARY:
                            exclude(i, rule)

    def compute_labels(self) -> None:
        equal = [0] * len(self.paper)
        changed = [0] * len(self.paper)
        self.copies = [[] for _ in self.paper]
        for s in self.sih:
            if s.rel:
                self.copies[s.origin].append(s)
                (equal if s.rel == "equal" else changed)[s.origin] += 1
        self.labels = ["duplicate" if e >= 2 else "in_sih" if e == 1 else
                       "differs" if c else "missing" for e, c in zip(equal, changed, strict=True)]

    # -- padding: the same patients' other activity and other patients' items --

    def padding_rows(self, count: int, sep: str) -> list[str]:
        """Rows (without record id) that meet no paper item; see the module docstring."""
        rng = self.rng
        rows: list[str] = []
        minute_cache: dict[tuple[int, str], str] = {}

        def when(t: int) -> str:
            style = rng.choice(("local", "local", "utc", "naive"))
            if style == "naive" and AMBIGUOUS[0] <= t < AMBIGUOUS[1]:
                style = "local"
            key = (t, style)
            text = minute_cache.get(key)
            if text is None:
                text = minute_cache[key] = format_time(t, style)
            return text

        def outside() -> int:
            """A time at least SAFE_GAP outside the outage, to the minute."""
            if rng.random() < 0.75:
                t = rng.randrange(PAD_START, WINDOW_START - SAFE_GAP)
            else:
                t = rng.randrange(WINDOW_END + SAFE_GAP, PAD_END)
            return t - t % 60

        def inside() -> int:
            t = rng.randrange(WINDOW_START - 3600, WINDOW_END + 3600)
            return t - t % 60

        authors = [" ".join(n) for n in NURSES] + [a for n in NURSES[:6]
                                                   for a in author_spellings(*n)[:3]]
        note_texts = [fill(rng, s) for topic in NOTE_TOPICS for s in topic]
        formulary = list(FORMULARY.values())
        same = int(count * 0.4)
        others = count - same
        join = sep.join
        q_notes = [quote(n, sep) for n in note_texts]
        q_prof = [quote(n, sep) for n in OTHER_PROFESSIONS]

        def vital_row(ipp: str, nda: str, t: int) -> str:
            code = rng.choice(VITAL_CODES)
            spec = VITALS[code]
            value = vital_text(code, rng.randint(spec.low, spec.high))
            return join((ipp, nda, VITAL, code, value, spec.unit, "", when(t),
                         rng.choice(authors), "", ""))

        def med_row(ipp: str, nda: str, t: int) -> str:
            drug = rng.choice(formulary)
            value, unit = rng.choice(drug.doses)
            name = rng.choice((drug.inn, drug.inn, *drug.brands))
            return join((ipp, nda, MED, name, format_number(value), unit,
                         rng.choice(drug.routes), when(t), rng.choice(authors), "",
                         "completed"))

        def note_row(ipp: str, nda: str, t: int, texts: list[str]) -> str:
            return join((ipp, nda, NOTE, "", "", "", "", when(t), rng.choice(authors),
                         rng.choice(texts), ""))

        note_times = defaultdict(list)
        for p in self.paper:
            if p.kind == NOTE:
                note_times[p.ipp].append(p.t)
        patients = self.patients
        for _ in range(same):
            patient = rng.choice(patients)
            ipp, nda = patient.ipp, patient.nda
            r = rng.random()
            if r < 0.3:
                rows.append(vital_row(ipp, nda, outside()))
            elif r < 0.45:
                code, unit, low, high, tenths = rng.choice(PADDING_VITALS)
                value = rng.randint(low, high)
                text = f"{value / 10:.1f}" if tenths else str(value)
                rows.append(join((ipp, nda, VITAL, code, text, unit, "", when(inside()),
                                  rng.choice(authors), "", "")))
            elif r < 0.7:
                rows.append(med_row(ipp, nda, outside()))
            elif r < 0.85:
                name, value, unit, route = rng.choice(PADDING_DRUGS)
                rows.append(join((ipp, nda, MED, name, format_number(value), unit, route,
                                  when(inside()), rng.choice(authors), "", "completed")))
            elif r < 0.93:
                rows.append(note_row(ipp, nda, outside(), q_notes))
            else:
                t = inside()
                if all(abs(t - n) > TOLERANCE[NOTE] + 600 for n in note_times[ipp]):
                    rows.append(note_row(ipp, nda, t, q_prof))
                else:
                    rows.append(note_row(ipp, nda, outside(), q_prof))
        for _ in range(others):
            i = rng.randrange(max(1, others // 20))
            ipp, nda = f"7{i:08d}", f"9{i:08d}"
            t = rng.randrange(PAD_START, PAD_END)
            t -= t % 60
            r = rng.random()
            if r < 0.5:
                rows.append(vital_row(ipp, nda, t))
            elif r < 0.85:
                rows.append(med_row(ipp, nda, t))
            else:
                rows.append(note_row(ipp, nda, t, q_notes))
        return rows

    # -- writing --

    def write_extra(self, folder: Path) -> tuple[Path, ...]:
        """The SIH files other than ``sih.csv`` (round 2); ids of the records they hold."""
        return ()

    def write(self, folder: Path) -> Generated:
        folder.mkdir(parents=True, exist_ok=True)
        self.build_cases()
        self.compute_labels()
        self.check()
        sep = ";"
        extra = self.write_extra(folder)
        case_rows: list[tuple[str, Rec | None]] = [(s.row(sep), s) for s in self.sih
                                                   if s.fmt == "csv"]
        written_elsewhere = len(self.sih) - len(case_rows) + self.extra_padding
        pad = self.padding_rows(max(0, self.n_sih - len(case_rows) - written_elsewhere), sep)
        rows: list[tuple[str, Rec | None]] = case_rows + [(sep + r, None) for r in pad]
        self.rng.shuffle(rows)
        lines = []
        for n, (text, rec) in enumerate(rows, 1):
            rid = f"S{n:07d}"
            if rec is not None:
                rec.rid = rid
            lines.append(rid + text)
        paths = Generated(folder / "paper.csv", folder / "sih.csv", folder / "truth.csv", extra)
        _write(paths.sih, "\ufeff" + sep.join(COLUMNS) + "\n" + "\n".join(lines) + "\n")
        _write(paths.paper, ",".join(COLUMNS) + "\n"
               + "".join(p.row(",") + "\n" for p in self.paper))
        truth = [",".join(TRUTH_COLUMNS)]
        for i, p in enumerate(self.paper):
            tags = sorted(p.tags if self.extras else p.tags - self.extra_tags)
            truth.append(",".join((p.rid, p.ipp, p.kind, quote(p.code, ","), self.labels[i],
                                   p.case, "|".join(tags), p.excluded,
                                   "|".join(sorted(c.rid for c in self.copies[i])))))
        _write(paths.truth, "\n".join(truth) + "\n")
        return paths


def _write(path: Path, text: str) -> None:
    """Whole or not at all, so that a cache folder never holds half a file."""
    partial = path.with_suffix(".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def generate(folder: Path, n_paper: int, n_sih: int, seed: int,
             extras: bool = True, rounds: str = "1") -> Generated:
    """Round ``1`` (the first variations, one item CSV), ``2`` (the second round alone) or
    ``all`` (both, mixed on the same patients)."""
    if rounds == "1":
        return Generator(n_paper, n_sih, seed, extras).write(folder)
    if rounds not in ROUNDS:
        raise ValueError(rounds)
    from sih_variants_round2 import Round2Generator

    return Round2Generator(n_paper, n_sih, seed, extras, rounds).write(folder)


def extra_files(folder: Path) -> tuple[Path, ...]:
    """The round-2 SIH files of a generated folder (FHIR Bundle, NDJSON, HL7), in name order."""
    return tuple(sorted(p for p in folder.glob("sih-*")
                        if p.suffix in (".json", ".ndjson", ".hl7")))


def cached(root: Path, n_paper: int, n_sih: int, seed: int, extras: bool = True,
           log: Callable[[str], None] = print, rounds: str = "1") -> Generated:
    """The files for one size and seed, written once under ``root`` and reused."""
    folder = root / (f"v{GENERATOR_VERSION}-r{rounds}-p{n_paper}-s{n_sih}-seed{seed}"
                     + ("" if extras else "-noextras"))
    paths = Generated(folder / "paper.csv", folder / "sih.csv", folder / "truth.csv")
    if all(p.exists() for p in (paths.paper, paths.sih, paths.truth)):
        log(f"reusing {folder}")
        return Generated(paths.paper, paths.sih, paths.truth, extra_files(folder))
    started = time.perf_counter()
    paths = generate(folder, n_paper, n_sih, seed, extras, rounds)
    log(f"generated {folder} in {time.perf_counter() - started:.1f} s")
    return paths


@dataclass(frozen=True)
class TruthRow:
    record_id: str
    ipp: str
    kind: str
    code: str
    label: str
    case: str
    tags: tuple[str, ...]
    excluded: str
    expected_sih_ids: tuple[str, ...]


def read_truth(path: Path) -> list[TruthRow]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return [TruthRow(r["record_id"], r["ipp"], r["kind"], r["code"], r["label"], r["case"],
                         tuple(t for t in r["tags"].split("|") if t), r["excluded"],
                         tuple(s for s in r["expected_sih_ids"].split("|") if s))
                for r in csv.DictReader(handle)]
