"""Item reconciliation: did each thing written on paper reach the SIH, once and unchanged?

Every paper item gets one verdict:

- ``in_sih``: one SIH item of the same patient, kind and code (drug: same INN key), within the
  time tolerance of the kind, equal in every compared field;
- ``differs``: matched, but a field differs; ``differs_on`` names it (``value`` of a vital sign,
  ``dose``, ``unit``, ``route``, ``status`` of an administration, ``text`` of a note);
- ``missing``: no SIH item left to match within the tolerance;
- ``duplicate``: matched, and another SIH item equal in every field is also there (rule below).

**One-to-one.** SIH items are grouped by (IPP, kind, code key) and sorted by time; each paper item
finds its candidates by bisection. Paper items whose candidate ranges overlap form a component,
solved on its own: one paper item takes its best candidate; several are assigned by a small
Hungarian algorithm (greedy by cost beyond ``_HUNGARIAN_MAX`` cells) that maximises, in order,
the number of paper items matched, the number matched to an *equal* SIH item, then minimises the
total time distance (notes: 1 point of text similarity weighs as 1 minute). Preferring equal
items keeps a device reading taken two minutes closer from stealing the copy of the paper value.

**Duplicate rule.** After the assignment, a matched paper item is a duplicate when another SIH
item (1) is equal to it in every compared field, (2) was not assigned to any paper item, and
(3) lies within ``duplicate_window`` (± 5 min) of the paper time, because a double entry copies
the time written on paper. (4) When the SIH holds a device series for that code around the paper
time (at least ``series_min`` other readings in the matching window, e.g. a monitor every 5 min),
an equal reading there is expected by chance: it counts only if it has the very same instant as
the matched copy. The extra items are claimed by the duplicate verdict.

**Refused or not-given doses** (paper status ``not-done``) are facts of the MAR that the SIH must
hold too: with an SIH ``not-done`` administration it is ``in_sih``, with a given one ``differs`` on
``status``, with nothing ``missing`` (the CSV export leaves them out, so the reconciliation shows
them as still to enter by hand).

SIH items of the same patients within the time span of the paper (± the largest tolerance) that no
paper item claimed are listed in ``unmatched_sih``: normal SIH activity, not errors.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from reentry.i18n import Msg, msg
from reentry.reconcile.drugs import DrugName, DrugNames, default_drug_names, normalise_text
from reentry.reconcile.items_csv import paper_from_items, read_item_csv, write_verdicts_csv
from reentry.reconcile.items_model import (
    DEFAULT,
    ItemVerdict,
    PaperItem,
    Reconciliation,
    SihItem,
    Tolerances,
    Verdict,
)
from reentry.reconcile.items_reasons import (
    MsgList,
    field_list,
    match_msg,
    minutes,
    missing_msg,
    show_quantity,
    status_msg,
)
from reentry.reconcile.items_values import (
    compare_quantity,
    normalise_route,
    normalise_status,
    same_text_value,
)

__all__ = ["DEFAULT", "ItemVerdict", "PaperItem", "Reconciliation", "SihItem", "Tolerances",
           "Verdict", "paper_from_items", "read_item_csv", "reconcile", "write_verdicts_csv"]

VITAL, MEDICATION, NOTE = "vital_sign", "medication_administration", "nursing_note"
_HUNGARIAN_MAX = 2500  # paper × candidates cells solved exactly; beyond, greedy by cost


@dataclass
class _Group:
    """The SIH items of one (patient, kind, code key), sorted by time, and the paper items."""

    kind: str
    code_key: str
    tolerance: float
    times: list[float] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # SIH indices, in time order
    paper: list[int] = field(default_factory=list)


@dataclass
class _Run:
    """Everything one reconciliation works on, shared by the helpers below."""

    paper: Sequence[PaperItem]
    sih: Sequence[SihItem]
    tolerances: Tolerances
    paper_times: list[float]
    drug_of_paper: dict[int, DrugName]
    claimed: bytearray
    verdicts: list[Verdict | None]
    note_texts: dict[int, str] = field(default_factory=dict)


def _code_key(kind: str, code: str, names: DrugNames) -> str:
    if kind == MEDICATION:
        return names.canonical(code).key
    if kind == NOTE:
        return ""
    return code.strip().upper()


def reconcile(paper: Sequence[PaperItem], sih: Sequence[SihItem], *,
              tolerances: Tolerances = DEFAULT, drugs: DrugNames | None = None
              ) -> Reconciliation:
    """One verdict per paper item (in paper order) and the SIH items no paper item claimed."""
    names = drugs or default_drug_names()
    paper_times = [p.effective_time.timestamp() for p in paper]
    drug_of_paper = _paper_drugs(paper, sih, names)
    groups = _paper_groups(paper, drug_of_paper, tolerances)
    run = _Run(paper, sih, tolerances, paper_times, drug_of_paper, bytearray(len(sih)),
               [None] * len(paper))
    in_window = _index_sih(run, groups, names)
    for group in groups.values():
        _solve_group(run, group)
    unmatched = [sih[i] for i in in_window if not run.claimed[i]]
    return Reconciliation([v for v in run.verdicts if v is not None], unmatched)


def _paper_drugs(paper: Sequence[PaperItem], sih: Sequence[SihItem], names: DrugNames
                 ) -> dict[int, DrugName]:
    """The drug name of each paper administration, typos resolved against the SIH's names."""
    drugs = {i: names.canonical(p.code) for i, p in enumerate(paper) if p.kind == MEDICATION}
    sih_names = {s.code for s in sih if s.kind == MEDICATION}
    sih_keys = {names.canonical(n).key for n in sih_names}
    typos = names.resolve_typos({d.key: d for d in drugs.values()}.values(), sih_keys)
    if typos:
        for i, drug in drugs.items():
            fixed = typos.get(drug.key)
            if fixed is not None:
                drugs[i] = DrugName(drug.written, fixed.key, "typo", fixed.score)
    return drugs


def _paper_groups(paper: Sequence[PaperItem], drugs: dict[int, DrugName],
                  tolerances: Tolerances) -> dict[tuple, _Group]:
    groups: dict[tuple, _Group] = {}
    for index, item in enumerate(paper):
        kind = item.kind
        if kind == MEDICATION:
            code_key = drugs[index].key
        elif kind == NOTE:
            code_key = ""
        else:
            code_key = item.code.strip().upper()
        key = (item.ipp, kind, code_key)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(kind, code_key,
                                         tolerances.window(kind, code_key).total_seconds())
        group.paper.append(index)
    return groups


def _index_sih(run: _Run, groups: dict[tuple, _Group], names: DrugNames) -> list[int]:
    """Put each SIH item of a paper patient into its group; return those in the paper's span."""
    if not run.paper:
        return []
    tolerances = run.tolerances
    widest = max(tolerances.vital_sign, tolerances.medication_administration,
                 tolerances.nursing_note, *tolerances.per_drug.values()).total_seconds()
    start, end = min(run.paper_times) - widest, max(run.paper_times) + widest
    patients = {p.ipp for p in run.paper}
    code_keys: dict[tuple[str, str], str] = {}
    in_window: list[int] = []
    pending: dict[tuple, list[tuple[float, int]]] = {}
    for index, item in enumerate(run.sih):
        ipp = item.ipp
        if ipp not in patients:
            continue
        moment = item.effective_time.timestamp()
        if start <= moment <= end:  # outside: still grouped, to name the nearest one
            in_window.append(index)
        raw = (item.kind, item.code)
        code_key = code_keys.get(raw)
        if code_key is None:
            code_key = code_keys[raw] = _code_key(item.kind, item.code, names)
        key = (ipp, item.kind, code_key)
        if key in groups:
            bucket = pending.get(key)
            if bucket is None:
                bucket = pending[key] = []
            bucket.append((moment, index))
    for key, bucket in pending.items():
        bucket.sort()
        group = groups[key]
        group.times = [moment for moment, _ in bucket]
        group.members = [index for _, index in bucket]
    return in_window


def _solve_group(run: _Run, group: _Group) -> None:
    """Assign the paper items of one group to its SIH items, component by component."""
    tolerance = group.tolerance
    times = group.times
    order = sorted(group.paper, key=run.paper_times.__getitem__)
    component: list[tuple[int, int, int]] = []
    reach = -1
    for index in order:
        moment = run.paper_times[index]
        lo = bisect_left(times, moment - tolerance)
        hi = bisect_right(times, moment + tolerance)
        if component and lo >= reach:
            _solve_component(run, group, component)
            component = []
        component.append((index, lo, hi))
        reach = max(reach, hi) if len(component) > 1 else hi
    if component:
        _solve_component(run, group, component)


def _differences(run: _Run, kind: str, paper: PaperItem, sih: SihItem) -> tuple[str, ...]:
    """The fields in which an SIH item differs from the paper item (empty: equal)."""
    if kind == MEDICATION:
        paper_status, sih_status = normalise_status(paper.status), normalise_status(sih.status)
        if paper_status != sih_status:
            return ("status",)  # given vs not given: the dose no longer means anything
        if paper_status == "not-done":
            return ()
        value_field = "dose"
    else:
        value_field = "value"
    found: list[str] = []
    if not (paper.value == sih.value and paper.unit == sih.unit
            and paper.value_text == sih.value_text):
        if paper.value is None and sih.value is None:
            if not same_text_value(paper.value_text, sih.value_text):
                found.append(value_field)
        else:
            tolerances = run.tolerances
            equal, unit_ok = compare_quantity(paper.value, paper.unit, sih.value, sih.unit,
                                              tolerances.relative_value,
                                              tolerances.absolute_value)
            if not unit_ok:
                found.append("unit")
            if not equal:
                found.append(value_field)
    if (kind == MEDICATION and paper.route and sih.route and paper.route != sih.route
            and normalise_route(paper.route) != normalise_route(sih.route)):
        found.append("route")
    return tuple(found)


def _note_score(run: _Run, paper: PaperItem, sih_index: int) -> float:
    text = run.note_texts.get(sih_index)
    if text is None:
        text = run.note_texts[sih_index] = normalise_text(run.sih[sih_index].text or "")
    return fuzz.token_set_ratio(normalise_text(paper.text or ""), text)


@dataclass(frozen=True, slots=True)
class _Edge:
    paper: int
    position: int  # in the group's sorted SIH list
    equal: bool
    cost: float
    differences: tuple[str, ...]
    note_score: float | None


def _edges(run: _Run, group: _Group, index: int, lo: int, hi: int) -> list[_Edge]:
    """The candidates of one paper item; notes too unlike the paper are no candidates."""
    paper = run.paper[index]
    moment = run.paper_times[index]
    edges = []
    for position in range(lo, hi):
        sih_index = group.members[position]
        if run.claimed[sih_index]:
            continue
        distance = abs(group.times[position] - moment)
        differences: tuple[str, ...]
        if group.kind == NOTE:
            score = _note_score(run, paper, sih_index)
            if score < run.tolerances.note_related:
                continue
            differences = () if score >= run.tolerances.note_same else ("text",)
            cost = distance + (100.0 - score) * 60.0
        else:
            score = None
            differences = _differences(run, group.kind, paper, run.sih[sih_index])
            cost = distance
        edges.append(_Edge(index, position, not differences, cost, differences, score))
    return edges


def _solve_component(run: _Run, group: _Group, component: list[tuple[int, int, int]]) -> None:
    """Equal copies first, then their duplicates, then differing items for the rest.

    In this order an extra copy of one paper value is claimed as its duplicate before it can
    pass for a differing copy of a neighbouring paper item whose own copy is missing.
    """
    all_edges = {index: _edges(run, group, index, lo, hi) for index, lo, hi in component}
    equal = {index: [e for e in edges if e.equal] for index, edges in all_edges.items()}
    chosen = _choose(equal, group.tolerance)
    _claim(run, group, chosen.values())
    extras = {index: _duplicates(run, group, edge, lo, hi)
              for index, lo, hi in component if (edge := chosen.get(index)) is not None}
    rest = {index: [e for e in edges if not run.claimed[group.members[e.position]]]
            for index, edges in all_edges.items() if index not in chosen}
    differing = _choose(rest, group.tolerance)
    _claim(run, group, differing.values())
    chosen.update(differing)
    for index, lo, hi in component:
        edge = chosen.get(index)
        if edge is None:
            _missing(run, index, group, all_edges[index], lo, hi)
        else:
            _matched(run, group, edge, extras.get(index, []))


def _choose(edges: dict[int, list[_Edge]], tolerance: float) -> dict[int, _Edge]:
    if len(edges) == 1:
        index, candidates = next(iter(edges.items()))
        return {index: min(candidates, key=lambda e: e.cost)} if candidates else {}
    return _assign(edges, tolerance)


def _claim(run: _Run, group: _Group, edges: Iterable[_Edge]) -> None:
    for edge in edges:
        run.claimed[group.members[edge.position]] = 1


def _assign(all_edges: dict[int, list[_Edge]], tolerance: float) -> dict[int, _Edge]:
    """Max matched, then max equal, then min total cost; exact when small, else greedy."""
    rows = [index for index, edges in all_edges.items() if edges]
    columns = sorted({e.position for index in rows for e in all_edges[index]})
    if not rows:
        return {}
    n = len(rows)
    tier = (n + 1) * (tolerance + 100 * 60 + 1)
    forbidden = (n + 1) * (tier + tolerance + 100 * 60 + 1)

    def cost(edge: _Edge) -> float:
        return (0.0 if edge.equal else tier) + edge.cost

    if n * len(columns) > _HUNGARIAN_MAX:
        return _greedy(all_edges, rows, cost)
    column_of = {position: c for c, position in enumerate(columns)}
    matrix = [[forbidden] * len(columns) for _ in rows]
    by_cell: dict[tuple[int, int], _Edge] = {}
    for r, index in enumerate(rows):
        for edge in all_edges[index]:
            c = column_of[edge.position]
            matrix[r][c] = cost(edge)
            by_cell[(r, c)] = edge
    pairs = hungarian(matrix)
    return {rows[r]: by_cell[(r, c)] for r, c in pairs if (r, c) in by_cell}


def _greedy(all_edges: dict[int, list[_Edge]], rows: list[int],
            cost: Callable[[_Edge], float]) -> dict[int, _Edge]:
    """Edges by increasing cost, each taken if both ends are free (for huge components)."""
    edges = sorted((e for index in rows for e in all_edges[index]), key=cost)
    chosen: dict[int, _Edge] = {}
    taken: set[int] = set()
    for edge in edges:
        if edge.paper not in chosen and edge.position not in taken:
            chosen[edge.paper] = edge
            taken.add(edge.position)
    return chosen


def hungarian(matrix: list[list[float]]) -> list[tuple[int, int]]:
    """Minimum-cost assignment of a rectangular cost matrix (rows, columns): (row, column) pairs.

    The classic O(n²m) potentials algorithm; works on the smaller side as rows.
    """
    if not matrix or not matrix[0]:
        return []
    transposed = len(matrix) > len(matrix[0])
    if transposed:
        matrix = [list(column) for column in zip(*matrix, strict=True)]
    n, m = len(matrix), len(matrix[0])
    infinity = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: row (1-based) assigned to column j
    way = [0] * (m + 1)
    for row in range(1, n + 1):
        owner[0] = row
        j0 = 0
        minv = [infinity] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], infinity, 0
            for j in range(1, m + 1):
                if not used[j]:
                    current = matrix[i0 - 1][j - 1] - u[i0] - v[j]
                    if current < minv[j]:
                        minv[j], way[j] = current, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    pairs = [(owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j]]
    return [(c, r) for r, c in pairs] if transposed else pairs


def _matched(run: _Run, group: _Group, edge: _Edge, extras: list[int]) -> None:
    index = edge.paper
    paper = run.paper[index]
    sih_index = group.members[edge.position]
    sih = run.sih[sih_index]
    drug = run.drug_of_paper.get(index)
    score = (edge.note_score if edge.note_score is not None
             else drug.score if drug is not None else 100.0) / 100.0
    match = match_msg(sih.id, group.times[edge.position] - run.paper_times[index],
                      group.tolerance, drug, sih.code, edge.note_score)
    if edge.differences:
        reason = msg("reconcile.differs", match=match,
                     differences=_difference_list(run, paper, sih, edge))
        verdict = Verdict(paper.id, ItemVerdict.DIFFERS.value, paper.ipp, paper.kind, (sih.id,),
                          score, reason, edge.differences)
    else:
        if extras:
            ids = (sih.id, *(run.sih[i].id for i in extras))
            reason = msg("reconcile.duplicate", count=len(ids), ids=", ".join(ids), match=match)
            verdict = Verdict(paper.id, ItemVerdict.DUPLICATE.value, paper.ipp, paper.kind,
                              ids, score, reason)
        else:
            reason = msg("reconcile.in_sih", match=match,
                         fields=field_list(_compared(group.kind, paper, sih)))
            verdict = Verdict(paper.id, ItemVerdict.IN_SIH.value, paper.ipp, paper.kind,
                              (sih.id,), score, reason)
    run.verdicts[index] = verdict


def _compared(kind: str, paper: PaperItem, sih: SihItem) -> tuple[str, ...]:
    """The fields an ``in_sih`` verdict vouches for."""
    if kind == NOTE:
        return ("text",)
    if kind == VITAL:
        return ("value", "unit") if paper.unit and sih.unit else ("value",)
    if normalise_status(paper.status) == "not-done":
        return ("status",)
    fields = ["dose"]
    if paper.unit and sih.unit:
        fields.append("unit")
    if paper.route and sih.route:
        fields.append("route")
    fields.append("status")
    return tuple(fields)


def _duplicates(run: _Run, group: _Group, edge: _Edge, lo: int, hi: int) -> list[int]:
    """Other unclaimed SIH items equal to the paper item: see the duplicate rule above."""
    tolerances = run.tolerances
    paper_time = run.paper_times[edge.paper]
    matched_time = group.times[edge.position]
    window = tolerances.duplicate_window.total_seconds()
    others = sum(1 for p in range(lo, hi) if not run.claimed[group.members[p]])
    series = group.kind == VITAL and others >= tolerances.series_min
    extras = []
    for position in range(max(lo, bisect_left(group.times, paper_time - window)),
                          min(hi, bisect_right(group.times, paper_time + window))):
        sih_index = group.members[position]
        if position == edge.position or run.claimed[sih_index]:
            continue
        if series and group.times[position] != matched_time:
            continue
        if group.kind == NOTE:
            if _note_score(run, run.paper[edge.paper], sih_index) < tolerances.note_same:
                continue
        elif _differences(run, group.kind, run.paper[edge.paper], run.sih[sih_index]):
            continue
        extras.append(sih_index)
    for sih_index in extras:
        run.claimed[sih_index] = 1
    return extras


def _difference_list(run: _Run, paper: PaperItem, sih: SihItem, edge: _Edge) -> MsgList:
    parts: list[Msg] = []
    for name in edge.differences:
        if name in ("value", "dose"):
            parts.append(msg(f"reconcile.diff.{name}",
                             paper=show_quantity(paper.value, paper.value_text, paper.unit),
                             sih=show_quantity(sih.value, sih.value_text, sih.unit)))
        elif name == "unit":
            parts.append(msg("reconcile.diff.unit", paper=paper.unit, sih=sih.unit))
        elif name == "route":
            parts.append(msg("reconcile.diff.route", paper=paper.route, sih=sih.route))
        elif name == "status":
            parts.append(msg("reconcile.diff.status",
                             paper=status_msg(normalise_status(paper.status)),
                             sih=status_msg(normalise_status(sih.status))))
        else:
            parts.append(msg("reconcile.diff.text", score=f"{edge.note_score or 0:.0f}",
                             threshold=f"{run.tolerances.note_same:g}"))
    return MsgList("reconcile.differences", {}, tuple(parts))


def _missing(run: _Run, index: int, group: _Group, edges: list[_Edge], lo: int, hi: int
             ) -> None:
    """Why nothing matched: nothing near, all taken by other paper items, or unlike notes."""
    paper = run.paper[index]
    moment = run.paper_times[index]
    tolerance = group.tolerance
    code = paper.code if group.kind != NOTE else ""
    best_note = 0.0
    if hi > lo and group.kind == NOTE and not edges:
        best_note = max(_note_score(run, paper, group.members[p]) for p in range(lo, hi))
        reason = missing_msg("text", code, paper.effective_time, tolerance,
                             score=f"{best_note:.0f}",
                             threshold=f"{run.tolerances.note_related:g}")
    elif hi > lo:
        reason = missing_msg("claimed", code, paper.effective_time, tolerance, count=hi - lo)
    else:
        nearest = [abs(group.times[p] - moment) for p in (lo - 1, hi)
                   if 0 <= p < len(group.times)]
        if nearest:
            reason = missing_msg("nearest", code, paper.effective_time, tolerance,
                                 minutes=minutes(min(nearest)))
        else:
            reason = missing_msg("none", code, paper.effective_time, tolerance)
    run.verdicts[index] = Verdict(paper.id, ItemVerdict.MISSING.value, paper.ipp, paper.kind,
                                  (), best_note / 100.0, reason)
