"""The Markdown helpers: escaping holds in a real Markdown renderer; the audit page."""

from __future__ import annotations

import html as html_module
import json
from pathlib import Path
from typing import Any

import markdown as python_markdown
import pytest

from handover_docs import manifest
from handover_docs.review.audit import audit
from handover_docs.review.markdown import code, escape, render_audit, table
from tests.review.helpers import EVIDENCE, TODAY, base_manifests, cli, write_handover

EVIL = [
    "<script>alert(1)</script>",
    "a | b | c",
    "[click](javascript:alert(1))",
    "**bold** _em_ `tick` ~~del~~",
    "# heading",
    "&amp; &lt;",
    "back\\slash",
    'it\'s "quoted" & #1',
    "<img src=x onerror=alert(1)>",
]


def render(text: str) -> str:
    return python_markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html"])


@pytest.mark.parametrize("text", EVIL)
def test_escape_shows_text_literally(text: str) -> None:
    for cell in (escape(text), code(text)):
        html = render(table(["A", "B"], [[cell, "x"]]))
        assert "<script" not in html and "<img" not in html and "<a " not in html
        assert "<strong>" not in html and "<em>" not in html and "<h1" not in html
        assert html.count("<td>") == 2  # a '|' never adds a column
        # The text survives: unescaping the cell gives back what the manifest said.
        cell_html = html.split("<td>")[1].split("</td>")[0]
        cell_html = cell_html.removeprefix("<code>").removesuffix("</code>")
        assert html_module.unescape(cell_html) == " ".join(text.split())


def test_audit_page(tmp_path: Path) -> None:
    data = base_manifests()
    data["artifacts.yaml"]["artifacts"][0].pop("owner")
    data["knowledge.yaml"]["glossary"].append(
        {"term": "Backfill <b>v1</b> | *final*", "definition": "Reloading history."}
    )
    root = write_handover(tmp_path / "p", data)
    report = audit(manifest.load(root), evidence=EVIDENCE, today=TODAY)
    page = render_audit(report)
    # inventory 18.5 (12 of 13 tests) + knowledge 18.2 (10 of 11) + 60 = 96.7
    assert page.startswith("# Handover audit\n\n**Score: 97 / 100** for Churn model 1.0.0")
    assert "Weakest area: **Knowledge (narratives, decisions, glossary)**" in page
    html = render(page)
    assert html.count("<table>") == 3  # the areas, the inventory and knowledge findings
    assert "artifact 'weights' has no owner" in html_module.unescape(html)
    assert "<b>" not in html and "<em>" not in html
    assert "glossary term 'Backfill <b>v1</b> | *final*' is defined" in html_module.unescape(html)
    complete = render_audit(audit(manifest.load(write_handover(tmp_path / "q")), today=TODAY))
    assert "No check evidence was given" in complete


def test_audit_reads_check_evidence_file(tmp_path: Path, handover_dir: Path) -> None:
    loaded = manifest.load(handover_dir)
    record: dict[str, Any] = {
        "id": "weights-verified",
        "kind": "artifact",
        "status": "pass",
        "manifest_digest": loaded.digest,
    }
    when = "2025-11-20T00:00:00Z"
    evidence = {
        "format": "handover-docs/evidence/1",
        "tool": {"version": "0"},
        "manifest_digest": loaded.digest,
        "started_at": when,
        "finished_at": when,
        "duration": 1.0,
        "checks": {"weights-verified": record},
    }
    path = handover_dir / ".handover" / "evidence.json"
    path.parent.mkdir()
    path.write_text(json.dumps(evidence), "utf-8")
    epoch = {"SOURCE_DATE_EPOCH": "1763640000"}  # 2025-11-20
    result = cli(["audit", str(handover_dir), "--json", "--max-age", "400"], env=epoch)
    data = json.loads(result.stdout)
    assert (data["score"], data["evidence_given"], data["findings"]) == (100, True, [])
    record["manifest_digest"] = "0" * 64  # evidence of another manifest is stale
    path.write_text(json.dumps(evidence), "utf-8")
    result = cli(["audit", str(handover_dir), "--json", "--max-age", "400"], env=epoch)
    (finding,) = json.loads(result.stdout)["findings"]
    assert (
        finding["message"] == "checklist item 'weights-verified': its check's evidence says 'stale'"
    )
