"""An auditor of a second release finds what changed since the first one within two clicks
from the home page, and the verify page shows the release's place in its chain.

Two real signed builds of a copy of the example, made once per run: release 1, then the
copy's manifests and a narrative changed as a real release changes them (a retrained
metric, the model version, an artifact's owner, a new checklist item, a runbook line),
and release 2 built with ``HANDOVER_PREVIOUS_RELEASE`` naming release 1 as served by a real
HTTP server on 127.0.0.1 and ``HANDOVER_PREVIOUS_KEY`` naming the signer's public key, so
the Changes page says the previous signature was verified (and, with
``HANDOVER_PREVIOUS_RELEASE_STRICT=1``, an unusable release 1 fails the build instead of
leaving a note). No ``handover check`` runs on this copy: the diff reads the manifests, and
the checklist's evidence is test_site_two_clicks.py's subject on the example.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_helpers import (
    SOURCE_DATE_EPOCH,
    Browser,
    Built,
    Server,
    _once,
    _open,
    _run,
    _serve,
    copy_example_with_key,
)
from test_site_axe import AXE, _violations
from test_site_two_clicks import Walk

NEW_ITEM = "release-notes-published"
NEW_ITEM_TITLE = "Release notes of version 1.1.0 sent to operations"
RUNBOOK_LINE = "Release 1.1.0: the retrained weights keep the threshold of 0.3."


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new))


def _release(project: Path, key: Path, site: Path, previous: str = "") -> None:
    built = _run(
        ["mkdocs", "build", "-d", str(site)],
        project,
        {
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "HANDOVER_SIGNING_KEY": str(key),
            "HANDOVER_PREVIOUS_RELEASE": previous,
            "HANDOVER_PREVIOUS_KEY": f"{key}.pub" if previous else "",
            "HANDOVER_PREVIOUS_RELEASE_STRICT": "1",  # an unusable release 1 fails the build
        },
    )
    assert built.returncode == 0, built.stderr[-4000:]
    assert (site / "handover-signature.json").is_file(), "the build did not sign the site"


def _change_like_a_release(project: Path) -> None:
    """What release 2 changes: small edits of the copy's manifests and one narrative."""
    handover = project / "handover"
    _edit(
        handover / "model.yaml", '  version: "1.0.0"\n  summary:', '  version: "1.1.0"\n  summary:'
    )
    _edit(
        handover / "experiments.yaml",
        "    metrics:\n      accuracy: 0.979021\n",
        "    metrics:\n      accuracy: 0.965035\n",
    )
    train_code = "\n    derived_from: [code-pipeline, code-data, eval-suite]"  # code-train's
    _edit(
        handover / "artifacts.yaml",
        "    owner: tomas-lee" + train_code,
        "    owner: lea-novak" + train_code,
    )
    checklist = handover / "checklist.yaml"
    checklist.write_text(
        checklist.read_text()
        + f"  - id: {NEW_ITEM}\n"
        + "    last_reviewed: 2026-11-26\n"
        + f"    title: {NEW_ITEM_TITLE}\n"
        + "    milestone: m3-production-ready\n"
        + "    owner: priya-nair\n"
        + "    acceptance: Operations confirmed they read the release notes.\n"
        + "    done: false\n"
    )
    items = yaml.safe_load(checklist.read_text())["checklist"]
    assert items[-1]["id"] == NEW_ITEM, "checklist.yaml no longer ends with its checklist"
    runbook = project / "docs" / "runbook.md"
    runbook.write_text(runbook.read_text() + f"\n{RUNBOOK_LINE}\n")


def _build_two_releases(folder: Path) -> Built:
    project, key, key_id = copy_example_with_key(folder)
    first = folder / "site-1"
    _release(project, key, first)
    _change_like_a_release(project)
    second = folder / "site-2"
    with contextlib.contextmanager(_serve)(first) as server:
        _release(project, key, second, previous=server.url)
    (folder / "release-1.json").write_text(json.dumps({"url": server.url}))
    return Built(project, second, key_id)


@pytest.fixture(scope="session")
def second_release(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Release 2 of a copy of the example, built against release 1 (built once per run)."""
    return _once(tmp_path_factory, "release-changes", _build_two_releases)


@pytest.fixture(scope="session")
def second_release_server(second_release: Built) -> Iterator[Server]:
    yield from _serve(second_release.site)


@pytest.fixture
def auditor(
    request: pytest.FixtureRequest, chromium: Any, second_release_server: Server
) -> Iterator[Browser]:
    """A fresh browser context on release 2 (light scheme, 1280x800)."""
    yield from _open(request, chromium, [second_release_server.origin], color_scheme="light")


def _first_release_url(second: Built) -> str:
    return str(json.loads((second.site.parent / "release-1.json").read_text())["url"])


def _row(walk: Walk, *cells: str) -> list[str]:
    """The cells of the one table row in the article that shows every text in CELLS."""
    rows = walk.page.locator("article tr")
    for text in cells:
        rows = rows.filter(has_text=text)
    assert rows.count() == 1, (cells, rows.count())
    return [" ".join(c.split()) for c in rows.first.locator("td").all_inner_texts()]


def test_what_changed_since_the_last_release_is_one_click_away(
    auditor: Browser, second_release_server: Server, second_release: Built
) -> None:
    walk = Walk(auditor.page, second_release_server.url)
    walk.click("Changes")
    since = " ".join(walk.section("since-the-previous-release").split())
    # Which release it is compared with, and that its signature was checked with the key.
    first = f"Previous release: {_first_release_url(second_release)}, release 1.0.0 (sequence 1)"
    assert first in since, since
    assert f"Its signature was verified with the trusted key {second_release.key_id}" in since, (
        since
    )
    # Exactly the changes release 2 made, and each as the auditor reads it.
    assert (
        "1 added, 0 removed, 3 changed entries; 1 metric change; 1 narrative page changed." in since
    ), since
    metric = _row(walk, "experiment train-recorded", "accuracy")
    # As the manifest wrote them (no Slice column of dashes: experiments' metrics have none).
    assert metric[2:5] == ["0.979021", "0.965035", "-0.013986"], metric
    # The model's row names the model (its id), not "model | model".
    model_row = _row(walk, "version: 1.0.0 → 1.1.0")
    assert model_row[:3] == ["model", "wdbc-screening-lr", "✏️ changed"], model_row
    # Owners by name, as on the rest of the site, each name leading to their People entry.
    owner = ["artifacts code-train (owner)", "Tomás Lee (tomas-lee)", "Lea Novak (lea-novak)"]
    assert _row(walk, "code-train (owner)") == owner
    # The previous release's URL is a link to it.
    url = _first_release_url(second_release)
    assert walk.page.locator("article").get_by_role("link", name=url, exact=True).count() == 1
    walk.click("Lea Novak")
    assert walk.page.url.endswith("/people/#id-lea-novak"), walk.page.url
    assert "Lea Novak" in walk.page.locator("tr:has(#id-lea-novak)").inner_text()
    walk.page.go_back()
    assert _row(walk, NEW_ITEM, NEW_ITEM_TITLE, "open") == [NEW_ITEM, NEW_ITEM_TITLE, "—", "open"]
    added = _row(walk, "checklist", NEW_ITEM, "added")
    assert added[3] == f"title: {NEW_ITEM_TITLE}", added
    assert "None" not in since and "[!" not in since, since
    assert _row(walk, "runbook.md") == ["runbook.md", "changed", "content changed (digest)"]


def test_the_verify_page_shows_the_release_and_its_chain(
    auditor: Browser, second_release_server: Server, second_release: Built
) -> None:
    changes = Walk(auditor.page, second_release_server.url)
    changes.click("Changes")
    since = " ".join(changes.section("since-the-previous-release").split())
    walk = Walk(auditor.page, second_release_server.url)
    walk.click("signature: verify this site")
    page = walk.page
    pin = page.locator("[data-handover=pin]")
    page.wait_for_function(
        "() => /^NOT TRUSTED/.test(document.querySelector('[data-handover=status]').innerText)",
        timeout=30_000,
    )
    pin.fill(second_release.key_id)
    pin.press("Enter")
    page.wait_for_function(
        "() => /^VERIFIED/.test(document.querySelector('[data-handover=status]').innerText)",
        timeout=30_000,
    )
    facts = {
        row.locator("th, td").nth(0).inner_text(): row.locator("td").last.inner_text()
        for row in page.locator("[data-handover=facts] tr").all()
    }
    assert facts["Release"] == "1.1.0 (sequence 2)", facts
    previous = facts["Previous release"]
    assert previous.startswith("1.0.0 (sequence 1, statement sha256:"), facts
    # The statement the Changes page compared with is the one this release chains to.
    digest = previous.removeprefix("1.0.0 (sequence 1, statement sha256:").removesuffix(")")
    assert f"statement sha256 {digest}." in since, (digest, since)
    # Release 1's signature is kept in release 2, and its digest is the one named.
    assert facts["Earlier release 1.0.0"] == "sequence 1, built 2025-11-26T00:00:00Z: linked"


def test_the_diff_tables_pass_axe_in_both_schemes(
    auditor: Browser, second_release_server: Server
) -> None:
    """The diff's tables exist only on a second release, so test_site_axe.py never sees them."""
    assert AXE.is_file(), f"axe-core is not installed ({AXE}); run scripts/setup.sh"
    page = auditor.page
    found: dict[str, list[str]] = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = _violations(page, second_release_server.url + "handover/changes/")
        if violations:
            found[scheme] = violations
    assert page.locator("article table").count() >= 5  # the diff's tables were there
    assert not found, f"axe-core found serious or critical violations: {found}"
