"""Benchmark: recomputing the model card's metrics from predictions, and plotting them.

Run once by hand (not a test):  .venv/bin/python bench/bench_evaluation.py [--rows 100000]

Times (best of three, wall and CPU):
  - the seeded bootstrap (``resample_metrics``) of every metric on ``--rows`` synthetic
    predictions (30 % positive, scores with ties) with ``--resamples`` resamples;
  - recomputing the example's two prediction sets (143 and 715 rows, 1,000 resamples each,
    per seed and the mean over seeds) and drawing their ten SVG plots;
  - a whole ``mkdocs build --strict`` of the example (once), to put the former in proportion.
Prints the 1-minute load average beside each, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from handover_docs import manifest
from handover_docs.evaluation.bootstrap import resample_metrics
from handover_docs.evaluation.recompute import evaluate

REPO = Path(__file__).resolve().parents[1]
REPEAT = 3


def best(run: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of REPEAT runs."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1_000)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, numpy {np.__version__}, load {load()}")

    rng = np.random.default_rng(0)
    y = rng.random(args.rows) < 0.3
    scores = np.round(np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1), 4)
    wall, cpu = best(lambda: resample_metrics(y, scores, 0.5, args.resamples, 0))
    print(
        f"bootstrap {args.rows:,} predictions x {args.resamples:,} resamples, 8 metrics: "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU (load {load()})"
    )

    loaded = manifest.load(REPO)

    def example() -> None:
        result = evaluate(loaded)
        for s in result.sets.values():
            s.plots()

    wall, cpu = best(example)
    print(f"example: recompute 2 sets + 10 plots: {wall:.3f} s wall, {cpu:.3f} s CPU")
    with tempfile.TemporaryDirectory() as site:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", site],
            cwd=REPO,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            check=True,
        )
        build = time.perf_counter() - started
    print(
        f"example: mkdocs build --strict {build:.2f} s; recompute + plots = "
        f"{100 * wall / build:.1f} % of it (load {load()})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
