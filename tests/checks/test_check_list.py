"""``handover check --list``: every command the checks would run, for review; nothing runs."""

from __future__ import annotations

import json

from checks_fixtures import Project, item

PLUGIN = """\
from handover_docs.checks import CheckResult
open("imported.txt", "w").write("plugin code ran")
CHECKS = {"noop": lambda context, options: CheckResult("pass", "ok")}
"""


def setup(project: Project) -> None:
    project.write("plugins/noop.py", PLUGIN)
    project.manifest(
        checklist=[
            item(
                "train",
                {
                    "kind": "command",
                    "run": "python -m train --out 'runs/a b'",
                    "cwd": "model",
                    "env": ["HF_HOME", "MODEL_BUCKET"],
                    "timeout": 90,
                },
            ),
            item("piped", {"kind": "command", "run": "touch ran.txt && echo hi | wc -c"}),
            item("custom", {"kind": "custom", "plugin": "noop", "options": {"n": 1}}),
            item("manual"),
        ]
    )


def test_list_prints_every_command_and_runs_nothing(project: Project) -> None:
    setup(project)
    result = project.check("--list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:8] == [
        "train: command (cwd model, timeout 90s)",
        "    argv: python -m train --out 'runs/a b'",
        "    declared env: HF_HOME, MODEL_BUCKET",
        "piped: command (cwd ., timeout 600s)",
        "    shell: touch ran.txt && echo hi | wc -c",
        "    declared env: none",
        """custom: plugin 'noop' options {"n": 1}""",
        "python imported from: plugins/noop.py",
    ]
    assert "every check also sees: " in result.stdout and "SOURCE_DATE_EPOCH" in result.stdout
    assert not (project.root / "ran.txt").exists()
    assert not (project.root / "imported.txt").exists()  # plugins are not even imported
    assert not project.evidence.exists()


def test_list_json(project: Project) -> None:
    setup(project)
    result = project.check("--list", "--json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    train, piped, custom = plan["commands"]
    assert train == {
        "id": "train",
        "kind": "command",
        "cwd": "model",
        "run": "python -m train --out 'runs/a b'",
        "argv": ["python", "-m", "train", "--out", "runs/a b"],
        "shell": False,
        "env": ["HF_HOME", "MODEL_BUCKET"],
        "timeout": 90.0,
    }
    assert piped["shell"] is True and piped["argv"][:2] == ["/bin/sh", "-c"]
    assert custom == {"id": "custom", "kind": "custom", "plugin": "noop", "options": {"n": 1}}
    assert plan["plugin_modules"] == ["plugins/noop.py"]
    assert "PATH" in plan["safe_env"] and "LC_*" in plan["safe_env"]


def test_list_follows_the_selection_and_refuses_bad_input(project: Project) -> None:
    setup(project)
    only = project.check("--list", "--only", "piped", "--json")
    assert [c["id"] for c in json.loads(only.stdout)["commands"]] == ["piped"]
    assert json.loads(only.stdout)["plugin_modules"] == []
    bad = project.check("--list", "--only", "trian")
    assert bad.returncode == 2
    assert "did you mean 'train'?" in bad.stderr and "Traceback" not in bad.stderr


def test_list_escapes_control_characters(project: Project) -> None:
    project.manifest(
        checklist=[item("x", {"kind": "command", "run": "echo '\x1b[2J\x1b[HVERIFIED'"})]
    )
    result = project.check("--list")
    assert result.returncode == 0
    assert "\x1b" not in result.stdout
