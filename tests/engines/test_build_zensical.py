"""``handover build --engine zensical``: every generated page, the diagrams, search,
glossary tooltips, a signature that ``handover verify`` accepts, the project untouched."""

from __future__ import annotations

import json
from pathlib import Path

from browser_helpers import Built

from tests.conftest import run_cli


def test_the_zensical_site_is_signed_and_verifies(zensical_example: Built) -> None:
    pub = Path(str(zensical_example.project.parent / "keys" / "release-key") + ".pub")
    verified = run_cli(["verify", str(zensical_example.site), "--key", str(pub)])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    generator = (zensical_example.site / "index.html").read_text(encoding="utf-8")
    assert 'name="generator" content="zensical' in generator


def test_every_generated_page_diagram_and_asset_is_in_the_site(
    zensical_example: Built, tmp_path: Path
) -> None:
    rendered = run_cli(
        ["render", "--no-docs", "--out", str(tmp_path / "r"), "--json"],
        cwd=zensical_example.project,
    )
    assert rendered.returncode == 0, rendered.stderr
    report = json.loads(rendered.stdout)
    site = zensical_example.site
    for page in report["pages"]:
        html = site / (page.removesuffix("index.md").removesuffix(".md")) / "index.html"
        assert html.is_file(), f"generated page {page} missing from the Zensical site"
    for name in ("architecture.svg", "lineage.svg", "assets/handover.css", "assets/diagrams.css"):
        assert (site / "handover" / name).is_file(), name
    assert (site / "assets" / "handover" / "verify.js").is_file()
    architecture = (site / "handover" / "architecture" / "index.html").read_text("utf-8")
    assert 'src="../architecture.svg"' in architecture
    # the stylesheets are loaded on every page, the verify page finds its script
    assert 'href="../assets/handover.css"' in architecture
    verify = (site / "handover" / "verify" / "index.html").read_text("utf-8")
    assert 'src="../../assets/handover/verify.js"' in verify


def test_nav_search_and_glossary_tooltips(zensical_example: Built) -> None:
    site = zensical_example.site
    card = (site / "handover" / "model-card" / "index.html").read_text("utf-8")
    # the Handover tab replaced the nav placeholder, with its sections
    for title in ("Model card", "Artifact inventory", "Deployment guidance", "Glossary"):
        assert f">{title}<" in card or f"> {title} <" in card or title in card
    index = json.loads((site / "search.json").read_text("utf-8"))
    text = json.dumps(index)
    assert "model-card" in text and "Screening support, not diagnosis" in text
    summary = (site / "summary" / "index.html").read_text("utf-8")
    assert 'href="../handover/glossary/#term-' in summary
    assert 'title="' in summary.split('href="../handover/glossary/#term-', 1)[1][:400]


def test_the_build_leaves_no_trace_in_the_project(zensical_example: Built) -> None:
    project = zensical_example.project
    assert not list(project.glob(".handover-build-*"))
    assert not list(zensical_example.site.parent.glob(".handover-build-*"))
    assert not (project / "docs" / "handover").exists()
    assert "handover:" in (project / "mkdocs.yml").read_text("utf-8")
