"""``handover serve --engine zensical``: it serves the rendered site, and a manifest edit
is rendered again and served (a real ``zensical serve`` on 127.0.0.1, a real watcher)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import FIXTURES, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, text: str, proc: subprocess.Popen[str], seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    page = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        page = _fetch(url)
        if page is not None and text in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {text!r}; last page: {(page or '')[:300]}")


def test_serve_renders_then_re_renders_after_a_manifest_edit(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "site", root)
    port = _free_port()
    command = ["handover_docs", "serve", "--engine", "zensical", "-a", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        card = f"http://127.0.0.1:{port}/handover/model-card/"
        _wait_for(card, "1.2.3", proc)
        model = root / "handover" / "model.yaml"
        model.write_text(model.read_text().replace('version: "1.2.3"', 'version: "9.8.7"'))
        _wait_for(card, "9.8.7", proc)
        assert not (root / "docs" / "handover").exists()  # never written into docs/
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)


def test_serve_with_a_broken_manifest_exits_2_with_the_location(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "site", root)
    model = root / "handover" / "model.yaml"
    model.write_text(model.read_text() + "\nnot_a_field: 1\n")
    served = run_cli(["serve", "--engine", "zensical", "-a", "127.0.0.1:1"], cwd=root)
    assert served.returncode == 2
    assert "model.yaml:" in served.stderr and "Traceback" not in served.stderr
