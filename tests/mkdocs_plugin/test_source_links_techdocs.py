"""Edit links under Backstage's techdocs-core, which builds from a temporary copy of docs/:
entries still name their manifest lines in the repository, narratives their own file."""

from __future__ import annotations

import re
from pathlib import Path

from plugin_helpers import parse
from signed_helpers import make_project
from test_techdocs import HANDOVER, NAV, pytestmark, toolchain

__all__ = ["pytestmark", "toolchain"]

REPO_URL = "https://github.com/org/tiny-model"


def test_links_survive_the_temporary_docs_copy(toolchain: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    project.write_config(
        plugins=["techdocs-core", HANDOVER],
        nav=NAV,
        repo_url=REPO_URL,
        edit_uri="edit/main/docs/",
    )
    project.commit("Build with techdocs-core and edit links")
    built = project.build(mkdocs=[str(toolchain / "bin" / "mkdocs")], sign=False)
    assert built.returncode == 0, built.stderr
    site = project.root / "site"
    summary = (site / "summary" / "index.html").read_text(encoding="utf-8")
    assert f'href="{REPO_URL}/edit/main/docs/summary.md"' in summary
    hrefs = [
        e.attrs["href"]
        for e in parse(site / "handover" / "people" / "index.html").elements
        if e.tag == "a" and "ho-source" in e.attrs.get("class", "")
    ]
    assert hrefs, "no edit-source link on the people page"
    for href in hrefs:
        found = re.fullmatch(
            rf"{re.escape(REPO_URL)}/blob/main/(handover/[\w.-]+\.yaml)#L(\d+)", href
        )
        assert found, href
        lines = (project.root / found.group(1)).read_text(encoding="utf-8").splitlines()
        assert re.match(r"\s*- id: ", lines[int(found.group(2)) - 1]), (href, lines[:3])
