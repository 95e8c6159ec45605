"""Out-of-fold analysis behind the decision threshold.

The threshold is chosen on the **training split only** (never on the test split,
which would flatter the reported metrics): the training split is cut into
`cv_folds` stratified folds, each fold is scored by a pipeline fitted on the other
folds, and recall and precision of the malignant class are computed for candidate
thresholds 0.05, 0.10, ..., 0.95 over these out-of-fold probabilities. The chosen
threshold is the highest candidate whose out-of-fold recall reaches the target
(0.97 by default): the fewest extra reviews that still catch 97 % of malignant cases.

Usage:

```sh
python -m model.threshold --config model/config.yaml --out model/artifacts
```

Writes `OUT/threshold_analysis.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from model.data import DEFAULT_CSV, load_csv, split, write_atomic
from model.evaluate import DIGITS
from model.pipeline import TrainConfig, build_pipeline
from model.train import load_config

CANDIDATES = tuple(round(0.05 * i, 2) for i in range(1, 20))
"""Candidate thresholds: 0.05 to 0.95 in steps of 0.05."""


def out_of_fold_proba(config: TrainConfig, data_path: Path = DEFAULT_CSV) -> tuple[Any, Any]:
    """(labels, out-of-fold P(malignant)) over the training split of `config.seed`."""
    parts = split(load_csv(data_path), config.seed, config.test_size)
    folds = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=config.seed)
    proba = cross_val_predict(
        build_pipeline(config), parts.X_train, parts.y_train, cv=folds, method="predict_proba"
    )[:, 1]
    return parts.y_train, proba


def analyse(
    config: TrainConfig, target_recall: float, data_path: Path = DEFAULT_CSV
) -> dict[str, Any]:
    """Recall and precision per candidate threshold, and the threshold they point to."""
    y, proba = out_of_fold_proba(config, data_path)
    rows = []
    for t in CANDIDATES:
        flagged = proba >= t
        tp = int(np.sum(flagged & (y == 1)))
        fp = int(np.sum(flagged & (y == 0)))
        fn = int(np.sum(~flagged & (y == 1)))
        rows.append(
            {
                "threshold": t,
                "recall": round(tp / (tp + fn), DIGITS) if tp + fn else 0.0,
                "precision": round(tp / (tp + fp), DIGITS) if tp + fp else 0.0,
                "flagged": int(flagged.sum()),
                "fn": fn,
                "fp": fp,
            }
        )
    meeting = [r["threshold"] for r in rows if r["recall"] >= target_recall]
    return {
        "target_recall": target_recall,
        "seed": config.seed,
        "cv_folds": config.cv_folds,
        "n_train": len(y),
        "chosen_threshold": max(meeting) if meeting else None,
        "candidates": rows,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the table and writes the JSON report."""
    parser = argparse.ArgumentParser(
        prog="python -m model.threshold", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for threshold_analysis.json"
    )
    parser.add_argument("--target-recall", type=float, default=0.97)
    args = parser.parse_args(argv)
    report = analyse(load_config(args.config), args.target_recall)
    print(f"out-of-fold on the training split (seed {report['seed']}, {report['cv_folds']} folds)")
    print("threshold  recall    precision flagged fn  fp")
    for r in report["candidates"]:
        print(
            f"{r['threshold']:<10} {r['recall']:<9.4f} {r['precision']:<9.4f} "
            f"{r['flagged']:<7} {r['fn']:<3} {r['fp']}"
        )
    print(f"chosen: {report['chosen_threshold']} (highest with recall >= {args.target_recall})")
    write_atomic(
        args.out / "threshold_analysis.json",
        (json.dumps(report, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    )
    return 0 if report["chosen_threshold"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
