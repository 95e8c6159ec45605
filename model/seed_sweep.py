"""Seed-independent results: train with several seeds, report mean and std per metric.

Each seed changes both the stratified train/test split and the classifier's seed,
so the spread shows how much a single recorded run owes to luck. Seeds are
`first, first + 1, ..., first + n - 1`.

Usage:

```sh
python -m model.seed_sweep --seeds 5 --out model/artifacts/seed_sweep
```

Writes `OUT/metrics.json` (flat: `<metric>_mean`, `<metric>_std`, `n_seeds`),
`OUT/per_seed.json` (the metrics of every seed) and `OUT/predictions.csv` (every seed's
held-out predictions, `seed,label,score`, from which the model card's `_mean` values are
recomputed). Standard deviations are sample
standard deviations (ddof = 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from model.data import DEFAULT_CSV, load_csv, split, write_atomic
from model.evaluate import DIGITS, predictions_csv
from model.train import load_config, metrics_bytes, train

SUMMARISED = ("accuracy", "roc_auc", "recall", "precision", "f1", "specificity", "brier")
"""Metrics summarised over seeds (confusion counts are left out)."""


def sweep(
    config_path: Path,
    seeds: list[int],
    data_path: Path = DEFAULT_CSV,
    predictions: list[tuple[int, np.ndarray, np.ndarray]] | None = None,
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Train once per seed; return (summary, metrics per seed).

    ``predictions`` (when given) receives (seed, labels, P(malignant)) of every held-out split.
    """
    per_seed: dict[str, dict[str, float]] = {}
    data = load_csv(data_path) if predictions is not None else None
    for seed in seeds:
        config = load_config(config_path, seed)
        bundle, metrics = train(config, data_path, log=lambda _m: None)
        per_seed[str(seed)] = metrics
        if predictions is not None and data is not None:
            parts = split(data, config.seed, config.test_size)
            proba = bundle["pipeline"].predict_proba(parts.X_test)[:, 1]
            predictions.append((seed, parts.y_test, proba))
    summary: dict[str, float] = {"n_seeds": len(seeds)}
    for name in SUMMARISED:
        values = np.array([m[name] for m in per_seed.values()], dtype=np.float64)
        summary[f"{name}_mean"] = round(float(values.mean()), DIGITS)
        summary[f"{name}_std"] = round(float(values.std(ddof=1)), DIGITS)
    return dict(sorted(summary.items())), per_seed


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m model.seed_sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, default=Path("model/config.yaml"))
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds (at least 2)")
    parser.add_argument("--first", type=int, default=0, help="first seed")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error("--seeds must be at least 2 for a standard deviation")
    seeds = list(range(args.first, args.first + args.seeds))
    held_out: list[tuple[int, np.ndarray, np.ndarray]] = []
    summary, per_seed = sweep(args.config, seeds, predictions=held_out)
    for seed, metrics in per_seed.items():
        print(
            f"seed {seed}: roc_auc={metrics['roc_auc']} recall={metrics['recall']} "
            f"precision={metrics['precision']} accuracy={metrics['accuracy']}"
        )
    for name in SUMMARISED:
        print(f"{name}: mean {summary[name + '_mean']} std {summary[name + '_std']}")
    write_atomic(args.out / "metrics.json", metrics_bytes(summary))
    write_atomic(
        args.out / "per_seed.json",
        (json.dumps(per_seed, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    )
    write_atomic(
        args.out / "predictions.csv",
        predictions_csv(
            np.concatenate([y for _, y, _ in held_out]),
            np.concatenate([p for _, _, p in held_out]),
            [seed for seed, y, _ in held_out for _ in range(len(y))],
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
