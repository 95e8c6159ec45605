"""The feature pipeline and classifier: standardisation, then logistic regression.

Logistic regression was chosen over more flexible models because the data set is
small (569 samples), the classes are close to linearly separable in these 30
features, and operators can read its coefficients. Standardising first puts the
features (areas in the thousands, fractal dimensions near 0.06) on one scale, which
the L2 penalty needs to treat them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


@dataclass(frozen=True)
class TrainConfig:
    """The training settings read from `model/config.yaml`."""

    seed: int
    """Seeds both the train/test split and the classifier."""
    test_size: float
    """Share of samples held out for evaluation (stratified)."""
    C: float
    """Inverse L2 regularisation strength of the logistic regression."""
    max_iter: int
    """Iteration limit of the solver."""
    solver: str
    """scikit-learn solver name; 'liblinear' here (see the deviations log)."""
    threshold: float
    """Decision threshold on P(malignant): at or above it a case is flagged."""
    cv_folds: int = 5
    """Folds of the out-of-fold threshold analysis (`model.threshold`)."""

    @classmethod
    def from_mapping(cls, data: dict[str, Any], seed: int | None = None) -> TrainConfig:
        """Build from the parsed YAML; `seed` overrides the file's seed when given."""
        return cls(
            seed=int(data["seed"] if seed is None else seed),
            test_size=float(data["test_size"]),
            C=float(data["C"]),
            max_iter=int(data["max_iter"]),
            solver=str(data["solver"]),
            threshold=float(data["threshold"]),
            cv_folds=int(data.get("cv_folds", 5)),
        )


def build_pipeline(config: TrainConfig) -> Pipeline:
    """A fresh, unfitted pipeline: `StandardScaler` then `LogisticRegression`."""
    return Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "classify",
                LogisticRegression(
                    C=config.C,
                    solver=config.solver,
                    max_iter=config.max_iter,
                    random_state=config.seed,
                ),
            ),
        ]
    )
