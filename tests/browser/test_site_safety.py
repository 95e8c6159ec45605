"""Safety a user relies on: manifest text never runs as code, and pages fetch nothing from
outside the site. (Every test's context also fails on a request that leaves loopback, a
console error or a dialog: see browser_helpers.py.)"""

from __future__ import annotations

from browser_helpers import TOOLTIP_PAYLOAD, Browser, Built, Server

PAYLOADS = {
    # page -> texts from tests/fixtures/site/handover/*.yaml that must show, literally, as text
    "handover/": ["<img src=x onerror=alert('summary')>", "[click](javascript:alert('summary'))"],
    "handover/artifacts/": ["Model weights <script>alert('artifact')</script>"],
    "handover/people/": ["Alice <script>alert('person')</script>"],
    "handover/governance/": ["No PII. <script>alert('privacy')</script>"],
    "handover/decisions/": ["Decision threshold <script>alert('decision')</script>"],
    "handover/faq/": ["Why? <script>alert('faq')</script>"],
}

LOOK_ALIKES = str.maketrans({"‹": "<", "›": ">", "’": "'", "”": '"'})

RECORD_CALLS = (
    "window.__ran = [];"
    "for (const f of ['alert', 'confirm', 'prompt'])"
    "  window[f] = (m) => { window.__ran.push(f + ':' + m); };"
)
"""Anything that runs would call one of these; record the call instead of showing a dialog."""

PROBE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
      if (/href|src|action/i.test(attr.name) && /^\\s*javascript:/i.test(attr.value))
        bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
    }
  }
  for (const s of document.scripts) {
    if (/alert\\(/.test(s.textContent)) bad.push('script: ' + s.textContent.slice(0, 80));
  }
  return bad;
}"""


def test_manifest_xss_payloads_show_as_text_and_run_nothing(
    xss_browser: Browser, xss_server: Server, xss_fixture: Built
) -> None:
    page = xss_browser.page
    page.add_init_script(RECORD_CALLS)
    pages = xss_fixture.pages()
    assert len(pages) >= 15
    for path in pages:
        page.goto(xss_server.url + path)
        assert page.evaluate("window.__ran") == [], path
        assert page.evaluate(PROBE) == [], path
        text = page.locator("body").inner_text()
        for payload in PAYLOADS.get(path, []):
            assert payload in text, f"{path}: {payload!r} is not shown as text"
        if path == "handover/verify/":
            # The fixture site is not signed: its verify page says so (and the browser logs
            # the 404 of the signature file).
            page.wait_for_function(
                "() => /^NOT SIGNED: this site has no handover-signature.json/"
                ".test(document.querySelector('[data-handover=status]').innerText)"
            )
            for _ in range(40):
                if xss_browser.errors():
                    break
                page.wait_for_timeout(50)
            errors = xss_browser.expect_console_errors()
            assert errors and all("404" in e and "handover-signature.json" in e for e in errors), (
                errors
            )


def test_a_glossary_tooltip_shows_markup_in_a_definition_as_text_and_runs_nothing(
    xss_browser: Browser, xss_server: Server
) -> None:
    page = xss_browser.page
    page.add_init_script(RECORD_CALLS)
    for path, term, definition in [
        ("handover/datasets/iris-data/", "Flowers", TOOLTIP_PAYLOAD),
        ("", "Decision threshold", "The score above which <script>alert('gloss')</script> we act."),
    ]:
        page.goto(xss_server.url + path)
        link = page.locator(f'article a.ho-term[title^="{term}:"]').first
        link.hover()
        tooltip = page.locator(".md-tooltip2").first
        tooltip.wait_for(state="visible")
        page.wait_for_timeout(200)  # an injected image would fail to load and run its handler
        assert page.evaluate("window.__ran") == [], f"hovering {term!r} ran the definition"
        assert tooltip.locator("script, img, b").count() == 0, tooltip.inner_html()
        # Shown literally (angle brackets and quotes may become look-alikes such as ‹ › ’).
        shown = tooltip.inner_text().translate(LOOK_ALIKES)
        assert shown == f"{term}: {definition}", tooltip.inner_text()
        page.mouse.move(5, 790)
        tooltip.wait_for(state="hidden")


def test_the_site_loads_nothing_from_outside_the_loopback_server(
    browser: Browser, served: Server
) -> None:
    """Pages with diagrams, code reference, the verify page, search and the dark-mode toggle
    request only http://127.0.0.1:PORT/ URLs."""
    page = browser.page
    for path in ("", "handover/architecture/", "reference/code/"):
        page.goto(served.url + path)
    page.goto(served.url + "handover/verify/")  # fetches every file of the site
    page.wait_for_function(
        "() => /^NOT TRUSTED YET/.test(document.querySelector('[data-handover=status]').innerText)"
    )
    page.locator("input.md-search__input").click()
    page.keyboard.type("drift")
    page.locator(".md-search-result__item").first.wait_for()
    page.keyboard.press("Escape")
    page.locator("form.md-header__option label[for^=__palette]:visible").first.click()  # dark
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.wait_for_load_state("networkidle")
    assert len(browser.requests) > 20
    outside = [u for u in browser.requests if not u.startswith(served.origin + "/")]
    assert outside == []
    assert browser.errors() == []
