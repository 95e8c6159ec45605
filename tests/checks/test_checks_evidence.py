"""The evidence record: format, digest, staleness, --ci, partial runs, interrupted runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from checks_fixtures import Project, item

from handover_docs import __version__, manifest
from handover_docs.checks.evidence import (
    evidence_digest,
    load_evidence,
    parse_age,
    status_for,
)
from handover_docs.errors import HandoverError


def _simple(project: Project) -> None:
    project.write("metrics.json", json.dumps({"acc": 0.9}))
    project.manifest(
        milestones=[{"id": "m1", "title": "one"}],
        checklist=[
            item(
                "run",
                {
                    "kind": "command",
                    "run": "echo ran",
                    "metrics_file": "metrics.json",
                    "expect": {"acc": {"value": 0.9, "abs_tol": 0.01}},
                },
                milestone="m1",
            ),
            item("ticked", done=True, owner="bob"),
        ],
    )


def test_record_format(project: Project) -> None:
    _simple(project)
    assert project.check().returncode == 0
    data = json.loads(project.evidence.read_text())
    assert data["format"] == "handover-docs/evidence/1"
    assert data["tool"] == {"name": "handover-docs", "version": __version__}
    assert data["manifest_digest"] == manifest.load(project.root).digest
    assert data["environment"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert len(data["environment"]["packages_sha256"]) == 64
    record = data["checks"]["run"]
    assert set(record) >= {
        "id", "kind", "title", "owner", "milestone", "required", "status", "message",
        "started_at", "finished_at", "duration", "comparisons", "notes", "log", "spec",
        "manifest_digest",
    }  # fmt: skip
    assert record["status"] == "pass"
    assert record["started_at"].endswith("Z")
    assert record["log"]["path"] == "logs/run.log"
    assert "ran" in record["log"]["tail"]
    assert record["spec"]["run"] == "echo ran"
    assert "ticked" not in data["checks"]  # manual items have no record
    assert (
        evidence_digest(project.evidence)
        == hashlib.sha256(project.evidence.read_bytes()).hexdigest()
    )
    assert not [p for p in project.evidence.parent.rglob("*") if ".partial" in p.name]


def test_load_evidence_missing_and_corrupt(tmp_path: Path) -> None:
    assert load_evidence(tmp_path / "none.json") is None
    bad = tmp_path / "evidence.json"
    bad.write_text('{"format": "handover-docs/evidence/1",\n  "checks": [}\n')
    with pytest.raises(HandoverError) as info:
        load_evidence(bad)
    assert info.value.findings[0].location.line == 2
    with pytest.raises(HandoverError):
        evidence_digest(tmp_path / "none.json")


def test_status_for_manual_items_and_not_run(project: Project) -> None:
    _simple(project)
    loaded = manifest.load(project.root)
    statuses = status_for(None, loaded)
    assert statuses["run"].status == "not-run"
    assert statuses["ticked"].status == "manual"
    assert statuses["ticked"].owner == "bob"
    assert project.check().returncode == 0
    statuses = status_for(load_evidence(project.evidence), loaded)
    run = statuses["run"]
    assert (run.status, run.owner, run.milestone) == ("pass", "alice", "m1")
    assert run.measured_values["acc"] == 0.9
    assert run.expected_values["acc"] == "0.9 ± 0.01"
    assert run.measured == "exit code 0, acc 0.9"
    assert run.expected == "exit code 0, acc 0.9 ± 0.01"
    assert run.finished_at is not None and run.duration is not None
    assert run.finished == run.finished_at.strftime("%Y-%m-%d %H:%M UTC")


def test_stale_by_age(project: Project) -> None:
    _simple(project)
    assert project.check().returncode == 0
    loaded = manifest.load(project.root)
    evidence = load_evidence(project.evidence)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=8)
    assert status_for(evidence, loaded, parse_age("7d"))["run"].status == "pass"
    stale = status_for(evidence, loaded, parse_age("7d"), at=later)["run"]
    assert stale.status == "stale"
    assert stale.recorded_status == "pass"
    assert "older than 7.0 days" in stale.stale_reason
    time.sleep(1.1)
    result = project.check("--status", "--ci", "--max-age", "1s")
    assert result.returncode == 1
    assert "ci: required items not passing: run (stale)" in result.stdout


def test_stale_for_another_manifest_and_ci(project: Project) -> None:
    _simple(project)
    assert project.check().returncode == 0
    assert project.check("--status", "--ci").returncode == 0
    checks = project.root / "handover" / "checks.yaml"
    checks.write_text(checks.read_text().replace("title: item run", "title: item run, renamed"))
    result = project.check("--status", "--ci", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    [run] = [i for i in report["items"] if i["id"] == "run"]
    assert run["status"] == "stale"
    assert run["stale_reason"].startswith("produced for another manifest")
    assert report["ci_failing"] == ["run"]
    assert project.check("--ci").returncode == 0  # a fresh run clears it


def test_ci_fails_on_unticked_required_manual_items(project: Project) -> None:
    _simple(project)
    checks = project.root / "handover" / "checks.yaml"
    checks.write_text(checks.read_text().replace("done: true", "done: false"))
    assert project.check().returncode == 0  # ran checks all pass
    result = project.check("--ci")
    assert result.returncode == 1
    assert "ticked (not-run)" in result.stdout


def test_partial_run_keeps_other_records(project: Project) -> None:
    project.manifest(
        checklist=[
            item("a", {"kind": "command", "run": "echo first-a"}),
            item("b", {"kind": "command", "run": "echo first-b"}),
        ]
    )
    assert project.check().returncode == 0
    before = json.loads(project.evidence.read_text())["checks"]["b"]
    assert project.check("--only", "a").returncode == 0
    after = json.loads(project.evidence.read_text())
    assert after["checks"]["b"] == before
    assert after["selection"] == {"only": ["a"], "milestone": None}


def _start_long_run(project: Project, marker: Path) -> subprocess.Popen[str]:
    project.write(
        "slow.py",
        "import pathlib, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"pathlib.Path({str(marker)!r}).write_text(str(child.pid))\n"
        "print('halfway', flush=True)\n"
        "time.sleep(60)\n",
    )
    project.manifest(
        checklist=[
            item("quick", {"kind": "command", "run": "echo quick"}),
            item("slow", {"kind": "command", "run": "python slow.py"}, needs=["quick"]),
        ]
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "handover_docs", "check", str(project.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return process


def _previous(project: Project) -> tuple[bytes, bytes]:
    project.manifest(checklist=[item("quick", {"kind": "command", "run": "echo old"})])
    assert project.check().returncode == 0
    log = project.evidence.parent / "logs" / "quick.log"
    return project.evidence.read_bytes(), log.read_bytes()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_keeps_previous_evidence(
    project: Project, tmp_path: Path, how: signal.Signals
) -> None:
    old_evidence, old_log = _previous(project)
    marker = tmp_path / "child.pid"
    process = _start_long_run(project, marker)
    process.send_signal(how)
    process.communicate(timeout=30)
    assert process.returncode != 0
    assert project.evidence.read_bytes() == old_evidence
    assert (project.evidence.parent / "logs" / "quick.log").read_bytes() == old_log
    assert (
        json.loads(old_evidence)["checks"]["quick"]["log"]["sha256"]
        == hashlib.sha256(old_log).hexdigest()
    )
    assert not list(project.evidence.parent.glob(".evidence.json.*"))
    grandchild = int(marker.read_text())
    if how != signal.SIGKILL:  # a killed handover cannot clean up; others stop the commands
        assert process.returncode == 130
        assert not list((project.evidence.parent / "logs").glob(".partial-*"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(grandchild):
            time.sleep(0.05)
        assert not _alive(grandchild)
    elif _alive(grandchild):  # orphaned by the SIGKILL: clean up its process group
        os.killpg(os.getpgid(grandchild), signal.SIGKILL)
    # The next run works and replaces the evidence.
    assert project.check("--only", "quick").returncode == 0
    assert project.evidence.read_bytes() != old_evidence
    assert not list((project.evidence.parent / "logs").glob(".partial-*"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")
