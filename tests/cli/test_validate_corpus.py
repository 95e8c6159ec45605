"""The bad-input corpus: every malformed manifest fails with its exact location and no traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

BAD = FIXTURES / "bad"
CASES = sorted(p.stem for p in BAD.glob("*.yaml"))


def make_project(tmp_path: Path, case: str) -> Path:
    manifests = tmp_path / "handover"
    manifests.mkdir()
    shutil.copy(BAD / "_base" / "model.yaml", manifests / "_base.yaml")
    shutil.copy(BAD / f"{case}.yaml", manifests / f"{case}.yaml")
    return tmp_path


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_bad_manifest_is_reported_at_its_location(tmp_path: Path, case: str) -> None:
    project = make_project(tmp_path, case)
    result = run_cli(["validate"], cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for expected in (BAD / f"{case}.expect").read_text().splitlines():
        # Locations are line:col inside the case file; a bare message has no location.
        where = f"handover/{case}.yaml:" if expected[0].isdigit() else ""
        line, _, message = expected.partition(": ") if where else ("", "", expected)
        wanted = f"{where}{line}: error: {message}" if where else message
        assert wanted in result.stderr, f"missing {wanted!r} in:\n{result.stderr}"


def test_base_of_the_corpus_is_valid(tmp_path: Path) -> None:
    manifests = tmp_path / "handover"
    manifests.mkdir()
    shutil.copy(BAD / "_base" / "model.yaml", manifests / "model.yaml")
    result = run_cli(["validate"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_json_output_carries_the_same_findings(tmp_path: Path) -> None:
    project = make_project(tmp_path, "unknown-key")
    result = run_cli(["validate", "--json"], cwd=project)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    (finding,) = report["findings"]
    assert finding["location"] == {"file": "handover/unknown-key.yaml", "line": 6, "col": 5}
    assert finding["message"] == "unknown key 'ownr'"
    assert finding["hint"] == "did you mean 'owner'?"
