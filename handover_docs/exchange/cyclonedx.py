"""``handover export --format cyclonedx``: a CycloneDX 1.6 ML-BOM (JSON).

The model is ``metadata.component`` (type ``machine-learning-model``) with a
``modelCard``: approach, task, architecture family and model, datasets (by reference),
inputs and outputs, performance metrics with confidence intervals, users, use cases,
limitations, ethical, fairness and environmental considerations; the model's other
fields (base model, languages, library, Hub tags, the extension bag) are properties.
Every artifact is a component with its
SHA-256 hash, version, location and handover properties (kind, owner, sensitivity);
every dataset is a ``data`` component with classification and governance owners.
``dependencies`` carry the lineage (``derived_from``). The serial number is derived
from the manifest digest and the timestamp honours SOURCE_DATE_EPOCH, so the same
handover exports byte-identical JSON. Built as plain dicts: the BOM is small and the
tests validate it against the official CycloneDX 1.6 JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Mapping
from typing import Any

from handover_docs import __version__, schema
from handover_docs.evaluation.recompute import Reported, recomputed_values
from handover_docs.exchange.spdx import cyclonedx_licenses
from handover_docs.manifest import LoadedHandover

SPEC_VERSION = "1.6"
_NAMESPACE = uuid.UUID("5b8f3c2e-4a1d-4e8b-9f0a-6c7d2e1b3a49")
_DATA_KINDS = {"dataset": "dataset", "config": "configuration", "code": "source-code"}


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (
        dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        if epoch.isdigit()
        else dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    )
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _props(pairs: Mapping[str, object]) -> list[dict[str, str]]:
    return [
        {"name": f"handover:{k}", "value": str(v)} for k, v in pairs.items() if v not in (None, "")
    ]


def _contact(h: schema.Handover, pid: str) -> dict[str, str]:
    person = next((p for p in h.people if p.id == pid), None)
    if person is None:
        return {"name": pid}
    contact = {"name": person.name}
    if person.email:
        contact["email"] = person.email
    return contact


def _artifact(h: schema.Handover, a: schema.Artifact) -> dict[str, Any]:
    component: dict[str, Any] = {
        "type": "machine-learning-model" if a.kind == "weights" else "file",
        "bom-ref": f"artifact:{a.id}",
        "name": a.name,
    }
    if a.version:
        component["version"] = a.version
    if a.description:
        component["description"] = a.description
    if a.sha256:
        component["hashes"] = [{"alg": "SHA-256", "content": a.sha256}]
    if a.uri:
        component["externalReferences"] = [{"type": "distribution", "url": a.uri}]
    props = {"id": a.id, "kind": a.kind, "path": a.path, "format": a.format, "size": a.size}
    props.update({"owner": a.owner, "sensitivity": a.sensitivity, "produced_by": a.produced_by})
    component["properties"] = _props(props)
    return component


def _dataset(h: schema.Handover, d: schema.Dataset) -> dict[str, Any]:
    artifact = next((a for a in h.artifacts if a.id == d.artifact), None)
    data: dict[str, Any] = {"type": "dataset", "name": d.name}
    if d.description:
        data["description"] = d.description
    if d.sensitivity:
        data["classification"] = d.sensitivity
    if artifact is not None and artifact.uri:
        data["contents"] = {"url": artifact.uri}
    if d.sensitive_data:
        data["sensitiveData"] = list(d.sensitive_data)
    governance: dict[str, Any] = {}
    if d.owner:
        governance["owners"] = [{"contact": _contact(h, d.owner)}]
    if d.custodians:
        governance["custodians"] = [{"contact": _contact(h, c)} for c in d.custodians]
    if governance:
        data["governance"] = governance
    component: dict[str, Any] = {
        "type": "data",
        "bom-ref": f"dataset:{d.id}",
        "name": d.name,
        "data": [data],
    }
    if d.version:
        component["version"] = d.version
    if artifact is not None and artifact.sha256:
        component["hashes"] = [{"alg": "SHA-256", "content": artifact.sha256}]
    if licenses := cyclonedx_licenses(d.licenses, d.license):
        component["licenses"] = licenses
    component["properties"] = _props(
        {"id": d.id, "source": d.source, "rows": d.rows, "artifact": d.artifact}
    )
    return component


def _interval(rep: Reported | None) -> dict[str, Any]:
    """The recomputed value and its bootstrap interval (recompute-metrics), when there is one."""
    if rep is None or rep.estimate is None:
        return {}
    out: dict[str, Any] = {"value": f"{rep.estimate.value:.6g}"}
    if rep.estimate.ci is not None:
        low, high = rep.estimate.ci
        out["confidenceInterval"] = {"lowerBound": f"{low:.6g}", "upperBound": f"{high:.6g}"}
    return out


def _declared_interval(qa: schema.QuantitativeAnalysis) -> dict[str, Any]:
    """The interval the card states (a recomputed one, when there is one, replaces it)."""
    ci = qa.confidence_interval
    if ci is None:
        return {}
    return {
        "confidenceInterval": {"lowerBound": f"{ci.lower:.6g}", "upperBound": f"{ci.upper:.6g}"}
    }


def _parameters(h: schema.Handover) -> dict[str, Any]:
    """``modelParameters``: approach, task, architecture, datasets, inputs and outputs."""
    m, card = h.model, h.model.card
    params: dict[str, Any] = {}
    if card.approach:
        params["approach"] = {"type": card.approach}
    if m.task:
        params["task"] = m.task
    if card.architecture_family:
        params["architectureFamily"] = card.architecture_family
    if card.model_architecture:
        params["modelArchitecture"] = card.model_architecture
    params["datasets"] = [{"ref": f"dataset:{d.id}"} for d in h.datasets]
    for key, formats in (("inputs", card.inputs), ("outputs", card.outputs)):
        if formats:
            params[key] = [
                {"format": f.format + (f" ({f.description})" if f.description else "")}
                for f in formats
            ]
    return params


def _fairness(f: schema.FairnessAssessment) -> dict[str, str]:
    out = {"groupAtRisk": f.group_at_risk}
    for key, value in (
        ("benefits", f.benefits),
        ("harms", f.harms),
        ("mitigationStrategy", f.mitigation),
    ):
        if value:
            out[key] = value
    return out


def _consumption(e: schema.EnvironmentalImpact, activity: str) -> dict[str, Any] | None:
    """One ``energyConsumptions`` entry (CycloneDX needs the energy; without it, None)."""
    if e.energy_kwh is None:
        return None
    energy = {"value": e.energy_kwh, "unit": "kWh"}
    consumption: dict[str, Any] = {
        "activity": activity,
        "energyProviders": [
            {
                "organization": {"name": e.cloud_provider or "unknown"},
                "energySource": "unknown",
                "energyProvided": energy,
            }
        ],
        "activityEnergyCost": energy,
    }
    if e.co2_emitted_kg is not None:
        consumption["co2CostEquivalent"] = {"value": e.co2_emitted_kg / 1000, "unit": "tCO2eq"}
    return consumption


def _impact_props(
    e: schema.EnvironmentalImpact, prefix: str, activity: str
) -> list[dict[str, str]]:
    fields = ("hardware_type", "hours_used", "cloud_provider", "compute_region")
    pairs: dict[str, object] = {prefix + "activity": activity} if prefix else {}
    pairs.update({prefix + k: getattr(e, k) for k in (*fields, "energy_kwh", "co2_emitted_kg")})
    return _props(pairs)


def _environment(h: schema.Handover) -> dict[str, Any]:
    """``environmentalConsiderations``: the card's training figures, then each
    environment's for the activities the card does not state (all of them when the card
    states none), as ``energyConsumptions`` where the energy is known; hardware, hours
    and region as properties, since CycloneDX has no field for them."""
    card_impact = h.model.card.environmental_impact
    entries: list[tuple[schema.EnvironmentalImpact, str, str]] = []
    if card_impact is not None:
        entries.append((card_impact, "training", ""))
    for env in h.environments:
        e = env.impact
        if e is not None and not (card_impact is not None and e.activity == "training"):
            entries.append((e, e.activity, f"environment:{env.id}:"))
    out: dict[str, Any] = {}
    consumptions = [c for e, act, _ in entries if (c := _consumption(e, act)) is not None]
    if consumptions:
        out["energyConsumptions"] = consumptions
    props = [p for e, act, prefix in entries for p in _impact_props(e, prefix, act)]
    if props:
        out["properties"] = props
    return out


def _ethics(h: schema.Handover) -> list[dict[str, str]]:
    """``ethicalConsiderations``: the card's (text, or each risk with its mitigation), then
    the governance risks with theirs."""
    stated = h.model.card.ethical_considerations
    if isinstance(stated, str):
        out = [{"name": stated}]
    else:
        out = [
            {"name": e.name, **({"mitigationStrategy": e.mitigation} if e.mitigation else {})}
            for e in stated
        ]
    out += [{"name": r.description, "mitigationStrategy": r.mitigation} for r in h.governance.risks]
    return out


def _references(m: schema.ModelInfo) -> list[dict[str, str]]:
    refs = [{"type": "vcs", "url": m.repository}] if m.repository else []
    if m.paper:
        refs.append({"type": "documentation", "url": m.paper, "comment": "paper"})
    if m.demo:
        refs.append({"type": "website", "url": m.demo, "comment": "demo"})
    return refs


def _model(loaded: LoadedHandover) -> dict[str, Any]:
    h = loaded.handover
    m, card = h.model, h.model.card
    ref = f"model:{m.id}"
    considerations: dict[str, Any] = {
        "users": card.intended_use.primary_users or [],
        "useCases": card.intended_use.primary_uses,
        "technicalLimitations": [
            card.caveats_and_recommendations,
            *card.intended_use.out_of_scope,
        ],
        "ethicalConsiderations": _ethics(h),
    }
    if card.performance_tradeoffs:
        considerations["performanceTradeoffs"] = list(card.performance_tradeoffs)
    if card.fairness_assessments:
        considerations["fairnessAssessments"] = [_fairness(f) for f in card.fairness_assessments]
    if environmental := _environment(h):
        considerations["environmentalConsiderations"] = environmental
    model_card: dict[str, Any] = {
        "bom-ref": f"{ref}:card",
        "modelParameters": _parameters(h),
        "considerations": considerations,
        "properties": _props(
            {
                "details": card.details,
                "training_data": card.training_data,
                "evaluation_data": card.evaluation_data,
                "metrics": "; ".join(card.metrics),
                "factors": "; ".join(card.factors),
                "downstream_use": card.downstream_use,
                "get_started": card.get_started,
                "training_procedure": card.training_procedure,
                "base_model": ", ".join(m.base_model),
                "languages": ", ".join(m.languages),
                "library_name": m.library_name,
                "pipeline_tag": m.pipeline_tag,
                "tags": ", ".join(m.tags),
            }
        )
        + [
            {"name": f"handover:x:{k}", "value": json.dumps(v, ensure_ascii=False)}
            for k, v in sorted(m.extensions.items())
        ],
    }
    if card.quantitative_analyses:
        recomputed = recomputed_values(loaded)
        model_card["quantitativeAnalysis"] = {
            "performanceMetrics": [
                {
                    "type": qa.metric,
                    "value": f"{qa.value:g}",
                    "slice": qa.slice + (f" ({qa.dataset})" if qa.dataset else ""),
                    **_declared_interval(qa),
                    **_interval(recomputed.get(index)),
                }
                for index, qa in enumerate(card.quantitative_analyses)
            ]
        }
    component: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": ref,
        "name": m.name,
        "version": m.version,
        "description": m.summary,
        "authors": [_contact(h, o) for o in m.owners],
        "modelCard": model_card,
        "properties": _props(
            {"id": m.id, "status": m.status, "manifest_digest": f"sha256:{loaded.digest}"}
        ),
    }
    if not component["authors"]:
        del component["authors"]
    if licenses := cyclonedx_licenses(m.licenses, m.license):
        component["licenses"] = licenses
    if references := _references(m):
        component["externalReferences"] = references
    return component


def bom(loaded: LoadedHandover) -> dict[str, Any]:
    """The ML-BOM as a JSON-ready dict."""
    h = loaded.handover
    model = _model(loaded)
    components = [_artifact(h, a) for a in h.artifacts] + [_dataset(h, d) for d in h.datasets]
    dependencies: list[dict[str, Any]] = [
        {
            "ref": model["bom-ref"],
            "dependsOn": [c["bom-ref"] for c in components],
        }
    ]
    for a in h.artifacts:
        inputs = [
            f"{'artifact' if any(x.id == i for x in h.artifacts) else 'dataset'}:{i}"
            for i in a.derived_from
        ]
        dependencies.append({"ref": f"artifact:{a.id}", "dependsOn": inputs})
    for d in h.datasets:
        dependencies.append(
            {"ref": f"dataset:{d.id}", "dependsOn": [f"dataset:{i}" for i in d.derived_from]}
        )
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": uuid.uuid5(_NAMESPACE, loaded.digest).urn,
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(),
            "tools": {
                "components": [
                    {"type": "application", "name": "handover-docs", "version": __version__}
                ]
            },
            "component": model,
        },
        "components": components,
        "dependencies": dependencies,
    }


def bom_json(loaded: LoadedHandover) -> str:
    return json.dumps(bom(loaded), indent=2, ensure_ascii=False) + "\n"
