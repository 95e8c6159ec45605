"""Diagrams open in a full-screen view with zoom and pan, usable by keyboard alone."""

from __future__ import annotations

from browser_helpers import Browser, Server


def test_a_diagram_opens_full_screen_and_zooms_by_keyboard(
    browser: Browser, served: Server
) -> None:
    page = browser.page
    page.goto(served.url + "handover/architecture/")
    opener = page.locator("#diagram-architecture .ho-zoom-open")
    opener.focus()
    page.keyboard.press("Enter")
    viewer = page.locator(".ho-viewer[role=dialog]")
    assert viewer.is_visible()
    box = viewer.bounding_box()
    assert box is not None and box["width"] == 1280 and box["height"] == 800  # full screen
    # The drawing fits the screen, so its labels are larger than on the page.
    fitted = float(viewer.get_attribute("data-scale") or 0)
    assert fitted > 0
    assert page.evaluate("document.activeElement.textContent") == "Close"
    page.keyboard.press("+")
    assert float(viewer.get_attribute("data-scale") or 0) > fitted
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert float(viewer.get_attribute("data-scale") or 0) < fitted
    before = page.locator(".ho-viewer__drawing").evaluate("e => e.style.transform")
    page.keyboard.press("ArrowLeft")
    assert page.locator(".ho-viewer__drawing").evaluate("e => e.style.transform") != before
    page.keyboard.press("0")
    assert abs(float(viewer.get_attribute("data-scale") or 0) - fitted) < 1e-3
    page.keyboard.press("Escape")
    assert page.locator(".ho-viewer").count() == 0
    assert page.evaluate("document.activeElement.className").startswith("ho-zoom-open")
