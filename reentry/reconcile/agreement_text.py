"""The per-field agreement of an identity candidate, as a person reads it.

The linker records it compactly (``birth_name=1.00(birth/used);birth_date=exact;sex=same;...``,
the ``fields`` column of ``links.csv``); screens and reports show it in the user's language:
« Nom de naissance 1,00 (naissance/usage) · Date de naissance identique · Sexe identique … ».
"""

from __future__ import annotations

import re

from reentry.i18n import format_number, tr

_PART = re.compile(r"^(?P<field>[a-z_]+)=(?P<value>[^()]*)(?P<notes>(\([^()]*\))*)$")
_NOTE = re.compile(r"\(([^()]*)\)")


def agreement_text(fields: str) -> str:
    """``fields`` in words; a part it does not know is shown as written, never dropped."""
    return " · ".join(_part(part) for part in fields.split(";") if part.strip())


def _part(part: str) -> str:
    found = _PART.match(part.strip())
    if found is None:
        return part.strip()
    field = _word("field", found["field"])
    value = found["value"]
    shown = (_decimal(value) if re.fullmatch(r"\d+\.\d+", value) else _word("grade", value))
    notes = [_note(note) for note in _NOTE.findall(found["notes"] or "")]
    return " ".join([field, shown, *(f"({n})" for n in notes)])


def _decimal(value: str) -> str:
    """« 0.92 » as the language writes it, with as many decimals."""
    return format_number(float(value), len(value.partition(".")[2]))


def _note(note: str) -> str:
    if "/" in note:
        return "/".join(_word("name_kind", side) for side in note.split("/"))
    return _word("grade", note)


def _word(group: str, key: str) -> str:
    message_id = f"agreement.{group}_{key}"
    text = tr(message_id)
    return key if text == message_id else text
