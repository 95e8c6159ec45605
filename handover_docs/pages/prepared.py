"""One handover loaded for a site: the manifests, the generated site, its glossary and its
reference linker, from one call; and the :class:`SitePlan` an engine's process needs when
another process holds all this (the MkDocs plugin's worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from handover_docs import manifest
from handover_docs.glossary import GlossaryLinker
from handover_docs.pages import refs
from handover_docs.pages.evidence import evidence_gate
from handover_docs.pages.plan import RenderedSite, SitePlan
from handover_docs.pages.render import Linker
from handover_docs.pages.site import SiteOptions, build_site, evidence_path
from handover_docs.project import Project


@dataclass
class PreparedSite:
    """A loaded handover and its generated site (pages' text empty when only planned)."""

    loaded: manifest.LoadedHandover
    options: SiteOptions
    site: RenderedSite
    glossary: GlossaryLinker
    linker: Linker

    @classmethod
    def load(
        cls, project: Project, options: SiteOptions, *, require_evidence: bool, plan_only: bool
    ) -> PreparedSite:
        """Load and validate the manifests, check the evidence gate, plan (or render) the
        pages. Raises HandoverError with every finding."""
        loaded = manifest.load_project(project)
        if require_evidence:
            evidence_gate(loaded, evidence_path(loaded, options))
        site = build_site(loaded, options, plan_only=plan_only)
        glossary = GlossaryLinker.from_terms(loaded.handover.glossary)
        linker = Linker(loaded, options.folder, blocks=site.blocks)
        return cls(loaded, options, site, glossary, linker)

    def plan(self) -> SitePlan:
        """The site without the pages' text or the blocks (plain data, picklable)."""
        planned = replace(self.site, pages=dict.fromkeys(self.site.pages, ""), blocks={})
        return SitePlan(
            planned,
            self.glossary,
            self.loaded.digest,
            self.loaded.handover.model.version,
            self.watched(),
        )

    def watched(self) -> list[Path]:
        root = self.loaded.project.root
        return [
            root / rel
            for e in self.loaded.handover.experiments
            for rel in (e.config, e.sample_run)
            if rel
        ]

    def render(self, on_page: Callable[[str, str], None]) -> None:
        """Render every page, giving each to ``on_page`` (path, Markdown) as it is done."""
        build_site(self.loaded, self.options, on_page=on_page)

    def resolve(self, markdown: str, *, page: str, display: str) -> str:
        """A narrative's references resolved (``refs.resolve``); raises HandoverError."""
        return refs.resolve(markdown, page=page, display=display, linker=self.linker)
