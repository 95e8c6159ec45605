"""Backstage TechDocs, end to end, with the real tools (docs/reference/techdocs.md).

The toolchain lives in ``.venv-techdocs/`` (git-ignored; ``scripts/setup-techdocs.sh``, which
``scripts/setup.sh`` runs): mkdocs-techdocs-core pins older mkdocs-material, Markdown and
pymdown-extensions than ours, so it gets a venv of its own, with this package installed
editable; the ``@techdocs/cli`` from npm (pinned by ``scripts/techdocs/package-lock.json``)
is in ``.venv-techdocs/node``. Set ``HANDOVER_SKIP_TECHDOCS=1`` to skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from plugin_helpers import REPO
from signed_helpers import SignedProject, handover, make_project, run

TOOLCHAIN = REPO / ".venv-techdocs"

pytestmark = pytest.mark.skipif(
    os.environ.get("HANDOVER_SKIP_TECHDOCS") == "1", reason="HANDOVER_SKIP_TECHDOCS=1"
)


@pytest.fixture(scope="module")
def toolchain() -> Path:
    """The TechDocs toolchain, installed on first use (later runs: a stamp check)."""
    setup = subprocess.run(
        ["bash", str(REPO / "scripts" / "setup-techdocs.sh")],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    return TOOLCHAIN


HANDOVER: dict[str, Any] = {"handover": {"manifests": "handover"}}
NAV = [{"Home": "index.md"}, {"Summary": "summary.md"}]


def _project(tmp: Path) -> SignedProject:
    """A handover with a nav (so techdocs-core builds from a temporary copy of docs/) and a
    second commit that touches only the summary page."""
    project = make_project(tmp)
    summary = project.root / "docs" / "summary.md"
    summary.write_text(summary.read_text("utf-8") + "\nOn-call: the ML platform team.\n", "utf-8")
    project.commit("Summary: name the on-call team")
    return project


def _history(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    found = re.search(r'class="[^"]*ho-history[^"]*"[^>]*>(.*?)</p>', html, re.S)
    assert found, f"no history footer in {page}"
    return re.sub(r"<[^>]+>", "", found.group(1))


def _last_commit(root: Path, path: str) -> str:
    """The short id of the last commit that touched PATH (footers name it, not its message)."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%h", "--abbrev=7", "--", path],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize("handover_first", [False, True], ids=["after", "before"])
def test_mkdocs_route_signs_verifies_and_pages_keep_their_history(
    toolchain: Path, tmp_path: Path, handover_first: bool
) -> None:
    project = _project(tmp_path)
    plugins = [HANDOVER, "techdocs-core"] if handover_first else ["techdocs-core", HANDOVER]
    project.write_config(plugins=plugins, nav=NAV)
    project.commit("Build with techdocs-core")
    built = project.build(mkdocs=[str(toolchain / "bin" / "mkdocs")])
    assert built.returncode == 0, built.stderr
    site = project.root / "site"
    # it was techdocs-core: its metadata file, its search (not ours) and its theme overrides
    metadata = json.loads((site / "techdocs_metadata.json").read_text("utf-8"))
    assert metadata["site_name"] == project.config["site_name"]
    assert (site / "search" / "search_index.json").is_file()
    code, report, output = project.verify()
    assert code == 0, output
    assert report["files_checked"] == report["files_signed"]
    # history: techdocs-core built from a temporary copy of docs/, yet each page names
    # the commit that last touched its file in the repository
    summary = _history(site / "summary" / "index.html")
    assert "no commit touches" not in summary
    assert f"in {_last_commit(project.root, 'docs/summary.md')}" in summary, summary
    home = _history(site / "index.html")
    assert f"in {_last_commit(project.root, 'docs/index.md')}" in home, home


def test_techdocs_cli_route_then_handover_sign_verifies(toolchain: Path, tmp_path: Path) -> None:
    """``techdocs-cli generate --no-docker`` (rewrites mkdocs.yml in place: a throwaway copy),
    then ``handover sign``: the site, techdocs_metadata.json included, verifies."""
    project = _project(tmp_path)
    project.write_config(plugins=[HANDOVER], nav=NAV)
    project.commit("TechDocs-ready mkdocs.yml")
    checkout = tmp_path / "checkout"
    shutil.copytree(project.root, checkout, symlinks=True)
    out = tmp_path / "techdocs-site"
    env = {
        "PATH": f"{toolchain / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "SOURCE_DATE_EPOCH": "1700000000",
        # signed by the plugin inside generate: shows why the recipe signs afterwards
        "HANDOVER_SIGNING_KEY": str(project.key),
    }
    cli = toolchain / "node" / "node_modules" / ".bin" / "techdocs-cli"
    generate = run(
        [str(cli), "generate", "--no-docker", "--source-dir", str(checkout),
         "--output-dir", str(out), "--defaultPlugin", "handover", "--etag", "test-etag"],
        cwd=checkout, env=env, timeout=600,
    )  # fmt: skip
    assert generate.returncode == 0, generate.stdout[-3000:] + generate.stderr[-3000:]
    # the CLI rewrote mkdocs.yml in the checkout (techdocs-core added), kept our plugin
    # (--defaultPlugin), and wrote techdocs_metadata.json after MkDocs exited
    rewritten = (checkout / "mkdocs.yml").read_text("utf-8")
    assert "techdocs-core" in rewritten and "handover" in rewritten
    assert "techdocs-core" not in (project.root / "mkdocs.yml").read_text("utf-8")
    assert (out / "handover" / "index.html").is_file()
    metadata = json.loads((out / "techdocs_metadata.json").read_text("utf-8"))
    assert metadata["etag"] == "test-etag"
    before = handover("verify", str(out), "--key", str(project.pub), cwd=tmp_path)
    assert before.returncode == 1
    assert "techdocs_metadata.json" in before.stdout + before.stderr
    # the recipe: sign the finished output folder
    signed = handover("sign", str(out), "--key", str(project.key), "--manifest", str(checkout),
                      cwd=checkout)  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    after = handover("verify", str(out), "--key", str(project.pub), "--json", cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    report = json.loads(after.stdout)
    assert report["files_checked"] == report["files_signed"]
    envelope = json.loads((out / "handover-signature.json").read_text("utf-8"))
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = _statement(envelope)
    names = {s["name"] for s in statement["subject"]}
    assert "techdocs_metadata.json" in names
    # the source commit is the repository's, as the builder checked it out
    assert report["commit"] == _head(project.root)


def _statement(envelope: dict[str, Any]) -> dict[str, Any]:
    import base64

    data: dict[str, Any] = json.loads(base64.b64decode(envelope["payload"]))
    return data


def _head(root: Path) -> str:
    return run(["git", "rev-parse", "HEAD"], cwd=root).stdout.strip()
