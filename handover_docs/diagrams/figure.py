"""HTML for showing a diagram on a page: an inline SVG figure (links clickable) or an <img>.

Inline is the default: links work, the page's CSS applies, and ``link_for`` URLs are
relative to the page. With ``src`` the figure points at the SVG file instead (an
``<img>``: icons show, links do not; use it where inline markup is not wanted).
"""

from __future__ import annotations

import html
import re

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
        f"<figcaption>{title}</figcaption></figure>"
    )
