"""Ordering by needs, parallel runs, skipping, selection and exit codes."""

from __future__ import annotations

import datetime as dt
import json

from checks_fixtures import Project, item

SLEEP = "python -c 'import time; time.sleep({})'"


def _times(project: Project) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    checks = json.loads(project.evidence.read_text())["checks"]
    return {
        ident: (
            dt.datetime.fromisoformat(c["started_at"].replace("Z", "+00:00")),
            dt.datetime.fromisoformat(c["finished_at"].replace("Z", "+00:00")),
        )
        for ident, c in checks.items()
        if c["status"] != "skipped"
    }


def test_dependency_order(project: Project) -> None:
    # Written in reverse order: 'c' needs 'b' needs 'a'.
    project.manifest(
        checklist=[
            item("c", {"kind": "command", "run": "true"}, needs=["b"]),
            item("b", {"kind": "command", "run": SLEEP.format(0.3)}, needs=["a"]),
            item("a", {"kind": "command", "run": SLEEP.format(0.3)}),
        ]
    )
    result = project.check("--jobs", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    times = _times(project)
    assert times["a"][1] <= times["b"][0]
    assert times["b"][1] <= times["c"][0]
    starts = [ln.split()[1] for ln in result.stderr.splitlines() if ln.startswith("start")]
    assert starts == ["a", "b", "c"]


RENDEZVOUS = """\
import pathlib, sys, time
me, peer = sys.argv[1], sys.argv[2]
pathlib.Path(me).touch()
deadline = time.monotonic() + 8
while not pathlib.Path(peer).exists():
    if time.monotonic() > deadline:
        sys.exit(f"{peer} never started: not running in parallel")
    time.sleep(0.02)
"""


def test_independent_checks_run_in_parallel(project: Project) -> None:
    # Each command waits until the other has started: only a parallel run passes both.
    project.write("meet.py", RENDEZVOUS)
    project.manifest(
        checklist=[
            item("left", {"kind": "command", "run": "python meet.py l.flag r.flag"}),
            item("right", {"kind": "command", "run": "python meet.py r.flag l.flag"}),
        ]
    )
    result = project.check("--jobs", "2")
    assert result.returncode == 0, result.stdout
    times = _times(project)
    assert times["left"][0] < times["right"][1] and times["right"][0] < times["left"][1]
    for flag in ("l.flag", "r.flag"):
        (project.root / flag).unlink()
    result = project.check("--jobs", "1")
    assert result.returncode == 1
    assert "never started: not running in parallel" in result.stdout
    times = _times(project)
    assert times["left"][1] <= times["right"][0]  # one after the other, in manifest order


def test_failed_need_skips_dependents_transitively(project: Project) -> None:
    project.manifest(
        checklist=[
            item("broken", {"kind": "command", "run": "false"}),
            item("child", {"kind": "command", "run": "true"}, needs=["broken"]),
            item("grandchild", {"kind": "command", "run": "true"}, needs=["child"]),
            item("unrelated", {"kind": "command", "run": "true"}),
        ]
    )
    result = project.check("--json")
    assert result.returncode == 1
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["broken"]["status"] == "fail"
    assert items["child"]["status"] == "skipped"
    assert items["child"]["message"] == "skipped: needs 'broken' (fail)"
    assert items["grandchild"]["message"] == "skipped: needs 'child' (skipped)"
    assert items["unrelated"]["status"] == "pass"


def test_manual_needs(project: Project) -> None:
    project.manifest(
        checklist=[
            item("signed", done=True),
            item("unsigned"),
            item("after-signed", {"kind": "command", "run": "true"}, needs=["signed"]),
            item("after-unsigned", {"kind": "command", "run": "true"}, needs=["unsigned"]),
        ]
    )
    result = project.check("--json")
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["after-signed"]["status"] == "pass"
    assert items["after-unsigned"]["status"] == "skipped"
    assert items["after-unsigned"]["message"] == "skipped: needs 'unsigned' (manual, not ticked)"
    assert result.returncode == 1


def test_only_and_milestone_select_with_their_needs(project: Project) -> None:
    project.manifest(
        milestones=[{"id": "m1", "title": "one"}, {"id": "m2", "title": "two"}],
        checklist=[
            item("base", {"kind": "command", "run": "true"}, milestone="m1"),
            item("x", {"kind": "command", "run": "true"}, milestone="m2", needs=["base"]),
            item("y", {"kind": "command", "run": "true"}, milestone="m2"),
            item("z", {"kind": "command", "run": "true"}, milestone="m1"),
        ],
    )
    result = project.check("--only", "x")
    assert result.returncode == 0
    assert set(json.loads(project.evidence.read_text())["checks"]) == {"base", "x"}
    project.evidence.unlink()
    assert project.check("--milestone", "m1").returncode == 0
    assert set(json.loads(project.evidence.read_text())["checks"]) == {"base", "z"}
    result = project.check("--only", "yy")
    assert result.returncode == 2
    assert "no checklist item 'yy'" in result.stderr and "did you mean 'y'?" in result.stderr
    result = project.check("--milestone", "m3")
    assert result.returncode == 2
    assert "no milestone 'm3'" in result.stderr


def test_optional_failure_exits_zero_but_is_reported(project: Project) -> None:
    project.manifest(
        checklist=[
            item("must", {"kind": "command", "run": "true"}),
            item("nice", {"kind": "command", "run": "false"}, required=False),
        ]
    )
    result = project.check()
    assert result.returncode == 0
    assert "1 optional check(s) failed: nice" in result.stdout


def test_bad_options_are_input_errors(project: Project) -> None:
    project.manifest(checklist=[item("a", {"kind": "command", "run": "true"})])
    for args, message in (
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--max-age", "soon"], "bad age 'soon'"),
    ):
        result = project.check(*args)
        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    result = project.check("--evidence", str(project.root / "elsewhere" / "ev.json"))
    assert result.returncode == 0
    assert (project.root / "elsewhere" / "logs" / "a.log").is_file()
    assert not project.evidence.exists()


def test_corrupt_previous_evidence_is_replaced_with_a_warning(project: Project) -> None:
    project.manifest(checklist=[item("a", {"kind": "command", "run": "true"})])
    project.write(".handover/evidence.json", "{not json")
    result = project.check()
    assert result.returncode == 0
    assert "evidence file is not valid JSON" in result.stderr
    assert json.loads(project.evidence.read_text())["checks"]["a"]["status"] == "pass"
