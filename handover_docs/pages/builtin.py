"""The package's built-in page templates and site assets, and which assets every site loads.

A module of its own, importing nothing: an engine's process adds the stylesheets and
scripts to its config and checks template overrides without importing the renderer.
"""

from __future__ import annotations

from pathlib import Path

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"

STYLESHEETS = ("diagrams.css", "handover.css")
"""Stylesheets under ``<folder>/assets/`` that a site must load (MkDocs: ``extra_css``), in
this order: ``handover.css`` refines the diagram styles."""

SCRIPTS = ("handover.js",)
"""Scripts under ``<folder>/assets/`` that a site must load (MkDocs: ``extra_javascript``):
tables that fit their column, digest copy buttons, keyboard-reachable scroll regions."""

REQUIRED_EXTENSIONS = ("attr_list", "tables", "admonition", "toc")
"""Markdown extensions the generated pages use; an engine's config gets those it lacks."""
