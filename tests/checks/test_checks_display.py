"""What a person sees: the live display and table on a terminal, plain lines in CI."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from checks_fixtures import Project, item, sha256


def _setup(project: Project) -> None:
    data = b"x" * (3 * 1024 * 1024)
    project.write("big.bin", data)
    project.manifest(
        artifacts=[
            {"id": "big", "name": "big", "kind": "weights", "path": "big.bin",
             "sha256": sha256(data), "size": len(data)}
        ],
        checklist=[
            item("weights", {"kind": "artifact", "artifact": "big"}),
            item("broken", {"kind": "command", "run": "python -c 'print(1/0)'"}, owner="bob"),
        ],
    )  # fmt: skip


def test_terminal_shows_live_progress_and_a_table(project: Project) -> None:
    _setup(project)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "handover_docs", "check", str(project.root)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "COLUMNS": "160", "LINES": "40", "TERM": "xterm"},
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 1
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "weights (artifact)" in screen  # a live row per check
    assert "3.1/3.1 MB" in screen  # the byte progress of the hash
    for header in ("item", "owner", "status", "measured vs expected", "message"):
        assert header in screen
    assert "ZeroDivisionError" in screen or "exit code 1" in screen
    assert "1/2 passed" in screen


def test_ci_output_is_plain_lines(project: Project) -> None:
    _setup(project)
    result = project.check()
    assert result.returncode == 1
    assert "\x1b[" not in result.stdout + result.stderr
    assert "start   weights (artifact)" in result.stderr
    assert "FAIL    broken (" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("PASS    weights")
    assert any(ln.startswith("FAIL    broken") and " bob " in ln for ln in lines)
    assert "| ZeroDivisionError: division by zero" in result.stdout
    assert lines[-1] == "1/2 passed — FAILED"
