"""Command checks: real subprocesses, metrics with tolerance, outputs, failures, timeouts."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from checks_fixtures import Project, item, sha256

WRITE_METRICS = """\
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
print("training...", flush=True)
(out / "metrics.json").write_text(json.dumps({"accuracy": 0.96, "auc": {"roc": 0.99}}))
(out / "model.bin").write_bytes(b"weights")
print("python:", sys.executable)
"""


def command(run: str, **fields: object) -> dict[str, object]:
    return {"kind": "command", "run": run, **fields}


def test_metrics_within_tolerance_and_output_digests_pass(project: Project) -> None:
    project.write("train.py", WRITE_METRICS)
    project.manifest(
        checklist=[
            item(
                "retrain",
                command(
                    "python train.py out",
                    metrics_file="out/metrics.json",
                    expect={
                        "accuracy": {"value": 0.95, "abs_tol": 0.01},
                        "auc.roc": {"value": 1.0, "rel_tol": 0.01},
                    },
                    outputs=[{"path": "out/model.bin", "sha256": sha256(b"weights")}],
                ),
            )
        ],
    )
    result = project.check()
    assert result.returncode == 0, result.stdout + result.stderr
    record = json.loads(project.evidence.read_text())["checks"]["retrain"]
    rows = {c["name"]: c for c in record["comparisons"]}
    assert rows["accuracy"]["measured"] == 0.96
    assert rows["accuracy"]["tolerance"] == 0.01
    assert rows["auc.roc"]["ok"] is True
    assert rows["sha256 out/model.bin"]["ok"] is True
    # The command ran with the same interpreter as handover, found first on PATH.
    assert f"python: {Path(sys.executable).parent}" in "\n".join(record["log"]["tail"])
    log = project.root / ".handover" / record["log"]["path"]
    assert sha256(log.read_bytes()) == record["log"]["sha256"]


def test_metric_outside_tolerance_fails_with_both_values(project: Project) -> None:
    project.write("train.py", WRITE_METRICS)
    project.manifest(
        checklist=[
            item(
                "retrain",
                command(
                    "python train.py out",
                    metrics_file="out/metrics.json",
                    expect={"accuracy": {"value": 0.95, "abs_tol": 0.005}, "f1": {"value": 1}},
                    outputs=[{"path": "out/model.bin", "sha256": "0" * 64}],
                ),
            )
        ],
    )
    result = project.check()
    assert result.returncode == 1
    assert "accuracy = 0.96, expected 0.95 ± 0.005" in result.stdout
    assert "metric 'f1' is missing from out/metrics.json" in result.stdout
    assert "output out/model.bin: sha256" in result.stdout


def test_failing_command_fails_with_log_tail_and_others_go_on(project: Project) -> None:
    project.write("boom.py", "print('step 1')\nraise SystemExit('disk full: cannot write')\n")
    project.write("ok.txt", "fine")
    project.manifest(
        artifacts=[
            {"id": "ok", "name": "ok", "kind": "other", "path": "ok.txt", "sha256": sha256(b"fine")}
        ],
        checklist=[
            item("boom", command("python boom.py")),
            item("other", {"kind": "artifact", "artifact": "ok"}),
        ],
    )
    result = project.check()
    assert result.returncode == 1
    assert "command failed (exit code 1): python boom.py" in result.stdout
    assert "| disk full: cannot write" in result.stdout  # the log tail is shown
    checks = json.loads(project.evidence.read_text())["checks"]
    assert checks["other"]["status"] == "pass"
    assert "disk full: cannot write" in checks["boom"]["log"]["tail"]


def test_timeout_stops_the_whole_process_group(project: Project, tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    project.write(
        "hang.py",
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "print('waiting forever', flush=True)\n"
        "time.sleep(60)\n",
    )
    project.manifest(checklist=[item("hang", command("python hang.py", timeout=1.5))])
    started = time.monotonic()
    result = project.check()
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert "timed out after 1.5s: python hang.py" in result.stdout
    assert elapsed < 15
    record = json.loads(project.evidence.read_text())["checks"]["hang"]
    assert "waiting forever" in record["log"]["tail"]
    assert 1.5 <= record["duration"] < 10
    grandchild = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


def test_shell_syntax_and_cwd(project: Project) -> None:
    project.write("sub/.keep", "")
    project.manifest(
        checklist=[
            item(
                "shell",
                command(
                    "echo '{\"n\": 3}' > m.json && test -f m.json",
                    cwd="sub",
                    metrics_file="sub/m.json",
                    expect={"n": {"value": 3}},
                ),
            )
        ],
    )
    result = project.check()
    assert result.returncode == 0, result.stdout


def test_missing_metrics_file_and_unstartable_command_fail_clearly(project: Project) -> None:
    project.manifest(
        checklist=[
            item("no-metrics", command("true", metrics_file="m.json", expect={"a": {"value": 1}})),
            item("no-program", command("no-such-program-xyz --flag")),
        ],
    )
    result = project.check()
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "metrics file m.json was not written" in result.stdout
    assert "cannot start 'no-such-program-xyz'" in result.stdout


def test_expect_without_metrics_file_is_bad_input_with_location(project: Project) -> None:
    project.manifest(checklist=[item("x", command("true", expect={"a": {"value": 1}}))])
    result = project.check()
    assert result.returncode == 2
    assert "handover/checks.yaml:" in result.stderr
    assert "'expect' needs 'metrics_file'" in result.stderr
