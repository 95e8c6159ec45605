"""The anchors' fields show on the generated model card page, escaped like every field."""

from __future__ import annotations

from pathlib import Path

from handover_docs import manifest
from handover_docs.pages import render_pages
from tests.exchange.test_cyclonedx_fields import rich_manifests
from tests.review.helpers import write_handover


def test_the_model_card_page_shows_the_new_fields(tmp_path: Path) -> None:
    data = rich_manifests()
    card = data["model.yaml"]["model"]["card"]
    card["downstream_use"] = "Feeds the retention dashboard."
    card["get_started"] = "Load `model.joblib` and call `predict_proba`."
    card["training_procedure"] = "5-fold CV, early stopping <b>on</b>."
    qa = card["quantitative_analyses"][0]
    qa["eval_dataset"] = {"type": "accounts", "split": "test", "revision": "abc123"}
    qa["verified"] = True
    qa["source"] = {"name": "Leaderboard"}
    site = render_pages(manifest.load(write_handover(tmp_path / "p", data)))
    page = site.pages["handover/model-card.md"]
    for text in (
        "| Base model | xgboost-baseline |",
        "| Languages | en, pt-BR |",
        "| Library | sklearn |",
        "| Hub pipeline tag | `tabular-classification` |",
        "| Approach | supervised |",
        "gradient-boosted trees · HistGradientBoostingClassifier",
        "| Input | tabular (csv) — 42 account features |",
        "**Downstream use**",
        "**How to get started**",
        "**Training procedure**",
        "[0.89, 0.93]",
        "(split test, revision `abc123`) · verified · source: Leaderboard",
        "| accounts younger than 30 days | — | more false alarms | separate threshold |",
        "## Environmental impact",
        "| Energy | 0.9 kWh |",
        "| Carbon emitted | 0.25 kg CO2eq |",
        "**Performance trade-offs**\n\n- Recall over precision at the deployed threshold.",
    ):
        assert text in page, text
    assert "<b>on</b>" not in page  # escaped like every manifest string


def test_a_card_without_them_shows_no_empty_rows(tmp_path: Path) -> None:
    site = render_pages(manifest.load(write_handover(tmp_path / "p")))
    page = site.pages["handover/model-card.md"]
    for text in ("Base model", "Languages", "Approach", "Environmental impact", "Downstream use"):
        assert text not in page


def test_the_audit_flags_placeholders_in_the_new_fields(tmp_path: Path) -> None:
    from handover_docs.review.audit import audit

    data = rich_manifests()
    card = data["model.yaml"]["model"]["card"]
    card["downstream_use"] = "TODO"
    card["fairness_assessments"][0]["harms"] = "TBD"
    report = audit(manifest.load(write_handover(tmp_path / "p", data)))
    messages = [g.finding.message for g in report.gaps if g.kind == "placeholder"]
    assert any("model.card.downstream_use" in m for m in messages), messages
    assert any("fairness_assessments[0].harms" in m for m in messages), messages
