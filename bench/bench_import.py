"""Import throughput: HL7 v2 ADT messages per second and FHIR resources per second.

Writes synthetic files (patterned on the ANS and Inferno samples, identities made up) into a
temporary folder, imports each into a fresh SQLite database through the real import path
(detection, parsing, one transaction) and prints the figures. No assertion on time.

    .venv/bin/python bench/bench_import.py [--messages 5000] [--patients 500]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from reentry.importing import import_files
from reentry.nir import make_nir
from reentry.store import open_store

ADT = (
    "MSH|^~\\&|GAM|CHU-X|DPI|CHU-X|{ts}||ADT^A01^ADT_A01|{n}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8"
    "|FR||2.11^IHE_FRANCE-2.11-PAM\r"
    "EVN||{ts}||||{ts}\r"
    "PID|1||{ipp}^^^CHU-X&000897406&N^PI~{nir}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"
    "||NOM{n}^PRENOM^PRENOM^^^^L||19790328|F|||1 rue de la Paix^^PARIS^^75002^FRA^H||||||||"
    "|||||||||||||VALI\r"
    "PV1|1|I|^{room}^{bed}^CHU-X&000897406&M||||||||||||||||{nda}^^^CHU-X&000897406&M^VN\r"
    "ZBE|{n}^CHU-X^000897406|{ts}||INSERT|N||Chir V^^^^^CHU-X&000897406&N^UF^^^6268"
    "|Chir V^^^^^CHU-X&000897406&N^UF^^^6268|HMS\r"
)


def write_hl7(folder: Path, count: int) -> Path:
    path = folder / "adt.hl7"
    with path.open("w", encoding="utf-8", newline="") as out:
        for n in range(1, count + 1):
            nir = make_nir(f"2790375{n % 1000:03d}{n % 997:03d}")
            out.write(ADT.format(ts="20261123120000", n=n, ipp=f"{n:09d}", nir=nir,
                                 room=100 + n % 40, bed="A" if n % 2 else "B",
                                 nda=f"5{n:08d}"))
            out.write("\n")
    return path


def write_fhir(folder: Path, patients: int) -> tuple[Path, int]:
    entries = []
    for n in range(patients):
        pid, eid = f"p{n}", f"e{n}"
        entries.append({"resourceType": "Patient", "id": pid,
                        "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": f"{n:09d}"}],
                        "name": [{"use": "official", "family": f"NOM{n}", "given": ["Jeanne"]}],
                        "gender": "female", "birthDate": "1950-01-01"})
        entries.append({"resourceType": "Encounter", "id": eid, "status": "in-progress",
                        "class": {"code": "IMP"}, "subject": {"reference": f"Patient/{pid}"},
                        "period": {"start": "2026-11-20T08:00:00+01:00"},
                        "location": [{"location": {"display": "Cardiologie"}}]})
        for k in range(8):
            entries.append({
                "resourceType": "Observation", "id": f"o{n}-{k}", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4",
                                     "display": "Heart rate"}]},
                "subject": {"reference": f"Patient/{pid}"},
                "encounter": {"reference": f"Encounter/{eid}"},
                "effectiveDateTime": f"2026-11-23T{k + 8:02d}:00:00+01:00",
                "valueQuantity": {"value": 70 + k, "unit": "/min", "code": "/min"}})
    bundle = {"resourceType": "Bundle", "type": "collection",
              "timestamp": "2026-11-23T18:00:00+01:00",
              "entry": [{"resource": r} for r in entries]}
    path = folder / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path, len(entries)


def measure(path: Path, db: Path) -> float:
    store = open_store(db)
    start = time.perf_counter()
    import_files(store, [path])
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--patients", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        hl7 = write_hl7(folder, args.messages)
        seconds = measure(hl7, folder / "hl7.sqlite")
        print(f"HL7 v2 ADT^A01: {args.messages} messages in {seconds:.2f} s "
              f"= {args.messages / seconds:,.0f} messages/s")
        fhir, resources = write_fhir(folder, args.patients)
        seconds = measure(fhir, folder / "fhir.sqlite")
        print(f"FHIR R4 Bundle: {resources} resources in {seconds:.2f} s "
              f"= {resources / seconds:,.0f} resources/s")


if __name__ == "__main__":
    main()
