"""The layout is chosen to fit a page column: a graph too wide left to right is folded into rows
(drawn by the real Graphviz and measured), a small one is drawn as authored, and the choice is
the same on every run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from handover_docs.diagrams import render
from handover_docs.diagrams.cache import DiagramCache
from handover_docs.diagrams.graph import Graph, GraphCluster, GraphEdge, GraphNode
from handover_docs.diagrams.layout import (
    MAX_WIDTH_PT,
    Layout,
    bands,
    candidates,
    fold_edges,
    layers,
    svg_width_pt,
)
from handover_docs.diagrams.render import Diagram, dot_source, find_dot, render_graph, run_dot
from handover_docs.errors import Location

SERVER = "diagrams.onprem.compute.Server"
SVG = "{http://www.w3.org/2000/svg}"


def chain(n: int, *, key: str = "architecture", cluster: str | None = None) -> Graph:
    """n icon nodes in a row, each feeding the next, with edge labels (a pipeline)."""
    nodes = tuple(
        GraphNode(f"n{i}", f"Service number {i}", SERVER, "server", f"n{i}", cluster)
        for i in range(n)
    )
    edges = tuple(GraphEdge(f"n{i}", f"n{i + 1}", "requests") for i in range(n - 1))
    clusters = (GraphCluster(cluster, "Group"),) if cluster else ()
    return Graph(key, "Architecture", "LR", nodes, edges, clusters)


def draw(graph: Graph) -> Diagram:
    return render_graph(
        graph,
        link_for=lambda ident: f"../inventory/#{ident}",
        store=DiagramCache(None),
        png=False,
        dot=find_dot(),
        where=Location("test"),
    )


def rows_of(diagram: Diagram) -> list[list[str]]:
    """The node ids drawn on each horizontal line, top to bottom (by their label's y)."""
    root = ET.fromstring(diagram.svg)
    found: dict[float, list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        ident = group.get("id", "")
        match = re.fullmatch(rf"{diagram.key}--(.+)", ident)
        if match and group.get("class") == "node":
            text = next(group.iter(f"{SVG}text"))
            found.setdefault(round(float(text.get("y", "0"))), []).append(match[1])
    return [sorted(found[y]) for y in sorted(found)]


def test_a_small_graph_is_drawn_as_authored() -> None:
    graph = chain(3)
    assert candidates(graph)[0] == Layout("LR")
    diagram = draw(graph)
    assert rows_of(diagram) == [["n0", "n1", "n2"]]  # one row, left to right
    source, _ = dot_source(graph, {n.id: f"../inventory/#{n.id}" for n in graph.nodes})
    authored, _ = run_dot(find_dot(), source, png=False, where=Location("test"))
    assert svg_width_pt(diagram.svg) == svg_width_pt(authored) <= MAX_WIDTH_PT


def test_a_long_chain_is_folded_into_rows_that_fit() -> None:
    graph = chain(10, cluster="g")
    source, _ = dot_source(graph, {})
    authored, _ = run_dot(find_dot(), source, png=False, where=Location("test"))
    assert svg_width_pt(authored) > MAX_WIDTH_PT  # as authored it would not fit
    diagram = draw(graph)
    assert svg_width_pt(diagram.svg) <= MAX_WIDTH_PT
    rows = rows_of(diagram)
    assert len(rows) >= 3 and all(len(row) <= 4 for row in rows), rows
    # Reading row by row gives the chain in order.
    assert [n for row in rows for n in sorted(row, key=lambda s: int(s[1:]))] == [
        f"n{i}" for i in range(10)
    ]
    assert diagram.svg == draw(graph).svg  # the same choice, the same bytes


def test_a_wide_rank_is_folded_too() -> None:
    """One source fanning out to twelve nodes: top to bottom the fan is one long rank."""
    hub = GraphNode("hub", "Event bus", SERVER, "queue")
    leaves = tuple(GraphNode(f"s{i}", f"Subscriber {i}", SERVER, "server") for i in range(12))
    edges = tuple(GraphEdge("hub", leaf.id) for leaf in leaves)
    graph = Graph("architecture", "Fan", "TB", (hub, *leaves), edges)
    assert layers(graph) == [["hub"], [leaf.id for leaf in leaves]]
    diagram = draw(graph)
    assert svg_width_pt(diagram.svg) <= MAX_WIDTH_PT
    assert max(len(row) for row in rows_of(diagram)) <= 4


def test_stages_of_a_column_graph_fold_in_their_order() -> None:
    nodes = tuple(
        GraphNode(f"{stage}{i}", f"{stage} {i}", SERVER, "x", cluster=stage)
        for stage, count in (("a", 5), ("b", 2))
        for i in range(count)
    )
    graph = Graph(
        "lineage",
        "Lineage",
        "LR",
        nodes,
        (GraphEdge("a0", "b0"),),
        (GraphCluster("a", "A"), GraphCluster("b", "B")),
        columns=True,
    )
    assert bands(graph) == [[["a0", "a1", "a2", "a3", "a4"]], [["b0", "b1"]]]
    rows = fold_edges(graph, Layout("TB", 3))
    assert rows.same_rank == [("a0", "a1", "a2"), ("a3", "a4"), ("b0", "b1")]
    assert rows.invisible == [("a0", "a3"), ("a3", "b0")]
    assert fold_edges(graph, Layout("LR")).same_rank == []


def test_cycles_do_not_stop_the_ranking() -> None:
    nodes = tuple(GraphNode(n, n, SERVER, "x") for n in ("a", "b", "c"))
    edges = (GraphEdge("a", "b"), GraphEdge("b", "c"), GraphEdge("c", "b"))
    graph = Graph("architecture", "Loop", "LR", nodes, edges)
    assert layers(graph) == [["a"], ["b"], ["c"]]


def test_the_outline_lists_every_node_and_where_it_leads() -> None:
    from handover_docs.diagrams.figure import figure_html

    graph = chain(3, cluster="g")
    html = figure_html(draw(graph))
    outline = html[html.index('<div class="handover-diagram__outline">') :]
    assert "<li>Group<ul>" not in outline  # one group: no grouping level
    assert '<a href="../inventory/#n1">Service number 1</a>' in outline
    assert outline.count("→") == 2 and "(requests)" in outline


def test_the_width_limit_is_part_of_the_cache_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached folded drawing is not reused once the limit would let the row stand."""
    graph = chain(10, cluster="g")
    store = DiagramCache(tmp_path / "cache")
    args: dict[str, Any] = {
        "link_for": lambda ident: None,
        "store": store,
        "png": False,
        "dot": find_dot(),
        "where": Location("test"),
    }
    folded = render_graph(graph, **args)
    assert render_graph(graph, **args).from_cache
    monkeypatch.setattr(render, "MAX_WIDTH_PT", 10_000.0)
    wide = render_graph(graph, **args)
    assert not wide.from_cache
    assert len(rows_of(wide)) == 1 and len(rows_of(folded)) > 1
