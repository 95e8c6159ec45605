"""The audit's result: the score per area, the findings, and their JSON form."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from handover_docs.errors import Finding

AREAS: dict[str, int] = {
    "inventory": 20,
    "reproducibility": 15,
    "governance": 20,
    "knowledge": 20,
    "automation": 15,
    "freshness": 10,
}
"""Areas and their maximum points (they sum to 100)."""

AREA_TITLES: dict[str, str] = {
    "inventory": "Inventory (artifacts and datasets)",
    "reproducibility": "Reproducibility (experiments and environments)",
    "governance": "Governance (approval, sign-off, support, risk)",
    "knowledge": "Knowledge (narratives, decisions, glossary)",
    "automation": "Automation (checklist, checks, evidence, drift)",
    "freshness": "Freshness (last reviewed)",
}


@dataclass(frozen=True)
class Gap:
    """One failed audit test."""

    area: str
    kind: str
    """Stable code, e.g. 'missing-owner', 'placeholder', 'stale'."""
    finding: Finding

    def to_json(self) -> dict[str, Any]:
        return {"area": self.area, "kind": self.kind, **self.finding.to_json()}


@dataclass
class AreaScore:
    name: str
    title: str
    max_points: int
    tests: int = 0
    passed: int = 0

    @property
    def points(self) -> float:
        if self.tests == 0:
            return 0.0
        return round(self.max_points * self.passed / self.tests, 1)

    @property
    def fraction(self) -> float:
        return self.passed / self.tests if self.tests else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.name,
            "title": self.title,
            "points": self.points,
            "max_points": self.max_points,
            "tests": self.tests,
            "passed": self.passed,
        }


@dataclass
class AuditReport:
    model: str
    version: str
    manifest_digest: str
    today: dt.date
    areas: list[AreaScore]
    gaps: list[Gap] = field(default_factory=list)
    evidence_given: bool = False

    @property
    def score(self) -> int:
        """The sum of the area points, rounded half up to a whole number."""
        return math.floor(sum(a.points for a in self.areas) + 0.5)

    @property
    def perfect(self) -> bool:
        return all(a.tests and a.passed == a.tests for a in self.areas)

    @property
    def weakest(self) -> AreaScore:
        """The area furthest below its maximum, relative to its size (ties: rubric order)."""
        return min(self.areas, key=lambda a: a.fraction)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "version": self.version,
            "manifest_digest": self.manifest_digest,
            "today": self.today.isoformat(),
            "score": self.score,
            "weakest_area": None if self.perfect else self.weakest.name,
            "areas": [a.to_json() for a in self.areas],
            "evidence_given": self.evidence_given,
            "findings": [g.to_json() for g in self.gaps],
        }
