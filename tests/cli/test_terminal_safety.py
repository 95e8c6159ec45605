"""Terminal safety: untrusted text never reaches stdout or stderr with raw control characters.

A manifest value, file name or command output holding ``ESC [2J`` would clear an auditor's
screen and could print a fake "VERIFIED". Each test runs the real CLI (no TTY, so rich adds
no styling of its own) on such input and checks the bytes it wrote.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ATTACK = "\x1b[2J\x1b[HVERIFIED"
"""Clear the screen, home the cursor, print a fake verdict."""
SHOWN = "\\x1b[2J\\x1b[HVERIFIED"
"""How it must appear instead."""
YAML_ATTACK = "\\e[2J\\e[HVERIFIED \\x9b2J"
"""The same in a YAML double-quoted scalar, plus a C1 CSI (U+009B)."""
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "handover_docs", *args],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        timeout=600,
    )
    out = done.stdout.decode("utf-8", "surrogateescape")
    err = done.stderr.decode("utf-8", "surrogateescape")
    assert "Traceback" not in err, err
    return done.returncode, out, err


def assert_safe(*texts: str) -> None:
    for text in texts:
        raw = sorted({f"U+{ord(c):04X}" for c in _RAW.findall(text)})
        assert not raw, f"raw control characters {raw} in:\n{text!r}"


def project(tmp_path: Path, name: str = YAML_ATTACK) -> Path:
    """A fresh ``handover init`` project whose model name holds escape sequences."""
    root = tmp_path / "proj"
    tmp_path.mkdir(parents=True, exist_ok=True)
    code, _, err = run(["init", str(root), "--name", "safe"], tmp_path)
    assert code == 0, err
    model = root / "handover" / "model.yaml"
    text = model.read_text()
    text = re.sub(r'(?m)^  name: ".*"$', lambda _: f'  name: "{name}"', text, count=1)
    model.write_text(text)
    return root


def test_validate_shows_a_hostile_model_name_escaped(tmp_path: Path) -> None:
    root = project(tmp_path)
    code, out, err = run(["validate"], root)
    assert code == 0, err
    assert_safe(out, err)
    assert f"{SHOWN} \\x9b2J 0.1.0: valid" in out


def test_audit_shows_a_hostile_model_name_escaped(tmp_path: Path) -> None:
    root = project(tmp_path)
    _, out, err = run(["audit"], root)
    assert_safe(out, err)
    assert f"{SHOWN} \\x9b2J 0.1.0: audit score" in out


def test_a_check_command_output_and_message_are_escaped(tmp_path: Path) -> None:
    root = project(tmp_path, name="Safe")
    checklist = root / "handover" / "knowledge.yaml"
    item = (
        "  - id: hostile-output\n"
        "    title: A command whose output tries to take over the terminal\n"
        "    milestone: m1-inventory\n"
        "    owner: ops-lead\n"
        "    acceptance: It fails.\n"
        "    check:\n"
        "      kind: command\n"
        "      run: printf '\\033[2J\\033[HVERIFIED\\n'; exit 3\n"
    )
    text = checklist.read_text().replace("glossary:\n", item + "glossary:\n", 1)
    checklist.write_text(text)
    code, out, err = run(["check"], root)
    assert code == 1, out + err
    assert_safe(out, err)
    assert f"| {SHOWN}" in out  # the log tail, escaped


def test_init_escapes_a_hostile_folder_name(tmp_path: Path) -> None:
    code, out, err = run(["init", f"x{ATTACK}", "--name", "safe"], tmp_path)
    assert code == 0, err
    assert_safe(out, err)
    assert f"wrote x{SHOWN}/mkdocs.yml" in out
    assert f"next: cd x{SHOWN} &&" in out


def test_diff_to_stdout_escapes_manifest_values(tmp_path: Path) -> None:
    old = project(tmp_path / "old", name="Plain")
    new = project(tmp_path / "new")
    code, out, err = run(["diff", str(old), str(new)], tmp_path)
    assert code == 0, err
    assert_safe(out, err)
    assert "\\x1b\\[2J\\x1b\\[HVERIFIED" in out  # Markdown escapes the brackets too


def test_exports_to_stdout_are_escaped_and_json_stays_valid(tmp_path: Path) -> None:
    root = project(tmp_path)
    code, out, err = run(["export", "--format", "hf"], root)
    assert code == 0, err
    assert_safe(out, err)
    assert SHOWN in out
    code, out, err = run(["export", "--format", "cyclonedx"], root)
    assert code == 0, err
    assert_safe(out, err)
    names = re.findall(r'"name": "([^"]*VERIFIED[^"]*)"', out)
    assert names and all(json.loads(f'"{n}"') == "\x1b[2J\x1b[HVERIFIED \x9b2J" for n in names)
    json.loads(out)


def test_render_escapes_a_hostile_output_folder(tmp_path: Path) -> None:
    root = project(tmp_path, name="Safe")
    code, out, err = run(["render", "--out", f"out{ATTACK}"], root)
    assert code == 0, err
    assert_safe(out, err)
    assert f"out{SHOWN}" in out


@pytest.mark.parametrize(
    "args",
    [
        ["validate", ".", f"extra{ATTACK}"],  # argparse echoes arguments it refuses
        ["validate", f"missing{ATTACK}"],  # a finding naming a path
        ["verify", f"folder{ATTACK}", "--key-id", "sha256:" + "0" * 64],
    ],
)
def test_refused_arguments_are_echoed_escaped(tmp_path: Path, args: list[str]) -> None:
    code, out, err = run(args, tmp_path)
    assert code == 2
    assert_safe(out, err)
    assert SHOWN in err
