"""Options of the ``handover`` MkDocs plugin, validated by MkDocs itself.

Names, defaults and meanings come from :class:`handover_docs.options.PluginOptions`, which
the CLI uses too; ``tests/mkdocs_plugin/test_plugin_options.py`` keeps the two in step.
"""

from __future__ import annotations

from typing import get_args

from mkdocs.config import base, config_options as c

from handover_docs.options import DEFAULTS, GlossaryMode


class HandoverPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = c.Type(bool, default=DEFAULTS.enabled)
    manifests = c.Type(str, default=DEFAULTS.manifests)
    folder = c.Type(str, default=DEFAULTS.folder)
    section = c.Type(str, default=DEFAULTS.section)
    templates = c.Optional(c.Dir(exists=True))
    glossary = c.Choice(get_args(GlossaryMode), default=DEFAULTS.glossary)
    evidence = c.Type(str, default=DEFAULTS.evidence)
    references = c.Type(bool, default=DEFAULTS.references)
    require_evidence = c.Type(bool, default=DEFAULTS.require_evidence)
    portfolio = c.Optional(c.Type(str))
    models_folder = c.Type(str, default=DEFAULTS.models_folder)
    source_links = c.Type(str, default=DEFAULTS.source_links)
