"""Benchmark: a site build with the handover plugin vs a plain MkDocs build of the same pages.

Run: .venv/bin/python bench/bench_build.py [--scales 1 10 100] [--repeat 3]

For each scale N the example handover is grown N times (every list section's entries are
cloned with new ids and glossary terms; references still point at the originals, so the
clones are valid), then, side by side, medians of --repeat runs:

- plugin: ``mkdocs build`` with the handover plugin (load + validate the manifests, render
  the pages, resolve narrative references, link glossary terms, build);
- plain:  ``handover render --out`` once (not timed), then ``mkdocs build`` of that plain
  Markdown with the same theme, extensions and nav, and no handover plugin.

The plain twin is made by ``make_plain`` of ``bench/gen_portfolio.py`` (shared with
``bench/bench_scale.py``, which grows synthetic handovers instead of the example).
One untimed warm-up build of each comes first. Both builds use mkdocs-material with
``navigation.prune`` and the search plugin; neither runs mkdocstrings (the code reference
page is left out of both).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_portfolio import ENV, EXTENSIONS, THEME, make_plain

from handover_docs import schema
from handover_docs.yamlsource import load_yaml

REPO = Path(__file__).resolve().parent.parent


def _merged() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((REPO / "handover").glob("*.yaml")):
        data = load_yaml(path).data or {}
        for key, value in data.items():
            if key == "handover":
                continue
            if key in schema.LIST_SECTIONS:
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


def grow(data: dict[str, Any], scale: int) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for section in schema.LIST_SECTIONS:
        if section == "narratives":
            continue  # each names a real docs page
        originals = data.get(section, [])
        for k in range(1, scale):
            for entry in originals:
                clone = copy.deepcopy(entry)
                if "id" in clone:
                    clone["id"] = f"{clone['id']}-x{k}"
                if section == "glossary":
                    clone["term"] = f"{clone['term']} x{k}"
                    clone["aliases"] = [f"{a} x{k}" for a in clone.get("aliases", [])]
                if section == "checklist":
                    clone["needs"] = []
                out[section].append(clone)
    return out


def _docs(target: Path) -> list[str]:
    shutil.copytree(REPO / "docs", target, ignore=shutil.ignore_patterns("code.md"))
    return sorted(p.relative_to(target).as_posix() for p in target.rglob("*.md"))


def make_project(root: Path, scale: int) -> None:
    root.mkdir(parents=True)
    for part in ("model", "templates", "plugins", "constraints.txt", "tests"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, root / part)
    pages = _docs(root / "docs")
    (root / "handover").mkdir()
    data = grow(_merged(), scale)
    for key, value in data.items():
        text = yaml.safe_dump({"handover": 1, key: value}, sort_keys=False, allow_unicode=True)
        (root / "handover" / f"{key}.yaml").write_text(text, encoding="utf-8")
    config = {
        "site_name": f"bench x{scale}",
        "docs_dir": "docs",
        "theme": THEME,
        "markdown_extensions": EXTENSIONS,
        "nav": [*pages, {"Handover": "handover/"}],
        "plugins": ["search", {"handover": {"manifests": "handover", "templates": "templates"}}],
        "validation": {"nav": {"omitted_files": "info"}},
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    # the same pages as plain Markdown, with the same nav, built without the plugin
    make_plain(root)


def _build(root: Path, config: str, site: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", config, "-d", site],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build of {config} failed:\n{result.stderr[-3000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        for scale in args.scales:
            root = Path(tmp) / f"x{scale}"
            make_project(root, scale)
            pages = sum(1 for _ in (root / "md").rglob("*.md"))
            if scale == args.scales[0]:  # warm-up: imports, .pyc files, OS file cache
                _build(root, "mkdocs.yml", "site")
                _build(root, "plain.yml", "site-plain")
            plugin = [_build(root, "mkdocs.yml", "site") for _ in range(args.repeat)]
            plain = [_build(root, "plain.yml", "site-plain") for _ in range(args.repeat)]
            row = {
                "scale": scale,
                "pages": pages,
                "plugin_s": statistics.median(plugin),
                "plain_s": statistics.median(plain),
            }
            row["ratio"] = row["plugin_s"] / row["plain_s"]
            rows.append(row)
            if not args.json:
                print(
                    f"x{scale:<4} {pages:5d} pages  plugin {row['plugin_s']:7.2f} s  "
                    f"plain {row['plain_s']:7.2f} s  ratio {row['ratio']:.2f}",
                    flush=True,
                )
    info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "rows": rows,
    }
    if args.json:
        print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
