"""What operations see on the checklist and on the architecture diagrams, in a real browser."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from browser_helpers import Browser, Built, Server

INK = """
async ([png, background]) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) {
    const far = [0, 1, 2].some((c) => Math.abs(data[i + c] - background[c]) > 40);
    if (far) inked++;
    colours.add((data[i] >> 4) * 256 + (data[i + 1] >> 4) * 16 + (data[i + 2] >> 4));
  }
  return {inked: inked / (data.length / 4), colours: colours.size};
}
"""


def _ink(page: Any, box: dict[str, float], background: list[int]) -> dict[str, float]:
    """How much of the screen inside BOX differs from BACKGROUND, and in how many colours."""
    png = page.screenshot(clip=box)
    return page.evaluate(INK, [base64.b64encode(png).decode(), background])  # type: ignore[no-any-return]


def test_the_checklist_shows_the_evidence_of_each_automated_check(
    browser: Browser, served: Server, example: Built
) -> None:
    evidence = json.loads((example.project / ".handover" / "evidence.json").read_text())
    checks = evidence["checks"]
    assert len(checks) >= 5
    page = browser.page
    page.goto(served.url + "handover/checklist/")
    for ident, record in checks.items():
        item = page.locator("li.task-list-item", has=page.locator(f"span#id-{ident}"))
        assert item.count() == 1, f"checklist item {ident} is not shown once"
        chip = item.locator(".ho-chip")
        assert chip.inner_text() == record["status"], ident
        assert chip.is_visible()
        finished = dt.datetime.fromisoformat(record["finished_at"].replace("Z", "+00:00"))
        text = item.inner_text()
        assert finished.strftime("%Y-%m-%d %H:%M UTC") in text, (ident, text)
        assert "measured" in text and "expected" in text, (ident, text)
        first = record["comparisons"][0]
        value = first["measured"]
        # As the page shows it: floats to 6 significant digits, digests shortened.
        measured = f"{value:.6g}" if isinstance(value, float) else str(value)[:12]
        assert measured in text, f"{ident}: measured value {measured!r} not shown in {text!r}"
    # A pass looks different from a failure: the chip is coloured.
    passing = page.locator(".ho-chip.ho-pass").first
    colour = passing.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)"), colour
    manual = page.locator("li.task-list-item", has=page.locator("span#id-narratives-reviewed"))
    assert "manual" in manual.locator(".ho-chip").inner_text()
    # The status page counts the same evidence.
    page.goto(served.url + "handover/status/")
    passed = sum(1 for r in checks.values() if r["status"] == "pass")
    row = page.locator("article table").first.locator("tr", has_text="All items")
    assert row.locator("td").nth(1).inner_text().strip() == str(passed)


def test_the_architecture_diagram_renders_with_its_icons(browser: Browser, served: Server) -> None:
    page = browser.page
    page.goto(served.url + "handover/architecture/")
    figure = page.locator("#diagram-architecture")
    svg = figure.locator("svg").first
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 40
    title = svg.locator("title").first.text_content()
    assert title == "Architecture"
    # Every embedded icon is a PNG the browser decodes.
    decoded = page.evaluate(
        """async () => {
          const out = [];
          for (const image of document.querySelectorAll('#diagram-architecture symbol image')) {
            const img = new Image();
            img.src = image.getAttribute('href') || image.getAttribute('xlink:href');
            try { await img.decode(); out.push(img.naturalWidth); } catch (e) { out.push(0); }
          }
          return out;
        }"""
    )
    assert decoded and all(w > 0 for w in decoded), decoded
    nodes = figure.locator("g.node")
    assert nodes.count() >= 5
    # And each node's icon is painted on screen: its box holds coloured pixels, not blank.
    node = figure.locator("g.node", has_text="Scoring service")
    node.scroll_into_view_if_needed()
    icon = node.locator("use").first.bounding_box()
    assert icon is not None and icon["width"] > 10 and icon["height"] > 10
    painted = _ink(page, icon, [255, 255, 255])
    label = node.locator("text").first.bounding_box()
    assert label is not None
    assert painted["inked"] > 0.05 and painted["colours"] > 3, painted
    text_only = _ink(page, {**label, "height": 2}, [255, 255, 255])
    assert text_only["inked"] < painted["inked"], "the icon area looks as empty as a text gap"


def test_clicking_a_diagram_node_opens_its_entry(browser: Browser, served: Server) -> None:
    page = browser.page
    page.goto(served.url + "handover/architecture/")
    node = page.locator('#diagram-architecture g.node[id="architecture--c-csv"]')
    target = node.locator("a").first.get_attribute("xlink:href")
    assert target == "../artifacts/#id-data-csv"
    node.locator("text").first.click()
    page.wait_for_url(served.url + "handover/artifacts/#id-data-csv")
    entry = page.locator("#id-data-csv")
    assert entry.inner_text().startswith("WDBC data set as CSV")
    box = entry.bounding_box()
    assert box is not None and 0 <= box["y"] < 800
    # So does the lineage graph, from a trained model to its inventory entry.
    page.goto(served.url + "handover/lineage/")
    lineage = page.locator("#diagram-lineage")
    assert lineage.locator("svg").first.is_visible()
    lineage.locator('g.node[id="lineage--model-weights"] text').first.click()
    page.wait_for_url(served.url + "handover/artifacts/#id-model-weights")
    assert page.locator("#id-model-weights").inner_text().startswith("Trained model (seed 42)")
    # The overview's compact diagram links the same way.
    page.goto(served.url + "handover/")
    overview = page.locator("#diagram-architecture")
    assert overview.locator("svg").first.is_visible()
    overview.locator('g.node[id="architecture--c-csv"] text').first.click()
    page.wait_for_url(served.url + "handover/artifacts/#id-data-csv")


def _diagram_layout(page: Any, figure: str) -> dict[str, float]:
    return page.evaluate(  # type: ignore[no-any-return]
        """(id) => {
          const fig = document.querySelector(id);
          const scroll = fig.querySelector('.handover-diagram__scroll') || fig;
          const label = fig.querySelector('g.node text').getBoundingClientRect();
          return {visible: scroll.clientWidth, drawn: scroll.scrollWidth,
                  content: document.querySelector('article').clientWidth,
                  label: label.height};
        }""",
        figure,
    )


def test_the_overview_diagram_fits_the_page_without_scrolling_sideways(
    browser: Browser, served: Server
) -> None:
    page = browser.page
    page.goto(served.url + "handover/")
    layout = _diagram_layout(page, "#diagram-architecture")
    assert layout["drawn"] <= layout["visible"], f"the overview's diagram scrolls: {layout}"


def test_the_architecture_diagram_labels_are_readable(browser: Browser, served: Server) -> None:
    """diagrams.css promises that wide diagrams scroll sideways rather than shrink their text
    to an unreadable size: node labels should be at least 8 px tall on screen."""
    page = browser.page
    page.goto(served.url + "handover/architecture/")
    layout = _diagram_layout(page, "#diagram-architecture")
    assert layout["label"] >= 8, f"labels are {layout['label']:.1f} px tall: {layout}"
