"""Benchmark: the artifact check's streamed hashing against `sha256sum` and hashlib.

Run once by hand (not a test):  .venv/bin/python bench/bench_checks.py [--size-mib 1024]

Writes one random file (default 1 GiB) into a temporary handover project under /tmp,
warms the page cache, then times (best of three):
  - `sha256sum FILE` (coreutils, one process);
  - `hashlib.file_digest` (the fastest plain-Python way);
  - `handover_docs.checks.hashing.hash_file` with a progress callback (the artifact check's
    reader: 4 MiB blocks into one reused buffer);
  - a whole `handover check` run of an artifact check on the file (process start, manifest
    load, hashing, evidence write), through the CLI;
  - the same bytes streamed over HTTP from a server on 127.0.0.1.
Everything it made is deleted afterwards.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from handover_docs.checks.hashing import hash_file, hash_url

MiB = 1 << 20
REPEAT = 3


def best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def project(root: Path, size: int, digest: str, url: str) -> None:
    model: dict[str, Any] = {
        "id": "bench",
        "name": "bench",
        "version": "1",
        "summary": "hashing benchmark",
        "card": {
            "details": "-",
            "intended_use": {"primary_uses": ["benchmark"]},
            "metrics": ["-"],
            "evaluation_data": "-",
            "training_data": "-",
            "ethical_considerations": "-",
            "caveats_and_recommendations": "-",
        },
    }
    manifest = {
        "handover": 1,
        "model": model,
        "people": [{"id": "ops", "name": "Ops"}],
        "artifacts": [
            {"id": "big", "name": "big", "kind": "weights", "path": "big.bin",
             "sha256": digest, "size": size},
            {"id": "big-http", "name": "big", "kind": "weights", "uri": url,
             "sha256": digest, "size": size},
        ],
        "checklist": [
            {"id": "local", "title": "local", "owner": "ops", "acceptance": "-",
             "check": {"kind": "artifact", "artifact": "big"}},
            {"id": "remote", "title": "remote", "owner": "ops", "acceptance": "-",
             "check": {"kind": "artifact", "artifact": "big-http"}},
        ],
    }  # fmt: skip
    (root / "handover").mkdir()
    (root / "handover" / "bench.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mib * MiB
    root = Path(tempfile.mkdtemp(prefix="handover-bench-checks-"))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        big = root / "big.bin"
        with big.open("wb") as handle:
            block = os.urandom(4 * MiB)
            for _ in range(size // len(block)):
                handle.write(block)
            handle.write(os.urandom(size % len(block)))
        with big.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()  # also warms the cache
        url = f"http://127.0.0.1:{server.server_address[1]}/big.bin"
        project(root, size, digest, url)
        gb = size / 1e9
        rows: list[tuple[str, float]] = []
        if shutil.which("sha256sum"):
            rows.append(
                ("sha256sum", best(lambda: subprocess.run(["sha256sum", big], check=True,
                                                          capture_output=True)))
            )  # fmt: skip

        def file_digest() -> None:
            with big.open("rb") as handle:
                hashlib.file_digest(handle, "sha256")

        rows.append(("hashlib.file_digest", best(file_digest)))
        rows.append(("checks.hashing.hash_file", best(lambda: hash_file(big, lambda d, t: None))))
        cli = [sys.executable, "-m", "handover_docs", "check", str(root)]
        rows.append(
            ("handover check (local file)",
             best(lambda: subprocess.run([*cli, "--only", "local"], check=True,
                                         capture_output=True)))
        )  # fmt: skip
        rows.append(("hash_url over loopback HTTP", best(lambda: hash_url(url))))
        print(f"{args.size_mib} MiB file, {os.cpu_count()} CPUs, best of {REPEAT}")
        for name, seconds in rows:
            print(f"  {name:32} {seconds:6.2f} s  {gb / seconds:5.2f} GB/s")
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
