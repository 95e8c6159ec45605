"""Git history: per-page last change and the manifest's changes, with clear fallbacks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import markdown as python_markdown

from handover_docs.project import find_project
from handover_docs.review.history import (
    history_unavailable,
    manifest_history,
    page_histories,
    page_history,
)
from handover_docs.review.markdown import changes_page, render_changes, render_page_history
from tests.review.helpers import GIT_ENV, git, git_init, write_handover

BOB = ("Bob [Ops] & Co", "bob@example.org")


def two_author_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    git_init(repo)
    write_handover(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Initial handover", date="2026-10-01T08:00:00+00:00")
    model = repo / "handover" / "model.yaml"
    model.write_text(model.read_text("utf-8").replace("1.0.0", "1.0.1", 1), "utf-8")
    git(repo, "commit", "-q", "-am", "Bump to 1.0.1 | *urgent* <b>now</b>", author=BOB,
        date="2026-10-15T16:30:00+02:00")  # fmt: skip
    (repo / "README.md").write_text("not a manifest\n", "utf-8")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "Readme", date="2026-10-20T08:00:00+00:00")
    return repo


def test_page_history_two_authors(tmp_path: Path) -> None:
    repo = two_author_repo(tmp_path)
    assert history_unavailable(repo) is None
    model = page_history(repo, [Path("handover/model.yaml")])
    assert model is not None
    assert (model.author, model.email) == BOB
    assert model.date == "2026-10-15T16:30:00+02:00"
    assert model.subject == "Bump to 1.0.1 | *urgent* <b>now</b>"
    assert len(model.commit) == 40 and model.commit.startswith(model.short)
    assert not model.uncommitted
    summary = page_history(repo, [Path("docs/summary.md")])
    assert summary is not None and summary.author == "Alice Research"
    # A page built from several sources shows the newest change among them.
    both = page_history(repo, [Path("docs/summary.md"), Path("handover/model.yaml")])
    assert both == model
    (repo / "docs" / "summary.md").write_text("# Edited\n", "utf-8")
    edited = page_history(repo, [Path("docs/summary.md")])
    assert edited is not None and edited.uncommitted
    assert page_history(repo, [Path("docs/never-committed.md")]) is None
    many = page_histories(repo, {"model": [Path("handover/model.yaml")], "none": []})
    assert many == {"model": model, "none": None}


def test_manifest_history(tmp_path: Path) -> None:
    repo = two_author_repo(tmp_path)
    changes = manifest_history(find_project(repo), limit=10)
    assert [c.subject for c in changes] == [
        "Bump to 1.0.1 | *urgent* <b>now</b>",
        "Initial handover",
    ]
    assert changes[0].author == BOB[0]
    assert changes[0].files == ("handover/model.yaml",)
    assert "handover/artifacts.yaml" in changes[1].files
    assert all(not f.startswith(("docs/", "README")) for c in changes for f in c.files)
    assert [c.subject for c in manifest_history(find_project(repo), limit=1)] == [
        changes[0].subject
    ]


def test_rendering_escapes_git_strings(tmp_path: Path) -> None:
    repo = two_author_repo(tmp_path)
    changes = manifest_history(find_project(repo))
    page = render_changes(changes)
    html = python_markdown.markdown(page, extensions=["tables"])
    assert "<b>" not in html and "&lt;b&gt;now&lt;/b&gt;" in html
    assert "Bob [Ops] &amp; Co" in html
    assert "<em>urgent</em>" not in html and "*urgent*" in html
    assert html.count("<tr>") == 3  # header + two commits; the '|' did not split a row
    footer = render_page_history(page_history(repo, [Path("handover/model.yaml")]))
    assert footer.startswith(r"*Last changed 2026-10-15 by Bob \[Ops\] &amp; Co in <code>")


def test_not_a_git_repository(tmp_path: Path) -> None:
    project = write_handover(tmp_path / "plain")
    note = history_unavailable(project)
    assert note == "history unavailable: not a git repository"
    assert page_history(project, [Path("handover/model.yaml")]) is None
    assert manifest_history(find_project(project)) == []
    assert render_page_history(None, note) == "*history unavailable: not a git repository*"
    assert "history unavailable: not a git repository" in render_changes([], note)


def test_shallow_clone(tmp_path: Path) -> None:
    repo = two_author_repo(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
        check=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
    )
    note = history_unavailable(clone)
    assert note is not None and note.startswith("history unavailable: shallow clone")
    assert "fetch-depth: 0" in note
    assert page_history(clone, [Path("handover/model.yaml")]) is None
    assert manifest_history(find_project(clone)) == []


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = tmp_path / "fresh"
    git_init(repo)
    write_handover(repo)
    assert history_unavailable(repo) == "history unavailable: no commits yet"


def test_many_pages_folders_and_subfolder_projects(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    git_init(repo)
    project = write_handover(repo / "models" / "churn")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add churn handover", date="2026-09-01T08:00:00+00:00")
    (project / "docs" / "rationale.md").write_text("# Rewritten\n", "utf-8")
    git(repo, "commit", "-q", "-am", "Rewrite rationale", author=BOB,
        date="2026-09-02T08:00:00+00:00")  # fmt: skip
    pages = {
        "inventory": [Path("handover")],  # a folder: any manifest file counts
        "rationale": [Path("docs/rationale.md")],
        "summary": [project / "docs" / "summary.md"],  # absolute paths work too
        "outside": [tmp_path / "elsewhere.md"],
    }
    found = page_histories(project, pages)
    assert found["inventory"] is not None and found["inventory"].subject == "Add churn handover"
    assert found["rationale"] is not None and found["rationale"].author == BOB[0]
    assert found["summary"] is not None and found["summary"].subject == "Add churn handover"
    assert found["outside"] is None
    (project / "handover" / "extra.yaml").write_text("handover: 1\n", "utf-8")
    assert page_histories(project, pages)["inventory"].uncommitted  # type: ignore[union-attr]
    changes = manifest_history(find_project(project))
    assert [c.subject for c in changes] == ["Add churn handover"]
    assert changes[0].files[0].startswith("models/churn/handover/")
    page = changes_page(find_project(project))
    assert page.startswith("# Changes\n\nThe last 1 commits that changed the handover manifests.")
    assert "<code>models/churn/handover/artifacts.yaml</code>" in page
