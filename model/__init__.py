"""Breast-cancer screening-support demo model: the example handover's real model.

A small, fully reproducible scikit-learn model trained on the Wisconsin Diagnostic
Breast Cancer data set that ships with scikit-learn. It exists to show a complete
research-to-operations handover; it is **not** a medical device and must not be used
to make clinical decisions.

Modules:

- `model.data`: export the data set to CSV, load it, split it by seed.
- `model.pipeline`: the feature pipeline and classifier.
- `model.evaluate`: the metrics reported for every run.
- `model.train`: the training command (`python -m model.train`).
- `model.threshold`: out-of-fold analysis behind the decision threshold.
- `model.seed_sweep`: seed-independent results over several seeds.
- `model.latency`: single-row prediction latency.
- `model.serve`: the prediction function operators call.
"""

__version__ = "1.0.0"
"""Version of the example model (its code, config and recorded run)."""
