"""Cards written from the Hub's own template survive ``handover import --format hf`` then
``handover export --format hf``: the metadata ``huggingface_hub.ModelCard`` reads is the
same before and after, and the template's placeholders become TODO findings, not content.

The fixtures were written with ``huggingface_hub.ModelCard.from_template`` (its bundled
``modelcard_template.md``): a filled card, a sparse one left mostly as placeholders, and
one with an ``other`` license and a one-item ``base_model`` list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import ModelCard

from handover_docs import manifest
from handover_docs.exchange.hf_export import card_markdown
from handover_docs.review.audit import audit
from tests.review.helpers import TODAY, cli

FIXTURES = Path(__file__).parent / "fixtures"
CARDS = sorted(FIXTURES.glob("hf_template_*.md"))


def _normal(meta: dict[str, Any]) -> dict[str, Any]:
    """The Hub treats ``x`` and ``[x]`` alike for these keys; we write one item as ``x``."""
    out = dict(meta)
    for key in ("base_model", "language"):
        if isinstance(out.get(key), str):
            out[key] = [out[key]]
    return out


def _import(card: Path, target: Path) -> manifest.LoadedHandover:
    done = cli(["import", "--format", "hf", str(card), "--out", str(target)])
    assert done.returncode == 0, done.stderr
    return manifest.load(target)


def test_the_fixtures_are_template_cards() -> None:
    assert len(CARDS) == 3
    for card in CARDS:
        text = card.read_text("utf-8")
        assert "<!-- Provide a quick summary of what the model is/does. -->" in text
        assert ModelCard(text).data.to_dict()  # real Hub metadata


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.stem)
def test_metadata_survives_import_then_export(tmp_path: Path, card: Path) -> None:
    before = ModelCard(card.read_text("utf-8")).data
    loaded = _import(card, tmp_path / "h")
    exported = card_markdown(loaded)
    after = ModelCard(exported).data
    assert _normal(after.to_dict()) == _normal(before.to_dict())
    assert after.eval_results == before.eval_results  # every result, field by field
    assert "[More Information Needed]" not in exported


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.stem)
def test_a_second_round_trip_changes_nothing(tmp_path: Path, card: Path) -> None:
    first = _import(card, tmp_path / "a")
    readme = tmp_path / "README.md"
    readme.write_text(card_markdown(first), "utf-8")
    second = _import(readme, tmp_path / "b")
    assert second.handover.model.model_dump() == first.handover.model.model_dump()
    assert [a.uri for a in second.handover.artifacts] == [a.uri for a in first.handover.artifacts]


def test_every_key_and_section_lands_in_its_field(tmp_path: Path) -> None:
    m = _import(FIXTURES / "hf_template_ticket_router.md", tmp_path / "h").handover.model
    assert m.languages == ["en", "de"]
    assert (m.library_name, m.pipeline_tag) == ("transformers", "text-classification")
    assert m.base_model == ["distilbert/distilbert-base-multilingual-cased"]
    assert m.tags == ["support", "routing"]
    assert m.extensions["widget"] == [{"text": "My invoice is wrong"}]
    assert m.extensions["co2_eq_emissions"]["emissions"] == 1200  # type: ignore[index]
    card = m.card
    assert card.metrics == ["accuracy", "f1"]
    first, second, third = card.quantitative_analyses
    assert (first.metric, first.metric_name, first.value, first.slice) == (
        "accuracy",
        "Accuracy",
        0.912,
        "test",
    )
    assert first.eval_dataset is not None and first.eval_dataset.revision == "3f2a9c1"
    assert first.eval_dataset.split == "test" and first.eval_dataset.config == "default"
    assert first.verified is True and first.source is not None
    assert first.source.name == "Acme eval board" and first.task_name == "Text Classification"
    assert (second.metric_config, second.metric_args) == ("macro", {"average": "macro"})
    assert third.eval_dataset is not None and third.eval_dataset.type == "imdb"
    assert third.verified is None and third.source is None
    # The description's list stays a list; a lead-in sentence and bullets stay items.
    assert "It reads:\n\n- the ticket subject,\n- the first message," in card.details
    assert card.intended_use.primary_uses == [
        "Assign incoming tickets to a queue.",
        "Suggest a queue to agents.",
    ]
    assert card.downstream_use == "Fine-tune on your own queue labels."
    assert "from transformers import pipeline" in card.get_started
    assert "fp16 mixed precision" in card.training_procedure
    assert card.model_architecture.startswith("DistilBERT encoder")
    impact = card.environmental_impact
    assert impact is not None
    assert (impact.hardware_type, impact.hours_used, impact.compute_region) == (
        "1x A10G",
        3.0,
        "eu-west-1",
    )
    assert impact.co2_emitted_kg == 1.2
    (citation,) = m.citations
    assert citation.bibtex.startswith("@misc{acme2025router,") and citation.year == 2025
    assert citation.apa == "Acme ML. (2025). Ticket routing with DistilBERT."


def test_template_placeholders_become_todo_findings_never_content(tmp_path: Path) -> None:
    loaded = _import(FIXTURES / "hf_template_sparse.md", tmp_path / "h")
    text = (tmp_path / "h" / "handover" / "model.yaml").read_text("utf-8")
    assert "More Information Needed" not in text and "{{" not in text
    card = loaded.handover.model.card
    assert card.downstream_use.startswith("TODO")  # the section is there, as a placeholder
    assert card.get_started.startswith("TODO")
    assert card.evaluation_data.startswith("TODO")
    assert card.intended_use.primary_uses[0].startswith("TODO")
    assert card.environmental_impact is None  # five placeholder facts: nothing invented
    report = audit(loaded, today=TODAY)
    flagged = {g.finding.message.split(" ")[0] for g in report.gaps if g.kind == "placeholder"}
    for field in ("downstream_use", "get_started", "evaluation_data", "training_data"):
        assert f"model.card.{field}" in flagged, flagged
