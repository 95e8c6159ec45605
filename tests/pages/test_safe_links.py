"""No script links: a cited manifest value never forms a link with an unsafe scheme.

The schema refuses unsafe URIs in link fields (tests/test_schema_uris.py); this is the
second wall, at rendering: any free-text value (a description, a license) cited into a
link target must be relative or http, https or mailto, however it spells its scheme.
Real MkDocs builds show the outcome a reader sees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.pages import Linker
from handover_docs.pages.refs import resolve

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&#58;alert(1)",
    "&#x6A;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "s3://bucket/key",
]

CONTEXTS = [
    "[x]([[=evil.description]])",
    "![x]( [[=evil.description]] )",
    "[x]: [[=evil.description]]",
    "<[[=evil.description]]>",
    '<a href="[[=evil.description]]">x</a>',
    "<img src='[[=evil.description]]'>",
    "[x]([[=evil.name]][[=evil.description]])",  # split across citations: 'Eviljavascript:'
    "[x](<[[=evil.description]]>)",
]


def project(tmp_path: Path, description: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    (root / "handover" / "extra.yaml").write_text(
        "handover: 1\nartifacts:\n"
        "  - id: evil\n    name: Evil\n    kind: other\n"
        f"    description: {_yaml(description)}\n"
        "  - id: stored-weights\n    name: Stored weights\n    kind: weights\n"
        "    uri: s3://models/fixture/v1.pkl\n",
        encoding="utf-8",
    )
    model = root / "handover" / "model.yaml"
    text = model.read_text(encoding="utf-8")
    start = text.index("  repository:")
    end = text.index("\n", start)
    model.write_text(
        text[:start] + '  repository: "https://git.example.org/fixture"' + text[end:],
        encoding="utf-8",
    )
    return root


def _yaml(value: str) -> str:
    out = "".join(c if c.isprintable() and c not in '"\\' else f"\\x{ord(c):02x}" for c in value)
    return f'"{out}"'


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("context", CONTEXTS)
def test_a_cited_value_never_forms_an_unsafe_link(tmp_path: Path, value: str, context: str) -> None:
    linker = Linker(manifest.load(project(tmp_path, value)), "handover")
    text = f"# Notes\n\n{context}\n"
    with pytest.raises(HandoverError) as err:
        resolve(text, page="summary.md", display="docs/summary.md", linker=linker)
    (finding,) = err.value.findings
    assert str(finding.location) == "docs/summary.md:3:1"
    assert "links may only be relative or http, https or mailto" in finding.message
    assert finding.hint == "cite the value as text, outside the link target"


@pytest.mark.parametrize("value", ["https://ok.example.org/x", "docs/other.md", "mailto:a@b.org"])
def test_safe_values_may_be_cited_into_links(tmp_path: Path, value: str) -> None:
    linker = Linker(manifest.load(project(tmp_path, value)), "handover")
    out = resolve(
        "[x]([[=evil.description]]) and <a href='[[=evil.description]]'>y</a>",
        page="summary.md",
        display="docs/summary.md",
        linker=linker,
    )
    assert out == f"[x]({value}) and <a href='{value}'>y</a>"


def test_hostile_text_cited_as_text_stays_text(tmp_path: Path) -> None:
    linker = Linker(manifest.load(project(tmp_path, "javascript:alert(1)")), "handover")
    out = resolve(
        "The value is [[=evil.description]]; [link](https://x.org/)",
        page="summary.md",
        display="docs/summary.md",
        linker=linker,
    )
    assert out == "The value is javascript:alert(1); [link](https://x.org/)"


def test_an_author_s_own_literal_link_is_theirs(tmp_path: Path) -> None:
    """Narratives are reviewed like code: a literal target is not a citation's doing."""
    linker = Linker(manifest.load(project(tmp_path, "x")), "handover")
    out = resolve(
        "[a](javascript:void(0)) v[[=model.version]]",
        page="summary.md",
        display="docs/summary.md",
        linker=linker,
    )
    assert out.endswith("v1.2.3")


# --- real builds -----------------------------------------------------------------------------


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.codes: list[str] = []
        self._code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction", "poster"} and value is not None:
                self.links.append((tag, name, value))
        self._code = tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._code = False

    def handle_data(self, data: str) -> None:
        if self._code:
            self.codes.append(data)


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site")],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_built_site_has_no_script_link_and_stores_are_text(tmp_path: Path) -> None:
    root = project(tmp_path, "javascript:alert(1)")
    summary = root / "docs" / "summary.md"
    summary.write_text(
        summary.read_text(encoding="utf-8")
        + "\n\nCode: [repo]([[=model.repository]]). Noted: [[=evil.description]]."
        + " Stored at [[=stored-weights.uri]].\n",
        encoding="utf-8",
    )
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    hrefs: list[tuple[str, str, str]] = []
    codes: list[str] = []
    for page in (root / "site").rglob("*.html"):
        parser = _Hrefs()
        parser.feed(page.read_text(encoding="utf-8"))
        hrefs += parser.links
        codes += parser.codes
    schemes = {v.split(":", 1)[0].strip().lower() for _, _, v in hrefs if ":" in v.split("/")[0]}
    assert schemes <= {"http", "https", "mailto"}, schemes
    assert ("a", "href", "https://git.example.org/fixture") in hrefs
    # the object-store location is shown as code on the artifacts page, never as a link
    assert "s3://models/fixture/v1.pkl" in codes
    assert not [v for _, _, v in hrefs if "models/fixture/v1.pkl" in v]
    page = (root / "site" / "summary" / "index.html").read_text(encoding="utf-8")
    assert "Noted: javascript:alert(1)." in page


def test_a_build_citing_a_script_into_a_link_fails_at_its_location(tmp_path: Path) -> None:
    root = project(tmp_path, "JaVaScRiPt:alert(1)")
    summary = root / "docs" / "summary.md"
    lines = summary.read_text(encoding="utf-8").splitlines()
    lines.append("Click [here]([[=evil.description]]).")
    summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"docs/summary.md:{len(lines)}:1: error: a cited value makes the link target" in (
        result.stderr
    )
    assert not (root / "site" / "summary" / "index.html").exists()
