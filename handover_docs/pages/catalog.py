"""The page catalog: which generated pages exist, where, from which template, in which nav section.

Adding a page is one line: ``PAGES.append(PageSpec("audit.md", "audit.md.j2", "Audit",
"Governance"))`` (or :func:`add_page`). A spec with ``each`` makes one page per entry of
that collection; its ``path`` holds ``{id}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from handover_docs import schema, sections


@dataclass(frozen=True)
class PageSpec:
    path: str
    """Output path under the generated folder, e.g. ``model-card.md`` or ``datasets/{id}.md``."""
    template: str
    """Template name, looked up first in the site's override folder, then the built-ins."""
    title: str
    """Nav title; for ``each`` pages the entry's name is used instead."""
    section: str
    """Nav sub-section under the generated section; ``""`` for its top level."""
    each: str = ""
    """A collection (``datasets``...) to make one page per entry of; ``path`` holds ``{id}``."""
    footer: bool = True
    """End the page with its last change from git; not on a page that is history itself."""
    figures: tuple[str, ...] = ()
    """Diagrams its template shows (a key, or a family such as ``pathway-``), drawn ahead
    in parallel (``Figures.prefetch``); a diagram not listed is drawn when asked."""


PAGES: list[PageSpec] = [
    PageSpec("index.md", "overview.md.j2", "Overview", "", figures=("architecture",)),
    PageSpec("model-card.md", "model-card.md.j2", "Model card", "Model"),
    PageSpec("artifacts.md", "artifacts.md.j2", "Artifact inventory", "Model"),
    PageSpec("datasets/{id}.md", "datasheet.md.j2", "Datasets", "Model/Datasets", each="datasets"),
    PageSpec("experiments.md", "experiments.md.j2", "Experiments & reproducibility", "Model"),
    PageSpec("environments.md", "environments.md.j2", "Environments & dependencies", "Model"),
    PageSpec(
        "architecture.md",
        "architecture.md.j2",
        "Architecture & data pathways",
        "Model",
        figures=("architecture", "pathway-"),
    ),
    PageSpec("lineage.md", "lineage.md.j2", "Lineage", "Model", figures=("lineage",)),
    PageSpec("oncall.md", "oncall.md.j2", "On call", "Operations"),
    PageSpec("deployment.md", "deployment.md.j2", "Deployment guidance", "Operations"),
    PageSpec("status.md", "status.md.j2", "Status", "Operations"),
    PageSpec("checklist.md", "checklist.md.j2", "Milestones & checklist", "Operations"),
    PageSpec("deviations.md", "deviations.md.j2", "Deviations log", "Operations"),
    PageSpec("governance.md", "governance.md.j2", "Governance & sign-offs", "Governance"),
    PageSpec("decisions.md", "decisions.md.j2", "Decisions & rationale", "Governance"),
    PageSpec("people.md", "people.md.j2", "People & contacts", "Governance"),
    PageSpec("audit.md", "audit.md.j2", "Audit", "Governance"),
    PageSpec("changes.md", "changes.md.j2", "Changes", "Governance", footer=False),
    PageSpec("verify.md", "verify.md.j2", "Verify this site", "Governance"),
    PageSpec("sessions.md", "sessions.md.j2", "Knowledge-transfer sessions", "Knowledge"),
    PageSpec("glossary.md", "glossary.md.j2", "Glossary", "Knowledge"),
    PageSpec("faq.md", "faq.md.j2", "FAQ", "Knowledge"),
    PageSpec(
        "maintaining.md", "maintaining.md.j2", "Maintaining & verifying this site", "Knowledge"
    ),
]
"""Every generated page, in nav order."""

ANCHOR_PAGES: dict[str, str] = sections.ANCHOR_PAGES
"""Collection -> generated page that holds an anchor for each of its entries.

``narratives`` link to the narrative page itself (in the docs folder)."""


def add_page(spec: PageSpec, *, before: str | None = None) -> None:
    """Register a page (optionally before the page with path ``before``); replaces same path."""
    for index, existing in enumerate(PAGES):
        if existing.path == spec.path:
            PAGES[index] = spec
            return
    if before is not None:
        for index, existing in enumerate(PAGES):
            if existing.path == before:
                PAGES.insert(index, spec)
                return
    PAGES.append(spec)


def entries(handover: schema.Handover, collection: str) -> list[object]:
    """The entries of a collection, for ``each`` pages."""
    value: object = getattr(handover, collection)
    return list(value) if isinstance(value, list) else []
