"""Helpers for check tests: small handover projects built in tmp folders, a CLI runner."""

from __future__ import annotations

import hashlib
import http.server
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli

MODEL: dict[str, Any] = {
    "id": "toy",
    "name": "Toy model",
    "version": "1.0",
    "summary": "A toy model for check tests.",
    "card": {
        "details": "Logistic regression.",
        "intended_use": {"primary_uses": ["tests"]},
        "metrics": ["accuracy"],
        "evaluation_data": "held-out split",
        "training_data": "synthetic",
        "ethical_considerations": "none",
        "caveats_and_recommendations": "none",
    },
}
PEOPLE = [{"id": "alice", "name": "Alice"}, {"id": "bob", "name": "Bob"}]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Project:
    root: Path

    @property
    def evidence(self) -> Path:
        return self.root / ".handover" / "evidence.json"

    def write(self, relative: str, data: bytes | str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode()
        path.write_bytes(data)
        return path

    def manifest(self, **sections: Any) -> None:
        """(Re)write handover/checks.yaml with these sections (model and people are fixed)."""
        self.write(
            "handover/model.yaml",
            yaml.safe_dump({"handover": 1, "model": MODEL, "people": PEOPLE}, sort_keys=False),
        )
        self.write(
            "handover/checks.yaml", yaml.safe_dump({"handover": 1, **sections}, sort_keys=False)
        )

    def check(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return run_handover(["check", str(self.root), *args], cwd=self.root, timeout=timeout)


def run_handover(
    args: Sequence[str], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m handover_docs ARGS`` in a real subprocess, as a user runs it."""
    return run_cli(args, cwd=cwd, env=env, timeout=timeout)


def item(ident: str, check: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": ident,
        "title": f"item {ident}",
        "owner": "alice",
        "acceptance": "it passes",
    }
    if check is not None:
        entry["check"] = check
    entry.update(extra)
    return entry


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project(root)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 serving a tmp folder: (folder, base URL)."""
    folder = tmp_path / "served"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
