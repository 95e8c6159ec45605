"""One git runner: stable environment, missing git and slow git are ordinary results."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from handover_docs.git import run_git


def test_a_real_repository_answers(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = run_git(tmp_path, "rev-parse", "--is-inside-work-tree")
    assert result.ok and result.stdout.strip() == "true"
    assert not run_git(tmp_path, "rev-parse", "--verify", "--quiet", "HEAD").ok


def test_missing_git_is_a_failed_result_not_an_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no git on it
    result = run_git(tmp_path, "status")
    assert result.returncode == 127 and "not installed" in result.stderr


def test_a_git_call_that_hangs_is_stopped(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = run_git(tmp_path, "-c", "alias.hang=!sleep 5", "hang", timeout=0.5)
    assert result.returncode == 124 and "longer than 0.5 s" in result.stderr


def test_git_never_prompts_and_speaks_the_c_locale(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shown = run_git(tmp_path, "-c", "alias.env=!env", "env").stdout
    assert "GIT_TERMINAL_PROMPT=0" in shown and "LC_ALL=C" in shown
