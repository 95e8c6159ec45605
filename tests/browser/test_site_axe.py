"""Accessibility: axe-core (the npm package, pinned in tests/browser/axe and installed by
scripts/setup.sh) runs in every page of the example site and finds no serious or critical
violation, in the light and the dark scheme. Status is never told by colour alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import Built, Server

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}, ${v.nodes.length}x): ${v.nodes[0].target.join(' ')}`);
}"""


KEY_PAGES = ("", "handover/", "handover/status/", "handover/checklist/", "handover/oncall/")


@pytest.fixture
def axe_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE}); run scripts/setup.sh")
    scheme, size = request.param, {"width": 1366, "height": 900}
    if scheme == "phone":
        scheme, size = "light", {"width": 390, "height": 844}
    context = chromium.new_context(
        viewport=size, color_scheme=scheme, has_touch=size["width"] < 500
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _violations(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN))


@pytest.mark.parametrize("axe_page", ["light"], indirect=True)
def test_no_serious_or_critical_violation_on_any_page(
    axe_page: Any, served: Server, example: Built
) -> None:
    found: dict[str, list[str]] = {}
    for path in example.pages():
        violations = _violations(axe_page, served.url + path)
        if violations:
            found[path] = violations
    assert not found, f"axe-core found serious or critical violations: {found}"


@pytest.mark.parametrize("axe_page", ["dark"], indirect=True)
def test_the_dark_scheme_too(axe_page: Any, served: Server) -> None:
    found: dict[str, list[str]] = {}
    for path in KEY_PAGES:
        violations = _violations(axe_page, served.url + path)
        if violations:
            found[path] = violations
    assert not found, f"axe-core found serious or critical violations (dark): {found}"


@pytest.mark.parametrize("axe_page", ["phone"], indirect=True)
def test_a_phone_too(axe_page: Any, served: Server) -> None:
    """At 390 px material hides some texts (the footer's link titles): names must stay."""
    found: dict[str, list[str]] = {}
    for path in (*KEY_PAGES, "handover/architecture/", "handover/verify/"):
        violations = _violations(axe_page, served.url + path)
        if violations:
            found[path] = violations
    assert not found, f"axe-core found serious or critical violations (390 px): {found}"


@pytest.mark.parametrize("axe_page", ["light"], indirect=True)
def test_axe_does_find_a_violation_when_there_is_one(axe_page: Any, served: Server) -> None:
    """The check can fail: a page with an unlabelled checkbox and faint text is reported."""
    original = (served.root / "handover" / "people" / "index.html").read_bytes()
    broken = original.replace(
        b"</article>",
        b'<p style="color:#bbb">faint</p><input type="checkbox"></article>',
    )
    served.override("handover/people/index.html", broken)
    try:
        violations = _violations(axe_page, served.url + "handover/people/")
    finally:
        served.overrides.clear()
    kinds = {v.split(" ")[0] for v in violations}
    assert {"color-contrast", "label"} <= kinds, violations


@pytest.mark.parametrize("axe_page", ["light"], indirect=True)
def test_status_chips_say_their_state_in_words(axe_page: Any, served: Server) -> None:
    axe_page.goto(served.url + "handover/status/")
    chips = axe_page.locator("article .ho-chip").all()
    assert chips
    for chip in chips:
        assert chip.inner_text().strip(), "a chip shows its state by colour only"
