"""Options of the ``handover`` MkDocs plugin, validated by MkDocs itself."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class HandoverPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    manifests = c.Type(str, default="handover")
    """Manifest folder (or single file), relative to the folder of mkdocs.yml."""
    folder = c.Type(str, default="handover")
    """Folder (under the site root) that the generated pages are published in."""
    section = c.Type(str, default="Handover")
    """Title of the generated nav section."""
    templates = c.Optional(c.Dir(exists=True))
    """Folder of page-template overrides, looked up by name before the built-ins."""
    glossary = c.Choice(("first", "all", "off"), default="first")
    """Link glossary terms: the first occurrence per page, every occurrence, or not at all."""
    evidence = c.Type(str, default=".handover/evidence.json")
    """Evidence file written by ``handover check``, relative to mkdocs.yml; none yet is fine."""
    references = c.Type(bool, default=True)
    """Resolve ``[[id]]`` and ``[[=path]]`` references in the narrative pages."""
    require_evidence = c.Type(bool, default=False)
    """Strict evidence mode: fail the build when a required checklist item is failing,
    skipped, stale or not run (as ``handover check --ci`` does)."""
    portfolio = c.Optional(c.Type(str))
    """Portfolio mode: the folder (relative to mkdocs.yml) holding one handover project per
    model (``handovers/<model>/handover/``); ``manifests`` is then not used."""
    models_folder = c.Type(str, default="models")
    """Portfolio mode: folder of the site holding the index and one section per model."""
