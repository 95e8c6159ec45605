"""Release to release: the signed manifest file, the Changes page's diff against the previous
release (served by a real loopback HTTP server), and ``handover diff URL URL``.

Two real MkDocs builds of the small site fixture, both signed with a real key: release 1,
then release 2 with a changed metric and owner, built with ``HANDOVER_PREVIOUS_RELEASE``
naming release 1's URL. Every other test reads those two sites.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.review.previous_release import STRICT_ENV, previous_changes
from handover_docs.review.release_manifest import MANIFEST_FILE, parse_manifest
from tests.conftest import FIXTURES, run_cli
from tests.signing.signing_helpers import Key, make_key, make_site, serve, sign

MANIFEST = f"handover/{MANIFEST_FILE}"
EPOCH = "1764115200"


@dataclass(frozen=True)
class Releases:
    project: Path
    key: Key
    first: Path
    second: Path
    first_url: str


def _build(project: Path, site: Path, key: Key, previous: str | None = None) -> None:
    env = {"SOURCE_DATE_EPOCH": EPOCH, "HANDOVER_SIGNING_KEY": str(key.private)}
    if previous:
        env["HANDOVER_PREVIOUS_RELEASE"] = previous
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
        cwd=project,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    assert (site / "handover-signature.json").is_file()


def _clean_env() -> dict[str, str]:
    drop = ("HANDOVER_PREVIOUS_RELEASE", "HANDOVER_SIGNING_KEY", "HANDOVER_PREVIOUS_KEY")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Releases]:
    root = tmp_path_factory.mktemp("releases")
    project = root / "project"
    shutil.copytree(FIXTURES / "site", project)
    key = make_key(root / "keys")
    first = root / "site-1"
    _build(project, first, key)
    _edit(
        project / "handover" / "inventory.yaml",
        "metrics: {accuracy: 0.93}",
        "metrics: {accuracy: 0.95}",
    )
    _edit(project / "handover" / "model.yaml", "value: 0.97", "value: 0.95")
    _edit(project / "docs" / "runbook.md", "", "A new first line of the runbook.\n\n")
    inventory = project / "handover" / "inventory.yaml"
    lines = inventory.read_text().splitlines(keepends=True)
    assert lines[9].strip() == "owner: alice"
    lines[9] = lines[9].replace("alice", "bob")
    inventory.write_text("".join(lines))
    second = root / "site-2"
    with serve(first) as server:
        _build(project, second, key, previous=server.url)
        yield Releases(project, key, first, second, server.url)


def _changes_html(site: Path) -> str:
    return (site / "handover" / "changes" / "index.html").read_text()


def test_each_built_site_carries_its_canonical_signed_manifest(releases: Releases) -> None:
    data = (releases.first / MANIFEST).read_bytes()
    doc = json.loads(data)
    assert (
        data
        == (
            json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
        ).encode()
    )
    assert doc["format"] == "handover-docs/manifest@1"
    assert doc["model"] == {
        "id": "fixture-model",
        "name": doc["handover"]["model"]["name"],
        "version": "1.2.3",
    }
    assert doc["manifest_sha256"] == manifest.load(FIXTURES / "site").digest
    assert "runbook.md" in doc["narratives"]
    envelope = json.loads((releases.first / "handover-signature.json").read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    signed = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert signed[MANIFEST] == hashlib.sha256(data).hexdigest()


def test_verify_lists_the_manifest_and_fails_on_a_changed_byte(
    releases: Releases, tmp_path: Path
) -> None:
    ok = run_cli(["verify", str(releases.first), "--key", str(releases.key.public), "--json"])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    copy = tmp_path / "site"
    shutil.copytree(releases.first, copy)
    path = copy / MANIFEST
    path.write_bytes(path.read_bytes().replace(b'"1.2.3"', b'"1.2.4"', 1))
    bad = run_cli(["verify", str(copy), "--key", str(releases.key.public)])
    assert bad.returncode == 1
    assert MANIFEST in bad.stdout + bad.stderr


def test_first_release_says_no_previous_release_and_keeps_the_history(releases: Releases) -> None:
    page = _changes_html(releases.first)
    assert "no previous release named" in page
    assert "HANDOVER_PREVIOUS_RELEASE" in page
    assert "Manifest commits" in page


def test_changes_page_shows_the_semantic_diff_against_the_previous_release(
    releases: Releases,
) -> None:
    page = _changes_html(releases.second)
    assert f'Previous release: <a href="{releases.first_url}">{releases.first_url}</a>' in page
    assert "verified" in page and releases.key.key_id in page
    # Owners are named as on the rest of the site, and the names lead to the People page.
    assert '<a href="../people/#id-bob">Bob Ops</a> (<code>bob</code>)' in page
    assert '<a href="../people/#id-alice">Alice &lt;script&gt;' in page
    assert "accuracy" in page and "0.93" in page and "0.95" in page
    assert "AUC" in page
    assert "Owners and sign-offs" in page and "weights" in page
    assert "runbook.md" in page and "content changed (digest)" in page
    # Manifest strings are escaped on the page: the fixture's payloads never become tags.
    assert "<script>alert('name')" not in page
    assert "Manifest commits" in page


def test_tampered_previous_manifest_is_refused_never_shown(
    releases: Releases, tmp_path: Path
) -> None:
    tampered = tmp_path / "previous"
    shutil.copytree(releases.first, tampered)
    path = tampered / MANIFEST
    path.write_bytes(path.read_bytes().replace(b"0.93", b"0.99", 1))
    loaded = manifest.load(releases.project)
    with serve(tampered) as server:
        env = {"HANDOVER_PREVIOUS_RELEASE": server.url}
        result = previous_changes(loaded, "handover", env)
        assert result.diff is None
        assert "does not match the sha256" in result.problem
        with pytest.raises(HandoverError, match="does not match"):
            previous_changes(loaded, "handover", {**env, STRICT_ENV: "1"})
    from handover_docs.review.markdown import render_previous

    text = render_previous(result)
    assert "Not shown" in text and "0.99" not in text


def test_previous_release_signed_by_another_key_is_refused(
    releases: Releases, tmp_path: Path
) -> None:
    other = make_key(tmp_path / "keys", "other")
    loaded = manifest.load(releases.project)
    result = previous_changes(
        loaded,
        "handover",
        {
            "HANDOVER_PREVIOUS_RELEASE": str(releases.first),
            "HANDOVER_SIGNING_KEY": str(other.private),
        },
    )
    assert result.diff is None and "not signed by a trusted key" in result.problem


def test_without_a_key_only_digests_are_checked_and_the_page_says_so(releases: Releases) -> None:
    loaded = manifest.load(releases.project)
    result = previous_changes(
        loaded, "handover", {"HANDOVER_PREVIOUS_RELEASE": str(releases.first)}
    )
    assert result.diff is not None and result.trust == "digests"
    from handover_docs.review.markdown import render_previous

    assert "not verified" in render_previous(result)


def test_unreachable_previous_release_is_a_note_unless_strict(releases: Releases) -> None:
    loaded = manifest.load(releases.project)
    env = {"HANDOVER_PREVIOUS_RELEASE": "http://127.0.0.1:9/"}
    result = previous_changes(loaded, "handover", env)
    assert result.diff is None and "cannot read" in result.problem
    with pytest.raises(HandoverError):
        previous_changes(loaded, "handover", {**env, STRICT_ENV: "1"})


def test_cli_diff_of_two_site_urls_gives_the_semantic_and_the_file_diff(
    releases: Releases,
) -> None:
    with serve(releases.second) as second:
        shown = run_cli(["diff", releases.first_url, second.url])
        as_json = run_cli(["diff", releases.first_url, second.url, "--json"])
    assert shown.returncode == 0, shown.stderr
    assert "Signed release diff" in shown.stdout
    assert "Handover diff" in shown.stdout and "accuracy" in shown.stdout
    # Markdown for a pull-request comment: people named, no site-relative link to break.
    assert "Bob Ops (<code>bob</code>)" in shown.stdout
    assert "](" not in shown.stdout and "#id-" not in shown.stdout
    assert "New release names the old one as its previous release." in shown.stdout
    assert f"`{MANIFEST}`" in shown.stdout or MANIFEST in shown.stdout
    data = json.loads(as_json.stdout)
    assert data["kind"] == "release" and data["chained"] is True
    [semantic] = data["handovers"]
    metrics = {(m["metric"], m["old"], m["new"]) for m in semantic["metrics"]}
    assert ("accuracy", 0.93, 0.95) in metrics


def test_cli_diff_of_an_old_release_without_the_manifest_falls_back(
    releases: Releases, tmp_path: Path
) -> None:
    old = make_site(tmp_path / "old-site")
    sign(old, releases.key)
    shown = run_cli(["diff", str(old), str(releases.first)])
    assert shown.returncode == 0, shown.stderr
    assert "No semantic diff" in shown.stdout and "predates" in shown.stdout
    assert "### Files" in shown.stdout


def test_manifest_file_parse_refuses_other_json() -> None:
    with pytest.raises(HandoverError, match="not a handover manifest file"):
        parse_manifest(b'{"format": "other"}', MANIFEST)


def test_zensical_build_carries_the_manifest_and_the_same_changes(
    releases: Releases, tmp_path: Path
) -> None:
    """Engine-neutral: ``handover build --engine zensical`` writes the same signed file and
    compares with the previous release as the MkDocs build does."""
    site = tmp_path / "zensical-site"
    env = {
        "SOURCE_DATE_EPOCH": EPOCH,
        "HANDOVER_SIGNING_KEY": str(releases.key.private),
        "HANDOVER_PREVIOUS_RELEASE": str(releases.first),
    }
    built = run_cli(
        ["build", "--engine", "zensical", "-d", str(site)], cwd=releases.project, env=env
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (site / MANIFEST).read_bytes() == (releases.second / MANIFEST).read_bytes()
    ok = run_cli(["verify", str(site), "--key", str(releases.key.public)])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    page = _changes_html(site)
    assert "verified" in page and "accuracy" in page and "0.93" in page


def test_cli_diff_of_a_published_release_and_the_working_copy(releases: Releases) -> None:
    """What changed since release 1: its URL against the handover folder at hand."""
    shown = run_cli(["diff", releases.first_url, str(releases.project), "--json"])
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["kind"] == "handover" and data["old_label"] == releases.first_url
    metrics = {(m["metric"], m["old"], m["new"]) for m in data["metrics"]}
    assert ("accuracy", 0.93, 0.95) in metrics
    # The working copy's narrative is read, the release's known by its digest only.
    assert [(p["page"], p["added_lines"]) for p in data["pages"]] == [("runbook.md", None)]
