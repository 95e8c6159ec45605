"""Metric drift: directions, relative thresholds, warn band passes with a note, beyond fails."""

from __future__ import annotations

import json

import pytest
from checks_fixtures import Project, item

from handover_docs.checks.drift import classify
from handover_docs.schema import DriftThreshold


def threshold(**fields: object) -> DriftThreshold:
    base: dict[str, object] = {"id": "t", "metric": "m", "baseline": 0.9, "warn": 0.01}
    base.setdefault("fail", 0.03)
    return DriftThreshold.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("measured", "fields", "verdict"),
    [
        (0.9, {}, "ok"),
        (0.91, {}, "ok"),  # exactly the warn bound: still ok
        (0.92, {}, "warn"),
        (0.93, {}, "warn"),  # exactly the fail bound: warns, does not fail
        (0.9301, {}, "fail"),
        (0.87, {}, "warn"),  # both directions count by default
        (0.8699, {}, "fail"),
        (0.5, {"direction": "higher-is-worse"}, "ok"),  # drops do not count
        (0.95, {"direction": "higher-is-worse"}, "fail"),
        (1.0, {"direction": "lower-is-worse"}, "ok"),  # rises do not count
        (0.85, {"direction": "lower-is-worse"}, "fail"),
        (0.88, {"direction": "lower-is-worse", "relative": True, "warn": 0.02}, "warn"),
        (0.873, {"direction": "lower-is-worse", "relative": True}, "warn"),  # 3 %: the fail bound
        (0.8729, {"direction": "lower-is-worse", "relative": True}, "fail"),
        (0.1, {"baseline": 0.0, "relative": True}, "fail"),
        (float("nan"), {}, "fail"),
    ],
)
def test_classify(measured: float, fields: dict[str, object], verdict: str) -> None:
    assert classify(measured, threshold(**fields))[0] == verdict


def _project(project: Project, metrics: dict[str, float]) -> None:
    project.write("current.json", json.dumps(metrics))
    project.manifest(
        monitoring={
            "drift": [
                {
                    "id": "auc-drift",
                    "metric": "auc",
                    "baseline": 0.99,
                    "warn": 0.01,
                    "fail": 0.02,
                    "direction": "lower-is-worse",
                },
                {
                    "id": "rate-drift",
                    "metric": "rate",
                    "baseline": 0.1,
                    "warn": 0.1,
                    "fail": 0.5,
                    "relative": True,
                },
            ]
        },
        checklist=[item("drift", {"kind": "metric-drift", "metrics_file": "current.json"})],
    )


def test_warn_band_passes_with_a_note(project: Project) -> None:
    _project(project, {"auc": 0.975, "rate": 0.1})
    result = project.check()
    assert result.returncode == 0, result.stdout
    assert "note: auc-drift: auc 0.975 vs baseline 0.99 drifted 0.015" in result.stdout
    record = json.loads(project.evidence.read_text())["checks"]["drift"]
    assert record["status"] == "pass"
    assert len(record["notes"]) == 1


def test_beyond_fail_bound_fails_and_names_the_threshold(project: Project) -> None:
    _project(project, {"auc": 0.99, "rate": 0.2})
    result = project.check()
    assert result.returncode == 1
    assert "rate-drift: rate 0.2 vs baseline 0.1 drifted 100.00% (both)" in result.stdout


def test_only_selected_thresholds_and_missing_metric(project: Project) -> None:
    _project(project, {"auc": 0.99})
    result = project.check()
    assert result.returncode == 1
    assert "rate-drift: metric 'rate' is missing from current.json" in result.stdout
    checks = project.root / "handover" / "checks.yaml"
    checks.write_text(
        checks.read_text().replace(
            "metrics_file: current.json", "metrics_file: current.json\n    thresholds: [auc-drift]"
        )
    )
    assert project.check().returncode == 0


def test_unknown_threshold_is_a_validation_error(project: Project) -> None:
    _project(project, {"auc": 0.99})
    checks = project.root / "handover" / "checks.yaml"
    checks.write_text(
        checks.read_text().replace(
            "metrics_file: current.json", "metrics_file: current.json\n    thresholds: [auc-drfit]"
        )
    )
    result = project.check()
    assert result.returncode == 2
    assert "unknown reference 'auc-drfit'" in result.stderr
    assert "did you mean 'auc-drift'?" in result.stderr
