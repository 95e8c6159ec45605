"""Environment checks against the real interpreter and machine: parity and every difference."""

from __future__ import annotations

import importlib.metadata
import json
import platform

from checks_fixtures import Project, item

from handover_docs.checks.environment import (
    cpu_count,
    os_description,
    os_matches,
    python_matches,
    read_lock_file,
)

PYDANTIC = importlib.metadata.version("pydantic")
PYYAML = importlib.metadata.version("PyYAML")


def _env(**fields: object) -> dict[str, object]:
    return {"id": "prod", "name": "Production", **fields}


def test_matching_environment_passes(project: Project) -> None:
    major_minor = ".".join(platform.python_version().split(".")[:2])
    project.manifest(
        environments=[
            _env(
                python=major_minor,
                os=os_description(),
                packages={"pydantic": PYDANTIC, "pyyaml": PYYAML},
                hardware={"cpu_cores": 1, "memory_gb": 0.5},
            )
        ],
        checklist=[item("parity", {"kind": "environment", "environment": "prod"})],
    )
    result = project.check()
    assert result.returncode == 0, result.stdout
    record = json.loads(project.evidence.read_text())["checks"]["parity"]
    names = [c["name"] for c in record["comparisons"]]
    assert names == [
        "python", "os", "package pydantic", "package pyyaml", "cpu cores", "memory GB",
    ]  # fmt: skip


def test_every_difference_is_reported(project: Project) -> None:
    project.manifest(
        environments=[
            _env(
                python="3.2",
                os="Plan9 4",
                packages={"pydantic": "0.0.1", "no-such-package-xyz": "1.0", "PyYAML": PYYAML},
                hardware={"cpu_cores": 4096, "memory_gb": 100000, "gpu": "NVIDIA H100"},
                container={"image": "registry.example.org/model:1"},
            )
        ],
        checklist=[item("parity", {"kind": "environment", "environment": "prod"})],
    )
    result = project.check("--json")
    assert result.returncode == 1
    [report] = json.loads(result.stdout)["items"]
    message = report["message"]
    for expected in (
        f"Python {platform.python_version()} runs here, environment 'prod' records 3.2",
        "expected 'Plan9 4'",
        f"pydantic {PYDANTIC} is installed, expected 0.0.1",
        "no-such-package-xyz is not installed (expected 1.0)",
        f"{cpu_count()} CPU cores, at least 4096 needed",
        "GB memory, at least 100000 GB needed",
        "GPU 'NVIDIA H100' needed, found none",
    ):
        assert expected in message
    oks = {c["name"]: c["ok"] for c in report["comparisons"]}
    assert oks["package PyYAML"] is True
    assert "container image registry.example.org/model:1 is not checked" in report["notes"][0]


def test_lock_file_pins_and_only_some_packages(project: Project) -> None:
    project.write(
        "requirements.lock",
        "# pinned by pip-compile\n"
        f"pydantic=={PYDANTIC} \\\n    --hash=sha256:{'0' * 64}\n"
        f"PyYAML[extra]=={PYYAML}  # via handover-docs\n"
        "numpy==0.0.1\n"
        "pywin32==306 ; sys_platform == 'win32'\n"
        "-e ./local\n",
    )
    project.manifest(
        environments=[_env(lock_file="requirements.lock")],
        checklist=[
            item("all", {"kind": "environment", "environment": "prod"}),
            item(
                "some",
                {"kind": "environment", "environment": "prod", "packages": ["pydantic", "pyyaml"]},
            ),
            item(
                "unknown",
                {"kind": "environment", "environment": "prod", "packages": ["requests"]},
            ),
        ],
    )
    result = project.check("--json")
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["some"]["status"] == "pass"
    assert items["all"]["status"] == "fail"
    assert "numpy" in items["all"]["message"] and "expected 0.0.1" in items["all"]["message"]
    assert "pywin32" not in items["all"]["message"]  # marker pin, not installed: a note
    assert any("pywin32 306" in note for note in items["all"]["notes"])
    assert "package 'requests' is not recorded in environment 'prod'" in items["unknown"]["message"]


def test_read_toml_lock(tmp_path: object) -> None:
    from pathlib import Path

    lock = Path(str(tmp_path)) / "uv.lock"
    lock.write_text(
        'version = 1\n[[package]]\nname = "Scikit_Learn"\nversion = "1.9.1"\n'
        '[[package]]\nname = "colorama"\nversion = "0.4.6"\nmarker = "sys_platform == \'win32\'"\n'
    )
    assert read_lock_file(lock) == {"scikit-learn": ("1.9.1", False), "colorama": ("0.4.6", True)}


def test_matching_rules() -> None:
    assert python_matches("3.11", "3.11.7")
    assert python_matches("3.11.7", "3.11.7")
    assert not python_matches("3.11.6", "3.11.7")
    assert not python_matches("3.1", "3.11.7")
    assert os_matches(platform.system())
    assert os_matches(os_description())
    assert not os_matches("Windows 11")
    assert os_matches(f"{platform.system()} {platform.machine()} (any comment in parentheses)")
    assert not os_matches(f"{platform.system()} sparc64")
