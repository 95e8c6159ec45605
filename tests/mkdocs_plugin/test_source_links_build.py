"""A real ``mkdocs build`` with ``repo_url``/``edit_uri``: entries link to their manifest
line, a generated page's edit button opens its manifest file, narratives keep MkDocs's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from plugin_helpers import Built, build, copy_fixture, parse

REPO_URL = "https://github.com/example/fixture"


@pytest.fixture(scope="module")
def linked_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_fixture(tmp_path_factory.mktemp("linked"))
    config_file = root / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["repo_url"] = REPO_URL
    config["edit_uri"] = "edit/main/docs/"
    config["theme"]["features"].append("content.action.edit")
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    return built


def _line_of(yaml_file: Path, entry_id: str) -> int:
    lines = yaml_file.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.strip() == f"- id: {entry_id}")


def _edit_buttons(built: Built, url: str) -> list[str]:
    return [
        e.attrs["href"] for e in parse(built.page(url)).elements if e.attrs.get("rel") == "edit"
    ]


def test_artifact_links_to_its_line_in_the_manifest(linked_site: Built) -> None:
    line = _line_of(linked_site.root / "handover" / "inventory.yaml", "weights")
    links = [
        e
        for e in parse(linked_site.page("handover/artifacts")).elements
        if e.tag == "a" and "ho-source" in e.attrs.get("class", "")
    ]
    expected = f"{REPO_URL}/blob/main/handover/inventory.yaml#L{line}"
    found = [e for e in links if e.attrs["href"] == expected]
    assert found, [e.attrs["href"] for e in links]
    assert found[0].text.strip() == f"✎\xa0inventory.yaml:{line}"  # wraps as one
    assert found[0].attrs["title"] == f"Edit source: handover/inventory.yaml, line {line}"


def test_generated_page_edit_button_opens_its_manifest(linked_site: Built) -> None:
    assert _edit_buttons(linked_site, "handover/artifacts") == [
        f"{REPO_URL}/edit/main/handover/inventory.yaml"
    ]
    assert _edit_buttons(linked_site, "handover/changes") == []  # git history: no one file


def test_narrative_page_keeps_its_own_edit_button(linked_site: Built) -> None:
    assert _edit_buttons(linked_site, "runbook") == [f"{REPO_URL}/edit/main/docs/runbook.md"]


def test_no_repository_no_links(fixture_site: Built) -> None:
    html = fixture_site.html("handover/artifacts")
    assert not re.search(r'class="ho-source"|rel="edit"', html)


def test_links_stay_out_of_the_search_index(linked_site: Built) -> None:
    """A search for "weights" should not answer with "✎ inventory.yaml:3"."""
    index = (linked_site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Model weights" in index or "weights" in index
    assert "\\u270e" not in index and "✎" not in index
    # file:line labels (the audit page's file:line:col findings are another matter)
    assert not re.search(r"inventory\.yaml:\d+(?![:\d])", index)
