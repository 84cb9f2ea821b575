"""The demo hospital's places: three sites, fifteen wards (UF), rooms per floor, beds.

Each ward also says who is usually found there (ages, sex ratio, length of stay, where
transferred patients come from), so that the census looks like a real one: mothers in the
maternity ward, children in paediatrics, the very old in geriatrics.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from reentry.model import Bed, Site, Ward

SITES = (
    Site("NORD", "Hôpital Nord"),
    Site("SUD", "Hôpital Sud"),
    Site("PARC", "Clinique du Parc"),
)

# Bed labels per site: some hospitals letter their beds, others number them.
BED_LABELS = {"NORD": ("A", "B"), "SUD": ("1", "2"), "PARC": ("A", "B")}


@dataclass(frozen=True, slots=True)
class WardSpec:
    """One ward and the patients it usually holds.

    ``ages`` is (youngest, most common, oldest) in years; ``stay_hours`` is (mean, longest)
    time since admission; ``transfer_from`` names the wards a patient may have come through.
    """

    code: str
    name: str
    site_code: str
    floor: int
    kind: str
    weight: float
    ages: tuple[float, float, float]
    female_share: float
    stay_hours: tuple[float, float]
    double_rooms: float = 0.5
    transfer_from: tuple[str, ...] = ()
    transfer_share: float = 0.0

    @property
    def ward(self) -> Ward:
        return Ward(self.code, self.name, self.site_code)


MAX_STAY_HOURS = 21 * 24

WARD_SPECS: tuple[WardSpec, ...] = (
    WardSpec("1110", "Cardiologie", "NORD", 1, "cardio", 1.2, (40, 74, 96), .40, (110, 400),
             transfer_from=("1120",), transfer_share=.25),
    WardSpec("1120", "USIC", "NORD", 2, "usic", .35, (38, 68, 92), .30, (50, 200),
             double_rooms=0),
    WardSpec("1130", "Pneumologie", "NORD", 3, "pneumo", 1.0, (35, 70, 95), .45, (150, 480),
             transfer_from=("1140", "3310"), transfer_share=.15),
    WardSpec("1140", "Réanimation polyvalente", "NORD", 4, "rea", .45, (18, 64, 90), .38,
             (120, 504), double_rooms=0, transfer_from=("2210", "1130", "1110"),
             transfer_share=.15),
    WardSpec("1150", "Neurologie", "NORD", 5, "neuro", .9, (25, 70, 96), .48, (140, 480),
             transfer_from=("1140", "1120"), transfer_share=.15),
    WardSpec("1160", "Néphrologie", "NORD", 6, "nephro", .7, (30, 68, 92), .42, (130, 480),
             transfer_from=("1140", "3310"), transfer_share=.10),
    WardSpec("2210", "Chirurgie viscérale", "SUD", 1, "chir", 1.0, (19, 58, 92), .48, (90, 400),
             transfer_from=("1140", "2230"), transfer_share=.15),
    WardSpec("2220", "Orthopédie - traumatologie", "SUD", 2, "ortho", 1.1, (16, 72, 99), .56,
             (100, 480), transfer_from=("1140", "3320"), transfer_share=.10),
    WardSpec("2230", "Gastro-entérologie", "SUD", 3, "gastro", .9, (20, 62, 93), .47,
             (110, 450), transfer_from=("2210", "1140", "3310"), transfer_share=.10),
    WardSpec("2240", "Oncologie", "SUD", 4, "onco", .9, (28, 66, 92), .50, (120, 480),
             transfer_from=("2230", "1130", "3310"), transfer_share=.15),
    WardSpec("2250", "Maternité", "SUD", 5, "maternite", .8, (18, 31, 45), 1.0, (50, 140),
             double_rooms=.2),
    WardSpec("2260", "Pédiatrie", "SUD", 6, "pediatrie", .6, (.1, 4, 17.9), .46, (50, 240),
             double_rooms=.3),
    WardSpec("3310", "Médecine interne", "PARC", 1, "medecine", 1.1, (22, 72, 97), .52,
             (150, 504), transfer_from=("1140", "2230", "1110"), transfer_share=.15),
    WardSpec("3320", "Gériatrie aiguë", "PARC", 2, "geriatrie", 1.3, (75, 87, 102), .64,
             (200, 504), transfer_from=("3310", "2220", "1110"), transfer_share=.25),
    WardSpec("3330", "Soins médicaux et de réadaptation", "PARC", 3, "ssr", 1.3, (45, 80, 99),
             .58, (300, 504), transfer_from=("2220", "1150", "3320", "2210"),
             transfer_share=.55),
)

SPECS_BY_CODE = {spec.code: spec for spec in WARD_SPECS}


@dataclass(slots=True)
class WardLayout:
    """A ward's beds in room order, and the beds that hold a patient now."""

    spec: WardSpec
    beds: list[Bed] = field(default_factory=list)
    occupied: list[Bed] = field(default_factory=list)


def split_patients(patients: int) -> list[int]:
    """How many patients each ward holds: proportional to its weight (largest remainder)."""
    total_weight = sum(spec.weight for spec in WARD_SPECS)
    shares = [patients * spec.weight / total_weight for spec in WARD_SPECS]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: patients - sum(counts)]:
        counts[i] += 1
    return counts


def _room_beds(rng: random.Random, spec: WardSpec, capacity: int) -> list[Bed]:
    """Rooms numbered per floor ("101", "102"...) with one or two beds, enough for capacity."""
    labels = BED_LABELS[spec.site_code]
    beds: list[Bed] = []
    number = 0
    while len(beds) < capacity:
        number += 1
        room = f"{spec.floor}{number:02d}"
        two_beds = rng.random() < spec.double_rooms
        for label in labels[: 2 if two_beds else 1]:
            beds.append(Bed(spec.code, room, label))
    return beds


def _spare_beds(rng: random.Random, occupied: int) -> int:
    """Empty beds on a ward: a few percent, at least one, so the census is never a full house."""
    return max(1, math.ceil(occupied * rng.uniform(0.05, 0.15)))


def lay_out_wards(rng: random.Random, patients: int) -> list[WardLayout]:
    """Every ward with its beds, and which beds are taken (never more patients than beds)."""
    layouts = []
    for spec, count in zip(WARD_SPECS, split_patients(patients), strict=True):
        beds = _room_beds(rng, spec, count + _spare_beds(rng, count))
        taken = set(rng.sample(range(len(beds)), count))
        occupied = [bed for index, bed in enumerate(beds) if index in taken]
        layouts.append(WardLayout(spec, beds, occupied))
    return layouts
