"""``kind: recompute-metrics`` on a copy of the example: a typo in a metric fails it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from handover_docs.evaluation.predictions import PredictionsError, read_predictions
from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]
NOT_EXAMPLE = {
    ".git", ".venv", ".handover", "site", "tests", "handover_docs", "bench", "build", "dist",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__", "test-output", "screenshots",
}  # fmt: skip
ITEM = "metrics-recomputed"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    shutil.copytree(REPO, root, ignore=lambda folder, names: [n for n in names if n in NOT_EXAMPLE])
    return root


def _value_line(model_yaml: Path, metric: str) -> tuple[int, str]:
    """(1-based line, text) of the ``value:`` under ``- metric: METRIC``."""
    lines = model_yaml.read_text().splitlines()
    start = lines.index(f"      - metric: {metric}")
    number = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("value:"))
    return number + 1, lines[number]


def test_the_example_metrics_match_their_recomputation(example: Path) -> None:
    result = run_cli(["check", "--only", ITEM], cwd=example)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "10 reported metric(s) match their recomputation from 2 predictions file(s)" in (
        result.stdout
    )


def test_a_recall_lowered_by_005_fails_naming_metric_values_and_line(example: Path) -> None:
    model_yaml = example / "handover" / "model.yaml"
    line, text = _value_line(model_yaml, "recall")
    assert text.strip() == "value: 0.962264"
    model_yaml.write_text(
        model_yaml.read_text().replace(text, text.replace("0.962264", "0.912264"))
    )
    result = run_cli(["check", "--only", ITEM], cwd=example)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(
        rf"handover/model\.yaml:{line}:\d+: recall reported 0\.912264, recomputed 0\.962264 "
        r"from predictions 'test' \(difference \+0\.050000, tolerance 1e-06\)",
        result.stdout,
    ), result.stdout
    assert "FAIL" in result.stdout
    # the other nine still match
    assert result.stdout.count("ok   ") >= 5


def test_altered_predictions_fail_on_their_digest(example: Path) -> None:
    csv_path = example / "model" / "artifacts" / "predictions.csv"
    text = csv_path.read_text()
    first = text.splitlines()[1]
    csv_path.write_text(text.replace(first, first[:-1] + ("1" if first[-1] != "1" else "2"), 1))
    result = run_cli(["check", "--only", ITEM], cwd=example)
    assert result.returncode == 1
    assert "model/artifacts/predictions.csv: sha256" in result.stdout
    assert "not the recorded predictions" in result.stdout


def test_an_unknown_metric_or_set_fails_with_a_reason(example: Path) -> None:
    model_yaml = example / "handover" / "model.yaml"
    text = model_yaml.read_text()
    text = text.replace("      - metric: f1\n", "      - metric: f2\n", 1)
    text = text.replace("predictions: seed-sweep\n", "predictions: seed-swept\n", 1)
    model_yaml.write_text(text)
    result = run_cli(["check", "--only", ITEM], cwd=example)
    assert result.returncode == 1
    assert "cannot recompute 'f2' from predictions 'test'" in result.stdout
    assert "no predictions set 'seed-swept'" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "p.csv:1: empty file"),
        ("label,prob\n1,0.5\n", "p.csv:1: no column 'score' (columns: label, prob)"),
        ("label,score\n1,0.5\n0,high\n", "p.csv:3: score 'high' is not a finite number"),
        ("label,score\n1,0.5\n0,nan\n", "p.csv:3: score 'nan' is not a finite number"),
        ("label,score\n1,0.5,7\n", "p.csv:2: 3 fields, the header has 2"),
        ("label,score\n", "p.csv:2: no rows after the header"),
    ],
)
def test_a_bad_predictions_file_names_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(content)
    with pytest.raises(PredictionsError) as info:
        read_predictions(path, "p.csv")
    assert str(info.value).startswith(message), str(info.value)


def test_labels_other_than_the_positive_one_are_negative(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,label,score,site\na,malignant,0.9,x\nb,benign,0.2,y\nc,malignant,0.4,x\n")
    p = read_predictions(path, "p.csv", positive="malignant", slice_column="site")
    assert p.labels.tolist() == [True, False, True]
    assert p.slice_values() == ["x", "y"]
    assert len(p.only("x")) == 2
