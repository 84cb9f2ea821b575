"""The verdict of each paper item, with its reason, built from the matching's arrays.

Built when first read (``Reconciliation.verdicts``), or written straight to verdicts.csv
(``VerdictBuilder.rows``) without making any object: the reason of a verdict is a tree of
messages, and a hundred thousand of them cost more than the matching itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from reentry.domain.items import ItemVerdict, Tolerances, Verdict, VerdictLine
from reentry.domain.review_reasons import json_scalar
from reentry.i18n import format_number
from reentry.reconcile.csv_columns import Categorical, bulk_allocation
from reentry.reconcile.drugs import DrugName, normalise_text
from reentry.reconcile.items_match import (
    CLAIMED,
    DEVICES_ONLY,
    DIFFERS,
    DUPLICATE,
    IN_SIH,
    MEDICATION_CODE,
    MISSING,
    NEAREST,
    NOTE_CODE,
    ROUTE,
    STATUS,
    TEXT,
    TEXT_UNLIKE,
    UNIT,
    VALUE,
    Matching,
)
from reentry.reconcile.items_reasons import (
    Renderer,
    Spec,
    field_list,
    match_spec,
    minutes,
    missing_spec,
    show_quantity,
    spec,
    spec_json,
    spec_list,
    status_spec,
    to_msg,
)
from reentry.reconcile.items_table import ItemTable
from reentry.reconcile.items_values import changed_words, normalise_status

_NAMES = {IN_SIH: ItemVerdict.IN_SIH.value, DIFFERS: ItemVerdict.DIFFERS.value,
          MISSING: ItemVerdict.MISSING.value, DUPLICATE: ItemVerdict.DUPLICATE.value}
_MISSING_PROBLEMS = {CLAIMED: "claimed", NEAREST: "nearest", TEXT_UNLIKE: "text",
                     DEVICES_ONLY: "device"}


def differences(mask: int, kind: int) -> tuple[str, ...]:
    """The names of the differing fields, in the order the reason lists them."""
    if mask & STATUS:
        return ("status",)
    if mask & TEXT:
        return ("text",)
    found = []
    if mask & UNIT:
        found.append("unit")
    if mask & VALUE:
        found.append("dose" if kind == MEDICATION_CODE else "value")
    if mask & ROUTE:
        found.append("route")
    return tuple(found)


class VerdictBuilder:
    """What each paper item became, in paper order: as ``Verdict`` objects or as CSV rows."""

    def __init__(self, matching: Matching, paper: ItemTable, sih: ItemTable,
                 tolerances: Tolerances) -> None:
        self.m = matching
        self.paper = paper
        self.sih = sih
        self.tolerances = tolerances
        self._verdict = matching.verdict.tolist()
        self._sih_row = matching.sih_row.tolist()
        self._kind = paper.kind.tolist()
        self._delta = matching.delta.tolist()
        self._tolerance = matching.tolerance.tolist()
        self._mask = matching.mask.tolist()
        self._note = matching.note_score.tolist()
        self._device = matching.device.tolist()
        # Per row, as plain lists: each is read once per verdict.
        self._paper_ids, self._paper_ipp = list(paper.ids), list(paper.ipp)
        self._paper_kinds = list(paper.kinds)
        matched = np.maximum(matching.sih_row, 0)
        self._sih_ids = _at(sih.ids, matched)
        self._sih_ipp = _at(sih.ipp, matched)
        self._ipp_spelled = matching.ipp_spelled.tolist()
        self._sih_code = _at(sih.code, matched)
        self._compared = [_COMPARED[c] for c in _compared_fields(paper, sih, matched).tolist()]

    def build(self) -> list[Verdict]:
        ids, ipp, kinds = self._paper_ids, self._paper_ipp, self._paper_kinds
        verdicts = []
        with bulk_allocation():  # a few objects per verdict, none in a cycle
            for row, verdict in enumerate(self._verdict):
                sih_ids, score, reason, differs_on = self._outcome(row, verdict)
                verdicts.append(Verdict(ids[row], _NAMES[verdict], ipp[row], kinds[row],
                                        sih_ids, score, to_msg(reason), differs_on))
        return verdicts

    def rows(self, lang: str | None = None) -> Iterator[tuple[str, ...]]:
        """``(item_id, verdict, ipp, kind, sih_ids, score, reason)`` per paper item, the reason
        rendered in ``lang`` (the current language by default).

        ``in_sih`` reasons (most of them) are written with one template per shape (kind of
        match, fields vouched for), the nested messages folded in once; the others go through
        their message tree. Both give the text ``Verdict.reason.render`` gives.
        """
        renderer = Renderer(lang)
        flat: dict[tuple, str] = {}
        shown: dict[float, str] = {}
        ids, ipp, kinds = self._paper_ids, self._paper_ipp, self._paper_kinds
        for row, verdict in enumerate(self._verdict):
            found = self._in_sih_text(row, renderer, flat) if verdict == IN_SIH else None
            if found is not None:
                text, score = found
                sih_ids = self._sih_ids[row]
            else:
                outcome, score, reason, _ = self._outcome(row, verdict)
                sih_ids, text = "|".join(outcome), renderer.render(reason)
            score_text = shown.get(score)
            if score_text is None:
                score_text = shown[score] = f"{score:.2f}"
            yield (ids[row], _NAMES[verdict], ipp[row], kinds[row], sih_ids, score_text, text)

    def lines(self, lang: str | None = None) -> list[VerdictLine]:
        """Every verdict with its reason as text in ``lang`` (as ``rows`` writes it) and as its
        stored tree (as ``reason_json(Verdict.reason)`` writes it), each reason worked out once.

        The ``in_sih`` reasons that ``rows`` fills from one template (most of them) skip the
        rest of ``_outcome``: their spec is the match and the fields vouched for, nothing else.
        """
        renderer = Renderer(lang)
        flat: dict[tuple, str] = {}
        trees: dict[tuple, str] = {}
        ids, ipp, kinds = self._paper_ids, self._paper_ipp, self._paper_kinds
        lines = []
        with bulk_allocation():  # strings and tuples only: no cycle for the collector to find
            for row, verdict in enumerate(self._verdict):
                found = self._in_sih_params(row) if verdict == IN_SIH else None
                text = self._in_sih_format(renderer, flat, *found) if found else None
                if found is not None and text is not None:
                    shape, params, score = found
                    tree = trees.get(shape)
                    if tree is None:
                        tree = trees[shape] = _tree_template(shape, tuple(params))
                    lines.append(VerdictLine(
                        ids[row], _NAMES[verdict], ipp[row], kinds[row], (self._sih_ids[row],),
                        score, (), text,
                        tree % {k: json_scalar(v) for k, v in params.items()}))
                    continue
                sih_ids, score, reason, differs_on = self._outcome(row, verdict)
                lines.append(VerdictLine(ids[row], _NAMES[verdict], ipp[row], kinds[row],
                                         sih_ids, score, differs_on, renderer.render(reason),
                                         spec_json(reason)))
        return lines

    def _in_sih_text(self, row: int, renderer: Renderer, flat: dict[tuple, str]
                     ) -> tuple[str, float] | None:
        """An ``in_sih`` reason with one ``format``, and the score (None: let the message tree
        do it)."""
        found = self._in_sih_params(row)
        if found is None:
            return None
        text = self._in_sih_format(renderer, flat, *found)
        return None if text is None else (text, found[2])

    @staticmethod
    def _in_sih_format(renderer: Renderer, flat: dict[tuple, str], shape: tuple,
                       params: dict[str, str], score: float) -> str | None:
        template = flat.get(shape)
        if template is None:
            template = flat[shape] = _fold(renderer, *shape)
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return None

    def _in_sih_params(self, row: int) -> tuple[tuple, dict[str, str], float] | None:
        """The shape of an ``in_sih`` reason (match, how the name matched, fields vouched
        for), its parameters and the score; None when it needs its message tree (a device's
        reading, an IPP written otherwise)."""
        if self._device[row] or self._spelled_otherwise(row):
            return None
        kind = self._kind[row]
        fields = self._compared[row]
        params = {"sih_id": self._sih_ids[row], "minutes": minutes(self._delta[row]),
                  "tolerance": minutes(self._tolerance[row])}
        drug = self._drug(row)
        score = 1.0
        if drug is not None:
            score = drug.score / 100.0
            shape: tuple = ("reconcile.match.drug", f"reconcile.how.{drug.how}", fields)
            params.update(paper=drug.written, sih=self._sih_code[row])
            if drug.how == "typo":
                params["score"] = format_number(drug.score)
        elif kind == NOTE_CODE:
            shape = ("reconcile.match.note", None, fields)
            params["score"] = f"{self._note[row]:.0f}"
            score = self._note[row] / 100.0
        else:
            shape = ("reconcile.match.code", None, fields)
        return shape, params, score

    def _outcome(self, row: int, verdict: int
                 ) -> tuple[tuple[str, ...], float, Spec, tuple[str, ...]]:
        """(SIH ids, score, reason, differing fields) of one paper item."""
        kind = self._kind[row]
        if verdict == MISSING:
            score, reason = self._missing(row, kind)
            return (), score, reason, ()
        sih_row = self._sih_row[row]
        sih_id = self._sih_ids[row]
        drug = self._drug(row)
        note_score = self._note[row] if kind == NOTE_CODE else None
        score = (note_score if note_score is not None
                 else drug.score if drug is not None else 100.0) / 100.0
        match = self._match(row, sih_row, drug, note_score)
        spellings = self._spelled_otherwise(row)
        if spellings:
            match = spec("reconcile.match.ipp", match=match, sih_ipp=spellings,
                         paper_ipp=self._paper_ipp[row])
        if verdict == DIFFERS:
            names = differences(self._mask[row], kind)
            reason = spec("reconcile.differs", match=match,
                          differences=self._difference_list(row, sih_row, names, note_score))
            return (sih_id,), score, reason, names
        if verdict == DUPLICATE:
            ids = (sih_id, *(self.sih.ids[r] for r in self.m.extras[row]))
            if not self._mask[row]:
                reason = spec("reconcile.duplicate", count=len(ids), ids=", ".join(ids),
                              match=match)
                return ids, score, reason, ()
            # The nearest copy was mistyped, another one is equal: both are in the SIH.
            names = differences(self._mask[row], kind)
            reason = spec("reconcile.duplicate_changed", count=len(ids), ids=", ".join(ids),
                          match=match, sih_id=sih_id,
                          differences=self._difference_list(row, sih_row, names, note_score))
            return ids, score, reason, names
        reason = spec("reconcile.in_sih", match=match, fields=field_list(self._compared[row]))
        return (sih_id,), score, reason, ()

    def _match(self, row: int, sih_row: int, drug: DrugName | None,
               note_score: float | None) -> Spec:
        if self._device[row]:
            window = self.tolerances.device_window
            return spec("reconcile.match.device", sih_id=self.sih.ids[sih_row],
                        author=self.sih.author[sih_row] or "—",
                        minutes=minutes(self._delta[row]),
                        tolerance=minutes(window.total_seconds() if window else 0.0))
        return match_spec(self._sih_ids[row], self._delta[row], self._tolerance[row], drug,
                          self._sih_code[row], note_score)

    def _drug(self, row: int) -> DrugName | None:
        """How the drug names matched: the paper's name as read, or, when the paper wrote the
        INN and its SIH match named it otherwise (a brand, a synonym, a typo), the SIH's."""
        drug = self.m.drugs.get(row)
        if drug is None or drug.how != "same" or self._sih_row[row] < 0:
            return drug
        read = self.m.sih_drugs.get(self._sih_code[row] or "")
        if read is None or read.how == "same":
            return drug
        return DrugName(drug.written, read.key, read.how, read.score)

    def _spelled_otherwise(self, row: int) -> str:
        """``_ipp_spellings`` of the row's matched SIH items, "" when they write the IPP as the
        paper does (« 009000350 » on both sides: ``ipp_spelled``, yet nothing to say)."""
        extras = self.m.extras.get(row, ())
        if not extras and (not self._ipp_spelled[row]
                           or self._sih_ipp[row] == self._paper_ipp[row]):
            return ""
        return self._ipp_spellings(row, (self._sih_row[row], *extras))

    def _ipp_spellings(self, row: int, sih_rows: Sequence[int]) -> str:
        """The IPPs of the matched SIH items written otherwise than on paper (« 0810007820 »,
        read as the same number): the reason says so, since it matched on them."""
        paper_ipp = self._paper_ipp[row]
        written = dict.fromkeys(self.sih.ipp[r] for r in sih_rows)
        return ", ".join(w for w in written if w != paper_ipp)

    def _difference_list(self, row: int, sih_row: int, names: tuple[str, ...],
                         note_score: float | None) -> Spec:
        paper, sih = self.paper, self.sih
        parts: list[Spec] = []
        for name in names:
            if name in ("value", "dose"):
                parts.append(spec(f"reconcile.diff.{name}",
                                  paper=show_quantity(_number(paper, row), paper.value_text[row],
                                                      paper.unit[row]),
                                  sih=show_quantity(_number(sih, sih_row),
                                                    sih.value_text[sih_row], sih.unit[sih_row])))
            elif name == "unit":
                parts.append(spec("reconcile.diff.unit", paper=paper.unit[row],
                                  sih=sih.unit[sih_row]))
            elif name == "route":
                parts.append(spec("reconcile.diff.route", paper=paper.route[row],
                                  sih=sih.route[sih_row]))
            elif name == "status":
                parts.append(spec("reconcile.diff.status",
                                  paper=status_spec(normalise_status(paper.status[row])),
                                  sih=status_spec(normalise_status(sih.status[sih_row]))))
            elif (note_score or 0) >= self.tolerances.note_same and any(
                    words := changed_words(normalise_text(paper.text[row] or ""),
                                           normalise_text(sih.text[sih_row] or ""))):
                # as alike as the same note, but a word was changed for another
                parts.append(spec("reconcile.diff.words", paper=" ".join(words[0]) or "—",
                                  sih=" ".join(words[1]) or "—", score=f"{note_score or 0:.0f}"))
            else:
                parts.append(spec("reconcile.diff.text", score=f"{note_score or 0:.0f}",
                                  threshold=format_number(self.tolerances.note_same)))
        return spec_list(tuple(parts))

    def _missing(self, row: int, kind: int) -> tuple[float, Spec]:
        m, paper = self.m, self.paper
        code = paper.code[row] if kind != NOTE_CODE else ""
        at: datetime | float = (paper.moment(row) if paper.source is not None
                                else float(paper.time[row]))
        tolerance = self._tolerance[row]
        problem = _MISSING_PROBLEMS.get(int(m.missing_reason[row]), "none")
        if problem == "text":
            best = self._note[row]
            return best / 100.0, missing_spec("text", code, at, tolerance, score=f"{best:.0f}",
                                              threshold=format_number(self.tolerances.note_related))
        if problem in ("claimed", "device"):
            return 0.0, missing_spec(problem, code, at, tolerance,
                                     count=int(m.missing_count[row]))
        if problem == "nearest":
            return 0.0, missing_spec("nearest", code, at, tolerance,
                                     minutes=minutes(float(m.nearest[row])))
        return 0.0, missing_spec("none", code, at, tolerance)


# The fields an ``in_sih`` verdict vouches for, by ``_compared_fields`` code.
_COMPARED = (("text",), ("value",), ("value", "unit"), ("status",), ("dose", "status"),
             ("dose", "unit", "status"), ("dose", "route", "status"),
             ("dose", "unit", "route", "status"))


def _given(column: Sequence[Any], rows: np.ndarray | None = None) -> np.ndarray:
    category = Categorical.of(column)
    given = category.per_value(bool, bool)[category.codes]
    return given if rows is None else given[rows]


def _compared_fields(paper: ItemTable, sih: ItemTable, matched: np.ndarray) -> np.ndarray:
    """Per paper item, which fields its match vouches for (an index into ``_COMPARED``)."""
    if not len(sih):
        return np.zeros(len(paper), dtype=np.int64)
    units = _given(paper.unit) & _given(sih.unit, matched)
    routes = _given(paper.route) & _given(sih.route, matched)
    status = Categorical.of(paper.status)
    not_done = status.per_value(lambda s: normalise_status(s) == "not-done", bool)[status.codes]
    drug = np.where(not_done, 3, 4 + units + 2 * routes)
    kind = paper.kind
    return np.where(kind == NOTE_CODE, 0,
                    np.where(kind == MEDICATION_CODE, drug, 1 + units)).astype(np.int64)


def _fold(renderer: Renderer, match_id: str, how_id: str | None,
          fields: tuple[str, ...]) -> str:
    """The ``in_sih`` template with its match (and how the name matched) and its rendered
    field list folded in: one ``format`` then fills the rest."""
    match = renderer.template(match_id)
    if how_id is not None:
        match = match.replace("{how}", renderer.template(how_id))
    listed = renderer.render(field_list(fields)).replace("{", "{{").replace("}", "}}")
    return renderer.template("reconcile.in_sih").replace("{match}", match).replace(
        "{fields}", listed)


def _tree_template(shape: tuple, names: tuple[str, ...]) -> str:
    """The stored tree of an ``in_sih`` reason of one shape (``_in_sih_params``), its
    parameters left as ``%(name)s``: the spec ``_outcome`` makes (``match_spec``, then the
    fields), encoded by ``spec_json`` with a marker for each parameter."""
    match_id, how_id, fields = shape
    mark = {name: f"\x00{name}\x00" for name in names}
    common = {key: mark[key] for key in ("sih_id", "minutes", "tolerance")}
    if how_id is not None:
        how = spec(how_id, score=mark["score"]) if "score" in mark else spec(how_id)
        match = spec(match_id, paper=mark["paper"], sih=mark["sih"], how=how, **common)
    elif "score" in mark:
        match = spec(match_id, score=mark["score"], **common)
    else:
        match = spec(match_id, **common)
    tree = spec_json(spec("reconcile.in_sih", match=match, fields=field_list(fields)))
    tree = tree.replace("%", "%%")
    for name, marker in mark.items():
        tree = tree.replace(json_scalar(marker), f"%({name})s")
    return tree


def _at(column: Sequence[str], rows: np.ndarray) -> list[str]:
    """``column[r]`` for each of ``rows``, as a list (a ``Categorical`` by its codes)."""
    if not len(column):
        return [""] * len(rows)
    if isinstance(column, Categorical):
        return list(map(column.values.__getitem__, column.codes[rows].tolist()))
    return list(map(column.__getitem__, rows.tolist()))


def _number(table: ItemTable, row: int) -> float | None:
    value = float(table.value[row])
    return None if math.isnan(value) else value
