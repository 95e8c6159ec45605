"""Reproducible builds: the same sources and SOURCE_DATE_EPOCH give a byte-identical signed site,
in any folder. Auditors rely on this to rebuild a release and compare it with what is hosted."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, run_cli

IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "site",
    ".handover",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "test-output",
    "*.egg-info",
)


def build(copy: Path, key: Path) -> dict[str, str]:
    shutil.copytree(REPO, copy, ignore=IGNORE)
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": "1767225600",
        "NO_MKDOCS_2_WARNING": "1",
        "HANDOVER_SIGNING_KEY": str(key),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    site = copy / "site"
    if not (site / "handover-signature.json").exists():
        signed = run_cli(
            ["sign", str(site), "--key", str(key), "--manifest", str(copy)],
            cwd=copy,
            env={"SOURCE_DATE_EPOCH": "1767225600"},
        )
        assert signed.returncode == 0, signed.stderr
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_two_builds_in_different_folders_are_byte_identical(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "release.key"
    assert run_cli(["keygen", str(key)]).returncode == 0
    first = build(tmp_path / "a" / "checkout", key)
    second = build(tmp_path / "elsewhere" / "deeper" / "checkout", key)
    assert "handover-signature.json" in first
    assert len(first) > 50
    differing = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    assert differing == [], f"files that differ between the two builds: {differing[:20]}"
