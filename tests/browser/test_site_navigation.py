"""Finding one's way around the built example site in a real browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from browser_helpers import Browser, Built, Server

SECTIONS = ["Model", "Operations", "Governance", "Knowledge"]
"""The groups of the generated Handover section, as the sidebar shows them."""


def test_the_handover_tab_shows_every_section_and_each_entry_opens_its_page(
    browser: Browser, served: Server
) -> None:
    page = browser.page
    page.goto(served.url)
    tabs = page.locator(".md-tabs__link").all_inner_texts()
    assert [t.strip() for t in tabs] == ["Home", "Narratives", "Handover", "Reference"]
    page.locator(".md-tabs__link", has_text="Handover").click()
    page.wait_for_url(served.url + "handover/")
    heading = page.locator("article h1").first
    assert "handover overview" in heading.inner_text()
    under = served.url + "handover/"
    sidebar = page.locator("nav.md-nav--primary")
    listed = sidebar.inner_text()
    for section in SECTIONS:
        assert re.search(rf"^{section}$", listed, re.M), f"sidebar lacks the {section} group"
    links = sidebar.locator("a.md-nav__link[href]").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null)"
        "          .map(e => [e.innerText.trim(), e.href])"
    )
    entries = [(title, href) for title, href in links if href.startswith(under)]
    titles = [title for title, _ in entries]
    for expected in (
        "Model card",
        "Artifact inventory",
        "Datasets",
        "Experiments & reproducibility",
        "Environments & dependencies",
        "Architecture & data pathways",
        "Lineage",
        "Deployment guidance",
        "Status",
        "Milestones & checklist",
        "Deviations log",
        "Governance & sign-offs",
        "Decisions & rationale",
        "People & contacts",
        "Audit",
        "Changes",
        "Verify this site",
        "Knowledge-transfer sessions",
        "Glossary",
        "FAQ",
        "Maintaining & verifying this site",
    ):
        assert expected in titles, f"no sidebar entry {expected!r}: {titles}"
    for title, href in entries:
        if href == under:
            continue
        exact = re.compile(rf"^\s*{re.escape(title)}\s*$")
        sidebar.locator("a.md-nav__link", has_text=exact).first.click()
        page.wait_for_url(href, wait_until="domcontentloaded")
        shown = page.evaluate(
            """() => ({
              h1: (document.querySelector('article h1') || {}).innerText || '',
              h1Visible: !!(document.querySelector('article h1') || {}).offsetParent,
              active: [...document.querySelectorAll(
                'nav.md-nav--primary .md-nav__link--active')].map(e => e.innerText.trim()),
            })"""
        )
        assert shown["h1"].strip() and shown["h1Visible"], f"{title}: no heading shown"
        if title != "Datasets":  # a group: it opens its first data set
            assert title in shown["active"], f"the sidebar does not mark {title!r} as current"


class _Page(HTMLParser):
    """The ids, the sidebar links and the content links of one served page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.sidebar: list[str] = []
        self.content: list[str] = []
        self._where: list[tuple[str, str]] = []  # (tag, "sidebar" | "content" | "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in ("id", "name"):
            if a.get(name):
                self.ids.add(a[name])
        inside = self._where[-1][1] if self._where else ""
        classes = a.get("class", "").split()
        if tag == "nav" and "md-nav--primary" in classes:
            inside = "sidebar"
        elif tag == "article":
            inside = "content"
        href = a.get("href") or a.get("xlink:href")
        if tag == "a" and href:
            if inside == "sidebar" and "md-nav__link" in classes:
                self.sidebar.append(href)
            elif inside == "content":
                self.content.append(href)
        if tag not in _Page.VOID:
            self._where.append((tag, inside))

    VOID = frozenset({"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "use"})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _Page.VOID:
            self._where.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._where) - 1, -1, -1):
            if self._where[i][0] == tag:
                del self._where[i:]
                break


def _fetch(browser: Browser, url: str, cache: dict[str, _Page | None]) -> _Page | None:
    """The page at URL as served (through the browser's network stack), parsed; None if not 200."""
    if url not in cache:
        response = browser.context.request.get(url)
        parsed = None
        if response.status == 200:
            parsed = _Page()
            parsed.feed(response.text())
        cache[url] = parsed
    return cache[url]


def test_every_generated_page_is_reachable_through_the_sidebar(
    browser: Browser, served: Server, example: Built
) -> None:
    under = served.url + "handover/"
    cache: dict[str, _Page | None] = {}
    todo, seen = [under], set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        parsed = _fetch(browser, url, cache)
        assert parsed is not None, f"{url} is not served"
        for href in parsed.sidebar:
            target = urldefrag(urljoin(url, href))[0]
            if target.startswith(under) and target not in seen:
                todo.append(target)
    generated = {served.url + p for p in example.pages() if p.startswith("handover/")}
    assert seen == generated, (
        f"not in the sidebar: {sorted(generated - seen)}; not built: {sorted(seen - generated)}"
    )


def test_no_link_on_a_generated_page_leads_to_a_missing_page_or_anchor(
    browser: Browser, served: Server, example: Built
) -> None:
    """Every same-site link in the content of the Handover pages (diagram nodes included)
    reaches a page that exists, and its #fragment names an element on that page (else the
    user lands at the top of the wrong place)."""
    cache: dict[str, _Page | None] = {}
    broken: list[str] = []
    followed = 0
    for path in [p for p in example.pages() if p.startswith("handover/")]:
        parsed = _fetch(browser, served.url + path, cache)
        assert parsed is not None, path
        for href in parsed.content:
            url = urljoin(served.url + path, href)
            if not url.startswith(served.url):
                continue
            target, fragment = urldefrag(url)
            if urlsplit(target).path.rsplit("/", 1)[-1].count(".") and not target.endswith(".html"):
                response = browser.context.request.head(target)  # a file: it must exist
                if response.status != 200:
                    broken.append(f"{path}: {href} -> HTTP {response.status}")
                continue
            followed += 1
            shown = _fetch(browser, target, cache)
            if shown is None:
                broken.append(f"{path}: {href} -> not served")
            elif fragment and fragment not in shown.ids:
                broken.append(f"{path}: {href}: no #{fragment} on {urlsplit(target).path}")
    assert not broken, "\n".join(sorted(set(broken)))
    assert followed > 100, f"only {followed} links followed: the page parser missed the content"
