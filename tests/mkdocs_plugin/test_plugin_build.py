"""Build the fixture handover with the real MkDocs + material and check the HTML."""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from plugin_helpers import Built, build, copy_fixture, parse, tree_digest, with_overrides

GENERATED = [
    "handover",
    "handover/model-card",
    "handover/artifacts",
    "handover/datasets/iris-data",
    "handover/experiments",
    "handover/environments",
    "handover/architecture",
    "handover/lineage",
    "handover/deployment",
    "handover/status",
    "handover/checklist",
    "handover/deviations",
    "handover/governance",
    "handover/decisions",
    "handover/people",
    "handover/audit",
    "handover/changes",
    "handover/verify",
    "handover/sessions",
    "handover/glossary",
    "handover/faq",
    "handover/maintaining",
]


def test_every_generated_page_exists_with_key_values(fixture_site: Built) -> None:
    for url in GENERATED:
        assert fixture_site.page(url).is_file(), url
    expect = {
        "handover": ["1.2.3", "in-review", "Scores things.", "Executive summary"],
        "handover/model-card": [
            "Intended use",
            "Factors",
            "Metrics",
            "Evaluation data",
            "Training data",
            "Quantitative analyses",
            "Ethical considerations",
            "Caveats and recommendations",
        ],
        "handover/artifacts": ["9f86d081884c", "confidential", "v3", "120.6 KB"],
        "handover/datasets/iris-data": ["Motivation", "Composition", "Maintenance", "150"],
        "handover/experiments": [
            "Seed-independent results",
            "0.92",
            "# training config",
            "python train.py",
            "accuracy",
        ],
        "handover/environments": ["scikit-learn", "1.5.0", "1.5.1", "differs"],
        "handover/deployment": [
            "Production API",
            "Serve rules.",
            "Data outage",
            "Redeploy v2.",
            "0.97",
        ],
        "handover/checklist": [
            "Weights digest verified",
            "not run",
            "manual: done",
            "Digest matches.",
        ],
        "handover/deviations": ["liblinear", "lbfgs", "Faster."],
        "handover/governance": ["Two approvals.", "GDPR", "Internal network only.", "signed"],
        "handover/decisions": ["Use 0.5.", "threshold"],
        "handover/people": ["Bob Ops", "alice@example.org"],
        "handover/sessions": ["Walkthrough", "2026-11-01"],
        "handover/glossary": ["A boundary value.", "cut-off"],
        "handover/faq": ["Because."],
        "handover/maintaining": ["ManifestFile", "Artifact", "Citing the manifest"],
    }
    for url, needles in expect.items():
        text = fixture_site.html(url)
        for needle in needles:
            assert needle in text, f"{needle!r} missing from {url}"


def test_docs_folder_is_untouched_and_pages_are_virtual(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    before = tree_digest(root / "docs")
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    assert tree_digest(root / "docs") == before
    assert not (root / "docs" / "handover").exists()


def _links(site: Path) -> list[tuple[Path, str]]:
    out = []
    for page in site.rglob("*.html"):
        if page.name == "404.html":  # absolute links, served from any depth
            continue
        for el in parse(page).elements:
            if el.tag == "a":  # HTML links and the node links of inline SVG diagrams
                for attr in ("href", "xlink:href"):
                    if attr in el.attrs:
                        out.append((page, el.attrs[attr]))
    return out


def _ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        cache[path] = {el.attrs["id"] for el in parse(path).elements if "id" in el.attrs}
    return cache[path]


def check_links(site: Path) -> int:
    """Every local link resolves to a file, and every #anchor to an id on that page."""
    cache: dict[Path, set[str]] = {}
    checked = 0
    for page, href in _links(site):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        if parts.path.endswith("handover-signature.json"):
            continue  # written by the signer: only signed builds have it (tested there)
        rel = page.relative_to(site).parent.as_posix()
        if parts.path:
            target_rel = posixpath.normpath(posixpath.join(rel, unquote(parts.path)))
            target = site / target_rel
            if target.is_dir() or parts.path.endswith("/"):
                target = target / "index.html"
        else:
            target = page
        assert target.is_file(), f"{page.relative_to(site)}: broken link {href}"
        if parts.fragment and target.suffix == ".html":
            assert unquote(parts.fragment) in _ids(target, cache), (
                f"{page.relative_to(site)}: missing anchor {href}"
            )
        checked += 1
    return checked


def test_cross_links_resolve(fixture_site: Built) -> None:
    assert check_links(fixture_site.site) > 100
    checklist = fixture_site.html("handover/checklist")
    assert 'href="../artifacts/#id-weights"' in checklist  # checklist -> artifact
    artifacts = fixture_site.html("handover/artifacts")
    assert 'href="../experiments/#id-train-run"' in artifacts  # artifact -> experiment
    assert 'href="../people/#id-alice"' in artifacts  # owner -> people
    experiments = fixture_site.html("handover/experiments")
    assert 'href="../datasets/iris-data/"' in experiments  # experiment -> dataset


def test_narrative_references_link_and_cite(fixture_site: Built) -> None:
    home = fixture_site.html("")
    assert 'href="handover/artifacts/#id-weights"' in home
    assert "at version 1.2.3" in home
    assert "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" in home
    assert '<a href="handover/checklist/#id-checklist-hash">hash check</a>' in home
    assert "[[not-a-ref]]" in home  # escaped reference stays literal
    assert "<code>[[also-not]]</code>" in home  # code is left alone
    assert "[[nor-this]]" in home


def _term_links(path: Path) -> list[tuple[str, tuple[str, ...], dict[str, str]]]:
    return [
        (el.text, el.ancestors, el.attrs)
        for el in parse(path).elements
        if el.tag == "a" and "ho-term" in el.attrs.get("class", "")
    ]


def test_glossary_links_with_tooltips_but_not_in_code_headings_or_links(
    fixture_site: Built,
) -> None:
    links = _term_links(fixture_site.page(""))
    texts = [t for t, _, _ in links]
    # first occurrence per page only; longest term wins; acronyms are case-sensitive
    assert texts == ["decision threshold", "threshold", "AUC"]
    for _, ancestors, attrs in links:
        assert not {"code", "pre", "h1", "h2", "a"} & set(ancestors)
        assert attrs["href"].startswith("handover/glossary/#term-")
        assert attrs["title"]
    by_text = {t: a for t, _, a in links}
    assert by_text["AUC"]["title"] == "AUC: Area under the ROC curve."
    # the definition's payload is an attribute value, not markup
    # material renders a title as HTML in its tooltip: markup in a definition is defused
    title = by_text["decision threshold"]["title"]
    assert "<" not in title and "‹script›alert('gloss')‹/script›" in title
    page = parse(fixture_site.page(""))
    assert not [e for e in page.elements if e.tag == "script" and "alert" in e.text]
    # plural forms link too (on a page where the singular did not come first)
    decisions = [t for t, _, _ in _term_links(fixture_site.page("handover/decisions"))]
    assert "thresholds" in decisions
    # the glossary page itself is not linked to itself
    assert _term_links(fixture_site.page("handover/glossary")) == []
    # material turns titles into tooltips only with this feature on
    assert '"content.tooltips"' in fixture_site.html("")


PAYLOAD = re.compile(r"alert\(")


def test_xss_payloads_are_inert_on_every_page(fixture_site: Built) -> None:
    shown = 0
    for path in fixture_site.site.rglob("*.html"):
        page = parse(path)
        for el in page.elements:
            if el.tag == "script":
                assert not PAYLOAD.search(el.text), f"live script in {path}"
            for name, value in el.attrs.items():
                if name.startswith("on"):
                    pytest.fail(f"event handler {name} in {path}")
                if name in {"href", "src"}:
                    assert not value.strip().lower().startswith("javascript:"), (path, value)
            if el.tag in {"img", "b", "iframe", "object"} and PAYLOAD.search(str(el.attrs)):
                pytest.fail(f"live {el.tag} from a manifest in {path}")
        text = path.read_text(encoding="utf-8")
        shown += text.count("&lt;script&gt;alert(")
    # the payloads are visible as text (not dropped): name, artifact, dataset, decision...
    assert shown > 20
    # ...and shown literally: as the reader sees the text (entities decoded)
    for url, needle in [
        ("handover/model-card", "<b>bold</b>"),
        ("handover", "[click](javascript:alert('summary'))"),
        ("handover/artifacts", '{: onclick="alert(1)" }'),
        ("handover/model-card", "# not a heading"),
    ]:
        assert needle in html.unescape(fixture_site.html(url)), (url, needle)
    assert "&lt;b&gt;bold&lt;/b&gt;" in fixture_site.html("handover/model-card")
    # a hostile https URI is linked percent-quoted: its quotes end no attribute
    sessions = fixture_site.html("handover/sessions")
    assert 'href="https://media.example.org/kt-1?%22onmouseover=%22alert' in sessions


def test_broken_manifest_fails_the_build_with_its_location(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    manifest = root / "handover" / "inventory.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("    owner: bob\n", "    owner: bobby\n", 1), encoding="utf-8")
    lines = manifest.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "owner: bobby" in t)
    built = build(root)
    assert built.result.returncode != 0
    assert f"handover/inventory.yaml:{line}:12" in built.result.stderr
    assert "unknown reference 'bobby'" in built.result.stderr
    assert "Traceback" not in built.result.stderr


def test_a_docs_page_where_a_generated_page_goes_is_an_error_not_replaced(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "docs" / "handover").mkdir()
    (root / "docs" / "handover" / "glossary.md").write_text("# My own glossary\n")
    built = build(root)
    assert built.result.returncode != 0
    assert "docs/handover/glossary.md clashes with the generated page handover/glossary.md" in (
        built.result.stderr
    ), built.result.stderr
    assert "'folder' option" in built.result.stderr
    assert "Traceback" not in built.result.stderr


def test_unknown_narrative_reference_fails_with_docs_location(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "docs" / "summary.md").write_text("# S\n\nSee the [[wieghts]] file.\n")
    built = build(root)
    assert built.result.returncode != 0
    assert "docs/summary.md:3:9" in built.result.stderr
    assert "did you mean 'weights'" in built.result.stderr
    assert "Traceback" not in built.result.stderr


def test_template_override_takes_effect(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    people = "# Our team\n\n{% for p in h.people %}\n- {{ p.name }} ({{ link(p.id) }})\n"
    people += "{% endfor %}\n"
    with_overrides(
        root, {"faq.md.j2": '{% extends "builtin/faq.md.j2" %}\n', "people.md.j2": people}
    )
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    people = built.html("handover/people")
    assert "Our team" in people
    assert "Alice &lt;script&gt;alert(" in people  # still escaped by default
    assert "Because." in built.html("handover/faq")


def test_explicit_nav_gets_the_section_and_automatic_nav_too(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text() + "nav:\n  - Home: index.md\n  - summary.md\n  - runbook.md\n"
    )
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    nav_html = built.html("handover/checklist")
    assert "Milestones &amp; checklist" in nav_html
    # automatic nav (fixture default) was checked by the session build: the section is there
    shutil.rmtree(built.site)


def test_scaffold_from_init_builds_strict(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "new-model"
    init = subprocess.run(
        [sys.executable, "-m", "handover_docs", "init", str(target)],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    built = build(target)
    assert built.result.returncode == 0, built.result.stderr
    assert "New Model" in built.html("handover")
    assert check_links(built.site) > 20


def test_plugin_warnings_count_under_strict_and_options_are_validated(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "overrides").mkdir()
    (root / "overrides" / "modelcard.md.j2").write_text("# typo\n", encoding="utf-8")
    config = root / "mkdocs.yml"
    original = config.read_text()
    config.write_text(
        original.replace("manifests: handover", "manifests: handover\n      templates: overrides")
    )
    built = build(root)
    assert built.result.returncode != 0
    assert "WARNING -  template override overrides/modelcard.md.j2 matches no built-in" in (
        built.result.stderr
    )
    config.write_text(
        original.replace("manifests: handover", "manifests: handover\n      glossary: sometimes")
    )
    built = build(root)
    assert built.result.returncode != 0
    assert "glossary" in built.result.stderr and "sometimes" in built.result.stderr


def test_checklist_shows_evidence_from_handover_check(tmp_path: Path) -> None:
    import hashlib
    import subprocess
    import sys

    root = copy_fixture(tmp_path)
    config = (root / "configs" / "train.yaml").read_bytes()
    inventory = root / "handover" / "inventory.yaml"
    inventory.write_text(
        inventory.read_text().replace(
            "    path: configs/train.yaml\n",
            f"    path: configs/train.yaml\n    sha256: {hashlib.sha256(config).hexdigest()}\n"
            f"    size: {len(config)}\n",
        )
    )
    ops = root / "handover" / "ops.yaml"
    ops.write_text(ops.read_text().replace("artifact: weights}", "artifact: train-code}"))
    check = subprocess.run(
        [sys.executable, "-m", "handover_docs", "check"], cwd=root, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    checklist = built.html("handover/checklist")
    assert 'class="ho-chip ho-pass">pass</span>' in checklist
    assert "not run" not in checklist
    assert "UTC" in checklist  # when the check finished
    overview = built.html("handover")
    assert "Every required checklist item is passing." in overview
