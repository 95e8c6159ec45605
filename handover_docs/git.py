"""Running git: one environment, one timeout, one answer when git is missing.

Page history, ``handover diff`` and signing all ask git about the repository. A
repository is input like any other (a pull request may add a hook-less but huge history,
a system config may ask for a credential prompt), so every call runs with no prompt, no
system config, the C locale (stable output to parse), and a timeout; a missing ``git``
or a call that times out is an ordinary failed result, never an exception.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 60.0
"""Seconds one git call may take before it counts as failed."""


@dataclass(frozen=True)
class GitResult:
    """What a git call returned; ``returncode`` 127 when git is missing, 124 on timeout."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def git_env() -> dict[str, str]:
    """The environment every git call gets: no prompts, no system config, stable output."""
    env = dict(os.environ)
    env.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


def run_git(cwd: Path, *args: str, timeout: float = TIMEOUT) -> GitResult:
    """Run ``git ARGS`` in ``cwd``; its output decoded as UTF-8 (bad bytes replaced)."""
    if not cwd.is_dir():
        return GitResult(128, "", f"not a folder: {cwd}")
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
            env=git_env(),
            timeout=timeout,
        )
    except FileNotFoundError:
        return GitResult(127, "", "git is not installed (or not on PATH)")
    except subprocess.TimeoutExpired:
        return GitResult(124, "", f"git {' '.join(args[:2])} took longer than {timeout:g} s")
    return GitResult(done.returncode, done.stdout, done.stderr)
