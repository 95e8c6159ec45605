"""One manifest file that does not parse gives its own error, not a cascade of unknown
references for the ids it would have defined (issue 12, point 6)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO, run_cli

BROKEN_LINE = 5
"""``artifacts:`` in handover/artifacts.yaml: a syntax error there hides the whole list."""


def example_copy(tmp_path: Path) -> Path:
    """The example's manifests and narratives, which validate on their own."""
    root = tmp_path / "example"
    for name in ("handover", "docs", "model"):
        shutil.copytree(REPO / name, root / name)
    for name in ("mkdocs.yml", "constraints.txt"):
        shutil.copy(REPO / name, root / name)
    return root


def validate(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``handover validate`` run in the project, so findings name files as authors see them."""
    return run_cli(["validate", *options, "."], cwd=root)


def break_line(file: Path, number: int) -> None:
    lines = file.read_text("utf-8").splitlines(keepends=True)
    lines[number - 1] = lines[number - 1].rstrip("\n") + " : : [\n"
    file.write_text("".join(lines), "utf-8")


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


def test_a_syntax_error_is_the_only_error_and_a_note_counts_what_was_not_checked(
    tmp_path: Path,
) -> None:
    root = example_copy(tmp_path)
    # How many references need the ids of artifacts.yaml: remove it from another copy.
    without = example_copy(tmp_path / "without")
    (without / "handover" / "artifacts.yaml").unlink()
    dangling = validate(without)
    expected = sum("unknown reference" in line for line in errors(dangling.stderr))
    assert expected >= 40, dangling.stderr  # the example's artifacts are cited everywhere

    break_line(root / "handover" / "artifacts.yaml", BROKEN_LINE)
    result = validate(root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    found = errors(result.stderr)
    assert len(found) == 1, result.stderr
    assert re.match(r"handover/artifacts\.yaml:5:\d+: error: YAML syntax error", found[0])
    assert "1 error" in result.stderr
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert len(notes) == 1, result.stderr
    assert f"{expected} references to ids" in notes[0]
    assert "handover/artifacts.yaml did not load" in notes[0]


def test_references_the_broken_file_could_not_have_resolved_are_still_reported(
    tmp_path: Path,
) -> None:
    """The rule: only references that may name a collection the broken file declares are
    held back. An owner must be one of the people (people.yaml), so a wrong owner is
    reported while artifacts.yaml is broken; a wrong artifact id is held back."""
    root = example_copy(tmp_path)
    break_line(root / "handover" / "artifacts.yaml", BROKEN_LINE)
    checklist = root / "handover" / "checklist.yaml"
    text = checklist.read_text("utf-8")
    owner = re.search(r"^    owner: (\S+)$", text, re.M)
    assert owner is not None
    text = text.replace(owner.group(0), "    owner: nobody-at-all", 1)
    checklist.write_text(text, "utf-8")
    result = validate(root)
    assert result.returncode == 2
    found = errors(result.stderr)
    assert len(found) == 2, result.stderr
    assert any("unknown reference 'nobody-at-all'" in line for line in found)
    assert re.search(r"handover/checklist\.yaml:\d+:\d+: error: .*owner", result.stderr)


def test_a_broken_model_file_does_not_also_report_its_section_missing(tmp_path: Path) -> None:
    root = example_copy(tmp_path)
    break_line(root / "handover" / "model.yaml", 4)
    result = validate(root, "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    problems = [f for f in report["findings"] if f["severity"] == "error"]
    assert [f["code"] for f in problems] == ["yaml-syntax"], problems
    assert problems[0]["location"]["file"] == "handover/model.yaml"
    assert problems[0]["location"]["line"] == 4
    notes = [f for f in report["findings"] if f["severity"] == "note"]
    assert len(notes) == 1 and "required section 'model'" in notes[0]["message"]


def test_a_valid_example_has_no_note(tmp_path: Path) -> None:
    result = validate(example_copy(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "note" not in result.stderr
