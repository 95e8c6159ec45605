"""Train the model with a recorded seed and write the weights and metrics.

Usage, from the project root:

```sh
python -m model.train --config model/config.yaml --out model/artifacts \
    --log model/artifacts/sample_run.log
python -m model.train --config model/config.yaml --out /tmp/run --seed 7
```

Writes `OUT/model.pkl` (a pickled dict holding the fitted pipeline, the feature
names, the decision threshold and the training range of every feature) and
`OUT/metrics.json` (metric name to number, evaluated on the held-out split).

Both files are byte-identical when the same seed is trained twice with the same
package versions: the pickle protocol is fixed, JSON keys are sorted and metrics
are rounded to 6 decimals. The log holds no timestamps for the same reason.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import yaml

from model import __version__
from model.data import DEFAULT_CSV, load_csv, split, write_atomic
from model.evaluate import evaluate
from model.pipeline import TrainConfig, build_pipeline

PICKLE_PROTOCOL = 4
"""Fixed pickle protocol, so the weights file does not change with Python's default."""

BUNDLE_FORMAT = "handover-example-model/1"
"""Identifies the layout of the pickled dict that `model.serve` loads."""


def load_config(path: Path, seed: int | None = None) -> TrainConfig:
    """Read the YAML config; `seed` overrides its seed."""
    with Path(path).open(encoding="utf-8") as handle:
        return TrainConfig.from_mapping(yaml.safe_load(handle), seed)


def metrics_bytes(metrics: dict[str, float]) -> bytes:
    """Canonical JSON of a flat metrics mapping: sorted keys, two-space indent, final LF."""
    return (json.dumps(metrics, indent=2, sort_keys=True) + "\n").encode("utf-8")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def train(
    config: TrainConfig,
    data_path: Path = DEFAULT_CSV,
    log: Callable[[str], None] = print,
) -> tuple[dict[str, Any], dict[str, float]]:
    """Fit the pipeline on the training split; return (bundle, test metrics)."""
    data = load_csv(data_path)
    parts = split(data, config.seed, config.test_size)
    log(f"data: {data_path} ({len(data.y)} rows, {data.X.shape[1]} features)")
    log(
        f"split: seed={config.seed} test_size={config.test_size} -> "
        f"train={len(parts.y_train)} (malignant {int(parts.y_train.sum())}), "
        f"test={len(parts.y_test)} (malignant {int(parts.y_test.sum())})"
    )
    pipeline = build_pipeline(config)
    pipeline.fit(parts.X_train, parts.y_train)
    n_iter = int(np.max(pipeline.named_steps["classify"].n_iter_))
    log(f"fit: StandardScaler + LogisticRegression(C={config.C}, solver={config.solver})")
    log(f"fit: converged in {n_iter} iterations (max_iter={config.max_iter})")
    proba = pipeline.predict_proba(parts.X_test)[:, 1]
    metrics = evaluate(parts.y_test, proba, config.threshold)
    bundle = {
        "format": BUNDLE_FORMAT,
        "model_version": __version__,
        "pipeline": pipeline,
        "feature_names": list(data.feature_names),
        "threshold": config.threshold,
        "feature_min": parts.X_train.min(axis=0).tolist(),
        "feature_max": parts.X_train.max(axis=0).tolist(),
        "seed": config.seed,
        "sklearn_version": sklearn.__version__,
    }
    return bundle, metrics


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m model.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, required=True, help="YAML training config")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for model.pkl, metrics.json"
    )
    parser.add_argument("--seed", type=int, default=None, help="override the config's seed")
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV, help="data set CSV")
    parser.add_argument("--log", type=Path, default=None, help="also save the log to this file")
    args = parser.parse_args(argv)

    lines: list[str] = []

    def log(message: str) -> None:
        lines.append(message.rstrip())
        print(message.rstrip(), flush=True)

    config = load_config(args.config, args.seed)
    log(f"model.train {__version__}")
    log(
        f"environment: python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}"
    )
    log(f"config: {args.config} " + json.dumps(config.__dict__, sort_keys=True))
    bundle, metrics = train(config, args.data, log)
    args.out.mkdir(parents=True, exist_ok=True)
    model_path, metrics_path = args.out / "model.pkl", args.out / "metrics.json"
    write_atomic(model_path, pickle.dumps(bundle, protocol=PICKLE_PROTOCOL))
    write_atomic(metrics_path, metrics_bytes(metrics))
    log(f"metrics (threshold {config.threshold}): " + json.dumps(metrics, sort_keys=True))
    log(f"wrote {model_path.name} sha256={sha256_file(model_path)}")
    log(f"wrote {metrics_path.name} sha256={sha256_file(metrics_path)}")
    if args.log is not None:
        write_atomic(args.log, ("\n".join(lines) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
