"""Benchmark: sign and verify against `openssl dgst -sha256` and a `sha256sum` pipeline.

Run once by hand (not a test):  .venv/bin/python bench/bench_signing.py [--keep]

Data sets, generated under /tmp and deleted afterwards:
  (a) a site of 10,000 small files (100 folders, 1-32 KiB each, about 160 MiB);
  (b) a folder of four 256 MiB files;
  (c) one 1 GiB file.
Every tool reads from a warm page cache (each data set is read once first), and each
timing is the best of three runs. Goals on 2 cores: sign/verify >= 1.5x one `openssl dgst`
process on (b), >= 0.9x it on (c), >= 2x the `find | sort | xargs sha256sum` pipeline on (a).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from handover_docs.signing import keys
from handover_docs.signing.sign import SignOptions, sign_site
from handover_docs.signing.verify import Options, Trust, verify

MiB = 1 << 20
REPEAT = 3


def write_random(path: Path, size: int, rng: random.Random) -> None:
    block = rng.randbytes(4 * MiB)
    with path.open("wb") as handle:
        left = size
        while left > 0:
            n = min(left, len(block))
            handle.write(block[:n])
            left -= n
            block = block[1:] + block[:1]  # cheap variation between blocks


def make_small_site(root: Path, rng: random.Random) -> None:
    for d in range(100):
        folder = root / f"section-{d:03d}"
        folder.mkdir(parents=True)
        for f in range(100):
            (folder / f"page-{f:03d}.html").write_bytes(rng.randbytes(rng.randint(1024, 32 * 1024)))


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def shell(command: str, cwd: Path) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run(command, shell=True, cwd=cwd, check=True, stdout=subprocess.DEVNULL)

    return run


def total_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    args = parser.parse_args()
    for tool in ("openssl", "sha256sum", "find", "xargs"):
        if shutil.which(tool) is None:
            print(f"{tool} is required", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="handover-bench-", dir="/tmp"))
    rng = random.Random(20261126)
    try:
        key_file = work / "bench-key"
        keys.generate(key_file)
        key = keys.load_private_file(key_file, None)
        trust = Trust(keys=[keys.load_public(work / "bench-key.pub")])
        sets = {"a": work / "a-small-site", "b": work / "b-four-256MiB", "c": work / "c-one-1GiB"}
        make_small_site(sets["a"], rng)
        sets["b"].mkdir()
        for i in range(4):
            write_random(sets["b"] / f"part-{i}.bin", 256 * MiB, rng)
        sets["c"].mkdir()
        write_random(sets["c"] / "weights.bin", 1024 * MiB, rng)

        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        )
        print(subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip())
        header = (
            f"{'set':<4}{'size':>10}{'files':>8}{'sign s':>9}{'verify s':>10}"
            f"{'openssl s':>11}{'sha256sum s':>13}{'sign/openssl':>14}{'sign/sha256sum':>16}"
        )
        print(header)
        results = {}
        for name, folder in sets.items():
            shell("find . -type f -print0 | xargs -0 cat > /dev/null", folder)()  # warm the cache
            files = sum(1 for p in folder.rglob("*") if p.is_file())
            size = total_bytes(folder)
            t_sign = best(
                lambda folder=folder: sign_site(folder, key, SignOptions(project_root=work))
            )
            t_verify = best(lambda folder=folder: verify(str(folder), trust, Options()))
            assert verify(str(folder), trust, Options()).ok
            t_openssl = best(
                shell("find . -type f -print0 | sort -z | xargs -0 openssl dgst -sha256", folder)
            )
            t_sum = best(shell("find . -type f | sort | xargs sha256sum", folder))
            results[name] = (t_sign, t_verify, t_openssl, t_sum)
            print(
                f"({name}) {size / MiB:>9.0f}M{files:>8}{t_sign:>9.3f}{t_verify:>10.3f}"
                f"{t_openssl:>11.3f}{t_sum:>13.3f}"
                f"{t_openssl / t_sign:>13.2f}x{t_sum / t_sign:>15.2f}x"
            )
        a, b, c = results["a"], results["b"], results["c"]
        print("goals (speed-up = reference time / our time; sign and verify):")
        print(f"  (b) >= 1.5x openssl: sign {b[2] / b[0]:.2f}x, verify {b[2] / b[1]:.2f}x")
        print(f"  (c) >= 0.9x openssl: sign {c[2] / c[0]:.2f}x, verify {c[2] / c[1]:.2f}x")
        print(f"  (a) >= 2x sha256sum: sign {a[3] / a[0]:.2f}x, verify {a[3] / a[1]:.2f}x")
    finally:
        if args.keep:
            print(f"data kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
