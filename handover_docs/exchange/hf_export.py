"""``handover export --format hf``: a Hugging Face model card (README.md with YAML metadata).

The card is YAML front matter (the Hub's model-card metadata: ``license``, ``tags``,
``datasets``, ``metrics``, ``model-index`` with evaluation results) followed by the
Markdown sections of the model card (Mitchell et al.) and a handover section listing
owners and artifact digests. It is written by hand with PyYAML (no runtime dependency
on ``huggingface_hub``); the tests parse it with ``huggingface_hub.ModelCard``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import yaml

from handover_docs import __version__, schema
from handover_docs.evaluation.recompute import Reported, recomputed_values
from handover_docs.exchange import hf_fields
from handover_docs.manifest import LoadedHandover

HF_LICENSES = frozenset(
    [
        "apache-2.0",
        "mit",
        "openrail",
        "bigscience-openrail-m",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "afl-3.0",
        "artistic-2.0",
        "bsl-1.0",
        "bsd",
        "bsd-2-clause",
        "bsd-3-clause",
        "bsd-3-clause-clear",
        "c-uda",
        "cc",
        "cc0-1.0",
        "cc-by-2.0",
        "cc-by-2.5",
        "cc-by-3.0",
        "cc-by-4.0",
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "cc-by-nc-2.0",
        "cc-by-nc-3.0",
        "cc-by-nc-4.0",
        "cc-by-nd-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "cdla-sharing-1.0",
        "cdla-permissive-1.0",
        "cdla-permissive-2.0",
        "wtfpl",
        "ecl-2.0",
        "epl-1.0",
        "epl-2.0",
        "etalab-2.0",
        "eupl-1.1",
        "eupl-1.2",
        "agpl-3.0",
        "gfdl",
        "gpl",
        "gpl-2.0",
        "gpl-3.0",
        "lgpl",
        "lgpl-2.1",
        "lgpl-3.0",
        "isc",
        "h-research",
        "intel-research",
        "lppl-1.3c",
        "ms-pl",
        "apple-ascl",
        "apple-amlr",
        "mpl-2.0",
        "odc-by",
        "odbl",
        "openmdw-1.0",
        "openrail++",
        "osl-3.0",
        "postgresql",
        "ofl-1.1",
        "ncsa",
        "unlicense",
        "zlib",
        "pddl",
        "lgpl-lr",
        "deepfloyd-if-license",
        "fair-noncommercial-research-license",
        "llama2",
        "llama3",
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "llama4",
        "gemma",
        "other",
        "unknown",
    ]
)
"""License ids the Hub knows; anything else is exported as ``other`` with ``license_name``."""

HF_PIPELINE_TAGS = frozenset(
    [
        "tabular-classification",
        "tabular-regression",
        "text-classification",
        "token-classification",
        "image-classification",
        "object-detection",
        "image-segmentation",
        "text-generation",
        "translation",
        "summarization",
        "question-answering",
        "fill-mask",
        "feature-extraction",
        "time-series-forecasting",
        "automatic-speech-recognition",
        "audio-classification",
        "zero-shot-classification",
    ]
)

LIBRARIES = {
    "scikit-learn": "sklearn",
    "sklearn": "sklearn",
    "torch": "pytorch",
    "transformers": "transformers",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "onnx": "onnx",
}
"""Environment packages that name the Hub's ``library_name`` (first match wins)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def metadata(loaded: LoadedHandover) -> dict[str, Any]:
    """The YAML metadata block of the card."""
    h = loaded.handover
    m = h.model
    data: dict[str, Any] = {}
    data.update(license_metadata(m))
    task = _slug(m.task)
    if m.pipeline_tag:
        data["pipeline_tag"] = m.pipeline_tag
    elif task in HF_PIPELINE_TAGS:
        data["pipeline_tag"] = task
    if library := m.library_name or _library(h):
        data["library_name"] = library
    if m.languages:
        data["language"] = hf_fields.one_or_many(m.languages)
    if m.base_model:
        data["base_model"] = hf_fields.one_or_many(m.base_model)
    hub = hub_metadata(m)
    if m.tags or not hub:
        # Hub metadata is written back as it was; a handover without any gets our tags.
        data["tags"] = list(m.tags) or [
            "handover-docs",
            *([task] if task else []),
            f"status-{m.status}",
        ]
    datasets = [_hub_dataset(a.uri) for a in h.artifacts if a.kind == "dataset"]
    names = [d for d in datasets if d] + [d.id for d in h.datasets]
    if names:
        data["datasets"] = names
    if metrics := _metrics(m, hub):
        data["metrics"] = metrics
    results = _model_index_results(h, task or "other", recomputed_values(loaded))
    if results:
        data["model-index"] = [{"name": m.id, "results": results}]
    for key, value in m.extensions.items():
        data.setdefault(key, value)  # a mapped key always comes from its field
    return data


def _metrics(m: schema.ModelInfo, hub: bool) -> list[str]:
    """The card's metrics when they are Hub ids; else, without Hub metadata, the analysed."""
    if hf_fields.hub_ids(m.card.metrics):
        return list(m.card.metrics)
    if hub:
        return []
    return [_slug(n) or n for n in sorted({qa.metric for qa in m.card.quantitative_analyses})]


def _library(h: schema.Handover) -> str:
    """The Hub library of the first environment that lists a well-known package."""
    for env in h.environments:
        found = next((LIBRARIES[p.lower()] for p in env.packages if p.lower() in LIBRARIES), "")
        if found:
            return found
    return ""


def license_metadata(m: schema.ModelInfo) -> dict[str, Any]:
    """``license`` (one id, or a list for several) and ``license_name`` for one the Hub does
    not know: from ``model.licenses`` when given, else from ``model.license``."""
    given = [lic.strip() for lic in m.licenses] or (
        [m.license.strip()] if m.license.strip() else []
    )
    ids: list[str] = []
    name = ""
    for lic in given:
        hub = lic.lower() if lic.lower() in HF_LICENSES else "other"
        if hub == "other" and not name:
            keep = re.fullmatch(r"[a-z0-9][a-z0-9.+-]{0,63}", lic)  # already a Hub-style name
            name = lic if keep else _slug(lic)[:64].strip("-") or "custom"
        if hub not in ids:
            ids.append(hub)
    if not ids:
        return {}
    data: dict[str, Any] = {"license": hf_fields.one_or_many(ids)}
    if name:
        data["license_name"] = name
    return data


def hub_metadata(m: schema.ModelInfo) -> bool:
    """Whether the model carries Hub metadata (set by hand or by ``handover import``): then
    tags and metrics are exactly the recorded ones, and none are derived."""
    results = any(q.eval_dataset is not None or q.task for q in m.card.quantitative_analyses)
    fields = (m.tags, m.languages, m.base_model, m.library_name, m.pipeline_tag, m.extensions)
    return results or any(fields)


def _hub_dataset(uri: str | None) -> str:
    """The Hub id of a dataset artifact that points at the Hub (as the import writes it)."""
    prefix = "https://huggingface.co/datasets/"
    if not uri or not uri.startswith(prefix):
        return ""
    return unquote(uri[len(prefix) :]).strip("/")


def _model_index_results(
    h: schema.Handover, task: str, recomputed: dict[int, Reported]
) -> list[dict[str, Any]]:
    """Results per (dataset, slice); a value recomputed from predictions replaces the typed one."""
    datasets = {d.id: d for d in h.datasets}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    hub: list[tuple[schema.QuantitativeAnalysis, float]] = []
    for index, qa in enumerate(h.model.card.quantitative_analyses):
        rep = recomputed.get(index)
        value = round(rep.estimate.value, 6) if rep and rep.estimate else qa.value
        if qa.eval_dataset is not None or qa.task:
            hub.append((qa, value))  # a Hub result: written back with its provenance
            continue
        if qa.dataset is None:
            continue
        grouped.setdefault((qa.dataset, qa.slice), []).append(
            {"type": _slug(qa.metric) or qa.metric, "value": value, "name": qa.metric}
        )
    results = hf_fields.model_index_results(hub)
    for (dataset_id, slice_name), metrics in grouped.items():
        dataset: dict[str, Any] = {"type": dataset_id, "name": datasets[dataset_id].name}
        if slice_name and slice_name != "overall":
            dataset["split"] = slice_name
        results.append(
            {
                "task": {"type": task, "name": h.model.task or task},
                "dataset": dataset,
                "metrics": metrics,
            }
        )
    return results


def _impact(e: schema.EnvironmentalImpact) -> list[str]:
    """The template's environmental impact facts, as the import reads them back."""
    facts = [
        ("Hardware Type", e.hardware_type),
        ("Hours used", f"{e.hours_used:g}" if e.hours_used is not None else ""),
        ("Cloud Provider", e.cloud_provider),
        ("Compute Region", e.compute_region),
        ("Carbon Emitted", f"{e.co2_emitted_kg:g} kg" if e.co2_emitted_kg is not None else ""),
        ("Energy", f"{e.energy_kwh:g} kWh" if e.energy_kwh is not None else ""),
    ]
    return [f"- **{name}:** {value}" for name, value in facts if value]


def training_impact(h: schema.Handover) -> schema.EnvironmentalImpact | None:
    """The training compute from the environments, when the card states none: the one
    environment's figures, or over several the sums (a sum only when every one gives it)
    and the distinct hardware, providers and regions."""
    impacts = [
        e.impact
        for e in h.environments
        if e.impact is not None and e.impact.activity in ("training", "fine-tuning")
    ]
    if len(impacts) <= 1:
        return impacts[0] if impacts else None

    def joined(key: str) -> str:
        return ", ".join(dict.fromkeys(v for i in impacts if (v := getattr(i, key))))

    def total(key: str) -> float | None:
        values = [getattr(i, key) for i in impacts]
        return None if None in values else round(sum(values), 9)

    return schema.EnvironmentalImpact(
        hardware_type=joined("hardware_type"),
        hours_used=total("hours_used"),
        cloud_provider=joined("cloud_provider"),
        compute_region=joined("compute_region"),
        energy_kwh=total("energy_kwh"),
        co2_emitted_kg=total("co2_emitted_kg"),
    )


def _cell(text: object) -> str:
    return " ".join(str(text).replace("|", "\\|").split())


def _bullets(items: list[str]) -> list[str]:
    return [f"- {item}" for item in items] or ["- (none recorded)"]


def _people(h: schema.Handover) -> Callable[[str | None], str]:
    """How the card names a person: 'Name (team)', the name, or the id when unknown."""
    people = {p.id: p for p in h.people}

    def person(pid: str | None) -> str:
        if pid is None:
            return "—"
        p = people.get(pid)
        return f"{p.name} ({p.team})" if p and p.team else (p.name if p else pid)

    return person


def _details(m: schema.ModelInfo, person: Callable[[str | None], str]) -> list[str]:
    """Model details with the Facts list, and the Hub template's Model Sources."""
    out = ["## Model details", "", m.card.details.strip(), ""]
    facts = [f"- **Version:** {m.version}", f"- **Status:** {m.status}"]
    if m.task:
        facts.append(f"- **Task:** {m.task}")
    if m.owners:
        facts.append("- **Owners:** " + ", ".join(person(o) for o in m.owners))
    if m.license:
        facts.append(f"- **License:** {m.license}")
    if m.licenses:
        facts.append("- **Licenses:** " + ", ".join(m.licenses))
    if m.repository:
        facts.append(f"- **Repository:** <{m.repository}>")
    out += ["### Facts", "", *facts, ""]
    sources = [(k, v) for k, v in (("Paper", m.paper), ("Demo", m.demo)) if v]
    if sources:
        out += ["### Model Sources", "", *(f"- **{k}:** <{v}>" for k, v in sources), ""]
    return out


def _uses(card: schema.ModelCard) -> list[str]:
    use = card.intended_use
    out = ["## Uses", "", "### Direct use", "", *_bullets(use.primary_uses), ""]
    if use.primary_users:
        out += ["### Intended users", "", *_bullets(use.primary_users), ""]
    if card.downstream_use:
        out += ["### Downstream use", "", card.downstream_use.strip(), ""]
    out += ["### Out-of-scope use", "", *_bullets(use.out_of_scope), ""]
    if card.get_started:
        out += ["## How to Get Started with the Model", "", card.get_started.strip(), ""]
    return out


def _data_and_results(loaded: LoadedHandover) -> list[str]:
    """Factors, metrics, training and evaluation data, and the results table."""
    card = loaded.handover.model.card
    out = ["## Factors", "", *_bullets(card.factors), ""]
    out += ["## Metrics", "", *_bullets(card.metrics), ""]
    out += ["## Training data", "", card.training_data.strip(), ""]
    if card.training_procedure:
        out += ["### Training procedure", "", card.training_procedure.strip(), ""]
    out += ["## Evaluation data", "", card.evaluation_data.strip(), ""]
    if card.quantitative_analyses:
        recomputed = recomputed_values(loaded)
        out += ["## Results", "", "| Metric | Value | Slice | Dataset |", "|---|---|---|---|"]
        for index, qa in enumerate(card.quantitative_analyses):
            rep = recomputed.get(index)
            shown = rep.shown() if rep else f"{qa.value:g}"
            out.append(
                f"| {_cell(qa.metric)} | {shown} | {_cell(qa.slice)} | {_cell(qa.dataset or '—')} |"
            )
        out.append("")
    return out


def _ethics(stated: str | list[schema.EthicalConsideration]) -> list[str]:
    """The card's ethical considerations: its text, or one bullet per risk."""
    if isinstance(stated, str):
        return [stated.strip()]
    return [
        f"- {e.name}" + (f" **Mitigation:** {e.mitigation}" if e.mitigation else "") for e in stated
    ]


def _considerations(h: schema.Handover) -> list[str]:
    """Ethics, caveats, environmental impact and architecture."""
    card = h.model.card
    out = ["## Ethical considerations", "", *_ethics(card.ethical_considerations), ""]
    out += ["## Caveats and recommendations", "", card.caveats_and_recommendations.strip(), ""]
    impact = card.environmental_impact or training_impact(h)
    if impact is not None:
        out += ["## Environmental Impact", "", *_impact(impact), ""]
    if card.model_architecture or card.architecture_family:
        text = card.model_architecture or card.architecture_family
        out += ["## Model Architecture and Objective", "", text.strip(), ""]
    return out


def _inventory(h: schema.Handover, person: Callable[[str | None], str]) -> list[str]:
    if not h.artifacts:
        return []
    out = [
        "## Handover inventory",
        "",
        "| Artifact | Kind | Version | Owner | SHA-256 |",
        "|---|---|---|---|---|",
    ]
    for a in h.artifacts:
        digest = f"`{a.sha256}`" if a.sha256 else "—"
        out.append(
            f"| {_cell(a.name)} | {a.kind} | {_cell(a.version or '—')} | "
            f"{_cell(person(a.owner))} | {digest} |"
        )
    out.append("")
    return out


def _citations(citations: list[schema.Citation]) -> list[str]:
    if not citations:
        return []
    out = ["## Citation", ""]
    for c in citations:
        if c.bibtex or c.apa:  # the Hub template's layout, so it reads back the same
            if c.bibtex:
                out += ["**BibTeX:**", "", "```bibtex", c.bibtex.strip(), "```", ""]
            if c.apa:
                out += ["**APA:**", "", c.apa.strip(), ""]
            continue
        authors = ", ".join(c.authors)
        year = f" ({c.year})" if c.year else ""
        link = f" <{c.uri}>" if c.uri else ""
        out.append(f"- {authors + '. ' if authors else ''}{c.title}{year}.{link}")
    out.append("")
    return out


def card_markdown(loaded: LoadedHandover) -> str:
    """The complete README.md: YAML metadata plus the model card sections."""
    h = loaded.handover
    m = h.model
    person = _people(h)
    front = yaml.safe_dump(metadata(loaded), sort_keys=False, allow_unicode=True, width=100)
    out = ["---", front.rstrip("\n"), "---", "", f"# {m.name}", "", m.summary.strip(), ""]
    out += _details(m, person)
    out += _uses(m.card)
    out += _data_and_results(loaded)
    out += _considerations(h)
    out += _inventory(h, person)
    out += _citations(m.citations)
    out += [
        "---",
        "",
        f"*Exported by handover-docs {__version__} from manifest digest `sha256:{loaded.digest}`.*",
        "",
    ]
    return "\n".join(out)
