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
from handover_docs.manifest import LoadedHandover

DEFAULT_EVIDENCE = f"{checks_evidence.EVIDENCE_DIR}/{checks_evidence.EVIDENCE_FILE}"
"""Relative to the project root."""


def page_evidence(loaded: LoadedHandover, path: Path) -> dict[str, Any]:
    """Item id -> status record, or an empty mapping when no evidence was written yet."""
    record = checks_evidence.load_evidence(path)
    if record is None:
        return {}
    return dict(checks_evidence.status_for(record, loaded))
