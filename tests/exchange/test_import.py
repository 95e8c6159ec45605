"""``handover import --format hf``: a real-world-style Hugging Face card becomes a handover."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import ModelCard

from handover_docs import manifest
from handover_docs.exchange.hf_export import card_markdown
from handover_docs.review.audit import audit
from tests.review.helpers import TODAY, cli

CARD = Path(__file__).parent / "fixtures" / "hf_sentiment_card.md"


def test_import_real_world_card(tmp_path: Path) -> None:
    target = tmp_path / "sentiment"
    result = cli(["import", "--format", "hf", str(CARD), "--out", str(target)])
    assert result.returncode == 0, result.stderr
    assert (target / "mkdocs.yml").is_file()
    assert (target / "handover.schema.json").is_file()
    assert cli(["validate", str(target)]).returncode == 0
    loaded = manifest.load(target)
    m = loaded.handover.model
    assert (m.id, m.name, m.license, m.task) == (
        "distilbert-sst2-sentiment",
        "distilbert-sst2-sentiment",
        "apache-2.0",
        "text-classification",
    )
    assert m.summary.startswith("A small English sentiment classifier")
    # Hub metadata goes to its own fields now, not into prose.
    assert m.base_model == ["distilbert/distilbert-base-uncased"]
    assert m.languages == ["en"] and m.library_name == "transformers"
    assert m.card.intended_use.primary_uses == [
        "Routing short English product reviews to positive and negative queues.",
        "Measuring the share of positive feedback over time.",
    ]
    assert m.card.intended_use.out_of_scope == [
        "Any decision about an individual person.",
        "Languages other than English.",
    ]
    assert m.card.metrics == ["accuracy", "f1"]
    assert m.card.factors == []
    assert [(q.metric, q.metric_name, q.value, q.slice) for q in m.card.quantitative_analyses] == [
        ("accuracy", "Accuracy", 0.9106, "validation"),
        ("f1", "F1", 0.9132, "validation"),
    ]
    assert "learning_rate: 2e-05" in m.card.training_procedure  # "## Training procedure"
    assert "# not a heading" in m.card.training_procedure  # code blocks are not sections
    assert m.card.training_data.startswith("TODO")  # "More information needed"
    assert m.card.evaluation_data.startswith("TODO")  # "More information needed"
    assert m.card.ethical_considerations.startswith("Movie-review language differs")
    assert m.citations[0].year == 2013
    assert m.citations[0].title.startswith("Recursive Deep Models")
    (artifact,) = loaded.handover.artifacts
    assert artifact.uri == "https://huggingface.co/datasets/stanfordnlp/sst2"
    summary = (target / "docs" / "summary.md").read_text("utf-8")
    assert "Accuracy: 0.9106" in summary and "generated automatically" not in summary

    # What the card lacked is a TODO, and the audit lists it.
    report = audit(loaded, today=TODAY)
    placeholders = [g.finding.message for g in report.gaps if g.kind == "placeholder"]
    assert "model.card.evaluation_data holds placeholder text 'TODO'" in placeholders

    # Round trip: the exported card parses with huggingface_hub and keeps the results.
    card = ModelCard(card_markdown(loaded))
    assert card.data.license == "apache-2.0"
    assert card.data.pipeline_tag == "text-classification"
    assert card.data.library_name == "transformers"  # kept from the imported card
    assert card.data.base_model == "distilbert/distilbert-base-uncased"
    assert card.data.datasets == ["stanfordnlp/sst2"]


def test_import_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "sentiment"
    assert cli(["import", "--format", "hf", str(CARD), "--out", str(target)]).returncode == 0
    model = target / "handover" / "model.yaml"
    model.write_text(model.read_text("utf-8") + "# my edit\n", "utf-8")
    again = cli(["import", "--format", "hf", str(CARD), "--out", str(target)])
    assert again.returncode == 2
    assert "use --force to overwrite" in again.stderr
    assert model.read_text("utf-8").endswith("# my edit\n")
    forced = cli(["import", "--format", "hf", str(CARD), "--out", str(target), "--force"])
    assert forced.returncode == 0, forced.stderr
    assert "# my edit" not in model.read_text("utf-8")


def test_import_minimal_and_broken_cards(tmp_path: Path) -> None:
    bare = tmp_path / "bare.md"
    bare.write_text("# Tiny model\n\nIt does one thing.\n", "utf-8")
    result = cli(["import", "--format", "hf", str(bare), "--out", str(tmp_path / "tiny")])
    assert result.returncode == 0, result.stderr
    tiny = manifest.load(tmp_path / "tiny").handover.model
    assert (tiny.name, tiny.summary) == ("Tiny model", "It does one thing.")
    assert tiny.card.intended_use.primary_uses[0].startswith("TODO")

    bad = tmp_path / "bad.md"
    bad.write_text("---\nlicense: mit\ntags: [a, b\n---\n# Broken\n", "utf-8")
    result = cli(["import", "--format", "hf", str(bad), "--out", str(tmp_path / "b")])
    assert result.returncode == 2
    assert "bad.md:3:12: error: bad YAML in model card metadata" in result.stderr
    assert not (tmp_path / "b").exists()
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\nlicense: mit\n# no end\n", "utf-8")
    result = cli(["import", "--format", "hf", str(unclosed), "--out", str(tmp_path / "u")])
    assert result.returncode == 2
    assert "unclosed.md:1:1: error: model card metadata block is not closed" in result.stderr
    missing = cli(["import", "--format", "hf", str(tmp_path / "nope.md")])
    assert missing.returncode == 2 and "no such model card" in missing.stderr


def test_import_survives_odd_metadata(tmp_path: Path) -> None:
    """Cards in the wild hold odd types; the import keeps what it can and stays valid."""
    odd = tmp_path / "odd.md"
    odd.write_text(
        "---\n"
        "license: [mit, apache-2.0]\n"
        "datasets: [my data set, other/my data set, '', null]\n"
        "metrics: ['', accuracy]\n"
        "model-index:\n"
        "  - just a string\n"
        "  - name: '  odd   model  '\n"
        "    results:\n"
        "      - task: text\n"
        "        dataset: 42\n"
        "        metrics: [{type: acc, value: high}, {type: acc, value: .nan},\n"
        "                  {type: f1, value: '0.5'}, {type: x, value: true}, 7]\n"
        "---\n"
        "## Uses\n\nAnything.\n",
        "utf-8",
    )
    result = cli(["import", "--format", "hf", str(odd), "--out", str(tmp_path / "odd")])
    assert result.returncode == 0, result.stderr
    loaded = manifest.load(tmp_path / "odd")
    m = loaded.handover.model
    assert m.name == "odd model"
    assert m.card.metrics == ["accuracy"]
    assert [(q.metric, q.value) for q in m.card.quantitative_analyses] == [("f1", 0.5)]
    assert [a.id for a in loaded.handover.artifacts] == ["my-data-set-data", "my-data-set-data-2"]
    assert (
        loaded.handover.artifacts[1].uri == "https://huggingface.co/datasets/other/my%20data%20set"
    )
