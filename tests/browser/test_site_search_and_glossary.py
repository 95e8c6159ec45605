"""Finding things: the search box and the glossary's term links, in a real browser."""

from __future__ import annotations

import time
from typing import Any

from browser_helpers import Browser, Server


def _search(page: Any, base: str, query: str) -> list[tuple[str, str]]:
    """Type QUERY into the header search box; return the visible results as (text, href)."""
    page.goto(base)
    page.locator("input.md-search__input").click()
    page.keyboard.type(query)
    items = page.locator(".md-search-result__item a")
    # The list is redrawn as each letter arrives: wait until it stays the same.
    shown, since = None, time.monotonic()
    while time.monotonic() - since < 0.4:
        now = page.locator(".md-search-result").inner_text()
        if now != shown or "matching" not in now:
            shown, since = now, time.monotonic()
        page.wait_for_timeout(50)
    return [(a.inner_text(), a.evaluate("e => e.href")) for a in items.all() if a.is_visible()]


def test_search_finds_an_artifact_by_its_id(browser: Browser, served: Server) -> None:
    page = browser.page
    results = _search(page, served.url, "model-weights")
    hrefs = [href for _, href in results]
    entry = next(
        (
            h
            for h in hrefs
            if h.startswith(served.url + "handover/artifacts/") and h.endswith("#id-model-weights")
        ),
        None,
    )
    assert entry is not None, f"no result opens the artifact's entry: {hrefs[:12]}"
    assert hrefs.index(entry) < 8, f"the artifact's entry is result {hrefs.index(entry) + 1}"
    text = next(t for t, h in results if h == entry)
    assert "Trained model (seed 42)" in text and "model-weights" in text
    page.locator('.md-search-result__item a[href$="#id-model-weights"]').first.click()
    page.wait_for_url("**/handover/artifacts/**#id-model-weights")
    heading = page.locator("#id-model-weights")
    assert heading.inner_text().startswith("Trained model (seed 42)")
    assert heading.is_visible() and _in_viewport(page, heading)
    # The search term is highlighted on the page it opened.
    assert page.locator("article mark").count() > 0


def test_search_finds_a_glossary_term(browser: Browser, served: Server) -> None:
    page = browser.page
    results = _search(page, served.url, "fine needle aspirate")
    first_entry = next(h for _, h in results if "#" in h)
    assert first_entry.startswith(served.url + "handover/glossary/"), results[:4]
    assert first_entry.endswith("#term-fine-needle-aspirate")
    page.locator('.md-search-result__item a[href$="#term-fine-needle-aspirate"]').first.click()
    page.wait_for_url("**/handover/glossary/**#term-fine-needle-aspirate")
    entry = page.locator("#term-fine-needle-aspirate")
    assert entry.is_visible() and _in_viewport(page, entry)
    assert "Fine needle aspirate" in entry.inner_text()
    assert "A sample of cells drawn from a breast mass" in page.locator("article").inner_text()


def _in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and 0 <= box["y"] < height


def test_a_glossary_term_shows_its_definition_on_hover_and_links_to_its_entry(
    browser: Browser, served: Server
) -> None:
    page = browser.page
    page.goto(served.url + "summary/")
    term = page.locator("article a.ho-term", has_text="fine needle aspirate").first
    assert term.get_attribute("href") == "../handover/glossary/#term-fine-needle-aspirate"
    tooltip = page.locator(".md-tooltip2")
    assert tooltip.count() == 0 or not tooltip.first.is_visible()
    term.hover()
    tooltip.first.wait_for(state="visible")
    shown = tooltip.first.inner_text()
    assert shown.startswith("Fine needle aspirate: A sample of cells drawn from a breast mass")
    box, anchor = tooltip.first.bounding_box(), term.bounding_box()
    assert box and anchor and box["width"] > 100
    assert abs((box["y"]) - (anchor["y"] + anchor["height"])) < 60, "tooltip is not at the term"
    page.mouse.move(5, 790)
    tooltip.first.wait_for(state="hidden")
    term.click()
    page.wait_for_url(served.url + "handover/glossary/#term-fine-needle-aspirate")
    entry = page.locator("#term-fine-needle-aspirate")
    assert _in_viewport(page, entry)
    assert "A sample of cells drawn from a breast mass" in page.locator("article").inner_text()
