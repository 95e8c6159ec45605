"""Seeded bootstrap confidence intervals, vectorised over resamples.

Resample r draws n rows with replacement; instead of copying rows, it becomes a row of
counts (how often each prediction was drawn) and the metrics are weighted sums, so a block
of resamples is a few matrix products. Blocks keep memory bounded (about 16 MB of weights
at a time). The generator is numpy's PCG64 seeded with ``seed`` and draws in a fixed order,
so the same predictions, seed and resamples give the same interval on every machine.
"""

from __future__ import annotations

import numpy as np

from handover_docs.evaluation.metrics import METRICS, BoolArray, FloatArray, Layout, all_metrics

BLOCK_CELLS = 2_000_000
"""Weights held at once (resamples x rows): bounds memory whatever the file size."""


def resample_metrics(
    y: BoolArray,
    scores: FloatArray,
    threshold: float,
    resamples: int,
    seed: int | np.random.SeedSequence,
) -> dict[str, FloatArray]:
    """Every metric on each of ``resamples`` bootstrap resamples (arrays of that length)."""
    n = len(y)
    out: dict[str, list[FloatArray]] = {name: [] for name in METRICS}
    if resamples <= 0 or n == 0:
        return {name: np.empty(0) for name in METRICS}
    rng = np.random.default_rng(seed)
    layout = Layout.of(y, scores)
    block = max(1, min(resamples, BLOCK_CELLS // n))
    done = 0
    while done < resamples:
        size = min(block, resamples - done)
        # Rows are drawn uniformly, so draw positions of the layout directly; counting
        # row by row keeps each count array in cache.
        drawn = rng.integers(0, n, size=(size, n))
        counts = np.empty((size, n))
        for row in range(size):
            counts[row] = np.bincount(drawn[row], minlength=n)
        values = all_metrics(counts, layout, threshold)
        for name in METRICS:
            out[name].append(values[name])
        done += size
    return {name: np.concatenate(parts) for name, parts in out.items()}


def interval(values: FloatArray, level: float = 0.95) -> tuple[float, float] | None:
    """The percentile interval of the defined resample values; None when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)
