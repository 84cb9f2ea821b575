"""One-to-one assignment of paper items to SIH items, tier by tier, mostly without Python loops.

Within a tier every paper item may take at most one SIH item and every SIH item serve at most
one paper item; the assignment matches as many paper items as possible, then minimises the total
cost (time distance). Most paper items share no candidate with another: each simply takes its
cheapest candidate, decided for all of them at once with numpy. Only paper items that compete for
an SIH item are solved together, component by component: exactly by the Hungarian algorithm when
small (``HUNGARIAN_MAX`` cells), greedily by cost beyond.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

HUNGARIAN_MAX = 2500  # paper × candidates cells solved exactly; beyond, greedy by cost


def one_to_one(paper: np.ndarray, sih: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of the chosen edges (``paper[i]`` takes ``sih[i]`` at ``cost[i]``)."""
    if not len(paper):
        return np.empty(0, dtype=np.int64)
    columns, column_of = np.unique(sih, return_inverse=True)
    shared = np.bincount(column_of)[column_of] > 1
    competing = np.zeros(int(paper.max()) + 1, dtype=bool)
    competing[paper[shared]] = True
    alone = np.flatnonzero(~competing[paper])
    chosen = [cheapest_per_paper(paper, cost, alone)]
    contested = np.flatnonzero(competing[paper])
    if len(contested):
        chosen.append(_solve_components(paper, column_of, cost, contested))
    return np.concatenate(chosen)


def cheapest_per_paper(paper: np.ndarray, cost: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Among ``edges``, the cheapest of each paper item."""
    if not len(edges):
        return np.empty(0, dtype=np.int64)
    order = edges[np.lexsort((cost[edges], paper[edges]))]
    owners = paper[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    return order[first]


def _solve_components(paper: np.ndarray, column: np.ndarray, cost: np.ndarray,
                      edges: np.ndarray) -> np.ndarray:
    """Paper items linked by shared candidates, solved together (union-find, then Hungarian)."""
    offset = int(paper.max()) + 1
    parent: dict[int, int] = {}

    def find(node: int) -> int:
        root = node
        while parent.get(root, root) != root:
            root = parent[root]
        while node != root:
            parent[node], node = root, parent.get(node, node)
        return root

    rows, cols = paper[edges].tolist(), (column[edges] + offset).tolist()
    for a, b in zip(rows, cols, strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    components: dict[int, list[int]] = defaultdict(list)
    for edge, a in zip(edges.tolist(), rows, strict=True):
        components[find(a)].append(edge)
    chosen: list[int] = []
    for members in components.values():
        chosen.extend(_solve_one(paper, column, cost, members))
    return np.array(chosen, dtype=np.int64)


def _solve_one(paper: np.ndarray, column: np.ndarray, cost: np.ndarray,
               edges: list[int]) -> list[int]:
    rows = sorted({int(paper[e]) for e in edges})
    cols = sorted({int(column[e]) for e in edges})
    if len(rows) == 1:
        return [min(edges, key=lambda e: float(cost[e]))]
    if len(rows) * len(cols) > HUNGARIAN_MAX:
        return _greedy(paper, column, cost, edges)
    row_of = {r: i for i, r in enumerate(rows)}
    col_of = {c: j for j, c in enumerate(cols)}
    costs = [float(cost[e]) for e in edges]
    forbidden = (len(rows) + 1) * (max(costs) + 1.0)  # dearer than any set of real edges
    matrix = [[forbidden] * len(cols) for _ in rows]
    by_cell: dict[tuple[int, int], int] = {}
    for edge, value in zip(edges, costs, strict=True):
        cell = (row_of[int(paper[edge])], col_of[int(column[edge])])
        if cell not in by_cell or value < matrix[cell[0]][cell[1]]:
            matrix[cell[0]][cell[1]] = value
            by_cell[cell] = edge
    return [by_cell[pair] for pair in hungarian(matrix) if pair in by_cell]


def _greedy(paper: np.ndarray, column: np.ndarray, cost: np.ndarray,
            edges: list[int]) -> list[int]:
    """Edges by increasing cost, each taken if both ends are free (for huge components)."""
    taken_rows: set[int] = set()
    taken_cols: set[int] = set()
    chosen = []
    for edge in sorted(edges, key=lambda e: float(cost[e])):
        row, col = int(paper[edge]), int(column[edge])
        if row not in taken_rows and col not in taken_cols:
            taken_rows.add(row)
            taken_cols.add(col)
            chosen.append(edge)
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
