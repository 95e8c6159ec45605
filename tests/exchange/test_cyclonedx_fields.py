"""The ML-BOM's modelCard carries the anchors' fields and stays valid under the strict
CycloneDX 1.6 and 1.7 JSON Schemas (the ones cyclonedx-python-lib ships)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.exchange.cyclonedx import bom
from tests.review.helpers import base_manifests, write_handover

BASE = "http://cyclonedx.org/schema/"


def validator(version: str) -> jsonschema.Draft7Validator:
    folder = resources.files("cyclonedx.schema._res")
    docs = {
        p.name: json.loads(p.read_text("utf-8"))
        for p in folder.iterdir()
        if p.name.endswith(".schema.json")
    }
    registry: Registry[Any] = (
        Registry()
        .with_resources(
            (BASE + name.replace(".SNAPSHOT", ""), Resource.from_contents(doc))
            for name, doc in docs.items()
        )
        .with_resources((BASE + name, Resource.from_contents(doc)) for name, doc in docs.items())
    )
    main = docs[f"bom-{version}.SNAPSHOT.schema.json"]
    return jsonschema.Draft7Validator(
        main, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def errors(document: dict[str, Any], version: str) -> list[str]:
    doc = copy.deepcopy(document)
    if version != "1.6":
        doc["$schema"] = f"{BASE}bom-{version}.schema.json"
        doc["specVersion"] = version
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(version).iter_errors(doc)
    ]


def rich_manifests() -> dict[str, dict[str, Any]]:
    data = base_manifests()
    model = data["model.yaml"]["model"]
    model.update(
        {
            "base_model": ["xgboost-baseline"],
            "languages": ["en", "pt-BR"],
            "library_name": "sklearn",
            "pipeline_tag": "tabular-classification",
            "tags": ["churn", "tabular"],
            "extensions": {"widget": [{"text": "hi"}], "co2_source": "estimate"},
        }
    )
    card = model["card"]
    card.update(
        {
            "approach": "supervised",
            "architecture_family": "gradient-boosted trees",
            "model_architecture": "HistGradientBoostingClassifier, 200 iterations",
            "inputs": [{"format": "tabular (csv)", "description": "42 account features"}],
            "outputs": [{"format": "probability"}],
            "fairness_assessments": [
                {
                    "group_at_risk": "accounts younger than 30 days",
                    "harms": "more false alarms",
                    "mitigation": "separate threshold",
                }
            ],
            "environmental_impact": {
                "hardware_type": "8 vCPU",
                "hours_used": 1.5,
                "cloud_provider": "Example Cloud",
                "compute_region": "eu-west",
                "energy_kwh": 0.9,
                "co2_emitted_kg": 0.25,
            },
        }
    )
    card["quantitative_analyses"][0]["confidence_interval"] = {"lower": 0.89, "upper": 0.93}
    card["performance_tradeoffs"] = ["Recall over precision at the deployed threshold."]
    dataset = data["artifacts.yaml"]["datasets"][0]
    dataset["custodians"] = ["carol"]
    dataset["sensitive_data"] = ["account holder name", "postcode"]
    return data


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_the_new_fields_fill_the_model_card_and_validate(tmp_path: Path, version: str) -> None:
    document = bom(manifest.load(write_handover(tmp_path / "p", rich_manifests())))
    assert errors(document, version) == []
    card = document["metadata"]["component"]["modelCard"]
    params = card["modelParameters"]
    assert params["approach"] == {"type": "supervised"}
    assert params["architectureFamily"] == "gradient-boosted trees"
    assert params["modelArchitecture"].startswith("HistGradientBoosting")
    assert params["inputs"] == [{"format": "tabular (csv) (42 account features)"}]
    assert params["outputs"] == [{"format": "probability"}]
    metric = card["quantitativeAnalysis"]["performanceMetrics"][0]
    assert metric["confidenceInterval"] == {"lowerBound": "0.89", "upperBound": "0.93"}
    considerations = card["considerations"]
    assert considerations["fairnessAssessments"] == [
        {
            "groupAtRisk": "accounts younger than 30 days",
            "harms": "more false alarms",
            "mitigationStrategy": "separate threshold",
        }
    ]
    assert considerations["performanceTradeoffs"] == [
        "Recall over precision at the deployed threshold."
    ]
    data = next(c for c in document["components"] if c["bom-ref"] == "dataset:accounts")["data"]
    assert data[0]["sensitiveData"] == ["account holder name", "postcode"]
    assert [c["contact"]["name"] for c in data[0]["governance"]["custodians"]] == [
        "Carol Governance"
    ]
    env = considerations["environmentalConsiderations"]
    use = env["energyConsumptions"][0]
    assert use["activityEnergyCost"] == {"value": 0.9, "unit": "kWh"}
    assert use["co2CostEquivalent"] == {"value": 0.00025, "unit": "tCO2eq"}
    assert {"name": "handover:compute_region", "value": "eu-west"} in env["properties"]
    props = {p["name"]: p["value"] for p in card["properties"]}
    assert props["handover:languages"] == "en, pt-BR"
    assert props["handover:library_name"] == "sklearn"
    assert json.loads(props["handover:x:widget"]) == [{"text": "hi"}]


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_the_validators_are_strict(tmp_path: Path, version: str) -> None:
    """Both schemas refuse what CycloneDX does not define, so the test above can fail."""
    document = bom(manifest.load(write_handover(tmp_path / "p", rich_manifests())))
    card = document["metadata"]["component"]["modelCard"]
    card["modelParameters"]["approach"] = {"type": "vibes"}
    card["considerations"]["environmentalConsiderations"]["energyConsumptions"][0].pop(
        "energyProviders"
    )
    found = errors(document, version)
    assert any("vibes" in e for e in found) and any("energyProviders" in e for e in found)


def test_a_card_without_the_new_fields_exports_as_before(tmp_path: Path) -> None:
    document = bom(manifest.load(write_handover(tmp_path / "p")))
    card = document["metadata"]["component"]["modelCard"]
    assert "approach" not in card["modelParameters"]
    assert "environmentalConsiderations" not in card["considerations"]
    assert errors(document, "1.6") == errors(document, "1.7") == []


def test_an_interval_with_lower_above_upper_is_refused(tmp_path: Path) -> None:
    data = rich_manifests()
    qa = data["model.yaml"]["model"]["card"]["quantitative_analyses"][0]
    qa["confidence_interval"] = {"lower": 0.95, "upper": 0.9}
    with pytest.raises(HandoverError, match=r"lower \(0.95\) is above upper \(0.9\)"):
        manifest.load(write_handover(tmp_path / "p", data))
