"""The JSON Schema is generated from the pydantic schema, valid, and agrees with `validate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from handover_docs.manifest import MODEL_SCHEMA_FILE, model_schema_text
from handover_docs.schema import json_schema
from handover_docs.yamlsource import load_yaml
from tests.conftest import FIXTURES, REPO, run_cli

BAD = FIXTURES / "bad"

# Corpus cases that one file's JSON Schema can see (the rest need the merged handover).
SCHEMA_LEVEL_CASES = [
    "unknown-key",
    "unknown-section",
    "wrong-type",
    "missing-required",
    "bad-enum",
    "malformed-digest",
    "malformed-date",
    "missing-version",
    "wrong-version",
    "not-a-mapping",
    "section-not-a-list",
    "bad-check-kind",
    "bad-id",
    "negative-size",
]


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_schema_is_valid_draft_2020_12_with_help_for_editors() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    artifact = schema["$defs"]["Artifact"]["properties"]
    assert "produced_by" in artifact and "experiment" in artifact["produced_by"]["description"]
    text = json.dumps(schema)
    assert '"examples"' in text and '"description"' in text
    assert '"x-handover-ref"' in text  # references are visible to tools


def test_cli_prints_the_generated_schema() -> None:
    result = run_cli(["schema"])
    assert result.returncode == 0
    assert json.loads(result.stdout) == json_schema()


def test_committed_schema_file_is_current() -> None:
    committed = REPO / "handover.schema.json"
    assert json.loads(committed.read_text()) == json_schema(), (
        "run: handover schema > handover.schema.json"
    )


def test_shipped_merged_handover_schema_is_current() -> None:
    """The reference checks walk this package file instead of asking pydantic for the
    schema in every process: a stale copy would miss or invent dangling references."""
    assert MODEL_SCHEMA_FILE.read_text(encoding="utf-8") == model_schema_text(), (
        "run: .venv/bin/python scripts/make_example.py --skip-runs"
    )
    assert '"x-handover-ref"' in MODEL_SCHEMA_FILE.read_text(encoding="utf-8")


def manifest_files() -> list[Path]:
    return [*sorted((REPO / "handover").glob("*.yaml")), BAD / "_base" / "model.yaml"]


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: p.name)
def test_valid_manifest_files_pass_the_json_schema(path: Path) -> None:
    errors = list(validator().iter_errors(load_yaml(path).data))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("case", SCHEMA_LEVEL_CASES)
def test_json_schema_rejects_what_validate_rejects(tmp_path: Path, case: str) -> None:
    data = load_yaml(BAD / f"{case}.yaml").data
    assert list(validator().iter_errors(data)), f"JSON Schema accepted {case}"
    (tmp_path / "handover").mkdir()
    shutil.copy(BAD / f"{case}.yaml", tmp_path / "handover" / f"{case}.yaml")
    assert run_cli(["validate"], cwd=tmp_path).returncode == 2
