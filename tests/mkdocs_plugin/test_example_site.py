"""The repo's example handover, built once per session with --strict."""

from __future__ import annotations

import re

from plugin_helpers import REPO, Built, parse, tree_digest
from test_plugin_build import check_links

from handover_docs import manifest


def test_example_builds_strict_and_leaves_docs_untouched(example_site: Built) -> None:
    assert example_site.result.returncode == 0, example_site.result.stderr
    docs = example_site.root / "docs"
    assert tree_digest(docs) == example_site.docs_before  # type: ignore[attr-defined]
    assert not (docs / "handover").exists()


def test_example_pages_hold_the_manifest_values(example_site: Built) -> None:
    h = manifest.load(example_site.root).handover
    overview = example_site.html("handover")
    assert h.model.version in overview
    inventory = example_site.html("handover/artifacts")
    for a in h.artifacts:
        assert f'id="id-{a.id}"' in inventory
        if a.sha256:
            assert a.sha256[:12] in inventory
    for d in h.datasets:
        assert example_site.page(f"handover/datasets/{d.id}").is_file()
    experiments = example_site.html("handover/experiments")
    for e in h.experiments:
        assert f'id="id-{e.id}"' in experiments
    glossary = example_site.html("handover/glossary")
    for t in h.glossary:
        assert t.term.replace("&", "&amp;") in glossary
    assert check_links(example_site.site) > 500


def test_example_override_code_reference_and_no_external_requests(example_site: Built) -> None:
    card = example_site.html("handover/model-card")
    assert "Screening support, not diagnosis" in card  # templates/model-card.md.j2
    code = example_site.html("reference/code")
    assert "doc-heading" in code and "train" in code  # mkdocstrings rendered the model
    for page in example_site.site.rglob("*.html"):
        for el in parse(page).elements:
            for attr in ("src", "href"):
                url = el.attrs.get(attr, "")
                if el.tag in {"script", "link", "img", "iframe", "source"} and url:
                    assert "://" not in url and not url.startswith("//"), (page, el.tag, url)
    css = "".join(p.read_text() for p in example_site.site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def test_every_docs_page_is_in_the_example_nav() -> None:
    import yaml

    from handover_docs.project import _LenientLoader

    config = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=_LenientLoader)
    listed = set(re.findall(r"[\w./-]+\.md", repr(config["nav"])))
    pages = {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")}
    assert pages - listed == set(), "add these pages to the nav in mkdocs.yml"
