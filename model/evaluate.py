"""The evaluation suite: the metrics every run reports, at the decision threshold.

The positive class is 1 = malignant. Recall (sensitivity) is the share of malignant
cases the model flags; it is the metric the threshold is chosen for, because a missed
malignant case costs far more than an extra review of a benign one.

It also writes the held-out predictions the model card's numbers are recomputed from:

```sh
python -m model.evaluate --out model/artifacts/predictions.csv
```

loads the recorded model (`model/artifacts/model.pkl`), scores the held-out split of its
seed and writes `label,score` per case (scores as Python's shortest round-trip repr, so
the file is byte-identical on every run and parses back to the exact probabilities).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

DIGITS = 6
"""Metrics are rounded to this many decimals so metric files are stable byte for byte."""


def evaluate(y_true: np.ndarray, proba: np.ndarray, threshold: float) -> dict[str, float]:
    """Metrics of predicted probabilities `proba` of class 1 against labels `y_true`.

    Returns a flat mapping of metric name to number, keys sorted: accuracy, roc_auc,
    recall, precision, f1, specificity, brier (threshold-free calibration error),
    and the confusion counts (tp, fp, tn, fn) at `threshold`.
    """
    predicted = (proba >= threshold).astype(np.int64)
    tn, fp, fn, tp = confusion_matrix(y_true, predicted, labels=[0, 1]).ravel()
    metrics = {
        "accuracy": accuracy_score(y_true, predicted),
        "roc_auc": roc_auc_score(y_true, proba),
        "recall": recall_score(y_true, predicted, zero_division=0),
        "precision": precision_score(y_true, predicted, zero_division=0),
        "f1": f1_score(y_true, predicted, zero_division=0),
        "specificity": tn / (tn + fp) if tn + fp else 0.0,
        "brier": brier_score_loss(y_true, proba),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }
    counts = {"tp", "fp", "tn", "fn"}
    return {
        name: int(value) if name in counts else round(float(value), DIGITS)
        for name, value in sorted(metrics.items())
    }


def predictions_csv(
    y_true: np.ndarray, proba: np.ndarray, slices: Sequence[object] | None = None
) -> bytes:
    """CSV of predictions: a header, then ``[seed,]label,score`` per case, LF line ends."""
    header = "seed,label,score" if slices is not None else "label,score"
    lines = [header]
    for k, (label, score) in enumerate(zip(y_true.tolist(), proba.tolist(), strict=True)):
        prefix = f"{slices[k]}," if slices is not None else ""
        lines.append(f"{prefix}{int(label)},{float(score)!r}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def held_out_predictions(
    model_path: Path, config_path: Path, data_path: Path
) -> tuple[np.ndarray, np.ndarray, float]:
    """(labels, P(malignant), threshold) of the recorded model on its held-out split."""
    from model.data import load_csv, split
    from model.train import load_config

    with model_path.open("rb") as handle:  # our own artifact; its sha256 is checked in CI
        bundle = pickle.load(handle)
    config = load_config(config_path, bundle["seed"])
    parts = split(load_csv(data_path), config.seed, config.test_size)
    proba = bundle["pipeline"].predict_proba(parts.X_test)[:, 1]
    return parts.y_test, proba, float(bundle["threshold"])


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: write the held-out predictions CSV."""
    from model.data import DEFAULT_CSV, write_atomic

    parser = argparse.ArgumentParser(prog="python -m model.evaluate", description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("model/artifacts/model.pkl"))
    parser.add_argument("--config", type=Path, default=Path("model/config.yaml"))
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, required=True, help="predictions CSV to write")
    args = parser.parse_args(argv)
    y_true, proba, threshold = held_out_predictions(args.model, args.config, args.data)
    write_atomic(args.out, predictions_csv(y_true, proba))
    metrics = evaluate(y_true, proba, threshold)
    print(f"wrote {args.out} ({len(y_true)} rows); recall {metrics['recall']} at {threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
