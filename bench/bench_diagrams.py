"""Benchmark: rendering the example's diagrams with Graphviz versus a cache hit.

Run: .venv/bin/python bench/bench_diagrams.py [PROJECT] [--repeat N]
Prints the median wall time of a full render (every diagram through Graphviz, SVG and
SVG+PNG) and of a cache hit (no Graphviz call), plus the SVG sizes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from handover_docs import manifest
from handover_docs.diagrams import render_diagrams


def link_for(ident: str) -> str:
    return f"../entries/#{ident}"


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project", nargs="?", default=str(Path(__file__).parents[1]))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    loaded = manifest.load(args.project)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        diagrams = render_diagrams(loaded, cache_dir=cache, link_for=link_for)
        render_diagrams(loaded, cache_dir=cache, link_for=link_for)  # warm imports
        cold = timed(
            lambda: render_diagrams(loaded, cache_dir=None, link_for=link_for), args.repeat
        )
        cold_png = timed(
            lambda: render_diagrams(loaded, cache_dir=None, link_for=link_for, png=True),
            args.repeat,
        )
        hit = timed(
            lambda: render_diagrams(loaded, cache_dir=cache, link_for=link_for), args.repeat
        )
    print(f"project: {loaded.project.root}  diagrams: {', '.join(diagrams)}")
    for diagram in diagrams.values():
        print(f"  {diagram.filename}: {len(diagram.svg) / 1024:.1f} KiB")
    for name, runs in (("render (svg)", cold), ("render (svg+png)", cold_png), ("cache hit", hit)):
        print(f"{name:>18}: median {statistics.median(runs) * 1000:8.1f} ms  (n={len(runs)})")
    print(f"{'speed-up':>18}: {statistics.median(cold) / statistics.median(hit):8.1f}x")


if __name__ == "__main__":
    main()
