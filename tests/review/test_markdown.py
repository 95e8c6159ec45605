"""The Markdown helpers: escaping holds in a real Markdown renderer; the audit page; the
diff's tables and the previous release's header as a reader sees them."""

from __future__ import annotations

import html as html_module
import json
import re
from pathlib import Path
from typing import Any

import markdown as python_markdown
import pytest

from handover_docs import manifest
from handover_docs.review.audit import audit
from handover_docs.review.diff import diff_handovers
from handover_docs.review.markdown import (
    code,
    diff_body,
    escape,
    render_audit,
    render_previous,
    table,
)
from handover_docs.review.previous_release import PreviousChanges
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


def _cells(html: str) -> list[list[str]]:
    """Each table body row's cells as a reader sees them (tags dropped, entities decoded)."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        if cells:
            rows.append([html_module.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def _rows(html: str) -> dict[str, list[str]]:
    """The rows of the tables whose first cell is unique (the owners table), by that cell."""
    return {r[0]: r for r in _cells(html)}


def _people_pair(tmp_path: Path) -> tuple[manifest.LoadedHandover, manifest.LoadedHandover]:
    """Release 1 with Dave (who owns the training table) and release 2 without him: owners
    changed, the model's version and owners, the deployment's runbook, the approval workflow."""
    old = base_manifests()
    old["model.yaml"]["people"].append(
        {"id": "dave", "name": "Dave <b>Left</b> | *gone*", "side": "operations"}
    )
    old["artifacts.yaml"]["artifacts"][1]["owner"] = "dave"
    new = base_manifests()
    new["model.yaml"]["model"]["version"] = "1.1.0"
    new["model.yaml"]["model"]["owners"] = ["alice", "bob"]
    new["artifacts.yaml"]["artifacts"][0]["owner"] = "bob"
    new["governance.yaml"]["governance"]["approval_workflow"] = "Carol approves on Mondays."
    new["governance.yaml"]["deployment"] = {"runbook": "summary.md"}
    return (
        manifest.load(write_handover(tmp_path / "old", old)),
        manifest.load(write_handover(tmp_path / "new", new)),
    )


def test_diff_names_people_and_what_each_entry_is(tmp_path: Path) -> None:
    """An auditor reads "Bob Operations (bob)", not a bare id, and "model churn", never
    "model model"; a person only the old release knew is still named; no link leaves the
    page when no person_href is given (``handover diff`` output for pull requests)."""
    old, new = _people_pair(tmp_path)
    d = diff_handovers(old, new)
    html = render("\n".join(diff_body(d)))
    rows = _rows(html)
    assert rows["artifacts weights (owner)"][1:] == [
        "Alice Research (alice)",
        "Bob Operations (bob)",
    ]
    # Dave is gone from release 2's people list: release 1's list still names him (escaped).
    assert rows["artifacts train-data (owner)"][1:] == [
        "Dave <b>Left</b> | *gone* (dave)",
        "Bob Operations (bob)",
    ]
    assert "<b>Left" not in html and "<em>gone" not in html
    assert rows["model churn (owners)"][1:] == [
        "Alice Research (alice)",
        "Alice Research (alice), Bob Operations (bob)",
    ]
    sections = {r[1]: r for r in _cells(html) if len(r) == 4 and r[2].endswith("changed")}
    assert sections["churn"][0] == "model"
    assert "version: 1.0.0 → 1.1.0" in sections["churn"][3]
    assert sections["deployment plan"][0] == "deployment"
    assert sections["governance settings"][0] == "governance"
    # The Entries table names people too; and nothing links anywhere.
    assert "owner: Alice Research (alice) → Bob Operations (bob)" in sections["weights"][3]
    assert "<a " not in html and "None" not in html


def test_diff_links_people_only_where_told(tmp_path: Path) -> None:
    """The site's Changes page passes where people's entries are: a known person's name
    links there; a person the site no longer lists keeps their name, without a link."""
    old, new = _people_pair(tmp_path)
    d = diff_handovers(old, new)
    known = {p.id for p in new.handover.people}
    html = render(
        "\n".join(diff_body(d, person_href=lambda i: f"people.md#id-{i}" if i in known else None))
    )
    assert '<a href="people.md#id-bob">Bob Operations</a> (<code>bob</code>)' in html
    assert 'href="people.md#id-dave"' not in html
    assert _rows(html)["artifacts train-data (owner)"][1] == "Dave <b>Left</b> | *gone* (dave)"


@pytest.mark.parametrize(
    ("spec", "href"),
    [
        ("https://releases.example.org/churn/1.0.0/", "https://releases.example.org/churn/1.0.0/"),
        ('HTTP://example.org/a%20b/(x)<y>"z', "HTTP://example.org/a%20b/%28x%29%3Cy%3E%22z"),
        ("https://example.org/a b", None),  # not one URL: shown as written
        ("/srv/releases/site-1", None),
        ("javascript:alert(1)", None),
        ("file:///srv/releases/site-1", None),
        ("release-1/handover-signature.json", None),
    ],
)
def test_previous_release_url_is_a_link_and_a_folder_is_code(spec: str, href: str | None) -> None:
    """Only an http(s) URL becomes a link (escaped, percent-encoded); a folder, a file or any
    other scheme stays code. A missing sequence is left out, never shown as 'None'."""
    text = render_previous(PreviousChanges(spec, release="1.0.0", problem="cannot read it."))
    html = render(text)
    links = re.findall(r'<a href="([^"]*)">(.*?)</a>', html)
    if href is None:
        assert links == [] and f"<code>{html_module.escape(spec, quote=False)}</code>" in html
    else:
        assert [(html_module.unescape(h), html_module.unescape(t)) for h, t in links] == [
            (href, spec)
        ]
    plain = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    assert f"Previous release: {spec}, release 1.0.0." in plain
    assert "None" not in plain and "Not shown: cannot read it." in plain and ".." not in plain


def test_metrics_read_as_written_and_added_entries_say_what_they_are(tmp_path: Path) -> None:
    """A metric's old and new values keep the manifest's digits and a small delta is never in
    exponent form; no Slice column of dashes when no metric has a slice; an added entry's
    row names it instead of a bare dash."""
    old = base_manifests()
    old["experiments.yaml"]["experiments"][0]["metrics"] = {"AUC": 0.979021}
    new = base_manifests()
    new["experiments.yaml"]["experiments"][0]["metrics"] = {"AUC": 0.979041}
    new["artifacts.yaml"]["artifacts"].append(
        {"id": "report", "name": "Evaluation <i>report</i>", "kind": "report", "sha256": "cd" * 32}
    )
    d = diff_handovers(
        manifest.load(write_handover(tmp_path / "old", old)),
        manifest.load(write_handover(tmp_path / "new", new)),
    )
    html = render("\n".join(diff_body(d)))
    heads = [h.strip() for h in re.findall(r"<th>(.*?)</th>", html)]
    assert heads[:7] == ["Source", "Metric", "Old", "New", "Δ", "Drift threshold", "Status"]
    rows = _rows(html)
    assert rows["experiment train"][:5] == ["experiment train", "AUC", "0.979021", "0.979041",
                                            "+0.00002"]  # fmt: skip
    added = {r[1]: r for r in _cells(html) if len(r) == 4}["report"]
    # A new artifact's digest is no "(digest)" change: it is new with the artifact.
    assert added[2:] == ["➕ added", "name: Evaluation <i>report</i>"]
    assert "<i>report" not in html


def test_added_sign_off_names_its_person(tmp_path: Path) -> None:
    """A new sign-off reads "person: Bob Operations (bob), role: …", not a bare id."""
    new = base_manifests()
    governance = new["governance.yaml"]["governance"]
    governance["signoffs"].append({"role": "operations", "person": "bob", "status": "pending"})
    d = diff_handovers(
        manifest.load(write_handover(tmp_path / "old")),
        manifest.load(write_handover(tmp_path / "new", new)),
    )
    rows = _rows(render("\n".join(diff_body(d))))
    assert rows["sign-offs operations (added)"][1:] == [
        "—",
        "person: Bob Operations (bob), role: operations, status: pending",
    ]
