"""``mkdocs serve`` rebuilds on manifest and template changes and survives manifest errors."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from plugin_helpers import copy_fixture


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _wait(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail("timed out waiting for the server")


@contextlib.contextmanager
def _serving(root: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``mkdocs serve`` in ``root`` on a free loopback port: (base URL, process)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,  # never read: a full pipe would stall the server
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    root = copy_fixture(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "faq.md.j2").write_text("# FAQ v1\n", encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "manifests: handover", "manifests: handover\n      templates: templates"
        )
    )
    with _serving(root) as (base, proc):
        yield root, base, proc


def test_serve_watches_manifests_templates_and_survives_errors(
    served: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    root, base, proc = served
    _wait(lambda: "1.2.3" in _get(f"{base}/handover/"))
    model = root / "handover" / "model.yaml"
    good = model.read_text(encoding="utf-8")
    model.write_text(good.replace('version: "1.2.3"', 'version: "1.2.4"'), encoding="utf-8")
    _wait(lambda: "1.2.4" in _get(f"{base}/handover/"))
    (root / "templates" / "faq.md.j2").write_text("# FAQ v2\n", encoding="utf-8")
    _wait(lambda: "FAQ v2" in _get(f"{base}/handover/faq/"))
    model.write_text(good.replace("owners: [alice]", "owners: [alicia]"), encoding="utf-8")
    _wait(lambda: "The handover manifests have errors" in _get(f"{base}/handover/"))
    page = _get(f"{base}/handover/")
    assert "handover/model.yaml:" in page and "alicia" in page
    assert proc.poll() is None  # still serving
    model.write_text(good, encoding="utf-8")
    _wait(lambda: "1.2.3" in _get(f"{base}/handover/"))
    assert proc.poll() is None


def test_serve_rebuilds_reuse_unchanged_diagrams(
    served: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    root, base, proc = served
    _wait(lambda: 'id="diagram-lineage"' in _get(f"{base}/handover/lineage/"))
    cache = root / ".handover" / "cache" / "diagrams"
    # An entry drawn again is written atomically as a new file (a new inode).
    entries = {p.name: p.stat().st_ino for p in cache.iterdir()}
    assert entries
    model = root / "handover" / "model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace('version: "1.2.3"', 'version: "1.2.5"'),
        encoding="utf-8",
    )
    _wait(lambda: "1.2.5" in _get(f"{base}/handover/"))
    assert {p.name: p.stat().st_ino for p in cache.iterdir()} == entries
    ops = root / "handover" / "ops.yaml"
    ops.write_text(
        ops.read_text(encoding="utf-8").replace("label: Store,", "label: Weight store,"),
        encoding="utf-8",
    )
    _wait(lambda: "Weight store" in _get(f"{base}/handover/architecture/"))
    now = {p.name: p.stat().st_ino for p in cache.iterdir()}
    assert set(now) > set(entries)  # the changed diagram was drawn again, and only added
    assert all(now[name] == ino for name, ino in entries.items() if name in now)
    assert proc.poll() is None


def test_serve_picks_up_model_folders_added_to_a_portfolio(tmp_path: Path) -> None:
    from tests.test_portfolio import write_model, write_portfolio_config

    root = tmp_path
    write_model(root, "alpha", name="Alpha")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Portfolio\n", encoding="utf-8")
    write_portfolio_config(root)
    with _serving(root) as (base, proc):
        _wait(lambda: "Alpha" in _get(f"{base}/models/"))
        # a whole model folder copied in at once (its files written before any watch)
        staged = write_model(tmp_path / "staging", "beta", name="Beta arrives")
        shutil.copytree(staged, root / "handovers" / "beta")
        _wait(lambda: "Beta arrives" in _get(f"{base}/models/"))
        assert "1.0.0" in _get(f"{base}/models/beta/handover/")
        # a model folder made step by step: folder first, then its manifests
        gamma = root / "handovers" / "gamma"
        gamma.mkdir()
        staged = write_model(tmp_path / "staging", "gamma", name="Gamma, step by step")
        (gamma / "weights.bin").write_bytes((staged / "weights.bin").read_bytes())
        for part in ("handover", "docs"):
            (gamma / part).mkdir()
            for source in sorted((staged / part).iterdir()):
                (gamma / part / source.name).write_bytes(source.read_bytes())
        _wait(lambda: "Gamma, step by step" in _get(f"{base}/models/"))
        # and an edit in the new model's manifests is seen like any other
        model = gamma / "handover" / "model.yaml"
        model.write_text(
            model.read_text(encoding="utf-8").replace('"1.0.0"', '"1.0.1"'), encoding="utf-8"
        )
        _wait(lambda: "1.0.1" in _get(f"{base}/models/gamma/handover/"))
        # a model folder removed, then one renamed: the index follows
        shutil.rmtree(root / "handovers" / "beta")
        _wait(lambda: "Beta arrives" not in _get(f"{base}/models/"))
        # ...and made again at the same path (a branch switch): watched anew
        staged = write_model(tmp_path / "staging-again", "beta", name="Beta is back")
        shutil.copytree(staged, root / "handovers" / "beta")
        _wait(lambda: "Beta is back" in _get(f"{base}/models/"))
        beta = root / "handovers" / "beta" / "handover" / "model.yaml"
        beta.write_text(beta.read_text(encoding="utf-8").replace("Beta is back", "Beta, edited"))
        _wait(lambda: "Beta, edited" in _get(f"{base}/models/"))
        (root / "handovers" / "gamma").rename(root / "handovers" / "gamma-renamed")
        model = root / "handovers" / "gamma-renamed" / "handover" / "model.yaml"
        model.write_text(
            model.read_text(encoding="utf-8").replace('"1.0.1"', '"1.0.2"'), encoding="utf-8"
        )
        _wait(lambda: "1.0.2" in _get(f"{base}/models/gamma/handover/"))
        assert proc.poll() is None


def test_serve_relinks_glossary_terms_when_the_glossary_changes(
    served: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    """Rebuilds reuse the glossary links of unchanged pages; an edited definition must
    still reach the tooltips of those pages (docs/index.md itself does not change)."""
    root, base, proc = served
    _wait(lambda: 'title="AUC: Area under the ROC curve."' in _get(f"{base}/"))
    ops = root / "handover" / "ops.yaml"
    text = ops.read_text(encoding="utf-8")
    ops.write_text(text.replace("Area under the ROC curve.", "Area under the curve."), "utf-8")
    _wait(lambda: 'title="AUC: Area under the curve."' in _get(f"{base}/"))
    model = root / "handover" / "model.yaml"  # an edit elsewhere: the links stay
    model.write_text(
        model.read_text(encoding="utf-8").replace('version: "1.2.3"', 'version: "1.2.6"'),
        encoding="utf-8",
    )
    _wait(lambda: "1.2.6" in _get(f"{base}/handover/"))
    assert 'title="AUC: Area under the curve."' in _get(f"{base}/")
    assert proc.poll() is None
