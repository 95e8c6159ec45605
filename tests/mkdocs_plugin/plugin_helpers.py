"""Helpers for the plugin tests: real MkDocs builds in temporary folders, reading the HTML.

(A module of its own: ``conftest`` is a name every test folder has.)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE_FIXTURE = REPO / "tests" / "fixtures" / "site"


def mkdocs(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: tuple[str, ...]
    text: str = ""


@dataclass
class ParsedPage(HTMLParser):
    """Every element with its attributes and ancestors; text per element."""

    elements: list[Element] = field(default_factory=list)
    stack: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    VOID = frozenset({"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, tuple(e.tag for e in self.stack))
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for el in self.stack:
            el.text += data


def parse(path: Path) -> ParsedPage:
    page = ParsedPage()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@dataclass
class Built:
    root: Path
    site: Path
    result: subprocess.CompletedProcess[str]

    def page(self, url: str) -> Path:
        return self.site / url / "index.html" if not url.endswith(".html") else self.site / url

    def html(self, url: str) -> str:
        return self.page(url).read_text(encoding="utf-8")


def copy_fixture(tmp: Path, source: Path = SITE_FIXTURE) -> Path:
    target = tmp / "project"
    shutil.copytree(source, target)
    return target


def with_overrides(root: Path, templates: dict[str, str]) -> Path:
    """Give the project at ROOT page-template overrides (``overrides/NAME``: TEXT) and turn
    the plugin's ``templates`` option on for them; returns the mkdocs.yml."""
    (root / "overrides").mkdir()
    for name, text in templates.items():
        (root / "overrides" / name).write_text(text, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "manifests: handover", "manifests: handover\n      templates: overrides"
        )
    )
    return config


def build(root: Path, *extra: str) -> Built:
    site = root / "site"
    result = mkdocs("build", "--strict", "-d", str(site), *extra, cwd=root)
    return Built(root, site, result)


NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv*", "site", "__pycache__", ".*_cache", "*.egg-info", "build", "dist"
)
"""The example is copied without these, so its build runs (and is checked) in any folder."""


MakeProject = Callable[..., Path]
