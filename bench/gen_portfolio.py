"""Synthetic handover sites for the scale benchmarks: N handovers of any size, reproducibly.

Run::

    python bench/gen_portfolio.py OUT --models N --artifacts A --terms T --checklist C \\
        --narratives K [--seed S] [--layout single|portfolio]

Every handover is complete and valid: a model card, people, A artifacts (with digests and
sizes), datasets (one per 6 artifacts, each with its own datasheet page), experiments
(one per 5 artifacts), environments, decisions, deviations, C checklist items under
milestones (with ``needs`` chains and artifact checks), T glossary terms (some with
acronym aliases), FAQ, sessions, deployment, governance, an architecture, and K Markdown
narratives of about 600 words that use the glossary terms and ``[[id]]`` references.

Sizes: ``--scale k`` is shorthand for k times the example handover of this repository
(19 artifacts, 28 glossary terms, 14 checklist items, 7 narratives per k).

Layouts:

- ``single`` (default): one site, ``OUT/mkdocs.yml`` + ``OUT/handover/`` + ``OUT/docs/``.
  With ``--models N`` > 1 the N handovers' content goes into that one handover (ids
  suffixed per model), so "10x" is ten times the entries and narratives in one site.
- ``portfolio``: ``OUT/handovers/<model-id>/{handover,docs}/`` per model (see
  ``docs/reference/scale.md``), each also a standalone site with its own ``mkdocs.yml``,
  plus ``OUT/mkdocs.yml`` for the whole portfolio.

:func:`make_plain` writes, beside a generated site, the same pages as plain Markdown
(``handover render``) and ``plain.yml``: the same theme, extensions and nav without the
handover plugin, for side-by-side builds. ``bench/bench_build.py`` and
``bench/bench_scale.py`` use this module.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

EXAMPLE = {"artifacts": 19, "terms": 28, "checklist": 14, "narratives": 7}
"""The example handover's size: ``--scale 1``."""

THEME: dict[str, Any] = {
    "name": "material",
    "font": False,
    "features": ["navigation.sections", "navigation.prune", "content.tooltips", "search.highlight"],
}
EXTENSIONS: list[Any] = [
    "abbr",
    "admonition",
    "attr_list",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.superfences",
    {"pymdownx.tasklist": {"custom_checkbox": True}},
]
VALIDATION = {"nav": {"omitted_files": "info"}}

_SYLLABLES = [
    "ka", "lo", "mer", "vin", "tra", "sol", "qui", "dan", "rel", "bo", "nix", "ta", "por",
    "zen", "ul", "ari", "shen", "mo", "fel", "gri", "os", "tev", "ya", "cor",
]  # fmt: skip
_COMMON = [
    "the", "model", "operations", "team", "data", "score", "threshold", "run", "results",
    "training", "evaluation", "we", "when", "which", "because", "of", "and", "to", "in", "on",
    "for", "with", "is", "are", "was", "this", "that", "each", "every", "new", "input",
    "output", "batch", "service", "latency", "request", "window", "review", "owner", "check",
    "release", "monitor", "alert", "production", "research", "version", "metric", "baseline",
    "sample", "feature", "label", "pipeline", "store", "record", "after", "before", "during",
    "under", "over", "about", "against", "between",
]  # fmt: skip


@dataclass
class Size:
    artifacts: int
    terms: int
    checklist: int
    narratives: int

    @classmethod
    def scaled(cls, k: int) -> Size:
        return cls(*(EXAMPLE[key] * k for key in ("artifacts", "terms", "checklist", "narratives")))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Words:
    """Pronounceable made-up words and unique glossary terms, from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))

    def term(self) -> str:
        while True:
            n = self.rng.choice([1, 1, 2, 2, 2, 3])
            text = " ".join(self.word() for _ in range(n))
            if text.casefold() not in self.used:
                self.used.add(text.casefold())
                return text

    def acronym(self, term: str) -> str | None:
        words = term.split()
        if len(words) < 2:
            return None
        text = "".join(w[0] for w in words).upper() + str(self.rng.randint(2, 99))
        if text.casefold() in self.used:
            return None
        self.used.add(text.casefold())
        return text

    def sentence(self, terms: list[str], refs: list[str]) -> str:
        words = [self.rng.choice(_COMMON) for _ in range(self.rng.randint(9, 18))]
        if terms and self.rng.random() < 0.6:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(terms))
        if refs and self.rng.random() < 0.15:
            words.insert(self.rng.randrange(len(words)), f"[[{self.rng.choice(refs)}]]")
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."


def handover_data(
    model: str, size: Size, rng: random.Random, *, suffix: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """(manifest sections, narrative pages: path under docs -> Markdown) of one handover."""
    words = _Words(rng)
    s = suffix
    people = [
        {"id": f"p{i}{s}", "name": f"{words.word().title()} {words.word().title()}",
         "side": side, "roles": [role], "email": f"p{i}@example.org"}
        for i, (side, role) in enumerate(
            [("research", "model owner"), ("research", "data scientist"),
             ("operations", "on-call"), ("operations", "platform"),
             ("governance", "risk"), ("governance", "privacy")]
        )
    ]  # fmt: skip
    pid = [p["id"] for p in people]
    n_art = max(1, size.artifacts)
    n_ds = max(1, n_art // 6)
    n_exp = max(1, n_art // 5)
    kinds = ["code", "weights", "preprocessing", "feature-pipeline", "evaluation-suite",
             "config", "logs", "run-metadata", "environment-spec", "report"]  # fmt: skip
    envs = [
        {"id": f"env-train{s}", "name": "Training", "python": "3.11",
         "os": "Debian GNU/Linux 12 (bookworm)", "packages": {"numpy": "1.26.4"}},
        {"id": f"env-serve{s}", "name": "Serving", "python": "3.11",
         "container": {"image": "registry.example.org/serve:1"}},
    ]  # fmt: skip
    terms = [words.term() for _ in range(size.terms)]
    glossary = []
    for t in terms:
        entry: dict[str, Any] = {"term": t, "definition": words.sentence(terms[:5], [])}
        if rng.random() < 0.25 and (acr := words.acronym(t)):
            entry["aliases"] = [acr]
        glossary.append(entry)
    artifacts = []
    for i in range(n_art):
        artifacts.append(
            {
                "id": f"art-{i}{s}",
                "name": f"{words.word().title()} {kinds[i % len(kinds)]}",
                "kind": kinds[i % len(kinds)],
                "description": words.sentence(terms, []),
                "uri": f"s3://handover-bench/{model}/art-{i}",
                "sha256": _digest(f"{model}-{i}{s}"),
                "size": 1000 + 37 * i,
                "version": f"1.{i % 7}",
                "owner": pid[i % 2],
                "produced_by": f"exp-{i % n_exp}{s}",
                "sensitivity": ["public", "internal", "confidential"][i % 3],
            }
        )
    datasheet = {
        k: words.sentence(terms, [])
        for k in ("motivation", "composition", "collection", "preprocessing", "uses",
                  "distribution", "maintenance")
    }  # fmt: skip
    datasets = [
        {
            "id": f"ds-{i}{s}",
            "name": f"{words.word().title()} records",
            "version": "2026-11",
            "description": words.sentence(terms, []),
            "owner": pid[1],
            "rows": 10_000 + i,
            "features": [{"name": words.word(), "dtype": "float"} for _ in range(4)],
            "datasheet": datasheet,
        }
        for i in range(n_ds)
    ]
    experiments = [
        {
            "id": f"exp-{i}{s}",
            "name": f"Run {words.word()}",
            "description": words.sentence(terms, []),
            "command": "python -m model.train",
            "environment": envs[0]["id"],
            "datasets": [f"ds-{i % n_ds}{s}"],
            "produces": [a["id"] for a in artifacts if a["produced_by"] == f"exp-{i}{s}"][:3],
            "seeds": {"seed": 7, "history": [{"seed": 3, "metrics": {"auc": 0.95}}]},
            "metrics": {"auc": 0.96, "accuracy": 0.93},
            "owner": pid[0],
            "date": "2026-11-01",
        }
        for i in range(n_exp)
    ]
    n_ms = max(1, size.checklist // 5)
    milestones = [
        {"id": f"ms-{i}{s}", "title": f"Milestone {words.word()}", "owner": pid[i % 4]}
        for i in range(n_ms)
    ]
    checklist = []
    for i in range(size.checklist):
        item: dict[str, Any] = {
            "id": f"item-{i}{s}",
            "title": f"Check the {words.word()} {rng.choice(_COMMON)}",
            "milestone": milestones[i % n_ms]["id"],
            "owner": pid[2 + i % 2],
            "acceptance": words.sentence(terms, []),
            "artifacts": [artifacts[i % n_art]["id"]],
        }
        if i % 5:
            item["needs"] = [f"item-{i - 1}{s}"]
        if i % 3 == 0:
            item["check"] = {"kind": "artifact", "artifact": artifacts[i % n_art]["id"]}
        else:
            item["done"] = i % 2 == 0
        checklist.append(item)
    ids = [a["id"] for a in artifacts] + [c["id"] for c in checklist]
    pages: dict[str, str] = {}
    narratives = []
    roles = ["summary", "rationale", "edge-cases", "failure-modes", "runbook", "onboarding"]
    for i in range(size.narratives):
        page = f"narratives{s}/page-{i}.md" if s else f"narratives/page-{i}.md"
        title = f"{words.word().title()} {rng.choice(['rationale', 'notes', 'guide'])}"
        role = roles[i] if i < len(roles) else "other"
        narratives.append(
            {"id": f"nar-{i}{s}", "role": role, "page": page, "title": title, "owner": pid[0]}
        )
        body = [f"# {title}", ""]
        for section in range(4):
            body += [f"## {words.word().title()} {section + 1}", ""]
            for _ in range(3):
                body += [" ".join(words.sentence(terms, ids) for _ in range(4)), ""]
            if section == 1:
                body += ["- " + words.sentence(terms, ids) for _ in range(3)] + [""]
            if section == 2:
                body += ["```python", f"threshold = {rng.random():.3f}", "```", ""]
        pages[page] = "\n".join(body)
    data: dict[str, Any] = {
        "people": people,
        "artifacts": artifacts,
        "datasets": datasets,
        "experiments": experiments,
        "environments": envs,
        "decisions": [
            {"id": f"dec-{i}{s}", "title": f"Threshold {words.word()}", "kind": "threshold",
             "decision": words.sentence(terms, []), "rationale": words.sentence(terms, []),
             "value": 0.5, "owner": pid[0], "related": [artifacts[i % n_art]["id"]]}
            for i in range(max(1, size.narratives // 2))
        ],
        "deviations": [
            {"id": f"dev-{i}{s}", "what": "Data source", "original": "Vendor A",
             "replacement": "Vendor B", "rationale": words.sentence(terms, []),
             "approver": pid[4]}
            for i in range(max(1, size.narratives // 4))
        ],
        "milestones": milestones,
        "checklist": checklist,
        "glossary": glossary,
        "faq": [
            {"question": words.sentence([], []).rstrip(".") + "?",
             "answer": words.sentence(terms, [])}
            for _ in range(max(1, size.narratives))
        ],
        "sessions": [
            {"id": f"ses-{i}{s}", "title": f"Walkthrough {i}", "date": "2026-11-10",
             "attendees": pid[:4], "notes": words.sentence(terms, [])}
            for i in range(max(1, size.narratives // 3))
        ],
        "narratives": narratives,
    }  # fmt: skip
    return data, pages


def model_section(model: str, name: str, owners: list[str]) -> dict[str, Any]:
    return {
        "id": model,
        "name": name,
        "version": "1.0.0",
        "summary": f"The {name} scores incoming records for the operations team.",
        "task": "binary classification",
        "status": "in-review",
        "owners": owners,
        "card": {
            "details": "Gradient-boosted trees.",
            "intended_use": {"primary_uses": ["Screening."], "out_of_scope": ["Diagnosis."]},
            "metrics": ["AUC."],
            "evaluation_data": "A held-out split.",
            "training_data": "Last year's records.",
            "ethical_considerations": "Reviewed by the risk team.",
            "caveats_and_recommendations": "Retrain yearly.",
        },
    }


def singleton_sections(ids: dict[str, list[str]]) -> dict[str, Any]:
    """Sections that live whole in one file: deployment, monitoring, governance, architecture."""
    people, arts, envs = ids["people"], ids["artifacts"], ids["environments"]
    return {
        "deployment": {
            "targets": [
                {"id": "target-api", "name": "Scoring API", "environment": envs[-1],
                 "artifact": arts[0], "latency": {"p95_ms": 40}, "throughput_rps": 200}
            ],
            "fallbacks": [{"id": "fb-rules", "trigger": "Model down", "action": "Use rules."}],
            "contingencies": [{"id": "cont-outage", "scenario": "Data outage",
                               "plan": "Serve the last scores."}],
            "rollback": {"procedure": "Redeploy the previous weights.", "known_good": arts[0]},
        },
        "monitoring": {
            "drift": [{"id": "drift-auc", "metric": "auc", "baseline": 0.96, "warn": 0.01,
                       "fail": 0.03}]
        },
        "governance": {
            "approval_workflow": "Two reviewers approve each release.",
            "approvals": [{"id": "appr-release", "what": "Release 1.0", "approver": people[4],
                           "status": "approved", "date": "2026-11-20"}],
            "signoffs": [{"role": "release", "person": people[4], "status": "signed"}],
            "reviewers": people[4:6],
            "production_support": [{"person": people[2], "role": "on-call"}],
            "risks": [{"id": "risk-drift", "description": "Input drift.", "likelihood": "medium",
                       "impact": "high", "mitigation": "Monthly drift check.",
                       "owner": people[2]}],
        },
        "architecture": {
            "groups": [{"id": "grp-serving", "label": "Serving"}],
            "components": [
                {"id": "cmp-store", "label": "Feature store", "kind": "storage"},
                {"id": "cmp-model", "label": "Model", "kind": "python", "group": "grp-serving"},
                {"id": "cmp-api", "label": "API", "kind": "server", "group": "grp-serving"},
            ],
            "flows": [{"from": "cmp-store", "to": "cmp-model"}, {"from": "cmp-model",
                                                                  "to": "cmp-api"}],
            "pathways": [{"id": "path-score", "title": "Scoring",
                          "steps": ["Request arrives", "Features read", "Score returned"]}],
        },
    }  # fmt: skip


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({"handover": 1, **data}, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def write_handover(
    root: Path, model: str, size: Size, rng: random.Random, *, parts: int = 1
) -> list[Any]:
    """Write one handover (``root/handover/*.yaml`` + ``root/docs/``); return the nav of its
    narratives (nested in sections of at most 10 pages, or one section per model).

    ``parts`` > 1 puts that many models' worth of content into this one handover."""
    merged: dict[str, list[Any]] = {}
    pages: dict[str, str] = {}
    for k in range(parts):
        data, part_pages = handover_data(model, size, rng, suffix=f"-m{k}" if parts > 1 else "")
        for key, value in data.items():
            merged.setdefault(key, []).extend(value)
        pages.update(part_pages)
    ids = {key: [e["id"] for e in merged[key]] for key in ("people", "artifacts", "environments")}
    manifests = root / "handover"
    _dump(
        manifests / "model.yaml", {"model": model_section(model, model.title(), ids["people"][:2])}
    )
    for key, value in merged.items():
        _dump(manifests / f"{key}.yaml", {key: value})
    for key, value in singleton_sections(ids).items():
        _dump(manifests / f"{key}.yaml", {key: value})
    docs = root / "docs"
    index = ["# " + model.title(), "", "Start with the [handover section](handover/index.md).", ""]
    (docs).mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("\n".join(index), encoding="utf-8")
    for rel, text in pages.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    # nested nav: a flat list of hundreds of pages would put every one on every page
    groups: dict[str, list[str]] = {}
    for n, rel in enumerate(pages):  # in generation order
        if parts > 1:
            group = "Model " + rel.split("/")[0].removeprefix("narratives-")
        else:
            group = f"Pages {n // 10 * 10 + 1}+"
        groups.setdefault(group, []).append(rel)
    sections = [{title: rels} for title, rels in groups.items()]
    return ["index.md", {"Narratives": sections}] if sections else ["index.md"]


def site_config(name: str, pages: list[Any], *, plugins: list[Any] | None = None) -> dict[str, Any]:
    return {
        "site_name": name,
        "docs_dir": "docs",
        "theme": THEME,
        "markdown_extensions": EXTENSIONS,
        "nav": [*pages, {"Handover": "handover/"}],
        "plugins": plugins or ["search", {"handover": {"manifests": "handover"}}],
        "validation": VALIDATION,
    }


def generate(
    out: Path, *, models: int, size: Size, seed: int = 1, layout: str = "single"
) -> list[Path]:
    """Write the site(s); return the folders that hold an mkdocs.yml to build."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    if layout == "single":
        pages = write_handover(out, "bench-model", size, rng, parts=models)
        config = site_config(f"bench {models}x{size}", pages)
        (out / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return [out]
    sites = []
    for m in range(models):
        model = f"model-{m:03d}"
        root = out / "handovers" / model
        pages = write_handover(root, model, size, rng)
        config = site_config(f"{model} handover", pages)
        (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        sites.append(root)
    portfolio = site_config(
        f"portfolio of {models}",
        ["index.md"],
        plugins=["search", {"handover": {"portfolio": "handovers"}}],
    )
    portfolio["nav"] = ["index.md", {"Models": "models/"}]
    (out / "docs").mkdir(exist_ok=True)
    (out / "docs" / "index.md").write_text(f"# Portfolio\n\n{models} models.\n", encoding="utf-8")
    # the portfolio-wide mkdocs.yml needs the plugin's 'portfolio' option (see scale.md)
    (out / "mkdocs.portfolio.yml").write_text(
        yaml.safe_dump(portfolio, sort_keys=False), encoding="utf-8"
    )
    return sites


def make_plain(root: Path) -> Path:
    """Beside ``root/mkdocs.yml``: ``root/md/`` (``handover render --inline-diagrams``: the
    plugin's pages, diagrams inline as the plugin shows them) and ``root/plain.yml``, the
    same theme, extensions and nav without the handover plugin. Returns plain.yml."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    shutil.rmtree(root / "md", ignore_errors=True)
    subprocess.run(
        # inline diagrams, as the plugin's pages have them: the same Markdown for MkDocs
        [
            sys.executable,
            "-m",
            "handover_docs",
            "render",
            str(root),
            "--out",
            str(root / "md"),
            "--inline-diagrams",
        ],
        check=True,
        env=ENV,
        capture_output=True,
    )
    options = next(p["handover"] for p in config["plugins"] if isinstance(p, dict))
    folder = str(options.get("folder", "handover")).strip("/")
    section = yaml.safe_load((root / "md" / folder / "nav.yml").read_text())["nav"]
    nav = []
    for entry in config["nav"]:
        if isinstance(entry, dict) and list(entry.values()) == [f"{folder}/"]:
            nav.extend(section)
        else:
            nav.append(entry)
    plain = {
        **copy.deepcopy(config),
        "site_name": f"{config['site_name']} (plain)",
        "docs_dir": "md",
        "site_dir": "site-plain",
        "extra_css": [*config.get("extra_css", []), f"{folder}/assets/handover.css"],
        "nav": nav,
        "plugins": [p for p in config["plugins"] if not isinstance(p, dict)],
        "exclude_docs": f"{folder}/nav.yml\n",
    }
    path = root / "plain.yml"
    path.write_text(yaml.safe_dump(plain, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=1)
    parser.add_argument("--scale", type=int, help="k times the example (sets the four sizes)")
    parser.add_argument("--artifacts", type=int, default=EXAMPLE["artifacts"])
    parser.add_argument("--terms", type=int, default=EXAMPLE["terms"])
    parser.add_argument("--checklist", type=int, default=EXAMPLE["checklist"])
    parser.add_argument("--narratives", type=int, default=EXAMPLE["narratives"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--layout", choices=("single", "portfolio"), default="single")
    parser.add_argument("--plain", action="store_true", help="also write md/ and plain.yml")
    args = parser.parse_args(argv)
    if args.scale:
        size = Size.scaled(args.scale)
    else:
        size = Size(args.artifacts, args.terms, args.checklist, args.narratives)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    sites = generate(args.out, models=args.models, size=size, seed=args.seed, layout=args.layout)
    if args.plain:
        for site in sites:
            make_plain(site)
    print(f"wrote {len(sites)} site(s) under {args.out}: {args.models} model(s) of {size}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
