"""A reviewer goes from an entry on the page to the manifest line to change: in Chromium,
the example's "edit source" link of an artifact is there, visible, named by the file and
line it opens, and the page's edit button opens the artifacts manifest."""

from __future__ import annotations

from pathlib import Path

from browser_helpers import Browser, Built, Server

EXAMPLE_REPO = "https://github.com/example/breast-mass-handover"
"""The example address in mkdocs.yml's ``edit_uri_template``."""


def _line_of(yaml_file: Path, entry_id: str) -> int:
    lines = yaml_file.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.strip() == f"- id: {entry_id}")


def test_artifact_source_link_is_visible_and_named(
    browser: Browser, served: Server, example: Built
) -> None:
    line = _line_of(example.project / "handover" / "artifacts.yaml", "model-weights")
    page = browser.page
    page.goto(served.url + "handover/artifacts/")
    link = page.get_by_role("link", name=f"artifacts.yaml:{line}", exact=True)
    assert link.count() == 1
    assert link.get_attribute("href") == (
        f"{EXAMPLE_REPO}/blob/main/handover/artifacts.yaml#L{line}"
    )
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    box = link.bounding_box()
    assert box is not None and box["height"] >= 12 and box["width"] >= 40, box
    # Under the artifact's own heading: the link belongs to the entry shown there.
    heading = page.evaluate(
        """(a) => { let n = a.closest('p'); while (n && !/^H[23]$/.test(n.tagName))
                    n = n.previousElementSibling; return n ? n.id : null; }""",
        link.element_handle(),
    )
    assert heading == "id-model-weights"
    edit = page.locator("a[rel=edit]")
    assert edit.get_attribute("href") == f"{EXAMPLE_REPO}/edit/main/handover/artifacts.yaml"
