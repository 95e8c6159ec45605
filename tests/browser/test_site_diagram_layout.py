"""Diagrams people can read: on a laptop (1366 px) the architecture and lineage drawings fit the
content column with every label at least 8 px high; on a phone (390 px) the page never scrolls
sideways, the drawing keeps its own size inside a box that scrolls, and a text outline of its
nodes and connections is shown beneath it (and passes axe-core)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import Server
from test_site_axe import AXE

RUN_ON_FIGURES = """async () => {
  const result = await axe.run({include: [['figure.handover-diagram']]},
                               {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}, ${v.nodes.length}x): ${v.nodes[0].target.join(' ')}`);
}"""

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGES = {
    "handover/architecture/": "architecture",
    "handover/lineage/": "lineage",
    "handover/": "architecture",  # the overview's thumbnail of the architecture
}

MEASURE = """id => {
  const figure = document.getElementById(id);
  const svg = figure.querySelector('.handover-diagram__scroll svg');
  const scroll = figure.querySelector('.handover-diagram__scroll');
  const column = document.querySelector('article.md-content__inner');
  const labels = [...svg.querySelectorAll('text')]
    .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
  const outline = figure.querySelector('.handover-diagram__outline');
  const shown = outline.getBoundingClientRect();
  return {
    width: svg.getBoundingClientRect().width,
    column: column.clientWidth,
    scrolls: scroll.scrollWidth > scroll.clientWidth + 1,
    scrollFocusable: scroll.getAttribute('tabindex') === '0',
    labels: labels.length,
    smallest: Math.min(...labels),
    natural: parseFloat(getComputedStyle(figure).getPropertyValue('--hd-natural-width')),
    sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    outlineShown: shown.width > 100 && shown.height > 20,
    outlineText: outline.textContent,
    outlineLinks: outline.querySelectorAll('a[href]').length,
  };
}"""


def _measure(page: Any, url: str, key: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_selector(f"#diagram-{key} .ho-zoom-open")  # handover.js has run
    return dict(page.evaluate(MEASURE, f"diagram-{key}"))


def test_diagrams_fit_the_column_with_labels_8_px_high_on_a_laptop(
    sized: Any, served: Server
) -> None:
    page = sized(LAPTOP)
    for path, key in PAGES.items():
        got = _measure(page, served.url + path, key)
        assert 700 <= got["column"] <= 900, f"{path}: material's column is {got['column']} px"
        assert got["labels"] > 10, f"{path}: the drawing has too few labels: {got}"
        assert got["width"] <= got["column"] + 0.5, f"{path}: wider than the column: {got}"
        assert not got["scrolls"], f"{path}: the drawing scrolls inside its figure: {got}"
        assert got["smallest"] >= 8, f"{path}: a label is {got['smallest']:.1f} px high"
        assert got["sideways"] <= 0, f"{path}: the page scrolls sideways: {got}"
        # The outline is there for screen readers, but not drawn beside the drawing.
        assert not got["outlineShown"], f"{path}: the outline shows on a laptop"
        assert "where it leads" in got["outlineText"]


def test_phones_get_the_drawing_at_its_own_size_and_a_text_outline(
    sized: Any, served: Server
) -> None:
    page = sized(PHONE)
    for path, key in list(PAGES.items())[:2]:
        got = _measure(page, served.url + path, key)
        assert got["sideways"] <= 0, f"{path}: the page scrolls sideways on a phone: {got}"
        assert abs(got["width"] - got["natural"]) < 1, f"{path}: the drawing was shrunk: {got}"
        assert got["smallest"] >= 12, f"{path}: a label is {got['smallest']:.1f} px high"
        assert got["scrolls"] and got["scrollFocusable"], f"{path}: {got}"
        assert got["outlineShown"], f"{path}: no text outline on a phone"
        assert got["outlineLinks"] >= 5, f"{path}: the outline's nodes do not link: {got}"
    # The outline names the example's nodes with their connections, grouped as drawn.
    page.goto(served.url + "handover/architecture/")
    outline = page.locator("#diagram-architecture .handover-diagram__outline")
    text = outline.inner_text()
    for words in (
        "Research (build time)",
        "Operations (run time)",
        "Scoring service (model.serve)",
        "→ Review queue system (P(malignant), flag, out_of_range)",
    ):
        assert words in text
    outline.get_by_role("link", name="Drift monitoring").first.click()
    page.wait_for_url("**/handover/**#*")


def test_a_link_in_the_outline_shows_when_it_has_the_keyboard_focus(
    sized: Any, served: Server
) -> None:
    page = sized(LAPTOP)
    page.goto(served.url + "handover/architecture/")
    link = page.locator("#diagram-architecture .handover-diagram__outline a").first
    link.focus()
    box = link.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 8


def test_axe_finds_nothing_serious_in_the_diagrams_on_a_phone(sized: Any, served: Server) -> None:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE}); run scripts/setup.sh")
    page = sized(PHONE)
    found: dict[str, list[str]] = {}
    for path in list(PAGES)[:2]:
        page.goto(served.url + path)
        page.add_script_tag(path=str(AXE))
        violations = list(page.evaluate(RUN_ON_FIGURES))
        if violations:
            found[path] = violations
    assert not found, f"axe-core found serious or critical violations: {found}"
