"""Hostile manifests through the real CLI: exit 2 and a located error, never a traceback
(issue 13, point 7: deep nesting, huge integers, NUL bytes, over-long names, non-UTF-8
file names, symlinks out of the project)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

BASE = FIXTURES / "bad" / "_base" / "model.yaml"
LONG = "a" * 300
"""A path component over the 255-byte limit of Linux file systems."""


def project(tmp_path: Path, extra: str | bytes | None = None, name: str = "extra.yaml") -> Path:
    """A valid one-model project, plus one more manifest file when given."""
    root = tmp_path / "proj"
    (root / "handover").mkdir(parents=True)
    shutil.copy(BASE, root / "handover" / "model.yaml")
    if extra is not None:
        data = extra.encode("utf-8") if isinstance(extra, str) else extra
        (root / "handover" / name).write_bytes(data)
    return root


def validate(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``handover validate`` in ROOT; assert exit 2 without a traceback; the stderr."""
    result: subprocess.CompletedProcess[str] = run_cli(
        ["validate", *(args or (".",))], cwd=root, env=env
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def test_the_base_project_is_valid(tmp_path: Path) -> None:
    result = run_cli(["validate", "."], cwd=project(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("depth", [70, 500, 1000])
def test_deep_flow_nesting(tmp_path: Path, depth: int) -> None:
    text = "handover: 1\nx: " + "[" * depth + "]" * depth + "\n"
    err = validate(project(tmp_path, text))
    assert re.search(r"handover/extra\.yaml:2:\d+: error: .*(nested|nesting depth)", err), err


@pytest.mark.parametrize("depth", [100, 800])
def test_deep_block_nesting(tmp_path: Path, depth: int) -> None:
    text = "handover: 1\nx:\n" + "".join("  " * (i + 1) + "k:\n" for i in range(depth))
    err = validate(project(tmp_path, text))
    assert re.search(r"handover/extra\.yaml:\d+:\d+: error: values are nested more than", err)


@pytest.mark.parametrize(
    ("value", "length"), [("9" * 5000, 5000), ("0x" + "f" * 5000, 5002), ("-" + "1" * 100, 101)]
)
def test_huge_integers(tmp_path: Path, value: str, length: int) -> None:
    err = validate(project(tmp_path, f"handover: 1\nmodel_extra: {value}\n"))
    assert f"handover/extra.yaml:2:14: error: integer with {length} characters is too large" in err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (b'handover: 1\nx: "caf\xc3\xa9\x00"\n', "2:9"),  # in a quoted string, after a 2-byte char
        (b"handover: 1\nx: a\x00b\n", "2:5"),
        (b"handover: 1\n\x00\n", "2:1"),
        (b"handover: 1\nx: a\x07b\n", "2:5"),  # BEL: another control character
    ],
)
def test_control_characters_are_located(tmp_path: Path, text: bytes, where: str) -> None:
    err = validate(project(tmp_path, text))
    assert f"handover/extra.yaml:{where}: error: control character U+00" in err, err


def test_an_over_long_path_argument(tmp_path: Path) -> None:
    root = project(tmp_path)
    for arg in (LONG, f"handover/{LONG}.yaml", f"{LONG}/handover"):
        err = validate(root, arg)
        assert "over the 255-byte limit for a file name" in err, err


def test_an_over_long_referenced_path(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "model").mkdir()  # so the OS gets as far as the long name
    manifest = root / "handover" / "model.yaml"
    manifest.write_text(manifest.read_text() + f"    path: model/{LONG}.bin\n")
    line = len(manifest.read_text().splitlines())
    err = validate(root)
    assert f"handover/model.yaml:{line}:11: error: artifacts[0].path: a path component" in err


def test_a_manifest_symlinked_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("handover: 1\nglossary: [{term: secret, definition: from the host}]\n")
    root = project(tmp_path)
    (root / "handover" / "linked.yaml").symlink_to(outside)
    err = validate(root)
    assert "handover/linked.yaml:1:1: error: manifest file leads outside the project" in err
    # A symlink that stays inside the project is fine.
    (root / "handover" / "linked.yaml").unlink()
    (root / "shared").mkdir()
    shutil.move(outside, root / "shared" / "glossary.yaml")
    (root / "handover" / "linked.yaml").symlink_to(root / "shared" / "glossary.yaml")
    assert run_cli(["validate", "."], cwd=root).returncode == 0


def test_a_manifest_with_a_non_utf8_name(tmp_path: Path) -> None:
    root = project(tmp_path)
    name = os.fsdecode(b"people\xff.yaml")
    (root / "handover" / name).write_text("handover: 1\n")
    env = {"PYTHONIOENCODING": "utf-8"}
    err = validate(root, env=env)
    assert "handover/people\\udcff.yaml:1:1: error: the file name is not valid UTF-8" in err
    result = run_cli(["render", "--out", str(tmp_path / "out"), "."], cwd=root, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
