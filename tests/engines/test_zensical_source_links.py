"""``handover build --engine zensical``: the example's entries carry the same "edit source"
links as with MkDocs; Zensical (which ignores ``edit_uri_template``) then shows no page edit
button at all rather than one naming a generated page's non-existent Markdown file."""

from __future__ import annotations

import re

from browser_helpers import Built

EXAMPLE_REPO = "https://github.com/example/breast-mass-handover"


def test_entries_link_to_their_lines_and_no_button_names_a_generated_file(
    zensical_example: Built,
) -> None:
    lines = (zensical_example.project / "handover" / "artifacts.yaml").read_text("utf-8")
    line = lines.splitlines().index("  - id: model-weights") + 1
    page = (zensical_example.site / "handover" / "artifacts" / "index.html").read_text("utf-8")
    assert f'href="{EXAMPLE_REPO}/blob/main/handover/artifacts.yaml#L{line}"' in page
    for html in zensical_example.site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'href="[^"]*/docs/handover/[^"]*\.md"', text), html
