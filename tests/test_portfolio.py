"""The portfolio: many handovers in one site (handover_docs.portfolio)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.portfolio import (
    find_handovers,
    index_markdown,
    load_portfolio,
    portfolio_rows,
    render_portfolio_index,
)

MODEL = """\
handover: 1
model:
  id: {id}
  name: "{name}"
  version: "{version}"
  summary: What the {id} model does, for whom.
  status: {status}
  owners: [lead]
  card:
    details: Built by the research team.
    intended_use:
      primary_uses: [Scoring.]
      out_of_scope: [Anything else.]
    metrics: [Accuracy.]
    evaluation_data: A held-out split.
    training_data: Last year's data.
    ethical_considerations: None known.
    caveats_and_recommendations: Retrain yearly.
people:
  - id: lead
    name: "{owner}"
    side: research
"""

KNOWLEDGE = """\
handover: 1
checklist:
  - id: weights-present
    title: The weights file is present
    owner: lead
    acceptance: The weights file exists with its recorded digest.
    check: {kind: artifact, artifact: weights}
  - id: reviewed
    title: Operations reviewed the inventory
    owner: lead
    acceptance: Every artifact has an owner and a digest.
    done: true
artifacts:
  - id: weights
    name: Weights
    kind: weights
    version: "1"
    owner: lead
    path: weights.bin
    size: 16
glossary:
  - term: Drift
    definition: A change in the input distribution.
narratives:
  - id: summary
    role: summary
    page: summary.md
    title: Summary
"""


def write_model(
    root: Path,
    folder: str,
    *,
    ident: str | None = None,
    name: str = "Model",
    owner: str = "Ada Lovelace",
    status: str = "in-review",
    version: str = "1.0.0",
    index: bool = False,
) -> Path:
    base = root / "handovers" / folder
    (base / "handover").mkdir(parents=True)
    (base / "docs").mkdir()
    (base / "handover" / "model.yaml").write_text(
        MODEL.format(id=ident or folder, name=name, owner=owner, status=status, version=version),
        encoding="utf-8",
    )
    (base / "handover" / "knowledge.yaml").write_text(KNOWLEDGE, encoding="utf-8")
    (base / "weights.bin").write_bytes(b"0123456789abcdef")  # 16 bytes, as recorded
    (base / "docs" / "summary.md").write_text(f"# Summary of {folder}\n\nText.\n")
    if index:
        (base / "docs" / "index.md").write_text(f"# {folder}\n")
    return base


@pytest.fixture
def portfolio_root(tmp_path: Path) -> Path:
    write_model(tmp_path, "alpha", name="Alpha | <b>scorer</b>", owner="Ada *Lovelace*")
    write_model(tmp_path, "beta", name="Beta", owner="Grace Hopper", status="handed-over")
    write_model(tmp_path, "gamma", name="Gamma", status="draft", index=True)
    return tmp_path


def run_check(model_folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handover_docs", "check", str(model_folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_find_handovers_lists_model_folders_in_order(portfolio_root: Path) -> None:
    (portfolio_root / "handovers" / "_shared").mkdir()  # kept out: leading underscore
    projects = find_handovers(portfolio_root)
    assert [p.root.name for p in projects] == ["alpha", "beta", "gamma"]
    assert projects[0].manifests == portfolio_root / "handovers" / "alpha" / "handover"
    assert projects[0].docs == portfolio_root / "handovers" / "alpha" / "docs"


def test_folder_without_manifests_is_an_error(portfolio_root: Path) -> None:
    (portfolio_root / "handovers" / "delta" / "manifests").mkdir(parents=True)
    with pytest.raises(HandoverError) as err:
        find_handovers(portfolio_root)
    assert "delta" in str(err.value)
    assert "no 'handover/' manifest folder" in str(err.value)


def test_rows_name_owners_status_audit_and_checks(portfolio_root: Path) -> None:
    # beta has run its checks: the weights file is there, so its one automated check passes
    result = run_check(portfolio_root / "handovers" / "beta")
    assert result.returncode == 0, result.stdout + result.stderr
    portfolio = load_portfolio(portfolio_root)
    rows = portfolio_rows(portfolio, today=dt.date(2026, 11, 26))
    assert [r.model_id for r in rows] == ["alpha", "beta", "gamma"]
    alpha, beta, gamma = rows
    assert alpha.name == "Alpha | <b>scorer</b>"
    assert alpha.owners == ["Ada *Lovelace*"]
    assert (beta.status, gamma.status) == ("handed-over", "draft")
    assert alpha.home == "models/alpha/handover/index.md"  # no docs/index.md: the overview
    assert gamma.home == "models/gamma/index.md"
    # checks: only beta has evidence
    assert not alpha.evidence and alpha.last_verified is None and alpha.checks == {}
    assert beta.evidence and beta.checks == {"pass": 1, "manual": 1}
    evidence = json.loads((portfolio_root / "handovers/beta/.handover/evidence.json").read_text())
    assert beta.last_verified is not None
    assert beta.last_verified.isoformat().startswith(evidence["finished_at"][:19])
    # the audit score is what 'handover audit' prints for that model, with its evidence
    for row, folder in zip(rows, ["alpha", "beta", "gamma"], strict=True):
        out = subprocess.run(
            [sys.executable, "-m", "handover_docs", "audit", f"handovers/{folder}", "--json"],
            cwd=portfolio_root,
            capture_output=True,
            text=True,
            env={"SOURCE_DATE_EPOCH": "1795651200", "PATH": "/usr/bin:/bin"},
            timeout=120,
        )
        assert json.loads(out.stdout)["score"] == row.audit_score, out.stderr
    assert beta.audit_score is not None and alpha.audit_score is not None
    assert beta.audit_score > alpha.audit_score  # evidence earns automation points


def test_index_is_a_table_with_every_string_escaped(portfolio_root: Path) -> None:
    portfolio = load_portfolio(portfolio_root)
    page, text = index_markdown(portfolio, today=dt.date(2026, 11, 26))
    assert page == "models/index.md"
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3
    alpha = table[2]
    assert "<b>" not in alpha  # HTML in a model name shows as text
    assert "&lt;b&gt;" in alpha
    assert "Alpha &#124;" in alpha  # a pipe cannot split the row
    assert alpha.count(" | ") == 7  # eight cells: the escaped pipe is not a separator
    assert "Ada \\*Lovelace\\*" in alpha  # no emphasis
    assert "(alpha/handover/index.md)" in alpha  # relative to models/index.md
    assert "(gamma/index.md)" in table[4]
    assert "no evidence" in alpha and "never" in alpha


def test_render_index_links_relative_to_its_page(portfolio_root: Path) -> None:
    rows = portfolio_rows(load_portfolio(portfolio_root), with_audit=False)
    text = render_portfolio_index(rows, page="index.md", title="All models")
    assert text.startswith("# All models\n")
    assert "(models/beta/handover/index.md)" in text
    assert "| — |" in text  # no audit asked for


def test_duplicate_model_id_names_both_files(portfolio_root: Path) -> None:
    write_model(portfolio_root, "zeta", ident="beta", name="Zeta")
    with pytest.raises(HandoverError) as err:
        load_portfolio(portfolio_root)
    [finding] = err.value.findings
    assert finding.code == "duplicate-id"
    assert "model id 'beta' is already used" in finding.message
    assert finding.location.file.endswith("handovers/zeta/handover/model.yaml")
    assert finding.location.line == 3
    assert finding.message.count("handovers/beta/handover/model.yaml:3:7") == 1


def test_every_invalid_model_is_reported_with_file_line_col(
    portfolio_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(portfolio_root)
    alpha = portfolio_root / "handovers/alpha/handover/model.yaml"
    alpha.write_text(alpha.read_text().replace("status: in-review", "status: shipped"))
    gamma = portfolio_root / "handovers/gamma/handover/knowledge.yaml"
    gamma.write_text(
        gamma.read_text().replace("owner: lead\n    acceptance", "owner: nobody\n    acceptance", 1)
    )
    with pytest.raises(HandoverError) as err:
        load_portfolio(portfolio_root)
    lines = str(err.value).splitlines()
    assert any(
        line.startswith("handovers/alpha/handover/model.yaml:7:11: error:") and "shipped" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("handovers/gamma/handover/knowledge.yaml:5:12: error:") and "nobody" in line
        for line in lines
    ), lines
    # each model alone still validates (or fails) the usual way
    manifest.load(portfolio_root / "handovers" / "beta")


def test_sections_map_models_to_site_paths(portfolio_root: Path) -> None:
    portfolio = load_portfolio(portfolio_root)
    sections = portfolio.sections()
    assert [s.prefix for s in sections] == ["models/alpha", "models/beta", "models/gamma"]
    assert sections[0].generated == "models/alpha/handover"
    assert sections[0].glossary_page == "models/alpha/handover/glossary.md"
    assert sections[2].docs_files() == {
        "models/gamma/index.md": portfolio_root / "handovers/gamma/docs/index.md",
        "models/gamma/summary.md": portfolio_root / "handovers/gamma/docs/summary.md",
    }
    found = portfolio.section_for_page("models/beta/handover/checklist.md")
    assert found is not None and found.model_id == "beta"
    assert portfolio.section_for_page("models/index.md") is None
    assert portfolio.section_for_page("models/betamax/x.md") is None


def write_portfolio_config(root: Path) -> None:
    (root / "mkdocs.yml").write_text(
        "site_name: Portfolio\nplugins:\n  - handover:\n      portfolio: handovers\n",
        encoding="utf-8",
    )


def _handover(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handover_docs", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_on_a_portfolio_runs_every_model_with_its_own_evidence(
    portfolio_root: Path,
) -> None:
    write_portfolio_config(portfolio_root)
    # gamma's weights grew by a byte: its one automated check fails
    (portfolio_root / "handovers" / "gamma" / "weights.bin").write_bytes(b"0123456789abcdefX")
    done = _handover(portfolio_root, "check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "== handovers/alpha: Alpha | <b>scorer</b>" in done.stdout
    summary = done.stdout.splitlines()[-3:]
    assert summary == [
        "handovers/alpha: 1/1 passed, ok",
        "handovers/beta: 1/1 passed, ok",
        "handovers/gamma: 0/1 passed, FAILED",
    ]
    statuses = {}
    for model in ("alpha", "beta", "gamma"):
        record = json.loads(
            (portfolio_root / "handovers" / model / ".handover" / "evidence.json").read_text()
        )
        statuses[model] = record["checks"]["weights-present"]["status"]
    assert statuses == {"alpha": "pass", "beta": "pass", "gamma": "fail"}
    assert not (portfolio_root / ".handover" / "evidence.json").exists()
    # --status reads every model's evidence back; --json gives one report per model
    status = _handover(portfolio_root, "check", "--status", "--json")
    report = json.loads(status.stdout)
    assert (status.returncode, report["ok"]) == (1, False)
    assert [m["path"] for m in report["models"]] == [
        "handovers/alpha",
        "handovers/beta",
        "handovers/gamma",
    ]
    assert [m["failing"] for m in report["models"]] == [[], [], ["weights-present"]]
    # one model can still be checked on its own
    assert _handover(portfolio_root, "check", "handovers/beta").returncode == 0


def test_check_on_a_portfolio_refuses_one_evidence_file_and_unknown_items(
    portfolio_root: Path,
) -> None:
    write_portfolio_config(portfolio_root)
    shared = _handover(portfolio_root, "check", "--evidence", "one.json")
    assert shared.returncode == 2
    assert "--evidence names one model's evidence" in shared.stderr
    unknown = _handover(portfolio_root, "check", "--only", "nope")
    assert unknown.returncode == 2
    assert "--only nope: no model of the portfolio has this item" in unknown.stderr
    assert "Traceback" not in shared.stderr + unknown.stderr
    assert not list(portfolio_root.rglob("evidence.json"))  # nothing ran
    only = _handover(portfolio_root, "check", "--only", "weights-present")
    assert only.returncode == 0, only.stdout + only.stderr
    assert len(list(portfolio_root.rglob("evidence.json"))) == 3
