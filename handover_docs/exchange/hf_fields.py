"""The mapping between a Hugging Face card's metadata and the manifest's fields, both ways.

One place for it, so import and export cannot drift apart: every metadata key the Hub
defines has a field (``language`` -> ``model.languages``, ``model-index`` results ->
quantitative analyses with their task, dataset split/revision, verified and source), and
every other key goes to ``model.extensions`` and is written back as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from handover_docs.schema_types import Uri, license_problem

_LINK: TypeAdapter[str] = TypeAdapter(Uri)

MAPPED_KEYS = frozenset(
    [
        "language",
        "license",
        "license_name",
        "library_name",
        "pipeline_tag",
        "base_model",
        "datasets",
        "tags",
        "metrics",
        "model-index",
        "model_name",
    ]
)
"""Metadata keys that have their own fields; all others are kept in ``model.extensions``."""

LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
PLACEHOLDER = re.compile(r"\[more information needed\]|\{\{[^{}]*\}\}", re.I)
"""The Hub template's placeholder, and a template variable left unrendered."""
BOILERPLATE = frozenset(
    [
        "Use the code below to get started with the model.",
        "Carbon emissions can be estimated using the [Machine Learning Impact calculator]"
        "(https://mlco2.github.io/impact#compute) presented in [Lacoste et al. (2019)]"
        "(https://arxiv.org/abs/1910.09700).",
    ]
)
"""Sentences the Hub template writes around a placeholder: no content by themselves."""
HUB_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def json_safe(value: Any) -> Any:
    """VALUE as JSON data: YAML dates become ISO text, other odd scalars their text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _texts(value: Any) -> list[str] | None:
    """A string or a list of non-empty strings, as a list; None when it is something else."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        return None
    return [v.strip() for v in items]


def licenses(meta: dict[str, Any]) -> list[str] | None:
    """A ``license`` list as ``model.licenses`` (``other`` named by ``license_name``); None
    when the card gives one license or something that is not a list of license ids."""
    value = meta.get("license")
    texts = _texts(value) if isinstance(value, list) else None
    if not texts:
        return None
    name = meta.get("license_name")
    out = [
        name.strip() if t == "other" and isinstance(name, str) and name.strip() else t
        for t in texts
    ]
    return out if all(license_problem(t) is None for t in out) else None


def model_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The ``model`` fields from a card's metadata, ``extensions`` holding the rest."""
    fields: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    if "license" in meta and isinstance(meta["license"], list):
        several = licenses(meta)
        if several is None:
            extensions["license"] = json_safe(meta["license"])
        else:
            fields["licenses"] = several
    for key in ("library_name", "pipeline_tag"):
        if key in meta:
            if isinstance(meta[key], str) and meta[key].strip():
                fields[key] = meta[key].strip()
            else:
                extensions[key] = json_safe(meta[key])
    for key, name in (("base_model", "base_model"), ("tags", "tags")):
        if key in meta:
            texts = _texts(meta[key])
            if texts is None:
                extensions[key] = json_safe(meta[key])
            else:
                fields[name] = texts
    if "language" in meta:
        texts = _texts(meta["language"])
        if texts is not None and all(LANGUAGE.fullmatch(t) for t in texts):
            fields["languages"] = texts
        else:
            extensions["language"] = json_safe(meta["language"])
    for key, value in meta.items():
        if key not in MAPPED_KEYS:
            extensions[str(key)] = json_safe(value)
    if extensions:
        fields["extensions"] = extensions
    return fields


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _str(value: Any) -> str:
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


def analyses(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """``model-index`` results as quantitative analyses, one per metric, provenance kept.

    ``metric`` is the Hub metric type (``accuracy``), ``metric_name`` its display name;
    malformed parts (a value that is not a finite number, a result that is not a mapping)
    are skipped."""
    out: list[dict[str, Any]] = []
    for entry in _dicts(meta.get("model-index")):
        for result in _dicts(entry.get("results")):
            task, dataset, source = (_mapping(result.get(k)) for k in ("task", "dataset", "source"))
            eval_dataset = {
                k: _str(dataset.get(k))
                for k in ("type", "name", "config", "split", "revision")
                if _str(dataset.get(k))
            }
            if isinstance(dataset.get("args"), dict):
                eval_dataset["args"] = json_safe(dataset["args"])
            for metric in _dicts(result.get("metrics")):
                value = _number(metric.get("value"))
                kind = _str(metric.get("type")) or _str(metric.get("name"))
                if value is None or not kind:
                    continue
                qa: dict[str, Any] = {
                    "metric": kind,
                    "value": value,
                    "slice": eval_dataset.get("split", "overall"),
                }
                optional = {
                    "metric_name": _str(metric.get("name")),
                    "metric_config": _str(metric.get("config")),
                    "task": _str(task.get("type")),
                    "task_name": _str(task.get("name")),
                }
                qa.update({k: v for k, v in optional.items() if v})
                if isinstance(metric.get("args"), dict):
                    qa["metric_args"] = json_safe(metric["args"])
                if eval_dataset:
                    qa["eval_dataset"] = eval_dataset
                if isinstance(metric.get("verified"), bool):
                    qa["verified"] = metric["verified"]
                src = {k: _str(source.get(k)) for k in ("name", "url") if _str(source.get(k))}
                if src.get("url") and not re.match(r"https?://", src["url"]):
                    src.pop("url")
                if src:
                    qa["source"] = src
                out.append(qa)
    return out


def _result_key(qa: Any) -> str:
    """What makes two analyses part of the same ``model-index`` result."""
    ds = qa.eval_dataset.model_dump(exclude_defaults=True) if qa.eval_dataset else {}
    src = qa.source.model_dump(mode="json", exclude_defaults=True) if qa.source else {}
    return json.dumps([qa.task, qa.task_name, ds, src], sort_keys=True)


def model_index_results(
    hub: Iterable[tuple[Any, float]],
) -> list[dict[str, Any]]:
    """Results for analyses that came from a Hub card (``eval_dataset`` or ``task`` set):
    consecutive analyses of the same task, dataset and source form one result."""
    results: list[dict[str, Any]] = []
    last = None
    for qa, value in hub:
        key = _result_key(qa)
        if key != last:
            task = {"type": qa.task or "other"}
            if qa.task_name:
                task["name"] = qa.task_name
            result: dict[str, Any] = {"task": task}
            if qa.eval_dataset is not None:
                result["dataset"] = qa.eval_dataset.model_dump(exclude_defaults=True)
            result["metrics"] = []
            if qa.source is not None:
                result["source"] = qa.source.model_dump(mode="json", exclude_defaults=True)
            results.append(result)
            last = key
        metric: dict[str, Any] = {"type": qa.metric, "value": value}
        if qa.metric_name:
            metric["name"] = qa.metric_name
        if qa.metric_config:
            metric["config"] = qa.metric_config
        if qa.metric_args:
            metric["args"] = qa.metric_args
        if qa.verified is not None:
            metric["verified"] = qa.verified
        results[-1]["metrics"].append(metric)
    return results


def one_or_many(items: list[str]) -> str | list[str]:
    """The Hub writes a single language or base model as a string."""
    return items[0] if len(items) == 1 else list(items)


def hub_ids(items: list[str]) -> bool:
    """Whether every entry looks like a Hub metric id (``accuracy``, ``f1``)."""
    return bool(items) and all(HUB_ID.fullmatch(i) for i in items)


def strip_placeholders(text: str) -> str:
    """TEXT without the template's placeholder lines (``- **Paper:** [More Information
    Needed]``, a lone ``[More Information Needed]``) and without headings left empty."""
    kept: list[str] = []
    for line in text.splitlines():
        if PLACEHOLDER.search(line):
            rest = PLACEHOLDER.sub("", line)
            rest = re.sub(r"^\s*(?:[-*+]\s*)?(?:\*\*[^*]*\*\*)?\s*:?\s*$", "", rest)
            if not rest.strip():
                continue
            line = PLACEHOLDER.sub("TODO", line)
        kept.append(line)
    # Drop headings whose section is now empty (walking back: a heading is kept when text
    # follows it before the next heading of its level or above).
    out: list[str] = []
    filled: dict[int, bool] = {}  # heading depth -> text seen below it so far
    for line in reversed(kept):
        heading = re.match(r"^(#{1,6})\s", line)
        if heading is None:
            if line.strip():
                filled = {d: True for d in range(1, 7)}
            out.append(line)
            continue
        depth = len(heading.group(1))
        if filled.get(depth):
            out.append(line)
        for d in range(depth, 7):
            filled[d] = False
        # text below a deeper heading also fills the shallower ones above it
        filled.update({d: filled.get(d, False) for d in range(1, depth)})
    out.reverse()
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    if all(line.strip() in BOILERPLATE for line in text.splitlines() if line.strip()):
        return ""  # only the template's own lead-in sentences are left
    return text


_FACTS = {
    "hardware type": "hardware_type",
    "hours used": "hours_used",
    "cloud provider": "cloud_provider",
    "compute region": "compute_region",
    "carbon emitted": "co2_emitted_kg",
    "energy": "energy_kwh",
}


def environmental_impact(text: str) -> dict[str, Any]:
    """The template's environmental impact facts (``- **Hardware Type:** 1x A10G``)."""
    found: dict[str, Any] = {}
    for match in re.finditer(r"^\s*[-*]\s*\*\*([^*:]+):?\*\*:?\s*(.+?)\s*$", text, re.M):
        key = _FACTS.get(match.group(1).strip().lower())
        value = re.sub(r"<!--.*?-->", "", match.group(2)).strip()
        if key is None or not value or PLACEHOLDER.search(value):
            continue
        if key in ("hours_used", "energy_kwh"):
            number = _number(re.sub(r"[^\d.]", "", value) or "x")
            if number is not None:
                found[key] = number
        elif key == "co2_emitted_kg":
            unit = re.fullmatch(r"([\d.]+)\s*(kg|g|t|tonnes?|grams?)?\b.*", value, re.I)
            number = _number(unit.group(1)) if unit else None
            if unit and number is not None:
                scale = {"g": 0.001, "gram": 0.001, "grams": 0.001, "t": 1000.0}
                factor = scale.get((unit.group(2) or "kg").lower(), 1.0)
                if (unit.group(2) or "").lower().startswith("tonne"):
                    factor = 1000.0
                found[key] = round(number * factor, 9)
        else:
            found[key] = value
    return found


_SOURCE = re.compile(
    r"^\s*[-*]\s*\*\*(repository|paper|demo)(?:\s*\[optional\])?:?\*\*:?\s*<?(https?://[^\s<>]+)>?\s*$",
    re.I | re.M,
)


def model_sources(text: str) -> dict[str, str]:
    """The template's Model Sources facts (``- **Paper [optional]:** https://...``) as
    ``repository``, ``paper`` and ``demo``; placeholders and non-http values are left out."""
    found: dict[str, str] = {}
    for match in _SOURCE.finditer(text):
        try:
            found[match.group(1).lower()] = _LINK.validate_python(match.group(2))
        except ValidationError:
            continue  # not a link the schema takes (no host, a hidden control character)
    return found


def citation(text: str, fallback_title: str) -> dict[str, Any] | None:
    """A citation from the template's section: its BibTeX verbatim, its APA line."""
    text = strip_placeholders(text)
    if not text:
        return None
    bib = re.search(r"(@\w+\s*\{.*?\n\})", text, re.S)
    apa = re.search(r"\*\*APA:\*\*\s*\n+\s*(.+?)(?:\n\s*\n|$)", text, re.S)
    source = bib.group(1) if bib else text
    title = re.search(r"title\s*=\s*[{\"](.+?)[}\"]\s*,?\s*$", source, re.M | re.I)
    year = re.search(r"year\s*=\s*[{\"]?(\d{4})", source, re.I)
    cite: dict[str, Any] = {"title": title.group(1) if title else fallback_title}
    if year:
        cite["year"] = int(year.group(1))
    if bib:
        cite["bibtex"] = bib.group(1).strip()
    if apa and not apa.group(1).startswith("```"):
        cite["apa"] = " ".join(apa.group(1).split())
    return cite
