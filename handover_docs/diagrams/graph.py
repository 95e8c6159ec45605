"""An engine-neutral description of a diagram, and the architecture and pathway builders.

A :class:`Graph` says what to draw (nodes, edges, clusters, direction) in plain data;
``render.py`` turns it into a ``diagrams`` drawing and Graphviz output. Keeping the
two apart makes the alt text, the tests and the cache key independent of Graphviz.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from handover_docs import schema
from handover_docs.component_kinds import KINDS


@dataclass(frozen=True)
class GraphNode:
    id: str
    """Stable node id (a manifest id, or derived from one): becomes the Graphviz node name."""
    label: str
    node_class: str | None
    """Dotted path of the ``diagrams`` class drawn (with its icon), or None for a plain box."""
    kind: str
    """Shown in the alt text: the component kind, entry type or 'step'."""
    link: str | None = None
    """The manifest id whose page this node links to (passed to ``link_for``)."""
    cluster: str | None = None
    tooltip: str = ""
    emphasis: bool = False
    """For plain boxes: drawn as a start/end step."""


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False
    color: str = ""
    """Graphviz colour; empty for the default grey."""


@dataclass(frozen=True)
class GraphCluster:
    id: str
    label: str


@dataclass(frozen=True)
class Graph:
    key: str
    """'architecture', 'lineage' or 'pathway-<id>': also the file stem."""
    title: str
    direction: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    clusters: tuple[GraphCluster, ...] = ()
    noun: str = "diagram"
    """What the alt text calls it: 'architecture diagram', 'lineage graph', 'flowchart'."""
    columns: bool = False
    """Draw each cluster as one column (rank), in cluster order."""
    compact: bool = False
    """Smaller icon nodes, for dense graphs."""
    edge_labels: bool = True
    """Print edge labels in the drawing (the alt text always lists them)."""
    outline: bool = True
    """Show a text outline beside the drawing (pathways list their steps on the page)."""

    def alt_text(self) -> str:
        """A text description listing every node and edge, for screen readers and search."""
        labels = {node.id: node.label for node in self.nodes}
        cluster_labels = {cluster.id: cluster.label for cluster in self.clusters}
        parts = [
            f"{self.title}: {self.noun} with {_count(len(self.nodes), 'node')} "
            f"and {_count(len(self.edges), 'connection')}."
        ]
        if self.nodes:
            items = []
            for node in self.nodes:
                where = f", in {cluster_labels[node.cluster]}" if node.cluster else ""
                items.append(f"{node.label} ({node.kind}{where})")
            parts.append("Nodes: " + "; ".join(items) + ".")
        if self.edges:
            items = []
            for edge in self.edges:
                text = f"{labels[edge.source]} → {labels[edge.target]}"
                items.append(f"{text} ({edge.label})" if edge.label else text)
            parts.append("Connections: " + "; ".join(items) + ".")
        return " ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def architecture_graph(handover: schema.Handover) -> Graph | None:
    """The architecture section as a graph, or None when it has no components."""
    arch = handover.architecture
    if not arch.components:
        return None
    used_groups = {c.group for c in arch.components if c.group}
    nodes = tuple(
        GraphNode(
            id=c.id,
            label=c.label,
            node_class=KINDS[c.kind].node_class,
            kind=c.kind,
            link=c.link or c.id,
            cluster=c.group,
            tooltip=c.description or c.label,
        )
        for c in arch.components
    )
    edges = tuple(GraphEdge(f.source, f.target, f.label) for f in arch.flows)
    clusters = tuple(GraphCluster(g.id, g.label) for g in arch.groups if g.id in used_groups)
    return Graph(
        "architecture",
        "Architecture",
        "LR",
        nodes,
        edges,
        clusters,
        noun="architecture diagram",
    )


def pathway_graphs(handover: schema.Handover) -> list[Graph]:
    """One flowchart per data pathway, steps in order."""
    graphs = []
    for pathway in handover.architecture.pathways:
        last = len(pathway.steps) - 1
        nodes = tuple(
            GraphNode(
                id=f"{pathway.id}.step-{i + 1}",
                label=step,
                node_class=None,
                kind=f"step {i + 1}",
                tooltip=step,
                emphasis=i in (0, last),
            )
            for i, step in enumerate(pathway.steps)
        )
        edges = tuple(GraphEdge(a.id, b.id) for a, b in itertools.pairwise(nodes))
        graphs.append(
            Graph(
                f"pathway-{pathway.id}",
                pathway.title,
                "LR" if len(nodes) <= 4 else "TB",
                nodes,
                edges,
                noun="flowchart",
                outline=False,
            )
        )
    return graphs
