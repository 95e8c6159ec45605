"""The plugin's portfolio mode: one site holding many handovers (``handovers/<model>/``).

A 3-model portfolio from ``bench/gen_portfolio.py --layout portfolio``, built strict with
its ``mkdocs.portfolio.yml`` (``portfolio: handovers``) and a signing key, once.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from plugin_helpers import REPO, Built, parse

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
ENV.pop("HANDOVER_SIGNING_KEY", None)


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env or ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def generate(out: Path, models: int = 3) -> Path:
    made = run(
        str(REPO / "bench" / "gen_portfolio.py"), str(out), "--layout", "portfolio",
        "--models", str(models), "--artifacts", "4", "--terms", "5", "--checklist", "3",
        "--narratives", "2", cwd=REPO,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return out


def build_portfolio(root: Path, env: dict[str, str] | None = None) -> Built:
    site = root / "site"
    config = ["-f", "mkdocs.portfolio.yml", "-d", str(site)]
    result = run("-m", "mkdocs", "build", "--strict", *config, cwd=root, env=env)
    return Built(root, site, result)


def add_term(model: Path, term: str, definition: str) -> None:
    glossary = model / "handover" / "glossary.yaml"
    with glossary.open("a", encoding="utf-8") as f:
        f.write(f"- term: {term}\n  definition: {definition}\n")


@dataclass
class Portfolio:
    built: Built
    keys: Path


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Portfolio:
    tmp = tmp_path_factory.mktemp("portfolio")
    root = generate(tmp / "pf")
    churn = root / "handovers" / "model-001"
    card = churn / "handover" / "model.yaml"
    text = card.read_text(encoding="utf-8")
    text = text.replace("name: Model-001", "name: Churn <b>Model</b>")
    card.write_text(text.replace("status: in-review", "status: handed-over"), encoding="utf-8")
    decisions = churn / "handover" / "decisions.yaml"
    text = decisions.read_text(encoding="utf-8")
    first = text.index("\n", text.index("- id: ")) + 1
    text = text[:first] + "  narrative: narratives/page-1.md\n" + text[first:]
    decisions.write_text(text, encoding="utf-8")
    # The same term in two models, each with its own definition.
    add_term(root / "handovers" / "model-000", "holdout window", "Zero holdout definition.")
    add_term(churn, "holdout window", "Churn holdout definition.")
    # Artifact ids repeat across models: [[art-0]] must stay within the page's model.
    (churn / "docs" / "story.md").write_text(
        "# Story\n\nThe holdout window feeds [[art-0]], version [[=art-0.version]].\n",
        encoding="utf-8",
    )
    keys = tmp / "keys"
    keys.mkdir()
    made = run("-m", "handover_docs", "keygen", str(keys / "release"), cwd=tmp)
    assert made.returncode == 0, made.stderr
    built = build_portfolio(root, {**ENV, "HANDOVER_SIGNING_KEY": str(keys / "release")})
    assert built.result.returncode == 0, built.result.stderr
    return Portfolio(built, keys)


def people(model: Path) -> dict[str, str]:
    data = yaml.safe_load((model / "handover" / "people.yaml").read_text(encoding="utf-8"))
    return {p["id"]: p["name"] for p in data["people"]}


def links(page: Path, site: Path) -> list[tuple[str, str, str]]:
    """(site path the link resolves to, anchor, class) of every relative link in the content."""
    out = []
    rel = page.parent.relative_to(site).as_posix()
    for el in parse(page).elements:
        href = el.attrs.get("href", "")
        if el.tag != "a" or "article" not in el.ancestors or not href or "://" in href:
            continue
        path, _, anchor = href.partition("#")
        target = posixpath.normpath(posixpath.join(rel, path)) if path else rel
        out.append((target, anchor, el.attrs.get("class", "")))
    return out


def test_index_lists_every_model_with_owners_status_and_audit_score(
    portfolio: Portfolio,
) -> None:
    built = portfolio.built
    page = built.page("models")
    rows = [[re.sub(r"\s+", " ", c.text).strip() for c in parse(page).elements if c.tag == "td"]][0]
    cells = [rows[i : i + 8] for i in range(0, len(rows), 8)]
    assert [c[1] for c in cells] == ["model-000", "model-001", "model-002"]
    for ident, row in zip(["model-000", "model-001", "model-002"], cells, strict=True):
        model = built.root / "handovers" / ident
        card = yaml.safe_load((model / "handover" / "model.yaml").read_text(encoding="utf-8"))
        names = people(model)
        assert row[0] == card["model"]["name"]
        assert row[3] == ", ".join(names[o] for o in card["model"]["owners"])
        assert row[4] == card["model"]["status"]
        assert re.fullmatch(r"\d+/100", row[5])
    assert cells[1][0] == "Churn <b>Model</b>" and cells[1][4] == "handed-over"
    html = built.html("models")
    assert "<b>Model</b>" not in html  # escaped everywhere, nav included
    homes = {t for t, _, _ in links(page, built.site)}
    assert {"models/model-000", "models/model-001", "models/model-002"} <= homes


def test_each_model_has_its_own_generated_pages(portfolio: Portfolio) -> None:
    built = portfolio.built
    for ident in ("model-000", "model-001", "model-002"):
        section = f"models/{ident}/handover"
        for page in ("", "model-card", "artifacts", "glossary", "checklist", "audit"):
            assert built.page(f"{section}/{page}".rstrip("/")).is_file(), (section, page)
        artifacts = built.html(f"{section}/artifacts")
        assert f"s3://handover-bench/{ident}/art-0" in artifacts
        others = {"model-000", "model-001", "model-002"} - {ident}
        assert not any(f"s3://handover-bench/{o}/" in artifacts for o in others)
    overview = built.html("models/model-001/handover")
    assert "Churn &lt;b&gt;Model&lt;/b&gt;" in overview and "<b>Model" not in overview
    # Links from the generated pages to the model's narratives stay in its section.
    found = links(built.page("models/model-001/handover"), built.site)
    assert ("models/model-001/narratives/page-0", "", "") in found  # [[summary id]]
    found = links(built.page("models/model-001/handover/decisions"), built.site)
    assert ("models/model-001/narratives/page-1", "", "") in found  # url(d.narrative)


def test_references_and_glossary_stay_within_the_model(portfolio: Portfolio) -> None:
    built = portfolio.built
    page = built.page("models/model-001/story")
    found = links(page, built.site)
    assert ("models/model-001/handover/artifacts", "id-art-0", "") in found
    terms = [(t, a) for t, a, c in found if "ho-term" in c]
    assert ("models/model-001/handover/glossary", "term-holdout-window") in terms
    assert all(t == "models/model-001/handover/glossary" for t, _ in terms)
    html = page.read_text(encoding="utf-8")
    assert "Churn holdout definition." in html and "Zero holdout" not in html
    assert "version 1.0" in html
    # The generator's narratives (one per model) link their own model's entries only.
    for ident in ("model-000", "model-002"):
        page = built.page(f"models/{ident}/narratives/page-0")
        targets = [t for t, _, _ in links(page, built.site) if t.startswith("models/")]
        assert targets and all(t.startswith(f"models/{ident}/") for t in targets)


def test_the_portfolio_site_signs_and_verifies(portfolio: Portfolio) -> None:
    built = portfolio.built
    assert (built.site / "handover-signature.json").is_file()
    pub = str(portfolio.keys / "release.pub")
    verified = run("-m", "handover_docs", "verify", str(built.site), "--key", pub, cwd=built.root)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    page = built.site / "models" / "model-002" / "handover" / "faq" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- changed -->", encoding="utf-8")
    tampered = run("-m", "handover_docs", "verify", str(built.site), "--key", pub, cwd=built.root)
    assert tampered.returncode != 0


def test_one_model_builds_signs_and_verifies_on_its_own(portfolio: Portfolio) -> None:
    """Per model as for the whole site: a model folder is an ordinary handover site."""
    model = portfolio.built.root / "handovers" / "model-002"
    site = model / "site"
    key = str(portfolio.keys / "release")
    built = run(
        "-m", "mkdocs", "build", "--strict", "-d", str(site), cwd=model,
        env={**ENV, "HANDOVER_SIGNING_KEY": key},
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    pub = str(portfolio.keys / "release.pub")
    verified = run("-m", "handover_docs", "verify", str(site), "--key", pub, "--json", cwd=model)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    signed = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert report["files_checked"] == len(signed - {"handover-signature.json"})
    assert not any(name.startswith("models/") for name in signed)  # only this model


def test_a_broken_manifest_in_one_model_fails_with_its_location(tmp_path: Path) -> None:
    root = generate(tmp_path / "pf", models=2)
    artifacts = root / "handovers" / "model-001" / "handover" / "artifacts.yaml"
    text = artifacts.read_text(encoding="utf-8")
    artifacts.write_text(text.replace("  owner: p0\n", "  owner: nobody\n", 1), encoding="utf-8")
    lines = artifacts.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "owner: nobody" in t)
    col = lines[line - 1].index("nobody") + 1
    built = build_portfolio(root)
    assert built.result.returncode != 0
    assert f"handovers/model-001/handover/artifacts.yaml:{line}:{col}" in built.result.stderr
    assert "unknown reference 'nobody'" in built.result.stderr
    assert "Traceback" not in built.result.stderr
    # 'handover validate' on the portfolio site reports the same location (exit 2).
    validated = run("-m", "handover_docs", "validate", "mkdocs.portfolio.yml", cwd=root)
    assert validated.returncode == 2
    assert f"handovers/model-001/handover/artifacts.yaml:{line}:{col}" in validated.stderr


def test_validate_on_a_portfolio_site_checks_every_model(portfolio: Portfolio) -> None:
    root = portfolio.built.root
    done = run("-m", "handover_docs", "validate", "mkdocs.portfolio.yml", "--json", cwd=root)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert [m["id"] for m in report["models"]] == ["model-000", "model-001", "model-002"]
    one = run("-m", "handover_docs", "validate", "handovers/model-001", cwd=root)
    assert one.returncode == 0 and one.stdout.startswith("Churn <b>Model</b> 1.0.0: valid")


def test_audit_on_a_portfolio_site_scores_every_model_as_the_index_does(
    portfolio: Portfolio,
) -> None:
    built = portfolio.built
    done = run("-m", "handover_docs", "audit", "mkdocs.portfolio.yml", "--json", cwd=built.root)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    scores = {m["path"]: m["score"] for m in report["models"]}
    assert list(scores) == [f"handovers/model-00{i}" for i in range(3)]
    cells = [c for c in parse(built.page("models")).elements if c.tag == "td"]
    shown = [c.text.strip() for c in cells[5::8]]
    assert shown == [f"{s}/100" for s in scores.values()]
    strict = run(
        "-m", "handover_docs", "audit", "mkdocs.portfolio.yml", "--min-score", "100", cwd=built.root
    )
    assert strict.returncode == (1 if min(scores.values()) < 100 else 0)
