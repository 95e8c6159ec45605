"""The last anchors' fields (issue 17): several licenses, paper and demo links, structured
ethical considerations, compute per environment. Each is validated with its place in the
file, shown on the pages (escaped), and carried by the Hugging Face and CycloneDX exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import ModelCard

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.exchange.cyclonedx import bom
from handover_docs.exchange.hf_export import card_markdown
from handover_docs.exchange.hf_import import import_card
from handover_docs.pages import render_pages
from handover_docs.schema_types import license_problem
from tests.exchange.test_cyclonedx_fields import errors, rich_manifests
from tests.review.helpers import write_handover

HOSTILE = "<script>alert('x')</script>"


def anchor_manifests() -> dict[str, dict[str, Any]]:
    """The rich handover plus every field this file is about, some of them hostile."""
    data = rich_manifests()
    model = data["model.yaml"]["model"]
    model["licenses"] = ["Apache-2.0", "CC-BY-4.0", "LicenseRef-acme-eval"]
    model["paper"] = "https://arxiv.org/abs/2601.00001"
    model["demo"] = "https://demo.example.org/churn"
    model["extensions"]["note"] = HOSTILE
    model["citations"] = [
        {
            "title": f"Churn at scale {HOSTILE}",
            "year": 2026,
            "bibtex": "@article{churn2026,\n  title = {Churn at scale},\n  year = {2026}\n}",
            "apa": f"Research, A. (2026). Churn at scale {HOSTILE}.",
        }
    ]
    model["card"]["ethical_considerations"] = [
        {"name": "Postcode can act as a proxy for ethnicity.", "mitigation": "Postcode dropped."},
        {"name": f"Scores may be read as certainties {HOSTILE}"},
    ]
    dataset = data["artifacts.yaml"]["datasets"][0]
    dataset["licenses"] = ["CC-BY-4.0"]
    data["experiments.yaml"]["environments"][0]["impact"] = {
        "hardware_type": "8 vCPU",
        "hours_used": 1.5,
        "compute_region": "eu-west",
        "energy_kwh": 0.9,
        "co2_emitted_kg": 0.25,
    }
    data["experiments.yaml"]["environments"].append(
        {
            "id": "serving",
            "name": "Serving",
            "impact": {
                "activity": "inference",
                "hardware_type": f"2 vCPU {HOSTILE}",
                "cloud_provider": "Example Cloud",
                "energy_kwh": 12.0,
                "co2_emitted_kg": 3.5,
            },
        }
    )
    return data


def load(tmp_path: Path, data: dict[str, dict[str, Any]]) -> manifest.LoadedHandover:
    return manifest.load(write_handover(tmp_path / "p", data))


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "MIT",
        "Apache-2.0 OR MIT",
        "(MIT AND BSD-3-Clause) WITH LLVM-exception",
        "llama3.1",
        "openrail++",
        "LicenseRef-internal",
        "GPL-2.0+",
    ],
)
def test_spdx_ids_and_expressions_are_accepted(value: str) -> None:
    assert license_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("CC BY 4.0", "'BY' is out of place"),
        ("MIT OR", "incomplete"),
        ("(MIT", "incomplete"),
        ("MIT)", "')' is out of place"),
        ("AND MIT", "'AND' is out of place"),
    ],
)
def test_prose_is_not_a_license_id(value: str, problem: str) -> None:
    assert problem in (license_problem(value) or "")


def _error_lines(tmp_path: Path, data: dict[str, dict[str, Any]]) -> list[str]:
    with pytest.raises(HandoverError) as caught:
        load(tmp_path, data)
    return [str(f) for f in caught.value.findings]


def test_bad_new_fields_are_refused_with_their_place(tmp_path: Path) -> None:
    data = anchor_manifests()
    model = data["model.yaml"]["model"]
    model["licenses"] = ["MIT", "CC BY 4.0"]
    model["paper"] = "javascript:alert(1)"
    model["card"]["ethical_considerations"] = [{"mitigation": "none"}]
    data["experiments.yaml"]["environments"][0]["impact"] = {"activity": "mining", "hours_used": -1}
    found = _error_lines(tmp_path, data)
    text = "\n".join(found)
    assert "handover/model.yaml:" in text
    for expected in (
        "model.licenses[1]: 'CC BY 4.0' is not an SPDX license id or expression",
        "keep free text in 'license'",
        "model.paper: URI scheme 'javascript:' is not allowed",
        "model.card.ethical_considerations[0]: missing required key 'name'",
        "environments[0].impact.activity",
        "environments[0].impact.hours_used",
    ):
        assert expected in text, (expected, found)
    assert all(f.split(":")[1].isdigit() and f.split(":")[2].isdigit() for f in found), found


def test_ethical_considerations_must_be_text_or_a_non_empty_list(tmp_path: Path) -> None:
    data = anchor_manifests()
    data["model.yaml"]["model"]["card"]["ethical_considerations"] = []
    assert any("at least 1 item" in f for f in _error_lines(tmp_path, data))
    data["model.yaml"]["model"]["card"]["ethical_considerations"] = 7
    (only,) = _error_lines(tmp_path, data)
    assert "expected text, got the number 7" in only  # one clear message, not one per form


def test_the_existing_free_text_forms_stay_valid(tmp_path: Path) -> None:
    h = load(tmp_path, rich_manifests()).handover
    assert h.model.license == "Apache-2.0" and h.model.licenses == []
    assert isinstance(h.model.card.ethical_considerations, str)


# --- pages -----------------------------------------------------------------------------------


def test_the_pages_show_the_new_fields_escaped(tmp_path: Path) -> None:
    site = render_pages(load(tmp_path, anchor_manifests()))
    card = site.pages["handover/model-card.md"]
    for text in (
        "| Licenses (SPDX) | `Apache-2.0`, `CC-BY-4.0`, `LicenseRef-acme-eval` |",
        "| Paper | [https://arxiv.org/abs/2601.00001](https://arxiv.org/abs/2601.00001) |",
        "| Demo | [https://demo.example.org/churn]",
        "| Consideration | Mitigation |",
        "| Postcode can act as a proxy for ethnicity. | Postcode dropped. |",
        "```bibtex\n@article{churn2026,",
        "APA (Churn at scale",
        "**Other metadata**",
        '| `co2_source` | `"estimate"` |',
        "Per environment (the figures each environment records):",
        "| 0.9 kWh | 0.25 kg CO2eq |",
        "| inference | 2 vCPU",
        "| 12 kWh | 3.5 kg CO2eq |",
    ):
        assert text in card, text
    assert "<script>" not in card.replace("```bibtex", "")
    overview = site.pages["handover/index.md"]
    assert "| License | `Apache-2.0`, `CC-BY-4.0`, `LicenseRef-acme-eval`" in overview
    datasheet = site.pages["handover/datasets/accounts.md"]
    for text in (
        "| Custodians | [Carol Governance]",
        "| Sensitive data | account holder name, postcode |",
        "| Licenses (SPDX) | `CC-BY-4.0` |",
    ):
        assert text in datasheet, text
    environments = site.pages["handover/environments.md"]
    assert "| Compute (training) | 8 vCPU · 1.5 h · eu-west |" in environments
    assert "| Energy and carbon | 12 kWh · 3.5 kg CO2eq |" in environments
    assert "<script>" not in environments


# --- Hugging Face ----------------------------------------------------------------------------


def test_the_hf_card_carries_licenses_sources_ethics_and_training_compute(
    tmp_path: Path,
) -> None:
    data = anchor_manifests()
    text = card_markdown(load(tmp_path, data))
    meta = ModelCard(text).data.to_dict()
    assert meta["license"] == ["apache-2.0", "cc-by-4.0", "other"]
    assert meta["license_name"] == "licenseref-acme-eval"
    assert "### Model Sources\n\n- **Paper:** <https://arxiv.org/abs/2601.00001>" in text
    assert "- Postcode can act as a proxy for ethnicity. **Mitigation:** Postcode dropped." in text
    # the card states its training compute: the environments' figures do not replace it
    assert "- **Hardware Type:** 8 vCPU" in text and "12 kWh" not in text
    del data["model.yaml"]["model"]["card"]["environmental_impact"]
    text = card_markdown(load(tmp_path / "without", data))
    assert "- **Energy:** 0.9 kWh" in text  # from the training environment
    assert "12 kWh" not in text  # inference is not training


def test_licenses_and_sources_survive_the_hf_round_trip(tmp_path: Path) -> None:
    data = anchor_manifests()
    data["model.yaml"]["model"]["licenses"] = ["apache-2.0", "mit"]
    first = load(tmp_path, data)
    readme = tmp_path / "README.md"
    readme.write_text(card_markdown(first), "utf-8")
    import_card(readme, tmp_path / "imported")
    again = manifest.load(tmp_path / "imported").handover.model
    assert again.licenses == ["apache-2.0", "mit"]
    assert (again.paper, again.demo) == (first.handover.model.paper, first.handover.model.demo)
    assert again.repository == first.handover.model.repository
    readme2 = tmp_path / "README2.md"
    readme2.write_text(card_markdown(manifest.load(tmp_path / "imported")), "utf-8")
    assert ModelCard(readme2.read_text("utf-8")).data.to_dict()["license"] == ["apache-2.0", "mit"]


def test_a_hub_template_card_gives_its_paper_demo_and_license_list(tmp_path: Path) -> None:
    card = ModelCard.from_template(
        card_data=__import__("huggingface_hub").ModelCardData(
            license=["apache-2.0", "other"], license_name="acme-eval-1.0", language="en"
        ),
        model_id="acme/churn",
        repo="https://github.com/acme/churn",
        paper="https://arxiv.org/abs/2601.00001",
        demo="[More Information Needed]",
    )
    readme = tmp_path / "README.md"
    readme.write_text(str(card), "utf-8")
    import_card(readme, tmp_path / "h")
    model = yaml.safe_load((tmp_path / "h" / "handover" / "model.yaml").read_text("utf-8"))
    assert model["model"]["licenses"] == ["apache-2.0", "acme-eval-1.0"]
    assert model["model"]["paper"] == "https://arxiv.org/abs/2601.00001"
    assert model["model"]["repository"] == "https://github.com/acme/churn"
    assert "demo" not in model["model"]  # a placeholder is never content
    exported = ModelCard(card_markdown(manifest.load(tmp_path / "h"))).data.to_dict()
    assert exported["license"] == ["apache-2.0", "other"]
    assert exported["license_name"] == "acme-eval-1.0"


def test_a_license_list_that_is_not_ids_is_kept_as_is(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: [mit, 'see the file']\n---\n# M\n", "utf-8")
    import_card(readme, tmp_path / "h")
    loaded = manifest.load(tmp_path / "h")
    assert loaded.handover.model.extensions["license"] == ["mit", "see the file"]
    assert ModelCard(card_markdown(loaded)).data.to_dict()["license"] == ["mit", "see the file"]


# --- CycloneDX -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_cyclonedx_carries_them_and_stays_valid(tmp_path: Path, version: str) -> None:
    document = bom(load(tmp_path, anchor_manifests()))
    assert errors(document, version) == []
    model = document["metadata"]["component"]
    assert model["licenses"] == [
        {"license": {"id": "Apache-2.0"}},
        {"license": {"id": "CC-BY-4.0"}},
        {"license": {"name": "LicenseRef-acme-eval"}},
    ]
    assert {
        "type": "documentation",
        "url": "https://arxiv.org/abs/2601.00001",
        "comment": "paper",
    } in model["externalReferences"]
    considerations = model["modelCard"]["considerations"]
    assert considerations["ethicalConsiderations"][:2] == [
        {
            "name": "Postcode can act as a proxy for ethnicity.",
            "mitigationStrategy": "Postcode dropped.",
        },
        {"name": f"Scores may be read as certainties {HOSTILE}"},
    ]
    uses = considerations["environmentalConsiderations"]["energyConsumptions"]
    # the card's training figures, then the serving environment's inference (the training
    # environment's own figures are the card's: not counted twice)
    assert [(u["activity"], u["activityEnergyCost"]["value"]) for u in uses] == [
        ("training", 0.9),
        ("inference", 12.0),
    ]
    assert uses[1]["co2CostEquivalent"] == {"value": 0.0035, "unit": "tCO2eq"}
    dataset = next(c for c in document["components"] if c["bom-ref"] == "dataset:accounts")
    assert dataset["licenses"] == [{"license": {"id": "CC-BY-4.0"}}]


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_one_spdx_expression_is_a_cyclonedx_expression(tmp_path: Path, version: str) -> None:
    data = anchor_manifests()
    data["model.yaml"]["model"]["licenses"] = ["Apache-2.0 OR MIT"]
    document = bom(load(tmp_path, data))
    assert document["metadata"]["component"]["licenses"] == [{"expression": "Apache-2.0 OR MIT"}]
    assert errors(document, version) == []


def test_the_common_spdx_ids_are_on_the_cyclonedx_list() -> None:
    """An id outside the SPDX list makes the strict schema refuse the BOM: every id the
    export writes as ``id`` must be on it."""
    from importlib import resources

    from handover_docs.exchange.spdx import COMMON_SPDX

    folder = resources.files("cyclonedx.schema._res")
    listed = set(json.loads((folder / "spdx.SNAPSHOT.schema.json").read_text("utf-8"))["enum"])
    assert [i for i in COMMON_SPDX if i not in listed] == []


# --- audit -----------------------------------------------------------------------------------


def test_the_audit_asks_for_a_license_and_for_mitigations(tmp_path: Path) -> None:
    from handover_docs.review.audit import audit

    data = anchor_manifests()
    card = data["model.yaml"]["model"]["card"]
    card["ethical_considerations"][0]["name"] = "TODO describe the proxy risk"
    card["fairness_assessments"][0]["mitigation"] = ""
    report = audit(load(tmp_path, data))
    gaps = [(g.kind, g.finding.message, str(g.finding.location)) for g in report.gaps]
    risk = "ethical consideration 'Scores may be read as certainties"
    assert any(k == "no-mitigation" and m.startswith(risk) for k, m, _ in gaps), gaps
    fairness = [g for g in gaps if "fairness assessment" in g[1]]
    assert fairness and fairness[0][0] == "no-mitigation"
    assert any(k == "placeholder" and "ethical_considerations[0].name" in m for k, m, _ in gaps), (
        gaps
    )
    assert all("handover/model.yaml:" in where for k, _, where in gaps if k == "no-mitigation")
    assert not any(k == "no-license" for k, _, _ in gaps)
    model = data["model.yaml"]["model"]
    del model["license"], model["licenses"]
    report = audit(load(tmp_path / "unlicensed", data))
    assert [g.finding.message for g in report.gaps if g.kind == "no-license"] == [
        "the model states no license"
    ]
