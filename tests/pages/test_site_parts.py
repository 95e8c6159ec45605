"""Core pieces the site engines share: served URLs, statuses, the evidence gate, footers."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.checks import evidence as ev
from handover_docs.errors import HandoverError
from handover_docs.pages.evidence import evidence_gate, evidence_sha256
from handover_docs.pages.figures import page_url, relative_url, site_root
from handover_docs.pages.footers import history_footers, with_footer
from handover_docs.pages.render import STATUSES, item_statuses, public_key_id, render_pages
from handover_docs.pages.site import SiteOptions, build_site

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"


@pytest.fixture(scope="module")
def loaded() -> manifest.LoadedHandover:
    return manifest.load(FIXTURE)


def test_served_urls_match_mkdocs() -> None:
    assert page_url("handover/index.md") == "handover/"
    assert page_url("handover/lineage.md") == "handover/lineage/"
    assert page_url("handover/lineage.md", directory_urls=False) == "handover/lineage.html"
    assert page_url("index.md") == ""
    assert relative_url("handover/artifacts/#id-w", "handover/lineage/") == "../artifacts/#id-w"
    assert relative_url("handover/artifacts/#id-w", "handover/") == "artifacts/#id-w"
    assert relative_url("handover/#id-w", "handover/") == "#id-w"
    assert relative_url("handover/", "handover/lineage/") == "../"
    assert relative_url("summary/", "handover/datasets/x/") == "../../../summary/"
    assert relative_url("handover/a.html#x", "handover/b.html") == "a.html#x"
    assert relative_url("handover/artifacts/#id-w", "handover/lineage.svg") == "artifacts/#id-w"
    assert site_root("handover/verify.md") == "../../"
    assert site_root("handover/verify.md", directory_urls=False) == "../"
    assert site_root("index.md") == "./"


def test_statuses_use_the_checks_engine_names(loaded: manifest.LoadedHandover) -> None:
    assert STATUSES == ("pass", "fail", "skipped", "stale", "not-run", "manual")
    statuses = item_statuses(loaded, {})
    assert {s.status for s in statuses.values()} <= {"not-run", "manual"}
    first = next(iter(statuses))
    failed = dataclasses.replace(statuses[first], status="fail")
    assert item_statuses(loaded, {first: failed})[first].status == "fail"
    overview = render_pages(loaded).pages["handover/index.md"]
    assert 'ho-not-run">not run</span>' in overview


def test_evidence_gate_names_each_required_item_at_its_place(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    with pytest.raises(HandoverError) as caught:
        evidence_gate(loaded, tmp_path / "none.json")
    findings = caught.value.findings
    required = [i for i in loaded.handover.checklist if i.required and not i.done]
    assert len(findings) >= len([i for i in required if i.check is not None])
    for finding in findings:
        assert finding.location.file.endswith(".yaml") and finding.location.line > 0
        assert "require_evidence" in finding.hint
    assert evidence_sha256(tmp_path / "none.json") is None


def test_evidence_gate_passes_when_every_required_item_passes(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    statuses = ev.status_for(None, loaded)
    records = {
        s.id: {
            "id": s.id,
            "kind": s.kind,
            "status": "pass",
            "manifest_digest": loaded.digest,
        }
        for s in statuses.values()
        if s.kind != "manual"
    }
    data = {
        "format": ev.FORMAT,
        "tool": {"version": "0"},
        "manifest_digest": loaded.digest,
        "started_at": "2026-11-26T00:00:00Z",
        "finished_at": "2026-11-26T00:00:01Z",
        "duration": 1.0,
        "checks": records,
    }
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    manual_open = [i for i in loaded.handover.checklist if i.check is None and not i.done]
    if any(i.required for i in manual_open):
        with pytest.raises(HandoverError) as caught:
            evidence_gate(loaded, path)
        assert all("not run" in f.message for f in caught.value.findings)
    else:
        evidence_gate(loaded, path)
    assert evidence_sha256(path) == ev.evidence_digest(path)


def test_public_key_id_from_the_environment() -> None:
    good = "sha256:" + "a" * 64
    assert public_key_id({}) is None
    assert public_key_id({"HANDOVER_PUBLIC_KEY_ID": good}) == good
    with pytest.raises(HandoverError, match="not a key id"):
        public_key_id({"HANDOVER_PUBLIC_KEY_ID": "sha256:<b>"})


def test_footers_say_why_without_git_and_append_cleanly(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    footers = history_footers(root, {"a.md": [root / "docs" / "index.md"]})
    assert "history unavailable: not a git repository" in footers["a.md"]
    assert with_footer("# A\n\n", footers["a.md"]).startswith("# A\n\n---\n\n*history")
    assert with_footer("# A\n", None) == "# A\n"


def test_build_site_publishes_every_asset_and_page_sources(
    loaded: manifest.LoadedHandover, tmp_path: Path
) -> None:
    site = build_site(loaded, SiteOptions(cache_dir=tmp_path / "cache", inline_diagrams=False))
    assert {"handover/assets/handover.css", "handover/assets/diagrams.css"} <= set(site.assets)
    assert "assets/handover/verify.js" in site.assets
    assert "handover/lineage.svg" in site.assets and "handover/architecture.svg" in site.assets
    # every page but the changes page (history itself) has the files its footer tracks
    assert set(site.sources) == set(site.pages) - {"handover/changes.md"}
    for page, files in site.sources.items():
        assert files and all(f.is_absolute() and f.is_file() for f in files), page
    dataset = site.sources["handover/datasets/iris-data.md"]
    assert len(dataset) == 1 and dataset[0].suffix == ".yaml"
