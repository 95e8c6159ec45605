"""`handover init` makes a repository that validates at once and never clobbers work."""

from __future__ import annotations

import json
from pathlib import Path

from handover_docs.schema import json_schema
from tests.conftest import run_cli


def test_init_output_validates(tmp_path: Path) -> None:
    target = tmp_path / "fraud-model"
    result = run_cli(["init", str(target)])
    assert result.returncode == 0, result.stderr
    for rel in ("mkdocs.yml", "handover/model.yaml", "docs/index.md", ".gitignore"):
        assert (target / rel).is_file(), rel
    model = (target / "handover" / "model.yaml").read_text()
    assert model.startswith("# yaml-language-server: $schema=../handover.schema.json")
    assert 'name: "Fraud Model"' in model
    assert json.loads((target / "handover.schema.json").read_text()) == json_schema()
    check = run_cli(["validate"], cwd=target)
    assert check.returncode == 0, check.stderr
    assert "Fraud Model 0.1.0: valid" in check.stdout


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("my work\n")
    result = run_cli(["init", str(tmp_path)])
    assert result.returncode == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "docs" / "index.md").read_text() == "my work\n"
    assert not (tmp_path / "mkdocs.yml").exists()  # nothing half-written
    forced = run_cli(["init", str(tmp_path), "--force"])
    assert forced.returncode == 0
    assert (tmp_path / "docs" / "index.md").read_text() != "my work\n"
