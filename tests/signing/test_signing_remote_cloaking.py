"""Cloaking: a host that shows the verifier one thing and browsers another (loopback servers)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from signing_helpers import Key, make_key, make_site, sign

from handover_docs.signing import remote

INJECTED = b"<script src='https://evil.example/x.js'></script>"


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


class _Cloaking(BaseHTTPRequestHandler):
    """Serves a site folder; HTML goes out with a script unless ``clean(User-Agent)`` holds."""

    folder: Path
    clean: Callable[[str], bool]
    agents: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        agent = self.headers.get("User-Agent", "")
        self.agents.append(agent)
        path = urllib.parse.unquote(self.path.split("?")[0]).lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        file = self.folder / path
        if not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        if path.endswith(".html") and not type(self).clean(agent):
            body = body.replace(b"</body>", INJECTED + b"</body>")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    request_queue_size = 64


@contextmanager
def cloaking(folder: Path, clean: Callable[[str], bool]) -> Iterator[tuple[str, list[str]]]:
    agents: list[str] = []
    handler = type(
        "H", (_Cloaking,), {"folder": folder, "clean": staticmethod(clean), "agents": agents}
    )
    httpd = _Server(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", agents
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def verify_cli(url: str, key: Key, *options: str) -> tuple[int, dict[str, Any]]:
    command = [sys.executable, "-m", "handover_docs", "verify", url, "--key", str(key.public)]
    done = subprocess.run(
        [*command, "--json", *options], capture_output=True, text=True, timeout=240
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)


HTML_PAGES = [
    "about/index.html",
    "glossary/a b & c.html",
    "index.html",
    "model-card/index.html",
    "r\u00e9sum\u00e9/index.html",
]


def test_a_host_that_injects_a_script_for_browsers_only_is_caught_by_default(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    with cloaking(site, clean=lambda agent: not agent.startswith("Mozilla/")) as (url, agents):
        sign(site, key, site_url=url)
        code, report = verify_cli(url, key)
    assert code == 1 and report["ok"] is False
    assert sorted(p["path"] for p in report["problems"]) == HTML_PAGES
    assert {p["kind"] for p in report["problems"]} == {"larger"}  # the script made them longer
    assert set(agents) == {remote.BROWSER_USER_AGENT}


def test_the_user_agent_option_is_what_the_host_sees(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with cloaking(site, clean=lambda agent: agent == "auditor-bot/2") as (url, agents):
        sign(site, key, site_url=url)
        code, report = verify_cli(url, key, "--user-agent", "auditor-bot/2")
    assert code == 0, report["problems"]
    assert set(agents) == {"auditor-bot/2"}


def test_compare_agents_names_the_files_served_differently(tmp_path: Path, key: Key) -> None:
    """This host knows the verifier's default agent and serves it the signed pages."""
    site = make_site(tmp_path / "site")
    with cloaking(site, clean=lambda agent: agent == remote.BROWSER_USER_AGENT) as (url, agents):
        sign(site, key, site_url=url)
        plain_code, _ = verify_cli(url, key)
        code, report = verify_cli(url, key, "--compare-agents")
    assert plain_code == 0  # one agent alone cannot see this host cloak
    assert code == 1 and report["ok"] is False
    assert sorted(p["path"] for p in report["problems"]) == HTML_PAGES
    for problem in report["problems"]:
        assert problem["kind"] == "modified"
        assert "served differently to different User-Agents (cloaking)" in problem["message"]
        assert remote.TOOL_USER_AGENT in problem["message"]
    assert remote.TOOL_USER_AGENT in agents


def test_compare_agents_passes_an_honest_host(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    with cloaking(site, clean=lambda agent: True) as (url, agents):
        sign(site, key, site_url=url)
        code, report = verify_cli(url, key, "--compare-agents", "--user-agent", "auditor-bot/2")
    assert code == 0, report["problems"]
    assert {"auditor-bot/2", remote.TOOL_USER_AGENT} <= set(agents)


def test_the_second_agent_differs_from_the_first() -> None:
    assert remote.other_agent(remote.BROWSER_USER_AGENT) == remote.TOOL_USER_AGENT
    assert remote.other_agent(remote.TOOL_USER_AGENT) == remote.BROWSER_USER_AGENT
