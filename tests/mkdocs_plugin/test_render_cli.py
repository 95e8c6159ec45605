"""``handover render``: the same pages as plain Markdown, without MkDocs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from plugin_helpers import copy_fixture


def _handover(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handover_docs", *args], cwd=cwd, capture_output=True, text=True
    )


def test_render_writes_generated_pages_and_resolved_narratives(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    result = _handover("render", "--out", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    assert (out / "handover" / "model-card.md").is_file()
    assert (out / "handover" / "datasets" / "iris-data.md").is_file()
    assert (out / "handover" / "assets" / "handover.css").is_file()
    assert "Handover:" in (out / "handover" / "nav.yml").read_text()
    card = (out / "handover" / "model-card.md").read_text()
    assert "## Intended use" in card
    assert "&lt;script&gt;" in card and "<script>" not in card
    index = (out / "index.md").read_text()
    assert "](handover/artifacts.md#id-weights)" in index
    assert "[[=model.version]]" not in index and "1.2.3" in index


def test_render_reports_bad_input_cleanly(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "docs" / "runbook.md").write_text("# R\n\n[[=model.nope]]\n")
    result = _handover("render", "--out", str(tmp_path / "out"), cwd=root)
    assert result.returncode == 2
    assert "docs/runbook.md:3:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_core_renders_without_importing_mkdocs(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    code = (
        "import sys\n"
        "from handover_docs import manifest\n"
        "from handover_docs.pages import render_pages\n"
        "from handover_docs.cli import render_cmds\n"
        "site = render_pages(manifest.load('.'))\n"
        "assert len(site.pages) == 23, len(site.pages)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'mkdocs'], 'mkdocs imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_rendered_markdown_links_terms_and_builds_safely_without_the_plugin(
    tmp_path: Path,
) -> None:
    from plugin_helpers import mkdocs, parse

    root = copy_fixture(tmp_path)
    out = tmp_path / "plain" / "docs"
    result = _handover("render", "--out", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    index = (out / "index.md").read_text()
    assert '[decision threshold](handover/glossary.md#term-decision-threshold "' in index
    assert "`the threshold in code`" in index  # code untouched
    assert "## About the threshold" in index  # headings untouched
    glossary = (out / "handover" / "glossary.md").read_text()
    assert "](handover/glossary.md" not in glossary
    # a plain MkDocs (no handover plugin) builds it strict, and nothing in it is live
    (tmp_path / "plain" / "mkdocs.yml").write_text(
        "site_name: plain\ntheme: {name: material, font: false}\n"
        "exclude_docs: handover/nav.yml\n"
        "markdown_extensions: [admonition, attr_list, tables, toc, pymdownx.tasklist]\n"
        "extra_css: [handover/assets/handover.css]\n"
    )
    built = mkdocs("build", "--strict", "-d", "site", cwd=tmp_path / "plain")
    assert built.returncode == 0, built.stderr
    site = tmp_path / "plain" / "site"
    home = parse(site / "index.html")
    terms = [e for e in home.elements if e.tag == "a" and "#term-" in e.attrs.get("href", "")]
    assert [t.text for t in terms] == ["decision threshold", "threshold", "AUC"]
    assert terms[0].attrs["title"] == (
        "Decision threshold: The score above which ‹script›alert(’gloss’)‹/script› we act."
    )
    for page in site.rglob("*.html"):
        for el in parse(page).elements:
            assert not (el.tag == "script" and "alert" in el.text), page
            assert not any(name.startswith("on") for name in el.attrs), page
            assert not el.attrs.get("href", "").lower().startswith("javascript:"), page


def test_inline_diagrams_render_as_the_plugin_shows_them(tmp_path: Path) -> None:
    """``--inline-diagrams``: the lineage drawing is in the page (nodes that link), as the
    plugin shows it; by default it is an SVG file beside the pages."""
    root = copy_fixture(tmp_path)
    files, inline = tmp_path / "files", tmp_path / "inline"
    assert _handover("render", "--out", str(files), cwd=root).returncode == 0
    done = _handover("render", "--out", str(inline), "--inline-diagrams", cwd=root)
    assert done.returncode == 0, done.stderr
    by_file = (files / "handover" / "lineage.md").read_text()
    in_page = (inline / "handover" / "lineage.md").read_text()
    assert "<svg" not in by_file and ".svg" in by_file
    assert list((files / "handover").rglob("*.svg"))
    assert "<svg" in in_page and "<a " in in_page.split("<svg", 1)[1]
    assert not list((inline / "handover").rglob("*.svg"))
