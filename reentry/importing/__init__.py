"""Import what the SIH knows: FHIR R4, HL7 v2.5 (French PAM profile) or CSV, detected by content.

Each file is parsed and checked whole before anything is stored, then stored in one
transaction: a bad file changes nothing, and the same file imported twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from reentry.errors import FileRejected
from reentry.i18n import Msg, msg
from reentry.importing.source import SourceFile
from reentry.model import ImportBatch, ImportOutcome
from reentry.store.areas import Store

Parser = Callable[[SourceFile], ImportBatch]


def detect_format(source: SourceFile) -> str:
    """``fhir``, ``hl7v2`` or ``csv``, from the first meaningful bytes of the file."""
    head = source.data.lstrip(b"\xef\xbb\xbf \t\r\n\x0b")[:4096]
    if head.startswith((b"{", b"[")):
        return "fhir"
    if re.match(rb"[A-Z][A-Z0-9]{2}\|", head):
        return "hl7v2"  # even without MSH first, so that the HL7 reader can say what is wrong
    first_line = head.split(b"\n", 1)[0]
    if b"," in first_line or b";" in first_line:
        return "csv"
    raise FileRejected(source.name, msg("where.file"), msg("error.unknown_format"))


def parser_for(format: str) -> Parser:
    if format == "fhir":
        from reentry.importing.fhir import parse
    elif format == "hl7v2":
        from reentry.importing.hl7v2 import parse
    elif format == "csv":
        from reentry.importing.csv_tables import parse
    else:
        raise ValueError(format)
    return parse


def parse_file(path: str | Path) -> ImportBatch:
    source = SourceFile.read(path)
    return parser_for(detect_format(source))(source)


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    on_file_done: Callable[[Path, ImportOutcome], None] | None = None,
) -> list[ImportOutcome]:
    """Import each file on its own (all or nothing per file); stop at the first bad one."""
    outcomes = []
    for path in paths:
        source = SourceFile.read(path)
        format = detect_format(source)
        batch = parser_for(format)(source)
        try:
            outcome = store.apply_import(batch)
        except FileRejected as error:
            raise _located(error, source, format) from None
        outcomes.append(outcome)
        if on_file_done:
            on_file_done(Path(path), outcome)
    return outcomes


def _located(error: FileRejected, source: SourceFile, format: str) -> FileRejected:
    """A refusal from the store (a stay that is another patient's in the database, a patient
    or stay the database lacks) names the whole file; this names the line or the resource that
    brings that stay or patient, found by reading the file again."""
    if error.where.id != "where.file":
        return error
    problem = error.problem
    if problem.id == "problem.stay_of_another_patient":
        wanted = ("nda", str(problem.params.get("nda")))
    elif problem.id == "problem.missing_reference":
        kind, _, value = str(problem.params.get("reference")).partition(" ")
        wanted = ("nda" if kind == "NDA" else "ipp", value)
    else:
        return error
    where: Msg | None = None
    if format == "csv":
        from reentry.importing.csv_tables import locate
        where = locate(source, *wanted)
    elif wanted[0] == "nda" and format == "hl7v2":
        from reentry.importing.hl7v2 import locate_stay
        where = locate_stay(source, wanted[1])
    elif wanted[0] == "nda" and format == "fhir":
        from reentry.importing.fhir_stays import locate_stay as locate_encounter
        where = locate_encounter(source, wanted[1])
    return FileRejected(source.name, where or error.where, problem)
