"""``handover import --format hf README.md``: start a handover from a Hugging Face model card.

The new folder is scaffolded like ``handover init`` and then filled from the card: the
YAML metadata (model name, license, datasets, metrics, ``model-index`` results, base
model, language, pipeline tag) and the Markdown sections of the Hub's card template
(description, uses, out-of-scope use, bias/risks/limitations, recommendations,
training and evaluation data, citation). Sections the card lacks are written as
``TODO`` placeholders, which ``handover audit`` then lists, so nothing is invented.
The result is validated before the command reports success.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from handover_docs import manifest, scaffold
from handover_docs.atomic import write_text
from handover_docs.errors import Finding, HandoverError, Location, display_path
from handover_docs.exchange import hf_fields
from handover_docs.yamlsource import load_plain

MAX_CARD_BYTES = 5 * 1024 * 1024

SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "description": ("model description", "model details", "model summary", "overview"),
    "downstream_use": ("downstream use",),
    "get_started": (
        "how to get started with the model",
        "how to get started",
        "getting started",
    ),
    "training_procedure": ("training procedure", "training hyperparameters"),
    "architecture": ("model architecture and objective", "model architecture"),
    "environment": ("environmental impact",),
    "direct_use": (
        "direct use",
        "intended uses & limitations",
        "intended uses",
        "uses",
        "how to use",
        "intended use",
    ),
    "out_of_scope": ("out-of-scope use", "out of scope use", "misuse and out-of-scope use"),
    "risks": (
        "bias, risks, and limitations",
        "bias, risks and limitations",
        "limitations",
        "limitations and bias",
        "risks, limitations and biases",
        "ethical considerations",
    ),
    "recommendations": ("recommendations", "caveats and recommendations"),
    "training_data": ("training data", "training details"),
    "evaluation_data": (
        "testing data",
        "evaluation data",
        "evaluation",
        "testing data, factors & metrics",
    ),
    "factors": ("factors",),
    "metrics": ("metrics",),
    "results": ("results", "evaluation results"),
    "citation": ("citation", "bibtex", "citation (bibtex)"),
}
"""Headings of the Hub's model-card template (and common variants), by handover field."""

TODO = "TODO: not stated in the imported model card."
NONE_RECORDED = "(none recorded)"
"""What the export writes under an empty list section; read back as no items."""


@dataclass
class Card:
    """A parsed model card: metadata, the title and the body of each section."""

    meta: dict[str, Any]
    title: str
    intro: str
    sections: dict[str, str] = field(default_factory=dict)
    """Lowercased heading to its text (first occurrence wins)."""
    raw_headings: set[str] = field(default_factory=set)
    """Every lowercased heading, also those whose text was only a placeholder."""
    body_line: int = 1


def parse_card(text: str, display: str) -> Card:
    """Split YAML front matter from Markdown and index the sections by heading."""
    meta: dict[str, Any] = {}
    body, offset = text, 0
    if text.startswith("---"):
        match = re.match(r"---[ \t]*\r?\n(.*?)(?:^|\n)---[ \t]*(?:\r?\n|$)", text, re.S)
        if match is None:
            raise HandoverError(
                Finding(
                    Location(display, 1, 1),
                    "model card metadata block is not closed",
                    hint="the YAML block starts and ends with a line '---'",
                )
            )
        try:
            loaded = load_plain(match.group(1), display, line_offset=1)
        except HandoverError as exc:  # the same place, said as a model card's problem
            problem = exc.findings[0]
            raise HandoverError(
                Finding(
                    problem.location,
                    "bad YAML in model card metadata: "
                    + problem.message.removeprefix("bad YAML: "),
                    hint=problem.hint,
                )
            ) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise HandoverError(
                Finding(Location(display, 2, 1), "model card metadata must be a YAML mapping")
            )
        meta = loaded or {}
        body = text[match.end() :]
        offset = text[: match.end()].count("\n")
    title = ""
    lines = body.splitlines()
    headings: list[tuple[int, int, str]] = []  # (line index, level, name)
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        heading = None if in_fence else re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading:
            name = re.sub(r"[*_`]", "", heading.group(2)).strip()
            name = re.sub(r"\s*\[optional\]$", "", name, flags=re.I)  # the Hub template's
            level = len(heading.group(1))
            if level == 1 and not title:
                title = name
            headings.append((index, level, name))
    first = headings[0][0] if headings else len(lines)
    intro = lines[:first]
    if headings and headings[0][2] == title:
        stop = headings[1][0] if len(headings) > 1 else len(lines)
        intro += lines[headings[0][0] + 1 : stop]
    sections: dict[str, str] = {}
    for n, (index, level, name) in enumerate(headings):
        if name == title and level == 1:
            continue
        own_end = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
        end = next((i for i, lv, _ in headings[n + 1 :] if lv <= level), len(lines))
        # A section's own text; when it has none, the text of its subsections.
        text = _clean("\n".join(lines[index + 1 : own_end]))
        sections.setdefault(name.lower(), text or _clean("\n".join(lines[index + 1 : end])))
    headed = {name.lower() for _, _, name in headings}
    return Card(meta, title, _clean("\n".join(intro)), sections, headed, offset + 1)


def _clean(text: str) -> str:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if re.fullmatch(r"\[?more information needed\]?\.?", text, re.I):
        return ""
    return text


def _section(card: Card, key: str) -> str:
    """The section's text without template placeholders ("" when absent or only those)."""
    for alias in SECTION_ALIASES[key]:
        text = hf_fields.strip_placeholders(card.sections.get(alias, ""))
        if text:
            return text
    return ""


def _optional(card: Card, key: str) -> str:
    """An optional section: its text; TODO when the card has it but only as a placeholder
    (so the audit lists it); "" when the card does not have it."""
    text = _section(card, key)
    if text:
        return text
    present = any(alias in card.raw_headings for alias in SECTION_ALIASES[key])
    return TODO if present else ""


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [" ".join(str(v).split()) for v in items if v is not None and str(v).strip()]


def _bullets(text: str) -> list[str]:
    """A section as list items: each bullet one item, each paragraph between them one item
    (so a list stays a list, and a lead-in sentence stays its own item)."""
    items: list[str] = []
    paragraph: list[str] = []
    for line in [*text.splitlines(), ""]:
        bullet = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if bullet or not line.strip():
            if paragraph:
                items.append(" ".join(" ".join(paragraph).split()))
                paragraph = []
            if bullet and bullet.group(1).strip():
                items.append(bullet.group(1).strip())
            continue
        paragraph.append(line)
    return [i for i in items if i != NONE_RECORDED]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90] or "model"


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The mappings in a YAML list (cards in the wild hold all sorts; skip what is not one)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _model_name(card: Card, fallback: str) -> str:
    index = _dicts(card.meta.get("model-index"))
    if index and index[0].get("name"):
        return " ".join(str(index[0]["name"]).split())
    return " ".join(str(card.meta.get("model_name") or card.title or fallback).split()) or "Model"


def handover_from_card(
    card: Card, fallback_name: str
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The model manifest, the knowledge manifest and the summary page for ``card``."""
    meta = card.meta
    name = _model_name(card, fallback_name)
    description = _section(card, "description")
    summary_source = description or card.intro
    first = summary_source.split("\n\n")[0] if summary_source else ""
    summary_text = " ".join(first.split()) if first else TODO
    details = description or card.intro or TODO
    factors = _bullets(_section(card, "factors"))
    metrics = _list(meta.get("metrics")) or _bullets(_section(card, "metrics")) or [TODO]
    risks = _section(card, "risks")
    recommendations = _section(card, "recommendations")
    caveats = recommendations or risks or TODO
    card_doc: dict[str, Any] = {
        "details": details,
        "intended_use": {
            "primary_uses": _bullets(_section(card, "direct_use")) or [TODO],
            "out_of_scope": _bullets(_section(card, "out_of_scope")),
        },
        "factors": factors,
        "metrics": metrics,
        "evaluation_data": _section(card, "evaluation_data") or TODO,
        "training_data": _section(card, "training_data") or TODO,
        "quantitative_analyses": hf_fields.analyses(meta),
        "ethical_considerations": risks or TODO,
        "caveats_and_recommendations": caveats,
    }
    for key in ("downstream_use", "get_started", "training_procedure"):
        if text := _optional(card, key):
            card_doc[key] = text
    if architecture := _section(card, "architecture"):
        card_doc["model_architecture"] = architecture
    impact = hf_fields.environmental_impact(card.sections.get("environmental impact", ""))
    if impact:
        card_doc["environmental_impact"] = impact
    several = isinstance(meta.get("license"), list)  # model.licenses, or kept in extensions
    license_text = "" if several else meta.get("license_name") or meta.get("license") or ""
    model: dict[str, Any] = {
        "id": _slug(name),
        "name": name,
        "version": str(meta.get("version") or "0.1.0"),
        "summary": summary_text,
        "task": str(meta.get("pipeline_tag") or ""),
        "status": "draft",
        "owners": ["research-lead"],
        "license": str(license_text),
        "card": card_doc,
        # the template's Model Sources; our own export's Facts list holds the repository
        **hf_fields.model_sources(card.sections.get("facts", "")),
        **hf_fields.model_sources(card.sections.get("model sources", "")),
        **hf_fields.model_fields(meta),
    }
    citation = hf_fields.citation(card.sections.get("citation", ""), name)
    if citation:
        model["citations"] = [citation]
    artifacts = []
    ids: set[str] = set()
    for ds in _list(meta.get("datasets")):
        ident = base = _slug(ds.split("/")[-1])[:80] + "-data"
        while ident in ids:
            ident = f"{base}-{len(ids) + 1}"
        ids.add(ident)
        artifacts.append(
            {
                "id": ident,
                "name": ds,
                "kind": "dataset",
                "uri": "https://huggingface.co/datasets/" + quote(ds.strip(), safe="/"),
                "description": "Dataset named in the imported model card.",
            }
        )
    model_doc: dict[str, Any] = {
        "handover": 1,
        "model": {k: v for k, v in model.items() if v not in ("", [], None)},
        "people": [
            {
                "id": "research-lead",
                "name": "Research Lead",
                "side": "research",
                "roles": ["model owner"],
            },
            {
                "id": "ops-lead",
                "name": "Operations Lead",
                "side": "operations",
                "roles": ["production support"],
            },
        ],
    }
    if artifacts:
        model_doc["artifacts"] = artifacts
    knowledge: dict[str, Any] = {
        "handover": 1,
        "milestones": [
            {"id": "m1-inventory", "title": "Inventory complete", "owner": "research-lead"}
        ],
        "checklist": [
            {
                "id": "card-reviewed",
                "title": "Operations reviewed the imported card",
                "milestone": "m1-inventory",
                "owner": "ops-lead",
                "acceptance": "Every TODO left by the import is replaced with the "
                "real content and reviewed by operations.",
            }
        ],
        "narratives": [
            {"id": "summary", "role": "summary", "page": "summary.md", "title": "Executive summary"}
        ],
    }
    page = f"# Executive summary\n\n{description or TODO}\n"
    if card.intro and card.intro != description:
        page += f"\n{card.intro}\n"
    return model_doc, knowledge, page


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks, so imported prose stays readable."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # no &anchors: each result spells out its dataset


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: dict[str, Any]) -> str:
    header = "# yaml-language-server: $schema=../handover.schema.json\n"
    header += "# Imported from a Hugging Face model card by 'handover import --format hf'.\n"
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + text


def import_card(card_path: Path, target: Path, *, force: bool = False) -> list[Path]:
    """Create a handover in ``target`` from the model card at ``card_path``."""
    display = display_path(card_path)
    if not card_path.is_file():
        raise HandoverError(f"no such model card: {display}", card_path)
    if card_path.stat().st_size > MAX_CARD_BYTES:
        raise HandoverError(f"{display}: model card is larger than 5 MB", card_path)
    try:
        text = card_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HandoverError(f"{display}: not UTF-8 text ({exc.reason})", card_path) from None
    card = parse_card(text, display)
    model_doc, knowledge, page = handover_from_card(card, target.resolve().name)
    written = scaffold.scaffold(target, name=str(model_doc["model"]["name"]), force=force)
    files = {
        target / "handover" / "model.yaml": _dump(model_doc),
        target / "handover" / "knowledge.yaml": _dump(knowledge),
        target / "docs" / "summary.md": page,
    }
    for path, content in files.items():
        write_text(path, content)
    manifest.load(target)
    return sorted(set(written) | set(files))
