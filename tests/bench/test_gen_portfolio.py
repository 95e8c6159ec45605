"""Smoke test of the scale generator: its output validates and builds (small and fast)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from handover_docs import manifest
from handover_docs.portfolio import load_portfolio

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_portfolio", REPO / "bench/gen_portfolio.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_portfolio"] = module
    spec.loader.exec_module(module)
    return module


def _build(root: Path, config: str = "mkdocs.yml") -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", config],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_portfolio_of_two_validates_and_each_model_builds(tmp_path: Path) -> None:
    gen = _generator()
    size = gen.Size(artifacts=4, terms=6, checklist=5, narratives=2)
    sites = gen.generate(tmp_path, models=2, size=size, seed=3, layout="portfolio")
    portfolio = load_portfolio(tmp_path)
    assert [m.handover.model.id for m in portfolio.models] == ["model-000", "model-001"]
    h = portfolio.models[0].handover
    assert (len(h.artifacts), len(h.glossary), len(h.checklist), len(h.narratives)) == (4, 6, 5, 2)
    for site in sites:
        _build(site)
        assert (site / "site/handover/glossary/index.html").is_file()


def test_single_site_with_two_models_of_content_builds_beside_its_plain_twin(
    tmp_path: Path,
) -> None:
    gen = _generator()
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench/gen_portfolio.py"), str(out), "--models", "2",
         "--artifacts", "3", "--terms", "5", "--checklist", "4", "--narratives", "2",
         "--seed", "5", "--plain"],
        env=ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    h = manifest.load(out).handover
    assert (len(h.artifacts), len(h.glossary), len(h.narratives)) == (6, 10, 4)
    _build(out)
    _build(out, "plain.yml")
    pages = sorted(p.relative_to(out / "site").as_posix() for p in (out / "site").rglob("*.html"))
    plain = sorted(
        p.relative_to(out / "site-plain").as_posix() for p in (out / "site-plain").rglob("*.html")
    )
    assert pages == plain  # the same pages, with and without the plugin
    # the generator is reproducible: same seed, same files
    again = tmp_path / "again"
    gen.generate(again, models=2, size=gen.Size(3, 5, 4, 2), seed=5)
    for rel in ("handover/glossary.yaml", "docs/narratives-m1/page-0.md"):
        assert (again / rel).read_bytes() == (out / rel).read_bytes()
