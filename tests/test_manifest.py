"""Split manifests merge into one handover; locations survive the merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from tests.conftest import FIXTURES

BASE = (FIXTURES / "bad" / "_base" / "model.yaml").read_text()

MORE_ARTIFACTS = """handover: 1
artifacts:
  - id: code
    name: Training code
    kind: code
    owner: bob
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    (folder / "handover").mkdir(parents=True)
    for name, text in files.items():
        (folder / "handover" / name).write_text(text)
    return folder


def test_list_sections_merge_across_files_and_keep_locations(tmp_path: Path) -> None:
    loaded = manifest.load(write(tmp_path, {"a.yaml": BASE, "b.yaml": MORE_ARTIFACTS}))
    assert [a.id for a in loaded.handover.artifacts] == ["weights", "code"]
    where = loaded.locate(("artifacts", 1, "owner"))
    assert (where.file.endswith("handover/b.yaml"), where.line, where.col) == (True, 6, 12)
    assert loaded.ids["code"][0] == "artifacts"


def test_digest_does_not_depend_on_how_files_are_split(tmp_path: Path) -> None:
    split = manifest.load(write(tmp_path / "split", {"a.yaml": BASE, "b.yaml": MORE_ARTIFACTS}))
    whole = BASE + "\n".join(MORE_ARTIFACTS.splitlines()[2:]) + "\n"
    one = manifest.load(write(tmp_path / "one", {"all.yaml": whole}))
    assert [a.id for a in one.handover.artifacts] == ["weights", "code"]
    assert split.digest == one.digest
    changed = manifest.load(write(tmp_path / "changed", {"all.yaml": whole.replace("Bob", "Rob")}))
    assert changed.digest != one.digest


def test_loading_again_after_editing_one_file_merges_as_from_scratch(tmp_path: Path) -> None:
    """Unchanged files are reused from their last parse (serve rebuilds): merging must not
    have changed them, so a reload gives exactly what a fresh load gives."""
    root = write(tmp_path, {"a.yaml": BASE, "b.yaml": MORE_ARTIFACTS})
    first = manifest.load(root)
    again = manifest.load(root)
    assert again.digest == first.digest and again.handover == first.handover
    assert [a.id for a in again.handover.artifacts] == ["weights", "code"]
    (root / "handover" / "b.yaml").write_text(MORE_ARTIFACTS.replace("Training", "Serving"))
    edited = manifest.load(root)
    assert [a.name for a in edited.handover.artifacts][1] == "Serving code"
    assert edited.locate(("artifacts", 1, "owner")).line == 6
    assert manifest.load(root).digest == edited.digest != first.digest


def test_all_errors_of_all_files_are_reported_in_one_run(tmp_path: Path) -> None:
    broken = MORE_ARTIFACTS.replace("kind: code", "kind: kode").replace("owner: bob", "owner: eve")
    other = "handover: 1\nmilestones:\n  - id: m1\n    titel: x\n"
    with pytest.raises(HandoverError) as caught:
        manifest.load(write(tmp_path, {"a.yaml": BASE, "b.yaml": broken, "c.yaml": other}))
    lines = [str(f) for f in caught.value.findings]
    assert any("b.yaml:5:11" in line and "kode" in line for line in lines), lines
    assert any("b.yaml:6:12" in line and "unknown reference 'eve'" in line for line in lines)
    assert any("c.yaml:4:5" in line and "unknown key 'titel'" in line for line in lines)
    assert any("c.yaml:3:5" in line and "missing required key 'title'" in line for line in lines)


def test_a_missing_model_section_is_reported(tmp_path: Path) -> None:
    with pytest.raises(HandoverError, match="missing required key 'model'"):
        manifest.load(write(tmp_path, {"b.yaml": MORE_ARTIFACTS.replace("owner: bob\n", "")}))


def test_a_project_without_manifests_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HandoverError, match=r"no mkdocs\.yml and no manifest files"):
        manifest.load(tmp_path)
