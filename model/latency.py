"""Single-row prediction latency of `model.serve.predict`, in milliseconds.

Measures what one request costs inside the serving process: dict-to-matrix
conversion, range checks, scaler and logistic regression on one row. Network and
HTTP overhead are not included. Rows are taken from the exported data set in turn.

Usage:

```sh
python -m model.latency --model model/artifacts/model.pkl --out DIR [--budget-p95-ms 5]
```

Writes `OUT/metrics.json` with `latency_p50_ms`, `latency_p95_ms`, `latency_p99_ms`,
`latency_mean_ms`, `calls` and `throughput_rps_single_thread` (1000 / mean). With
`--budget-p95-ms`, exits 1 when the measured p95 is over the budget.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from model import serve
from model.data import DEFAULT_CSV, load_csv, write_atomic
from model.train import metrics_bytes


def measure(model_path: Path, calls: int = 300, warmup: int = 30) -> dict[str, float]:
    """Time `calls` single-row predictions after `warmup` untimed ones."""
    bundle = serve.load(model_path)
    data = load_csv(DEFAULT_CSV)
    rows = [dict(zip(data.feature_names, map(float, x), strict=True)) for x in data.X]
    for i in range(warmup):
        serve.predict([rows[i % len(rows)]], bundle)
    timings = np.empty(calls, dtype=np.float64)
    for i in range(calls):
        row = rows[i % len(rows)]
        start = time.perf_counter_ns()
        serve.predict([row], bundle)
        timings[i] = (time.perf_counter_ns() - start) / 1e6
    mean = float(timings.mean())
    return {
        "calls": calls,
        "latency_mean_ms": round(mean, 4),
        "latency_p50_ms": round(float(np.percentile(timings, 50)), 4),
        "latency_p95_ms": round(float(np.percentile(timings, 95)), 4),
        "latency_p99_ms": round(float(np.percentile(timings, 99)), 4),
        "throughput_rps_single_thread": round(1000.0 / mean, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit 1 when over the p95 budget."""
    parser = argparse.ArgumentParser(
        prog="python -m model.latency", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", type=Path, default=serve.DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--budget-p95-ms", type=float, default=None)
    args = parser.parse_args(argv)
    metrics = measure(args.model, args.calls)
    write_atomic(args.out / "metrics.json", metrics_bytes(metrics))
    for name, value in metrics.items():
        print(f"{name}: {value}")
    if args.budget_p95_ms is not None and metrics["latency_p95_ms"] > args.budget_p95_ms:
        print(
            f"FAIL: p95 {metrics['latency_p95_ms']} ms is over the budget of "
            f"{args.budget_p95_ms} ms",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
