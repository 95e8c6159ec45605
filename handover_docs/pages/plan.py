"""What a generated site is made of, as plain data: :class:`RenderedSite` (pages, nav,
assets, sources) and :class:`SitePlan` (all an engine's process needs before it reads a
page, when another process renders: the MkDocs plugin's worker).

A module importing nothing heavy, so a plan sent from the worker is unpickled without the
schema, Jinja or the renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handover_docs.glossary import GlossaryLinker


@dataclass
class RenderedSite:
    """The generated pages (path under the docs root -> Markdown) and the nav for them."""

    pages: dict[str, str]
    nav: list[dict[str, Any]]
    titles: dict[str, str] = field(default_factory=dict)
    assets: dict[str, bytes] = field(default_factory=dict)
    sources: dict[str, list[Path]] = field(default_factory=dict)
    """Page -> the files it is made from (manifest files, template override), for its history
    footer; pages without a footer (the changes page) are not listed."""
    blocks: dict[str, Callable[[str], str]] = field(default_factory=dict)
    """Generated blocks a narrative places with ``[[!name]]`` on a line of its own (e.g.
    ``[[!start-here]]``): name -> Markdown for the page at that path under the docs root."""
    edit_urls: dict[str, str] = field(default_factory=dict)
    """Page -> the address its "edit this page" button opens (its manifest file); pages not
    listed get none (``pages/source_links.py``)."""


@dataclass
class SitePlan:
    """A handover's site before its pages are rendered: their paths, nav, titles, sources
    and edit links (``site``, each page's text empty, no blocks), the glossary, and what
    a signature names. Picklable: the validated manifests stay where the pages are
    rendered."""

    site: RenderedSite
    glossary: GlossaryLinker
    digest: str
    """The merged manifests' digest (``LoadedHandover.digest``), named by the signature."""
    release: str | None
    """The model's version: the release a signature names."""
    watched: list[Path] = field(default_factory=list)
    """Files besides the manifests that pages show (experiment configs, sample runs):
    ``mkdocs serve`` rebuilds when they change."""
