"""The recipes run for real: the pre-commit hooks and the CI workflow of docs/reference/ci.md."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from handover_docs.cli import build_parser
from tests.review.helpers import (
    GIT_ENV,
    base_manifests,
    cli,
    cyclonedx_validator,
    git,
    git_init,
    write_handover,
)

REPO = Path(__file__).resolve().parents[2]
BIN = str(Path(sys.executable).parent)
MKDOCS_YML = """site_name: Churn handover
theme:
  name: material
  font: false
markdown_extensions: [abbr, admonition, attr_list, tables, toc]
plugins:
  - search
  - handover:
      manifests: handover
"""


def user_env(home: Path) -> dict[str, str]:
    """A clean environment where ``handover`` and ``mkdocs`` are the installed commands."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        **GIT_ENV,
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "NO_MKDOCS_2_WARNING": "1",
    }


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(data, list)
    return data


def test_pre_commit_hooks_are_well_formed() -> None:
    found = {h["id"]: h for h in hooks()}
    assert set(found) == {"handover-validate", "handover-audit"}
    for hook in found.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        pattern = re.compile(hook["files"])
        assert pattern.search("handover/model.yaml")
        assert pattern.search("mkdocs.yml")
        assert not pattern.search("model/train.py")
    assert re.search(found["handover-audit"]["files"], "docs/rationale/threshold.md")


def run_hook(hook: dict[str, Any], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = shlex.split(hook["entry"]) + [str(a) for a in hook.get("args", [])]
    return subprocess.run(
        command, cwd=cwd, env=user_env(home), capture_output=True, text=True, timeout=300
    )


def test_pre_commit_hooks_run(tmp_path: Path) -> None:
    good = write_handover(tmp_path / "good")
    for hook in hooks():
        result = run_hook(hook, good, tmp_path / "home")
        assert result.returncode == 0, (hook["id"], result.stdout, result.stderr)

    data = base_manifests()
    for name in ("artifacts.yaml", "experiments.yaml", "decisions.yaml", "governance.yaml"):
        del data[name]
    data["knowledge.yaml"].pop("checklist")
    data["model.yaml"]["model"]["card"]["quantitative_analyses"] = []
    poor = write_handover(tmp_path / "poor", data)
    by_id = {h["id"]: h for h in hooks()}
    assert run_hook(by_id["handover-validate"], poor, tmp_path / "home").returncode == 0
    audit = run_hook(by_id["handover-audit"], poor, tmp_path / "home")
    assert audit.returncode == 1
    assert "below --min-score 50" in audit.stderr

    bad = write_handover(tmp_path / "bad")
    (bad / "handover" / "model.yaml").write_text("handover: 1\nmodel:\n  id: x\n", "utf-8")
    for hook in hooks():
        result = run_hook(hook, bad, tmp_path / "home")
        assert result.returncode == 2
        assert "handover/model.yaml:3:3: error: model: missing required key" in result.stderr


# --- the CI workflow -------------------------------------------------------------------------


def workflow() -> dict[str, Any]:
    text = (REPO / "docs" / "reference" / "ci.md").read_text("utf-8")
    section = text.split("## The workflow", 1)[1]
    block = re.search(r"```yaml\n(.*?)\n```", section, re.S)
    assert block is not None
    data = yaml.safe_load(block.group(1))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return [s for job in workflow()["jobs"].values() for s in job["steps"]]


def handover_commands() -> list[str]:
    commands = []
    for step in steps():
        for line in str(step.get("run", "")).splitlines():
            line = line.strip()
            if line.startswith("handover "):
                commands.append(line)
    return commands


def test_workflow_commands_exist_with_these_options() -> None:
    """Every `handover` line of the recipe parses with the real CLI (commands and flags)."""
    commands = handover_commands()
    names = [shlex.split(c)[1] for c in commands]
    assert names == ["validate", "check", "audit", "diff", "export", "export", "sign", "verify"]
    parser = build_parser()
    for command in commands:
        argv = shlex.split(command.replace("${{ github.base_ref }}", "main"))[1:]
        argv = [a.replace('"$key"', "k").replace("$key", "k") for a in argv]
        try:
            parser.parse_args(argv)
        except SystemExit as exc:  # argparse's way of rejecting an option
            pytest.fail(f"the recipe's '{command}' is not a valid command line ({exc})")


def test_workflow_runs_end_to_end(tmp_path: Path) -> None:
    """Run the workflow's shell steps, in order, on a handover in a fresh git repository."""
    home = tmp_path / "home"
    env = user_env(home)
    repo = tmp_path / "repo"
    git_init(repo)
    write_handover(repo)
    (repo / "mkdocs.yml").write_text(MKDOCS_YML, "utf-8")
    (repo / "docs" / "index.md").write_text("# Churn handover\n", "utf-8")
    (repo / ".gitignore").write_text("/site/\n/.handover/\n", "utf-8")
    keygen = cli(["keygen", str(tmp_path / "ci-key")], env={"HOME": str(home)})
    assert keygen.returncode == 0, keygen.stderr
    (repo / "keys").mkdir()
    (repo / "keys" / "handover.pub").write_bytes((tmp_path / "ci-key.pub").read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "handover 1.0.0")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    data = base_manifests()
    data["model.yaml"]["model"]["version"] = "1.0.1"
    data["experiments.yaml"]["experiments"][0]["metrics"] = {"AUC": 0.905}
    write_handover(repo, data)
    git(repo, "commit", "-q", "-am", "handover 1.0.1", date="2026-11-05T10:00:00+00:00")

    values = {
        "github.base_ref": "main",
        "secrets.HANDOVER_SIGNING_KEY": (tmp_path / "ci-key").read_text("utf-8"),
        "secrets.GITHUB_TOKEN": "",
        "github.event.pull_request.number": "1",
    }
    ran, skipped = [], []
    for step in steps():
        script = step.get("run")
        if script is None:
            continue
        if step["name"] == "Install" or "gh pr comment" in script:
            skipped.append(step["name"])  # needs the network or GitHub itself
            continue
        step_env = dict(env)
        for key, value in (step.get("env") or {}).items():
            step_env[key] = _expand(str(value), values)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", _expand(script, values)],
            cwd=repo,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, (step["name"], result.stdout, result.stderr)
        ran.append(step["name"])
    assert skipped == ["Install", "Post the diff on the pull request"]
    assert "Verify the signed site" in ran

    comment = (repo / "handover-diff.md").read_text("utf-8")
    assert comment.startswith("## Handover diff: Churn model 1.0.0 → Churn model 1.0.1")
    assert "| experiment train | AUC | 0.91 | 0.905 | -0.005 |" in comment  # no slice: no column
    assert (repo / "site" / "handover-signature.json").is_file()
    bom = json.loads((repo / "site" / "ml-bom.json").read_text("utf-8"))
    assert list(cyclonedx_validator().iter_errors(bom)) == []
    assert (repo / "site" / "model-card.md").read_text("utf-8").startswith("---\n")
    assert "PRIVATE KEY" not in "".join(
        p.read_text("utf-8", "replace") for p in (repo / "site").rglob("*") if p.is_file()
    )


def _expand(text: str, values: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", sub, text)
