"""HTML for showing a diagram on a page: an inline SVG figure (links clickable) or an <img>.

Inline is the default: links work, the page's CSS applies, and ``link_for`` URLs are
relative to the page. With ``src`` the figure points at the SVG file instead (an
``<img>``: icons show, links do not; use it where inline markup is not wanted).

Every figure also carries a text outline of the drawing (its nodes, grouped as drawn, and
each node's connections, with the same links): diagrams.css shows it on narrow screens,
where a drawing cannot be read at a glance, and keeps it for screen readers elsewhere.
"""

from __future__ import annotations

import html
import re

from handover_docs.diagrams.graph import GraphNode
from handover_docs.diagrams.render import Diagram

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)pt"')


def natural_width_px(diagram: Diagram) -> float:
    """The drawing's own width in CSS pixels (Graphviz sizes SVG in points)."""
    found = _WIDTH.search(diagram.svg.decode("utf-8"))
    return round(float(found.group(1)) * 4 / 3, 1) if found else 0.0


def inline_svg(diagram: Diagram) -> str:
    """The SVG markup without the XML declaration, doctype and comments before <svg>."""
    text = diagram.svg.decode("utf-8")
    return _PROLOG.sub("", text, count=1).strip()


def figure_html(diagram: Diagram, *, src: str | None = None) -> str:
    """A ``<figure class="handover-diagram">`` with a caption; styled by diagrams.css."""
    title = html.escape(diagram.title)
    if src is None:
        body = inline_svg(diagram)
    else:
        body = f'<img src="{html.escape(src)}" alt="{html.escape(diagram.alt)}">'
    return (
        f'<figure class="handover-diagram" id="diagram-{html.escape(diagram.key)}" '
        f'style="--hd-natural-width: {natural_width_px(diagram)}px">'
        f'<div class="handover-diagram__scroll">{body}</div>'
        f"<figcaption>{title}</figcaption>{outline_html(diagram)}</figure>"
    )


def outline_html(diagram: Diagram) -> str:
    """The drawing as nested lists: each group, its nodes, and where each node leads."""
    graph = diagram.graph
    if graph is None or not graph.outline or not graph.nodes:
        return ""
    links = dict(diagram.links)
    groups: list[tuple[str, list[GraphNode]]] = [
        (c.label, [n for n in graph.nodes if n.cluster == c.id]) for c in graph.clusters
    ]
    grouped = {c.id for c in graph.clusters}
    groups.append(("Other", [n for n in graph.nodes if n.cluster not in grouped]))
    groups = [(label, nodes) for label, nodes in groups if nodes]
    labels = {n.id: n.label for n in graph.nodes}
    leads: dict[str, list[str]] = {}  # node id -> its outgoing links as list items, in order
    for e in graph.edges:
        leads.setdefault(e.source, []).append(
            f"<li>→ {_linked(labels[e.target], links.get(e.target))}"
            + (f" ({html.escape(e.label)})" if e.label else "")
            + "</li>"
        )

    def item(node: GraphNode) -> str:
        name = _linked(node.label, links.get(node.id))
        inner = f"<ul>{''.join(leads[node.id])}</ul>" if node.id in leads else ""
        return f"<li>{name} <span>({html.escape(node.kind)})</span>{inner}</li>"

    if len(groups) == 1:
        items = [item(node) for node in groups[0][1]]
    else:
        items = [
            f"<li>{html.escape(label)}<ul>" + "".join(item(node) for node in nodes) + "</ul></li>"
            for label, nodes in groups
        ]
    title = html.escape(diagram.title)
    return (
        f'<div class="handover-diagram__outline">'
        f"<p>{title} as a list: every node and where it leads.</p>"
        f"<ul>{''.join(items)}</ul></div>"
    )


def _linked(label: str, url: str | None) -> str:
    text = html.escape(label)
    return f'<a href="{html.escape(url)}">{text}</a>' if url else text
