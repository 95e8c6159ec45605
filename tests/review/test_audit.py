"""``handover audit``: every finding kind on a crafted handover, the score arithmetic, the gate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from handover_docs import manifest
from handover_docs.review.audit import audit, audit_today
from handover_docs.review.audit_report import AREAS
from handover_docs.review.markdown import render_audit
from tests.review.helpers import EVIDENCE, TODAY, Mutator, base_manifests, cli, write_handover


def run_audit(root: Path, evidence: dict[str, str] | None = EVIDENCE, **kw: Any) -> Any:
    return audit(manifest.load(root), evidence=evidence, today=kw.pop("today", TODAY), **kw)


def crafted(tmp_path: Path, change: Mutator) -> Path:
    data = base_manifests()
    change(data)
    return write_handover(tmp_path / "crafted", data)


def test_complete_handover_scores_100(handover_dir: Path) -> None:
    report = run_audit(handover_dir)
    assert [g.finding for g in report.gaps] == []
    assert report.score == 100
    assert {a.name: a.points for a in report.areas} == {k: float(v) for k, v in AREAS.items()}
    assert sum(AREAS.values()) == 100
    assert report.perfect and report.to_json()["weakest_area"] is None
    assert "Every area has full points." in render_audit(report)


def _art(d: dict[str, Any]) -> dict[str, Any]:
    return d["artifacts.yaml"]["artifacts"][0]  # type: ignore[no-any-return]


def _gov(d: dict[str, Any]) -> dict[str, Any]:
    return d["governance.yaml"]["governance"]  # type: ignore[no-any-return]


CASES: list[tuple[str, Mutator, str, str, str]] = [
    ("owner", lambda d: _art(d).pop("owner"), "inventory", "missing-owner",
     "artifact 'weights' has no owner"),
    ("digest", lambda d: _art(d).pop("sha256"), "inventory", "missing-digest",
     "artifact 'weights' has no sha256 digest"),
    ("version", lambda d: _art(d).pop("version"), "inventory", "missing-version",
     "artifact 'weights' has no version"),
    ("sensitivity", lambda d: _art(d).pop("sensitivity"), "inventory", "missing-sensitivity",
     "artifact 'weights' has no sensitivity flag"),
    ("seeds", lambda d: d["experiments.yaml"]["experiments"][0].pop("seeds"),
     "reproducibility", "missing-seeds", "experiment 'train' records no seeds"),
    ("approver", lambda d: _gov(d).pop("approvals"), "governance", "no-approver",
     "governance names no approver"),
    ("signoff", lambda d: _gov(d).pop("signoffs"), "governance", "no-signoff",
     "governance records no sign-offs"),
    ("pending signoff", lambda d: _gov(d)["signoffs"][0].update(status="pending"),
     "governance", "signoff-open", "sign-off 'release' by 'carol' is pending"),
    ("support", lambda d: _gov(d).pop("production_support"), "governance",
     "no-production-support", "governance names no production support"),
    ("rationale", lambda d: d["decisions.yaml"]["decisions"][0].update(
        rationale="Budget.", narrative=None), "knowledge", "missing-rationale",
     "decision 'threshold' has no real rationale (1 words)"),
    ("acceptance", lambda d: d["knowledge.yaml"]["checklist"][0].update(acceptance="Done."),
     "automation", "missing-acceptance",
     "checklist item 'weights-verified' has no testable acceptance criteria"),
    ("automation", lambda d: d["knowledge.yaml"]["checklist"][0].pop("check"),
     "automation", "not-automated", "checklist item 'weights-verified' has no automated check"),
    ("unused term", lambda d: d["knowledge.yaml"]["glossary"].append(
        {"term": "Backfill", "definition": "Reloading history."}), "knowledge", "unused-term",
     "glossary term 'Backfill' is defined but never used"),
    ("acronym", lambda d: d["model.yaml"]["model"]["card"].update(
        details="Trained on the CRM export with a GBDT baseline."), "knowledge",
     "undefined-acronym", "acronym 'CRM' is used but not defined in the glossary"),
    ("placeholder in manifest", lambda d: d["model.yaml"]["model"].update(
        summary="TBD by the research team."), "knowledge", "placeholder",
     "model.summary holds placeholder text 'TBD'"),
    ("never reviewed", lambda d: _art(d).pop("last_reviewed"), "freshness", "never-reviewed",
     "artifact 'weights' has no last_reviewed date"),
    ("stale", lambda d: _art(d).update(last_reviewed="2025-01-01"), "freshness", "stale",
     "artifact 'weights' was last reviewed 688 days ago (limit 180 days)"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "area", "kind", "message"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_each_finding_kind(
    tmp_path: Path, change: Mutator, area: str, kind: str, message: str
) -> None:
    report = run_audit(crafted(tmp_path, change))
    kinds = [(g.area, g.kind) for g in report.gaps]
    assert (area, kind) in kinds
    gap = next(g for g in report.gaps if g.kind == kind)
    assert gap.finding.message.startswith(message)
    # Findings about manifest entries point at the YAML line of that entry.
    assert gap.finding.location.file.endswith(".yaml")
    assert gap.finding.location.line > 0
    assert report.score < 100
    assert report.weakest.name == area


def test_acronym_and_term_rules(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["model.yaml"]["model"]["card"]["details"] = (
            "Exports JSON over an API, scored in CI; AUCs are compared with `XGB` in code "
            "and https://example.org/ABC links. NOTE: ROC-AUC and UTF-8 are joined words. "
            "The GBDTs were dropped."
        )

    report = run_audit(crafted(tmp_path, change))
    acronyms = [g.finding.message for g in report.gaps if g.kind == "undefined-acronym"]
    # Stop-listed (JSON, API, CI), defined as an alias (AUC, also in plural), code and URLs
    # are ignored; a plural of an undefined acronym is reported once, singular.
    assert acronyms == ["acronym 'GBDT' is used but not defined in the glossary"]


def test_where_a_glossary_term_counts_as_used(tmp_path: Path) -> None:
    """A term is used where the site links it (the glossary linker decides): whole words,
    any case, aliases and plurals; another entry's definition counts, the term's own does not."""

    def change(d: dict[str, Any]) -> None:
        d["knowledge.yaml"]["glossary"] += [
            {"term": "Backfill", "definition": "Reloading history; see warm start."},
            {"term": "Warm start", "definition": "Starting from weights."},
            {"term": "Holdout", "definition": "A Holdout is kept apart."},
            {"term": "Shard", "aliases": ["weight shard"], "definition": "Part of the weights."},
            {"term": "Canary", "definition": "A small first release."},
            {"term": "Salt", "definition": "Only used with a long s."},
            {"term": "Seed", "definition": "Random state."},
        ]
        d["model.yaml"]["model"]["card"]["details"] = (
            "Each WEIGHT SHARD is checked — café canary-free runs; \u017falt; seeds vary."
        )

    report = run_audit(crafted(tmp_path, change))
    unused = sorted(g.finding.message.split("'")[1] for g in report.gaps if g.kind == "unused-term")
    # Backfill: nowhere else; Holdout: only in its own definition; Canary: inside the word
    # 'canary-free' it is a whole word (the hyphen separates), so it is used; Seed: as
    # 'seeds', which the site links to Seed. Salt is used as '\u017falt' (case-folded, 's').
    assert unused == ["Backfill", "Holdout"]


def test_a_term_the_site_links_is_never_reported_unused(tmp_path: Path) -> None:
    """The reproduction: the site linked "widgets" to Widget while the audit said unused."""

    def change(d: dict[str, Any]) -> None:
        d["knowledge.yaml"]["glossary"] += [
            {"term": "Widget", "definition": "A part."},
            {"term": "Gadget", "definition": "Another part."},
            {"term": "Gizmo", "definition": "A third part."},
        ]
        d["model.yaml"]["model"]["card"]["details"] = (
            "All widgets are counted.\n\n````md\n```\nGadget inside a four-backtick fence\n"
            "```\n````\n\n    gizmo in indented code\n"
        )

    project = crafted(tmp_path, change)
    report = run_audit(project)
    unused = {g.finding.message.split("'")[1] for g in report.gaps if g.kind == "unused-term"}
    assert "Widget" not in unused
    # code is never linked, so a term only in code is not used
    assert {"Gadget", "Gizmo"} <= unused


def test_narrative_placeholder_and_thin_page(tmp_path: Path, handover_dir: Path) -> None:
    summary = handover_dir / "docs" / "summary.md"
    summary.write_text("# Executive summary\n\nShort.\n\nThe rest is lorem ipsum.\n", "utf-8")
    report = run_audit(handover_dir)
    placeholder = next(g for g in report.gaps if g.kind == "placeholder")
    assert placeholder.finding.location.file.endswith("docs/summary.md")
    assert (placeholder.finding.location.line, placeholder.finding.location.col) == (5, 13)
    assert "'lorem' and 1 more" in placeholder.finding.message
    thin = next(g for g in report.gaps if g.kind == "thin-narrative")
    assert "summary.md is too thin (8 words, at least 80 expected)" in thin.finding.message
    assert thin.finding.location.file.endswith("knowledge.yaml")


def test_code_blocks_do_not_count(handover_dir: Path) -> None:
    page = handover_dir / "docs" / "rationale.md"
    page.write_text(page.read_text("utf-8") + "\n```\nTODO: not prose\n```\n", "utf-8")
    assert run_audit(handover_dir).gaps == []


def test_evidence(handover_dir: Path) -> None:
    missing = run_audit(handover_dir, evidence=None)
    assert [g.kind for g in missing.gaps] == ["no-evidence"]
    assert not missing.evidence_given
    failed = run_audit(handover_dir, evidence={"weights-verified": "fail"})
    assert [g.finding.message for g in failed.gaps] == [
        "checklist item 'weights-verified': its check's evidence says 'fail'"
    ]
    assert run_audit(handover_dir, evidence={"weights-verified": "passed"}).score == 100


def test_max_age_and_today(handover_dir: Path) -> None:
    later = dt.date(2027, 6, 1)
    stale = run_audit(handover_dir, today=later)
    assert {g.kind for g in stale.gaps} == {"stale"}
    assert run_audit(handover_dir, today=later, max_age_days=400).score == 100


def test_score_arithmetic(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _art(d).pop("owner")
        _art(d).pop("version")
        _gov(d)["signoffs"][0]["status"] = "declined"

    report = run_audit(crafted(tmp_path, change))
    areas = {a.name: a for a in report.areas}
    # inventory: 1 (non-empty) + 2 artifacts x 4 + 1 dataset x 4 = 13 tests, 2 failed.
    assert (areas["inventory"].tests, areas["inventory"].passed) == (13, 11)
    assert areas["inventory"].points == round(20 * 11 / 13, 1) == 16.9
    # governance: workflow, approver, 1 approval, sign-offs, 1 sign-off, support, reviewers,
    # risks, privacy, security, impact = 11 tests, 1 failed.
    assert (areas["governance"].tests, areas["governance"].passed) == (11, 10)
    assert areas["governance"].points == 18.2
    assert report.score == round(16.9 + 15 + 18.2 + 20 + 15 + 10) == 95
    assert report.weakest.name == "inventory"


def test_empty_sections_score_zero(tmp_path: Path) -> None:
    data = base_manifests()
    for name in ("artifacts.yaml", "experiments.yaml", "decisions.yaml", "governance.yaml"):
        del data[name]
    data["knowledge.yaml"].pop("checklist")
    data["knowledge.yaml"].pop("milestones")
    data["model.yaml"]["model"]["card"]["quantitative_analyses"] = []
    report = run_audit(write_handover(tmp_path / "empty", data))
    points = {a.name: a.points for a in report.areas}
    assert points["inventory"] == 0
    assert points["reproducibility"] == 0
    assert points["governance"] == 0
    assert points["automation"] == 0
    assert report.score < 40


def test_cli_gate_and_json(tmp_path: Path, handover_dir: Path) -> None:
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps({"results": [{"item": "weights-verified", "status": "pass"}]}))
    epoch = {"SOURCE_DATE_EPOCH": str(int(dt.datetime(2026, 11, 20, 12).timestamp()))}
    ok = cli(["audit", str(handover_dir), "--min-score", "100", "--evidence", str(evidence)],
             env=epoch)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "audit score 100/100, 0 findings" in ok.stdout

    below = cli(["audit", str(handover_dir), "--min-score", "99.5"], env=epoch)
    assert below.returncode == 1
    assert "no evidence" in below.stdout
    assert "below --min-score 99.5" in below.stderr

    as_json = cli(["audit", str(handover_dir), "--json", "--min-score", "90"], env=epoch)
    assert as_json.returncode == 0
    data = json.loads(as_json.stdout)
    assert data["ok"] is True
    assert data["weakest_area"] == "automation"
    assert data["today"] == "2026-11-20"
    assert data["findings"][0]["kind"] == "no-evidence"
    assert data["findings"][0]["location"]["file"].endswith("knowledge.yaml")
    assert sum(a["max_points"] for a in data["areas"]) == 100


def test_cli_bad_input_exits_2(tmp_path: Path, handover_dir: Path) -> None:
    bad = tmp_path / "evidence.json"
    bad.write_text('{"weights-verified": "pass",\n  oops}')
    result = cli(["audit", str(handover_dir), "--evidence", str(bad)])
    assert result.returncode == 2
    assert "evidence.json:2:3: error: evidence file is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
    wrong = tmp_path / "list.json"
    wrong.write_text("[1, 2]")
    result = cli(["audit", str(handover_dir), "--evidence", str(wrong)])
    assert result.returncode == 2
    assert "evidence must map checklist item ids to statuses" in result.stderr
    broken = cli(["audit", str(tmp_path / "nowhere")])
    assert broken.returncode == 2
    assert cli(["audit", str(handover_dir), "--min-score", "120"]).returncode == 2


def test_audit_today_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert audit_today() == dt.date(2026, 1, 1)
