"""Architecture, lineage and data-pathway diagrams as self-contained, deterministic SVG.

Engine-neutral API for the site generator::

    from handover_docs.diagrams import render_diagrams
    diagrams = render_diagrams(loaded, cache_dir=root / ".handover/cache/diagrams",
                               link_for=lambda ident: url_of(ident))
    diagrams["architecture"].svg   # bytes; also .filename, .title, .alt, .source_digest

Importing this package is cheap: the ``diagrams`` library is imported only when a
diagram is drawn, so validation (which uses ``kinds``) stays fast.
"""

from __future__ import annotations

from pathlib import Path

from handover_docs.component_kinds import KINDS, component_kind_findings
from handover_docs.diagrams.figure import figure_html, inline_svg
from handover_docs.diagrams.render import Diagram, find_dot, render_diagrams, render_handover

CSS_PATH = Path(__file__).with_name("diagrams.css")
"""Stylesheet for diagram figures (light and dark mode); copy it into the site."""


def default_cache_dir(root: Path) -> Path:
    """Where a project keeps its diagram cache: ``<root>/.handover/cache/diagrams``."""
    return root / ".handover" / "cache" / "diagrams"


__all__ = [
    "CSS_PATH",
    "KINDS",
    "Diagram",
    "component_kind_findings",
    "default_cache_dir",
    "figure_html",
    "find_dot",
    "inline_svg",
    "render_diagrams",
    "render_handover",
]
