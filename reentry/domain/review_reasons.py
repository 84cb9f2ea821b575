"""A verdict's reason as stored: the matcher's message tree (ids and parameters, as JSON),
rendered in the reader's language only when someone reads it.

Rendering every reason of a run in every language when the run is stored cost more than the
matching itself, for text that is mostly never looked at; the tree is smaller to write, and a
language added later reads old runs too.

The JSON of a message is ``{"id": ..., "params": {...}}`` (``params`` left out when empty); a
parameter that is a message is such an object (plain parameters are text or numbers, never
objects); a list of messages (``MsgList``) is ``{"id": ..., "separator": ..., "parts": [...]}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.encoder import encode_basestring as _string
from typing import Any

from reentry import clinical_codes, display
from reentry.i18n import LANGUAGES, Msg, MsgList, format_number, get_language


def reason_json(reason: Msg) -> str:
    """The message tree of ``reason`` as JSON text (what ``review_verdicts.reason`` holds): the
    text ``json.dumps(reason_tree(reason), ensure_ascii=False)`` gives, written with one
    template per message shape (id and parameter names), since a run writes tens of thousands."""
    return _emit(reason)


def reason_tree(message: Msg) -> dict[str, Any]:
    """The message as JSON-ready values."""
    if type(message) is MsgList:
        return {"id": message.id, "separator": message.separator,
                "parts": [reason_tree(part) for part in message.parts]}
    if not message.params:
        return {"id": message.id}
    return {"id": message.id, "params": {
        key: (reason_tree(value) if isinstance(value, Msg) else value)
        for key, value in message.params.items()}}


_TEMPLATES: dict[tuple[str, ...], str] = {}
_LISTS: dict[tuple[str, ...], str] = {}


def _emit(message: Msg) -> str:
    if type(message) is MsgList:
        return _emit_list(message)
    params = message.params
    return shape_json(message.id, tuple(params),
                      [_emit(v) if isinstance(v, Msg) else json_scalar(v)
                       for v in params.values()])


def shape_json(message_id: str, names: tuple[str, ...], encoded: list[str]) -> str:
    """The JSON of a message whose parameters (``names``) are already encoded (``encoded``),
    as ``reason_json`` writes it: one template per message shape."""
    shape = (message_id, *names)
    template = _TEMPLATES.get(shape)
    if template is None:
        template = _TEMPLATES[shape] = _template(shape)
    return template % tuple(encoded)


def _template(shape: tuple[str, ...]) -> str:
    """``{"id": "...", "params": {"a": %s, ...}}`` for a message id and its parameter names."""
    head = f'{{"id": {_dumps(shape[0])}'.replace("%", "%%")
    if len(shape) == 1:
        return head + "}"
    members = ", ".join(_dumps(name).replace("%", "%%") + ": %s" for name in shape[1:])
    return f'{head}, "params": {{{members}}}}}'


def _emit_list(message: MsgList) -> str:
    # Lists of bare messages (the fields a match vouches for) repeat on most verdicts.
    parts = message.parts
    key = (message.id, message.separator, *[part.id for part in parts if not part.params])
    if len(key) == len(parts) + 2:
        found = _LISTS.get(key)
        if found is None:
            found = _LISTS[key] = _dumps(reason_tree(message))
        return found
    return list_json(message.id, message.separator, [_emit(part) for part in parts])


def list_json(message_id: str, separator: str, parts: list[str]) -> str:
    """The JSON of a list of messages whose parts are already encoded."""
    return (f'{{"id": {_dumps(message_id)}, "separator": {_dumps(separator)},'
            f' "parts": [{", ".join(parts)}]}}')


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_scalar(value: object) -> str:
    """A parameter that is not a message, as JSON."""
    if type(value) is str:
        return _string(value)
    return _dumps(value)


def reason_msg(text: str | None) -> Msg:
    """The message tree stored by ``reason_json`` (an empty message for an empty column)."""
    if not text:
        return Msg("")
    return _message(json.loads(text))


def _message(tree: dict[str, Any]) -> Msg:
    if "parts" in tree:
        return MsgList(tree["id"], {}, tuple(_message(p) for p in tree["parts"]),
                       tree["separator"])
    params = {key: (_message(value) if isinstance(value, dict) else value)
              for key, value in tree.get("params", {}).items()}
    return Msg(tree["id"], params)


def as_on_paper(message: Msg) -> Msg:
    """The reason as a person reads it: codes and units as on paper (``_AS_ON_PAPER``)."""
    if isinstance(message, MsgList):
        return MsgList(message.id, {}, tuple(as_on_paper(p) for p in message.parts),
                       message.separator)
    params = {key: (as_on_paper(value) if isinstance(value, Msg) else value)
              for key, value in message.params.items()}
    for key in _AS_ON_PAPER.get(message.id, ()):
        if isinstance(params.get(key), str):
            params[key] = AsOnPaper("", {"text": params[key], "what": key})
    return Msg(message.id, params)


# Parameters the matcher wrote as the data holds them (a LOINC code, a UCUM unit), shown as
# the paper says them; the stored tree, verdicts.csv and the exports keep the codes.
_AS_ON_PAPER = {
    **{f"reconcile.missing.{problem}": ("code",)
       for problem in ("none", "nearest", "claimed", "device")},
    "reconcile.diff.value": ("paper", "sih"),
    "reconcile.diff.dose": ("paper", "sih"),
    "reconcile.diff.unit": ("paper", "sih"),
}


@dataclass(frozen=True)
class AsOnPaper(Msg):
    """A code or a quantity rendered as the paper writes it: « Fréquence cardiaque » for
    ``8867-4``, « 146 mmHg » for ``146 mm[Hg]``, « °C » for ``Cel``."""

    def render(self, lang: str | None = None) -> str:
        text = str(self.params["text"])
        what = self.params["what"]
        if what == "code":
            return clinical_codes.display_name(text, lang) or text
        if what == "paper" or what == "sih":
            number, space, unit = text.rpartition(" ")
            if not space:  # a unit alone (reconcile.diff.unit), or a value without one
                return _number(text, lang) if _NUMBER.fullmatch(text) else (
                    display.unit_text(text) or text)
            return display.value_with_unit(_number(number, lang), unit)
        return text


_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _number(text: str, lang: str | None) -> str:
    """A number as the reader's language writes it, whichever language wrote it in the run
    (« 37,5 » in French, "37.5" in English); anything else as it is."""
    if not _NUMBER.fullmatch(text):
        return text
    return format_number(float(text.replace(",", ".")), lang=lang)


def render_reason(text: str | None, lang: str | None = None) -> str:
    """The stored reason in ``lang`` (default: the current language), as a person reads it;
    "" when there is none."""
    if not text:
        return ""
    return as_on_paper(reason_msg(text)).render(lang or get_language())


def reason_texts(text: str | None) -> dict[str, str]:
    """The stored reason in every language the application speaks (empty: no reason)."""
    if not text:
        return {}
    message = as_on_paper(reason_msg(text))
    return {lang: message.render(lang) for lang in LANGUAGES}
