"""Rendering with the real Graphviz: content, links, portability, determinism, side effects."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.diagrams import Diagram, render_diagrams
from handover_docs.diagrams.cache import DiagramCache
from handover_docs.diagrams.render import find_dot, graphs, render_graph
from handover_docs.errors import HandoverError, Location
from tests.diagrams.fixture_project import write_project

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def link_for(ident: str) -> str:
    return f"../inventory/#{ident}"


def render(root: Path, **kwargs: object) -> dict[str, Diagram]:
    options: dict[str, object] = {"cache_dir": None, "link_for": link_for, **kwargs}
    return render_diagrams(manifest.load(root), **options)  # type: ignore[arg-type]


def parse(diagram: Diagram) -> ET.Element:
    return ET.fromstring(diagram.svg)


def nodes_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def edge_titles(root: ET.Element) -> set[str]:
    return {g.findtext(f"{SVG}title", "") for g in root.iter(f"{SVG}g") if g.get("class") == "edge"}


def texts(element: ET.Element) -> str:
    return " ".join(t.text or "" for t in element.iter(f"{SVG}text"))


def test_renders_every_diagram_with_metadata(project: Path) -> None:
    diagrams = render(project)
    assert list(diagrams) == ["architecture", "lineage", "pathway-scoring", "pathway-retrain"]
    arch = diagrams["architecture"]
    assert arch.filename == "architecture.svg" and arch.title == "Architecture"
    assert len(arch.source_digest) == 64 and not arch.from_cache
    assert arch.png is None
    for diagram in diagrams.values():
        assert diagram.svg.startswith(b"<?xml") and diagram.svg.rstrip().endswith(b"</svg>")
        root = parse(diagram)
        assert root.findtext(f"{SVG}title") == diagram.title
        assert root.findtext(f"{SVG}desc") == diagram.alt


def test_every_component_and_flow_appears_and_each_node_carries_its_link(
    project: Path,
) -> None:
    loaded = manifest.load(project)
    arch = loaded.handover.architecture
    svg = parse(render(project)["architecture"])
    nodes = nodes_by_id(svg)
    assert set(nodes) == {f"architecture--{c.id}" for c in arch.components}
    for component in arch.components:
        node = nodes[f"architecture--{component.id}"]
        assert node.findtext(f"{SVG}title") == component.id
        shown = " ".join(texts(node).split())
        assert " ".join(component.label.split()) == shown
        anchor = node.find(f".//{SVG}a")
        assert anchor is not None, component.id
        assert anchor.get(XLINK) == link_for(component.link or component.id)
        assert anchor.get("target") == "_top"
    assert edge_titles(svg) == {f"{f.source}->{f.target}" for f in arch.flows}
    for flow in arch.flows:
        if flow.label:
            assert flow.label in texts(svg)
    groups = {g.findtext(f"{SVG}title") for g in svg.iter(f"{SVG}g") if g.get("class") == "cluster"}
    assert groups == {"cluster_offline", "cluster_online"}


def test_labels_are_escaped_text_never_markup(project: Path) -> None:
    raw = render(project)["architecture"].svg.decode()
    assert "&lt;b&gt;&amp;amp; &quot;tuner&quot;&lt;/b&gt;" in raw.replace("\n", " ")
    assert "<b>" not in raw


def test_lineage_is_derived_from_provenance(project: Path) -> None:
    svg = parse(render(project)["lineage"])
    nodes = nodes_by_id(svg)
    expected = {
        "raw-events",
        "features",
        "feature-pipeline",
        "feature-file",
        "weights",
        "train-run",
        "prod-api",
    }
    assert set(nodes) == {f"lineage--{ident}" for ident in expected}
    assert edge_titles(svg) == {
        "raw-events->features",
        "features->feature-file",
        "raw-events->feature-pipeline",
        "train-run->feature-file",
        "train-run->weights",
        "features->train-run",
        "weights->prod-api",
    }
    for ident in expected:
        anchor = nodes[f"lineage--{ident}"].find(f".//{SVG}a")
        assert anchor is not None and anchor.get(XLINK) == link_for(ident)
    stages = [g.findtext(f"{SVG}title") for g in svg.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert stages == [
        "cluster_sources",
        "cluster_preprocessing",
        "cluster_derived",
        "cluster_experiments",
        "cluster_artifacts",
        "cluster_deployment",
    ]
    column = {
        "raw-events": 0,
        "feature-pipeline": 1,
        "features": 2,
        "feature-file": 2,
        "train-run": 3,
        "weights": 4,
        "prod-api": 5,
    }
    xs: dict[int, set[float]] = {}
    for ident, index in column.items():
        use = nodes[f"lineage--{ident}"].find(f".//{SVG}use")
        assert use is not None
        xs.setdefault(index, set()).add(float(use.get("x", "nan")))
    assert all(len(found) == 1 for found in xs.values()), "a stage is not one column"
    lefts = [xs[i].pop() for i in sorted(xs)]
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts), "stages out of order"
    alt = render(project)["lineage"].alt
    assert "Notes without provenance" not in alt and "Production API" in alt


def test_pathway_flowchart_has_the_steps_in_order(project: Path) -> None:
    diagram = render(project)["pathway-retrain"]
    svg = parse(diagram)
    steps = ["Extract", "Clean", "Build features", "Train", "Evaluate", "Publish"]
    nodes = nodes_by_id(svg)
    assert [texts(nodes[f"pathway-retrain--retrain.step-{i}"]) for i in range(1, 7)] == steps
    assert edge_titles(svg) == {f"retrain.step-{i}->retrain.step-{i + 1}" for i in range(1, 6)}
    assert diagram.title == "Retraining path"


def test_svg_is_self_contained_with_no_local_paths(project: Path) -> None:
    import diagrams as diagrams_lib

    site_packages = str(Path(diagrams_lib.__file__).resolve().parent.parent)
    for diagram in render(project).values():
        raw = diagram.svg.decode()
        assert "file:" not in raw
        assert site_packages not in raw and str(project) not in raw
        assert tempfile.gettempdir() + os.sep not in raw
        svg = parse(diagram)
        for use in svg.iter(f"{SVG}use"):
            assert (use.get(XLINK) or "").startswith("#hd-")
        images = list(svg.iter(f"{SVG}image"))
        for image in images:
            assert (image.get(XLINK) or "").startswith("data:image/png;base64,")
        hrefs = [a.get(XLINK) or "" for a in svg.iter(f"{SVG}a")]
        assert all(not h.startswith(("/", "http:", "https:", "file:")) for h in hrefs)
    arch = parse(render(project)["architecture"])
    symbols = list(arch.iter(f"{SVG}symbol"))
    uses = list(arch.iter(f"{SVG}use"))
    assert len(uses) == 9 and len(symbols) == 9  # nine components, nine distinct kinds
    lineage = parse(render(project)["lineage"])
    assert len(list(lineage.iter(f"{SVG}symbol"))) < len(list(lineage.iter(f"{SVG}use")))


def test_same_manifest_gives_identical_bytes_in_different_folders(tmp_path: Path) -> None:
    first = write_project(tmp_path / "a")
    second = write_project(tmp_path / "somewhere" / "much" / "deeper" / "b")
    one = render(first, png=True)
    two = render(second, png=True)
    assert list(one) == list(two)
    for key in one:
        assert one[key].svg == two[key].svg, key
        assert one[key].png == two[key].png, key
        assert one[key].source_digest == two[key].source_digest
        assert one[key].png is not None and one[key].png.startswith(b"\x89PNG")


def test_no_side_effects_in_cwd_docs_or_temp(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    render(project, png=True)
    assert list(work.iterdir()) == []
    assert list(private_tmp.iterdir()) == []
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before
    assert not (project / "docs").exists()


def test_links_must_be_relative(project: Path) -> None:
    loaded = manifest.load(project)
    for bad in ("https://example.org/x", "/inventory/#x", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="relative"):
            render_diagrams(loaded, cache_dir=None, link_for=lambda _i, bad=bad: bad)


def test_nodes_without_a_link_are_plain(project: Path) -> None:
    loaded = manifest.load(project)
    diagrams = render_diagrams(loaded, cache_dir=None, link_for=lambda _i: None)
    for diagram in diagrams.values():
        anchors = list(parse(diagram).iter(f"{SVG}a"))
        assert [a.get(XLINK) for a in anchors if a.get(XLINK)] == []


def test_missing_dot_is_one_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = manifest.load(project)
    empty = project / "no-graphviz-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(HandoverError) as caught:
        render_diagrams(loaded, cache_dir=None, link_for=link_for)
    [finding] = caught.value.findings
    assert "Graphviz 'dot' not found" in finding.message
    assert "apt-get install graphviz" in finding.hint


def test_failing_dot_is_a_handover_error(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = manifest.load(project)
    shim = tmp_path / "bin"
    shim.mkdir()
    dot = shim / "dot"
    dot.write_text("#!/bin/sh\necho 'Error: broken install' >&2\nexit 3\n")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(HandoverError, match="broken install") as caught:
        render_diagrams(loaded, cache_dir=None, link_for=link_for)
    assert caught.value.findings[0].location.file.endswith("architecture.yaml")


def test_the_first_failing_diagram_in_page_order_is_the_error_reported(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Diagrams are drawn in parallel, yet the error is the one drawing them in order gives:
    the lineage fails (slowly) before a pathway fails (at once), so the lineage's is shown."""
    real = shutil.which("dot")
    shim = tmp_path / "bin"
    shim.mkdir()
    dot = shim / "dot"
    dot.write_text(
        "#!/bin/sh\n"
        "src=$(cat)\n"
        'case "$src" in\n'
        "  'digraph lineage {'*) sleep 1; echo 'Error: lineage broke' >&2; exit 3;;\n"
        "  'digraph \"pathway-retrain\" {'*) echo 'Error: pathway broke' >&2; exit 3;;\n"
        "esac\n"
        f'printf \'%s\\n\' "$src" | exec {real} "$@"\n'
    )
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(HandoverError, match="lineage broke") as caught:
        render_diagrams(manifest.load(project), cache_dir=None, link_for=link_for)
    assert len(caught.value.findings) == 1
    assert caught.value.findings[0].location.file.endswith("architecture.yaml")


def test_drawing_in_parallel_gives_the_bytes_of_drawing_one_by_one(project: Path) -> None:
    loaded = manifest.load(project)
    together = render_diagrams(loaded, cache_dir=None, link_for=link_for)
    dot = find_dot()
    where = Location("handover")
    one_by_one = {
        graph.key: render_graph(
            graph,
            link_for=link_for,
            store=DiagramCache(None),
            png=False,
            dot=dot,
            where=where,
        )
        for graph in graphs(loaded.handover)
    }
    assert len(together) == 4
    assert {k: d.svg for k, d in together.items()} == {k: d.svg for k, d in one_by_one.items()}
    assert list(together) == list(one_by_one)


def test_concurrent_renders_agree(project: Path) -> None:
    loaded = manifest.load(project)
    results: list[dict[str, Diagram]] = []

    def work() -> None:
        results.append(render_diagrams(loaded, cache_dir=None, link_for=link_for))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    for other in results[1:]:
        assert {k: d.svg for k, d in other.items()} == {k: d.svg for k, d in results[0].items()}


def test_no_architecture_and_no_provenance_gives_no_diagrams(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", "handover: 1\n")
    (root / "handover" / "data.yaml").unlink()
    assert render(root) == {}


def test_dot_on_path_is_the_real_graphviz() -> None:
    assert shutil.which("dot"), "install Debian's graphviz: apt-get install graphviz"


def test_element_ids_are_unique_across_diagrams_inlined_in_one_page(project: Path) -> None:
    ids: list[str] = []
    for diagram in render(project).values():
        ids += [e.get("id", "") for e in parse(diagram).iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_awkward_text_and_links_stay_literal_and_well_formed(tmp_path: Path) -> None:
    from tests.diagrams.fixture_project import ARCHITECTURE

    label = 'back\\\\ slash \\\\N <i> \\"q\\" &amp; Ünï ✓'
    tip = 'tip \\\\N <b> & \\"q\\" x\\\\'
    text = ARCHITECTURE.replace(
        "label: Misc", f'label: "{label}"\n      description: "{tip}"'
    ).replace("label: Offline training", 'label: "Off <line> \\\\G"')
    root = write_project(tmp_path / "p", text)
    loaded = manifest.load(root)
    misc = next(c for c in loaded.handover.architecture.components if c.id == "misc")
    diagrams = render_diagrams(loaded, cache_dir=None, link_for=lambda i: f'x/?a=1&b="<{i}>" é')
    svg = parse(diagrams["architecture"])  # well-formed XML
    node = nodes_by_id(svg)["architecture--misc"]
    assert " ".join(texts(node).split()) == " ".join(misc.label.split())
    anchor = node.find(f".//{SVG}a")
    assert anchor is not None
    assert anchor.get("{http://www.w3.org/1999/xlink}title") == misc.description
    assert anchor.get(XLINK) == "x/?a=1&b=%22%3Cmisc%3E%22%20%C3%A9"
    assert "Off <line> \\G" in texts(svg)
