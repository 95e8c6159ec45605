"""Signing runs after every other plugin, and a write after signing fails the build.

Real signed builds (``HANDOVER_SIGNING_KEY`` set) of a small ``handover init`` project that
must pass ``handover verify``, in the plugin orders and with the plugins users combine with
ours. (techdocs-core has its own venv: ``test_techdocs.py``.)
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from signed_helpers import SignedProject, make_project

HANDOVER: dict[str, Any] = {"handover": {"manifests": "handover"}}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> SignedProject:
    """One project for the matrix; each case rewrites mkdocs.yml and builds its own site."""
    return make_project(tmp_path_factory.mktemp("order"))


def _build_and_verify(project: SignedProject, site: str, **config: Any) -> dict[str, Any]:
    project.write_config(**config)
    built = project.build(site=site)
    assert built.returncode == 0, built.stderr
    code, report, output = project.verify(site)
    assert code == 0, output
    assert report["ok"] is True and report["problems"] == []
    assert report["files_checked"] == report["files_signed"]
    return report


@pytest.mark.parametrize(
    ("case", "plugins", "written_late"),
    [
        # search writes search/search_index.json in its on_post_build
        ("before-search", [HANDOVER, "search"], "search/search_index.json"),
        ("after-search", ["search", HANDOVER], "search/search_index.json"),
        # material's offline plugin writes search_index.js at priority -100 ("last")
        ("offline", [HANDOVER, "search", "offline"], "search/search_index.js"),
    ],
)
def test_signed_build_verifies_in_any_plugin_order(
    project: SignedProject, case: str, plugins: list[Any], written_late: str
) -> None:
    _build_and_verify(project, f"site-{case}", plugins=plugins)
    # the file a plugin after ours in the list writes at post-build is in the signed site
    assert (project.root / f"site-{case}" / written_late).is_file()


def test_signed_build_with_mkdocstrings_verifies(project: SignedProject) -> None:
    package = project.root / "src" / "tinymodel"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""A tiny model."""\n\n\ndef score(x: float) -> float:\n'
        '    """Score one input: the risk that the handover test reads."""\n    return x\n',
        encoding="utf-8",
    )
    (project.root / "docs" / "api.md").write_text("# API\n\n::: tinymodel\n", encoding="utf-8")
    mkdocstrings = {"mkdocstrings": {"handlers": {"python": {"paths": ["src"]}}}}
    _build_and_verify(project, "site-mkdocstrings", plugins=[HANDOVER, mkdocstrings, "search"])
    api = (project.root / "site-mkdocstrings" / "api" / "index.html").read_text("utf-8")
    assert "the risk that the handover test reads" in api


LATE_HOOKS = {
    # a post-build step at a priority below handover's signing adds a file
    "late-post-build": """
        from pathlib import Path
        from mkdocs.plugins import event_priority

        @event_priority(-5000)
        def on_post_build(config):
            Path(config.site_dir, "late-report.txt").write_text("written after signing")
        """,
    # a plugin changes a signed page when MkDocs shuts down
    "on-shutdown": """
        from pathlib import Path
        SITE = []

        def on_post_build(config):
            SITE.append(config.site_dir)

        def on_shutdown():
            page = Path(SITE[0], "index.html")
            page.write_text(page.read_text() + "<!-- injected -->")
        """,
}


@pytest.mark.parametrize(("case", "expected"), [
    ("late-post-build", "not signed (added after signing): late-report.txt"),
    ("on-shutdown", "changed after signing: index.html"),
])  # fmt: skip
def test_a_write_after_signing_fails_the_build_naming_the_files(
    project: SignedProject, case: str, expected: str
) -> None:
    hook = project.root / f"hook_{case.replace('-', '_')}.py"
    hook.write_text(textwrap.dedent(LATE_HOOKS[case]), encoding="utf-8")
    project.write_config(plugins=["search", HANDOVER], hooks=[hook.name])
    try:
        built = project.build(site=f"site-{case}")
    finally:
        project.write_config(hooks=[])
    assert built.returncode != 0
    assert expected in built.stderr, built.stderr
    assert "changed after the site was signed" in built.stderr
    assert "Traceback" not in built.stderr
    # what the build warned about is real: the site as left does not verify
    code, _, output = project.verify(f"site-{case}")
    assert code == 1, output


def test_a_rewrite_with_the_same_bytes_after_signing_is_not_an_error(
    project: SignedProject,
) -> None:
    """Only real changes count: a plugin touching a signed file without changing it is fine."""
    hook = project.root / "hook_touch.py"
    hook.write_text(
        textwrap.dedent("""
            import os
            from pathlib import Path
            from mkdocs.plugins import event_priority

            @event_priority(-5000)
            def on_post_build(config):
                page = Path(config.site_dir, "index.html")
                page.write_bytes(page.read_bytes())
                os.utime(page, ns=(1, 1))
            """),
        encoding="utf-8",
    )
    project.write_config(plugins=["search", HANDOVER], hooks=[hook.name])
    try:
        built = project.build(site="site-touch")
    finally:
        project.write_config(hooks=[])
    assert built.returncode == 0, built.stderr
    assert project.verify("site-touch")[0] == 0


def test_an_unsigned_build_is_not_checked(project: SignedProject) -> None:
    """Without a key nothing is signed, so a late write is no error."""
    hook = project.root / "hook_unsigned.py"
    hook.write_text(textwrap.dedent(LATE_HOOKS["late-post-build"]), encoding="utf-8")
    project.write_config(plugins=["search", HANDOVER], hooks=[hook.name])
    try:
        built = project.build(site="site-unsigned", sign=False)
    finally:
        project.write_config(hooks=[])
    assert built.returncode == 0, built.stderr
    assert (project.root / "site-unsigned" / "late-report.txt").is_file()
    assert not (project.root / "site-unsigned" / "handover-signature.json").exists()
