"""``handover diff``: pairs of handover folders, two git revisions, two signed releases."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import markdown as python_markdown

from handover_docs import manifest
from handover_docs.review.diff import HandoverDiff, ReleaseDiff, diff, diff_handovers
from handover_docs.review.markdown import render_diff
from tests.review.helpers import base_manifests, cli, git, git_init, write_handover


def changed_manifests() -> dict[str, Any]:
    data = base_manifests()
    art = data["artifacts.yaml"]["artifacts"]
    art[0]["sha256"] = "ab" * 32
    art[0]["version"] = "1.1.0"
    art[0]["owner"] = "bob"
    art.pop(1)
    data["artifacts.yaml"]["datasets"][0]["artifact"] = None
    art.append({"id": "report", "name": "Evaluation report", "kind": "report"})
    data["experiments.yaml"]["experiments"][0]["metrics"] = {"AUC": 0.84, "recall": 0.7}
    data["model.yaml"]["model"]["version"] = "1.1.0"
    data["model.yaml"]["model"]["card"]["quantitative_analyses"][0]["value"] = 0.895
    gov = data["governance.yaml"]["governance"]
    gov["signoffs"][0]["status"] = "pending"
    data["knowledge.yaml"]["narratives"].append(
        {"id": "extra", "role": "other", "page": "extra.md", "title": "Extra"}
    )
    data["knowledge.yaml"]["checklist"].append(
        {"id": "runbook-read", "title": "Operations read the runbook", "owner": "bob",
         "acceptance": "Bob confirms he followed the runbook once.", "done": True}
    )  # fmt: skip
    return data


def make_pair(tmp_path: Path) -> tuple[Path, Path]:
    old = write_handover(tmp_path / "old")
    new = write_handover(tmp_path / "new", changed_manifests())
    (new / "docs" / "summary.md").write_text(
        (old / "docs" / "summary.md").read_text("utf-8") + "\nA new closing line.\n", "utf-8"
    )
    (new / "docs" / "not-a-narrative.md").write_text("# More\n", "utf-8")
    (new / "docs" / "extra.md").write_text("# Extra narrative\n", "utf-8")
    return old, new


def test_folders(tmp_path: Path) -> None:
    old, new = make_pair(tmp_path)
    d = diff_handovers(manifest.load(old), manifest.load(new), "old", "new")
    entries = {(e.section, e.key): e for e in d.entries}
    weights = entries[("artifacts", "weights")]
    assert weights.change == "changed" and weights.digest_changed
    assert {f.field for f in weights.fields} == {"sha256", "version", "owner"}
    assert entries[("artifacts", "train-data")].change == "removed"
    assert entries[("artifacts", "report")].change == "added"
    assert entries[("checklist", "runbook-read")].change == "added"
    metrics = {(m.source, m.metric): m for m in d.metrics}
    auc = metrics[("experiment train", "AUC")]
    assert (auc.old, auc.new, auc.threshold, auc.status) == (0.91, 0.84, "auc-drift", "fail")
    assert round(auc.delta or 0, 4) == -0.07
    card = metrics[("model card", "AUC")]
    assert card.status == "ok"  # -0.015 is inside the 0.02 warning band
    assert metrics[("experiment train", "recall")].status == "added"
    owners = {o.what: (o.old, o.new) for o in d.owners}
    assert owners["artifacts weights (owner)"] == ("alice", "bob")
    assert owners["sign-offs release (status)"] == ("signed", "pending")
    signoff = entries[("sign-offs", "release")]
    assert [(f.field, f.old, f.new) for f in signoff.fields] == [("status", "signed", "pending")]
    assert [(c.item, c.old, c.new) for c in d.checklist] == [("runbook-read", "", "done")]
    pages = {p.page: p for p in d.pages}
    assert (pages["summary.md"].change, pages["summary.md"].added_lines) == ("changed", 2)
    assert pages["extra.md"].change == "added"
    assert "rationale.md" not in pages  # unchanged
    assert "not-a-narrative.md" not in pages  # not named by the manifest


def test_markdown_and_json_output(tmp_path: Path) -> None:
    old, new = make_pair(tmp_path)
    result = cli(["diff", str(old), str(new)])
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("## Handover diff: Churn model 1.0.0 → Churn model 1.1.0")
    # A bold quote, the same on GitHub and on the site (no "[!WARNING]" marker shown as text).
    assert "> **⚠️ Digest changed:** artifacts <code>weights</code>" in text
    assert "[!" not in text
    assert (
        "| experiment train | AUC | — | 0.91 | 0.84 | -0.07 | <code>auc-drift</code> | ❌ fail |"
        in text
    )
    assert "**(digest)**" in text
    html = python_markdown.markdown(text, extensions=["tables"])
    assert html.count("<table>") == 5
    as_json = json.loads(cli(["diff", str(old), str(new), "--json"]).stdout)
    assert as_json["kind"] == "handover"
    assert any(e["digest_changed"] for e in as_json["entries"])
    out = tmp_path / "comment.md"
    assert cli(["diff", str(old), str(new), "--out", str(out)]).returncode == 0
    assert out.read_text("utf-8") == text


def test_no_changes(tmp_path: Path, handover_dir: Path) -> None:
    d = diff(str(handover_dir), str(handover_dir))
    assert isinstance(d, HandoverDiff) and d.empty
    assert "No semantic changes." in render_diff(d)


def test_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    write_handover(repo)
    (repo / "mkdocs.yml").write_text("site_name: churn\nplugins:\n  - handover\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first handover")
    write_handover(repo, changed_manifests())
    (repo / "docs" / "extra.md").write_text("# Extra narrative\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "release 1.1", date="2026-11-10T09:00:00+00:00")
    (repo / "handover" / "model.yaml").write_text("handover: 1\nmodel: {}\n", "utf-8")

    result = cli(["diff", "HEAD~1", "HEAD"], cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "Churn model 1.0.0 → Churn model 1.1.0" in result.stdout
    # "~" is written as an entity (one escaping rule for pages and diffs): HEAD~1 when rendered
    assert "Comparing <code>HEAD&#126;1</code> with <code>HEAD</code>" in result.stdout
    assert "artifacts <code>weights</code>" in result.stdout
    same = cli(["diff", "main", "HEAD"], cwd=repo)
    assert "No semantic changes." in same.stdout
    # The working tree (with a broken model.yaml) against a revision: errors name the folder.
    broken = cli(["diff", "HEAD", "."], cwd=repo)
    assert broken.returncode == 2
    assert "handover/model.yaml" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_git_revision_errors_are_labelled(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    data = base_manifests()
    data["model.yaml"]["model"]["owners"] = ["nobody"]
    write_handover(repo, data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bad owner")
    write_handover(repo)
    result = cli(["diff", "HEAD", "."], cwd=repo)
    assert result.returncode == 2
    assert "HEAD:handover/model.yaml:" in result.stderr
    assert "unknown reference 'nobody'" in result.stderr
    unknown = cli(["diff", "no-such-branch", "."], cwd=repo)
    assert unknown.returncode == 2
    assert "'no-such-branch' is not a handover folder, a signature file or a git revision" in (
        unknown.stderr
    )


def envelope(site: Path, subjects: dict[str, str], predicate: dict[str, Any]) -> Path:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": n, "digest": {"sha256": d}} for n, d in subjects.items()],
        "predicateType": "https://handover-docs.dev/site/v1",
        "predicate": predicate,
    }
    payload = json.dumps(statement).encode()
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text("<html></html>", "utf-8")
    path = site / ".well-known" / "handover" / "signature.json"
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "payloadType": "application/vnd.in-toto+json",
                "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": "k", "sig": "AAAA"}],
            }
        ),
        "utf-8",
    )
    return path


def test_signed_releases(tmp_path: Path) -> None:
    h = hashlib.sha256
    old_env = envelope(
        tmp_path / "site-1",
        {"index.html": "1" * 64, "model.html": "2" * 64, "old.html": "3" * 64},
        {"manifest_digest": "a" * 64, "commit": "c1", "previous": None},
    )
    payload = base64.b64decode(json.loads(old_env.read_text())["payload"])
    envelope(
        tmp_path / "site-2",
        {"index.html": "1" * 64, "model.html": "9" * 64, "new.html": "4" * 64},
        {"manifest_digest": "b" * 64, "commit": "c2", "previous": h(payload).hexdigest()},
    )
    d = diff(str(tmp_path / "site-1"), str(tmp_path / "site-2"))
    assert isinstance(d, ReleaseDiff)
    assert (d.added, d.removed, d.changed) == (["new.html"], ["old.html"], ["model.html"])
    assert {f.field for f in d.predicate} == {"manifest_digest", "commit", "previous"}
    assert d.chained
    text = render_diff(d)
    assert "New release names the old one as its previous release." in text
    assert "**1 files added, 1 removed, 1 changed.**" in text
    # The envelope files themselves work too, in either order (then not chained).
    back = cli(["diff", str(tmp_path / "site-2"), str(old_env), "--json"])
    assert back.returncode == 0, back.stderr
    data = json.loads(back.stdout)
    assert data["kind"] == "release" and data["chained"] is False
    assert data["added"] == ["old.html"]


def test_release_without_manifest_file_against_handover_is_refused(
    tmp_path: Path, handover_dir: Path
) -> None:
    envelope(tmp_path / "site", {"index.html": "1" * 64}, {})
    result = cli(["diff", str(handover_dir), str(tmp_path / "site")])
    assert result.returncode == 2
    assert "cannot compare a handover with this release" in result.stderr
    assert "a bare signature file" in result.stderr  # an old layout: no site to read from
    garbage = tmp_path / "garbage" / "signature.json"
    garbage.parent.mkdir()
    garbage.write_text('{"payloadType": "x", "payload": "!!!", "signatures": []}', "utf-8")
    result = cli(["diff", str(garbage), str(garbage)])
    assert result.returncode == 2
    assert "not a readable DSSE envelope" in result.stderr


def test_releases_signed_by_handover_sign(tmp_path: Path) -> None:
    """Two sites signed with the real `handover sign`, the second naming the first."""
    home = {"HOME": str(tmp_path)}
    assert cli(["keygen", str(tmp_path / "key")], env=home).returncode == 0
    for name, pages in (("r1", {"index.html": "one", "old.html": "x"}),
                        ("r2", {"index.html": "two", "new.html": "y"})):  # fmt: skip
        site = tmp_path / name
        site.mkdir()
        for page, text in pages.items():
            (site / page).write_text(text, "utf-8")
        extra = ["--previous", str(tmp_path / "r1")] if name == "r2" else []
        signed = cli(["sign", str(site), "--key", str(tmp_path / "key"), "--release", name, *extra])
        assert signed.returncode == 0, signed.stderr
    result = cli(["diff", str(tmp_path / "r1"), str(tmp_path / "r2"), "--json"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["chained"] is True
    assert data["changed"] == ["index.html"]
    assert data["removed"] == ["old.html"]
    assert "new.html" in data["added"]
    fields = {f["field"]: (f["old"], f["new"]) for f in data["predicate"]}
    assert fields["release"] == ("r1", "r2")
