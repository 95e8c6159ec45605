"""``kind: metric-drift``: compare current metrics with the monitoring drift thresholds.

For each threshold: deviation = measured - baseline (divided by |baseline| when
``relative``). ``lower-is-worse`` counts only drops, ``higher-is-worse`` only rises,
``both`` either way. A deviation above ``warn`` passes with a warning note; above
``fail`` the check fails. Both bounds are inclusive: a deviation equal to ``fail`` warns.
"""

from __future__ import annotations

import math
from decimal import Decimal

from handover_docs.checks.metrics import MetricsError, decimal, read_metrics
from handover_docs.checks.result import CheckContext, CheckResult, Comparison
from handover_docs.schema import DriftThreshold, MetricDriftCheck


def worsening(measured: float, threshold: DriftThreshold) -> Decimal:
    """How far ``measured`` moved in the harmful direction, in the threshold's units.

    Computed in decimal on the numbers as written, so bounds are exact.
    """
    deviation = decimal(measured) - decimal(threshold.baseline)
    if threshold.relative:
        if threshold.baseline == 0:
            deviation = Decimal(0) if deviation == 0 else Decimal("Infinity").copy_sign(deviation)
        else:
            deviation /= abs(decimal(threshold.baseline))
    if threshold.direction == "lower-is-worse":
        return max(Decimal(0), -deviation)
    if threshold.direction == "higher-is-worse":
        return max(Decimal(0), deviation)
    return abs(deviation)


def classify(measured: float, threshold: DriftThreshold) -> tuple[str, float]:
    """('ok' | 'warn' | 'fail', deviation in the harmful direction); bounds are inclusive."""
    if not math.isfinite(measured):
        return "fail", math.nan if math.isnan(measured) else math.inf
    bad = worsening(measured, threshold)
    if bad > decimal(threshold.fail):
        return "fail", float(bad)
    if bad > decimal(threshold.warn):
        return "warn", float(bad)
    return "ok", float(bad)


def _fmt(value: float, relative: bool) -> str:
    return f"{value:.2%}" if relative else f"{value:g}"


def run(context: CheckContext, spec: MetricDriftCheck) -> CheckResult:
    drift = context.loaded.handover.monitoring.drift
    chosen = [t for t in drift if not spec.thresholds or t.id in spec.thresholds]
    if not chosen:
        return CheckResult("fail", "no drift thresholds in monitoring.drift to compare against")
    try:
        metrics = read_metrics(context.path(spec.metrics_file), spec.metrics_file)
    except MetricsError as exc:
        return CheckResult("fail", str(exc))
    comparisons: list[Comparison] = []
    notes: list[str] = []
    for threshold in chosen:
        measured = metrics.get(threshold.metric)
        band = threshold.fail * abs(threshold.baseline) if threshold.relative else threshold.fail
        if measured is None:
            comparisons.append(
                Comparison(
                    threshold.id,
                    None,
                    threshold.baseline,
                    False,
                    band,
                    f"{threshold.id}: metric '{threshold.metric}' is missing from "
                    f"{spec.metrics_file}",
                )
            )
            continue
        verdict, bad = classify(measured, threshold)
        moved = f"{threshold.metric} {measured:g} vs baseline {threshold.baseline:g}"
        shown = _fmt(bad, threshold.relative)
        if verdict == "fail":
            note = (
                f"{threshold.id}: {moved} drifted {shown} ({threshold.direction}), beyond the "
                f"fail bound {_fmt(threshold.fail, threshold.relative)}"
            )
        elif verdict == "warn":
            note = (
                f"{threshold.id}: {moved} drifted {shown}, beyond the warn bound "
                f"{_fmt(threshold.warn, threshold.relative)}"
            )
            notes.append(note)
        else:
            note = ""
        context.log(f"{verdict:4} {moved}: deviation {shown}")
        comparisons.append(
            Comparison(threshold.id, measured, threshold.baseline, verdict != "fail", band, note)
        )
    warned = f", {len(notes)} warning(s)" if notes else ""
    return CheckResult.from_comparisons(
        comparisons,
        passed=f"{len(comparisons)} metric(s) within their drift bounds{warned}",
        notes=notes,
    )
