"""Release to release in a portfolio site: one signed manifest file per model, each model's
Changes page compared with that model's file in the previous release, and ``handover diff``
of two portfolio sites pairing the models' files by path.

Two real signed MkDocs builds of a generated two-model portfolio; release 2 (one artifact of
model-001 changed) is built against release 1's site folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.signing.signing_helpers import Key, make_key

MODELS = ("model-000", "model-001")


@dataclass(frozen=True)
class Portfolio:
    root: Path
    key: Key
    first: Path
    second: Path


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HANDOVER_")}
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**base, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1764115200", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    tmp = tmp_path_factory.mktemp("portfolio-releases")
    root = tmp / "pf"
    _run(
        [str(REPO / "bench" / "gen_portfolio.py"), str(root), "--layout", "portfolio",
         "--models", "2", "--artifacts", "2", "--terms", "2", "--checklist", "2",
         "--narratives", "1"],
        REPO,
        {},
    )  # fmt: skip
    key = make_key(tmp / "keys")
    signing = {"HANDOVER_SIGNING_KEY": str(key.private)}
    build = ["-m", "mkdocs", "build", "-q", "-f", "mkdocs.portfolio.yml", "-d"]
    first, second = tmp / "site-1", tmp / "site-2"
    _run([*build, str(first)], root, signing)
    artifacts = root / "handovers" / "model-001" / "handover" / "artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    artifacts.write_text(text.replace("version: '1.0'", "version: '2.0'", 1), encoding="utf-8")
    _run([*build, str(second)], root, {**signing, "HANDOVER_PREVIOUS_RELEASE": str(first)})
    return Portfolio(root, key, first, second)


def _changes(site: Path, model: str) -> str:
    return (site / "models" / model / "handover" / "changes" / "index.html").read_text()


def test_each_model_carries_its_own_signed_manifest_file(portfolio: Portfolio) -> None:
    for model in MODELS:
        path = portfolio.first / "models" / model / "handover" / "handover-manifest.json"
        assert json.loads(path.read_bytes())["model"]["id"] == model
    verified = run_cli(["verify", str(portfolio.second), "--key", str(portfolio.key.public)])
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_each_models_changes_page_compares_with_its_own_previous_manifest(
    portfolio: Portfolio,
) -> None:
    changed = _changes(portfolio.second, "model-001")
    assert "verified" in changed and "art-0" in changed and "2.0" in changed
    same = _changes(portfolio.second, "model-000")
    assert "No semantic changes." in same and "art-0" not in same.split("Manifest commits")[0]


def test_cli_diff_of_two_portfolio_sites_pairs_the_models(portfolio: Portfolio) -> None:
    shown = run_cli(["diff", str(portfolio.first), str(portfolio.second), "--json"])
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    labels = sorted(h["new_label"] for h in data["handovers"])
    assert labels == [
        f"{portfolio.second} (models/{m}/handover/handover-manifest.json)" for m in MODELS
    ]
    changed = [h for h in data["handovers"] if h["entries"]]
    assert len(changed) == 1 and "model-001" in changed[0]["new_label"]
    [entry] = changed[0]["entries"]
    assert (entry["key"], entry["fields"][0]["new"]) == ("art-0", "2.0")
    assert not data["notes"]
