"""The example handover's diagrams (the repo's own manifests): complete, linked, reproducible."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from handover_docs import manifest
from handover_docs.diagrams import render_diagrams

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def link_for(ident: str) -> str:
    return f"../entries/#{ident}"


def copy_example(dest: Path) -> Path:
    """The manifests and the files they name, so validation passes in another folder."""
    shutil.copytree(
        REPO,
        dest,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "site", ".handover", "__pycache__", "*.pyc", "tests", "bench"
        ),
    )
    return dest


def test_example_renders_all_diagrams_with_every_component_flow_and_link() -> None:
    loaded = manifest.load(REPO)
    arch = loaded.handover.architecture
    diagrams = render_diagrams(loaded, cache_dir=None, link_for=link_for)
    expected = {"architecture", "lineage"} | {f"pathway-{p.id}" for p in arch.pathways}
    assert set(diagrams) == expected
    svg = ET.fromstring(diagrams["architecture"].svg)
    nodes = {g.get("id"): g for g in svg.iter(f"{SVG}g") if g.get("class") == "node"}
    assert set(nodes) == {f"architecture--{c.id}" for c in arch.components}
    for component in arch.components:
        anchor = nodes[f"architecture--{component.id}"].find(f".//{SVG}a")
        assert anchor is not None
        assert anchor.get(XLINK) == link_for(component.link or component.id)
    edges = {g.findtext(f"{SVG}title") for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"}
    assert edges == {f"{f.source}->{f.target}" for f in arch.flows}
    lineage = ET.fromstring(diagrams["lineage"].svg)
    linked = [g for g in lineage.iter(f"{SVG}g") if g.get("class") == "node"]
    model_weights = [g for g in linked if g.get("id") == "lineage--model-weights"]
    assert model_weights, "the trained model is in the lineage graph"
    for diagram in diagrams.values():
        raw = diagram.svg.decode()
        assert "file:" not in raw and str(REPO) not in raw and "site-packages" not in raw


def test_example_gives_identical_bytes_from_another_folder(tmp_path: Path) -> None:
    here = render_diagrams(manifest.load(REPO), cache_dir=None, link_for=link_for)
    there = render_diagrams(
        manifest.load(copy_example(tmp_path / "elsewhere" / "example")),
        cache_dir=None,
        link_for=link_for,
    )
    assert {k: d.svg for k, d in here.items()} == {k: d.svg for k, d in there.items()}
