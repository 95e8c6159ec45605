"""The recomputed metrics equal scikit-learn's own metric functions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from handover_docs import manifest
from handover_docs.evaluation.bootstrap import resample_metrics
from handover_docs.evaluation.metrics import METRICS, Layout, all_metrics, curves, point
from handover_docs.evaluation.recompute import evaluate

REPO = Path(__file__).resolve().parents[2]


def sklearn_metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, float]:
    """The reference: every metric from scikit-learn."""
    predicted = (s >= threshold).astype(int)
    tn, fp, _, _ = skm.confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    return {
        "roc_auc": skm.roc_auc_score(y, s),
        "pr_auc": skm.average_precision_score(y, s),
        "precision": skm.precision_score(y, predicted),
        "recall": skm.recall_score(y, predicted),
        "specificity": tn / (tn + fp),
        "f1": skm.f1_score(y, predicted),
        "accuracy": skm.accuracy_score(y, predicted),
        "brier": skm.brier_score_loss(y, s),
    }


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_example_recomputes_to_sklearns_values() -> None:
    result = evaluate(manifest.load(REPO))
    assert not result.errors
    rows = read_csv(REPO / "model/artifacts/predictions.csv")
    y = np.array([int(r["label"]) for r in rows])
    s = np.array([float(r["score"]) for r in rows])
    expected = sklearn_metrics(y, s, 0.3)
    test = result.sets["test"]
    assert test.rows == 143 and test.positives == 53
    for name in METRICS:
        assert test.overall[name].value == pytest.approx(expected[name], abs=1e-12), name
    # and the values the model's own run recorded (rounded to 6 decimals)
    recorded = json.loads((REPO / "model/artifacts/metrics.json").read_text())
    for name in ("roc_auc", "recall", "precision", "specificity", "f1", "accuracy", "brier"):
        assert round(test.overall[name].value, 6) == recorded[name], name
    assert test.curves.counts == {k: recorded[k] for k in ("tp", "fp", "tn", "fn")}


def test_each_seed_of_the_sweep_recomputes_to_sklearn_and_its_recorded_metrics() -> None:
    sweep = evaluate(manifest.load(REPO)).sets["seed-sweep"]
    rows = read_csv(REPO / "model/artifacts/seed_sweep/predictions.csv")
    per_seed = json.loads((REPO / "model/artifacts/seed_sweep/per_seed.json").read_text())
    assert list(sweep.slices) == ["0", "1", "2", "3", "4"] == sorted(per_seed)
    for seed, metrics in sweep.slices.items():
        y = np.array([int(r["label"]) for r in rows if r["seed"] == seed])
        s = np.array([float(r["score"]) for r in rows if r["seed"] == seed])
        expected = sklearn_metrics(y, s, 0.3)
        for name in METRICS:
            assert metrics[name].value == pytest.approx(expected[name], abs=1e-12), (seed, name)
            if name in per_seed[seed]:  # the model records no PR AUC
                assert round(metrics[name].value, 6) == per_seed[seed][name], (seed, name)
    means = json.loads((REPO / "model/artifacts/seed_sweep/metrics.json").read_text())
    assert sweep.means["recall"].value == pytest.approx(means["recall_mean"], abs=1e-6)


def test_weighted_resamples_equal_sklearn_on_the_materialised_resample() -> None:
    """A row of counts scores exactly as the resample it stands for, ties included."""
    rng = np.random.default_rng(3)
    y = rng.random(400) < 0.35
    s = np.round(np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1), 1)  # many ties
    lay = Layout.of(y, s)
    counts = np.stack([np.bincount(rng.integers(0, 400, 400), minlength=400) for _ in range(6)])
    got = all_metrics(counts.astype(np.float64), lay, 0.5)
    for row in range(6):
        ry = np.repeat(lay.labels, counts[row]).astype(int)
        rs = np.repeat(lay.scores, counts[row])
        expected = sklearn_metrics(ry, rs, 0.5)
        for name in METRICS:
            assert got[name][row] == pytest.approx(expected[name], abs=1e-12), (row, name)


def test_ties_and_unsorted_input_match_sklearn() -> None:
    rng = np.random.default_rng(11)
    y = rng.random(1000) < 0.2
    s = np.round(rng.random(1000) * 0.5 + 0.4 * y, 2)
    expected = sklearn_metrics(y.astype(int), s, 0.45)
    got = point(y, s, 0.45)
    for name in METRICS:
        assert got[name] == pytest.approx(expected[name], abs=1e-12), name


def test_an_undefined_metric_is_nan_not_a_guess() -> None:
    y = np.zeros(10, dtype=np.bool_)
    s = np.linspace(0, 1, 10)
    got = point(y, s, 0.5)
    assert np.isnan(got["roc_auc"]) and np.isnan(got["recall"]) and np.isnan(got["pr_auc"])
    assert got["specificity"] == 0.5
    drawn = resample_metrics(y, s, 0.5, 20, 0)
    assert np.isnan(drawn["recall"]).all()


def test_the_curves_end_at_the_corners_and_count_the_threshold() -> None:
    rng = np.random.default_rng(5)
    y = rng.random(200) < 0.5
    s = rng.random(200)
    c = curves(y, s, 0.5)
    assert c.tpr[-1] == 1.0 and c.fpr[-1] == 1.0
    fpr, tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    assert np.allclose(c.fpr, fpr[1:]) and np.allclose(c.tpr, tpr[1:])
    flagged = s >= 0.5
    assert c.counts["tp"] == int((flagged & y).sum())
    assert sum(r for *_, r in c.bins) == 200
