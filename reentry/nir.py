"""The INS-NIR (numéro d'inscription au répertoire), the national identifier carried by the INS.

Fifteen characters: sex (1), year (2), month (2), department (2, ``2A``/``2B`` for Corsica),
commune (3), order (3), then a two-digit key = 97 − (first 13 digits mod 97). For the key,
Corsica's ``2A`` counts as 19 and ``2B`` as 18.
"""

from __future__ import annotations

from reentry.i18n import Msg, msg

# OIDs of the INS-NIR assigning authority (production and test) in HL7 PID-3 and FHIR.
INS_NIR_OID = "1.2.250.1.213.1.4.8"
INS_NIR_TEST_OID = "1.2.250.1.213.1.4.10"
INS_OIDS = frozenset({INS_NIR_OID, INS_NIR_TEST_OID, "1.2.250.1.213.1.4.11", "1.2.250.1.213.1.4.9"})


def _numeric_body(first13: str) -> int:
    upper = first13.upper()
    if upper[5:7] == "2A":
        upper = upper[:5] + "19" + upper[7:]
    elif upper[5:7] == "2B":
        upper = upper[:5] + "18" + upper[7:]
    return int(upper)


def nir_key(first13: str) -> int:
    """The check key of the 13 first characters of a NIR."""
    return 97 - (_numeric_body(first13) % 97)


def nir_problem(value: str) -> Msg | None:
    """Why ``value`` is not a valid NIR, or None when it is."""
    nir = value.strip().upper().replace(" ", "")
    if len(nir) != 15:
        return msg("nir.length")
    body, key = nir[:13], nir[13:]
    digits_ok = body[:5].isdigit() and body[7:].isdigit() and key.isdigit()
    department = body[5:7]
    if not digits_ok or not (department.isdigit() or department in ("2A", "2B")):
        return msg("nir.digits")
    if nir_key(body) != int(key):
        return msg("nir.key")
    return None


def is_valid_nir(value: str) -> bool:
    return nir_problem(value) is None


def normalise_nir(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def make_nir(first13: str) -> str:
    """Complete 13 characters with their key (used to build synthetic test identities)."""
    return f"{first13}{nir_key(first13):02d}"
