"""render_pages: the catalog, anchors for every id, overrides, evidence and diagrams."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.checks.evidence import (
    CheckRecord,
    ComparisonRecord,
    Evidence,
    Tool,
    status_for,
)
from handover_docs.errors import HandoverError
from handover_docs.pages import PAGES, PageSpec, add_page, render_pages
from handover_docs.pages.catalog import ANCHOR_PAGES
from handover_docs.pages.figures import Figures

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"


@pytest.fixture(scope="module")
def loaded() -> manifest.LoadedHandover:
    return manifest.load(FIXTURE)


def test_every_catalog_page_is_rendered_and_in_the_nav(loaded: manifest.LoadedHandover) -> None:
    site = render_pages(loaded)
    assert set(site.pages) == {f"handover/{s.path}" for s in PAGES if not s.each} | {
        "handover/datasets/iris-data.md"
    }
    nav_paths = re.findall(r"'(handover/[^']+\.md)'", repr(site.nav))
    assert sorted(nav_paths) == sorted(site.pages)
    assert next(iter(site.nav[0])) == "Handover"
    assert "handover/assets/handover.css" in site.assets


def test_every_id_has_an_anchor_on_its_page(loaded: manifest.LoadedHandover) -> None:
    site = render_pages(loaded)
    for ident, (collection, _) in loaded.ids.items():
        if collection == "narratives":
            continue
        page = "handover/" + ANCHOR_PAGES[collection].format(id=ident)
        text = site.pages[page]
        if collection != "datasets":
            assert f"#id-{ident} }}" in text or f'id="id-{ident}"' in text, (ident, page)


def test_evidence_and_diagrams_plug_in(loaded: manifest.LoadedHandover, tmp_path: Path) -> None:
    bare = render_pages(loaded)
    assert "not run" in bare.pages["handover/checklist.md"]
    assert "<svg" not in bare.pages["handover/architecture.md"]
    assert "<svg" not in bare.pages["handover/lineage.md"]
    figures = Figures(loaded, cache_dir=tmp_path / "cache")
    record = status_for(None, loaded)["checklist-hash"]
    record.status, record.measured, record.expected = "fail", "<script>x</script>", "9f86d0"
    record.finished_at = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
    site = render_pages(loaded, evidence={"checklist-hash": record}, diagrams=figures)
    checklist = site.pages["handover/checklist.md"]
    assert 'ho-chip ho-fail">fail</span> measured `<script>x</script>`' in checklist
    assert "2026-11-20 10:00 UTC" in checklist
    arch = site.pages["handover/architecture.md"]
    assert 'id="diagram-architecture"' in arch and 'id="diagram-pathway-pw-1"' in arch
    assert 'id="diagram-lineage"' in site.pages["handover/lineage.md"]
    overview = site.pages["handover/index.md"]
    assert "ho-fail" in overview
    assert (
        'class="handover-diagram handover-diagram--compact" id="diagram-architecture"' in overview
    )
    # Node links are relative to the page as served (handover/lineage/ -> ../artifacts/)
    assert 'href="#id-' in arch  # components link to their own row on the same page
    assert "../artifacts/#id-" in site.pages["handover/lineage.md"]
    # cached: the second render draws nothing
    again = Figures(loaded, cache_dir=tmp_path / "cache")
    render_pages(loaded, diagrams=again)
    assert again.drawn and all(d.from_cache for d in again.drawn.values())


@pytest.mark.parametrize("inline", [True, False])
def test_diagrams_drawn_ahead_are_the_ones_the_pages_show(
    loaded: manifest.LoadedHandover, tmp_path: Path, inline: bool
) -> None:
    """``build_site`` starts Graphviz for the catalog's figures before rendering the pages
    (``Figures.prefetch``); each drawing made ahead is one a page then shows (links relative
    to that page, or to the SVG file beside it): nothing is drawn twice or for nothing."""
    from handover_docs.pages.site import SiteOptions, build_site

    cache = tmp_path / "cache"
    site = build_site(loaded, SiteOptions(cache_dir=cache, inline_diagrams=inline))
    drawn = sorted(cache.glob("*.svg"))
    # architecture on the overview and on its page (one SVG file in files mode), a pathway,
    # the lineage
    assert len(drawn) == (4 if inline else 3)
    arch = site.pages["handover/architecture.md"]
    assert ('id="diagram-pathway-pw-1"' in arch) if inline else ("pathway-pw-1.svg" in arch)
    again = build_site(loaded, SiteOptions(cache_dir=cache, inline_diagrams=inline))
    assert sorted(cache.glob("*.svg")) == drawn
    assert again.pages == site.pages


def test_without_graphviz_only_a_page_showing_a_diagram_fails(
    loaded: manifest.LoadedHandover, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing ahead never fails a build by itself: with no ``dot`` on PATH, overrides that
    show no diagram build; the built-in pages fail with the missing-Graphviz finding."""
    from handover_docs.pages.site import SiteOptions, build_site

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    overrides = tmp_path / "templates"
    overrides.mkdir()
    for name in ("overview", "architecture", "lineage"):
        (overrides / f"{name}.md.j2").write_text(f"# {name}, no drawing\n", encoding="utf-8")
    options = SiteOptions(cache_dir=tmp_path / "cache", templates_dir=overrides)
    site = build_site(loaded, options)
    assert site.pages["handover/lineage.md"] == "# lineage, no drawing\n"
    with pytest.raises(HandoverError) as raised:
        build_site(loaded, SiteOptions(cache_dir=tmp_path / "cache"))
    assert "Graphviz 'dot' not found" in raised.value.findings[0].message


def test_override_folder_wins_and_can_extend_builtins(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    (tmp_path / "faq.md.j2").write_text('{% extends "builtin/faq.md.j2" %}\n', encoding="utf-8")
    (tmp_path / "model-card.md.j2").write_text(
        '{% extends "builtin/model-card.md.j2" %}{% block header %}# Custom {{ model.name }}\n'
        "{% endblock %}",
        encoding="utf-8",
    )
    site = render_pages(loaded, templates_dir=tmp_path)
    card = site.pages["handover/model-card.md"]
    assert card.startswith("# Custom Fixture &lt;/title&gt;&lt;script&gt;")
    assert "## Intended use" in card


def test_a_broken_override_is_a_located_error(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    (tmp_path / "faq.md.j2").write_text("# FAQ\n\n{{ h.nope.deeper }}\n", encoding="utf-8")
    with pytest.raises(HandoverError) as err:
        render_pages(loaded, templates_dir=tmp_path)
    assert "faq.md.j2:3" in str(err.value)
    (tmp_path / "faq.md.j2").write_text("# FAQ\n{% for %}\n", encoding="utf-8")
    with pytest.raises(HandoverError) as err:
        render_pages(loaded, templates_dir=tmp_path)
    assert "faq.md.j2:2:1" in str(err.value)


def test_compiled_templates_are_kept_and_edits_are_still_seen(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    overrides, cache = tmp_path / "overrides", tmp_path / "cache" / "templates"
    overrides.mkdir()
    faq = overrides / "faq.md.j2"
    faq.write_text("# FAQ, first wording\n", encoding="utf-8")
    first = render_pages(loaded, templates_dir=overrides, template_cache=cache)
    assert first.pages["handover/faq.md"] == "# FAQ, first wording\n"
    compiled = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(compiled) >= 20  # every template used, compiled once
    faq.write_text("# FAQ, second wording\n", encoding="utf-8")
    second = render_pages(loaded, templates_dir=overrides, template_cache=cache)
    assert second.pages["handover/faq.md"] == "# FAQ, second wording\n"
    assert {k: v for k, v in first.pages.items() if k != "handover/faq.md"} == {
        k: v for k, v in second.pages.items() if k != "handover/faq.md"
    }
    # unchanged templates were loaded, not compiled and written again
    unchanged = {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.name in compiled}
    assert sum(compiled[n] != t for n, t in unchanged.items()) <= 1
    # errors in a template loaded through the cache keep their location
    faq.write_text("# FAQ\n\n{{ h.nope.deeper }}\n", encoding="utf-8")
    for _ in ("compiled now", "loaded compiled"):
        with pytest.raises(HandoverError, match=r"faq\.md\.j2:3"):
            render_pages(loaded, templates_dir=overrides, template_cache=cache)


def test_a_cache_folder_that_cannot_be_made_only_costs_time(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    site = render_pages(loaded, template_cache=blocker / "templates")
    assert site.pages == render_pages(loaded).pages


def test_pages_can_be_added_with_one_line(loaded: manifest.LoadedHandover, tmp_path: Path) -> None:
    (tmp_path / "audit.md.j2").write_text("# Audit of {{ model.id }}\n", encoding="utf-8")
    before = list(PAGES)
    try:
        add_page(PageSpec("audit.md", "audit.md.j2", "Audit", "Governance"))
        site = render_pages(loaded, templates_dir=tmp_path)
    finally:
        PAGES[:] = before
    assert site.pages["handover/audit.md"] == "# Audit of fixture-model\n"
    assert "{'Audit': 'handover/audit.md'}" in repr(site.nav)


def test_evidence_records_of_the_checks_engine(loaded: manifest.LoadedHandover) -> None:
    """The pages show what the checks engine recorded: its comparison rows and its time."""
    finished = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.timezone.utc)
    record = CheckRecord(
        id="checklist-hash",
        kind="artifact",
        status="fail",
        message="digest differs",
        manifest_digest=loaded.digest,
        started_at=finished,
        finished_at=finished,
        duration=0.1,
        comparisons=[ComparisonRecord(name="sha256", measured="0.91", expected="0.93", ok=False)],
    )
    evidence = Evidence(
        format="handover-docs/evidence/1",
        tool=Tool(version="test"),
        manifest_digest=loaded.digest,
        started_at=finished,
        finished_at=finished,
        duration=0.1,
        checks={"checklist-hash": record},
    )
    site = render_pages(loaded, evidence=status_for(evidence, loaded))
    checklist = site.pages["handover/checklist.md"]
    assert (
        'ho-fail">fail</span> measured `sha256 0.91` expected `sha256 0.93` · 2026-11-21 08:00 UTC'
        in (checklist)
    )


def test_many_per_entry_pages_are_split_into_nav_chunks(tmp_path: Path) -> None:
    """With navigation.prune a page lists one chunk, so the site stays linear in size."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    sheet = "".join(
        f"      {k}: Text.\n"
        for k in (
            "motivation",
            "composition",
            "collection",
            "preprocessing",
            "uses",
            "distribution",
            "maintenance",
        )
    )
    entries = "".join(
        f"  - id: ds-{i:02d}\n    name: Data set {i:02d}\n    datasheet:\n{sheet}"
        for i in range(44)
    )
    (project / "handover" / "more-data.yaml").write_text(f"handover: 1\ndatasets:\n{entries}")
    site = render_pages(manifest.load(project))
    model = next(v for d in site.nav[0]["Handover"] for k, v in d.items() if k == "Model")
    datasets = next(v for d in model for k, v in d.items() if k == "Datasets")
    chunks = [(k, len(v)) for d in datasets for k, v in d.items()]
    assert chunks == [("1–20", 20), ("21–40", 20), ("41–45", 5)]
    nav_paths = re.findall(r"'(handover/[^']+\.md)'", repr(site.nav))
    assert sorted(nav_paths) == sorted(site.pages)  # every page is still in the nav
