"""The model card's evaluation plots in a real browser: drawn, named, scaled to the screen."""

from __future__ import annotations

from typing import Any

from browser_helpers import Browser, Server, screenshot

TITLES = [
    "ROC curve",
    "Precision-recall curve",
    "Calibration",
    "Confusion matrix",
    "Threshold sweep",
]


def _plots(page: Any) -> Any:
    return page.locator("figure.handover-plot svg")


def test_the_model_card_renders_every_plot_with_its_title(browser: Browser, served: Server) -> None:
    page = browser.page
    page.goto(served.url + "handover/model-card/")
    svgs = _plots(page)
    assert svgs.count() == 10
    for index in range(svgs.count()):
        svg = svgs.nth(index)
        svg.scroll_into_view_if_needed()
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] >= 250 and box["height"] >= 200, box
        # the accessible name and description come from <title> and <desc>
        named = svg.evaluate(
            "s => s.getAttribute('aria-labelledby').split(' ')"
            ".map(id => document.getElementById(id).textContent)"
        )
        assert named[0] == TITLES[index % 5], named
        assert len(named[1]) > 40
        # real drawing: the curves and cells have size on screen
        drawn = svg.evaluate(
            "s => Array.from(s.querySelectorAll('polyline, rect, circle'))"
            ".filter(e => e.getBoundingClientRect().width > 0).length"
        )
        assert drawn >= 2
    assert page.get_by_text("95 % CI").first.is_visible()
    screenshot(page, "model-card-plots")


def test_the_plots_fit_a_phone_screen(browser: Browser, served: Server) -> None:
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(served.url + "handover/model-card/")
    svgs = _plots(page)
    for index in range(svgs.count()):
        box = svgs.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert box["width"] >= 250, box
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390


def test_the_deployment_page_shows_the_threshold_sweep(browser: Browser, served: Server) -> None:
    page = browser.page
    page.goto(served.url + "handover/deployment/")
    svg = _plots(page)
    assert svg.count() == 1
    assert svg.first.is_visible()
    assert svg.first.locator("title").text_content() == "Threshold sweep"
    assert "deployed 0.3" in (svg.first.text_content() or "")
    assert page.get_by_text("95 % CI").first.is_visible()
