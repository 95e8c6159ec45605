"""``kind: command``: run a command, then compare the metrics it writes (result consistency).

The command runs from ``cwd`` (relative to the project root) without a shell when it
needs none, with this interpreter's folder first on ``PATH`` so ``python -m ...`` uses
the same Python as ``handover``, and with an allow-listed environment plus the names the
check declares in ``env:`` (never a signing secret, see :mod:`.environ`). Its output goes
to the check's log. On timeout (or when the run is interrupted) its whole process group
is stopped.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from handover_docs.checks import environ
from handover_docs.checks.hashing import FetchError, hash_file
from handover_docs.checks.metrics import MetricsError, allowed_deviation, read_metrics, within
from handover_docs.checks.result import CheckContext, CheckResult, Comparison
from handover_docs.schema import CommandCheck, OutputDigest

GRACE_SECONDS = 3.0
"""After SIGTERM, how long a timed-out command may take to exit before SIGKILL."""

_SHELL_CHARS = set("|&;<>()$`*?[]{}~\n")

_running: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()


def argv_for(run: str) -> list[str]:
    """The command as argv: split like a shell when it uses no shell syntax, else via sh -c."""
    if any(c in _SHELL_CHARS for c in run) or os.name == "nt":
        if os.name == "nt":
            return ["cmd", "/c", run]
        return ["/bin/sh", "-c", run]
    return shlex.split(run)


def command_env(declared: Iterable[str] = ()) -> dict[str, str]:
    """The allow-listed environment (see :mod:`.environ`) plus the declared names."""
    env = environ.filtered(os.environ, declared)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the process group, then kill it if it lingers."""
    if process.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(GRACE_SECONDS)
    except (ProcessLookupError, PermissionError):
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        return
    process.wait()


def stop_all() -> None:
    """Stop every command still running (the run was interrupted)."""
    with _lock:
        running = list(_running)
    for process in running:
        _stop(process)


def sha256_of(path: Path) -> str | None:
    try:
        return hash_file(path).sha256
    except FetchError:
        return None


def run(context: CheckContext, spec: CommandCheck) -> CheckResult:
    cwd = context.path(spec.cwd)
    if not cwd.is_dir():
        return CheckResult("fail", f"working folder '{spec.cwd}' does not exist")
    argv = argv_for(spec.run)
    context.log(f"$ {spec.run}   (cwd {spec.cwd}, timeout {spec.timeout:g}s)")
    if spec.env:
        context.log(f"handover: passing the declared variables {', '.join(spec.env)}")
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=command_env(spec.env),
            stdin=subprocess.DEVNULL,
            stdout=context.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        return CheckResult("fail", f"cannot start '{argv[0]}': {exc.strerror or exc}")
    with _lock:
        _running.add(process)
    try:
        context.progress(0, None)  # raises if the run was interrupted while it started
        code = process.wait(spec.timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        context.log(f"handover: stopped after the {spec.timeout:g}s timeout")
        return CheckResult(
            "fail",
            f"timed out after {spec.timeout:g}s: {spec.run}",
            [Comparison("seconds", round(time.monotonic() - started, 3), spec.timeout, False)],
        )
    except BaseException:
        _stop(process)
        raise
    finally:
        with _lock:
            _running.discard(process)
    elapsed = round(time.monotonic() - started, 3)
    context.log(f"handover: exit code {code} after {elapsed}s")
    if code != 0:
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return CheckResult(
            "fail",
            f"command failed ({how}): {spec.run}",
            [Comparison("exit code", code, 0, False)],
        )
    comparisons: list[Comparison] = [Comparison("exit code", code, 0, True)]
    if spec.expect and spec.metrics_file is None:
        return CheckResult("fail", "'expect' needs 'metrics_file' to read the values from")
    if spec.metrics_file is not None:
        try:
            comparisons += _metric_comparisons(context, spec, spec.metrics_file)
        except MetricsError as exc:
            return CheckResult("fail", str(exc), comparisons)
    comparisons += [_output_comparison(context, output) for output in spec.outputs]
    compared = len(comparisons) - 1
    detail = f", {compared} value(s) as expected" if compared else ""
    return CheckResult.from_comparisons(comparisons, passed=f"ran in {elapsed:g}s{detail}")


def _metric_comparisons(
    context: CheckContext, spec: CommandCheck, metrics_file: str
) -> list[Comparison]:
    """Each expected metric against the metrics file the command wrote (MetricsError when
    the file cannot be read)."""
    metrics = read_metrics(context.path(metrics_file), metrics_file)
    context.log(f"handover: read {len(metrics)} metric(s) from {metrics_file}")
    comparisons: list[Comparison] = []
    for name, tolerance in spec.expect.items():
        measured = metrics.get(name)
        allowed = allowed_deviation(tolerance)
        if measured is None:
            note = f"metric '{name}' is missing from {metrics_file}"
            comparisons.append(
                Comparison(name, None, tolerance.value, False, allowed or None, note)
            )
            continue
        ok = within(measured, tolerance)
        note = ""
        if not ok:
            bound = f" ± {allowed:g}" if allowed else " exactly"
            note = f"{name} = {measured:g}, expected {tolerance.value:g}{bound}"
        comparisons.append(Comparison(name, measured, tolerance.value, ok, allowed or None, note))
    return comparisons


def _output_comparison(context: CheckContext, output: OutputDigest) -> Comparison:
    """An output file the command must write, against its recorded digest."""
    digest = sha256_of(context.path(output.path))
    note = ""
    if digest is None:
        note = f"output {output.path} was not written"
    elif digest != output.sha256:
        note = f"output {output.path}: sha256 {digest[:12]}…, expected {output.sha256[:12]}…"
    return Comparison(f"sha256 {output.path}", digest, output.sha256, not note, note=note)
