"""Issue 15's page content: failure causes everywhere, the start-here block, the on-call page,
seed sweeps, code spans in prose, and footers without commit messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from handover_docs import manifest
from handover_docs.checks.evidence import (
    CheckRecord,
    ComparisonRecord,
    Evidence,
    LogRecord,
    Tool,
    status_for,
)
from handover_docs.pages import refs, render_pages
from handover_docs.pages.plan import RenderedSite
from handover_docs.pages.render import Linker, _seed_list
from handover_docs.review.history import PageHistory
from handover_docs.review.markdown import render_page_history

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "site"
CAUSE = "p95 11.8 ms is over the budget of 5 ms"


@pytest.fixture(scope="module")
def fixture() -> manifest.LoadedHandover:
    return manifest.load(FIXTURE)


@pytest.fixture(scope="module")
def failing(fixture: manifest.LoadedHandover) -> RenderedSite:
    """The fixture's pages with a failed check whose command printed why."""
    when = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.timezone.utc)
    record = CheckRecord(
        id="checklist-hash",
        kind="command",
        status="fail",
        message="exit code 1 vs 0",
        manifest_digest=fixture.digest,
        started_at=when,
        finished_at=when,
        duration=0.1,
        comparisons=[ComparisonRecord(name="exit", measured=1, expected=0, ok=False)],
        log=LogRecord(path="logs/x.log", sha256="0" * 64, size=10, tail=["warming up", CAUSE, ""]),
    )
    evidence = Evidence(
        format="handover-docs/evidence/1",
        tool=Tool(version="test"),
        manifest_digest=fixture.digest,
        started_at=when,
        finished_at=when,
        duration=0.1,
        checks={"checklist-hash": record},
    )
    return render_pages(fixture, evidence=status_for(evidence, fixture))


@pytest.mark.parametrize("page", ["checklist.md", "status.md", "index.md"])
def test_a_failed_check_shows_its_cause(failing: RenderedSite, page: str) -> None:
    text = failing.pages[f"handover/{page}"]
    assert f"`{CAUSE}`" in text, text
    assert "exit code 1 vs 0" in text


def test_the_overview_tile_counts_failing_checks(failing: RenderedSite) -> None:
    assert "failing checks" in failing.pages["handover/index.md"]


def test_the_start_here_block_is_placed_by_a_narrative(
    failing: RenderedSite, fixture: manifest.LoadedHandover
) -> None:
    linker = Linker(fixture, "handover", blocks=failing.blocks)
    page = refs.resolve(
        "# Home\n\n[[!start-here]]\n\nText.\n", page="index.md", display="index.md", linker=linker
    )
    assert "## Start here" in page
    assert CAUSE in page and "1 failing" in page
    for target in ("handover/oncall.md", "handover/model-card.md", "handover/verify.md"):
        assert f"]({target})" in page, target
    # From a page one folder down, the links are relative to it.
    deeper = refs.resolve("[[!start-here]]", page="guide/x.md", display="x.md", linker=linker)
    assert "](../handover/oncall.md)" in deeper
    # Without the block (another engine's linker), the line is an unknown reference.
    bare = Linker(fixture, "handover")
    with pytest.raises(Exception, match="start-here"):
        refs.resolve("[[!start-here]]", page="index.md", display="index.md", linker=bare)


def test_the_example_on_call_page() -> None:
    site = render_pages(manifest.load(REPO))
    page = site.pages["handover/oncall.md"]
    for expected in (
        "platform on-call (24/7)",
        "ml-platform-scoring",
        "https://oncall.example.org/schedules/ml-platform-scoring",
        "no digest recorded",
        "switch to the fallback",
        "Decision threshold 0.3",
    ):
        assert expected in page, expected
    weights = next(a for a in manifest.load(REPO).handover.artifacts if a.id == "model-weights")
    assert weights.sha256 and weights.sha256 in page
    # The FAQ's `commands` are code spans, not literal backticks.
    faq = site.pages["handover/faq.md"]
    assert "`handover check`" in faq and "\\`" not in faq
    # A seed sweep is not "seed 0".
    assert "| 0–4 |" in site.pages["handover/experiments.md"]
    # Alerts start a paragraph of their own.
    assert "\n\n**Alerts**\n" in site.pages["handover/deployment.md"]


def test_seed_lists_are_shown_as_runs() -> None:
    assert _seed_list([0, 1, 2, 3, 4]) == "0–4"
    assert _seed_list([9, 0, 2, 3, 4]) == "0, 2–4, 9"
    assert _seed_list([]) == "—"


def test_footers_carry_no_commit_message() -> None:
    history = PageHistory(
        commit="a" * 40,
        short="aaaaaaa",
        author="Dev",
        email="dev@example.org",
        date="2026-11-02T10:00:00+00:00",
        subject="wip: fix my local hack",
    )
    footer = render_page_history(history)
    assert "wip" not in footer and "aaaaaaa" in footer
