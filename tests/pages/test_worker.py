"""The worker (``pages/worker.py``): a real forked child streams keyed items, answers
requests, and hands back its result, its log records, its findings or its traceback."""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.pages import worker

CHILD_ENV = "HANDOVER_TEST_WORKER_CLEAN_PROCESS"
ROOT = Path(__file__).resolve().parents[2]


def clean_process(test: Callable[..., None]) -> Callable[..., None]:
    """Run TEST where the worker may fork: in this process when no other thread runs, else
    (pytest-xdist's threads) in a fresh single-threaded pytest process, whose result this
    test takes. Never skipped: a run that cannot fork fails."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        if threading.active_count() == 1 or os.environ.get(CHILD_ENV):
            test(*args, **kwargs)
            return
        node = f"{Path(__file__).relative_to(ROOT).as_posix()}::{test.__name__}"
        env = {**os.environ, CHILD_ENV: "1"}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:xdist",
                "-p",
                "no:cacheprovider",
                node,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr

    return run


def _fork(compute: worker.Compute, serve: worker.Serve) -> worker.Worker:
    assert threading.active_count() == 1, "another thread runs: the worker would not fork"
    started = worker.start(compute, serve)
    assert started is not None
    return started


@clean_process
def test_items_replies_result_and_log_records(caplog: pytest.LogCaptureFixture) -> None:
    def compute(emit: worker.Emit) -> Any:
        logging.getLogger("mkdocs.plugins.handover").warning("drawn in %s", "the child")
        emit("plan", {"pages": ["handover/a.md", "handover/b.md"]})
        emit(("page", "handover/a.md"), "# A")
        emit(("page", "handover/b.md"), "# B " + str(os.getpid()))
        return {"handover/assets/x.css": b"body{}"}

    w = _fork(compute, lambda text: text.upper())
    assert w.take("plan") == {"pages": ["handover/a.md", "handover/b.md"]}
    assert w.take(("page", "handover/b.md")) != f"# B {os.getpid()}"  # in another process
    assert w.take(("page", "handover/a.md")) == "# A"  # in any order
    assert ("page", "handover/a.md") not in w.items  # taken: not held twice
    w.submit("p1", "linked in the child")
    with caplog.at_level(logging.WARNING):
        assert w.finish() == {"handover/assets/x.css": b"body{}"}
    assert w.replies == {"p1": "LINKED IN THE CHILD"}
    assert "drawn in the child" in caplog.text


@clean_process
def test_findings_in_the_child_are_raised_in_the_parent() -> None:
    finding = Finding(Location("templates/people.md.j2", 4, 7), "template error: unknown filter")

    def compute(emit: worker.Emit) -> Any:
        emit(("page", "handover/index.md"), "# Overview")
        raise HandoverError(finding)

    w = _fork(compute, str)
    assert w.take(("page", "handover/index.md")) == "# Overview"
    with pytest.raises(HandoverError) as raised:
        w.take(("page", "handover/people.md"))
    assert [str(f) for f in raised.value.findings] == [str(finding)]
    assert str(raised.value.findings[0]).startswith("templates/people.md.j2:4:7")


@clean_process
def test_a_crash_in_the_child_is_reported_with_its_traceback() -> None:
    def compute(emit: worker.Emit) -> Any:
        return {"x": {}["missing"]}

    w = _fork(compute, str)
    with pytest.raises(worker.WorkerFailed, match="KeyError: 'missing'"):
        w.finish()


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert worker.start(lambda emit: {}, str) is None
    finally:
        stop.set()
        thread.join()
