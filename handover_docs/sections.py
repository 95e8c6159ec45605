"""Every collection of entries in a handover, in one registry beside the schema.

Loading (ids and references), the semantic diff, the generated pages' anchors and the
merge of manifest files all walk the same collections. They used to keep five lists of
them by hand; now they read this one, and ``tests/test_sections.py`` fails when a list
field is added to the schema without an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from handover_docs.yamlsource import DataPath


@dataclass(frozen=True)
class Collection:
    """A list of entries in the merged manifest."""

    name: str
    """The name references use in ``Ref(...)`` and ``[[id]]`` lookups, e.g. 'drift'."""
    path: DataPath
    """Where the list sits in the data, e.g. ('monitoring', 'drift')."""
    key: str = "id"
    """The field that identifies an entry (entries keyed by ``id`` can be referenced)."""
    label: str = ""
    """How a diff names it ('drift thresholds'); default: the name."""
    page: str | None = None
    """The generated page that holds each entry's anchor (``{id}`` for a page per entry)."""

    @property
    def referable(self) -> bool:
        """Entries have ids that references and ``[[id]]`` links can name."""
        return self.key == "id"

    @property
    def title(self) -> str:
        return self.label or self.name


COLLECTIONS: tuple[Collection, ...] = (
    Collection("people", ("people",), page="people.md"),
    Collection("artifacts", ("artifacts",), page="artifacts.md"),
    Collection("datasets", ("datasets",), page="datasets/{id}.md"),
    Collection("experiments", ("experiments",), page="experiments.md"),
    Collection("environments", ("environments",), page="environments.md"),
    Collection("decisions", ("decisions",), page="decisions.md"),
    Collection("deviations", ("deviations",), page="deviations.md"),
    Collection("milestones", ("milestones",), page="checklist.md"),
    Collection("checklist", ("checklist",), page="checklist.md"),
    Collection("glossary", ("glossary",), key="term"),
    Collection("faq", ("faq",), key="question"),
    Collection("sessions", ("sessions",), page="sessions.md"),
    Collection("narratives", ("narratives",)),
    Collection("targets", ("deployment", "targets"), page="deployment.md"),
    Collection("fallbacks", ("deployment", "fallbacks"), page="deployment.md"),
    Collection("contingencies", ("deployment", "contingencies"), page="deployment.md"),
    Collection("drift", ("monitoring", "drift"), label="drift thresholds", page="deployment.md"),
    Collection("approvals", ("governance", "approvals"), page="governance.md"),
    Collection("signoffs", ("governance", "signoffs"), key="role", label="sign-offs"),
    Collection(
        "production_support",
        ("governance", "production_support"),
        key="person",
        label="production support",
    ),
    Collection("risks", ("governance", "risks"), page="governance.md"),
    Collection("components", ("architecture", "components"), page="architecture.md"),
    Collection("groups", ("architecture", "groups"), page="architecture.md"),
    Collection("pathways", ("architecture", "pathways"), page="architecture.md"),
)
"""In the order the pages and diffs list them."""

REFERABLE: dict[str, DataPath] = {c.name: c.path for c in COLLECTIONS if c.referable}
"""Collections whose entries have ids, and where each sits in the data."""

TOP_LEVEL_LISTS: tuple[str, ...] = tuple(c.name for c in COLLECTIONS if len(c.path) == 1)
"""Sections that several manifest files may each contribute entries to."""

MAPPING_SECTIONS: tuple[str, ...] = (
    "model",
    "deployment",
    "monitoring",
    "governance",
    "architecture",
)
"""Sections that live whole in one manifest file."""

ANCHOR_PAGES: dict[str, str] = {
    **{c.name: c.page for c in COLLECTIONS if c.page is not None},
    "model": "model-card.md",
}
"""Collection -> the generated page holding each entry's anchor."""
