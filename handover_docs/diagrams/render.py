"""Draw graphs with the ``diagrams`` package and Graphviz; cache; return self-contained SVG.

The ``diagrams`` package builds the Graphviz source (its node classes bring the icons
and house style); we run ``dot`` ourselves in a private temp folder, so nothing lands
in the current folder or ``docs/`` and no viewer opens. Node ids are the manifest ids
(``diagrams`` would use random uuid4s), so the same manifest gives the same bytes.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from handover_docs import __version__, schema
from handover_docs.diagrams.cache import CachedRender, DiagramCache
from handover_docs.diagrams.graph import (
    Graph,
    GraphEdge,
    GraphNode,
    architecture_graph,
    pathway_graphs,
)
from handover_docs.diagrams.layout import (
    MAX_WIDTH_PT,
    Layout,
    Rows,
    candidates,
    fold_edges,
    svg_width_pt,
)
from handover_docs.diagrams.lineage import lineage_graph
from handover_docs.diagrams.svg import make_self_contained
from handover_docs.errors import Finding, HandoverError, Location

if TYPE_CHECKING:
    from handover_docs.manifest import LoadedHandover

RENDER_FORMAT = "4"
"""Bump when drawing or post-processing changes, so old cache entries are not reused."""

DOT_TIMEOUT = 120.0
"""Seconds before a Graphviz run is given up."""

DOT_THREADS = min(4, os.cpu_count() or 1)
"""Graphviz runs at once when several diagrams miss the cache (one ``dot`` process each)."""

INSTALL_HINT = "apt-get install graphviz (Debian/Ubuntu) — the README's setup commands install it"

GRAPH_ATTR = {
    "pad": "0.25",
    "splines": "spline",
    "nodesep": "0.5",
    "ranksep": "0.9",
    "label": "",
    "fontname": "Sans-Serif",
}
PLAIN_NODE_ATTR = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "#E5F5FD",
    "color": "#AEB6BE",
    "fixedsize": "false",
    "width": "1.6",
    "height": "0.6",
    "margin": "0.15,0.08",
    "labelloc": "c",
}

COMPACT_NODE_ATTR = {"width": "1.0", "fontsize": "11", "imagepos": "tc"}

_LOCK = threading.Lock()
"""``diagrams`` keeps the diagram being drawn in a global context: draw one at a time."""

LinkFor = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Diagram:
    """One rendered diagram, ready to be written beside a page."""

    key: str
    """'architecture', 'lineage' or 'pathway-<id>'."""
    title: str
    alt: str
    """Text description listing every node and connection (for screen readers)."""
    svg: bytes
    """Self-contained SVG: icons embedded, relative links, no local paths."""
    source_digest: str
    """sha256 of the Graphviz sources its layout was chosen from (icon paths made relative)."""
    png: bytes | None = None
    """PNG fallback (no links), when asked for."""
    from_cache: bool = False
    graph: Graph | None = None
    """What was drawn: for the text outline shown beside the drawing."""
    links: tuple[tuple[str, str], ...] = ()
    """(node id, URL) of every linked node, as in the drawing."""

    @property
    def filename(self) -> str:
        return f"{self.key}.svg"

    @property
    def png_filename(self) -> str:
        return f"{self.key}.png"


def render_diagrams(
    loaded: LoadedHandover,
    *,
    cache_dir: Path | None,
    link_for: LinkFor,
    png: bool = False,
) -> dict[str, Diagram]:
    """Render every diagram of a loaded handover, keyed 'architecture', 'lineage', 'pathway-<id>'.

    ``link_for(id)`` gives the URL (relative to where the SVG is served) of a manifest
    entry's page or anchor, or None for no link. Diagrams with nothing to draw (no
    components, no provenance) are left out. Raises HandoverError when Graphviz is
    missing or fails.
    """
    where = loaded.locate(("architecture",))
    return render_handover(
        loaded.handover, cache_dir=cache_dir, link_for=link_for, png=png, where=where
    )


def render_handover(
    handover: schema.Handover,
    *,
    cache_dir: Path | None,
    link_for: LinkFor,
    png: bool = False,
    where: Location | None = None,
) -> dict[str, Diagram]:
    """Like :func:`render_diagrams`, for a handover without source locations.

    The diagrams missing from the cache are drawn in parallel (``dot`` is a subprocess, so
    threads suffice); the results are assembled, cached and any error raised in page order,
    so the output and the first error are those of drawing one after the other.
    """
    dot = find_dot()
    store = DiagramCache(cache_dir)
    plans = [
        _plan(graph, link_for=link_for, store=store, png=png, dot=dot) for graph in graphs(handover)
    ]
    missing = [plan for plan in plans if plan.hit is None]
    if len(missing) < 2:
        drawn = {
            plan.key: _draw_narrowest(
                dot, plan.sources, png=png, where=where or Location("handover")
            )
            for plan in missing
        }
        return {plan.graph.key: _finish(plan, drawn.get(plan.key), store) for plan in plans}
    pool = ThreadPoolExecutor(max_workers=min(DOT_THREADS, len(missing)))
    try:
        futures = {
            plan.key: pool.submit(
                _draw_narrowest, dot, plan.sources, png=png, where=where or Location("handover")
            )
            for plan in missing
        }
        return {
            plan.graph.key: _finish(
                plan, futures[plan.key].result() if plan.key in futures else None, store
            )
            for plan in plans
        }
    finally:
        # On an error, drawings not started are dropped and running ones waited for, so no
        # Graphviz process outlives the call.
        pool.shutdown(wait=True, cancel_futures=True)


def graphs(handover: schema.Handover) -> list[Graph]:
    """Every diagram the handover has material for, in page order."""
    found = [architecture_graph(handover), lineage_graph(handover), *pathway_graphs(handover)]
    return [graph for graph in found if graph is not None]


def find_dot() -> Path:
    """The Graphviz ``dot`` on PATH, or a HandoverError naming the fix."""
    found = shutil.which("dot")
    if found is None:
        raise HandoverError(
            Finding(
                Location("graphviz"),
                "Graphviz 'dot' not found on PATH: diagrams cannot be drawn",
                hint=INSTALL_HINT,
                code="missing-graphviz",
            )
        )
    return Path(found)


def render_graph(
    graph: Graph,
    *,
    link_for: LinkFor,
    store: DiagramCache,
    png: bool,
    dot: Path,
    where: Location,
) -> Diagram:
    plan = _plan(graph, link_for=link_for, store=store, png=png, dot=dot)
    if plan.hit is not None:
        return _finish(plan, None, store)
    return _finish(plan, _draw_narrowest(dot, plan.sources, png=png, where=where), store)


@dataclass(frozen=True)
class _Plan:
    """A diagram's Graphviz sources and cache key, computed without running Graphviz."""

    graph: Graph
    sources: list[str]
    icon_root: Path
    source_digest: str
    alt: str
    links: tuple[tuple[str, str], ...]
    key: str
    png: bool
    hit: CachedRender | None


def _plan(graph: Graph, *, link_for: LinkFor, store: DiagramCache, png: bool, dot: Path) -> _Plan:
    links = {node.id: _checked_link(link_for, node.link) for node in graph.nodes if node.link}
    sources = []
    for layout in candidates(graph):
        source, icon_root = dot_source(graph, links, layout)
        sources.append(source)
    # The layout is chosen from these candidates by drawing them, so all of them (and the
    # width limit) decide the output: the cache key covers every one.
    prefix = str(icon_root.parent) + os.sep
    portable = "\n".join(source.replace(prefix, "") for source in sources)
    source_digest = hashlib.sha256(portable.encode()).hexdigest()
    alt = graph.alt_text()
    linked = tuple(sorted((k, v) for k, v in links.items() if v))
    key = cache_key(graph, source_digest, alt, dot, png=png)
    hit = store.get(key, png=png)
    return _Plan(graph, sources, icon_root, source_digest, alt, linked, key, png, hit)


def _finish(plan: _Plan, drawn: tuple[bytes, bytes | None] | None, store: DiagramCache) -> Diagram:
    """The Diagram of a plan: from the cache hit, or from Graphviz's output (then cached)."""
    graph = plan.graph
    if plan.hit is not None:
        hit = plan.hit
        return Diagram(
            graph.key,
            graph.title,
            plan.alt,
            hit.svg,
            plan.source_digest,
            hit.png,
            True,
            graph,
            plan.links,
        )
    assert drawn is not None  # a plan without a cache hit is drawn before it is finished
    raw_svg, png_data = drawn
    svg = make_self_contained(
        raw_svg.decode("utf-8"),
        icon_root=plan.icon_root,
        prefix=f"hd-{graph.key}",
        title=graph.title,
        alt=plan.alt,
    ).encode("utf-8")
    store.put(plan.key, CachedRender(svg, png_data))
    return Diagram(
        graph.key,
        graph.title,
        plan.alt,
        svg,
        plan.source_digest,
        png_data,
        False,
        graph,
        plan.links,
    )


def _draw_narrowest(
    dot: Path, sources: list[str], *, png: bool, where: Location
) -> tuple[bytes, bytes | None]:
    """Draw the candidates in order; keep the first that fits MAX_WIDTH_PT, else the narrowest.

    Measuring the real drawing (rather than guessing label widths) keeps the choice exact;
    Graphviz is deterministic, so the same sources always give the same choice.
    """
    best: tuple[float, bytes, bytes | None] | None = None
    for source in sources:
        raw_svg, png_data = run_dot(dot, source, png=png, where=where)
        width = svg_width_pt(raw_svg)
        if width <= MAX_WIDTH_PT:
            return raw_svg, png_data
        if best is None or width < best[0]:
            best = (width, raw_svg, png_data)
    assert best is not None  # candidates() is never empty
    return best[1], best[2]


def cache_key(graph: Graph, source_digest: str, alt: str, dot: Path, *, png: bool) -> str:
    """sha256 of everything that decides the output; computed without running Graphviz."""
    stat = dot.resolve().stat()
    material = {
        "format": RENDER_FORMAT,
        "handover-docs": __version__,
        "diagrams": package_version("diagrams"),
        "graphviz": [str(dot.resolve()), stat.st_size, stat.st_mtime_ns],
        "key": graph.key,
        "title": graph.title,
        "alt": alt,
        "source": source_digest,
        "max-width": MAX_WIDTH_PT,
        "png": png,
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _checked_link(link_for: LinkFor, ident: str) -> str | None:
    url = link_for(ident)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "\\")):
        raise ValueError(
            f"link_for({ident!r}) returned {url!r}: diagram links must be relative URLs"
        )
    return url


@cache
def _diagrams() -> ModuleType:
    return importlib.import_module("diagrams")


@cache
def _node_class(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _text(text: str, width: int) -> Any:
    """A Graphviz label: wrapped, backslashes kept literal, never read as HTML."""
    # Long words (file names) stay whole: a label broken mid-word misreads.
    lines = textwrap.wrap(" ".join(text.split()), width=width, break_long_words=False) or [""]
    return _nohtml("\n".join(_literal(line) for line in lines))


def _literal(text: str) -> str:
    """Keep backslashes and '&' literal: Graphviz reads escapes and entities in labels."""
    return text.replace("\\", "\\\\").replace("&", "&amp;")


def _url_attr(url: str) -> str:
    """A URL as Graphviz must be given it: Graphviz 2.43 copies URLs into SVG unescaped."""
    return quote(url, safe="/:?#[]@!$&'()*+,;=%-._~").replace("&", "&amp;")


def _nohtml(value: str) -> Any:
    """Mark a string so the graphviz library never reads '<...>' as an HTML label."""
    return importlib.import_module("graphviz").nohtml(value)


def _tooltip(value: str) -> Any:
    """Tooltip text: Graphviz unescapes tooltips twice (a lone '\\N' becomes the node
    name), so each literal backslash is written as four."""
    return _nohtml(value.replace("\\", "\\" * 4).replace("&", "&amp;"))


def dot_source(
    graph: Graph, links: dict[str, str | None], layout: Layout | None = None
) -> tuple[str, Path]:
    """Build the Graphviz source of ``graph`` with ``diagrams``; also return its icon folder.

    ``layout`` overrides the graph's direction and may fold long ranks into rows
    (see layout.py); None draws the graph as authored.
    """
    layout = layout or Layout(graph.direction)
    rows = fold_edges(graph, layout)
    diagrams = _diagrams()
    icon_root = Path(os.path.abspath(os.path.dirname(str(diagrams.__file__)))).parent / "resources"
    with _LOCK:
        canvas = diagrams.Diagram(
            graph.key,
            direction=layout.direction,
            curvestyle="curved",
            outformat="svg",
            show=False,
            graph_attr=GRAPH_ATTR,
        )
        if graph.columns or layout.fold:
            canvas.dot.graph_attr["newrank"] = "true"
        if all(node.node_class is None for node in graph.nodes):
            canvas.dot.graph_attr["ranksep"] = "0.45"  # flowcharts of text boxes
        elif graph.compact:
            canvas.dot.graph_attr["ranksep"] = "0.6"  # dense graphs: columns closer together
        diagrams.setdiagram(canvas)
        try:
            drawn: dict[str, Any] = {}
            for cluster in graph.clusters:
                cluster_attr = {"rank": "same"} if graph.columns and not layout.fold else {}
                with diagrams.Cluster(_text(cluster.label, 40), graph_attr=cluster_attr) as group:
                    group.dot.name = f"cluster_{cluster.id}"
                    for node in graph.nodes:
                        if node.cluster == cluster.id:
                            drawn[node.id] = _draw_node(graph, node, links)
            for node in graph.nodes:
                if node.id not in drawn:
                    drawn[node.id] = _draw_node(graph, node, links)
            if graph.columns and not layout.fold:
                _order_columns(canvas, graph)
            _fold(canvas, rows)
            for edge in graph.edges:
                drawn[edge.source].connect(drawn[edge.target], _edge(graph, edge))
        finally:
            diagrams.setdiagram(None)
        return str(canvas.dot.source), icon_root


def _fold(canvas: Any, rows: Rows) -> None:
    """Keep each row of a folded layout level; chain the rows with invisible edges."""
    for row in rows.same_rank:
        with canvas.dot.subgraph() as band:
            band.attr(rank="same")
            for node_id in row:
                band.node(node_id)
    for a, b in rows.invisible:
        canvas.dot.edge(a, b, style="invis", weight="10")


def _edge(graph: Graph, edge: GraphEdge) -> Any:
    attrs: dict[str, Any] = {"forward": True}
    if edge.label and graph.edge_labels:
        attrs["label"] = _text(edge.label, 24)
    if edge.dashed:
        attrs["style"] = "dashed"
    if edge.color:
        attrs["color"] = edge.color
    return _diagrams().Edge(**attrs)


def _order_columns(canvas: Any, graph: Graph) -> None:
    """Invisible edges between the first nodes of consecutive clusters keep columns in order."""
    firsts = []
    for cluster in graph.clusters:
        first = next((n.id for n in graph.nodes if n.cluster == cluster.id), None)
        if first is not None:
            firsts.append(first)
    for a, b in itertools.pairwise(firsts):
        canvas.dot.edge(a, b, style="invis", weight="10")


def _draw_node(graph: Graph, node: GraphNode, links: dict[str, str | None]) -> Any:
    attrs: dict[str, Any] = {
        "nodeid": node.id,
        "id": f"{graph.key}--{node.id}",
        "tooltip": _tooltip(" ".join(node.tooltip.split()) or node.label),
    }
    url = links.get(node.id)
    if url:
        attrs["URL"] = _nohtml(_url_attr(url))
        attrs["target"] = "_top"
    if node.node_class is None:
        attrs.update(PLAIN_NODE_ATTR)
        if node.emphasis:
            attrs["fillcolor"] = "#EBF3E7"
        return _diagrams().Node(_text(node.label, 28), **attrs)
    if graph.compact:
        attrs.update(COMPACT_NODE_ATTR)
        label = _text(node.label, 16)
        attrs["height"] = f"{1.3 + 0.17 * str(label).count(chr(10)):.2f}"
        return _node_class(node.node_class)(label, **attrs)
    return _node_class(node.node_class)(_text(node.label, 16), **attrs)


def run_dot(dot: Path, source: str, *, png: bool, where: Location) -> tuple[bytes, bytes | None]:
    """Run Graphviz in a private temp folder; return the SVG (and PNG) bytes."""
    with tempfile.TemporaryDirectory(prefix="handover-diagram-") as tmp:
        out = Path(tmp)
        args = [str(dot), "-Tsvg", "-o", str(out / "diagram.svg")]
        if png:
            args += ["-Tpng", "-o", str(out / "diagram.png")]
        try:
            proc = subprocess.run(
                args,
                input=source.encode("utf-8"),
                capture_output=True,
                cwd=out,
                timeout=DOT_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HandoverError(
                Finding(where, f"Graphviz could not draw the diagram: {exc}", hint=INSTALL_HINT)
            ) from None
        if proc.returncode != 0 or not (out / "diagram.svg").exists():
            detail = proc.stderr.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
            raise HandoverError(
                Finding(where, f"Graphviz failed to draw the diagram: {detail}", hint=INSTALL_HINT)
            )
        svg = (out / "diagram.svg").read_bytes()
        png_data = (out / "diagram.png").read_bytes() if png else None
    return svg, png_data
