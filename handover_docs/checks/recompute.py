"""``kind: recompute-metrics``: the model card's metrics, recomputed from its predictions.

Every quantitative analysis that names a ``card.predictions`` set is recomputed from that
file (after checking the file against its inventory sha256) and compared with the value
typed into the manifest. A difference beyond the set's ``abs_tol`` fails the check, naming
the metric, both values and the ``file:line:col`` of the reported value.
"""

from __future__ import annotations

from handover_docs.checks.metrics import within
from handover_docs.checks.result import CheckContext, CheckResult, Comparison
from handover_docs.evaluation.recompute import evaluate
from handover_docs.schema import RecomputeMetricsCheck, Tolerance


def run(context: CheckContext, spec: RecomputeMetricsCheck) -> CheckResult:
    card = context.loaded.handover.model.card
    known = {s.name: s for s in card.predictions}
    unknown = [name for name in spec.predictions if name not in known]
    if unknown:
        return CheckResult(
            "fail",
            f"no predictions set {', '.join(repr(n) for n in unknown)} in model.card.predictions"
            f" (known: {', '.join(sorted(known)) or 'none'})",
        )
    result = evaluate(context.loaded, spec.predictions or None)
    for name, problem in result.errors.items():
        context.log(f"predictions '{name}': {problem}")
    for name, recomputed in result.sets.items():
        s = recomputed.spec
        context.log(
            f"predictions '{name}': {recomputed.path}, {recomputed.rows} rows "
            f"({recomputed.positives} positive), threshold {s.threshold:g}, "
            f"{s.resamples} bootstrap resamples (seed {s.seed})"
        )
    if not result.reported:
        return CheckResult(
            "fail",
            "no quantitative analysis names a predictions set: nothing to recompute",
        )
    comparisons: list[Comparison] = []
    for rep in result.reported:
        qa = rep.analysis
        name = qa.metric if qa.group is None else f"{qa.metric} [{qa.group}]"
        if rep.estimate is None:
            comparisons.append(Comparison(name, None, qa.value, False, None, rep.problem))
            context.log(f"FAIL {name}: {rep.problem}")
            continue
        assert qa.predictions is not None
        tol = known[qa.predictions].abs_tol
        measured = rep.estimate.value
        ok = within(measured, Tolerance(value=qa.value, abs_tol=tol))
        note = ""
        if not ok:
            note = (
                f"{rep.location}: {name} reported {qa.value:g}, recomputed {measured:.6f} from "
                f"predictions '{qa.predictions}' (difference {measured - qa.value:+.6f}, "
                f"tolerance {tol:g})"
            )
        ci = rep.estimate.ci_text(6)
        context.log(
            f"{'ok  ' if ok else 'FAIL'} {name}: reported {qa.value:g}, recomputed "
            f"{measured:.6f}{f' (95 % CI {ci})' if ci else ''} at {rep.location}"
        )
        comparisons.append(Comparison(name, round(measured, 9), qa.value, ok, tol, note))
    return CheckResult.from_comparisons(
        comparisons,
        passed=f"{len(comparisons)} reported metric(s) match their recomputation from "
        f"{len(result.sets)} predictions file(s)",
    )
