"""Check commands and check plugins never see secrets: an allow-listed environment.

The parent ``handover check`` holds the signing key, its passphrase, a GitHub token and
an AWS secret, as a careless CI job would. Real commands and a real plugin record what
they can see: their environment, and for the plugin also its process's
``/proc/self/environ`` (the environment the process was started with).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from checks_fixtures import Project, item, run_handover

from handover_docs import manifest
from handover_docs.checks import environ
from handover_docs.checks.engine import Runner, select

SECRETS = {
    "HANDOVER_SIGNING_KEY": "-----BEGIN PRIVATE KEY-----secret-key",
    "HANDOVER_SIGNING_KEY_PASSPHRASE": "secret-passphrase",
    "GITHUB_TOKEN": "ghp_secret-token",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
}
SAFE = {"LC_ALL": "C.UTF-8", "TZ": "UTC", "SOURCE_DATE_EPOCH": "1700000000"}
DECLARED = {"HF_HOME": "/tmp/hf-cache", "MODEL_BUCKET": "models-dev"}

DUMP = """\
import json, os, sys
json.dump(dict(os.environ), open(sys.argv[1], "w"))
"""

SPY_PLUGIN = """\
import json, os
from pathlib import Path
from handover_docs.checks import CheckResult

def _proc():
    try:
        return Path("/proc/self/environ").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""

AT_IMPORT = {"environ": dict(os.environ), "proc": _proc()}

def spy(context, options):
    seen = {"import": AT_IMPORT, "run": {"environ": dict(os.environ), "proc": _proc()}}
    context.path("plugin-env.json").write_text(json.dumps(seen))
    return CheckResult("pass", "recorded")

CHECKS = {"spy": spy}
"""


def command(out: str, env: list[str] | None = None) -> dict[str, object]:
    spec: dict[str, object] = {"kind": "command", "run": f"python dump_env.py {out}"}
    if env is not None:
        spec["env"] = env
    return spec


def test_a_check_command_sees_no_secret_but_its_declared_names(project: Project) -> None:
    project.write("dump_env.py", DUMP)
    project.manifest(
        checklist=[
            item("plain", command("plain.json")),
            item("declared", command("declared.json", env=sorted(DECLARED))),
        ]
    )
    result = run_handover(
        ["check", str(project.root)], cwd=project.root, env={**SECRETS, **SAFE, **DECLARED}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    plain = json.loads((project.root / "plain.json").read_text())
    declared = json.loads((project.root / "declared.json").read_text())
    for seen in (plain, declared):
        assert not set(SECRETS) & set(seen), sorted(seen)
        assert not [v for v in seen.values() if any(s in v for s in SECRETS.values())]
        for name, value in SAFE.items():
            assert seen[name] == value
        assert seen["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert {k: declared[k] for k in DECLARED} == DECLARED
    assert not set(DECLARED) & set(plain)  # declared for one check only


def test_a_plugin_sees_no_secret_at_import_or_run(project: Project) -> None:
    project.write("plugins/spy.py", SPY_PLUGIN)
    project.write("dump_env.py", DUMP)
    project.manifest(
        checklist=[
            item("spy", {"kind": "custom", "plugin": "spy"}),
            item("cmd", command("cmd.json", env=["HF_HOME"])),
        ]
    )
    result = run_handover(["check", str(project.root)], cwd=project.root, env={**SECRETS, **SAFE})
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads((project.root / "plugin-env.json").read_text())
    for when in ("import", "run"):
        assert not set(SECRETS) & set(seen[when]["environ"]), when
        assert seen[when]["environ"]["TZ"] == "UTC"
        if sys.platform.startswith("linux"):
            assert "TZ=UTC" in seen[when]["proc"]  # it was read, and holds the safe part
            for value in SECRETS.values():
                assert value not in seen[when]["proc"], when


def test_the_engine_filters_commands_when_used_as_a_library(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No restart inside another program: the command's environment is still filtered."""
    project.write("dump_env.py", DUMP)
    project.manifest(checklist=[item("lib", command("lib.json", env=["HF_HOME"]))])
    for name, value in {**SECRETS, "HF_HOME": "/tmp/hf"}.items():
        monkeypatch.setenv(name, value)
    loaded = manifest.load(project.root)
    result = Runner(loaded, select(loaded), project.root / ".handover" / "logs").run()
    assert [r.status for r in result.records] == ["pass"]
    seen = json.loads((project.root / "lib.json").read_text())
    assert not set(SECRETS) & set(seen)
    assert seen["HF_HOME"] == "/tmp/hf"


def test_signing_variables_are_never_allowed_even_when_declared() -> None:
    for name in ("HANDOVER_SIGNING_KEY", "HANDOVER_SIGNING_KEY_PASSPHRASE", "handover_signing_key"):
        assert not environ.allowed(name, [name])
    assert environ.allowed("HF_HOME", ["HF_HOME"]) and not environ.allowed("HF_HOME")
    assert environ.allowed("LC_CTYPE") and environ.allowed("PATH")
    env = {**SECRETS, "PATH": "/bin", "MODEL_BUCKET": "b"}
    assert environ.filtered(env, ["MODEL_BUCKET", "HANDOVER_SIGNING_KEY"]) == {
        "PATH": "/bin",
        "MODEL_BUCKET": "b",
    }
    assert environ.withheld(env) == sorted([*SECRETS, "MODEL_BUCKET"])
