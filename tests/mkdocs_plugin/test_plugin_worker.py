"""``mkdocs build`` renders the generated pages in a forked worker (``pages/worker.py``):
the site is the same as when the plugin renders them itself, and a failure in the worker
fails the build as before: findings with their location, no traceback, no pages written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from plugin_helpers import build, copy_fixture, tree_digest, with_overrides

THREAD_HOOK = textwrap.dedent(
    """\
    import threading

    _stop = threading.Event()


    def on_config(config):
        # A thread running when the plugin loads: forking is unsafe, so it renders
        # the pages itself, as under mkdocs serve.
        threading.Thread(target=_stop.wait, daemon=True).start()
        return config


    def on_post_build(config):
        _stop.set()
    """
)


def _with_hook(root: Path, hook: str) -> None:
    (root / "hook.py").write_text(hook, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + "hooks:\n  - hook.py\n", encoding="utf-8")


def test_worker_builds_the_same_site_as_rendering_in_process(tmp_path: Path) -> None:
    forked = build(copy_fixture(tmp_path / "forked"))
    assert forked.result.returncode == 0, forked.result.stderr
    in_process_root = copy_fixture(tmp_path / "in-process")
    _with_hook(in_process_root, THREAD_HOOK)
    in_process = build(in_process_root)
    assert in_process.result.returncode == 0, in_process.result.stderr
    a, b = tree_digest(forked.site), tree_digest(in_process.site)
    assert len(a) > 50
    assert sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)) == []
    # the glossary links the worker made are in the pages (narratives and generated)
    assert 'class="ho-term"' in forked.html("")  # a narrative (docs/index.md)
    assert 'class="ho-term"' in forked.html("handover/model-card")


def test_template_error_in_the_worker_fails_cleanly_and_writes_no_page(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    people = "# People\n\n{% for p in h.people %}\n- {{ p.name | no_such_filter }}\n{% endfor %}\n"
    with_overrides(root, {"people.md.j2": people})
    built = build(root)
    assert built.result.returncode == 1
    err = built.result.stderr
    assert "handover: invalid input" in err
    assert "people.md.j2:4:" in err
    assert "no_such_filter" in err
    assert "1 error(s)" in err
    assert "Traceback" not in err
    assert not built.site.exists() or not list(built.site.rglob("*.html"))


def test_template_runtime_error_in_the_worker_names_the_template(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    with_overrides(root, {"faq.md.j2": "# FAQ\n\n{{ h.no_such_section.title }}\n"})
    built = build(root)
    assert built.result.returncode == 1
    err = built.result.stderr
    assert "template faq.md.j2 failed for handover/faq.md" in err
    assert "Traceback" not in err
    assert not built.site.exists() or not list(built.site.rglob("*.html"))


MODULES_HOOK = textwrap.dedent(
    """\
    import sys
    from pathlib import Path


    def on_post_build(config):
        loaded = sorted(m for m in sys.modules if m.startswith(("handover_docs", "pydantic")))
        Path(config.config_file_path).with_name("modules.txt").write_text("\\n".join(loaded))
    """
)


def test_mkdocs_process_never_loads_the_manifests(tmp_path: Path) -> None:
    """The worker loads, validates and renders; MkDocs' own process imports neither the
    schema nor the manifest loader (their import and the validated model are the plugin's
    cost in MkDocs' process: issue #18)."""
    root = copy_fixture(tmp_path)
    _with_hook(root, MODULES_HOOK)
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    loaded = (root / "modules.txt").read_text().split()
    assert "handover_docs.mkdocs_plugin.forked" in loaded  # the hook saw the plugin's process
    heavy = ("handover_docs.schema", "handover_docs.manifest", "handover_docs.pages.render")
    assert [m for m in loaded if m in heavy or m.startswith("pydantic")] == []
    # while the references, glossary links and generated pages are all there
    index = built.html("")
    assert 'class="ho-term"' in index
    assert "handover/model-card/" in index


CHANGED_BY_ANOTHER_PLUGIN = textwrap.dedent(
    """\
    from mkdocs.plugins import event_priority


    @event_priority(50)  # before the handover plugin's on_page_markdown
    def on_page_markdown(markdown, page, config, files):
        if page.file.src_uri == "runbook.md":
            return markdown + "\\n\\nAdded by a hook: [[fixture-model|the model card]].\\n"
        return markdown
    """
)

SITE_URL_CHANGED = textwrap.dedent(
    """    def on_pre_build(config):
        # after the worker started (on_config): the options it built the site with are stale
        config.site_url = "https://moved.example.org/handover/"
    """
)


def test_a_narrative_another_plugin_changed_is_resolved_as_mkdocs_gives_it(
    tmp_path: Path,
) -> None:
    """The worker resolved the file; MkDocs gives other Markdown (a plugin before ours
    added to it): the plugin resolves that Markdown itself, with the same result."""
    root = copy_fixture(tmp_path)
    _with_hook(root, CHANGED_BY_ANOTHER_PLUGIN)
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    runbook = built.html("runbook")
    assert "Added by a hook:" in runbook
    assert "[[fixture-model" not in runbook
    assert 'href="../handover/model-card/">the model card</a>' in runbook
    assert "[[" not in built.html("summary")  # resolved by the worker


def test_a_site_url_changed_after_the_worker_started_is_the_one_named(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    _with_hook(root, SITE_URL_CHANGED)
    built = build(root)
    assert built.result.returncode == 0, built.result.stderr
    text = re.sub(r"<[^>]+>", "", built.html("handover/verify"))  # not the theme's canonical link
    assert "handover verify https://moved.example.org/handover/ --key-id" in text


def test_a_broken_reference_fails_the_build_with_its_location(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    summary = root / "docs" / "summary.md"
    summary.write_text(summary.read_text() + "\nSee [[no-such-entry]].\n", encoding="utf-8")
    built = build(root)
    assert built.result.returncode == 1
    err = built.result.stderr
    line = len(summary.read_text().splitlines())
    assert f"summary.md:{line}:5: error: unknown reference '[[no-such-entry]]'" in err
    assert "Traceback" not in err
