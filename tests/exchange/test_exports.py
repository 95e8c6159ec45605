"""Exports: the HF model card parsed by huggingface_hub, the ML-BOM against CycloneDX 1.6."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import ModelCard

from handover_docs import manifest
from handover_docs.exchange.cyclonedx import bom
from handover_docs.exchange.hf_export import card_markdown
from tests.review.helpers import (
    TRAIN_SHA,
    WEIGHTS_SHA,
    base_manifests,
    cli,
    cyclonedx_validator,
    write_handover,
)


def errors(document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in cyclonedx_validator().iter_errors(document)
    ]


def test_cyclonedx_bom_is_valid_1_6(handover_dir: Path) -> None:
    document = bom(manifest.load(handover_dir))
    assert errors(document) == []
    assert document["specVersion"] == "1.6"
    model = document["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    card = model["modelCard"]
    assert card["modelParameters"]["datasets"] == [{"ref": "dataset:accounts"}]
    assert card["quantitativeAnalysis"]["performanceMetrics"] == [
        {"type": "AUC", "value": "0.91", "slice": "overall (accounts)"}
    ]
    assert card["considerations"]["useCases"] == ["Rank accounts for retention calls."]
    components = {c["bom-ref"]: c for c in document["components"]}
    weights = components["artifact:weights"]
    assert weights["hashes"] == [{"alg": "SHA-256", "content": WEIGHTS_SHA}]
    assert {"name": "handover:sensitivity", "value": "internal"} in weights["properties"]
    dataset = components["dataset:accounts"]
    assert dataset["type"] == "data"
    assert dataset["hashes"][0]["content"] == TRAIN_SHA
    assert dataset["data"][0]["classification"] == "confidential"
    assert dataset["data"][0]["governance"]["owners"] == [{"contact": {"name": "Bob Operations"}}]
    deps = {d["ref"]: d["dependsOn"] for d in document["dependencies"]}
    assert deps["artifact:weights"] == ["dataset:accounts"]
    refs = {model["bom-ref"], *components}
    assert all(r in refs for d in document["dependencies"] for r in [d["ref"], *d["dependsOn"]])


def test_the_schema_check_can_fail(handover_dir: Path) -> None:
    """The validator really applies the CycloneDX schema (and its spdx/jsf references)."""
    document = bom(manifest.load(handover_dir))
    broken = copy.deepcopy(document)
    broken["components"][0]["hashes"][0]["alg"] = "SHA-257"
    broken["metadata"]["component"]["modelCard"]["modelParameters"]["approach"] = {"type": "x"}
    broken["metadata"]["component"]["licenses"] = [{"license": {"id": "Not-A-License"}}]
    found = errors(broken)
    assert any("SHA-257" in e for e in found)
    assert any("approach" in e for e in found)
    assert any("licenses" in e for e in found)
    good = copy.deepcopy(document)
    good["metadata"]["component"]["licenses"] = [{"license": {"id": "Apache-2.0"}}]
    assert errors(good) == []


def test_cyclonedx_cli_is_reproducible(tmp_path: Path, handover_dir: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1763596800"}
    out = tmp_path / "bom.json"
    first = cli(["export", str(handover_dir), "--format", "cyclonedx", "--out", str(out)], env=env)
    assert first.returncode == 0, first.stderr
    again = cli(["export", str(handover_dir), "--format", "cyclonedx"], env=env)
    assert again.stdout == out.read_text("utf-8")
    document = json.loads(again.stdout)
    assert document["metadata"]["timestamp"] == "2025-11-20T00:00:00Z"
    assert errors(document) == []


def test_hf_card_parses_with_huggingface_hub(tmp_path: Path, handover_dir: Path) -> None:
    out = tmp_path / "README.md"
    result = cli(["export", str(handover_dir), "--format", "hf", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    card = ModelCard.load(out)
    data = card.data
    assert data.license == "apache-2.0"
    assert data.library_name == "sklearn"
    assert data.datasets == ["accounts"]
    assert data.metrics == ["auc"]
    assert data.model_name == "churn"
    assert "handover-docs" in (data.tags or [])
    assert data.eval_results is not None and len(data.eval_results) == 1
    result0 = data.eval_results[0]
    assert (result0.metric_type, result0.metric_value) == ("auc", 0.91)
    assert (result0.dataset_type, result0.dataset_name) == ("accounts", "Account history")
    assert result0.task_type == "binary-classification"
    assert card.text.lstrip().startswith("# Churn model")
    assert "### Intended users\n\n- The retention team." in card.text
    assert "### Out-of-scope use\n\n- Pricing decisions" in card.text
    assert f"`{WEIGHTS_SHA}`" in card.text
    assert "| AUC | 0.91 | overall | accounts |" in card.text


LICENSES = [("MIT", ("mit", None)), ("Acme Licence 2", ("other", "acme-licence-2"))]


@pytest.mark.parametrize(("license_text", "expected"), LICENSES)
def test_hf_license_mapping(
    tmp_path: Path, license_text: str, expected: tuple[str, str | None]
) -> None:
    data = base_manifests()
    data["model.yaml"]["model"]["license"] = license_text
    root = write_handover(tmp_path / "p", data)
    card = ModelCard(card_markdown(manifest.load(root)))
    assert (card.data.license, card.data.to_dict().get("license_name")) == expected


def test_export_bad_input(tmp_path: Path) -> None:
    result = cli(["export", str(tmp_path / "missing"), "--format", "hf"])
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert cli(["export", "--format", "pdf"]).returncode == 2


def test_the_example_handover_exports(tmp_path: Path) -> None:
    """The repository's example handover exports a valid ML-BOM and a parseable card."""
    repo = Path(__file__).resolve().parents[2]
    result = cli(["export", "--format", "cyclonedx", "--out", str(tmp_path / "bom.json")], cwd=repo)
    assert result.returncode == 0, result.stderr
    assert errors(json.loads((tmp_path / "bom.json").read_text("utf-8"))) == []
    card = cli(["export", "--format", "hf"], cwd=repo)
    assert card.returncode == 0, card.stderr
    data = ModelCard(card.stdout).data
    assert data.eval_results and data.model_name == manifest.load(repo).handover.model.id
