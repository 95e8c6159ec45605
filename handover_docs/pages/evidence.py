"""Checklist evidence for the pages: the checks engine's records, keyed by item id.

``handover check`` writes the evidence (default ``.handover/evidence.json``); the pages show,
per checklist item, the status (pass, fail, skipped, stale, not-run, manual), what was
measured and expected, and when it finished. Without an evidence file the pages show
"not run" for automated items and the ticked state for manual ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handover_docs.checks import evidence as checks_evidence
from handover_docs.errors import Finding, HandoverError
from handover_docs.manifest import LoadedHandover

DEFAULT_EVIDENCE = f"{checks_evidence.EVIDENCE_DIR}/{checks_evidence.EVIDENCE_FILE}"
"""Relative to the project root."""


def page_evidence(loaded: LoadedHandover, path: Path) -> dict[str, Any]:
    """Item id -> status record, or an empty mapping when no evidence was written yet."""
    record = checks_evidence.load_evidence(path)
    if record is None:
        return {}
    return dict(checks_evidence.status_for(record, loaded))


def evidence_gate(loaded: LoadedHandover, path: Path) -> None:
    """Strict evidence mode: HandoverError naming every required checklist item that is
    failing, skipped, stale or not run (what ``handover check --ci`` fails on)."""
    statuses = checks_evidence.status_for(checks_evidence.load_evidence(path), loaded)
    failures = checks_evidence.ci_failures(statuses)
    if not failures:
        return
    index = {item.id: i for i, item in enumerate(loaded.handover.checklist)}
    findings = [
        Finding(
            loaded.locate(("checklist", index[s.id])),
            f"required checklist item '{s.id}' is {s.status.replace('-', ' ')}"
            + (f": {s.stale_reason or s.message}" if (s.stale_reason or s.message) else ""),
            hint="run 'handover check' and fix what fails (strict evidence mode: "
            "require_evidence is on)",
            code="evidence-required",
        )
        for s in failures
    ]
    raise HandoverError(findings)


def evidence_sha256(path: Path) -> str | None:
    """The digest a signature names for the evidence file, or None when there is none."""
    return checks_evidence.evidence_digest(path) if path.is_file() else None
