"""``handover audit``: how complete is this handover? A score out of 100 with findings.

In the spirit of the ML Test Score (Breck et al., 2017) every area holds a list of
concrete tests ("this artifact has an owner", "this narrative is not a placeholder").
An area's points are ``max_points * passed / tests`` and the total is the sum over the
areas, rounded to a whole number. Every failed test is a finding, with the
``file:line:col`` of the manifest entry (or Markdown line) it concerns. The rubric
is documented in ``docs/reference/audit.md``: the areas and their points are in
:mod:`.audit_report`, what counts as prose in :mod:`.prose`, the limits below.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from handover_docs import schema
from handover_docs.errors import Finding, Location, display_path
from handover_docs.glossary import GlossaryLinker, term_anchor
from handover_docs.manifest import LoadedHandover
from handover_docs.review.audit_report import AREA_TITLES, AREAS, AreaScore, AuditReport, Gap
from handover_docs.review.prose import (
    ACRONYM_STOP_LIST,
    PLACEHOLDER,
    acronyms,
    all_pages,
    dotted,
    manifest_prose,
    placeholders,
    read_page,
    strip_code,
    word_count,
)
from handover_docs.yamlsource import DataPath

# --- the rubric ------------------------------------------------------------------------------

MAX_AGE_DAYS = 180
"""Entries whose ``last_reviewed`` is older than this many days are stale."""

MIN_NARRATIVE_WORDS = 80
"""A narrative page with fewer words (outside code blocks) is too thin to hand over."""

MIN_RATIONALE_WORDS = 8
"""A decision rationale (manifest text plus its narrative page) with fewer words is too thin."""

MIN_ACCEPTANCE_WORDS = 4
"""Acceptance criteria shorter than this cannot describe an observable outcome."""

PASSING_STATUSES = frozenset({"pass", "passed", "ok", "success", "warn", "warning"})
"""Evidence statuses that count as a passing check (a warning still passed)."""

# --- the audit -------------------------------------------------------------------------------


def audit_today() -> dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH when set (so a rebuilt site is byte-identical)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(tz=dt.timezone.utc).date()


class _Auditor:
    def __init__(
        self,
        loaded: LoadedHandover,
        evidence: Mapping[str, str] | None,
        today: dt.date,
        max_age_days: int,
    ) -> None:
        self.loaded = loaded
        self.h = loaded.handover
        self.evidence = evidence
        self.today = today
        self.max_age_days = max_age_days
        self.areas = {name: AreaScore(name, AREA_TITLES[name], pts) for name, pts in AREAS.items()}
        self.gaps: list[Gap] = []

    # a test passes or it becomes a finding
    def test(
        self,
        area: str,
        ok: bool,
        kind: str,
        where: DataPath | Location,
        message: str,
        hint: str = "",
    ) -> bool:
        score = self.areas[area]
        score.tests += 1
        if ok:
            score.passed += 1
            return True
        location = where if isinstance(where, Location) else self.loaded.locate(where)
        finding = Finding(location, message, hint=hint, severity="warning", code=f"audit-{kind}")
        self.gaps.append(Gap(area, kind, finding))
        return False

    def run(self) -> AuditReport:
        self.inventory()
        self.reproducibility()
        self.governance()
        self.knowledge()
        self.automation()
        self.freshness()
        gaps = sorted(self.gaps, key=lambda g: (list(AREAS).index(g.area), g.finding.location))
        return AuditReport(
            model=self.h.model.name,
            version=self.h.model.version,
            manifest_digest=self.loaded.digest,
            today=self.today,
            areas=list(self.areas.values()),
            gaps=gaps,
            evidence_given=self.evidence is not None,
        )

    # --- inventory ---------------------------------------------------------------------------

    def inventory(self) -> None:
        h = self.h
        self.test(
            "inventory",
            bool(h.artifacts),
            "empty-inventory",
            (),
            "no artifacts are listed",
            hint="list code, weights, pipelines, evaluation suites, logs and specs under "
            "'artifacts'",
        )
        for i, a in enumerate(h.artifacts):
            at = ("artifacts", i)
            self.test(
                "inventory",
                a.owner is not None,
                "missing-owner",
                at,
                f"artifact '{a.id}' has no owner",
                hint="set 'owner' to a person id",
            )
            self.test(
                "inventory",
                a.sha256 is not None,
                "missing-digest",
                at,
                f"artifact '{a.id}' has no sha256 digest",
                hint="record 'sha256' so successors can prove they hold the same bytes",
            )
            self.test(
                "inventory",
                bool(a.version.strip()),
                "missing-version",
                at,
                f"artifact '{a.id}' has no version",
            )
            self.test(
                "inventory",
                a.sensitivity is not None,
                "missing-sensitivity",
                at,
                f"artifact '{a.id}' has no sensitivity flag",
                hint="public, internal, confidential or restricted",
            )
        artifacts = {a.id: a for a in h.artifacts}
        for i, d in enumerate(h.datasets):
            at = ("datasets", i)
            self.test(
                "inventory",
                d.owner is not None,
                "missing-owner",
                at,
                f"dataset '{d.id}' has no owner",
            )
            self.test(
                "inventory",
                bool(d.version.strip()),
                "missing-version",
                at,
                f"dataset '{d.id}' has no version",
            )
            self.test(
                "inventory",
                d.sensitivity is not None,
                "missing-sensitivity",
                at,
                f"dataset '{d.id}' has no sensitivity flag",
            )
            linked = artifacts.get(d.artifact) if d.artifact else None
            self.test(
                "inventory",
                linked is not None and linked.sha256 is not None,
                "missing-digest",
                at,
                f"dataset '{d.id}' is not linked to an inventory artifact with a digest",
                hint="set 'artifact' to an artifact that records the file's sha256",
            )

    # --- reproducibility ---------------------------------------------------------------------

    def reproducibility(self) -> None:
        h = self.h
        self.test(
            "reproducibility",
            bool(h.experiments),
            "no-experiments",
            (),
            "no experiments are recorded",
            hint="record the run that produced the model under 'experiments'",
        )
        for i, e in enumerate(h.experiments):
            at = ("experiments", i)
            self.test(
                "reproducibility",
                e.config is not None,
                "missing-config",
                at,
                f"experiment '{e.id}' names no config file",
            )
            self.test(
                "reproducibility",
                bool(e.command.strip()),
                "missing-command",
                at,
                f"experiment '{e.id}' has no command to rerun it",
            )
            self.test(
                "reproducibility",
                e.environment is not None,
                "missing-environment",
                at,
                f"experiment '{e.id}' names no environment",
            )
            self.test(
                "reproducibility",
                e.seeds is not None,
                "missing-seeds",
                at,
                f"experiment '{e.id}' records no seeds",
            )
            self.test(
                "reproducibility",
                bool(e.expected_outputs) or e.sample_run is not None,
                "missing-expected-output",
                at,
                f"experiment '{e.id}' has no expected outputs or sample run",
                hint="add 'expected_outputs' or 'sample_run' to compare a rerun with",
            )
        self.test(
            "reproducibility",
            bool(h.environments),
            "no-environments",
            (),
            "no environments are recorded",
        )
        for i, env in enumerate(h.environments):
            at = ("environments", i)
            self.test(
                "reproducibility",
                bool(env.python),
                "missing-python",
                at,
                f"environment '{env.id}' has no Python version",
            )
            self.test(
                "reproducibility",
                bool(env.packages) or env.lock_file is not None,
                "missing-packages",
                at,
                f"environment '{env.id}' pins no packages and names no lock file",
            )

    # --- governance --------------------------------------------------------------------------

    def governance(self) -> None:
        g = self.h.governance
        at: DataPath = ("governance",)
        self.test(
            "governance",
            bool(g.approval_workflow.strip()),
            "no-approval-workflow",
            at,
            "governance has no approval workflow",
        )
        self.test(
            "governance",
            bool(g.approvals),
            "no-approver",
            at,
            "governance names no approver (no approvals recorded)",
            hint="add governance.approvals with an approver",
        )
        for i, a in enumerate(g.approvals):
            self.test(
                "governance",
                a.status == "approved",
                "approval-open",
                ("governance", "approvals", i),
                f"approval '{a.id}' is {a.status}",
            )
        self.test(
            "governance",
            bool(g.signoffs),
            "no-signoff",
            at,
            "governance records no sign-offs",
            hint="who signs off on releases? add governance.signoffs",
        )
        for i, s in enumerate(g.signoffs):
            self.test(
                "governance",
                s.status == "signed",
                "signoff-open",
                ("governance", "signoffs", i),
                f"sign-off '{s.role}' by '{s.person}' is {s.status}",
            )
        self.test(
            "governance",
            bool(g.production_support),
            "no-production-support",
            at,
            "governance names no production support",
            hint="who supports the model in production? add governance.production_support",
        )
        self.test(
            "governance",
            bool(g.reviewers),
            "no-reviewers",
            at,
            "governance names no reviewers (who reviews results)",
        )
        self.test(
            "governance",
            bool(g.risks),
            "no-risks",
            at,
            "governance records no risk assessment (risks)",
        )
        for key in ("privacy", "security", "impact_assessment"):
            text = str(getattr(g, key))
            self.test(
                "governance",
                bool(text.strip()),
                f"no-{key.replace('_', '-')}",
                at,
                f"governance has no {key.replace('_', ' ')} statement",
            )

    def model_card(self) -> None:
        """What a successor must know from the model card (knowledge area): its license, and
        a mitigation for every ethical risk and every harm a fairness assessment names
        (CycloneDX ``mitigationStrategy``)."""
        m = self.h.model
        self.test(
            "knowledge",
            bool(m.license.strip() or m.licenses),
            "no-license",
            ("model",),
            "the model states no license",
            hint="set model.license (a sentence) or model.licenses (SPDX ids)",
        )
        ethics = m.card.ethical_considerations
        for i, e in enumerate(ethics if isinstance(ethics, list) else []):
            self.test(
                "knowledge",
                bool(e.mitigation.strip()),
                "no-mitigation",
                ("model", "card", "ethical_considerations", i),
                f"ethical consideration '{e.name}' has no mitigation",
                hint="say what is done about it, or why nothing can be",
            )
        for i, f in enumerate(m.card.fairness_assessments):
            if f.harms.strip():
                self.test(
                    "knowledge",
                    bool(f.mitigation.strip()),
                    "no-mitigation",
                    ("model", "card", "fairness_assessments", i),
                    f"fairness assessment for '{f.group_at_risk}' names harms but no mitigation",
                )

    # --- knowledge ---------------------------------------------------------------------------

    def knowledge(self) -> None:
        h = self.h
        docs = self.loaded.project.docs
        pages: list[tuple[DataPath, str]] = [
            (("narratives", i, "page"), n.page) for i, n in enumerate(h.narratives)
        ]
        self.test(
            "knowledge",
            any(n.role == "summary" for n in h.narratives),
            "no-summary",
            ("narratives",) if h.narratives else (),
            "no executive summary narrative (role: summary)",
        )
        for i, d in enumerate(h.decisions):
            if d.narrative is not None:
                pages.append((("decisions", i, "narrative"), d.narrative))
        if h.deployment.runbook is not None:
            pages.append((("deployment", "runbook"), h.deployment.runbook))
        texts: dict[str, str] = {}
        seen: set[str] = set()
        for at, page in pages:
            if page in seen:
                continue
            seen.add(page)
            file = docs / page
            text = read_page(file)
            texts[page] = text
            shown = display_path(file)
            hits = list(placeholders(text))
            first = hits[0] if hits else None
            self.test(
                "knowledge",
                first is None,
                "placeholder",
                Location(shown, first[0], first[1]) if first else at,
                f"narrative {page} is a placeholder ('{first[2] if first else ''}'"
                f"{f' and {len(hits) - 1} more' if len(hits) > 1 else ''})",
                hint="replace TODO/TBD/lorem text with the real story",
            )
            words = word_count(text)
            self.test(
                "knowledge",
                words >= MIN_NARRATIVE_WORDS,
                "thin-narrative",
                at,
                f"narrative {page} is too thin ({words} words, "
                f"at least {MIN_NARRATIVE_WORDS} expected)",
            )
        for i, d in enumerate(h.decisions):
            extra = texts.get(d.narrative, "") if d.narrative else ""
            words = word_count(d.rationale) + word_count(extra)
            self.test(
                "knowledge",
                words >= MIN_RATIONALE_WORDS and not PLACEHOLDER.search(d.rationale),
                "missing-rationale",
                ("decisions", i, "rationale"),
                f"decision '{d.id}' has no real rationale ({words} words)",
                hint="say why this was chosen over the alternatives",
            )
        prose = list(manifest_prose(h))
        ethics = h.model.card.ethical_considerations
        prose += [  # a structured consideration's risk is prose too
            (("model", "card", "ethical_considerations", i, "name"), e.name)
            for i, e in enumerate(ethics if isinstance(ethics, list) else [])
        ]
        for path, text in prose:
            if path and path[0] == "glossary":
                continue
            match = PLACEHOLDER.search(strip_code(text))
            if match:
                self.test(
                    "knowledge",
                    False,
                    "placeholder",
                    path,
                    f"{dotted(path)} holds placeholder text '{match.group(0)}'",
                )
        self._glossary(prose, texts)
        self.model_card()
        self.test("knowledge", bool(h.faq), "no-faq", (), "no FAQ entries")
        self.test(
            "knowledge",
            bool(h.sessions),
            "no-sessions",
            (),
            "no knowledge-transfer sessions are recorded",
        )

    def _glossary(self, prose: list[tuple[DataPath, str]], pages: Mapping[str, str]) -> None:
        h = self.h
        # Where a term may be used: prose outside the glossary, every docs page, and the
        # other glossary entries.
        # "Used" means "linked": the site's own linker decides, on the same texts.
        linker = GlossaryLinker.from_terms(h.glossary)
        outside = [t for path, t in prose if path[0] != "glossary"]
        outside += list(pages.values())
        outside += [read_page(p) for p in all_pages(self.loaded.project.docs)]
        linked: set[str] = set()
        for text in outside:
            linked |= linker.anchors_in_markdown(text)
        by_entry: dict[int, set[str]] = {}
        for path, text in prose:
            if path[0] == "glossary":
                by_entry.setdefault(int(path[1]), set()).update(linker.anchors_in_markdown(text))
        defined: set[str] = set()
        for i, term in enumerate(h.glossary):
            names = [term.term, *term.aliases]
            defined.update(n.casefold() for n in names)
            defined.update(w.casefold() for n in names for w in re.findall(r"\w+", n))
            anchor = term_anchor(term.term)
            used = anchor in linked or any(
                anchor in anchors for k, anchors in by_entry.items() if k != i
            )
            self.test(
                "knowledge",
                used,
                "unused-term",
                ("glossary", i),
                f"glossary term '{term.term}' is defined but never used",
                hint="use it in a narrative or manifest text (as the site links it), or drop it",
            )
        reported: set[str] = set()
        sources: list[tuple[DataPath | Location, str]] = [
            (path, t) for path, t in prose if path[0] != "glossary" or path[-1] == "definition"
        ]
        docs = self.loaded.project.docs
        for page, text in pages.items():
            sources.append((Location(display_path(docs / page)), text))
        for where, text in sources:
            for line_no, col, word in acronyms(strip_code(text)):
                key = word.rstrip("s") if word.endswith("s") and word[:-1].isupper() else word
                if key in ACRONYM_STOP_LIST or key.casefold() in defined or key in reported:
                    continue
                reported.add(key)
                loc = (
                    Location(where.file, line_no, col)
                    if isinstance(where, Location)
                    else self.loaded.locate(where)
                )
                self.test(
                    "knowledge",
                    False,
                    "undefined-acronym",
                    loc,
                    f"acronym '{key}' is used but not defined in the glossary",
                    hint=f"add a glossary term or alias '{key}'",
                )

    # --- automation --------------------------------------------------------------------------

    def automation(self) -> None:
        h = self.h
        self.test("automation", bool(h.checklist), "no-checklist", (), "no checklist items")
        for i, item in enumerate(h.checklist):
            at = ("checklist", i)
            ok = word_count(item.acceptance) >= MIN_ACCEPTANCE_WORDS and not PLACEHOLDER.search(
                item.acceptance
            )
            self.test(
                "automation",
                ok,
                "missing-acceptance",
                (*at, "acceptance"),
                f"checklist item '{item.id}' has no testable acceptance criteria",
                hint="describe the observable outcome that counts as done",
            )
            self.test(
                "automation",
                item.check is not None,
                "not-automated",
                at,
                f"checklist item '{item.id}' has no automated check",
                hint="add a 'check' (artifact, environment, command, metric-drift, custom)",
            )
            if item.check is None:
                continue
            status = (self.evidence or {}).get(item.id)
            if status is None:
                self.test(
                    "automation",
                    False,
                    "no-evidence",
                    (*at, "check"),
                    f"checklist item '{item.id}' has an automated check but no evidence",
                    hint="run 'handover check' and audit with its evidence",
                )
            else:
                self.test(
                    "automation",
                    status.lower() in PASSING_STATUSES,
                    "check-failing",
                    (*at, "check"),
                    f"checklist item '{item.id}': its check's evidence says '{status}'",
                )
        self.test(
            "automation",
            bool(h.monitoring.drift),
            "no-drift-thresholds",
            (),
            "no drift thresholds (monitoring.drift) for production metrics",
        )

    # --- freshness ---------------------------------------------------------------------------

    def freshness(self) -> None:
        limit = self.today - dt.timedelta(days=self.max_age_days)
        for path, label, entry in _reviewed_entries(self.h):
            reviewed = entry.last_reviewed
            if reviewed is None:
                self.test(
                    "freshness",
                    False,
                    "never-reviewed",
                    path,
                    f"{label} has no last_reviewed date",
                    hint="set last_reviewed when a person confirms the entry",
                )
            else:
                age = (self.today - reviewed).days
                self.test(
                    "freshness",
                    reviewed >= limit,
                    "stale",
                    (*path, "last_reviewed"),
                    f"{label} was last reviewed {age} days ago (limit {self.max_age_days} days)",
                )


def audit(
    loaded: LoadedHandover,
    *,
    evidence: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    max_age_days: int = MAX_AGE_DAYS,
) -> AuditReport:
    """Score ``loaded`` against the rubric.

    ``evidence`` maps checklist item ids to the status of their last check run
    (e.g. ``{"weights-digest": "pass"}``); without it, every automated item counts as
    lacking evidence. ``today`` defaults to :func:`audit_today`.
    """
    return _Auditor(loaded, evidence, today or audit_today(), max_age_days).run()


def _reviewed_entries(h: schema.Handover) -> Iterator[tuple[DataPath, str, schema.Reviewed]]:
    yield ("model",), f"model '{h.model.id}'", h.model
    groups: list[tuple[str, str, list[Any]]] = [
        ("artifacts", "artifact", h.artifacts),
        ("datasets", "dataset", h.datasets),
        ("experiments", "experiment", h.experiments),
        ("environments", "environment", h.environments),
        ("decisions", "decision", h.decisions),
        ("checklist", "checklist item", h.checklist),
        ("narratives", "narrative", h.narratives),
    ]
    for section, label, entries in groups:
        for i, entry in enumerate(entries):
            yield (section, i), f"{label} '{entry.id}'", entry
