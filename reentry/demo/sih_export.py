"""What the demo SIH holds after recovery: most re-entered items, with the usual defects.

From the items re-entered in the demo outage it writes an SIH export in the documented item CSV:
most items as they were typed (some under a brand name instead of the INN, a few minutes off),
some missing, some changed, some twice, plus device readings that no paper mentions. Same seed,
same export, so the reconciliation and its report work out of the box on the demo.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from reentry import clock
from reentry.domain.entry import Item, ItemKind
from reentry.export.csv_items import ITEM_COLUMNS
from reentry.files import make_private_folder, open_private
from reentry.store.areas import Store

BRANDS = {"paracétamol": "Doliprane", "énoxaparine": "Lovenox", "furosémide": "Lasilix",
          "lévothyroxine": "Levothyrox", "oméprazole": "Mopral", "zopiclone": "Imovane",
          "atorvastatine": "Tahor", "macrogol": "Forlax"}

MISSING, CHANGED, DUPLICATED, BRANDED = 0.06, 0.04, 0.03, 0.5


def write_sih_export(items: Sequence[Item], out: Path, seed: int = 1) -> int:
    """Write the demo SIH export; returns the number of rows written."""
    rng = random.Random(seed)
    rows = []
    for item in items:
        if not item.ipp or (item.kind is ItemKind.MEDICATION_ADMINISTRATION
                            and item.status != "completed"):
            continue
        draw = rng.random()
        if draw < MISSING:
            continue  # never typed into the SIH: the reconciliation must find it
        row = _row(item, rng)
        if draw < MISSING + CHANGED and item.value is not None:
            row["value"] = _number(item.value + (10 if item.kind is ItemKind.VITAL_SIGN else 1))
        rows.append(row)
        if rng.random() < DUPLICATED:
            twin = dict(row, record_id=row["record_id"] + "-bis")
            rows.append(twin)
        if item.kind is ItemKind.VITAL_SIGN and item.code == "8867-4" and rng.random() < 0.3:
            for minutes in (-15, 15):  # a monitor's readings around the nurse's
                rows.append(dict(row, record_id=f"{row['record_id']}-mon{minutes}",
                                 value=_number((item.value or 70) + rng.randint(-6, 6)),
                                 effective_time=_time(item, minutes), author="monitor"))
    make_private_folder(out.parent)
    partial = out.with_name(out.name + ".partial")
    with open_private(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ITEM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    partial.replace(out)
    return len(rows)


def _row(item: Item, rng: random.Random) -> dict[str, str]:
    code = item.code
    is_drug = item.kind is ItemKind.MEDICATION_ADMINISTRATION
    if is_drug and code in BRANDS and rng.random() < BRANDED:
        code = BRANDS[code]
    return {"record_id": f"SIH-{item.id}", "ipp": item.ipp or "", "nda": item.nda or "",
            "kind": item.kind.value, "code": "" if item.kind is ItemKind.NURSING_NOTE else code,
            "value": _number(item.value) if item.value is not None else (item.value_text or ""),
            "unit": item.unit or "", "route": item.route or "",
            "effective_time": _time(item, rng.randint(-4, 4)), "author": item.author,
            "text": item.text or ""}


def _time(item: Item, minutes: int) -> str:
    return clock.local(item.effective_time + timedelta(minutes=minutes)).isoformat(
        timespec="seconds")


def _number(value: float) -> str:
    return f"{value:g}"


def write_sih_patients(store: Store, out: Path, seed: int = 1) -> int:
    """The SIH's patient index after recovery, as an identity file: every inpatient under its
    IPP, and each person admitted on paper under a temporary identity, registered by the
    admissions office meanwhile under a new IPP (same traits, an address added), so that the
    demo's identity linking has someone to find."""
    from reentry.admission.identities import IDENTITY_COLUMNS, identity_row, provisional_identities

    rng = random.Random(seed)
    rows = [identity_row(row.patient.ipp, row.patient) for row in store.census()
            if row.patient.ipp]
    for number, person in enumerate(provisional_identities(store), start=1):
        registered = dict(person, id=f"8{rng.randrange(10**7):07d}{number:02d}",
                          address=person["address"] or "12 rue des Lilas",
                          postcode=person["postcode"] or "69003",
                          city=person["city"] or "Lyon")
        rows.append(registered)
    with open_private(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=IDENTITY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
