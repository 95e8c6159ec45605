"""Evaluation plots as small, self-contained SVG written by hand.

No plotting library: five chart types of lines, dots and rectangles are a few dozen lines,
and hand-written SVG is byte-identical on every machine and in every folder (no fonts
embedded, no ids from a random source, no dates, numbers rounded to 0.1 px). Every chart
has a ``<title>`` and a ``<desc>`` (read by screen readers, referenced by
``aria-labelledby``) and a ``viewBox`` so it scales from a phone to a wide screen. Colours
follow the page text (``currentColor``) except the data series.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from handover_docs.evaluation.metrics import Curves

WIDTH, HEIGHT = 360, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 344, 26, 248
"""The plot area inside the viewBox, in SVG units."""
BLUE, ORANGE, GREY = "#1f6fb4", "#c4500f", "#888888"
MAX_POINTS = 400
"""Curves are thinned to this many points: the eye sees no difference, the page stays small."""


def _x(value: float) -> float:
    return LEFT + (RIGHT - LEFT) * value


def _y(value: float) -> float:
    return BOTTOM - (BOTTOM - TOP) * value


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{_n(_x(float(a)))},{_n(_y(float(b)))}" for a, b in zip(xs, ys, strict=True))


def _thin(*arrays: np.ndarray) -> list[list[float]]:
    n = len(arrays[0])
    if n <= MAX_POINTS:
        keep = np.arange(n)
    else:
        keep = np.unique(np.r_[np.linspace(0, n - 1, MAX_POINTS).round().astype(int), n - 1])
    return [[float(v) for v in a[keep]] for a in arrays]


def _frame(ident: str, title: str, desc: str, xlabel: str, ylabel: str, body: str) -> str:
    """An SVG with axes from 0 to 1, ticks every 0.25, labels, title and description."""
    ticks = []
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        label = f"{t:g}"
        ticks.append(
            f'<line x1="{_n(_x(t))}" y1="{BOTTOM}" x2="{_n(_x(t))}" y2="{TOP}" '
            f'stroke="{GREY}" stroke-opacity="0.25"/>'
            f'<line x1="{LEFT}" y1="{_n(_y(t))}" x2="{RIGHT}" y2="{_n(_y(t))}" '
            f'stroke="{GREY}" stroke-opacity="0.25"/>'
            f'<text x="{_n(_x(t))}" y="{BOTTOM + 16}" text-anchor="middle">{label}</text>'
            f'<text x="{LEFT - 6}" y="{_n(_y(t) + 4)}" text-anchor="end">{label}</text>'
        )
    return _svg(
        ident,
        title,
        desc,
        f'<rect x="{LEFT}" y="{TOP}" width="{RIGHT - LEFT}" height="{BOTTOM - TOP}" '
        f'fill="none" stroke="currentColor" stroke-opacity="0.6"/>'
        + "".join(ticks)
        + f'<text x="{(LEFT + RIGHT) // 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        f"{html.escape(xlabel)}</text>"
        f'<text transform="translate(14 {(TOP + BOTTOM) // 2}) rotate(-90)" '
        f'text-anchor="middle">{html.escape(ylabel)}</text>' + body,
    )


def _svg(ident: str, title: str, desc: str, body: str) -> str:
    i = html.escape(ident)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{i}-title {i}-desc" class="handover-plot__svg" '
        f'style="width:100%;height:auto;max-width:{WIDTH * 1.5:g}px" '
        f'font-family="sans-serif" font-size="13" fill="currentColor">'
        f'<title id="{i}-title">{html.escape(title)}</title>'
        f'<desc id="{i}-desc">{html.escape(desc)}</desc>{body}</svg>'
    )


def _legend(entries: Sequence[tuple[str, str, str]]) -> str:
    """Legend lines inside the plot's lower right: (colour, dash pattern, label)."""
    out = []
    for k, (colour, dash, label) in enumerate(entries):
        y = BOTTOM - 12 - 16 * (len(entries) - 1 - k)
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{RIGHT - 120}" y1="{y}" x2="{RIGHT - 100}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dashing}/><text x="{RIGHT - 95}" y="{y + 4}">'
            f"{html.escape(label)}</text>"
        )
    return "".join(out)


def _marker(x: float, y: float, label: str) -> str:
    anchor = "end" if x > 0.6 else "start"
    dx = -8 if anchor == "end" else 8
    return (
        f'<circle cx="{_n(_x(x))}" cy="{_n(_y(y))}" r="5" fill="{ORANGE}" stroke="white"/>'
        f'<text x="{_n(_x(x) + dx)}" y="{_n(_y(y) - 8)}" text-anchor="{anchor}">'
        f"{html.escape(label)}</text>"
    )


def roc(ident: str, c: Curves, auc: float, threshold: float) -> str:
    """ROC curve with the chance diagonal and the deployed threshold marked."""
    fpr, tpr = _thin(np.r_[0.0, c.fpr], np.r_[0.0, c.tpr])
    at_fpr = c.counts["fp"] / max(c.counts["fp"] + c.counts["tn"], 1)
    at_tpr = c.counts["tp"] / max(c.counts["tp"] + c.counts["fn"], 1)
    desc = (
        f"ROC curve: true positive rate against false positive rate as the threshold falls; "
        f"area under the curve {auc:.4f}. At the deployed threshold {threshold:g} the false "
        f"positive rate is {at_fpr:.3f} and the true positive rate (recall) {at_tpr:.3f}."
    )
    body = (
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="{GREY}" '
        f'stroke-dasharray="4 4"/>'
        f'<polyline points="{_points(fpr, tpr)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        + _marker(at_fpr, at_tpr, f"threshold {threshold:g}")
        + _legend([(BLUE, "", f"AUC {auc:.3f}"), (GREY, "4 4", "chance")])
    )
    return _frame(ident, "ROC curve", desc, "False positive rate", "True positive rate", body)


def precision_recall(ident: str, c: Curves, pr_auc: float, threshold: float) -> str:
    """Precision against recall, with the deployed threshold marked."""
    recall, precision = _thin(c.tpr, c.precision)
    tp, fp, fn = c.counts["tp"], c.counts["fp"], c.counts["fn"]
    at_r = tp / max(tp + fn, 1)
    at_p = tp / max(tp + fp, 1)
    base = (tp + fn) / max(sum(c.counts.values()), 1)
    desc = (
        f"Precision-recall curve; average precision {pr_auc:.4f}. At the deployed threshold "
        f"{threshold:g}: recall {at_r:.3f}, precision {at_p:.3f}. A model that guesses would "
        f"have precision {base:.3f}, the share of positives."
    )
    body = (
        f'<line x1="{_x(0)}" y1="{_n(_y(base))}" x2="{_x(1)}" y2="{_n(_y(base))}" '
        f'stroke="{GREY}" stroke-dasharray="4 4"/>'
        f'<polyline points="{_points([recall[0], *recall], [1.0, *precision])}" fill="none" '
        f'stroke="{BLUE}" stroke-width="2"/>'
        + _marker(at_r, at_p, f"threshold {threshold:g}")
        + _legend([(BLUE, "", f"AP {pr_auc:.3f}"), (GREY, "4 4", "chance")])
    )
    return _frame(ident, "Precision-recall curve", desc, "Recall", "Precision", body)


def calibration(ident: str, c: Curves, brier: float) -> str:
    """Reliability diagram: mean score against observed share of positives, per bin."""
    dots = "".join(
        f'<circle cx="{_n(_x(mean))}" cy="{_n(_y(share))}" r="{_n(3 + min(rows, 400) ** 0.5 / 3)}" '
        f'fill="{BLUE}" fill-opacity="0.7"><title>scores {low:.1f}-{low + 0.1:.1f}: mean '
        f"{mean:.3f}, {share:.3f} positive, {rows} rows</title></circle>"
        for low, mean, share, rows in c.bins
    )
    line = _points([b[1] for b in c.bins], [b[2] for b in c.bins])
    listed = "; ".join(f"mean score {m:.2f}: {s:.2f} positive ({r})" for _, m, s, r in c.bins)
    desc = (
        f"Calibration: for each tenth of the score range, the mean score against the share of "
        f"positive cases; a calibrated model lies on the diagonal. Brier score {brier:.4f}. "
        f"Bins: {listed}."
    )
    body = (
        f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="{GREY}" '
        f'stroke-dasharray="4 4"/>'
        f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="1.5"/>'
        + dots
        + _legend([(BLUE, "", f"Brier {brier:.3f}"), (GREY, "4 4", "perfect")])
    )
    return _frame(ident, "Calibration", desc, "Mean predicted score", "Share positive", body)


def confusion_matrix(ident: str, c: Curves, threshold: float) -> str:
    """The four counts at the deployed threshold, shaded by their share of their true class."""
    tp, fp, tn, fn = (c.counts[k] for k in ("tp", "fp", "tn", "fn"))
    cells = [
        (0, 0, tp, tp + fn, "true positive"),
        (1, 0, fn, tp + fn, "false negative"),
        (0, 1, fp, fp + tn, "false positive"),
        (1, 1, tn, fp + tn, "true negative"),
    ]
    size, x0, y0 = 110, 110, 50
    parts = []
    for col, row, count, total, name in cells:
        share = count / total if total else 0.0
        x, y = x0 + col * size, y0 + row * size
        ink = "white" if share > 0.55 else "currentColor"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{BLUE}" '
            f'fill-opacity="{0.08 + 0.85 * share:.2f}" '
            f'stroke="currentColor" stroke-opacity="0.4"/>'
            f'<text x="{x + size // 2}" y="{y + size // 2 - 2}" text-anchor="middle" '
            f'font-size="22" fill="{ink}">{count}</text>'
            f'<text x="{x + size // 2}" y="{y + size // 2 + 18}" text-anchor="middle" '
            f'fill="{ink}">{name}</text>'
        )
    labels = (
        f'<text x="{x0 + size // 2}" y="{y0 - 8}" text-anchor="middle">flagged</text>'
        f'<text x="{x0 + size + size // 2}" y="{y0 - 8}" text-anchor="middle">not flagged</text>'
        f'<text x="{x0 - 8}" y="{y0 + size // 2 + 4}" text-anchor="end">positive</text>'
        f'<text x="{x0 - 8}" y="{y0 + size + size // 2 + 4}" text-anchor="end">negative</text>'
        f'<text x="{x0 + size}" y="{y0 + 2 * size + 24}" text-anchor="middle">'
        f"Prediction at threshold {threshold:g}</text>"
        f'<text transform="translate(20 {y0 + size}) rotate(-90)" text-anchor="middle">'
        f"True class</text>"
    )
    desc = (
        f"Confusion matrix at the deployed threshold {threshold:g}: {tp} true positives, "
        f"{fn} false negatives (positives missed), {fp} false positives, {tn} true negatives."
    )
    return _svg(ident, "Confusion matrix", desc, "".join(parts) + labels)


def threshold_sweep(ident: str, c: Curves, threshold: float) -> str:
    """Recall and precision as the threshold moves from 0 to 1, deployed threshold marked."""
    t = np.clip(c.thresholds, 0.0, 1.0)
    thresholds, recall, precision = _thin(t, c.tpr, c.precision)
    # Step curves: the value at threshold t holds until the next distinct score.
    rx = [1.0, *thresholds]
    ry = [0.0, *recall]
    py = [precision[0], *precision]
    at = (
        c.counts["tp"] / max(c.counts["tp"] + c.counts["fn"], 1),
        c.counts["tp"] / max(c.counts["tp"] + c.counts["fp"], 1),
    )
    desc = (
        f"Threshold sweep: recall and precision for every threshold from 1 down to 0; "
        f"a case is flagged when its score is at or above the threshold. At the deployed "
        f"threshold {threshold:g}, recall {at[0]:.3f} and precision {at[1]:.3f}; lowering "
        f"it raises recall and lowers precision."
    )
    tx = _n(_x(min(max(threshold, 0.0), 1.0)))
    body = (
        f'<polyline points="{_points(rx, ry)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        f'<polyline points="{_points(rx, py)}" fill="none" stroke="{ORANGE}" stroke-width="2" '
        f'stroke-dasharray="6 3"/>'
        f'<line x1="{tx}" y1="{TOP}" x2="{tx}" y2="{BOTTOM}" stroke="currentColor" '
        f'stroke-width="1.5"/>'
        f'<text x="{_n(float(tx) + 4)}" y="{_n(_y(0.55))}">deployed {threshold:g}</text>'
        + _legend([(BLUE, "", "recall"), (ORANGE, "6 3", "precision")])
    )
    return _frame(ident, "Threshold sweep", desc, "Threshold", "Recall / precision", body)


def figure(svgs: Sequence[tuple[str, str]]) -> str:
    """Plots side by side (one column on a phone), each in a ``<figure>`` with its caption.

    One line of HTML, so Markdown engines pass it through untouched.
    """
    items = "".join(
        f'<figure class="handover-plot" style="margin:0">{svg}'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for caption, svg in svgs
    )
    return (
        '<div class="handover-plots" style="display:grid;gap:1rem;'
        f'grid-template-columns:repeat(auto-fit,minmax(min(100%,19rem),1fr))">{items}</div>'
    )
