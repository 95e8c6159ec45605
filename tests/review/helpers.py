"""Helpers for the review tests: a complete, small handover and ways to run the CLI and git.

``write_handover`` writes a handover that scores 100 when audited on ``TODAY`` with
``EVIDENCE``; each test changes one thing and looks for the one finding that change must cause.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

from tests.conftest import run_cli

TODAY = dt.date(2026, 11, 20)
EVIDENCE = {"weights-verified": "pass"}
WEIGHTS = b"pretend these are model weights\n" * 64
WEIGHTS_SHA = hashlib.sha256(WEIGHTS).hexdigest()
TRAIN_CSV = b"x,y\n1,0\n2,1\n"
TRAIN_SHA = hashlib.sha256(TRAIN_CSV).hexdigest()

SUMMARY = """# Executive summary

The churn model scores each customer account once a day and flags the accounts most
likely to cancel within the next month, so that the retention team can call them first.
It replaces a hand-written rule set that the support team maintained for several years.
We chose a plain logistic regression because operators can read its coefficients, it
trains in seconds on a laptop, and its calibrated probabilities let the retention team
pick a call budget instead of a fixed cut-off. The decision threshold is explained on the
rationale page, and the known weak spots are listed with the failure modes below.
"""

RATIONALE = """# Why the threshold is 0.3

The retention team can call about two hundred accounts a day. At a threshold of 0.3 the
model flags roughly that many accounts on a typical day while keeping recall above the
level the business case needs. A higher threshold would miss too many accounts that do
cancel; a lower one would flood the call list with accounts that were never at risk.
We measured this on three months of held-out history and checked that the flagged share
stays stable across regions and account sizes, which is why the threshold is fixed here.
"""


def base_manifests() -> dict[str, dict[str, Any]]:
    """The manifest files (name -> data) of a handover that passes every audit test."""
    reviewed = "2026-11-01"
    return {
        "model.yaml": {
            "handover": 1,
            "model": {
                "id": "churn",
                "name": "Churn model",
                "version": "1.0.0",
                "summary": "Flags customer accounts likely to cancel within a month.",
                "task": "binary classification",
                "status": "in-review",
                "owners": ["alice"],
                "license": "Apache-2.0",
                "last_reviewed": reviewed,
                "card": {
                    "details": "Logistic regression trained by the research team in 2026.",
                    "intended_use": {
                        "primary_uses": ["Rank accounts for retention calls."],
                        "primary_users": ["The retention team."],
                        "out_of_scope": ["Pricing decisions about individual customers."],
                    },
                    "metrics": ["Area under the curve, because the call budget varies."],
                    "evaluation_data": "Three months of held-out account history.",
                    "training_data": "Twelve months of account history before that.",
                    "quantitative_analyses": [
                        {"metric": "AUC", "value": 0.91, "dataset": "accounts"}
                    ],
                    "ethical_considerations": "Calls must never pressure vulnerable people.",
                    "caveats_and_recommendations": "Retrain when the product line changes.",
                },
            },
            "people": [
                {"id": "alice", "name": "Alice Research", "side": "research",
                 "email": "alice@example.org"},
                {"id": "bob", "name": "Bob Operations", "side": "operations"},
                {"id": "carol", "name": "Carol Governance", "side": "governance"},
            ],
        },
        "artifacts.yaml": {
            "handover": 1,
            "artifacts": [
                {"id": "weights", "name": "Model weights", "kind": "weights",
                 "path": "model/weights.bin", "sha256": WEIGHTS_SHA, "size": len(WEIGHTS),
                 "version": "1.0.0", "owner": "alice", "sensitivity": "internal",
                 "produced_by": "train", "derived_from": ["accounts"],
                 "last_reviewed": reviewed},
                {"id": "train-data", "name": "Training table", "kind": "dataset",
                 "path": "model/train.csv", "sha256": TRAIN_SHA, "version": "2026-10",
                 "owner": "bob", "sensitivity": "confidential",
                 "uri": "https://data.example.org/churn/train.csv",
                 "last_reviewed": reviewed},
            ],
            "datasets": [
                {"id": "accounts", "name": "Account history", "version": "2026-10",
                 "artifact": "train-data", "owner": "bob", "sensitivity": "confidential",
                 "license": "internal", "last_reviewed": reviewed,
                 "datasheet": {k: f"The {k} of the account table." for k in (
                     "motivation", "composition", "collection", "preprocessing", "uses",
                     "distribution", "maintenance")}},
            ],
        },
        "experiments.yaml": {
            "handover": 1,
            "experiments": [
                {"id": "train", "name": "Training run", "config": "model/config.yaml",
                 "command": "python -m model.train", "environment": "py311",
                 "datasets": ["accounts"], "produces": ["weights"],
                 "seeds": {"seed": 7}, "metrics": {"AUC": 0.91},
                 "expected_outputs": [{"path": "model/weights.bin", "sha256": WEIGHTS_SHA}],
                 "last_reviewed": reviewed},
            ],
            "environments": [
                {"id": "py311", "name": "Training environment", "python": "3.11",
                 "packages": {"scikit-learn": "1.5.2"}, "last_reviewed": reviewed},
            ],
        },
        "decisions.yaml": {
            "handover": 1,
            "decisions": [
                {"id": "threshold", "title": "Decision threshold", "kind": "threshold",
                 "decision": "Flag accounts whose score is at least 0.3.",
                 "rationale": "It matches the daily call budget while keeping recall high.",
                 "value": 0.3, "narrative": "rationale.md", "last_reviewed": reviewed},
            ],
        },
        "governance.yaml": {
            "handover": 1,
            "governance": {
                "approval_workflow": "Carol approves each release after the review meeting.",
                "approvals": [{"id": "release-1", "what": "Release 1.0.0", "approver": "carol",
                               "status": "approved", "date": "2026-11-02"}],
                "signoffs": [{"role": "release", "person": "carol", "status": "signed"}],
                "reviewers": ["carol"],
                "production_support": [{"person": "bob", "role": "on-call"}],
                "risks": [{"id": "risk-bias", "description": "Regions may be under-served.",
                           "likelihood": "low", "impact": "medium",
                           "mitigation": "Monthly per-region recall review."}],
                "privacy": "Only account-level aggregates leave the warehouse.",
                "security": "Weights live in the internal model store.",
                "impact_assessment": "Low impact: a call, never an automated decision.",
            },
            "monitoring": {
                "drift": [{"id": "auc-drift", "metric": "AUC", "baseline": 0.91,
                           "warn": 0.02, "fail": 0.05, "direction": "lower-is-worse"}],
            },
        },
        "knowledge.yaml": {
            "handover": 1,
            "milestones": [{"id": "m1", "title": "Inventory complete", "owner": "alice"}],
            "checklist": [
                {"id": "weights-verified", "title": "Weights match the inventory",
                 "milestone": "m1", "owner": "bob",
                 "acceptance": "The weights file hashes to the recorded digest.",
                 "check": {"kind": "artifact", "artifact": "weights"},
                 "last_reviewed": reviewed},
            ],
            "glossary": [
                {"term": "Area under the curve", "aliases": ["AUC"],
                 "definition": "How well the scores rank cancelling accounts first."},
                {"term": "Threshold", "definition": "The score at which an account is flagged."},
            ],
            "faq": [{"question": "Who do I call?", "answer": "Bob, who is on call."}],
            "sessions": [{"id": "s1", "title": "Walkthrough", "date": "2026-11-03",
                          "attendees": ["alice", "bob"]}],
            "narratives": [
                {"id": "summary", "role": "summary", "page": "summary.md",
                 "title": "Executive summary", "owner": "alice", "last_reviewed": reviewed},
            ],
        },
    }  # fmt: skip


def write_handover(root: Path, manifests: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write a handover project (manifests, docs, model files) into ``root``."""
    manifests = base_manifests() if manifests is None else manifests
    (root / "handover").mkdir(parents=True, exist_ok=True)
    for old in (root / "handover").glob("*.yaml"):
        old.unlink()
    for name, data in manifests.items():
        (root / "handover" / name).write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "summary.md").write_text(SUMMARY, "utf-8")
    (root / "docs" / "rationale.md").write_text(RATIONALE, "utf-8")
    (root / "model").mkdir(exist_ok=True)
    (root / "model" / "weights.bin").write_bytes(WEIGHTS)
    (root / "model" / "train.csv").write_bytes(TRAIN_CSV)
    (root / "model" / "config.yaml").write_text("C: 1.0\nmax_iter: 200\n", "utf-8")
    return root


Mutator = Callable[[dict[str, dict[str, Any]]], None]


def cli(
    args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m handover_docs`` in a real subprocess."""
    return run_cli(args, cwd=cwd, env=env, timeout=300)


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


def git(repo: Path, *args: str, author: tuple[str, str] = ("Alice Research", "alice@example.org"),
        date: str = "2026-11-01T10:00:00+00:00") -> str:  # fmt: skip
    """Run git in ``repo`` as ``author`` at ``date``; return stdout."""
    env = {
        **os.environ,
        **GIT_ENV,
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    result = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def git_init(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "commit.gpgsign", "false")


SCHEMA_BASE = "http://cyclonedx.org/schema/"


def cyclonedx_validator() -> jsonschema.Draft7Validator:
    """The official CycloneDX 1.6 JSON Schema (bundled by cyclonedx-python-lib), offline."""
    folder = resources.files("cyclonedx.schema._res")
    schemas = {
        name: json.loads(folder.joinpath(name).read_text("utf-8"))
        for name in (
            "bom-1.6.SNAPSHOT.schema.json",
            "spdx.SNAPSHOT.schema.json",
            "jsf-0.82.SNAPSHOT.schema.json",
        )
    }
    registry: Registry[Any] = Registry().with_resources(
        (SCHEMA_BASE + name, Resource.from_contents(content)) for name, content in schemas.items()
    )
    main = schemas["bom-1.6.SNAPSHOT.schema.json"]
    assert main["$id"] == SCHEMA_BASE + "bom-1.6.schema.json"
    return jsonschema.Draft7Validator(
        main, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
