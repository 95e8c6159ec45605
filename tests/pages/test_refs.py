"""Narrative references: [[id]], [[id|label]], [[=path]], escapes, code, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.pages import Linker
from handover_docs.pages.refs import resolve

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(manifest.load(FIXTURE), "handover")


def _r(text: str, linker: Linker, page: str = "rationale/why.md") -> str:
    return resolve(text, page=page, display="docs/" + page, linker=linker)


def test_links_and_labels(linker: Linker) -> None:
    out = _r("See [[weights]], [[train-run|the run]] and [[summary]].", linker)
    assert "(../handover/artifacts.md#id-weights)" in out
    assert "[the run](../handover/experiments.md#id-train-run)" in out
    assert "[Executive summary](../summary.md)" in out
    assert "[Model weights &lt;script&gt;" in out  # names are escaped
    assert "(../handover/datasets/iris-data.md)" in _r("[[iris-data]]", linker)
    assert "(../handover/model-card.md)" in _r("[[fixture-model]]", linker)


def test_citations(linker: Linker) -> None:
    assert _r("v[[=model.version]]", linker) == "v1.2.3"
    assert _r("[[=weights.size]]", linker) == "123456"
    assert _r("[[=model.owners.0]]", linker) == "alice"
    assert _r("[[=deployment.targets.0.throughput_rps]]", linker) == "100"
    assert "&lt;script&gt;" in _r("[[=model.name]]", linker)


def test_code_fences_and_escapes_are_left_alone(linker: Linker) -> None:
    text = (
        "`[[nope]]` and ``a [[nope]] b``\n\n```\n[[nope]]\n```\n\n~~~~\n[[nope]]\n~~~~\n\\[[nope]]"
    )
    out = _r(text, linker)
    assert out.count("[[nope]]") == 4  # the fifth is escaped
    assert out.endswith("\\[\\[nope]]")


def test_unknown_references_report_every_location(linker: Linker) -> None:
    text = "# T\n\nfirst [[wieghts]]\n\n  and [[=model.nope]] then [[=nobody.x]]\n"
    with pytest.raises(HandoverError) as err:
        _r(text, linker, page="summary.md")
    lines = [str(f) for f in err.value.findings]
    assert lines[0].startswith("docs/summary.md:3:7: error: unknown reference '[[wieghts]]'")
    assert "did you mean 'weights'" in lines[0]
    assert lines[1].startswith("docs/summary.md:5:7: error: unknown value '[[=model.nope]]'")
    assert lines[2].startswith("docs/summary.md:5:28:")


def test_values_in_headings_cannot_close_the_title(linker: Linker) -> None:
    """Themes un-escape a page's heading into <title>: in a heading, angle brackets of
    cited values and entry names become look-alikes; elsewhere they stay escaped."""
    atx = _r("# Runbook of [[=model.name]]", linker)
    setext = _r("For [[iris-data]]\n===", linker)
    body = _r("Runbook of [[=model.name]]", linker)
    assert "</title>" not in atx and "&lt;" not in atx and "‹/title›" in atx
    assert "‹/title›‹script›" in setext
    assert "&lt;/title&gt;" in body


def test_code_is_left_alone_by_the_same_rule_as_the_glossary(linker: Linker) -> None:
    """References in code stay literal, with the one Markdown scanner's rule: a ``` line with
    an info string does not close a fence, and indented code and front matter are code."""
    text = (
        "---\ntitle: [[weights]]\n---\n"
        "````md\n```python\n[[weights]] in a nested example\n```\n````\n\n"
        "Para.\n\n    [[weights]] in indented code\n\nSee [[weights]].\n"
    )
    out = _r(text, linker)
    assert out.count("[[weights]]") == 3
    assert out.count("](../handover/artifacts.md#") == 1
