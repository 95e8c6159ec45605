"""Bootstrap intervals: seeded, deterministic, resamples configurable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from handover_docs import manifest
from handover_docs.evaluation.bootstrap import interval, resample_metrics
from handover_docs.evaluation.metrics import METRICS
from handover_docs.evaluation.recompute import evaluate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.random(3000) < 0.3
    return y, np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1)


def test_the_same_seed_gives_the_same_resamples(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, s = data
    first = resample_metrics(y, s, 0.5, 300, 7)
    again = resample_metrics(y, s, 0.5, 300, 7)
    other = resample_metrics(y, s, 0.5, 300, 8)
    for name in METRICS:
        assert len(first[name]) == 300
        assert np.array_equal(first[name], again[name]), name
        assert not np.array_equal(first[name], other[name]), name


def test_resamples_are_configurable_and_zero_means_no_interval(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    y, s = data
    assert len(resample_metrics(y, s, 0.5, 37, 0)["roc_auc"]) == 37
    none = resample_metrics(y, s, 0.5, 0, 0)
    assert none["roc_auc"].size == 0 and interval(none["roc_auc"]) is None


def test_the_interval_brackets_the_estimate_and_narrows_with_more_data() -> None:
    rng = np.random.default_rng(1)

    def width(n: int) -> float:
        y = rng.random(n) < 0.3
        s = np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1)
        low, high = interval(resample_metrics(y, s, 0.5, 500, 0)["recall"]) or (0, 0)
        recall = float(((s >= 0.5) & y).sum() / y.sum())
        assert low <= recall <= high
        return high - low

    assert width(20_000) < width(500) / 3


def test_the_example_intervals_are_identical_on_every_run() -> None:
    loaded = manifest.load(REPO)
    first, again = evaluate(loaded), evaluate(loaded)
    for name, result in first.sets.items():
        for metric, estimate in result.overall.items():
            assert estimate == again.sets[name].overall[metric]
            assert estimate.ci is not None
            assert estimate.ci[0] <= estimate.value <= estimate.ci[1], (name, metric)
        for metric, estimate in result.means.items():
            assert estimate == again.sets[name].means[metric]
