"""In a real headless Chromium: icons show with no local files, and nodes are clickable links."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handover_docs import manifest
from handover_docs.diagrams import render_diagrams
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

FLAGS = CHROMIUM_FLAGS

PROBE = """
async ([src, box, rgb]) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0);
  const sx = canvas.width / box.viewWidth;
  const x = Math.round(box.x * sx), y = Math.round(box.y * sx);
  const w = Math.round(box.w * sx), h = Math.round(box.h * sx);
  const data = ctx.getImageData(x, y, w, h).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    const near = [0, 1, 2].every((c) => Math.abs(data[i + c] - rgb[c]) < 60);
    if (near) inked++;
  }
  return inked / (w * h);
}
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(project: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "site"
    (folder / "inventory").mkdir(parents=True)
    (folder / "inventory" / "index.html").write_text("<h1 id='x'>inventory</h1>")
    (folder / "index.html").write_text("<!doctype html><title>t</title>")
    diagrams = render_diagrams(
        manifest.load(project), cache_dir=None, link_for=lambda i: f"inventory/#{i}"
    )
    for diagram in diagrams.values():
        (folder / diagram.filename).write_bytes(diagram.svg)
    svg = diagrams["architecture"].svg
    broken = svg.replace(b"data:image/png;base64,", b"data:image/png;base64,AAAA")
    (folder / "broken.svg").write_bytes(broken)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for browser tests (scripts/setup.sh installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    home = tmp_path / "home"
    home.mkdir()
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home))
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def icon_box(svg_text: str, node_id: str) -> dict[str, float]:
    """Where a node's icon sits, in viewBox units, from the SVG text."""
    import re
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg_text)
    view = [float(v) for v in root.get("viewBox", "").split()]
    graph = root.find(f"{ns}g")
    assert graph is not None
    match = re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", graph.get("transform", ""))
    assert match
    tx, ty = float(match[1]), float(match[2])
    node = next(g for g in root.iter(f"{ns}g") if g.get("id") == node_id)
    use = node.find(f".//{ns}use")
    assert use is not None
    x, y = float(use.get("x", "0")) + tx, float(use.get("y", "0")) + ty
    w, h = (float(use.get(k, "0").removesuffix("px")) for k in ("width", "height"))
    return {"x": x, "y": y, "w": w, "h": h, "viewWidth": view[2]}


def test_icons_render_from_the_svg_alone_even_as_an_img(site: tuple[str, Path], page: Any) -> None:
    base, folder = site
    page.goto(base)
    svg_text = (folder / "architecture.svg").read_text()
    # Each icon's signature colour: Python yellow, Prometheus orange, the storage icon's black.
    colours = {
        "architecture--trainer": [255, 212, 59],
        "architecture--metrics": [230, 82, 44],
        "architecture--store": [0, 0, 0],
    }
    for node, rgb in colours.items():
        box = icon_box(svg_text, node)
        shown = page.evaluate(PROBE, ["architecture.svg", box, rgb])
        blank = page.evaluate(PROBE, ["broken.svg", box, rgb])
        assert shown > 0.03, f"{node}: icon not painted ({shown:.3f} of the box)"
        assert blank < 0.005, f"{node}: the control with broken icon data shows the icon"


def test_clicking_a_node_opens_its_entry(site: tuple[str, Path], page: Any) -> None:
    base, _ = site
    page.goto(base + "architecture.svg")
    page.click("#a_architecture--api text")
    page.wait_for_url(base + "inventory/#api")
    assert page.locator("h1").inner_text() == "inventory"
    page.goto(base + "lineage.svg")
    page.click("#a_lineage--weights text")
    page.wait_for_url(base + "inventory/#weights")


def test_inline_figure_is_sized_and_clickable_in_light_and_dark_mode(
    project: Path, site: tuple[str, Path], page: Any
) -> None:
    from handover_docs.diagrams import CSS_PATH, figure_html
    from handover_docs.diagrams.figure import natural_width_px

    base, folder = site
    diagrams = render_diagrams(
        manifest.load(project), cache_dir=None, link_for=lambda i: f"inventory/#{i}"
    )
    figures = "".join(figure_html(d) for d in diagrams.values())
    (folder / "diagrams.css").write_bytes(CSS_PATH.read_bytes())
    for scheme in ("default", "slate"):
        (folder / f"{scheme}.html").write_text(
            "<!doctype html><html data-md-color-scheme='" + scheme + "'><head>"
            "<meta charset='utf-8'><link rel='stylesheet' href='diagrams.css'>"
            "<style>body{margin:0;width:800px}</style></head><body>" + figures + "</body></html>"
        )
    page.set_viewport_size({"width": 1000, "height": 800})
    for scheme in ("default", "slate"):
        page.goto(f"{base}{scheme}.html")
        for key, diagram in diagrams.items():
            box = page.locator(f"#diagram-{key} svg").bounding_box()
            assert box is not None
            natural = natural_width_px(diagram)
            assert box["width"] <= 800 + 0.5, key
            assert box["width"] >= min(natural, 768) - 0.5, key
            view = page.locator(f"#diagram-{key} svg").get_attribute("viewBox") or ""
            vw, vh = (float(v) for v in view.split()[2:])
            padding = 12.8 if scheme == "slate" else 0.0
            inner = (box["height"] - padding) / (box["width"] - padding)
            assert abs(inner - vh / vw) < 0.02, f"{key}: aspect ratio changed"
            background = page.locator(f"#diagram-{key} svg").evaluate(
                "e => getComputedStyle(e).backgroundColor"
            )
            assert background == "rgb(255, 255, 255)"
    page.click("#diagram-architecture #a_architecture--api text")
    page.wait_for_url(base + "inventory/#api")
