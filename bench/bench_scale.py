"""Scale benchmarks: plugin vs plain MkDocs builds at 1x/10x/100x, glossary linking with 1,000
terms, and the incremental ``mkdocs serve`` rebuild after editing one file.

Run (results and machine notes: ``docs/reference/scale.md``)::

    .venv/bin/python bench/bench_scale.py [--scales 1 10 100] [--repeat 3] [--serve-repeat 3]

1. **Builds.** Cold plugin builds (no ``.handover/cache``, as CI builds a fresh clone) and
   warm ones (the caches of an earlier build), and (unless ``--no-zensical``) the Zensical
   route, ``handover build --engine zensical`` (render + build), cold and warm.
   ``builds[].ratio`` is the **cold** plugin / plain ratio of the medians, ``ratio_warm`` the
   warm one; ``ratio_paired`` / ``ratio_warm_paired`` the medians of the per-round ratios
   (each round builds both back to back, so they share that moment's machine load);
   ``rss_ratio`` / ``rss_ratio_warm`` the same for peak memory. For each scale k,
   ``bench/gen_portfolio.py`` writes one handover k times the example (19k artifacts, 28k
   glossary terms, 14k checklist items, 7k narratives) and its plain twin (``handover
   render`` Markdown + ``plain.yml``: the same theme, extensions and nav without the
   plugin). After one untimed warm-up build of each, ``--repeat`` rounds each build the
   plugin site (warm), the plain site, the plugin site cold, the plain site again
   (alternating, so drifting machine load hits both alike). Each build is one ``mkdocs
   build --strict`` process: wall time, and its peak RSS from ``os.wait4`` (the kernel's
   ru_maxrss of that process and the children it waited for: the page-rendering worker,
   Graphviz). Site size: bytes and files of the built folder.
2. **Glossary linking.** A synthetic handover with 1,000 terms; its pages (generated and
   narratives, rendered without links) are converted to HTML with the site's Markdown
   extensions, then linked by the plugin's linker, by a no-op pass, and by a naive
   one-regex-per-term linker (for reference; no skip rules).
3. **Incremental rebuild.** ``mkdocs serve`` on 127.0.0.1 (live reload on) for the plugin
   site at 10x; edit one manifest file (a checklist item's acceptance text); time from the
   write until the server logs that it reloads the browsers. The same for the plain site,
   editing one Markdown page. Diagram cache entries written during the rebuild are
   counted (unchanged diagrams must come from the cache).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_portfolio

from handover_docs import manifest
from handover_docs.glossary import GlossaryLinker, term_anchor

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


# --- measuring one process -------------------------------------------------------------------


def run_measured(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB) of one process, from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{err.decode()[-3000:]}")
    return elapsed, usage.ru_maxrss // 1024


def build(root: Path, config: str, site: str) -> tuple[float, int]:
    shutil.rmtree(root / site, ignore_errors=True)
    return run_measured(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", config, "-d", site],
        root,
    )


def build_zensical(root: Path, site: str) -> tuple[float, int]:
    """The Zensical route, as a user runs it: ``handover build --engine zensical`` (render the
    pages, write the engine's config, build, no signing key)."""
    shutil.rmtree(root / site, ignore_errors=True)
    command = ["handover_docs", "build", "--engine", "zensical", "--strict", "-d", site]
    return run_measured([sys.executable, "-m", *command], root)


def cold(root: Path) -> None:
    """A fresh clone's state: no ``.handover/cache`` (diagrams, templates, Zensical's cache)."""
    shutil.rmtree(root / ".handover" / "cache", ignore_errors=True)


def tree_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# --- 1. builds -------------------------------------------------------------------------------


def bench_builds(
    tmp: Path, scales: list[int], repeat: int, zensical: bool = True
) -> list[dict[str, Any]]:
    rows = []
    for index, k in enumerate(scales):
        root = tmp / f"x{k}"
        gen_portfolio.generate(root, models=1, size=gen_portfolio.Size.scaled(k), seed=k)
        gen_portfolio.make_plain(root)
        if index == 0:  # warm-up: imports, .pyc files, OS file cache, diagram cache
            build(root, "mkdocs.yml", "site")
            build(root, "plain.yml", "site-plain")
        else:
            build(root, "mkdocs.yml", "site")  # fills this site's diagram cache once
        if zensical:
            build_zensical(root, "site-zensical")  # warm-up of the Zensical route
        names = ["plugin", "plain", "plugin_cold", "plain_2"]
        names += ["zensical", "zensical_cold"] if zensical else []
        runs: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
        for _ in range(repeat):
            runs["plugin"].append(build(root, "mkdocs.yml", "site"))
            runs["plain"].append(build(root, "plain.yml", "site-plain"))
            cold(root)
            runs["plugin_cold"].append(build(root, "mkdocs.yml", "site"))
            runs["plain_2"].append(build(root, "plain.yml", "site-plain"))
            if zensical:
                runs["zensical"].append(build_zensical(root, "site-zensical"))
                cold(root)
                runs["zensical_cold"].append(build_zensical(root, "site-zensical"))
        row: dict[str, Any] = {"scale": k}
        warm_pairs = list(zip(runs["plugin"], runs["plain"], strict=True))
        cold_pairs = list(zip(runs["plugin_cold"], runs["plain_2"], strict=True))
        runs["plain"] += runs.pop("plain_2")
        for name, site in (
            ("plugin", "site"),
            ("plain", "site-plain"),
            ("zensical", "site-zensical"),
            ("plugin_cold", "site"),
            ("zensical_cold", "site-zensical"),
        ):
            if name not in runs:
                continue
            row[f"{name}_s"] = statistics.median(t for t, _ in runs[name])
            row[f"{name}_runs_s"] = [round(t, 2) for t, _ in runs[name]]
            row[f"{name}_rss_mib"] = round(statistics.median(m for _, m in runs[name]))
            row[f"{name}_bytes"], row[f"{name}_files"] = tree_size(root / site)
        row["pages"] = sum(1 for _ in (root / "site").rglob("index.html"))
        row["ratio"] = row["plugin_cold_s"] / row["plain_s"]
        row["ratio_warm"] = row["plugin_s"] / row["plain_s"]
        row["ratio_paired"] = statistics.median(p[0] / q[0] for p, q in cold_pairs)
        row["ratio_warm_paired"] = statistics.median(p[0] / q[0] for p, q in warm_pairs)
        row["rss_ratio"] = row["plugin_cold_rss_mib"] / row["plain_rss_mib"]
        row["rss_ratio_warm"] = row["plugin_rss_mib"] / row["plain_rss_mib"]
        row["load_avg"] = [round(x, 2) for x in os.getloadavg()]
        rows.append(row)
        print(
            f"x{k:<4} {row['pages']:5d} pages  plugin cold {row['plugin_cold_s']:7.2f} s "
            f"{row['plugin_cold_rss_mib']:5d} MiB, warm {row['plugin_s']:7.2f} s "
            f"{row['plugin_rss_mib']:5d} MiB  plain {row['plain_s']:7.2f} s "
            f"{row['plain_rss_mib']:5d} MiB  ratio cold {row['ratio']:.2f} "
            f"(paired {row['ratio_paired']:.2f}) warm {row['ratio_warm']:.2f} "
            f"(paired {row['ratio_warm_paired']:.2f})  peak RSS ratio cold "
            f"{row['rss_ratio']:.2f} warm {row['rss_ratio_warm']:.2f}  "
            f"site {row['plugin_bytes'] / 2**20:.1f} / {row['plain_bytes'] / 2**20:.1f} MiB  "
            f"load {row['load_avg'][0]:.1f}",
            flush=True,
        )
        if zensical:
            row["zensical_ratio"] = row["zensical_s"] / row["plain_s"]
            row["zensical_cold_ratio"] = row["zensical_cold_s"] / row["plain_s"]
            row["zensical_pages"] = sum(1 for _ in (root / "site-zensical").rglob("index.html"))
            print(
                f"      zensical route {row['zensical_s']:7.2f} s warm "
                f"{row['zensical_rss_mib']:5d} MiB ({row['zensical_ratio']:.2f}x plain), "
                f"{row['zensical_cold_s']:7.2f} s cold ({row['zensical_cold_ratio']:.2f}x plain), "
                f"{row['zensical_pages']} pages",
                flush=True,
            )
    return rows


# --- 2. glossary linking -----------------------------------------------------------------------


def naive_linker(terms: list[Any]) -> Callable[[str, str], str]:
    """One regular expression per term (and its aliases), applied to the whole HTML, the
    first occurrence only; no skip rules. For reference: what the single pass replaces."""
    patterns = []
    for t in terms:
        names = sorted([t.term, *t.aliases], key=len, reverse=True)
        alternation = "|".join(re.escape(n) + "(?:e?s)?" for n in names)
        patterns.append((re.compile(rf"\b(?:{alternation})\b", re.I), term_anchor(t.term)))

    def link(page: str, href: str) -> str:
        for pattern, anchor in patterns:
            page = pattern.sub(
                lambda m, a=anchor: f'<a href="{html.escape(href)}#{a}">{m.group()}</a>',
                page,
                count=1,
            )
        return page

    return link


def bench_glossary(tmp: Path, terms: int, repeat: int) -> dict[str, Any]:
    root = tmp / f"glossary{terms}"
    size = gen_portfolio.Size(artifacts=190, terms=terms, checklist=140, narratives=70)
    gen_portfolio.generate(root, models=1, size=size, seed=11)
    out = root / "md-nolinks"
    subprocess.run(
        [sys.executable, "-m", "handover_docs", "render", str(root), "--out", str(out),
         "--glossary", "off"],
        check=True, env=ENV, capture_output=True,
    )  # fmt: skip
    config = yaml.safe_load((root / "mkdocs.yml").read_text())
    extensions, configs = [], {}
    for ext in config["markdown_extensions"]:
        name = next(iter(ext)) if isinstance(ext, dict) else ext
        extensions.append(name)
        if isinstance(ext, dict):
            configs[name] = ext[name]
    md = markdown.Markdown(extensions=extensions, extension_configs=configs)
    sources = sorted(out.rglob("*.md"))
    start = time.perf_counter()
    pages = []
    for path in sources:
        pages.append(md.reset().convert(path.read_text(encoding="utf-8")))
    convert_s = time.perf_counter() - start
    glossary = manifest.load(root).handover.glossary
    linker = GlossaryLinker.from_terms(glossary)
    naive = naive_linker(glossary)
    sample = pages[:: max(1, len(pages) // 20)]  # the naive linker is slow: a sample
    timings: dict[str, list[float]] = {"linker": [], "noop": [], "naive_sample": []}
    linked = 0
    for _ in range(repeat):
        start = time.perf_counter()
        done = [linker.link_html(p, "../glossary/") for p in pages]
        timings["linker"].append(time.perf_counter() - start)
        linked = sum(d.count('class="ho-term"') for d in done)
        start = time.perf_counter()
        _ = [str(p) for p in pages]
        timings["noop"].append(time.perf_counter() - start)
        start = time.perf_counter()
        _ = [naive(p, "../glossary/") for p in sample]
        timings["naive_sample"].append(time.perf_counter() - start)
    build_start = time.perf_counter()
    GlossaryLinker.from_terms(glossary)
    result = {
        "terms": len(glossary),
        "names": len(glossary) + sum(len(t.aliases) for t in glossary),
        "pages": len(pages),
        "html_mb": sum(len(p) for p in pages) / 1e6,
        "links_made": linked,
        "markdown_convert_s": convert_s,
        "build_linker_ms": (time.perf_counter() - build_start) * 1000,
        "linker_s": statistics.median(timings["linker"]),
        "noop_s": statistics.median(timings["noop"]),
        "naive_sample_pages": len(sample),
        "naive_sample_s": statistics.median(timings["naive_sample"]),
    }
    result["naive_estimated_s"] = result["naive_sample_s"] * len(pages) / len(sample)
    print(
        f"glossary: {result['terms']} terms ({result['names']} names), {len(pages)} pages, "
        f"{result['html_mb']:.1f} MB HTML: linker {result['linker_s']:.2f} s "
        f"({result['links_made']} links), no-op {result['noop_s'] * 1000:.1f} ms, naive "
        f"{result['naive_estimated_s']:.1f} s (from {len(sample)} pages), Markdown->HTML "
        f"{convert_s:.2f} s",
        flush=True,
    )
    return result


# --- 3. incremental rebuild under mkdocs serve -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``mkdocs serve`` in a subprocess; its log lines read from stderr by a thread."""

    def __init__(self, root: Path, config: str) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", config, "--livereload",
             "-a", f"127.0.0.1:{self.port}"],
            cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("Serving on", timeout=900)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put((time.perf_counter(), line))

    def wait_for(self, text: str, timeout: float) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.01, deadline - time.perf_counter()))
            except queue.Empty:
                raise SystemExit(
                    f"no '{text}' from mkdocs serve:\n{''.join(self.log[-30:])}"
                ) from None
            self.log.append(line)
            if "ERROR" in line or "Aborted" in line:
                raise SystemExit(f"mkdocs serve failed:\n{''.join(self.log[-30:])}")
            if text in line:
                return at

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _edit(path: Path, old: str, new: str) -> float:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    at = time.perf_counter()
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return at


def _inodes(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_ino for p in folder.glob("*")} if folder.is_dir() else {}


def bench_serve(tmp: Path, scale: int, repeat: int) -> dict[str, Any]:
    root = tmp / f"x{scale}"
    if not (root / "plain.yml").exists():
        gen_portfolio.generate(root, models=1, size=gen_portfolio.Size.scaled(scale), seed=scale)
        gen_portfolio.make_plain(root)
    cache = root / ".handover" / "cache" / "diagrams"
    result: dict[str, Any] = {"scale": scale}
    cases = {
        "plugin": ("mkdocs.yml", root / "handover" / "checklist.yaml", "acceptance: ", "edited"),
        "plain": ("plain.yml", root / "md" / "narratives" / "page-0.md", "## ", "## Edited "),
    }
    for name, (config, path, old, word) in cases.items():
        server = Server(root, config)
        times = []
        written = 0
        try:
            for n in range(repeat + 1):  # the first edit is a warm-up
                time.sleep(1.0)  # let the watcher settle
                before = _inodes(cache)
                new = f"acceptance: {word} {n} " if name == "plugin" else f"{word}{n} "
                at = _edit(path, old, new)
                done = server.wait_for("Reloading browsers", timeout=900)
                if n:
                    times.append(done - at)
                    # a cache hit only touches its entry; a render replaces it (new inode)
                    written += sum(1 for p, i in _inodes(cache).items() if before.get(p) != i)
                old = new
        finally:
            server.stop()
        result[f"{name}_s"] = statistics.median(times)
        result[f"{name}_runs_s"] = [round(t, 2) for t in times]
        if name == "plugin":
            result["diagram_cache_writes"] = written
    result["ratio"] = result["plugin_s"] / result["plain_s"]
    print(
        f"serve rebuild x{scale}: plugin {result['plugin_s']:.2f} s (one manifest file edited, "
        f"{result['diagram_cache_writes']} diagram renders), plain {result['plain_s']:.2f} s "
        f"(one page edited), ratio {result['ratio']:.2f}",
        flush=True,
    )
    return result


# --- report ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import material
    import mkdocs

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "mkdocs": mkdocs.__version__,
        "material": getattr(material, "__version__", "?"),
        "kernel": platform.release(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--glossary-terms", type=int, default=1000)
    parser.add_argument("--serve-scale", type=int, default=10)
    parser.add_argument("--serve-repeat", type=int, default=3)
    parser.add_argument(
        "--no-zensical", action="store_true", help="builds: skip the Zensical route"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=("builds", "glossary", "serve"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    info: dict[str, Any] = {"machine": machine(), "repeat": args.repeat}
    print("machine:", json.dumps(info["machine"]), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        if "builds" not in args.skip:
            info["builds"] = bench_builds(tmp, args.scales, args.repeat, not args.no_zensical)
            by = {r["scale"]: r for r in info["builds"]}
            if 10 in by and 100 in by:
                for name in ("plugin", "plain"):
                    growth = by[100][f"{name}_s"] / by[10][f"{name}_s"]
                    size = by[100][f"{name}_bytes"] / by[10][f"{name}_bytes"]
                    print(
                        f"{name}: t(100x)/t(10x) = {growth:.2f}, size(100x)/size(10x) = {size:.2f}"
                    )
        if "glossary" not in args.skip:
            info["glossary"] = bench_glossary(tmp, args.glossary_terms, args.repeat)
        if "serve" not in args.skip:
            info["serve"] = bench_serve(tmp, args.serve_scale, args.serve_repeat)
    info["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    print("load average after:", info["load_avg_after"])
    if args.json:
        args.json.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
