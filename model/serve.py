"""The prediction function operators call: rows in, flagged results out.

```python
from model import serve
bundle = serve.load("model/artifacts/model.pkl")
serve.predict([{"mean radius": 17.99, ...all 30 features...}], bundle)
# [{"probability_malignant": 0.99..., "flag_for_review": True, "label": "malignant",
#   "out_of_range": []}]
```

Guarantees:

- Every one of the 30 features must be present and a finite number; otherwise
  `predict` raises `ValueError` naming the row and feature (a failure mode that must
  reach the caller, never a silent default).
- A value outside the range seen in training is still scored, but the feature is
  listed in `out_of_range`, so the caller can route the case to manual review.
- The decision threshold comes from the model file, not from the caller.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.train import BUNDLE_FORMAT

DEFAULT_MODEL = Path("model/artifacts/model.pkl")


def load(path: Path | str = DEFAULT_MODEL) -> dict[str, Any]:
    """Load a model file written by `model.train`.

    Only load model files from the inventory whose sha256 matches the manifest:
    unpickling runs code, so an untrusted file is a security risk.
    """
    with Path(path).open("rb") as handle:
        bundle = pickle.load(handle)
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"{path}: not a model file of format {BUNDLE_FORMAT}")
    return bundle


def to_matrix(rows: Sequence[Mapping[str, float]], feature_names: Sequence[str]) -> np.ndarray:
    """Rows (feature name -> value) as a float matrix in the model's column order."""
    matrix = np.empty((len(rows), len(feature_names)), dtype=np.float64)
    for i, row in enumerate(rows):
        for j, name in enumerate(feature_names):
            if name not in row:
                raise ValueError(f"row {i}: missing feature '{name}'")
            value = row[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise ValueError(
                    f"row {i}: feature '{name}' must be a finite number, got {value!r}"
                )
            matrix[i, j] = float(value)
    return matrix


def predict(rows: Sequence[Mapping[str, float]], bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Score rows; one result dict per row, in order.

    Each result has `probability_malignant` (float), `flag_for_review` (at or above
    the threshold), `label` ('malignant' or 'benign' at the threshold) and
    `out_of_range` (features outside the training range).
    """
    names = bundle["feature_names"]
    matrix = to_matrix(rows, names)
    if len(matrix) == 0:
        return []
    proba = bundle["pipeline"].predict_proba(matrix)[:, 1]
    low, high = np.asarray(bundle["feature_min"]), np.asarray(bundle["feature_max"])
    threshold = float(bundle["threshold"])
    results = []
    for i, p in enumerate(proba):
        outside = (matrix[i] < low) | (matrix[i] > high)
        flagged = bool(p >= threshold)
        results.append(
            {
                "probability_malignant": float(p),
                "flag_for_review": flagged,
                "label": "malignant" if flagged else "benign",
                "out_of_range": [names[j] for j in np.flatnonzero(outside)],
            }
        )
    return results
