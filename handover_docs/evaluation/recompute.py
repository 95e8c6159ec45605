"""Recompute the model card's quantitative analyses from its prediction files.

For each ``card.predictions`` set: read the file named by its artifact (checking the
artifact's sha256 first, so the numbers come from the signed predictions), compute every
metric with a bootstrap confidence interval, overall, per slice and as the mean over
slices; then pair each quantitative analysis that names the set with its recomputed value.
Pages, exports and the ``recompute-metrics`` check all read this one result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from handover_docs import schema
from handover_docs.errors import Location
from handover_docs.evaluation import plots
from handover_docs.evaluation.bootstrap import interval, resample_metrics
from handover_docs.evaluation.metrics import METRICS, Curves, FloatArray, curves, point
from handover_docs.evaluation.predictions import Predictions, PredictionsError, read_predictions
from handover_docs.manifest import LoadedHandover


@dataclass(frozen=True)
class Estimate:
    """A recomputed value and its bootstrap interval (None without resamples)."""

    value: float
    ci: tuple[float, float] | None

    def ci_text(self, digits: int = 4) -> str:
        if self.ci is None:
            return ""
        return f"[{self.ci[0]:.{digits}f}, {self.ci[1]:.{digits}f}]"

    def ci_short(self, digits: int = 2) -> str:
        """The interval without spaces ('0.90–1.00'), for narrow table cells."""
        if self.ci is None:
            return ""
        return f"{self.ci[0]:.{digits}f}–{self.ci[1]:.{digits}f}"

    def shown(self, level: float = 0.95) -> str:
        """The value and its interval as pages show them: '0.9623 (95 % CI 0.900-1.000)'."""
        value = "n/a" if np.isnan(self.value) else f"{self.value:.4f}"
        if self.ci is None:
            return value
        return f"{value} ({level * 100:g} % CI {self.ci[0]:.3f}–{self.ci[1]:.3f})"


@dataclass
class SetResult:
    """Everything recomputed from one predictions file."""

    spec: schema.Predictions
    path: str
    rows: int
    positives: int
    overall: dict[str, Estimate]
    slices: dict[str, dict[str, Estimate]]
    means: dict[str, Estimate]
    curves: Curves
    checked: bool = False
    """The file matched its inventory sha256 (False: the inventory records none)."""

    def lookup(self, metric: str, group: str | None = None) -> Estimate | None:
        """The estimate a quantitative analysis names; None for an unknown metric or slice."""
        if group is not None:
            return self.slices.get(group, {}).get(metric)
        if metric.endswith("_mean") and self.slices:
            return self.means.get(metric[: -len("_mean")])
        return self.overall.get(metric)

    def table(self) -> list[tuple[str, Estimate]]:
        """(metric, estimate) overall, in the order of :data:`METRICS`."""
        return [(m, self.overall[m]) for m in METRICS]

    def ci_label(self) -> str:
        return f"{self.spec.level * 100:g} % CI"

    def sweep(self) -> str:
        """The threshold sweep alone (the deployment page: what moving the threshold trades)."""
        ident = f"deploy-{self.spec.name}-sweep"
        t = self.spec.threshold
        return plots.figure(
            [(f"Threshold sweep ({self.path})", plots.threshold_sweep(ident, self.curves, t))]
        )

    def plots(self) -> str:
        """The five plots of this set as one block of HTML."""
        ident = f"plot-{self.spec.name}"
        t = self.spec.threshold
        o = self.overall
        return plots.figure(
            [
                ("ROC curve", plots.roc(f"{ident}-roc", self.curves, o["roc_auc"].value, t)),
                (
                    "Precision-recall curve",
                    plots.precision_recall(f"{ident}-pr", self.curves, o["pr_auc"].value, t),
                ),
                ("Calibration", plots.calibration(f"{ident}-cal", self.curves, o["brier"].value)),
                (
                    f"Confusion matrix at threshold {t:g}",
                    plots.confusion_matrix(f"{ident}-cm", self.curves, t),
                ),
                ("Threshold sweep", plots.threshold_sweep(f"{ident}-sweep", self.curves, t)),
            ]
        )


@dataclass(frozen=True)
class Reported:
    """One quantitative analysis that names a predictions set, with its recomputed value."""

    index: int
    analysis: schema.QuantitativeAnalysis
    location: Location
    estimate: Estimate | None
    problem: str = ""
    """Why there is no estimate (unknown set, unreadable file, unknown metric)."""
    level: float = 0.95

    def shown(self) -> str:
        """The recomputed value with its interval, or why there is none."""
        if self.estimate is None:
            return f"not recomputed: {self.problem}"
        return self.estimate.shown(self.level)


@dataclass
class Evaluation:
    """The recomputation of a whole model card."""

    sets: dict[str, SetResult] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """Set name -> why it could not be recomputed."""
    reported: list[Reported] = field(default_factory=list)

    def for_analysis(self, index: int) -> Reported | None:
        return next((r for r in self.reported if r.index == index), None)


def _estimates(
    p: Predictions, threshold: float, resamples: int, seed: list[int], level: float
) -> tuple[dict[str, Estimate], dict[str, FloatArray]]:
    values = point(p.labels, p.scores, threshold)
    drawn = resample_metrics(p.labels, p.scores, threshold, resamples, np.random.SeedSequence(seed))
    return (
        {m: Estimate(values[m], interval(drawn[m], level) if resamples else None) for m in METRICS},
        drawn,
    )


def recompute_set(root: Path, spec: schema.Predictions, artifact: schema.Artifact) -> SetResult:
    """Recompute one set; raises PredictionsError when its file is missing, altered or bad."""
    if artifact.path is None:
        raise PredictionsError(f"artifact '{artifact.id}' has no path to read predictions from")
    path = root / artifact.path
    if artifact.sha256 is not None:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None
        if digest is not None and digest != artifact.sha256:
            raise PredictionsError(
                f"{artifact.path}: sha256 {digest} differs from the inventory's "
                f"{artifact.sha256} (artifact '{artifact.id}'): not the recorded predictions"
            )
    p = read_predictions(
        path,
        artifact.path,
        label=spec.label,
        score=spec.score,
        slice_column=spec.slice,
        positive=spec.positive,
    )
    overall, _ = _estimates(p, spec.threshold, spec.resamples, [spec.seed, 0], spec.level)
    slices: dict[str, dict[str, Estimate]] = {}
    drawn_per_slice: list[dict[str, FloatArray]] = []
    for k, value in enumerate(p.slice_values(), start=1):
        slices[value], drawn = _estimates(
            p.only(value), spec.threshold, spec.resamples, [spec.seed, k], spec.level
        )
        drawn_per_slice.append(drawn)
    means: dict[str, Estimate] = {}
    if slices:
        for m in METRICS:
            mean = float(np.mean([s[m].value for s in slices.values()]))
            ci = None
            if spec.resamples:
                ci = interval(np.mean([d[m] for d in drawn_per_slice], axis=0), spec.level)
            means[m] = Estimate(mean, ci)
    return SetResult(
        spec,
        artifact.path,
        len(p),
        int(p.labels.sum()),
        overall,
        slices,
        means,
        curves(p.labels, p.scores, spec.threshold),
        checked=artifact.sha256 is not None,
    )


def evaluate(loaded: LoadedHandover, only: list[str] | None = None) -> Evaluation:
    """Recompute every predictions set (or ``only`` these) and pair the reported values."""
    h = loaded.handover
    card = h.model.card
    artifacts = {a.id: a for a in h.artifacts}
    result = Evaluation()
    for spec in card.predictions:
        if only and spec.name not in only:
            continue
        try:
            result.sets[spec.name] = recompute_set(
                loaded.project.root, spec, artifacts[spec.artifact]
            )
        except PredictionsError as exc:
            result.errors[spec.name] = str(exc)
    known = {s.name for s in card.predictions}
    for index, qa in enumerate(card.quantitative_analyses):
        if qa.predictions is None or (only and qa.predictions not in only):
            continue
        where = loaded.locate(("model", "card", "quantitative_analyses", index, "value"))
        problem, estimate = "", None
        if qa.predictions not in known:
            problem = (
                f"no predictions set '{qa.predictions}' in model.card.predictions"
                f" (known: {', '.join(sorted(known)) or 'none'})"
            )
        elif qa.predictions in result.errors:
            problem = result.errors[qa.predictions]
        else:
            estimate = result.sets[qa.predictions].lookup(qa.metric, qa.group)
            if estimate is None:
                problem = (
                    f"cannot recompute '{qa.metric}'"
                    + (f" on slice '{qa.group}'" if qa.group is not None else "")
                    + f" from predictions '{qa.predictions}' (metrics: {', '.join(METRICS)},"
                    " or <metric>_mean over the slices)"
                )
        level = next((s.level for s in card.predictions if s.name == qa.predictions), 0.95)
        result.reported.append(Reported(index, qa, where, estimate, problem, level))
    return result


def lazily(loaded: LoadedHandover) -> Callable[[], Evaluation]:
    """``evaluate(loaded)`` on first call only: pages that never ask pay nothing."""
    done: list[Evaluation] = []

    def get() -> Evaluation:
        if not done:
            done.append(evaluate(loaded))
        return done[0]

    return get


def recomputed_values(loaded: LoadedHandover) -> dict[int, Reported]:
    """Quantitative analysis index -> its recomputation, for those recomputed (exports:
    they carry the recomputed value and interval; an unreadable file leaves the typed one)."""
    if not loaded.handover.model.card.predictions:
        return {}
    return {r.index: r for r in evaluate(loaded).reported if r.estimate is not None}
