"""Honest times: the statement records the source time, the signing time and the evidence time
apart, and verify (text, JSON, the in-browser page) shows each with its meaning. A build with
SOURCE_DATE_EPOCH stays byte-identical: it records no clock reading unless one is given."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from signing_helpers import Key, make_key, make_site, resign, statement
from test_signing_browser_logic import needs_node, run_js

from handover_docs.signing.site_hook import sign_built_site
from handover_docs.signing.statement import SIGNATURE_FILE, parse_time

COMMIT_DATE = "2026-11-26T00:00:00+00:00"
EVIDENCE = {"format": "handover-docs/evidence/1", "finished_at": "2026-12-01T09:30:00.123Z"}


def _env(**extra: str) -> dict[str, str]:
    """The environment without any time inputs of the caller's, plus EXTRA."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "HANDOVER_SIGNED_AT")
    }
    return {**env, **extra}


def _cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handover_docs", *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository whose only commit is dated 2026-11-26, with evidence from 2026-12-01."""
    root = tmp_path / "project"
    root.mkdir()
    git_env = {
        **os.environ,
        "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_DATE": COMMIT_DATE,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    (root / "README").write_text("project\n")
    for args in (["init", "-q"], ["add", "README"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", *args], cwd=root, env=git_env, check=True, capture_output=True)
    evidence = root / ".handover" / "evidence.json"
    evidence.parent.mkdir()
    evidence.write_text(json.dumps(EVIDENCE))
    make_site(root / "site")
    return root


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


def _sign(project: Path, key: Key, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _cli(
        "sign", "site", "--key", str(key.private), "--evidence", ".handover/evidence.json",
        *extra, cwd=project, **env,
    )  # fmt: skip


def test_the_three_times_are_recorded_apart_and_shown_with_their_meaning(
    project: Path, key: Key
) -> None:
    done = _sign(project, key, HANDOVER_SIGNED_AT="2026-12-02T08:00:00+01:00")
    assert done.returncode == 0, done.stderr
    assert "source    2026-11-26T00:00:00Z (when the sources last changed)" in done.stdout
    assert "signed    2026-12-02T07:00:00Z (when this signature was made)" in done.stdout
    assert "evidence  2026-12-01T09:30:00Z (when the checks ran)" in done.stdout
    p = statement(project / "site")["predicate"]
    assert p["times"] == {
        "source": "2026-11-26T00:00:00Z",
        "signed": "2026-12-02T07:00:00Z",
        "evidence": "2026-12-01T09:30:00Z",
    }
    assert p["buildTime"] == "2026-11-26T00:00:00Z"  # kept for older verifiers: the source time
    text = _cli("verify", "site", "--key", str(key.public), cwd=project)
    assert text.returncode == 0, text.stdout
    assert (
        "  source time   2026-11-26T00:00:00Z (when the sources last changed "
        "(SOURCE_DATE_EPOCH, else the last commit))" in text.stdout
    )
    assert "  signed at     2026-12-02T07:00:00Z (when this signature was made)" in text.stdout
    assert (
        "  evidence time 2026-12-01T09:30:00Z (when the checks in the signed evidence record "
        "last ran)" in text.stdout
    )
    assert "built" not in text.stdout  # the ambiguous word is gone
    js = json.loads(_cli("verify", "site", "--key", str(key.public), "--json", cwd=project).stdout)
    assert js["times"]["source"]["time"] == "2026-11-26T00:00:00Z"
    assert js["times"]["signed"] == {
        "time": "2026-12-02T07:00:00Z",
        "meaning": "when this signature was made",
    }
    assert js["times"]["evidence"]["time"] == "2026-12-01T09:30:00Z"
    assert js["source_time"] == "2026-11-26T00:00:00Z"


def test_without_an_explicit_time_the_signing_time_is_the_clock(project: Path, key: Key) -> None:
    done = _sign(project, key, "--json")
    assert done.returncode == 0, done.stderr
    times = json.loads(done.stdout)["times"]
    assert times["source"] == "2026-11-26T00:00:00Z"  # the last commit
    assert times["signed"] is not None and parse_time(times["signed"]) is not None
    assert times["signed"] != times["source"]


def test_a_reproducible_build_records_no_clock_reading_and_stays_byte_identical(
    project: Path, key: Key, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere" / "project"
    shutil.copytree(project, other)
    for root in (project, other):
        assert _sign(root, key, SOURCE_DATE_EPOCH="1764115200").returncode == 0
    first = (project / "site" / SIGNATURE_FILE).read_bytes()
    assert first == (other / "site" / SIGNATURE_FILE).read_bytes()
    times = statement(project / "site")["predicate"]["times"]
    assert times == {
        "source": "2025-11-26T00:00:00Z",
        "signed": None,
        "evidence": "2026-12-01T09:30:00Z",
    }
    text = _cli("verify", "site", "--key", str(key.public), cwd=project).stdout
    assert (
        "  signed at     not recorded (a reproducible build: no explicit signing time was given)"
        in text
    )
    # An explicit signing time is recorded, and rebuilding with the same one is identical.
    for root in (project, other):
        done = _sign(
            root, key, "--signed-at", "1764720000", SOURCE_DATE_EPOCH="1764115200"
        )  # 2025-12-03
        assert done.returncode == 0, done.stderr
    again = (project / "site" / SIGNATURE_FILE).read_bytes()
    assert again == (other / "site" / SIGNATURE_FILE).read_bytes() != first
    assert statement(project / "site")["predicate"]["times"]["signed"] == "2025-12-03T00:00:00Z"


@pytest.mark.parametrize(
    "value", ["2026-02-30T00:00:00Z", "2024-13-45T99:99:99Z", "yesterday", "99999999999999"]
)
def test_a_bad_signing_time_is_bad_input(project: Path, key: Key, value: str) -> None:
    done = _sign(project, key, "--signed-at", value)
    assert done.returncode == 2
    assert "--signed-at: error: " in done.stderr and "Traceback" not in done.stderr
    done = _sign(project, key, HANDOVER_SIGNED_AT=value)
    assert done.returncode == 2
    assert "$HANDOVER_SIGNED_AT: error: " in done.stderr
    assert not (project / "site" / SIGNATURE_FILE).exists()


def test_a_signature_from_before_the_three_times_still_verifies(project: Path, key: Key) -> None:
    assert _sign(project, key, SOURCE_DATE_EPOCH="1764115200").returncode == 0
    stmt = statement(project / "site")
    del stmt["predicate"]["times"]
    resign(project / "site", key, stmt)
    done = _cli("verify", "site", "--key", str(key.public), cwd=project)
    assert done.returncode == 0, done.stdout
    assert "  built         2025-11-26T00:00:00Z (an older signature: the source time" in (
        done.stdout
    )


def test_the_build_hook_takes_the_evidence_time_from_the_signed_record(
    project: Path, key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOVER_SIGNING_KEY", str(key.private))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")
    monkeypatch.delenv("HANDOVER_SIGNED_AT", raising=False)
    evidence = project / ".handover" / "evidence.json"
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    result = sign_built_site(
        project / "site",
        project_root=project,
        manifest_digest="a" * 64,
        evidence_digest=digest,
        site_url=None,
    )
    assert result is not None and result.evidence_time == "2026-12-01T09:30:00Z"
    # Evidence that is not the signed one gives no evidence time (never a wrong one).
    result = sign_built_site(
        project / "site",
        project_root=project,
        manifest_digest="a" * 64,
        evidence_digest="b" * 64,
        site_url=None,
    )
    assert result is not None and result.evidence_time is None
    assert statement(project / "site")["predicate"]["times"]["evidence"] is None


@needs_node
def test_the_page_shows_each_time_with_its_meaning(tmp_path: Path) -> None:
    predicate: dict[str, Any] = {
        "buildTime": "2026-11-26T00:00:00Z",
        "times": {
            "source": "2026-11-26T00:00:00Z",
            "signed": None,
            "evidence": "2026-12-01T09:30:00Z",
        },
        "evidenceDigest": {"sha256": "c" * 64},
    }
    old = {"buildTime": "2026-11-26T00:00:00Z"}
    got = run_js(
        tmp_path,
        "console.log(JSON.stringify([V.timeRows(INPUT.p), V.timeRows(INPUT.old),"
        " V.realTime('2026-02-30T00:00:00Z'), V.realTime('2024-13-45T99:99:99Z'),"
        " V.realTime('2026-02-28T23:59:59Z') !== null]));",
        p=predicate,
        old=old,
    )
    assert got[0] == [
        [
            "Source time",
            "2026-11-26T00:00:00Z (when the sources last changed (SOURCE_DATE_EPOCH, else the "
            "last commit))",
        ],
        ["Signed at", "not recorded (a reproducible build: no explicit signing time was given)"],
        [
            "Evidence time",
            "2026-12-01T09:30:00Z (when the checks in the signed evidence record last ran)",
        ],
    ]
    assert got[1][0][0] == "Built" and "an older signature" in got[1][0][1]
    assert got[2:] == [None, None, True]
