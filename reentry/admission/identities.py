"""Provisional identities as an identity file, for linking to the SIH's patients.

The rows have the columns ``reentry link-identities`` reads (``reconcile.identity_table``),
the temporary code as ``id``: the reconciliation links them to real records with the same
identity-vigilance safeguards as any other identity file. Only identities not linked yet are
given: once a patient carries an IPP, there is nothing left to link.
"""

from __future__ import annotations

import csv
from pathlib import Path

from reentry.domain.admission import LinkStatus
from reentry.errors import UserError
from reentry.files import open_private, written_whole
from reentry.model import Patient
from reentry.reconcile.identity_columns import COLUMNS
from reentry.store.areas import AdmissionStore, Store

IDENTITY_COLUMNS = COLUMNS  # the identity file ``reentry link-identities`` reads


def provisional_identities(store: AdmissionStore) -> list[dict[str, str]]:
    """One row per patient admitted under a temporary identity and not linked yet."""
    return [identity_row(entry.admission.temporary_code, entry.patient)
            for entry in store.provisional_patients()
            if entry.link_status is LinkStatus.PROVISIONAL]


def identity_row(identifier: str, p: Patient) -> dict[str, str]:
    """A patient's traits in the identity-file columns (``reentry link-identities``)."""
    return {
        "id": identifier,
        "birth_name": p.birth_name or "", "used_name": p.used_name or "",
        "given_names": p.given_names or "",
        "birth_date": p.birth_date.isoformat() if p.birth_date else "",
        "sex": p.sex.value if p.sex else "", "birth_place": p.birthplace_insee or "",
        "address": p.address or "", "postcode": p.postcode or "", "city": p.city or "",
        "national_id": p.ins_nir or "",
    }


def write_identity_file(store: Store, path: Path) -> int:
    """Write the provisional identities to ``path`` (CSV, UTF-8), whole or not at all."""
    rows = provisional_identities(store)
    target = Path(path)
    try:
        with written_whole(target) as partial, open_private(
                partial, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=IDENTITY_COLUMNS, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
    except OSError as error:
        raise UserError("admission.cannot_write", path=str(target),
                        detail=error.strerror or str(error)) from error
    return len(rows)
