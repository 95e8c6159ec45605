"""The evaluation suite: the metrics every run reports, at the decision threshold.

The positive class is 1 = malignant. Recall (sensitivity) is the share of malignant
cases the model flags; it is the metric the threshold is chosen for, because a missed
malignant case costs far more than an extra review of a benign one.
"""

from __future__ import annotations

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
