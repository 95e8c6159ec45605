"""Real-browser tests of the built site: builds, servers, the browser and their fixtures.

(conftest.py re-exports the fixtures; test modules import the helpers from here, since a
module named ``conftest`` is ambiguous across test folders.)

The example handover is copied (working tree, without .venv, site, .handover, .git and
caches) to a temp folder, checked with ``handover check`` so the checklist carries evidence,
and built once with ``mkdocs build`` under SOURCE_DATE_EPOCH and with
HANDOVER_SIGNING_KEY set to a key made by ``handover keygen``. The XSS fixture handover
(tests/fixtures/site) is built into its own site. Each site is served by a real HTTP server
on 127.0.0.1 and browsed with Debian's Chromium, driven by Playwright (never a browser
download). (Strict builds are the plugin tests' job; here a warning must not hide what a
user would see, and the link test below finds broken links in the browser.)

Under pytest-xdist the two builds are made once per run and shared by the workers (a file
lock in the run's temp root); the sites are never changed on disk: a test that needs a
tampered page asks the server to serve other bytes for it (``Server.override``).

Every test's browser context records every request and every console message; a test fails
if a request leaves loopback or the console shows an error (unless the test expects one and
clears it with ``Browser.expect_console_errors``).
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

REPO = Path(__file__).resolve().parents[2]
SITE_FIXTURE = REPO / "tests" / "fixtures" / "site"
OUTPUT = REPO / "test-output" / "screenshots"
README_SCREENSHOTS = REPO / "screenshots"
FLAGS = CHROMIUM_FLAGS
SOURCE_DATE_EPOCH = "1764115200"  # 2025-11-26 00:00:00 UTC
VIEWPORT = {"width": 1280, "height": 800}

NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "site",
    ".handover",
    "__pycache__",
    ".*_cache",
    "*.egg-info",
    "build",
    "dist",
    "test-output",
    "screenshots",
)


# --- building ------------------------------------------------------------------------------


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@dataclass
class Built:
    """A built site: its project copy, its site folder and (for the example) its key id."""

    project: Path
    site: Path
    key_id: str = ""

    def pages(self) -> list[str]:
        """Every page as its URL path: '' for the home page, 'a/b/' for a/b/index.html."""
        return sorted(
            p.parent.relative_to(self.site).as_posix() + "/" if p.parent != self.site else ""
            for p in self.site.rglob("index.html")
        )


def copy_example_with_key(folder: Path) -> tuple[Path, Path, str]:
    """A copy of the repo's example in ``folder/repo`` and a new signing key: (project, key
    file, key id)."""
    project = folder / "repo"
    shutil.copytree(REPO, project, ignore=NOT_COPIED)
    keys = folder / "keys"
    keys.mkdir()
    made = _run(["handover_docs", "keygen", str(keys / "release-key")], project, {})
    assert made.returncode == 0, made.stderr
    key_id = next(w for w in made.stdout.split() if w.startswith("sha256:"))
    return project, keys / "release-key", key_id


def _build_example(folder: Path) -> Built:
    project, key, key_id = copy_example_with_key(folder)
    # Evidence for the checklist pages; a failing check is still evidence to show.
    checked = _run(["handover_docs", "check"], project, {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    assert checked.returncode in (0, 1), checked.stdout + checked.stderr
    site = folder / "site"
    built = _run(
        ["mkdocs", "build", "-d", str(site)],
        project,
        {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "HANDOVER_SIGNING_KEY": str(key)},
    )
    assert built.returncode == 0, built.stderr[-4000:]
    assert (site / "handover-signature.json").is_file(), "the build did not sign the site"
    return Built(project, site, key_id)


TOOLTIP_PAYLOAD = "Plants. <img src=x onerror=alert('tooltip')> <b>bold</b>"
"""One more payload, for the tooltip a glossary term shows (the term appears on the datasheet)."""


def _build_fixture(folder: Path) -> Built:
    project = folder / "project"
    shutil.copytree(SITE_FIXTURE, project)
    (project / "handover" / "zz-browser-tooltip.yaml").write_text(
        "handover: 1\nglossary:\n  - term: Flowers\n"
        f"    definition: {json.dumps(TOOLTIP_PAYLOAD)}\n"
    )
    site = folder / "site"
    built = _run(
        ["mkdocs", "build", "-d", str(site)],
        project,
        {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
    )
    assert built.returncode == 0, built.stderr[-4000:]
    return Built(project, site)


def _once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Built]) -> Built:
    """Build once per run; under xdist the first worker builds and the others reuse it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(factory.mktemp(name))
    shared = factory.getbasetemp().parent  # the run's root, common to all workers
    folder = shared / f"browser-{name}"
    with open(shared / f"browser-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / "built.txt"
        if done.exists():
            project, site, key_id = done.read_text().split("\n")
            return Built(Path(project), Path(site), key_id)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        built = make(folder)
        done.write_text(f"{built.project}\n{built.site}\n{built.key_id}")
        return built


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The repo's example handover: checked, built and signed once."""
    return _once(tmp_path_factory, "example", _build_example)


@pytest.fixture(scope="session")
def xss_fixture(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture handover with XSS payloads in every kind of field, built once."""
    return _once(tmp_path_factory, "xss", _build_fixture)


# --- serving -------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    overrides: dict[str, bytes]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        data = self.overrides.get(path)
        if data is None:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


@dataclass
class Server:
    """A real HTTP server on 127.0.0.1 serving a site folder (port chosen by the OS)."""

    url: str
    origin: str
    root: Path
    overrides: dict[str, bytes] = field(default_factory=dict)

    def override(self, path: str, data: bytes) -> None:
        """Serve DATA for the site file PATH (e.g. 'handover/index.html'); the disk is untouched."""
        self.overrides[path] = data


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A page left mid-load (the verify page fetching every file) drops its connections.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _serve(root: Path) -> Iterator[Server]:
    overrides: dict[str, bytes] = {}
    handler = type("Handler", (_Handler,), {"overrides": overrides})
    httpd = _HTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield Server(origin + "/", origin, root, overrides)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def example_server(example: Built) -> Iterator[Server]:
    yield from _serve(example.site)


@pytest.fixture
def served(example_server: Server) -> Iterator[Server]:
    """The example site's server; overrides made by a test end with it."""
    yield example_server
    example_server.overrides.clear()


@pytest.fixture(scope="session")
def xss_server(xss_fixture: Built) -> Iterator[Server]:
    yield from _serve(xss_fixture.site)


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium (Debian's) per test module.

    Not per session: Playwright's sync API keeps an asyncio loop running while it is open,
    and other test folders (tests/diagrams) start their own Playwright in the same worker.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is absent ({CHROMIUM}); scripts/setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("browser-home")
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home), XDG_CACHE_HOME=str(home))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def sized(chromium: Any) -> Iterator[Any]:
    """A function that opens a fresh page at a viewport size (closed at the end); the test
    fails on any uncaught script error of those pages."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(viewport: dict[str, int]) -> Any:
        context = chromium.new_context(viewport=viewport, color_scheme="light")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"uncaught script errors: {errors}"


@dataclass
class Browser:
    """A browser context and its page, with everything they requested and logged."""

    context: Any
    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        shown = [f"{text} (at {url})" for kind, text, url in self.console if kind == "error"]
        return shown + [f"uncaught: {e}" for e in self.page_errors]

    def expect_console_errors(self) -> list[str]:
        """Return the console errors so far and forget them (for a test that expects some)."""
        seen = self.errors()
        self.console.clear()
        self.page_errors.clear()
        return seen

    def new_page(self) -> Any:
        page = self.context.new_page()
        self._watch(page)
        return page

    def _watch(self, page: Any) -> None:
        page.on(
            "console",
            lambda m: self.console.append((m.type, m.text, (m.location or {}).get("url", ""))),
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Remember whether the test body passed (the browser fixtures check more only then)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_PASSED] = report.passed


_PASSED = pytest.StashKey[bool]()


def _open(
    request: pytest.FixtureRequest, chromium: Any, allowed: list[str], **options: Any
) -> Iterator[Browser]:
    context = chromium.new_context(viewport=VIEWPORT, **options)
    context.set_default_timeout(15_000)
    browser = Browser(context, None)
    context.on("request", lambda r: browser.requests.append(r.url))
    browser.page = browser.new_page()
    try:
        yield browser
        if not request.node.stash.get(_PASSED, False):
            return  # the test failed already: its own message says why
        outside = [
            u for u in browser.requests if not any(u.startswith(origin + "/") for origin in allowed)
        ]
        assert not outside, f"requests left the loopback server: {outside[:10]}"
        assert not browser.errors(), f"console errors: {browser.errors()[:10]}"
        assert not browser.dialogs, f"dialogs opened: {browser.dialogs}"
    finally:
        context.close()


@pytest.fixture
def browser(request: pytest.FixtureRequest, chromium: Any, served: Server) -> Iterator[Browser]:
    """A fresh context on the example site (light scheme, 1280x800)."""
    yield from _open(request, chromium, [served.origin], color_scheme="light")


@pytest.fixture
def dark_browser(
    request: pytest.FixtureRequest, chromium: Any, served: Server
) -> Iterator[Browser]:
    """A fresh context whose system prefers the dark scheme."""
    yield from _open(request, chromium, [served.origin], color_scheme="dark")


@pytest.fixture
def xss_browser(
    request: pytest.FixtureRequest, chromium: Any, xss_server: Server
) -> Iterator[Browser]:
    yield from _open(request, chromium, [xss_server.origin], color_scheme="light")


def screenshot(page: Any, name: str) -> Path:
    """Save a viewport screenshot to test-output/screenshots/NAME.png (and, when
    HANDOVER_README_SCREENSHOTS=1, to screenshots/NAME.png for the README)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    if os.environ.get("HANDOVER_README_SCREENSHOTS") == "1":
        README_SCREENSHOTS.mkdir(exist_ok=True)
        target = README_SCREENSHOTS / f"{name}.png"
        tmp = target.with_suffix(".png.tmp")
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    return path
