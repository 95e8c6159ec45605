"""Small handover projects for the diagram tests, written into temp folders."""

from __future__ import annotations

import textwrap
from pathlib import Path

MODEL = """\
handover: 1
model:
  id: churn
  name: Churn model
  version: "1.0.0"
  summary: Predicts churn.
  card:
    details: Gradient boosting.
    intended_use:
      primary_uses: [Rank customers by churn risk.]
    metrics: [ROC AUC]
    evaluation_data: Held-out month.
    training_data: Twelve months of events.
    ethical_considerations: None known.
    caveats_and_recommendations: Retrain monthly.
"""

DATA = """\
handover: 1
datasets:
  - id: raw-events
    name: Raw events
    version: "2026-10"
    source: event warehouse
    datasheet: &sheet
      motivation: m
      composition: c
      collection: c
      preprocessing: p
      uses: u
      distribution: d
      maintenance: m
  - id: features
    name: Feature table
    derived_from: [raw-events]
    artifact: feature-file
    datasheet: *sheet
artifacts:
  - id: feature-pipeline
    name: Feature pipeline
    kind: feature-pipeline
    derived_from: [raw-events]
  - id: feature-file
    name: Feature parquet
    kind: dataset
    produced_by: train-run
  - id: weights
    name: Model weights
    kind: weights
    produced_by: train-run
  - id: lonely-notes
    name: Notes without provenance
    kind: report
experiments:
  - id: train-run
    name: Training run
    datasets: [features]
    produces: [weights]
deployment:
  targets:
    - id: prod-api
      name: Production API
      artifact: weights
"""

ARCHITECTURE = """\
handover: 1
architecture:
  groups:
    - id: offline
      label: Offline training
    - id: online
      label: Online serving
  components:
    - id: warehouse
      label: Event warehouse
      kind: database
      group: offline
      link: raw-events
    - id: trainer
      label: Trainer <b>&amp; "tuner"</b>
      kind: python
      group: offline
      link: train-run
    - id: store
      label: Model store
      kind: storage
      group: offline
      link: weights
    - id: api
      label: Scoring API
      kind: server
      group: online
    - id: caller
      label: CRM client
      kind: client
    - id: ops
      label: On-call
      kind: user
    - id: metrics
      label: Metrics
      kind: monitoring
      group: online
    - id: bus
      label: Event bus
      kind: queue
    - id: misc
      label: Misc
      kind: generic
  flows:
    - {from: warehouse, to: trainer, label: nightly extract}
    - {from: trainer, to: store, label: weights}
    - {from: store, to: api, label: load at start}
    - {from: caller, to: api, label: score request}
    - {from: api, to: metrics}
    - {from: metrics, to: ops, label: alerts}
    - {from: api, to: bus, label: scores}
    - {from: bus, to: misc}
  pathways:
    - id: scoring
      title: Scoring path
      steps: [Request arrives, Features looked up, Model scores, Score returned]
    - id: retrain
      title: Retraining path
      steps: [Extract, Clean, Build features, Train, Evaluate, Publish]
"""


def write_project(root: Path, architecture: str = ARCHITECTURE) -> Path:
    folder = root / "handover"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.yaml").write_text(MODEL, encoding="utf-8")
    (folder / "data.yaml").write_text(DATA, encoding="utf-8")
    (folder / "architecture.yaml").write_text(textwrap.dedent(architecture), encoding="utf-8")
    return root
