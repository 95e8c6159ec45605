"""The example handover's own checks, run on a copy of the repository."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from checks_fixtures import run_handover

from handover_docs import manifest
from handover_docs.schema import ArtifactCheck

REPO = Path(__file__).resolve().parents[2]
NOT_EXAMPLE = {
    ".git", ".venv", ".handover", "site", "tests", "handover_docs", "bench", "build", "dist",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__", "test-output",
}  # fmt: skip


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example handover (manifests, docs, model, data, plugins)."""
    root = tmp_path / "example"
    shutil.copytree(REPO, root, ignore=lambda folder, names: [n for n in names if n in NOT_EXAMPLE])
    return root


def test_the_example_checks_pass(example: Path) -> None:
    result = run_handover(["check", "--json", "--jobs", "2"], cwd=example)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    loaded = manifest.load(example)
    automated = [i.id for i in loaded.handover.checklist if i.check is not None]
    kinds = {i.check.kind for i in loaded.handover.checklist if i.check is not None}
    assert kinds == {
        "artifact",
        "environment",
        "command",
        "metric-drift",
        "recompute-metrics",
        "custom",
    }
    statuses = {i["id"]: i["status"] for i in report["items"]}
    assert statuses == dict.fromkeys(automated, "pass")
    evidence = json.loads((example / ".handover" / "evidence.json").read_text())
    assert evidence["manifest_digest"] == loaded.digest
    assert set(evidence["checks"]) == set(automated)


def test_a_tampered_data_file_fails_its_integrity_check(example: Path) -> None:
    loaded = manifest.load(example)
    artifacts = {a.id: a for a in loaded.handover.artifacts}
    [(item_id, artifact_id, path)] = [
        (i.id, i.check.artifact, artifacts[i.check.artifact].path)
        for i in loaded.handover.checklist
        if isinstance(i.check, ArtifactCheck)
        and (artifacts[i.check.artifact].path or "").endswith(".csv")
    ]
    assert path is not None
    data = (example / path).read_bytes()
    (example / path).write_bytes(data.replace(b"17.99", b"17.98", 1))
    result = run_handover(["check", "--only", item_id], cwd=example)
    assert result.returncode == 1
    assert f"artifact '{artifact_id}' ({path}): sha256 differs from the inventory" in result.stdout


def test_the_latency_check_budgets_cpu_time_and_fails_deterministically(example: Path) -> None:
    checklist = example / "handover" / "checklist.yaml"
    text = checklist.read_text(encoding="utf-8")
    assert "--budget-cpu-p95-ms 5" in text  # the example budgets CPU time, not wall-clock time
    # No prediction costs less than a nanosecond of CPU: over budget on any machine.
    checklist.write_text(text.replace("--budget-cpu-p95-ms 5", "--budget-cpu-p95-ms 0.000001"))
    result = run_handover(["check", "--only", "latency-budget"], cwd=example)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL    latency-budget" in result.stdout
    assert "is over the budget of 1e-06 ms" in result.stdout
