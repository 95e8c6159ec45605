"""Benchmark: `handover validate` cost versus plain YAML parsing of the same files.

Run: .venv/bin/python bench/bench_validate.py [--artifacts 1000] [--repeat 5]

Side by side in one run, medians of --repeat runs:
- baseline: yaml.load with the same (libyaml) safe loader: parsing only, no locations, no checks;
- handover: manifest.load (parse with source map, merge, pydantic validation, references).
Also times the example handover at the repo root.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from handover_docs import manifest
from handover_docs.errors import HandoverError

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REPO = Path(__file__).resolve().parent.parent
BASE = (REPO / "tests" / "fixtures" / "bad" / "_base" / "model.yaml").read_text()


def synthetic(folder: Path, artifacts: int, per_file: int = 250) -> Path:
    """A handover with N artifacts split over files of `per_file` entries each."""
    (folder / "handover").mkdir(parents=True)
    (folder / "handover" / "model.yaml").write_text(BASE)
    for start in range(0, artifacts, per_file):
        lines = ["handover: 1", "artifacts:"]
        for i in range(start, min(start + per_file, artifacts)):
            lines += [
                f"  - id: artifact-{i}",
                f"    name: Artifact number {i}",
                "    kind: weights",
                f"    uri: https://store.example.org/models/{i}.bin",
                f"    sha256: '{i:064x}'",
                f"    size: {1000 + i}",
                f"    version: '1.{i}'",
                "    owner: alice",
                "    sensitivity: internal",
                f"    derived_from: [artifact-{max(i - 1, 0)}]" if i else "    derived_from: []",
            ]
        (folder / "handover" / f"artifacts-{start:05d}.yaml").write_text("\n".join(lines) + "\n")
    return folder


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifacts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "example": REPO,
            f"{args.artifacts} artifacts": synthetic(Path(tmp), args.artifacts),
        }
        print(f"{'handover':<16} {'parse (s)':>14} {'validate (s)':>13} {'ratio':>6}")
        for name, root in cases.items():
            try:
                manifest.load(root)
            except HandoverError as exc:
                print(f"{name:<16} skipped: {len(exc.findings)} validation error(s)")
                continue
            files = sorted((root / "handover").glob("*.yaml"))
            base = median_seconds(
                lambda files=files: [yaml.load(f.read_text(), Loader=LOADER) for f in files],
                args.repeat,
            )
            full = median_seconds(lambda root=root: manifest.load(root), args.repeat)
            print(f"{name:<16} {base:>14.3f} {full:>13.3f} {full / base:>6.2f}")


if __name__ == "__main__":
    main()
