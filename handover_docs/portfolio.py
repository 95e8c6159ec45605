"""A portfolio: one site holding many handovers, one folder per model.

Layout (documented in ``docs/reference/scale.md``)::

    mkdocs.yml                  # one site for the whole portfolio
    handovers/
      fraud-scorer/
        handover/*.yaml         # that model's manifests (required)
        docs/*.md               # that model's narratives (optional)
        .handover/evidence.json # written by 'handover check handovers/fraud-scorer'
      churn-model/
        handover/...

Each model folder is an ordinary handover project (its root is the model folder, so
artifact paths and narrative pages are relative to it): ``handover validate``,
``handover check``, ``handover audit`` work on it unchanged. This module adds what only
the whole portfolio knows: loading every model with all errors of all models reported
together, model ids unique across the portfolio, the site paths of each model's section,
and the portfolio index (models, owners, status, audit score, checks, last verified).

Core module: it never imports MkDocs. The plugin maps :meth:`Portfolio.sections` to
virtual files and nav entries, and :func:`index_markdown` to the index page.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from handover_docs import manifest
from handover_docs.checks import evidence as checks_evidence
from handover_docs.errors import Finding, HandoverError, Location, display_path
from handover_docs.pages import escape
from handover_docs.project import DEFAULT_DOCS, DEFAULT_MANIFESTS, Project
from handover_docs.review import audit as audit_mod

DEFAULT_FOLDER = "handovers"
"""Folder (beside mkdocs.yml) that holds one sub-folder per model."""

DEFAULT_SITE_FOLDER = "models"
"""Folder of the site that holds one section per model: ``models/<model id>/``."""

GENERATED = "handover"
"""Sub-folder of a model's section holding its generated pages (as in a one-model site)."""


# --- finding and loading ---------------------------------------------------------------------


def is_model_folder(path: Path) -> bool:
    """A sub-folder of the portfolio folder that holds a model: not hidden (``.git``) and
    not set aside with a leading ``_`` (``_shared``)."""
    return not path.name.startswith((".", "_"))


def find_handovers(root: str | Path, folder: str = DEFAULT_FOLDER) -> list[Project]:
    """Every model project under ``root/folder``, sorted by folder name.

    A model folder holds a ``handover/`` manifest folder and optionally ``docs/``. Hidden
    folders (``.git``...) are ignored; any other folder without ``handover/`` is an error,
    so a misspelt manifest folder is never silently left out of the site.
    """
    base = Path(root) / folder
    if not base.is_dir():
        raise HandoverError(
            f"no portfolio folder {display_path(base)} (one sub-folder per model, each "
            f"with a '{DEFAULT_MANIFESTS}/' manifest folder)",
            display_path(base),
        )
    projects: list[Project] = []
    findings: list[Finding] = []
    for child in sorted(base.iterdir(), key=lambda p: p.name):
        if not child.is_dir() or not is_model_folder(child):
            continue
        manifests = child / DEFAULT_MANIFESTS
        if not manifests.is_dir():
            findings.append(
                Finding(
                    Location(display_path(child)),
                    f"model folder has no '{DEFAULT_MANIFESTS}/' manifest folder",
                    hint="each folder under the portfolio folder is one model; "
                    "prefix it with '_' to keep other files there",
                    code="missing",
                )
            )
            continue
        projects.append(Project(child, manifests, child / DEFAULT_DOCS))
    if findings:
        raise HandoverError(findings)
    if not projects:
        raise HandoverError(f"no model folders in {display_path(base)}", display_path(base))
    return projects


@dataclass
class Portfolio:
    """Every model of a portfolio, validated, in folder order."""

    root: Path
    folder: str
    models: list[manifest.LoadedHandover]

    def by_id(self) -> dict[str, manifest.LoadedHandover]:
        return {m.handover.model.id: m for m in self.models}

    def sections(self, site_folder: str = DEFAULT_SITE_FOLDER) -> list[ModelSection]:
        """Where each model lives in the site, in folder order."""
        return [ModelSection.of(m, site_folder) for m in self.models]

    def section_for_page(
        self, src_uri: str, site_folder: str = DEFAULT_SITE_FOLDER
    ) -> ModelSection | None:
        """The section a site page belongs to (for narrative references and glossary)."""
        for section in self.sections(site_folder):
            if src_uri.startswith(section.prefix + "/"):
                return section
        return None


@dataclass(frozen=True)
class ModelSection:
    """The site paths of one model: its narratives under ``prefix``, its generated pages
    under ``generated`` (the ``folder`` to give ``render_pages``)."""

    loaded: manifest.LoadedHandover
    prefix: str
    """``models/<id>``: the model's docs folder is published here."""
    generated: str
    """``models/<id>/handover``: the model's generated pages."""

    @classmethod
    def of(cls, loaded: manifest.LoadedHandover, site_folder: str) -> ModelSection:
        prefix = posixpath.join(site_folder.strip("/"), loaded.handover.model.id)
        return cls(loaded, prefix, f"{prefix}/{GENERATED}")

    @property
    def model_id(self) -> str:
        return self.loaded.handover.model.id

    @property
    def glossary_page(self) -> str:
        return f"{self.generated}/glossary.md"

    def docs_files(self) -> dict[str, Path]:
        """Site path -> source file for every file of the model's docs folder."""
        docs = self.loaded.project.docs
        if not docs.is_dir():
            return {}
        return {
            f"{self.prefix}/{p.relative_to(docs).as_posix()}": p
            for p in sorted(docs.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(docs).parts)
        }

    @property
    def home(self) -> str:
        """The page the portfolio index links to: the model's docs index, else its overview."""
        if (self.loaded.project.docs / "index.md").is_file():
            return f"{self.prefix}/index.md"
        return f"{self.generated}/index.md"


def load_portfolio(root: str | Path, folder: str = DEFAULT_FOLDER) -> Portfolio:
    """Load and validate every model; raise one HandoverError with every finding of every
    model (each ``file:line:col``), including model ids used by two models."""
    projects = find_handovers(root, folder)
    findings: list[Finding] = []
    models: list[manifest.LoadedHandover] = []
    for project in projects:
        try:
            models.append(manifest.load_project(project))
        except HandoverError as exc:
            findings.extend(exc.findings)
    first: dict[str, manifest.LoadedHandover] = {}
    for loaded in models:
        ident = loaded.handover.model.id
        here = loaded.locate(("model", "id"))
        if ident in first:
            there = first[ident].locate(("model", "id"))
            findings.append(
                Finding(
                    here,
                    f"model id '{ident}' is already used by the model at {there}",
                    hint="model ids are unique across the portfolio: each model has its "
                    "own section of the site",
                    code="duplicate-id",
                    related=(there,),
                )
            )
        else:
            first[ident] = loaded
    if findings:
        raise HandoverError(findings)
    return Portfolio(Path(root), folder, models)


# --- the index -------------------------------------------------------------------------------


@dataclass
class Row:
    """One model on the portfolio index."""

    model_id: str
    name: str
    version: str
    status: str
    owners: list[str]
    """People names (the ids when a person is missing from the people section)."""
    home: str
    """Site path of the model's home page."""
    audit_score: int | None = None
    checks: dict[str, int] = field(default_factory=dict)
    """Count of each checklist status (pass, fail, stale, not-run, manual, skipped)."""
    evidence: bool = False
    """Whether an evidence file exists for this model."""
    last_verified: dt.datetime | None = None
    """When the last ``handover check`` run finished (from the evidence file)."""

    @property
    def checks_summary(self) -> str:
        if not self.checks:
            return ""
        order = ["pass", "fail", "stale", "skipped", "not-run", "manual"]
        keys = sorted(self.checks, key=lambda k: (order.index(k) if k in order else 99, k))
        return ", ".join(f"{self.checks[k]} {k}" for k in keys if self.checks[k])


def portfolio_rows(
    portfolio: Portfolio,
    *,
    site_folder: str = DEFAULT_SITE_FOLDER,
    with_evidence: bool = True,
    with_audit: bool = True,
    today: dt.date | None = None,
) -> list[Row]:
    """One row per model, in folder order.

    Checks come from each model's ``.handover/evidence.json`` (written by
    ``handover check``) when it exists; the audit score is what ``handover audit`` gives
    for that model with that evidence.
    """
    rows: list[Row] = []
    for section in portfolio.sections(site_folder):
        loaded = section.loaded
        h = loaded.handover
        people = {p.id: p.name for p in h.people}
        row = Row(
            model_id=h.model.id,
            name=h.model.name,
            version=h.model.version,
            status=h.model.status,
            owners=[people.get(o, o) for o in h.model.owners],
            home=section.home,
        )
        statuses: dict[str, str] | None = None
        if with_evidence:
            record = checks_evidence.load_evidence(checks_evidence.default_path(loaded.project))
            if record is not None:
                row.evidence = True
                row.last_verified = record.finished_at
                items = checks_evidence.status_for(record, loaded)
                row.checks = dict(Counter(s.status for s in items.values()))
                statuses = checks_evidence.checklist_statuses(
                    loaded, checks_evidence.default_path(loaded.project)
                )
        if with_audit:
            row.audit_score = audit_mod.audit(loaded, evidence=statuses, today=today).score
        rows.append(row)
    return rows


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_portfolio_index(rows: list[Row], *, page: str = "", title: str = "Models") -> str:
    """The portfolio index as Markdown: one table row per model, linking to its home.

    ``page`` is the site path of the index page itself, so links are relative to it.
    Every manifest string is escaped (it shows as text, never as HTML or Markdown).
    """
    base = posixpath.dirname(page) or "."
    lines = [
        f"# {escape.heading(title)}",
        "",
        f"{len(rows)} model{'s' if len(rows) != 1 else ''} in this portfolio.",
        "",
        "| Model | Id | Version | Owners | Status | Audit score | Checks | Last verified |",
        "|---|---|---|---|---|---:|---|---|",
    ]
    for row in rows:
        href = posixpath.relpath(row.home, base)
        checks = escape.cell(row.checks_summary) if row.evidence else "no evidence"
        score = "—" if row.audit_score is None else f"{row.audit_score}/100"
        cells = [
            f"[{escape.cell(row.name)}]({href})",
            str(escape.code(row.model_id)),
            str(escape.cell(row.version)),
            str(escape.cell(row.owners)),
            str(escape.cell(row.status)),
            score,
            str(checks),
            _when(row.last_verified) if row.evidence else "never",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def index_markdown(
    portfolio: Portfolio,
    *,
    site_folder: str = DEFAULT_SITE_FOLDER,
    title: str = "Models",
    today: dt.date | None = None,
) -> tuple[str, str]:
    """(site path, Markdown) of the portfolio index page: ``<site_folder>/index.md``."""
    page = f"{site_folder.strip('/')}/index.md"
    rows = portfolio_rows(portfolio, site_folder=site_folder, today=today)
    return page, render_portfolio_index(rows, page=page, title=title)
