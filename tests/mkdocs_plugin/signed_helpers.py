"""Helpers for signed-build tests: a small real project (``handover init``) in its own git
repo, a real key pair, MkDocs builds with ``HANDOVER_SIGNING_KEY`` set, ``handover verify``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Rita Researcher",
    "GIT_AUTHOR_EMAIL": "rita@example.org",
    "GIT_COMMITTER_NAME": "Rita Researcher",
    "GIT_COMMITTER_EMAIL": "rita@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def run(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **GIT_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def handover(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return run([sys.executable, "-m", "handover_docs", *args], cwd=cwd, env=env)


@dataclass
class SignedProject:
    root: Path
    key: Path
    """Private key file (outside the project)."""

    @property
    def pub(self) -> Path:
        return self.key.with_name(self.key.name + ".pub")

    @property
    def config(self) -> dict[str, Any]:
        data = yaml.safe_load((self.root / "mkdocs.yml").read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data

    def write_config(self, **changes: Any) -> None:
        data = {**self.config, **changes}
        text = yaml.safe_dump(data, sort_keys=False)
        (self.root / "mkdocs.yml").write_text(text, encoding="utf-8")

    def commit(self, message: str = "handover") -> None:
        for args in (["add", "-A"], ["commit", "-q", "-m", message]):
            done = run(["git", *args], cwd=self.root)
            assert done.returncode == 0, done.stderr

    def build(
        self, *, mkdocs: list[str] | None = None, site: str = "site", sign: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = mkdocs or [sys.executable, "-m", "mkdocs"]
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
        if sign:
            env["HANDOVER_SIGNING_KEY"] = str(self.key)
        return run([*command, "build", "-d", str(self.root / site)], cwd=self.root, env=env)

    def verify(self, site: str = "site") -> tuple[int, dict[str, Any], str]:
        done = handover("verify", str(self.root / site), "--key", str(self.pub), "--json",
                        cwd=self.root)  # fmt: skip
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            report = {}
        return done.returncode, report, done.stdout + done.stderr


def make_project(tmp: Path, name: str = "tiny-model") -> SignedProject:
    """A fresh ``handover init`` project, committed in its own git repo, with a key pair."""
    root = tmp / name
    init = handover("init", str(root), cwd=tmp)
    assert init.returncode == 0, init.stderr
    keys = tmp / "keys"
    keys.mkdir(exist_ok=True)
    key = keys / "signing.key"
    if not key.exists():
        made = handover("keygen", str(key), cwd=tmp)
        assert made.returncode == 0, made.stderr
    git = run(["git", "init", "-q", "-b", "main"], cwd=root)
    assert git.returncode == 0, git.stderr
    project = SignedProject(root, key)
    project.commit("Start the handover")
    return project
