"""'Edit source' links: from mkdocs.yml's repository settings to a manifest file's line."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.options import DEFAULTS
from handover_docs.pages.site import build_site, site_options
from handover_docs.pages.source_links import SourceLinks, source_links
from handover_docs.project import find_project

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"
GITHUB = {"repo_url": "https://github.com/org/repo", "edit_uri": "edit/main/docs/"}


def links(settings: dict[str, object], root: Path, option: str = "auto") -> SourceLinks | None:
    return source_links(settings, option=option, root=root, docs=root / "docs")


def test_github_entry_opens_the_file_at_its_line_and_the_page_its_editor(tmp_path: Path) -> None:
    made = links(GITHUB, tmp_path)
    assert made is not None
    file = tmp_path / "handover" / "artifacts.yaml"
    assert made.line_url(file, 12) == (
        "https://github.com/org/repo/blob/main/handover/artifacts.yaml#L12"
    )
    assert made.edit_url(file) == "https://github.com/org/repo/edit/main/handover/artifacts.yaml"


def test_gitlab_with_subgroups_uses_its_blob_view(tmp_path: Path) -> None:
    made = links(
        {"repo_url": "https://gitlab.example.com/group/sub/repo", "edit_uri": "-/edit/dev/docs/"},
        tmp_path,
    )
    assert made is not None
    assert made.line_url(tmp_path / "handover" / "m.yaml", 3) == (
        "https://gitlab.example.com/group/sub/repo/-/blob/dev/handover/m.yaml#L3"
    )


def test_edit_uri_template_gives_the_same_links(tmp_path: Path) -> None:
    made = links(
        {
            "repo_url": "https://github.com/org/repo",
            "edit_uri_template": "https://github.com/org/repo/edit/main/docs/{path}",
        },
        tmp_path,
    )
    assert made is not None
    assert made.line_url(tmp_path / "handover" / "a.yaml", 7) == (
        "https://github.com/org/repo/blob/main/handover/a.yaml#L7"
    )


def test_absolute_edit_uri_template_needs_no_repo_url(tmp_path: Path) -> None:
    """The example's setting: no repo_url, so the theme fetches no star count from GitHub."""
    template = "https://github.com/org/repo/edit/main/docs/{path}"
    made = links({"edit_uri_template": template}, tmp_path)
    assert made is not None
    assert made.line_url(tmp_path / "handover" / "a.yaml", 9) == (
        "https://github.com/org/repo/blob/main/handover/a.yaml#L9"
    )
    assert links({"edit_uri_template": "edit/main/docs/{path}"}, tmp_path) is None


def test_mkdocs_default_edit_uri_is_followed_for_github(tmp_path: Path) -> None:
    """MkDocs assumes ``edit/master/docs/`` when only repo_url is given: same links here."""
    made = links({"repo_url": "https://github.com/org/repo"}, tmp_path)
    assert made is not None
    assert made.edit_url(tmp_path / "handover" / "a.yaml") == (
        "https://github.com/org/repo/edit/master/handover/a.yaml"
    )


def test_explicit_template_for_another_host(tmp_path: Path) -> None:
    template = "https://git.example.org/org/repo/src/branch/main/{path}#L{line}"
    made = links({}, tmp_path, option=template)
    assert made is not None
    assert made.line_url(tmp_path / "handover" / "my file.yaml", 40) == (
        "https://git.example.org/org/repo/src/branch/main/handover/my%20file.yaml#L40"
    )


def test_nothing_configured_means_no_link(tmp_path: Path) -> None:
    assert links({}, tmp_path) is None
    assert links({"repo_url": None, "edit_uri": "edit/main/docs/"}, tmp_path) is None
    assert links(GITHUB, tmp_path, option="off") is None


def test_unknown_host_edits_the_file_but_gives_no_line_link(tmp_path: Path) -> None:
    """No guessed line fragment: the page's edit button only (MkDocs's own rule)."""
    made = links(
        {"repo_url": "https://forge.example.org/org/repo", "edit_uri": "_edit/main/docs/"},
        tmp_path,
    )
    assert made is not None
    file = tmp_path / "handover" / "a.yaml"
    assert made.line_url(file, 5) is None
    assert made.edit_url(file) == "https://forge.example.org/org/repo/_edit/main/handover/a.yaml"


def test_edit_uri_not_naming_the_docs_folder_gives_no_link(tmp_path: Path) -> None:
    """Where the manifests are cannot be known: no link rather than a wrong one."""
    wrong = {"repo_url": "https://github.com/org/repo", "edit_uri": "edit/main/documentation/"}
    assert links(wrong, tmp_path) is None
    near = {"repo_url": "https://github.com/org/repo", "edit_uri": "edit/main/mydocs/"}
    assert links(near, tmp_path) is None
    noext = {
        "repo_url": "https://github.com/org/repo",
        "edit_uri_template": "edit/main/docs/{path_noext}.md",
    }
    assert links(noext, tmp_path) is None


@pytest.mark.parametrize(
    "settings",
    [
        {"repo_url": "javascript:alert(1)//", "edit_uri": "edit/main/docs/"},
        {"repo_url": "data:text/html,<script>x</script>", "edit_uri": "docs/"},
        {"repo_url": "https://github.com/org/repo", "edit_uri": "javascript:alert(1)//docs/"},
        {"repo_url": "https://github.com/org/{line}", "edit_uri": "edit/main/docs/"},
        {"repo_url": 'https://github.com/org/"onmouseover=x', "edit_uri": "edit/main/docs/"},
    ],
)
def test_hostile_repository_settings_make_no_link(tmp_path: Path, settings: dict[str, str]) -> None:
    assert links(settings, tmp_path) is None


@pytest.mark.parametrize(
    "template", ["javascript:alert('{path}{line}')", "https://h/{path}/{nope}", "https://h/x"]
)
def test_bad_source_links_template_is_a_located_error(tmp_path: Path, template: str) -> None:
    with pytest.raises(HandoverError) as caught:
        links({}, tmp_path, option=template)
    assert "source_links" in str(caught.value.findings[0])


def test_paths_are_from_the_git_top_when_mkdocs_yml_is_in_a_sub_folder(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    site = tmp_path / "ml" / "site"
    (site / "docs").mkdir(parents=True)
    made = source_links(
        {"repo_url": "https://github.com/org/repo", "edit_uri": "edit/main/ml/site/docs/"},
        option="auto",
        root=site,
        docs=site / "docs",
    )
    assert made is not None
    assert made.line_url(site / "handover" / "a.yaml", 2) == (
        "https://github.com/org/repo/blob/main/ml/site/handover/a.yaml#L2"
    )


def _line_of(yaml_file: Path, entry_id: str) -> int:
    for number, line in enumerate(yaml_file.read_text(encoding="utf-8").splitlines(), 1):
        if re.fullmatch(rf"\s*- id: {re.escape(entry_id)}\s*", line):
            return number
    raise AssertionError(f"{entry_id} not in {yaml_file}")


def test_generated_pages_link_each_entry_to_its_line(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    project = find_project(root)
    loaded = manifest.load_project(project)
    options = site_options(
        DEFAULTS,
        project.root,
        directory_urls=True,
        site_url=None,
        inline_diagrams=False,
        settings={"repo_url": "https://github.com/example/fixture", "edit_uri": "edit/main/docs/"},
        docs=project.docs,
    )
    site = build_site(loaded, options)
    line = _line_of(root / "handover" / "inventory.yaml", "train-code")
    page = site.pages["handover/artifacts.md"]
    url = f"https://github.com/example/fixture/blob/main/handover/inventory.yaml#L{line}"
    assert f'<a class="ho-source" href="{url}"' in page
    assert f"inventory.yaml:{line}</a>" in page
    decision = _line_of(root / "handover" / "ops.yaml", "threshold-choice")
    assert f"ops.yaml#L{decision}" in site.pages["handover/decisions.md"]
    assert site.edit_urls["handover/artifacts.md"] == (
        "https://github.com/example/fixture/edit/main/handover/inventory.yaml"
    )
    assert "handover/changes.md" not in site.edit_urls  # git history: no source file
    unlinked = build_site(loaded, dataclasses.replace(options, source_links=None))
    assert "ho-source" not in "".join(unlinked.pages.values())
    assert unlinked.edit_urls == {}
