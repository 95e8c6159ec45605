"""Screenshots of the main pages as a user sees them at 1280x800, light and dark.

Each is saved to test-output/screenshots/ (ignored by git). With
HANDOVER_README_SCREENSHOTS=1 they are also written to screenshots/ at the repo root, the
images the README shows:

    HANDOVER_README_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_site_screenshots.py
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from browser_helpers import Browser, Built, Server, screenshot

MAX_BYTES = 250_000


def _check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 800), (path, width, height)
    assert len(data) < MAX_BYTES, f"{path.name} is {len(data)} bytes"


def _shoot(page: Any, name: str) -> None:
    page.evaluate("document.fonts.ready")
    # Material scrolls the sidebar to the current entry; show it from its top, as on arrival.
    page.evaluate(
        "document.querySelectorAll('.md-sidebar__scrollwrap').forEach(e => e.scrollTop = 0)"
    )
    _check_png(screenshot(page, name))


def test_screenshots_of_the_main_pages(browser: Browser, served: Server, example: Built) -> None:
    page = browser.page

    page.goto(served.url + "handover/")
    assert "handover overview" in page.locator("article h1").first.inner_text()
    _shoot(page, "overview")

    page.goto(served.url + "handover/model-card/")
    assert page.locator("article h1").first.inner_text().startswith("Model card")
    _shoot(page, "model-card")

    page.goto(served.url + "handover/artifacts/")
    assert page.locator("#id-model-weights").is_visible()
    _shoot(page, "artifact-inventory")

    page.goto(served.url + "handover/checklist/")
    chips = page.locator("li.task-list-item .ho-chip.ho-pass")
    assert chips.count() >= 4 and chips.first.is_visible()
    page.locator("#id-m1-inventory").scroll_into_view_if_needed()
    _shoot(page, "checklist-with-evidence")

    page.goto(served.url + "handover/architecture/")
    figure = page.locator("#diagram-architecture")
    figure.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 90)")
    assert figure.locator("svg").first.is_visible()
    _shoot(page, "architecture-diagram")

    page.goto(f"{served.url}handover/verify/?key-id={example.key_id}")
    status = page.locator("[data-handover=status]")
    page.wait_for_function(
        "() => /^VERIFIED/.test(document.querySelector('[data-handover=status]').innerText)"
    )
    page.locator("#check-it-in-this-browser").evaluate(
        "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 70)"
    )
    assert status.is_visible()
    _shoot(page, "verify")


def test_dark_mode_follows_the_system_setting(dark_browser: Browser, served: Server) -> None:
    page = dark_browser.page
    page.goto(served.url + "handover/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.md-main')).backgroundColor || "
        "getComputedStyle(document.body).backgroundColor"
    )
    channels = [int(c) for c in background[background.index("(") + 1 :].split(",")[:3]]
    assert sum(channels) < 3 * 80, f"the page is not dark: {background}"
    text = page.locator("article p").first.evaluate("e => getComputedStyle(e).color")
    light = [int(c) for c in text[text.index("(") + 1 :].split(",")[:3]]
    assert sum(light) > 3 * 150, f"the text is not light on dark: {text}"
    # The inline diagram keeps a white card so its icons stay legible.
    svg = page.locator("#diagram-architecture svg").first
    assert svg.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    _shoot(page, "overview-dark")
