"""Synthetic nursing notes: short French texts per shift, consistent with the rest of the dossier.

A note written during a fever quotes the temperature that was charted, a pain note the pain
score and the patient's own pain medicine; a note about sedation appears only if sedation is
prescribed; the night shift writes night notes, the maternity ward writes about breastfeeding.
Texts are templates filled with the patient's data.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import datetime

from reentry.demo.clinical import HOUR, Inpatient, Round, local_times
from reentry.model import Note, Prescription


@dataclass(frozen=True, slots=True)
class Template:
    """A note text with {placeholders}; ``needs``: one of these drugs must be prescribed."""

    text: str
    by_aide: bool = False
    needs: frozenset[str] = frozenset()


def _t(text: str, by_aide: bool = False, needs: tuple[str, ...] = ()) -> Template:
    return Template(text, by_aide, frozenset(needs))


SEDATION = ("propofol", "sufentanil")
AMINES = ("noradrénaline",)

# Shifts in local time: (start, length in hours, is night).
SHIFTS = (("07:00", 7, False), ("14:00", 7, False), ("21:00", 10, True))

ADMISSION = (
    _t("Entrée dans le service à {hour} en provenance des urgences. Installé{e} en chambre "
       "{room}. Identité vérifiée avec {pronoun} (nom, prénom, date de naissance), bracelet "
       "posé."),
    _t("Arrivée à {hour}. Accueil et installation en chambre {room}, inventaire fait. Bracelet "
       "d'identification posé et vérifié. Constantes d'entrée prises."),
)
FEVER = (
    _t("Pic fébrile à {temp} °C, frissons. Hémocultures prélevées x2, médecin prévenu. "
       "Paracétamol administré selon prescription.", needs=("paracétamol",)),
    _t("Température à {temp} °C, FC {fc}/min. {patient} couvert{e} légèrement, hydratation "
       "encouragée. Interne de garde informé."),
)
PAIN = (
    _t("Douleur EVA {eva} à la mobilisation. {analgesic} administré, réévaluation à 1 h : "
       "EVA {eva_after}."),
    _t("Se plaint de douleurs (EVA {eva}). {analgesic} donné selon prescription, "
       "{patient_lc} soulagé{e} à la réévaluation."),
)
NIGHT_PAIN = (
    _t("Réveillé{e} dans la nuit par la douleur (EVA {eva}). {analgesic} donné selon "
       "prescription, rendormi{e}."),
)
OXYGEN = (
    _t("SpO2 {spo2} % en air ambiant, mise sous O2 2 L/min aux lunettes. Médecin prévenu."),
    _t("Désaturation à {spo2} %, installé{e} en position demi-assise, O2 augmenté à 3 L/min. "
       "À surveiller."),
)
NIGHT = (
    _t("Nuit calme, {patient_lc} a dormi. Pas d'appel.", by_aide=True),
    _t("Nuit agitée, s'est levé{e} plusieurs fois, réorienté{e}. Sonnette à portée de main."),
    _t("Sommeil entrecoupé, anxieux{x}. Écoute et réassurance. Surveillance horaire."),
    _t("Nuit sans particularité. Tour de 4 h : dort.", by_aide=True),
)
VITALS_NOTE = _t("Constantes stables (PA {pas}/{pad} mmHg, FC {fc}/min).")
BLOOD_TEST = _t("Bilan sanguin prélevé à {hour}, tubes envoyés au laboratoire.")
ROUND_NOTE = _t("Visite médicale faite, traitement inchangé. Famille informée de l'évolution.")
DAY = (
    _t("{patient} calme et coopérant{e}, douleur bien contrôlée (EVA {eva}). Alimentation "
       "reprise."),
    VITALS_NOTE, BLOOD_TEST, ROUND_NOTE,
    _t("Toilette au lavabo avec aide partielle. Lever au fauteuil bien toléré.", by_aide=True),
    _t("Voie veineuse périphérique perméable, point de ponction propre, pansement refait."),
    _t("Repas pris en totalité. Hydratation encouragée.", by_aide=True),
    _t("Diurèse conservée, urines claires. Transit normal.", by_aide=True),
)
WARD_DAY = {
    "cardio": (
        _t("Scope en place, rythme sinusal régulier. Pas de douleur thoracique."),
        _t("Pesée : {weight} kg. Œdèmes des membres inférieurs en diminution.", by_aide=True),
        _t("ECG fait à la demande du cardiologue, transmis.")),
    "usic": (
        _t("Scope : rythme sinusal, pas de trouble du rythme. Pas de douleur thoracique."),
        _t("Point de ponction radial propre, pas d'hématome. Pouls perçu.")),
    "pneumo": (
        _t("Aérosols faits, expectorations claires. Kiné respiratoire ce matin."),
        _t("O2 à 2 L/min aux lunettes, SpO2 {spo2} %. Dyspnée d'effort stable.")),
    "rea": (
        _t("Sédation en cours, RASS -3. Aspirations trachéales : sécrétions claires.",
           needs=SEDATION),
        _t("Amines diminuées selon protocole, PAM supérieure à 65 mmHg.", needs=AMINES),
        _t("Retournement, soins de bouche et soins d'yeux faits. Points d'appui protégés."),
        _t("{patient} conscient{e}, ventilation spontanée, O2 aux lunettes 3 L/min."),
        _t("Cathéter veineux central propre, pansement refait, date notée.")),
    "neuro": (
        _t("Score de Glasgow à 15, pas de déficit nouveau. Pupilles symétriques réactives."),
        _t("Déglutition évaluée : eau gélifiée, repas mixé. Pas de fausse route.")),
    "nephro": (
        _t("Pesée : {weight} kg. Diurèse des 24 h : {diuresis} mL.", by_aide=True),
        _t("Séance de dialyse réalisée de 8 h à 12 h, bien tolérée. Fistule : thrill perçu.")),
    "chir": (
        _t("Pansement refait, cicatrice propre et sèche, pas de signe inflammatoire."),
        _t("Redon : {drain} mL sur 24 h, aspect séro-hématique."),
        _t("Premier lever au fauteuil avec le kiné, bien toléré. Reprise alimentaire liquide.")),
    "ortho": (
        _t("Pansement refait, cicatrice propre. Membre chaud, bien coloré, mobilité et "
           "sensibilité conservées."),
        _t("Marche avec déambulateur et kiné, 15 m dans le couloir. Appui autorisé.")),
    "gastro": (
        _t("Préparation colique en cours pour la coloscopie de demain, bien tolérée."),
        _t("À jeun pour la fibroscopie. Abdomen souple, indolore.")),
    "onco": (
        _t("Cure de chimiothérapie J2 en cours, pas de nausées."),
        _t("Chambre implantable perméable, pansement refait. Bains de bouche faits.")),
    "maternite": (
        _t("Utérus bien rétracté, lochies normales. Périnée propre, pas d'œdème."),
        _t("Allaitement maternel en place, bonne mise au sein. Bébé : tétées régulières, "
           "couches mouillées."),
        _t("Peau à peau avec le nouveau-né. Maman fatiguée mais souriante.", by_aide=True)),
    "pediatrie": (
        _t("Enfant souriant, joue dans la chambre. Parents présents.", by_aide=True),
        _t("Prise alimentaire correcte. Poids : {weight} kg.", by_aide=True),
        _t("Aérosols faits, désobstruction rhinopharyngée réalisée. Parents rassurés.")),
    "medecine": (
        _t("Ponction lombaire réalisée, bien tolérée. Repos au lit 2 h."),
        _t("Bilan étiologique en cours. Scanner prévu demain matin.")),
    "geriatrie": (
        _t("Épisode de désorientation, réorienté{e}. Famille prévenue."),
        _t("Prévention d'escarres : effleurages, changements de position toutes les 3 h, "
           "talons surélevés.", by_aide=True),
        _t("Appel de la fille, nouvelles données. Projet de sortie en cours avec l'assistante "
           "sociale.")),
    "ssr": (
        _t("Séance de kiné : marche 20 m avec déambulateur. Progrès."),
        _t("Ergothérapie : habillage du haut seul{e}. Projet de retour à domicile discuté.")),
}
WARD_NIGHT = {
    "rea": (
        _t("Nuit : sédation stable, bonne adaptation au respirateur. Aspirations x2.",
           needs=SEDATION),
        _t("Nuit : hémodynamique stable, amines inchangées. Retournement à 2 h.", needs=AMINES),
        _t("Nuit : surveillance horaire, constantes stables. Retournement à 2 h.")),
    "maternite": (
        _t("Nuit : tétées toutes les 3 h, aide à la mise au sein. Maman fatiguée."),),
    "pediatrie": (
        _t("Nuit calme, enfant endormi, parent présent dans la chambre.", by_aide=True),
        _t("Réveil dans la nuit, rassuré{e} par l'équipe, rendormi{e} rapidement.")),
}
# Wards where routine adult notes (meals, getting up) would read wrong: mostly their own notes.
WARD_FIRST = frozenset({"rea", "pediatrie", "maternite"})
GENERAL = (VITALS_NOTE, BLOOD_TEST, ROUND_NOTE)
PAIN_MEDICINES = ("morphine", "oxycodone", "tramadol", "néfopam", "paracétamol", "phloroglucinol")


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _analgesic(prescriptions: list[Prescription]) -> str:
    """The patient's own pain medicine, as a nurse writes it ("Morphine 5 mg SC"), as-needed
    ones first."""
    by_rank = sorted(
        (p for p in prescriptions if p.drug in PAIN_MEDICINES),
        key=lambda p: (bool(p.schedule), PAIN_MEDICINES.index(p.drug)))
    if not by_rank:
        return "Antalgique de palier 1"
    found = by_rank[0]
    text = f"{found.drug} {_number(found.dose or 0)} {found.unit} {found.route}"
    return text[0].upper() + text[1:]


def _latest_round(rounds: list[Round], moment: datetime) -> Round | None:
    index = bisect.bisect_right([r.at for r in rounds], moment)
    return rounds[index - 1] if index else None


def _fill(rng: random.Random, patient: Inpatient, moment: datetime, charted: Round | None,
          prescriptions: list[Prescription]) -> dict[str, str]:
    values = charted.values if charted else {}
    female = patient.sex.value == "F"
    subject = "Enfant" if patient.is_child else ("Patiente" if female else "Patient")
    eva = int(values.get("pain", rng.randint(0, 3)))
    local = moment.astimezone(patient.zone)
    return {
        "e": "e" if female else "", "x": "se" if female else "",
        "patient": subject, "patient_lc": subject.lower(),
        "pronoun": "les parents" if patient.is_child else (
            "la patiente" if female else "le patient"),
        "eva": str(eva), "eva_after": str(max(0, eva - rng.randint(2, 4))),
        "temp": _number(values.get("temperature", 38.4)),
        "spo2": str(int(values.get("spo2", 91))), "fc": str(int(values.get("heart_rate", 90))),
        "pas": str(int(values.get("systolic", 125))),
        "pad": str(int(values.get("diastolic", 75))),
        "hour": f"{local.hour} h {local.minute:02d}", "room": patient.room,
        "weight": _number(patient.weight_kg), "diuresis": str(rng.randrange(600, 2200, 50)),
        "drain": str(rng.randrange(10, 150, 5)), "analgesic": _analgesic(prescriptions),
    }


def _pool(rng: random.Random, patient: Inpatient, moment: datetime, night: bool,
          charted: Round | None, first: bool) -> tuple[Template, ...]:
    """The kind of note the moment calls for: arrival, fever, pain, oxygen, or routine."""
    values = charted.values if charted else {}
    if first and moment - patient.admitted_at < 6 * HOUR:
        return ADMISSION
    if values.get("temperature", 0) >= 38.0 and rng.random() < 0.8:
        return FEVER
    if values.get("pain", 0) >= 5 and rng.random() < 0.7:
        return NIGHT_PAIN if night else PAIN
    if values.get("spo2", 100) < 92 and rng.random() < 0.6:
        return OXYGEN
    if night:
        return WARD_NIGHT.get(patient.kind, NIGHT)
    ward = WARD_DAY[patient.kind]
    if patient.kind in WARD_FIRST:
        return ward if rng.random() < 0.7 else GENERAL
    return ward if rng.random() < 0.5 else DAY


def _choose(rng: random.Random, pool: tuple[Template, ...], drugs: set[str],
            used: set[Template]) -> Template:
    """A template that fits the prescriptions, preferring one not used yet for this patient."""
    fitting = [t for t in pool if not t.needs or t.needs & drugs] or list(GENERAL)
    fresh = [t for t in fitting if t not in used]
    chosen = rng.choice(fresh or fitting)
    used.add(chosen)
    return chosen


def _note_times(rng: random.Random, patient: Inpatient,
                start: datetime) -> list[tuple[datetime, bool]]:
    """One to three notes per shift overlapping the charted window, each with "is night"."""
    times = []
    for clock_time, hours, night in SHIFTS:
        for shift_start in local_times(start - 12 * HOUR, patient.as_of, (clock_time,),
                                       patient.zone):
            begin = max(shift_start, start)
            end = min(shift_start + hours * HOUR, patient.as_of)
            if end - begin < HOUR / 2:
                continue
            for _ in range(rng.choices((1, 2, 3), (5, 3, 1))[0]):
                moment = begin + rng.random() * (end - begin)
                times.append((moment.replace(second=0, microsecond=0), night))
    return sorted(times)


def notes_for(rng: random.Random, patient: Inpatient, start: datetime, rounds: list[Round],
              prescriptions: list[Prescription]) -> list[Note]:
    notes: list[Note] = []
    used: set[Template] = set()
    drugs = {p.drug for p in prescriptions}
    for number, (moment, night) in enumerate(_note_times(rng, patient, start), 1):
        charted = _latest_round(rounds, moment)
        pool = _pool(rng, patient, moment, night, charted, first=number == 1)
        template = _choose(rng, pool, drugs, used)
        text = template.text.format_map(_fill(rng, patient, moment, charted, prescriptions))
        by_aide = template.by_aide and rng.random() < 0.6
        author = rng.choice(patient.aides if by_aide else patient.nurses)
        notes.append(Note(
            source_id=f"demo-note-{patient.nda}-{number:03d}", patient=patient.key,
            written_at=moment, text=text, nda=patient.nda, author=author,
        ))
    return notes
