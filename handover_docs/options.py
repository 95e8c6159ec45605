"""The ``handover`` plugin's options: one typed model for the plugin, the CLI and project lookup.

MkDocs validates the options of a build (``mkdocs_plugin/config.py`` declares them from
this model's fields and defaults); the CLI reads the same options from ``mkdocs.yml``
without importing MkDocs, through :func:`parse_options`. Both end in :class:`PluginOptions`,
so a default or a type can no longer differ between ``mkdocs build`` and ``handover render``.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from handover_docs.errors import Finding, HandoverError, Location

GlossaryMode = Literal["first", "all", "off"]


@dataclass(frozen=True)
class PluginOptions:
    """Every option of the ``handover`` plugin, with its default."""

    enabled: bool = True
    """Turn the plugin off (``enabled: !ENV [HANDOVER_ENABLED, true]``): a plain build."""
    manifests: str = "handover"
    """Manifest folder (or single file), relative to the folder of mkdocs.yml."""
    folder: str = "handover"
    """Folder (under the site root) that the generated pages are published in."""
    section: str = "Handover"
    """Title of the generated nav section."""
    templates: str | None = None
    """Folder of page-template overrides, looked up by name before the built-ins."""
    glossary: GlossaryMode = "first"
    """Link glossary terms: the first occurrence per page, every occurrence, or not at all."""
    evidence: str = ".handover/evidence.json"
    """Evidence file written by ``handover check``, relative to mkdocs.yml; none yet is fine."""
    references: bool = True
    """Resolve ``[[id]]`` and ``[[=path]]`` references in the narrative pages."""
    require_evidence: bool = False
    """Strict evidence mode: fail the build when a required checklist item is failing,
    skipped, stale or not run (as ``handover check --ci`` does)."""
    portfolio: str | None = None
    """Portfolio mode: the folder (relative to mkdocs.yml) holding one handover project per
    model (``handovers/<model>/handover/``); ``manifests`` is then not used."""
    models_folder: str = "models"
    """Portfolio mode: folder of the site holding the index and one section per model."""
    source_links: str = "auto"
    """"Edit source" links from each generated entry to its manifest line: ``auto`` (from
    mkdocs.yml's ``repo_url`` and ``edit_uri``), ``off``, or an address template with
    ``{path}`` and ``{line}`` (``pages/source_links.py``)."""

    @property
    def site_folder(self) -> str:
        """``folder`` without leading or trailing slashes, as page paths use it."""
        return self.folder.strip("/")

    def templates_dir(self, root: Path) -> Path | None:
        return root / self.templates if self.templates else None

    def evidence_file(self, root: Path) -> Path:
        return root / self.evidence


DEFAULTS = PluginOptions()
_TYPES = typing.get_type_hints(PluginOptions)
OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PluginOptions))


def _problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid value of option ``name``; None when it is."""
    kind = _TYPES[name]
    allowed = get_args(kind)
    if kind is bool:
        return None if isinstance(value, bool) else "must be true or false"
    if kind is str:
        return None if isinstance(value, str) else "must be text"
    if kind == (str | None):
        return None if value is None or isinstance(value, str) else "must be text"
    if allowed and all(isinstance(a, str) for a in allowed):
        if value in allowed:
            return None
        return "must be one of " + ", ".join(allowed)
    raise AssertionError(f"option {name} has a type this parser does not know: {kind}")


def parse_options(
    raw: Mapping[str, Any], locate: Callable[[str], Location] | None = None
) -> PluginOptions:
    """Options from a mapping as written in ``mkdocs.yml``; every problem at once, located."""
    where = locate or (lambda _name: Location("mkdocs.yml"))
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in OPTION_NAMES:
            findings.append(
                Finding(
                    where(str(name)),
                    f"unknown option '{name}' of the handover plugin",
                    hint="options: " + ", ".join(OPTION_NAMES),
                )
            )
        elif (problem := _problem(name, value)) is not None:
            shown = type(value).__name__ if isinstance(value, (list, dict)) else repr(value)
            findings.append(
                Finding(where(name), f"handover plugin option '{name}' {problem}, not {shown}")
            )
        else:
            values[name] = value
    if findings:
        raise HandoverError(findings)
    return PluginOptions(**values)
