"""Choosing a layout that fits a page column: rank direction and folding of long ranks.

A drawing wider than :data:`MAX_WIDTH_PT` must shrink to fit a documentation column
(about 720-830 px in mkdocs-material at 1366 px), and its labels with it. So each graph has
a short, fixed list of candidate layouts, tried in order, and the first whose real drawing
fits is kept (``render.py`` measures Graphviz's output; none fitting, the narrowest wins):

1. as authored (architecture and lineage left to right, pathways by length);
2. top to bottom (a long chain becomes a column; lineage stages become rows);
3. top to bottom with every rank of more than N nodes folded into rows of at most N
   (N = 6, 4, 3), with invisible edges (and ``rank=same`` rows for lineage stages).

Everything here is plain data computed from the graph, so the choice is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handover_docs.diagrams.graph import Graph

MAX_WIDTH_PT = 1125.0
"""Widest drawing kept as is: 1,500 CSS px. The smallest label (11 pt, a 17 px text box at
natural size) shown in a 720 px column is scaled by 0.48 and stays above 8 px."""

FOLDS = (4, 3, 2)
"""Row lengths tried, longest first, when folding long ranks."""

_WIDTH = re.compile(rb'<svg\b[^>]*?\swidth="([\d.]+)pt"')


@dataclass(frozen=True)
class Layout:
    direction: str
    """Graphviz rankdir: 'LR' or 'TB'."""
    fold: int = 0
    """Most nodes per row in a rank (0: ranks are not folded)."""


@dataclass(frozen=True)
class Rows:
    """Extra Graphviz constraints that fold ranks: rows kept level and invisible edges."""

    same_rank: list[tuple[str, ...]] = field(default_factory=list)
    invisible: list[tuple[str, str]] = field(default_factory=list)


def svg_width_pt(svg: bytes) -> float:
    """The drawing's width in points, as Graphviz writes it on the <svg> element."""
    found = _WIDTH.search(svg)
    return float(found.group(1)) if found else 0.0


def layers(graph: Graph) -> list[list[str]]:
    """The graph's ranks in flow order: its stages for column graphs, else the longest path
    from a source to each node (edges closing a cycle are ignored)."""
    if graph.columns:
        found = [[n.id for n in graph.nodes if n.cluster == c.id] for c in graph.clusters]
        loose = [n.id for n in graph.nodes if n.cluster not in {c.id for c in graph.clusters}]
        return [layer for layer in [*found, loose] if layer]
    order = [node.id for node in graph.nodes]
    after: dict[str, list[str]] = {node: [] for node in order}
    for edge in graph.edges:
        after[edge.source].append(edge.target)
    finished: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    forward: dict[str, list[str]] = {node: [] for node in order}
    for start in order:
        if start in state:
            continue
        stack = [(start, iter(after[start]))]
        state[start] = 1
        while stack:
            node, rest = stack[-1]
            nxt = next(rest, None)
            if nxt is None:
                stack.pop()
                state[node] = 2
                finished.append(node)
            elif state.get(nxt) != 1:  # an edge back onto the path closes a cycle
                forward[node].append(nxt)
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(after[nxt])))
    rank = dict.fromkeys(order, 0)
    for node in reversed(finished):  # a topological order of the forward edges
        for nxt in forward[node]:
            rank[nxt] = max(rank[nxt], rank[node] + 1)
    result: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for node in order:
        result[rank[node]].append(node)
    return result


def bands(graph: Graph) -> list[list[list[str]]]:
    """The node groups folded into rows, in flow order, each as its ranks: a column graph's
    stages (one rank each), else each cluster (then the unclustered nodes) by rank."""
    if graph.columns:
        return [[layer] for layer in layers(graph)]
    rank = {node: i for i, layer in enumerate(layers(graph)) for node in layer}
    groups = [c.id for c in graph.clusters]
    found = [[n.id for n in graph.nodes if n.cluster == g] for g in groups]
    found.append([n.id for n in graph.nodes if n.cluster not in groups])
    result = []
    for band in found:
        ranks: dict[int, list[str]] = {}
        for node in band:
            ranks.setdefault(rank[node], []).append(node)
        if ranks:
            result.append([ranks[r] for r in sorted(ranks)])
    return result


def rows(graph: Graph, fold: int) -> list[tuple[str, ...]]:
    """Each band in rows of at most ``fold`` nodes: short ranks share a row (a chain reads left
    to right, then on the next row), a long rank is cut into rows of its own."""
    found: list[tuple[str, ...]] = []
    for band in bands(graph):
        row: list[str] = []
        for rank in band:
            if row and len(row) + len(rank) > fold:
                found.append(tuple(row))
                row = []
            for start in range(0, len(rank), fold):
                row.extend(rank[start : start + fold])
                if len(row) >= fold:
                    found.append(tuple(row))
                    row = []
        if row:
            found.append(tuple(row))
    return found


def widest(graph: Graph) -> int:
    """Nodes in the graph's largest band."""
    return max((sum(len(rank) for rank in band) for band in bands(graph)), default=0)


def candidates(graph: Graph) -> list[Layout]:
    """The layouts to try, in order of preference (the first is the graph as authored)."""
    found = [Layout(graph.direction)]
    most = widest(graph)
    found += [Layout("TB", fold) for fold in FOLDS if most > fold]
    if graph.direction != "TB":
        found.append(Layout("TB"))
    return found


def fold_edges(graph: Graph, layout: Layout) -> Rows:
    """The constraints that fold the graph into rows of at most ``layout.fold`` nodes, one
    below the other, in flow order: each row level, an invisible edge from row to row."""
    found = Rows()
    if not layout.fold:
        return found
    previous: str | None = None
    for row in rows(graph, layout.fold):
        found.same_rank.append(row)
        if previous is not None:
            found.invisible.append((previous, row[0]))
        previous = row[0]
    return found
