"""The finished parts wired into the site: diagrams, signing, verify/audit/changes/status
pages, per-page history, strict evidence mode, and `handover render` with diagrams.

Real builds (MkDocs + material), real Graphviz, real keys, real git; no mocks.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_helpers import Built, build, copy_fixture, parse, tree_digest

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}


def handover(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handover_docs", *args],
        cwd=cwd,
        env=env or ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _svg_links(page: Path) -> list[str]:
    return [
        el.attrs.get("xlink:href") or el.attrs.get("href", "")
        for el in parse(page).elements
        if el.tag == "a" and "svg" in el.ancestors
    ]


# --- diagrams --------------------------------------------------------------------------------


def test_diagrams_are_inline_with_node_links_to_entry_anchors(fixture_site: Built) -> None:
    overview = fixture_site.html("handover")
    assert 'class="handover-diagram handover-diagram--compact" id="diagram-architecture"' in (
        overview
    )
    architecture = fixture_site.html("handover/architecture")
    assert 'id="diagram-architecture"' in architecture
    assert 'id="diagram-pw-1"' in architecture or 'id="diagram-pathway-pw-1"' in architecture
    lineage = fixture_site.html("handover/lineage")
    assert 'id="diagram-lineage"' in lineage and "How this graph is derived" in lineage
    # The stylesheet is published and loaded without touching mkdocs.yml.
    assert (fixture_site.site / "handover/assets/diagrams.css").is_file()
    assert 'href="../assets/diagrams.css"' in lineage
    # Every node link resolves to an anchor that exists (relative to the served page).
    for url in ("handover", "handover/architecture", "handover/lineage"):
        page = fixture_site.page(url)
        links = [h for h in _svg_links(page) if not h.startswith("#hd-")]
        assert links, url
        for href in links:
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), (url, href)
            if anchor:
                assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), (url, href)


def test_unchanged_diagrams_come_from_the_cache_outside_docs_and_site(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    first = build(root)
    assert first.result.returncode == 0, first.result.stderr
    cache = root / ".handover" / "cache" / "diagrams"
    # An entry drawn again would be a new file (written atomically: a new inode).
    entries = {p.name: p.stat().st_ino for p in cache.iterdir()}
    assert entries and all(name.endswith(".svg") for name in entries)
    assert not list((root / "docs").rglob("*.svg"))
    again = build(root)
    assert again.result.returncode == 0, again.result.stderr
    assert {p.name: p.stat().st_ino for p in cache.iterdir()} == entries
    assert tree_digest(first.site) == tree_digest(again.site)


def test_missing_graphviz_is_a_clean_build_failure_with_the_hint(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    bare = tmp_path / "bin"
    bare.mkdir()  # a PATH with python but without dot (nor git)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site")],
        cwd=root,
        env={**ENV, "PATH": str(bare)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Graphviz 'dot' not found on PATH" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert "Traceback" not in result.stderr


# --- signing and the verify page -------------------------------------------------------------


def test_signed_build_verifies_and_unsigned_build_has_no_signature(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    keys = tmp_path / "keys"
    keys.mkdir()
    made = handover("keygen", str(keys / "release"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    key_id = re.search(r"sha256:[0-9a-f]{64}", made.stdout)
    assert key_id is not None
    signed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site")],
        cwd=root,
        env={
            **ENV,
            "HANDOVER_SIGNING_KEY": str(keys / "release"),
            "HANDOVER_PUBLIC_KEY_ID": key_id.group(0),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert signed.returncode == 0, signed.stderr
    assert str(keys) not in signed.stderr  # never the key's place or material in the log
    site = root / "site"
    assert (site / "handover-signature.json").is_file()
    verified = handover("verify", str(site), "--key", str(keys / "release.pub"), cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("VERIFIED")
    report = json.loads(
        handover("verify", str(site), "--key-id", key_id.group(0), "--json", cwd=tmp_path).stdout
    )
    assert report["ok"] is True
    # The verify page names the configured key id (a reminder) and loads the published script.
    page = (site / "handover" / "verify" / "index.html").read_text(encoding="utf-8")
    assert key_id.group(0) in page
    assert '<script src="../../assets/handover/verify.js" defer></script>' in page
    assert 'data-site-root="../../"' in page and 'href="../../handover-signature.json"' in page
    assert (site / "assets" / "handover" / "verify.js").is_file()
    # A tampered page fails verification.
    faq = site / "handover" / "faq" / "index.html"
    faq.write_text(faq.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    failed = handover("verify", str(site), "--key", str(keys / "release.pub"), cwd=tmp_path)
    assert failed.returncode == 1 and "handover/faq/index.html" in failed.stdout

    unsigned = build(root)
    assert unsigned.result.returncode == 0, unsigned.result.stderr
    assert not (unsigned.site / "handover-signature.json").exists()
    assert not (unsigned.site / "handover-signing-key.pub").exists()


def test_a_bad_signing_key_fails_the_build_cleanly(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(root / "site")],
        cwd=root,
        env={**ENV, "HANDOVER_SIGNING_KEY": str(tmp_path / "no-such-key")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "could not be signed" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "site" / "handover-signature.json").exists()


def test_malformed_public_key_id_is_a_clean_error(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(root / "site")],
        cwd=root,
        env={**ENV, "HANDOVER_PUBLIC_KEY_ID": "sha256:<b>"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "HANDOVER_PUBLIC_KEY_ID: error: HANDOVER_PUBLIC_KEY_ID is not a key id" in result.stderr
    assert "Traceback" not in result.stderr


# --- audit, changes, status, history ---------------------------------------------------------


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, env=env or os.environ.copy()
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_audit_changes_status_and_escaped_page_history(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    author = {
        "GIT_AUTHOR_NAME": "Eve *Mallory* & [x](javascript:y)",
        "GIT_AUTHOR_EMAIL": "eve@example.org",
        "GIT_AUTHOR_DATE": "2026-11-02T10:00:00Z",
        "GIT_COMMITTER_NAME": "Eve",
        "GIT_COMMITTER_EMAIL": "eve@example.org",
        "GIT_COMMITTER_DATE": "2026-11-02T10:00:00Z",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(tmp_path),
    }
    env = {**os.environ, **author}
    _git(root, "init", "-q", env=env)
    _git(root, "add", "-A", env=env)
    _git(root, "commit", "-q", "-m", "Add *the* handover <img src=x onerror=alert(1)>", env=env)
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr

    audit = built.html("handover/audit")
    assert "Handover audit" in audit and re.search(r"Score: \d+ / 100", audit)
    changes = built.html("handover/changes")
    # shown as text (entities), never as a tag
    shown = html.unescape(changes)
    assert "<img src=x onerror=alert(1)>" in shown and "<img src=x" not in changes
    status = built.html("handover/status")
    for name in ("pass", "fail", "skipped", "stale", "not run / manual open", "manual done"):
        assert f">{name}</span>" in status, name
    assert "Per milestone" in status and "Per owner" in status
    assert 'href="../checklist/#id-' in status  # items link to the checklist

    for url in ("handover", "handover/lineage", "handover/verify", "handover/datasets/iris-data"):
        text = built.html(url)
        footer = re.search(r'<p class="ho-history"><em>(.*?)</em></p>', text, re.S)
        assert footer is not None, url
        line = html.unescape(re.sub(r"<[^>]+>", "", footer.group(1)))
        assert line.startswith("Last changed 2026-11-02 by Eve *Mallory* & [x](javascript:y) in")
        assert "Add *the* handover" not in line, line  # the commit message is not shown
        assert "<img src=x" not in footer.group(1) and "<a " not in footer.group(1)
    assert 'class="ho-history"' in (built.site / "index.html").read_text(encoding="utf-8")

    # Uncommitted manifest edits are flagged on the pages made from them.
    ops = root / "handover" / "ops.yaml"
    ops.write_text(ops.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = build(root)
    assert again.result.returncode == 0, again.result.stderr
    assert "(plus uncommitted changes)" in again.html("handover/checklist")


def test_without_git_history_every_page_says_why(fixture_site: Built) -> None:
    for url in ("handover", "handover/status"):
        assert "history unavailable: not a git repository" in fixture_site.html(url)
    # the changes page says it once, in its body: it has no last-change footer of its own
    assert fixture_site.html("handover/changes").count("history unavailable") == 1


# --- strict evidence mode --------------------------------------------------------------------


def test_require_evidence_fails_the_build_listing_the_items(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "manifests: handover", "manifests: handover\n      require_evidence: true"
        )
    )
    built = build(root)
    assert built.result.returncode != 0
    err = built.result.stderr
    assert "Traceback" not in err
    found = re.findall(
        r"handover/\w+\.yaml:\d+:\d+: error: required checklist item '([\w.-]+)' is (\w[\w ]*)", err
    )
    assert found, err
    assert all(status in ("not run", "fail", "stale", "skipped") for _, status in found)
    assert "require_evidence" in err


# --- handover render -------------------------------------------------------------------------


def test_render_writes_new_pages_and_diagram_files_next_to_them(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    out = tmp_path / "out"
    result = handover("render", "--out", str(out), "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    for page in ("lineage", "status", "audit", "changes", "verify"):
        assert f"handover/{page}.md" in files, page
    assert "assets/handover/verify.js" in files and "handover/assets/diagrams.css" in files
    lineage = (out / "handover" / "lineage.md").read_text(encoding="utf-8")
    assert "](lineage.svg)" in lineage
    svg = (out / "handover" / "lineage.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "file:" not in svg and str(root) not in svg
    arch = (out / "handover" / "architecture.md").read_text(encoding="utf-8")
    assert "](architecture.svg)" in arch and (out / "handover" / "architecture.svg").is_file()
    assert "](architecture.svg)" in (out / "handover" / "index.md").read_text(encoding="utf-8")
    # The SVG's node links are relative to where it is served (handover/), directory URLs.
    hrefs = re.findall(r'href="([^"#][^"]*)"', svg)
    assert hrefs and all(not h.startswith(("/", "http")) for h in hrefs)
    assert any(h.startswith("artifacts/#id-") for h in hrefs), hrefs


def test_reproducible_site_with_every_new_page(tmp_path: Path) -> None:
    one = copy_fixture(tmp_path / "a")
    two = copy_fixture(tmp_path / "b")
    first, second = build(one), build(two)
    assert first.result.returncode == 0 and second.result.returncode == 0
    assert tree_digest(first.site) == tree_digest(second.site)


def test_links_in_raw_html_follow_use_directory_urls_false(tmp_path: Path) -> None:
    from test_plugin_build import check_links

    root = copy_fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text("use_directory_urls: false\n" + config.read_text(encoding="utf-8"))
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    lineage = built.site / "handover" / "lineage.html"
    links = [h for h in _svg_links(lineage) if not h.startswith("#hd-")]
    assert links and all(".html" in h for h in links), links
    assert check_links(built.site) > 100  # diagram node links included
    verify = (built.site / "handover" / "verify.html").read_text(encoding="utf-8")
    assert '<script src="../assets/handover/verify.js" defer></script>' in verify
