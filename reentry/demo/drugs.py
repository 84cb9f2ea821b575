"""The demo formulary: real INN drug names with doses, routes and ward-style schedules.

Doses and times are those a French ward would write (paracétamol 1 g four times a day at 06:00,
12:00, 18:00 and 00:00; énoxaparine 4000 UI at 20:00...), so that the printed MAR looks right
to a nurse. Units are UCUM-friendly display text (mg, g, µg, mL, UI). Everything here is data;
``clinical.py`` picks from it per ward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Schedules in local time, as printed on French ward MARs.
ONCE_MORNING = ("08:00",)
ONCE_NOON = ("12:00",)
ONCE_EVENING = ("20:00",)
ONCE_BEDTIME = ("22:00",)
EARLY_MORNING = ("06:00",)
TWICE = ("08:00", "20:00")
THREE_MEALS = ("08:00", "12:00", "19:00")
EVERY_8H = ("06:00", "14:00", "22:00")
EVERY_6H = ("06:00", "12:00", "18:00", "00:00")
EVERY_4H = ("02:00", "06:00", "10:00", "14:00", "18:00", "22:00")
AS_NEEDED: tuple[str, ...] = ()

FREQUENCY_TEXT = {
    1: "1 fois par jour",
    2: "2 fois par jour",
    3: "3 fois par jour",
    4: "4 fois par jour",
    6: "6 fois par jour",
}
PRN_TEXT = "si besoin"


@dataclass(frozen=True, slots=True)
class DrugSpec:
    """One line of the formulary: what a prescription for this drug usually says.

    ``molecule`` groups the forms of one substance so a patient never gets two of them;
    ``per_kg``/``max_dose`` give the paediatric dose (rounded to ``step``) instead of ``dose``;
    ``continuous`` marks an infusion whose schedule lists the syringe or bag changes.
    """

    key: str
    drug: str
    molecule: str
    dose: float
    unit: str
    route: str
    schedule: tuple[str, ...]
    frequency: str = ""
    per_kg: float | None = None
    max_dose: float | None = None
    step: float = 1.0
    continuous: bool = False
    course_days: int | None = None
    males_only: bool = False

    @property
    def as_needed(self) -> bool:
        return not self.schedule

    @property
    def frequency_text(self) -> str:
        if self.frequency:
            return self.frequency
        if self.as_needed:
            return PRN_TEXT
        return FREQUENCY_TEXT[len(self.schedule)]


def _d(key: str, drug: str, dose: float, unit: str, route: str, schedule: tuple[str, ...],
       molecule: str | None = None, **extra: Any) -> DrugSpec:
    """A formulary line; the molecule defaults to the drug name."""
    return DrugSpec(key, drug, molecule or drug, dose, unit, route, schedule, **extra)


_CONTINUOUS_12H = "en continu (IVSE), seringue changée toutes les 12 h"
_CONTINUOUS_24H = "en continu sur 24 h"

DRUGS: dict[str, DrugSpec] = {spec.key: spec for spec in (
    # Analgesics and anti-inflammatories
    _d("paracetamol_po", "paracétamol", 1, "g", "PO", EVERY_6H),
    _d("paracetamol_iv", "paracétamol", 1, "g", "IV", EVERY_6H),
    _d("nefopam_iv", "néfopam", 20, "mg", "IV", EVERY_6H),
    _d("ketoprofene_iv", "kétoprofène", 100, "mg", "IV", TWICE, course_days=3),
    _d("ibuprofene_po", "ibuprofène", 400, "mg", "PO", THREE_MEALS, course_days=5),
    _d("tramadol_po", "tramadol", 50, "mg", "PO", EVERY_8H),
    _d("morphine_sc", "morphine", 5, "mg", "SC", AS_NEEDED),
    _d("morphine_lp", "sulfate de morphine LP", 30, "mg", "PO", TWICE, molecule="morphine"),
    _d("oxycodone_po", "oxycodone", 5, "mg", "PO", AS_NEEDED),
    _d("phloroglucinol_po", "phloroglucinol", 80, "mg", "PO", AS_NEEDED),
    # Anticoagulants and cardiology
    _d("enoxaparine_prev", "énoxaparine", 4000, "UI", "SC", ONCE_EVENING),
    _d("enoxaparine_cur", "énoxaparine", 6000, "UI", "SC", TWICE),
    _d("heparine_ivse", "héparine sodique", 20000, "UI/24 h", "IVSE", TWICE,
       frequency=_CONTINUOUS_12H),
    _d("apixaban_po", "apixaban", 5, "mg", "PO", TWICE),
    _d("aspirine_po", "acide acétylsalicylique", 75, "mg", "PO", ONCE_NOON),
    _d("clopidogrel_po", "clopidogrel", 75, "mg", "PO", ONCE_MORNING),
    _d("bisoprolol_po", "bisoprolol", 2.5, "mg", "PO", ONCE_MORNING),
    _d("amlodipine_po", "amlodipine", 5, "mg", "PO", ONCE_MORNING),
    _d("ramipril_po", "ramipril", 5, "mg", "PO", ONCE_MORNING),
    _d("furosemide_po", "furosémide", 40, "mg", "PO", ONCE_MORNING),
    _d("furosemide_iv", "furosémide", 40, "mg", "IV", ("08:00", "14:00")),
    _d("spironolactone_po", "spironolactone", 25, "mg", "PO", ONCE_MORNING),
    _d("amiodarone_po", "amiodarone", 200, "mg", "PO", ONCE_MORNING),
    _d("atorvastatine_po", "atorvastatine", 40, "mg", "PO", ONCE_EVENING),
    _d("atorvastatine_80", "atorvastatine", 80, "mg", "PO", ONCE_EVENING),
    _d("noradrenaline_ivse", "noradrénaline", 0.5, "mg/h", "IVSE", TWICE,
       frequency=_CONTINUOUS_12H),
    # Endocrinology
    _d("levothyroxine_po", "lévothyroxine", 75, "µg", "PO", EARLY_MORNING),
    _d("metformine_po", "metformine", 1000, "mg", "PO", ("08:00", "19:00")),
    _d("insuline_glargine", "insuline glargine", 20, "UI", "SC", ONCE_BEDTIME),
    _d("insuline_asparte", "insuline asparte", 4, "UI", "SC", AS_NEEDED,
       frequency="si besoin selon glycémie capillaire"),
    # Gastro-enterology
    _d("omeprazole_po", "oméprazole", 20, "mg", "PO", ONCE_MORNING),
    _d("esomeprazole_iv", "ésoméprazole", 40, "mg", "IV", ONCE_MORNING),
    _d("pantoprazole_po", "pantoprazole", 40, "mg", "PO", ONCE_MORNING),
    _d("macrogol_po", "macrogol", 10, "g", "PO", ONCE_MORNING),
    _d("ondansetron_iv", "ondansétron", 4, "mg", "IV", AS_NEEDED),
    _d("ondansetron_po", "ondansétron", 8, "mg", "PO", TWICE),
    _d("metoclopramide_po", "métoclopramide", 10, "mg", "PO", AS_NEEDED),
    # Anti-infectives
    _d("amoxicilline_po", "amoxicilline", 1, "g", "PO", EVERY_8H, course_days=7),
    _d("amoxiclav_iv", "amoxicilline + acide clavulanique", 1, "g", "IV", EVERY_8H,
       course_days=7),
    _d("ceftriaxone_iv", "ceftriaxone", 1, "g", "IV", ONCE_MORNING, course_days=7),
    _d("piperacilline_iv", "pipéracilline + tazobactam", 4, "g", "IV", EVERY_8H,
       course_days=7),
    _d("metronidazole_iv", "métronidazole", 500, "mg", "IV", EVERY_8H, course_days=7),
    _d("levofloxacine_po", "lévofloxacine", 500, "mg", "PO", ONCE_MORNING, course_days=7),
    # Respiratory
    _d("salbutamol_neb", "salbutamol", 5, "mg", "INH", EVERY_6H),
    _d("ipratropium_neb", "ipratropium", 0.5, "mg", "INH", EVERY_8H),
    _d("prednisolone_po", "prednisolone", 40, "mg", "PO", ONCE_MORNING, course_days=5),
    _d("methylprednisolone_iv", "méthylprednisolone", 40, "mg", "IV", ONCE_MORNING,
       course_days=5),
    _d("dexamethasone_po", "dexaméthasone", 8, "mg", "PO", ONCE_MORNING),
    # Neurology, psychiatry, sleep
    _d("levetiracetam_po", "lévétiracétam", 500, "mg", "PO", TWICE),
    _d("baclofene_po", "baclofène", 10, "mg", "PO", THREE_MEALS),
    _d("levodopa_po", "lévodopa + bensérazide", 62.5, "mg", "PO", ("08:00", "12:00", "16:00")),
    _d("donepezil_po", "donépézil", 5, "mg", "PO", ONCE_BEDTIME),
    _d("sertraline_po", "sertraline", 50, "mg", "PO", ONCE_MORNING),
    _d("zopiclone_po", "zopiclone", 3.75, "mg", "PO", AS_NEEDED,
       frequency="si besoin au coucher"),
    _d("oxazepam_po", "oxazépam", 10, "mg", "PO", AS_NEEDED),
    # Nephrology, urology, electrolytes, fluids
    _d("sevelamer_po", "sévélamer", 800, "mg", "PO", THREE_MEALS),
    _d("potassium_po", "chlorure de potassium", 600, "mg", "PO", THREE_MEALS),
    _d("allopurinol_po", "allopurinol", 100, "mg", "PO", ONCE_MORNING),
    _d("tamsulosine_po", "tamsulosine", 0.4, "mg", "PO", ONCE_EVENING, males_only=True),
    _d("nacl_perf", "chlorure de sodium 0,9 %", 1000, "mL/24 h", "IV", ONCE_MORNING,
       frequency=_CONTINUOUS_24H),
    _d("glucose_perf", "glucose 5 % + électrolytes", 1500, "mL/24 h", "IV", ONCE_MORNING,
       frequency=_CONTINUOUS_24H),
    _d("fer_po", "sulfate ferreux", 80, "mg", "PO", ONCE_MORNING),
    # Intensive care sedation
    _d("propofol_ivse", "propofol", 150, "mg/h", "IVSE", TWICE, frequency=_CONTINUOUS_12H),
    _d("sufentanil_ivse", "sufentanil", 15, "µg/h", "IVSE", TWICE, frequency=_CONTINUOUS_12H),
    # Paediatrics: dose per kg, rounded, capped at the adult dose
    _d("ped_paracetamol", "paracétamol", 0, "mg", "PO", EVERY_6H, per_kg=15, max_dose=1000,
       step=10),
    _d("ped_ibuprofene", "ibuprofène", 0, "mg", "PO", EVERY_8H, per_kg=10, max_dose=400,
       step=10, course_days=3),
    _d("ped_amoxicilline", "amoxicilline", 0, "mg", "PO", EVERY_8H, per_kg=17, max_dose=1000,
       step=10, course_days=7),
    _d("ped_ceftriaxone", "ceftriaxone", 0, "mg", "IV", ONCE_MORNING, per_kg=50,
       max_dose=2000, step=50, course_days=5),
    _d("ped_salbutamol", "salbutamol", 2.5, "mg", "INH", EVERY_4H),
    _d("ped_prednisolone", "prednisolone", 0, "mg", "PO", ONCE_MORNING, per_kg=1,
       max_dose=40, step=5, course_days=3),
    _d("ped_ondansetron", "ondansétron", 0, "mg", "PO", AS_NEEDED, per_kg=0.15, max_dose=4,
       step=0.5),
    _d("ped_macrogol", "macrogol", 4, "g", "PO", ONCE_MORNING),
)}


@dataclass(frozen=True, slots=True)
class WardMix:
    """What a ward usually prescribes: likely drugs with their odds, optional extras (mostly
    "si besoin"), and how many prescriptions a patient there has (the rest is filled with
    long-term treatments)."""

    core: tuple[tuple[str, float], ...]
    extras: tuple[str, ...]
    count: tuple[int, int]
    chronic: bool = True


# Long-term treatments that older adults bring with them, with their relative frequency.
CHRONIC: tuple[tuple[str, float], ...] = (
    ("amlodipine_po", 3), ("ramipril_po", 3), ("bisoprolol_po", 3), ("atorvastatine_po", 4),
    ("metformine_po", 3), ("levothyroxine_po", 2.5), ("aspirine_po", 3), ("apixaban_po", 2),
    ("omeprazole_po", 3), ("sertraline_po", 1.5), ("insuline_glargine", 1.5),
    ("furosemide_po", 2), ("allopurinol_po", 1), ("tamsulosine_po", 1.5), ("macrogol_po", 1.5),
    ("donepezil_po", 0.7), ("levodopa_po", 0.5), ("potassium_po", 0.7),
)

WARD_MIXES: dict[str, WardMix] = {
    "cardio": WardMix(
        core=(("bisoprolol_po", .8), ("furosemide_iv", .5), ("atorvastatine_80", .6),
              ("aspirine_po", .6), ("clopidogrel_po", .35), ("ramipril_po", .5),
              ("enoxaparine_prev", .5), ("amiodarone_po", .2), ("spironolactone_po", .25)),
        extras=("paracetamol_po", "zopiclone_po", "oxazepam_po"), count=(4, 11)),
    "usic": WardMix(
        core=(("heparine_ivse", .7), ("aspirine_po", .9), ("clopidogrel_po", .7),
              ("bisoprolol_po", .7), ("atorvastatine_80", .8), ("ramipril_po", .5),
              ("furosemide_iv", .3), ("omeprazole_po", .5)),
        extras=("morphine_sc", "paracetamol_po", "oxazepam_po"), count=(4, 10)),
    "pneumo": WardMix(
        core=(("salbutamol_neb", .6), ("ipratropium_neb", .5), ("amoxiclav_iv", .45),
              ("ceftriaxone_iv", .25), ("methylprednisolone_iv", .3), ("enoxaparine_prev", .8),
              ("paracetamol_po", .6), ("levofloxacine_po", .15)),
        extras=("zopiclone_po", "morphine_sc", "oxazepam_po"), count=(3, 10)),
    "rea": WardMix(
        core=(("noradrenaline_ivse", .5), ("propofol_ivse", .6), ("sufentanil_ivse", .6),
              ("piperacilline_iv", .5), ("heparine_ivse", .5), ("esomeprazole_iv", .8),
              ("glucose_perf", .7), ("paracetamol_iv", .7), ("insuline_asparte", .4),
              ("potassium_po", .2)),
        extras=("ondansetron_iv", "morphine_sc"), count=(6, 12), chronic=False),
    "neuro": WardMix(
        core=(("aspirine_po", .5), ("atorvastatine_80", .5), ("levetiracetam_po", .3),
              ("enoxaparine_prev", .8), ("paracetamol_po", .6), ("baclofene_po", .15),
              ("levodopa_po", .15), ("macrogol_po", .3)),
        extras=("tramadol_po", "zopiclone_po", "metoclopramide_po"), count=(3, 10)),
    "nephro": WardMix(
        core=(("furosemide_iv", .6), ("sevelamer_po", .4), ("fer_po", .3), ("amlodipine_po", .5),
              ("allopurinol_po", .3), ("enoxaparine_prev", .5), ("nacl_perf", .3),
              ("paracetamol_po", .5)),
        extras=("ondansetron_iv", "zopiclone_po"), count=(4, 11)),
    "chir": WardMix(
        core=(("paracetamol_iv", .9), ("nefopam_iv", .5), ("ketoprofene_iv", .4),
              ("enoxaparine_prev", .85), ("esomeprazole_iv", .5), ("nacl_perf", .5),
              ("amoxiclav_iv", .2), ("metronidazole_iv", .15)),
        extras=("morphine_sc", "ondansetron_iv", "tramadol_po"), count=(3, 9)),
    "ortho": WardMix(
        core=(("paracetamol_po", .9), ("ketoprofene_iv", .4), ("enoxaparine_prev", .9),
              ("tramadol_po", .4), ("macrogol_po", .5), ("omeprazole_po", .3)),
        extras=("oxycodone_po", "morphine_sc", "ondansetron_iv"), count=(3, 10)),
    "gastro": WardMix(
        core=(("pantoprazole_po", .6), ("esomeprazole_iv", .3), ("paracetamol_po", .6),
              ("glucose_perf", .4), ("enoxaparine_prev", .7), ("ceftriaxone_iv", .2),
              ("metronidazole_iv", .15)),
        extras=("phloroglucinol_po", "metoclopramide_po", "ondansetron_iv"), count=(3, 10)),
    "onco": WardMix(
        core=(("ondansetron_po", .7), ("dexamethasone_po", .5), ("morphine_lp", .4),
              ("paracetamol_po", .6), ("enoxaparine_prev", .6), ("macrogol_po", .5),
              ("omeprazole_po", .4)),
        extras=("morphine_sc", "metoclopramide_po", "oxazepam_po", "zopiclone_po"),
        count=(3, 11)),
    "maternite": WardMix(
        core=(("paracetamol_po", .95), ("ibuprofene_po", .6), ("fer_po", .35),
              ("enoxaparine_prev", .3)),
        extras=("phloroglucinol_po", "macrogol_po"), count=(2, 5), chronic=False),
    "pediatrie": WardMix(
        core=(("ped_paracetamol", .95), ("ped_amoxicilline", .35), ("ped_ceftriaxone", .15),
              ("ped_salbutamol", .3), ("ped_prednisolone", .2), ("ped_ibuprofene", .3)),
        extras=("ped_ondansetron", "ped_macrogol"), count=(2, 5), chronic=False),
    "medecine": WardMix(
        core=(("enoxaparine_prev", .8), ("paracetamol_po", .7), ("ceftriaxone_iv", .25),
              ("amoxicilline_po", .2), ("prednisolone_po", .15), ("nacl_perf", .3),
              ("potassium_po", .2)),
        extras=("tramadol_po", "zopiclone_po", "ondansetron_iv"), count=(3, 11)),
    "geriatrie": WardMix(
        core=(("enoxaparine_prev", .7), ("paracetamol_po", .85), ("macrogol_po", .6),
              ("furosemide_po", .3), ("nacl_perf", .2), ("ceftriaxone_iv", .15)),
        extras=("oxazepam_po", "tramadol_po", "zopiclone_po"), count=(5, 12)),
    "ssr": WardMix(
        core=(("paracetamol_po", .8), ("enoxaparine_prev", .5), ("macrogol_po", .5),
              ("baclofene_po", .1)),
        extras=("tramadol_po", "zopiclone_po", "oxazepam_po"), count=(4, 12)),
}

# Molecules of which a patient gets at most one (two anticoagulants or two proton-pump inhibitors
# on one MAR would be a prescribing error, not realism).
EXCLUSIVE_CLASS: dict[str, str] = {
    "apixaban": "anticoagulant", "énoxaparine": "anticoagulant",
    "héparine sodique": "anticoagulant",
    "oméprazole": "ipp", "ésoméprazole": "ipp", "pantoprazole": "ipp",
    "kétoprofène": "ains", "ibuprofène": "ains",
}

# Added when a patient would otherwise have fewer than the minimum number of prescriptions.
FALLBACK = ("paracetamol_po", "enoxaparine_prev", "macrogol_po", "omeprazole_po")
PEDIATRIC_FALLBACK = ("ped_paracetamol", "ped_macrogol", "ped_ibuprofene")

# Allergy → molecules that must not be prescribed to that patient.
CONTRAINDICATED: dict[str, tuple[str, ...]] = {
    "pénicilline": ("amoxicilline", "amoxicilline + acide clavulanique",
                    "pipéracilline + tazobactam"),
    "amoxicilline": ("amoxicilline", "amoxicilline + acide clavulanique",
                     "pipéracilline + tazobactam"),
    "céphalosporines": ("ceftriaxone",),
    "AINS": ("kétoprofène", "ibuprofène", "acide acétylsalicylique"),
    "aspirine": ("acide acétylsalicylique",),
    "morphine": ("morphine",),
    "tramadol": ("tramadol",),
    "héparine": ("héparine sodique", "énoxaparine"),
    "métoclopramide": ("métoclopramide",),
}
