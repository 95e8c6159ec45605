"""The key in-browser checks of tests/browser, against the site Zensical built through
``handover build --engine zensical`` (signed): the Handover tab and its pages, search,
glossary tooltips, and the verify page's in-browser check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import Browser, Built, Server, _open, _serve


@pytest.fixture(scope="module")
def zensical_server(zensical_example: Built) -> Iterator[Server]:
    yield from _serve(zensical_example.site)


@pytest.fixture
def browser(
    request: pytest.FixtureRequest, chromium: Any, zensical_server: Server
) -> Iterator[Browser]:
    """A fresh context; it fails the test on a request off loopback or a console error."""
    yield from _open(request, chromium, [zensical_server.origin], color_scheme="light")


PAGES = {
    "Model card": "handover/model-card/",
    "Artifact inventory": "handover/artifacts/",
    "Architecture & data pathways": "handover/architecture/",
    "Deployment guidance": "handover/deployment/",
    "Audit": "handover/audit/",
    "Glossary": "handover/glossary/",
    "Verify this site": "handover/verify/",
}


def test_the_handover_tab_lists_the_generated_pages_and_each_opens(
    browser: Browser, zensical_server: Server
) -> None:
    page, url = browser.page, zensical_server.url
    page.goto(url)
    tabs = [t.strip() for t in page.locator(".md-tabs__link").all_inner_texts()]
    assert tabs == ["Home", "Narratives", "Handover", "Reference"]
    page.locator(".md-tabs__link", has_text="Handover").click()
    page.wait_for_url(url + "handover/")
    sidebar = page.locator("nav.md-nav--primary").inner_text()
    for section in ("Model", "Operations", "Governance", "Knowledge"):
        assert section in sidebar
    for title, path in PAGES.items():
        link = page.locator(f'nav.md-nav--primary a.md-nav__link[href$="{path.split("/")[1]}/"]')
        assert link.count() >= 1, f"no sidebar link to {title}"
        page.goto(url + path)
        assert title.split(" ")[0].lower() in page.locator("article h1").first.inner_text().lower()
    # the diagram is shown (an SVG image that loaded)
    page.goto(url + "handover/architecture/")
    width = page.locator("img.ho-diagram").first.evaluate("e => e.naturalWidth")
    assert width > 0


def _search_hit(page: Any, query: str, selector: str, attempts: int = 3) -> Any:
    """Type QUERY into the open search box and return the first visible result matching
    SELECTOR. Zensical's search may drop a query typed while its index still loads (seen
    on a loaded CI runner), so the query is typed again, as a person would; a query that
    never finds the result fails with what the search showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        if attempt:
            page.keyboard.press("Control+A")
            page.keyboard.press("Backspace")
        page.keyboard.type(query)
        hit = page.locator(selector).first
        try:
            hit.wait_for(state="visible", timeout=10_000)
            return hit
        except PlaywrightTimeout:
            continue
    shown = page.locator("body").inner_text()
    raise AssertionError(
        f"no visible search result {selector} for {query!r}; page: {shown[-2000:]}"
    )


def test_search_finds_an_artifact_by_its_id(browser: Browser, zensical_server: Server) -> None:
    page = browser.page
    page.goto(zensical_server.url)
    page.locator(".md-search__button").first.click()
    hit = _search_hit(
        page, "model-weights", 'a[href*="handover/artifacts/"][href$="#id-model-weights"]'
    )
    assert "Trained model (seed 42)" in hit.inner_text()
    hit.click()
    page.wait_for_url("**/handover/artifacts/**#id-model-weights")


def test_a_glossary_term_shows_its_definition_on_hover(
    browser: Browser, zensical_server: Server
) -> None:
    page = browser.page
    page.goto(zensical_server.url + "summary/")
    term = page.locator('article a[href$="#term-fine-needle-aspirate"]').first
    term.hover()
    tooltip = page.locator(".md-tooltip2").first
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().startswith("Fine needle aspirate: A sample of cells drawn")


def test_the_verify_page_reports_the_site_verified_under_the_pinned_key(
    browser: Browser, zensical_server: Server, zensical_example: Built
) -> None:
    page = browser.page
    page.goto(f"{zensical_server.url}handover/verify/?key-id={zensical_example.key_id}")
    status = page.locator("[data-handover=status]")
    page.wait_for_function(
        "el => /VERIFIED|FAILED|NOT SIGNED/.test(el.innerText)", arg=status.element_handle()
    )
    shown = status.inner_text()
    assert shown.startswith("VERIFIED: "), shown
    assert "The key id matches the one you pinned." in shown
