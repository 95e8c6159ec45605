"""``handover build --engine zensical``: the entries carry the same "edit source" links as
with MkDocs, and every page's edit button opens the file to edit: a generated page's its
manifest file (never a ``docs/handover/*.md`` that does not exist, which Zensical itself
would name), a narrative's its Markdown file (Zensical's own button, or MkDocs's address
when only ``edit_uri_template`` is set, which Zensical ignores)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_helpers import Built

from tests.conftest import FIXTURES, run_cli

EXAMPLE_REPO = "https://github.com/example/breast-mass-handover"
REPO = "https://github.com/org/repo"
EDIT_BUTTON = re.compile(r'<a href="([^"]*)"[^>]*\brel="edit"')


def _buttons(site: Path) -> dict[str, list[str]]:
    """Page (URL path) -> the addresses of its edit buttons."""
    return {
        html.parent.relative_to(site).as_posix(): EDIT_BUTTON.findall(html.read_text("utf-8"))
        for html in sorted(site.rglob("index.html"))
    }


def _no_button_names_a_generated_file(site: Path) -> None:
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'href="[^"]*/docs/handover/[^"]*\.md"', text), html


def test_entries_link_to_their_lines_and_buttons_open_the_files_to_edit(
    zensical_example: Built,
) -> None:
    lines = (zensical_example.project / "handover" / "artifacts.yaml").read_text("utf-8")
    line = lines.splitlines().index("  - id: model-weights") + 1
    page = (zensical_example.site / "handover" / "artifacts" / "index.html").read_text("utf-8")
    assert f'href="{EXAMPLE_REPO}/blob/main/handover/artifacts.yaml#L{line}"' in page
    _no_button_names_a_generated_file(zensical_example.site)
    buttons = _buttons(zensical_example.site)
    # the example sets only edit_uri_template, which Zensical ignores: the buttons are
    # still MkDocs's ones (a manifest file for a generated page, the Markdown otherwise)
    assert buttons["handover/artifacts"] == [f"{EXAMPLE_REPO}/edit/main/handover/artifacts.yaml"]
    assert buttons["."] == [f"{EXAMPLE_REPO}/edit/main/docs/index.md"]
    assert buttons["handover/changes"] == []  # made from git history: no file to edit


def _project(tmp_path: Path, theme_extra: str = "") -> Path:
    """The small fixture project with ``repo_url`` + ``edit_uri`` and the edit buttons on."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "site", root)
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    text = text.replace(
        "docs_dir: docs\n", f"docs_dir: docs\nrepo_url: {REPO}\nedit_uri: edit/main/docs/\n"
    )
    text = text.replace(
        "    - content.tooltips\n",
        "    - content.tooltips\n    - content.action.edit\n    - content.action.view\n",
    )
    config.write_text(text.replace("  font: false\n", f"  font: false\n{theme_extra}"), "utf-8")
    return root


def _build(root: Path, site: Path, *engine: str) -> str:
    built = run_cli(["build", *engine, "-d", str(site)], cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    return built.stdout + built.stderr


@pytest.fixture(scope="module")
def repo_sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fixture project with repo_url + edit_uri built by MkDocs and by Zensical."""
    tmp = tmp_path_factory.mktemp("edit-buttons")
    root = _project(tmp)
    _build(root, tmp / "mkdocs-site")
    _build(root, tmp / "zensical-site", "--engine", "zensical")
    return tmp / "mkdocs-site", tmp / "zensical-site"


def test_generated_pages_buttons_open_their_manifest_file_as_with_mkdocs(
    repo_sites: tuple[Path, Path],
) -> None:
    mkdocs_site, zensical_site = repo_sites
    _no_button_names_a_generated_file(zensical_site)
    buttons = _buttons(zensical_site)
    assert buttons["handover/artifacts"] == [f"{REPO}/edit/main/handover/inventory.yaml"]
    assert buttons["handover/model-card"] == [f"{REPO}/edit/main/handover/model.yaml"]
    assert buttons["handover/changes"] == []
    assert buttons["handover/status"] == []  # made from several manifest files
    generated = {page: b for page, b in buttons.items() if page.startswith("handover")}
    assert generated == {p: b for p, b in _buttons(mkdocs_site).items() if p in generated}
    for page, urls in generated.items():
        assert all(
            re.fullmatch(rf"{REPO}/(edit|blob)/main/handover/\w+\.yaml(#L\d+)?", u) for u in urls
        ), page


def test_narratives_keep_zensicals_own_buttons(repo_sites: tuple[Path, Path]) -> None:
    zensical_site = repo_sites[1]
    buttons = _buttons(zensical_site)
    assert buttons["."] == [f"{REPO}/edit/main/docs/index.md"]
    assert buttons["runbook"] == [f"{REPO}/edit/main/docs/runbook.md"]
    home = (zensical_site / "index.html").read_text("utf-8")
    assert f'href="{REPO}/raw/main/docs/index.md"' in home  # content.action.view
    card = (zensical_site / "handover" / "model-card" / "index.html").read_text("utf-8")
    assert f'href="{REPO}/raw/main/handover/model.yaml"' in card
    assert "handover_edit_url" not in (zensical_site / "search.json").read_text("utf-8")


def test_a_projects_own_theme_overrides_are_kept(tmp_path: Path) -> None:
    root = _project(tmp_path, "  custom_dir: overrides\n")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}Project banner{% endblock %}\n', "utf-8"
    )
    site = tmp_path / "site"
    _build(root, site, "--engine", "zensical")
    assert "Project banner" in (site / "handover" / "artifacts" / "index.html").read_text("utf-8")
    assert _buttons(site)["handover/artifacts"] == [f"{REPO}/edit/main/handover/inventory.yaml"]
    assert not (root / "overrides" / "partials").exists()  # the project is left alone


def test_a_projects_own_actions_partial_decides_and_the_build_says_so(tmp_path: Path) -> None:
    root = _project(tmp_path, "  custom_dir: overrides\n")
    (root / "overrides" / "partials").mkdir(parents=True)
    (root / "overrides" / "partials" / "actions.html").write_text(
        "{% if page.meta and page.meta.handover_edit_url %}"
        '<a href="{{ page.meta.handover_edit_url }}" rel="edit">edit</a>{% endif %}\n',
        "utf-8",
    )
    site = tmp_path / "site"
    output = _build(root, site, "--engine", "zensical")
    assert "overrides partials/actions.html" in output and "handover_edit_url" in output
    assert _buttons(site)["handover/artifacts"] == [f"{REPO}/edit/main/handover/inventory.yaml"]
    assert _buttons(site)["."] == []  # the project's partial shows only the front-matter one


def test_live_editing_serves_the_same_buttons(tmp_path: Path) -> None:
    """``handover serve --engine zensical`` renders with the same partial and front matter
    (rendering only: the server itself is tested in test_zensical_serve.py)."""
    from handover_docs.engines.config import read_settings
    from handover_docs.engines.serve import ZensicalServer
    from handover_docs.project import find_project

    root = _project(tmp_path, "  custom_dir: overrides\n")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text('{% extends "base.html" %}\n', "utf-8")
    server = ZensicalServer(find_project(str(root)), report=print)
    server.render()
    theme = Path(read_settings(server.folder / "mkdocs.yml")["theme"]["custom_dir"])
    assert theme.is_absolute() and (theme / "main.html").is_file()
    assert "handover_edit_url" in (theme / "partials" / "actions.html").read_text("utf-8")
    artifacts = (server.folder / "docs" / "handover" / "artifacts.md").read_text("utf-8")
    assert artifacts.startswith(
        f"---\nhandover_edit_url: {REPO}/edit/main/handover/inventory.yaml\n---\n"
    )
    assert root / "overrides" in server.watched()
