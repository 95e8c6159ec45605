"""The example model writes the predictions the inventory records, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ART = REPO / "model" / "artifacts"


def _run(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_model_evaluate_rewrites_the_recorded_held_out_predictions(tmp_path: Path) -> None:
    out = tmp_path / "predictions.csv"
    _run("model.evaluate", "--out", str(out))
    assert out.read_bytes() == (ART / "predictions.csv").read_bytes()
    assert out.read_text().splitlines()[0] == "label,score"


def test_the_seed_sweep_rewrites_its_recorded_predictions(tmp_path: Path) -> None:
    _run("model.seed_sweep", "--seeds", "5", "--out", str(tmp_path))
    for name in ("predictions.csv", "metrics.json", "per_seed.json"):
        assert (tmp_path / name).read_bytes() == (ART / "seed_sweep" / name).read_bytes(), name
    lines = (tmp_path / "predictions.csv").read_text().splitlines()
    assert lines[0] == "seed,label,score" and len(lines) == 1 + 5 * 143
