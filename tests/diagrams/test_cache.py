"""The diagram cache: a hit never runs Graphviz (checked with a logging `dot` on PATH)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.diagrams import render_diagrams
from handover_docs.diagrams.cache import MAX_ENTRIES, CachedRender, DiagramCache
from tests.diagrams.fixture_project import ARCHITECTURE, write_project

FIRST_RENDER = 5
"""Graphviz runs for the fixture's four diagrams: its architecture, too wide left to right, is
drawn once more, folded into rows (the layout is chosen by measuring real drawings)."""


def link_for(ident: str) -> str:
    return f"../inventory/#{ident}"


@pytest.fixture
def dot_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a real shell script named `dot` first on PATH: it logs each call, then runs Graphviz."""
    real = shutil.which("dot")
    assert real, "Graphviz 'dot' is needed (apt-get install graphviz)"
    shim = tmp_path / "shim"
    shim.mkdir()
    log = tmp_path / "dot-calls.log"
    script = shim / "dot"
    script.write_text(f'#!/bin/sh\necho "dot $*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_cache_hit_does_not_call_graphviz(project: Path, tmp_path: Path, dot_log: Path) -> None:
    cache = tmp_path / "cache"
    loaded = manifest.load(project)
    first = render_diagrams(loaded, cache_dir=cache, link_for=link_for)
    assert len(first) == 4 and calls(dot_log) == FIRST_RENDER
    assert not any(d.from_cache for d in first.values())
    second = render_diagrams(manifest.load(project), cache_dir=cache, link_for=link_for)
    assert calls(dot_log) == FIRST_RENDER, "a cache hit ran Graphviz"
    assert all(d.from_cache for d in second.values())
    for key in first:
        assert second[key].svg == first[key].svg
        assert second[key].alt == first[key].alt
        assert second[key].source_digest == first[key].source_digest
    assert sorted(p.suffix for p in cache.iterdir()) == [".svg"] * 4


def test_only_the_changed_diagram_is_rendered_again(tmp_path: Path, dot_log: Path) -> None:
    cache = tmp_path / "cache"
    root = write_project(tmp_path / "p")
    render_diagrams(manifest.load(root), cache_dir=cache, link_for=link_for)
    assert calls(dot_log) == FIRST_RENDER
    write_project(root, ARCHITECTURE.replace("label: Scoring API", "label: Scoring service"))
    again = render_diagrams(manifest.load(root), cache_dir=cache, link_for=link_for)
    assert calls(dot_log) == FIRST_RENDER + 2  # the architecture, as authored and folded
    assert [k for k, d in again.items() if not d.from_cache] == ["architecture"]
    assert b"Scoring service" in again["architecture"].svg


def test_a_changed_link_map_misses_the_cache(project: Path, tmp_path: Path, dot_log: Path) -> None:
    cache = tmp_path / "cache"
    loaded = manifest.load(project)
    render_diagrams(loaded, cache_dir=cache, link_for=link_for)
    moved = render_diagrams(loaded, cache_dir=cache, link_for=lambda i: f"../pages/{i}/")
    # The pathways have no links; the two others changed (the architecture: two drawings).
    assert calls(dot_log) == FIRST_RENDER + 3
    assert b'xlink:href="../pages/api/"' in moved["architecture"].svg


def test_png_fallback_is_cached_too(project: Path, tmp_path: Path, dot_log: Path) -> None:
    cache = tmp_path / "cache"
    loaded = manifest.load(project)
    first = render_diagrams(loaded, cache_dir=cache, link_for=link_for, png=True)
    assert calls(dot_log) == FIRST_RENDER
    second = render_diagrams(loaded, cache_dir=cache, link_for=link_for, png=True)
    assert calls(dot_log) == FIRST_RENDER
    for key, diagram in second.items():
        assert diagram.png is not None and diagram.png == first[key].png
        assert diagram.png_filename == f"{key}.png"


def test_cache_matches_a_fresh_render(project: Path, tmp_path: Path) -> None:
    loaded = manifest.load(project)
    cached = render_diagrams(loaded, cache_dir=tmp_path / "c", link_for=link_for)
    cached = render_diagrams(loaded, cache_dir=tmp_path / "c", link_for=link_for)
    fresh = render_diagrams(loaded, cache_dir=None, link_for=link_for)
    assert {k: d.svg for k, d in cached.items()} == {k: d.svg for k, d in fresh.items()}


def test_a_damaged_entry_is_rendered_again(project: Path, tmp_path: Path, dot_log: Path) -> None:
    cache = tmp_path / "cache"
    loaded = manifest.load(project)
    good = render_diagrams(loaded, cache_dir=cache, link_for=link_for)
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[:100])
    again = render_diagrams(loaded, cache_dir=cache, link_for=link_for)
    assert calls(dot_log) == 2 * FIRST_RENDER
    assert {k: d.svg for k, d in again.items()} == {k: d.svg for k, d in good.items()}


def test_cache_folder_is_pruned_to_the_most_recent_entries(tmp_path: Path) -> None:
    store = DiagramCache(tmp_path)
    for i in range(MAX_ENTRIES + 5):
        store.put(f"{i:064x}", CachedRender(b"<svg></svg>", None))
        os.utime(tmp_path / f"{i:064x}.svg", ns=(i * 10**9, i * 10**9))
    store.prune()
    names = {p.name for p in tmp_path.iterdir()}
    assert len(names) == MAX_ENTRIES
    assert f"{0:064x}.svg" not in names and f"{MAX_ENTRIES + 4:064x}.svg" in names
    assert not [n for n in names if n.startswith(".")]
