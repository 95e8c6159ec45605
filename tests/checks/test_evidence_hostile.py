"""A hostile evidence file through the real CLI: refused with a located error and exit 2,
never a traceback, never read whole when it is huge (issue 13, point 7)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from handover_docs.checks import evidence as ev
from tests.conftest import FIXTURES, run_cli


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "handover").mkdir(parents=True)
    shutil.copy(FIXTURES / "bad" / "_base" / "model.yaml", root / "handover" / "model.yaml")
    return root


def status(root: Path, evidence: Path) -> str:
    """``handover check --status`` reading EVIDENCE; asserts exit 2 without a traceback."""
    result = run_cli(["check", ".", "--status", "--evidence", str(evidence)], cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def test_evidence_nested_100000_deep(tmp_path: Path) -> None:
    root = project(tmp_path)
    deep = root / "deep.json"
    deep.write_text('{"checks": ' + "[" * 100_000 + "]" * 100_000 + "}")
    err = status(root, deep)
    match = re.search(r"deep\.json:1:(\d+): error: evidence file is nested too deeply", err)
    assert match is not None, err
    assert int(match.group(1)) > 100  # where the nesting gets too deep, not the file start


def test_evidence_with_a_5000_digit_number(tmp_path: Path) -> None:
    root = project(tmp_path)
    big = root / "int.json"
    big.write_text('{\n  "format": "handover-docs/evidence/1",\n  "duration": ' + "9" * 5000 + "}")
    err = status(root, big)
    assert "int.json:3:15: error: evidence file holds a number too large to read" in err


def test_evidence_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    root = project(tmp_path)
    big = root / "big.json"
    with big.open("wb") as handle:  # sparse: costs no disk, would cost RAM if read
        handle.truncate(ev.MAX_EVIDENCE_BYTES + 1)
    err = status(root, big)
    assert "big.json: error: evidence file is 67,108,865 bytes, over the 64 MiB limit" in err


def test_evidence_that_is_not_a_regular_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    fifo = root / "fifo.json"
    os.mkfifo(fifo)  # reading it would block forever
    err = status(root, fifo)
    assert "fifo.json: error: evidence is not a regular file" in err


def test_the_digest_of_a_big_evidence_file_is_streamed(tmp_path: Path) -> None:
    """Same digest as hashing the bytes whole, for a file of several read blocks."""
    path = tmp_path / "evidence.json"
    data = os.urandom(3 << 20) + b"tail"
    path.write_bytes(data)
    assert ev.evidence_digest(path) == hashlib.sha256(data).hexdigest()
