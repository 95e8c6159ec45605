"""The single-pass glossary linker: rules for case, plurals, skipping, first occurrence."""

from __future__ import annotations

import time

from handover_docs.glossary import GlossaryLinker, term_anchor
from handover_docs.schema import Term

TERMS = [
    Term(term="Decision threshold", definition='The "cut" <b>score</b>.', aliases=["cut-off"]),
    Term(term="threshold", definition="A boundary."),
    Term(term="AUC", definition="Area under the curve.", aliases=["ROC AUC"]),
    Term(term="dependency", definition="A package."),
    Term(term="bias", definition="Skew."),
]


def _links(html: str) -> list[str]:
    import re

    return re.findall(r'<a class="ho-term"[^>]*>([^<]*)</a>', html)


def test_longest_match_plurals_and_case() -> None:
    g = GlossaryLinker.from_terms(TERMS)
    html = "<p>Decision Threshold, thresholds, dependencies, biases, ROC AUC, AUCs, auc.</p>"
    out = g.link_html(html, "../glossary/", "all")
    assert _links(out) == [
        "Decision Threshold",
        "thresholds",
        "dependencies",
        "biases",
        "ROC AUC",
        "AUCs",
    ]
    assert 'href="../glossary/#term-decision-threshold"' in out
    assert 'title="Decision threshold: The &quot;cut&quot; ‹b›score‹/b›."' in out


def test_first_occurrence_only_by_default_and_off() -> None:
    g = GlossaryLinker.from_terms(TERMS)
    html = "<p>threshold threshold</p><p>thresholds</p>"
    assert _links(g.link_html(html, "g/")) == ["threshold"]
    assert len(_links(g.link_html(html, "g/", "all"))) == 3
    assert g.link_html(html, "g/", "off") == html


def test_skips_code_headings_links_and_marked_elements() -> None:
    g = GlossaryLinker.from_terms(TERMS)
    html = (
        '<h2 id="x">threshold<a class="headerlink" href="#x">¶</a></h2>'
        "<p><code>threshold</code> <a href=y>threshold</a> <pre><code>threshold</code></pre>"
        '<span class="no-glossary">threshold</span> <abbr title="t">AUC</abbr>'
        "<!-- threshold --> <img alt='threshold'/> R&amp;D <em>threshold</em></p>"
    )
    out = g.link_html(html, "g/")
    assert _links(out) == ["threshold"]
    assert '<em><a class="ho-term"' in out
    assert "<!-- threshold -->" in out and "<img alt='threshold'/>" in out
    assert "R&amp;D" in out


def test_words_must_be_whole_and_adjacent() -> None:
    g = GlossaryLinker.from_terms(TERMS)
    assert _links(g.link_html("<p>thresholding, decision, threshold</p>", "g/", "all")) == [
        "threshold"
    ]
    assert _links(g.link_html("<p>cut-off and cut off</p>", "g/", "all")) == ["cut-off", "cut off"]


def test_anchor_slug() -> None:
    assert term_anchor("ROC AUC (macro)") == "term-roc-auc-macro"


def test_cost_grows_with_text_not_terms() -> None:
    text = "<p>" + " ".join(f"word{i} threshold" for i in range(20000)) + "</p>"
    few = GlossaryLinker.from_terms(TERMS)
    many = GlossaryLinker.from_terms(
        TERMS + [Term(term=f"term number {i}", definition="d") for i in range(5000)]
    )

    def best(g: GlossaryLinker) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            g.link_html(text, "g/", "all")
            times.append(time.perf_counter() - start)
        return min(times)

    # 1000x the terms must not cost anywhere near 1000x (one regex per term would)
    assert best(many) < best(few) * 5


def test_markdown_linking_skips_code_headings_links_and_markup() -> None:
    g = GlossaryLinker.from_terms(TERMS)
    md = (
        "---\ntitle: threshold\n---\n# The threshold\n\n"
        "A threshold, `threshold`, [threshold](x.md), [[threshold]], <code>threshold</code>.\n\n"
        "```\nthreshold\n```\n\n"
        '!!! note "threshold"\n    An AUC inside.\n\nPara.\n\n    threshold as indented code\n\n'
        "| term | x |\n|---|---|\n| bias | y |\n\nSetext threshold\n---\n"
    )
    out = g.link_markdown(md, "glossary.md", "all")
    assert out.count("](glossary.md#term-") == 3
    assert 'A [threshold](glossary.md#term-threshold "threshold: A boundary."),' in out
    assert '    An [AUC](glossary.md#term-auc "AUC: Area under the curve.") inside.' in out
    assert '| [bias](glossary.md#term-bias "bias: Skew.") | y |' in out
    for untouched in (
        "title: threshold",
        "# The threshold",
        "`threshold`",
        "[threshold](x.md)",
        "[[threshold]]",
        "<code>threshold</code>",
        "\nthreshold\n```",
        "    threshold as indented code",
        "Setext threshold\n---",
        '!!! note "threshold"',
    ):
        assert untouched in out, untouched
    # titles never carry quotes, angle brackets or pipes into the Markdown
    tricky = GlossaryLinker.from_terms([Term(term="drift", definition='a "b" <c> | d')])
    assert (
        tricky.link_markdown("drift", "g.md") == '[drift](g.md#term-drift "drift: a ”b” ‹c› / d")'
    )


def test_markdown_linking_respects_long_fences_and_multi_line_indented_code() -> None:
    """A ``` line inside a four-backtick fence does not close it (CommonMark), and every
    line of an indented code block is code, not only the first."""
    g = GlossaryLinker.from_terms(TERMS)
    md = (
        "Some threshold.\n\n"
        "````markdown\n```\nthreshold in a nested example\n```\n````\n\n"
        "Text.\n\n    first code line\n    threshold on the second code line\n\nAfter: bias.\n"
    )
    out = g.link_markdown(md, "glossary.md", "all")
    assert "threshold in a nested example" in out
    assert "    threshold on the second code line" in out
    assert out.count("](glossary.md#term-") == 2  # the prose threshold, and bias
    assert g.anchors_in_markdown(md) == {"term-threshold", "term-bias"}
