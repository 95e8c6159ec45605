"""``mkdocs build`` renders the generated pages in a forked worker (``pages/worker.py``):
the site is the same as when the plugin renders them itself, and a failure in the worker
fails the build as before: findings with their location, no traceback, no pages written."""

from __future__ import annotations

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
