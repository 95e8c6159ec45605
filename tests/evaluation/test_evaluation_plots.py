"""The model card's plots: present, accessible, well-formed and byte-identical anywhere."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from handover_docs import manifest
from handover_docs.evaluation import plots
from handover_docs.evaluation.metrics import curves
from handover_docs.pages import render_pages

REPO = Path(__file__).resolve().parents[2]
COPIED = ("handover", "docs", "model", "plugins", "templates", "mkdocs.yml", "constraints.txt")
SVG = re.compile(r"<svg .*?</svg>", re.S)
NS = "{http://www.w3.org/2000/svg}"


def _copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, folder / name)
    return folder


def _model_card(root: Path) -> str:
    site = render_pages(manifest.load(root))
    [page] = [text for path, text in site.pages.items() if path.endswith("model-card.md")]
    return page


def test_the_model_card_plots_are_byte_identical_in_two_folders(tmp_path: Path) -> None:
    first = _model_card(_copy(tmp_path / "a" / "one"))
    second = _model_card(_copy(tmp_path / "elsewhere" / "two"))
    assert first == second
    assert str(tmp_path) not in first


def test_the_model_card_shows_five_accessible_plots_per_predictions_set() -> None:
    page = _model_card(REPO)
    svgs = SVG.findall(page)
    assert len(svgs) == 10  # test and seed-sweep, five plots each
    titles = []
    for svg in svgs:
        root = ET.fromstring(svg)  # well-formed XML
        assert root.get("viewBox") == "0 0 360 300"
        assert root.get("role") == "img"
        title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
        assert title is not None and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        titles.append(title.text)
        assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # self-contained
    assert titles[:5] == [
        "ROC curve",
        "Precision-recall curve",
        "Calibration",
        "Confusion matrix",
        "Threshold sweep",
    ]
    assert len({re.search(r'id="([^"]+)-title"', s).group(1) for s in svgs}) == 10  # type: ignore[union-attr]
    # the deployed threshold is marked on the precision-recall curve and the sweep
    assert "threshold 0.3" in svgs[1] and "deployed 0.3" in svgs[4]
    assert "51 true positives, 2 false negatives" in svgs[3]
    assert "95 % CI" in page


def test_plot_text_is_escaped_and_numbers_are_rounded() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(50) < 0.5
    c = curves(y, rng.random(50), 0.5)
    svg = plots.roc('x" onload="alert(1)', c, 0.5, 0.5)
    assert 'onload="alert' not in svg
    ET.fromstring(svg)
    assert not re.search(r"\d\.\d{2,}\b,", svg.split("</desc>")[1])  # 0.1 px at most


def test_unreadable_predictions_show_a_failure_box_and_keep_the_typed_values(
    tmp_path: Path,
) -> None:
    from handover_docs.exchange.cyclonedx import bom

    root = _copy(tmp_path / "broken")
    (root / "model" / "artifacts" / "predictions.csv").write_text("label,score\n1,high\n")
    page = _model_card(root)
    assert "!!! failure \"Predictions 'test' could not be read\"" in page
    assert "differs from the inventory" in page
    assert len(SVG.findall(page)) == 5  # the seed sweep's plots still show
    metrics = bom(manifest.load(root))["metadata"]["component"]["modelCard"][
        "quantitativeAnalysis"
    ]["performanceMetrics"]
    recall = next(m for m in metrics if m["type"] == "recall")
    assert recall["value"] == "0.962264" and "confidenceInterval" not in recall
    sweep = next(m for m in metrics if m["type"] == "recall_mean")
    assert set(sweep["confidenceInterval"]) == {"lowerBound", "upperBound"}
