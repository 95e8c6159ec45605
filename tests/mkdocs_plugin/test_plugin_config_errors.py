"""Malformed ``handover`` plugin options in mkdocs.yml: a located error, never a traceback,
both for ``mkdocs build`` (MkDocs' own clean error) and for the ``handover`` commands that
read mkdocs.yml themselves (``project.py``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from signed_helpers import handover, run

SCAFFOLD_LINE = "  - handover:\n      manifests: handover\n"


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("config-errors")
    made = handover("init", str(tmp / "p"), cwd=tmp)
    assert made.returncode == 0, made.stderr
    text = (tmp / "p" / "mkdocs.yml").read_text(encoding="utf-8")
    assert text.endswith(SCAFFOLD_LINE)
    return tmp / "p"


def _with_plugin_entry(scaffold: Path, tmp_path: Path, entry: str) -> tuple[Path, int]:
    """A copy of the scaffold whose handover entry is ``entry``; and the entry's line."""
    root = tmp_path / "p"
    shutil.copytree(scaffold, root)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").removesuffix(SCAFFOLD_LINE)
    config.write_text(text + entry, encoding="utf-8")
    return root, text.count("\n") + 1


BAD = {
    "list": ("  - handover: [1, 2]\n", 15, "must be a mapping, not a list"),
    "text": ("  - handover: abc\n", 15, "must be a mapping, not the value 'abc'"),
}


@pytest.mark.parametrize("case", ["list", "text"])
def test_mkdocs_build_gives_a_clean_error(scaffold: Path, tmp_path: Path, case: str) -> None:
    root, _ = _with_plugin_entry(scaffold, tmp_path, BAD[case][0])
    built = run([sys.executable, "-m", "mkdocs", "build"], cwd=root)
    assert built.returncode != 0
    assert "Invalid config options for the 'handover' plugin" in built.stderr
    assert "Traceback" not in built.stderr


@pytest.mark.parametrize("case", ["list", "text"])
@pytest.mark.parametrize("command", [["validate"], ["render", "--out", "rendered"]])
def test_handover_commands_give_a_located_error_and_exit_2(
    scaffold: Path, tmp_path: Path, case: str, command: list[str]
) -> None:
    entry, col, message = BAD[case]
    root, line = _with_plugin_entry(scaffold, tmp_path, entry)
    done = handover(*command, cwd=root)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"mkdocs.yml:{line}:{col}: error: the options of the 'handover' plugin {message}" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr


def test_plugins_as_a_mapping_and_text_options_are_checked_too(
    scaffold: Path, tmp_path: Path
) -> None:
    """MkDocs also accepts ``plugins:`` as a mapping; an option that must be text is checked."""
    root, line = _with_plugin_entry(scaffold, tmp_path, "")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("plugins:\n  - search\n", "plugins:\n")
    config.write_text(text + "  search: {}\n  handover: abc\n", encoding="utf-8")
    done = handover("validate", cwd=root)
    assert done.returncode == 2
    assert f"mkdocs.yml:{line}:13: error: the options of the 'handover' plugin" in done.stderr
    config.write_text(text + "  handover:\n    manifests: [a, b]\n", encoding="utf-8")
    done = handover("validate", cwd=root)
    assert done.returncode == 2
    expected = f"mkdocs.yml:{line}:16: error: handover plugin option 'manifests' must be text"
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    # and a well-formed mapping form works: the manifests are found and valid
    config.write_text(text + "  search: {}\n  handover:\n    manifests: handover\n", "utf-8")
    assert handover("validate", cwd=root).returncode == 0
