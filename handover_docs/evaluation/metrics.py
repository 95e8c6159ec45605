"""Binary-classification metrics over weighted rows, vectorised over many weightings.

Every function takes a weight matrix ``W`` of shape (resamples, n): row r says how often
each prediction occurs in resample r. The point estimate is the single row of ones, a
bootstrap resample is a row of counts, so the recorded value and its interval come from
one implementation. Definitions follow scikit-learn (``roc_auc_score`` with ties counted
half, ``average_precision_score`` as PR AUC, ``brier_score_loss``); an undefined value
(no positives, say) is NaN rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

METRICS = ("roc_auc", "pr_auc", "precision", "recall", "specificity", "f1", "accuracy", "brier")
"""Every metric the evaluation recomputes, in the order pages list them."""


@dataclass(frozen=True)
class Layout:
    """The predictions laid out once for every resample: positives first, then negatives,
    each in descending score, with the rank lookups the metrics need precomputed.

    A bootstrap draws rows uniformly, so it can draw positions of this layout directly;
    a weight matrix ``W`` (resamples x n) then splits into a positives block and a
    negatives block without copying, and two cumulative sums give every metric.
    """

    n_pos: int
    scores: FloatArray
    labels: BoolArray
    neg_ge: npt.NDArray[np.intp]
    """Per positive: how many negatives score at or above it."""
    neg_gt: npt.NDArray[np.intp]
    """Per positive: how many negatives score above it (differs from neg_ge on ties)."""
    pos_ge: npt.NDArray[np.intp]
    """Per positive: how many positives score at or above it (itself included)."""

    @classmethod
    def of(cls, y: BoolArray, scores: FloatArray) -> Layout:
        pos = -np.sort(-scores[y], kind="stable")
        neg = -np.sort(-scores[~y], kind="stable")
        return cls(
            n_pos=len(pos),
            scores=np.r_[pos, neg],
            labels=np.r_[np.ones(len(pos), np.bool_), np.zeros(len(neg), np.bool_)],
            neg_ge=np.searchsorted(-neg, -pos, side="right"),
            neg_gt=np.searchsorted(-neg, -pos, side="left"),
            pos_ge=np.searchsorted(-pos, -pos, side="right"),
        )

    def at(self, threshold: float) -> tuple[int, int]:
        """How many positives and negatives score at or above ``threshold``."""
        return (
            int(np.count_nonzero(self.scores[: self.n_pos] >= threshold)),
            int(np.count_nonzero(self.scores[self.n_pos :] >= threshold)),
        )


def _divide(top: FloatArray, bottom: FloatArray) -> FloatArray:
    out = np.full(np.broadcast(top, bottom).shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


def _running(block: FloatArray) -> FloatArray:
    """Cumulative sums along rows with a leading zero column: column k sums the first k."""
    out = np.zeros((block.shape[0], block.shape[1] + 1))
    np.cumsum(block, axis=1, out=out[:, 1:])
    return out


def all_metrics(W: FloatArray, lay: Layout, threshold: float) -> dict[str, FloatArray]:
    """Every metric of :data:`METRICS` per row of ``W`` (columns in ``lay``'s order).

    ROC AUC: each positive outranks the negatives below it and ties half of those level
    with it. Average precision: each positive adds the precision at its own score. Counts
    are whole numbers held in float64, exact far beyond any file this reads.
    """
    P = W[:, : lay.n_pos]
    cpos = _running(P)
    cneg = _running(W[:, lay.n_pos :])
    total_pos, total_neg = cpos[:, -1], cneg[:, -1]
    neg_ge = cneg[:, lay.neg_ge]
    if np.array_equal(lay.neg_ge, lay.neg_gt):
        above = neg_ge
    else:
        above = 0.5 * (neg_ge + cneg[:, lay.neg_gt])
    wins = total_pos * total_neg - np.einsum("ij,ij->i", P, above)
    if np.array_equal(lay.pos_ge, np.arange(1, lay.n_pos + 1)):
        tp_here = cpos[:, 1:]
    else:
        tp_here = cpos[:, lay.pos_ge]
    ratio = tp_here + neg_ge
    np.maximum(ratio, 1.0, out=ratio)
    np.divide(tp_here, ratio, out=ratio)
    precision_sum = np.einsum("ij,ij->i", P, ratio)
    k_pos, k_neg = lay.at(threshold)
    tp, fp = cpos[:, k_pos], cneg[:, k_neg]
    fn, tn = total_pos - tp, total_neg - fp
    n = total_pos + total_neg
    return {
        "roc_auc": _divide(wins, total_pos * total_neg),
        "pr_auc": _divide(precision_sum, total_pos),
        "precision": _divide(tp, tp + fp),
        "recall": _divide(tp, total_pos),
        "specificity": _divide(tn, total_neg),
        "f1": _divide(2 * tp, 2 * tp + fp + fn),
        "accuracy": _divide(tp + tn, n),
        "brier": _divide(np.einsum("ij,j->i", W, (lay.scores - lay.labels) ** 2), n),
    }


def point(y: BoolArray, scores: FloatArray, threshold: float) -> dict[str, float]:
    """The metrics of the predictions as they are (every row weighted once)."""
    ones = np.ones((1, len(y)))
    return {k: float(v[0]) for k, v in all_metrics(ones, Layout.of(y, scores), threshold).items()}


@dataclass(frozen=True)
class Curves:
    """What the plots draw, from the unweighted predictions."""

    thresholds: FloatArray
    """Distinct scores, descending; point i flags every score >= thresholds[i]."""
    tpr: FloatArray
    fpr: FloatArray
    precision: FloatArray
    counts: dict[str, int]
    """Confusion counts at the deployed threshold."""
    bins: list[tuple[float, float, float, int]]
    """Calibration: (bin low, mean score, share positive, rows) per non-empty bin."""


def curves(y: BoolArray, scores: FloatArray, threshold: float, n_bins: int = 10) -> Curves:
    """ROC and precision-recall points, confusion counts and calibration bins."""
    order = np.argsort(-scores, kind="stable")
    ranked, labels = scores[order], y[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    tp = np.cumsum(np.add.reduceat(labels.astype(np.float64), starts))
    fp = np.cumsum(np.add.reduceat((~labels).astype(np.float64), starts))
    pos, neg = max(float(y.sum()), 1.0), max(float((~y).sum()), 1.0)
    flagged = scores >= threshold
    counts = {
        "tp": int(np.count_nonzero(flagged & y)),
        "fp": int(np.count_nonzero(flagged & ~y)),
        "tn": int(np.count_nonzero(~flagged & ~y)),
        "fn": int(np.count_nonzero(~flagged & y)),
    }
    edges = np.clip(np.floor(np.clip(scores, 0.0, 1.0) * n_bins), 0, n_bins - 1).astype(np.intp)
    rows = np.bincount(edges, minlength=n_bins)
    summed = np.bincount(edges, weights=scores, minlength=n_bins)
    hits = np.bincount(edges, weights=y.astype(np.float64), minlength=n_bins)
    bins = [
        (b / n_bins, float(summed[b] / rows[b]), float(hits[b] / rows[b]), int(rows[b]))
        for b in range(n_bins)
        if rows[b]
    ]
    return Curves(
        thresholds=ranked[starts],
        tpr=tp / pos,
        fpr=fp / neg,
        precision=tp / np.maximum(tp + fp, 1.0),
        counts=counts,
        bins=bins,
    )
