"""The component kind table: every class exists, the docs list every kind, bad kinds fail."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.component_kinds import KINDS, kind_table_markdown
from handover_docs.errors import HandoverError
from tests.diagrams.fixture_project import ARCHITECTURE, write_project

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_names_a_real_diagrams_node_class_with_an_icon(name: str) -> None:
    import diagrams

    module, _, cls_name = KINDS[name].node_class.rpartition(".")
    cls = getattr(importlib.import_module(module), cls_name)
    assert issubclass(cls, diagrams.Node)
    icon = Path(diagrams.__file__).parent.parent / cls._icon_dir / cls._icon
    assert icon.is_file(), icon


def test_the_example_models_kinds_and_the_issue_kinds_exist() -> None:
    wanted = {"python", "storage", "database", "server", "client", "user", "queue"}
    wanted |= {"monitoring", "generic", "aws.s3", "aws.lambda", "aws.sagemaker", "gcp.gcs"}
    wanted |= {"gcp.vertex-ai", "gcp.ai-platform", "azure.blob", "azure.ml", "k8s.pod"}
    wanted |= {"docker", "onprem.postgresql"}
    assert wanted <= set(KINDS)
    assert {kind.family for kind in KINDS.values()} >= {
        "generic",
        "on-prem",
        "programming",
        "aws",
        "gcp",
        "azure",
    }


def test_reference_page_holds_the_generated_kind_table() -> None:
    page = (REPO / "docs" / "reference" / "diagrams.md").read_text(encoding="utf-8")
    assert kind_table_markdown() in page, (
        "docs/reference/diagrams.md is out of date: paste "
        "handover_docs.component_kinds.kind_table_markdown() between the kind-table markers"
    )
    for name in KINDS:
        assert f"| `{name}` |" in page


def test_validation_does_not_import_the_diagrams_library() -> None:
    code = (
        "import sys, handover_docs.manifest, handover_docs.diagrams; "
        "assert 'diagrams' not in sys.modules and 'graphviz' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_unknown_kind_fails_validation_with_its_location_and_the_valid_kinds(
    tmp_path: Path,
) -> None:
    text = ARCHITECTURE.replace("kind: storage", "kind: aws.s4")
    root = write_project(tmp_path / "p", text)
    with pytest.raises(HandoverError) as caught:
        manifest.load(root)
    findings = [f for f in caught.value.findings if f.code == "unknown-kind"]
    assert len(findings) == 1
    finding = findings[0]
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "kind: aws.s4" in t)
    col = lines[line - 1].index("aws.s4") + 1
    assert finding.location.file.endswith("handover/architecture.yaml")
    assert (finding.location.line, finding.location.col) == (line, col)
    assert "unknown component kind 'aws.s4'" in finding.message
    for name in ("python", "storage", "aws.s3", "gcp.gcs", "azure.blob", "k8s.pod"):
        assert re.search(rf"\b{re.escape(name)}\b", finding.message)
    assert "did you mean 'aws.s3'?" in finding.hint
    assert str(finding).startswith(f"{finding.location.file}:{line}:{col}: error:")


def test_valid_kinds_pass_validation(project: Path) -> None:
    loaded = manifest.load(project)
    assert {c.kind for c in loaded.handover.architecture.components} <= set(KINDS)


def test_cli_reports_the_unknown_kind_without_a_traceback(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", ARCHITECTURE.replace("kind: user", "kind: person"))
    proc = subprocess.run(
        [sys.executable, "-m", "handover_docs", "validate", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "architecture.yaml:" in out and "unknown component kind 'person'" in out
    assert "Traceback" not in out
