"""``handover render`` (the first step of other engines) reads mkdocs.yml's repository
settings itself and gives the same "edit source" links as the MkDocs plugin."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handover_docs.engines.render import render_project
from handover_docs.errors import HandoverError
from handover_docs.project import find_project

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"


def _project(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return root


def test_render_links_entries_to_their_lines(tmp_path: Path) -> None:
    root = _project(
        tmp_path, "edit_uri_template: https://github.com/example/fixture/edit/main/docs/{path}\n"
    )
    render_project(find_project(root), tmp_path / "out")
    lines = (root / "handover" / "ops.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.strip() == "- id: dev-1")
    page = (tmp_path / "out" / "handover" / "deviations.md").read_text(encoding="utf-8")
    assert f'href="https://github.com/example/fixture/blob/main/handover/ops.yaml#L{line}"' in page


def test_a_bad_source_links_template_stops_the_render(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "manifests: handover", "manifests: handover\n      source_links: 'javascript:{path}'"
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(HandoverError, match="source_links"):
        render_project(find_project(root), tmp_path / "out")
