"""Fetching a hosted site over HTTP(S): bounded in time and size, with correct page URLs.

A subject ``a/b/index.html`` is fetched at its directory URL ``a/b/`` (what a
browser shows and what MkDocs links to), falling back to ``a/b/index.html``
when the host does not map directory URLs. No body is read past the size the
statement recorded (+1 byte, to detect a longer file).

Time is bounded three ways, so a hostile host cannot hold a verification open:
the whole verification has a deadline (``--deadline``); a host must answer each
request (status and headers) within the timeout; once the timeout has passed, a
body must have averaged at least :data:`MIN_RATE` bytes per second. A watchdog
thread shuts the socket of a request whose time is up, so even a read blocked
on a host that sends one byte at a time ends on time.

Requests carry a browser's User-Agent by default: a host that serves a clean
page to tools and injects a script for browsers ("cloaking") is then caught,
and ``compare_agents`` fetches every file with two agents and reports any file
served differently.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import itertools
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

from handover_docs import __version__
from handover_docs.signing.report import ProblemKind

DEFAULT_TIMEOUT = 20.0
DEFAULT_DEADLINE = 300.0
"""Seconds the whole verification of a URL may take (every request together)."""
DEFAULT_JOBS = 8
READ_CHUNK = 1 << 16
MIN_RATE = 8 << 10
"""Bytes per second a body must average, counted from the request, once the timeout has passed."""
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
"""Sent by default, so a host shows the verifier what it shows browsers."""
TOOL_USER_AGENT = f"handover-docs/{__version__} (verify)"
"""The second agent of ``--compare-agents``: what a host that cloaks for tools sees."""
_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"


def is_url(text: str) -> bool:
    return urllib.parse.urlsplit(text).scheme in ("http", "https")


def site_base(url: str) -> str:
    """The site root URL, ending in '/'; a page's or the signature's URL maps to its folder."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if not path.endswith("/"):
        last = path.rsplit("/", 1)[-1]
        path = path.rsplit("/", 1)[0] + "/" if "." in last else path + "/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def file_url(base: str, name: str) -> str:
    """The URL of a site file by its path."""
    return base + "/".join(urllib.parse.quote(seg, safe=_SEGMENT_SAFE) for seg in name.split("/"))


def page_url(base: str, name: str) -> str:
    """The URL a browser uses: directory URLs for ``index.html`` files."""
    if name == "index.html":
        return base
    if name.endswith("/index.html"):
        return file_url(base, name[: -len("index.html")].rstrip("/")) + "/"
    return file_url(base, name)


def other_agent(user_agent: str) -> str:
    """The agent to compare ``user_agent`` with: the tool's own, or a browser's if that is it."""
    return TOOL_USER_AGENT if user_agent != TOOL_USER_AGENT else BROWSER_USER_AGENT


def bad_user_agent(text: str) -> str:
    """Why ``text`` cannot be sent as a User-Agent header ("" when it can)."""
    if not text.strip():
        return "is empty"
    if any(not (" " <= ch <= "~") for ch in text):
        return "must be printable ASCII on one line"
    if len(text) > 512:
        return "is longer than 512 characters"
    return ""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    """HTTP status; 0 when the request failed before a response."""
    sha256: str | None = None
    data: bytes | None = None
    size: int = 0
    too_large: bool = False
    error: str = ""

    @property
    def missing(self) -> bool:
        return self.status in (404, 410)


class Budget:
    """The time one whole verification may take, shared by all of its requests."""

    def __init__(self, seconds: float = DEFAULT_DEADLINE) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    @property
    def message(self) -> str:
        return (
            f"gave up at the deadline: the whole verification may take {self.seconds:g} s "
            "(--deadline)"
        )


class _Watchdog:
    """One thread that shuts the sockets of requests whose time is up.

    A read blocked on a socket returns (empty) once the socket is shut down, so no
    request outlives its limit by more than a moment, whatever the host sends.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._until: dict[int, float] = {}
        self._sockets: dict[int, list[socket.socket]] = {}
        self._fired: set[int] = set()
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def open(self, until: float) -> int:
        with self._cond:
            token = next(self._tokens)
            self._until[token] = until
            self._sockets[token] = []
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="handover-fetch-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return token

    def add_socket(self, token: int, sock: socket.socket) -> None:
        with self._cond:
            if token in self._fired:
                _shut(sock)
            elif token in self._sockets:
                self._sockets[token].append(sock)

    def move(self, token: int, until: float) -> None:
        with self._cond:
            if token in self._until and token not in self._fired:
                earlier = until < self._until[token]
                self._until[token] = until
                if earlier:
                    self._cond.notify()

    def fired(self, token: int) -> bool:
        with self._cond:
            return token in self._fired

    def close(self, token: int) -> None:
        with self._cond:
            self._until.pop(token, None)
            self._sockets.pop(token, None)
            self._fired.discard(token)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for token, until in self._until.items():
                    if until <= now and token not in self._fired:
                        self._fired.add(token)
                        for sock in self._sockets[token]:
                            _shut(sock)
                waiting = [u for t, u in self._until.items() if t not in self._fired]
                self._cond.wait(max(0.0, min(waiting) - now) if waiting else None)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


class _Watch:
    """One request's limits: an answer within the timeout, then the minimum rate; the deadline."""

    def __init__(self, budget: Budget, timeout: float) -> None:
        self.budget = budget
        self.timeout = timeout
        self.start = time.monotonic()
        self.received = 0
        self.answered = False
        self.token = _WATCHDOG.open(self.until())

    def until(self) -> float:
        if not self.answered:
            limit = self.start + self.timeout
        else:
            limit = self.start + max(self.timeout, self.received / MIN_RATE)
        return min(self.budget.end, limit)

    def answer(self) -> None:
        self.answered = True
        _WATCHDOG.move(self.token, self.until())

    def got(self, size: int) -> None:
        self.received += size
        _WATCHDOG.move(self.token, self.until())

    def add_socket(self, sock: socket.socket) -> None:
        _WATCHDOG.add_socket(self.token, sock)

    def why(self) -> str:
        """Why this request is over its time ("" while it is not)."""
        now = time.monotonic()
        if not _WATCHDOG.fired(self.token) and now < self.until():
            return ""
        if now >= self.budget.end:
            return self.budget.message
        elapsed = now - self.start
        if not self.answered:
            return f"no answer within the {self.timeout:g} s timeout (--timeout)"
        return (
            f"{self.received} bytes in {elapsed:.1f} s, below the minimum rate of {MIN_RATE} "
            f"bytes/s after the {self.timeout:g} s timeout; too slow: gave up"
        )

    def close(self) -> None:
        _WATCHDOG.close(self.token)


class _WatchedHTTP(http.client.HTTPConnection):
    def __init__(self, *args: Any, watch: _Watch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watch = watch

    def connect(self) -> None:
        super().connect()
        self._watch.add_socket(self.sock)


class _WatchedHandshake:
    """Wraps a TLS context so the socket is watched during the handshake too."""

    def __init__(self, context: ssl.SSLContext, watch: _Watch) -> None:
        self._context = context
        self._watch = watch

    def wrap_socket(self, sock: socket.socket, server_hostname: str | None = None) -> ssl.SSLSocket:
        wrapped = self._context.wrap_socket(
            sock, server_hostname=server_hostname, do_handshake_on_connect=False
        )
        self._watch.add_socket(wrapped)
        wrapped.do_handshake()
        return wrapped


class _WatchedHTTPS(http.client.HTTPSConnection):
    def __init__(self, *args: Any, watch: _Watch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watch = watch

    def connect(self) -> None:
        context = self._context  # type: ignore[has-type]
        self._context = cast(ssl.SSLContext, _WatchedHandshake(context, self._watch))
        try:
            super().connect()
        finally:
            self._context = context


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self._watch = watch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_WatchedHTTP, watch=self._watch), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self._watch = watch

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_WatchedHTTPS, watch=self._watch), req)


MAX_REDIRECTS = 5


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow at most a few redirects, and only to http(s) URLs."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-HTTP URL", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str,
    limit: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    keep: bool = True,
    budget: Budget | None = None,
    user_agent: str = BROWSER_USER_AGENT,
) -> Fetched:
    """GET ``url``; read at most ``limit`` + 1 bytes; hash (and keep, if asked) the body."""
    budget = budget or Budget()
    if budget.remaining() <= 0:
        return Fetched(url, 0, error=budget.message)
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": user_agent,
            "Accept-Encoding": "identity",
            "Cache-Control": "no-cache",
        },
    )
    watch = _Watch(budget, timeout)
    opener = urllib.request.build_opener(_Redirects(), _HTTPHandler(watch), _HTTPSHandler(watch))
    status = 0
    try:
        with opener.open(request, timeout=min(timeout, max(budget.remaining(), 0.01))) as response:
            watch.answer()
            status = response.status
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > limit:
                return Fetched(url, status, size=int(length), too_large=True)
            digest = hashlib.sha256()
            chunks: list[bytes] = []
            total = 0
            while total <= limit:
                chunk = response.read1(min(READ_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                total += len(chunk)
                watch.got(len(chunk))
                if why := watch.why():
                    return Fetched(url, status, error=why)
                digest.update(chunk)
                if keep:
                    chunks.append(chunk)
            if why := watch.why():  # the watchdog cut the body short
                return Fetched(url, status, error=why)
            if total > limit:
                return Fetched(url, status, size=total, too_large=True)
            data = b"".join(chunks) if keep else None
            return Fetched(url, status, digest.hexdigest(), data, total)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Fetched(url, exc.code, error=watch.why() or f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        if why := watch.why():
            return Fetched(url, status, error=why)
        reason = getattr(exc, "reason", exc)
        return Fetched(url, status, error=f"cannot fetch: {reason or type(exc).__name__}")
    finally:
        watch.close()


def fetch_page(
    base: str,
    name: str,
    size: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    budget: Budget | None = None,
    user_agent: str = BROWSER_USER_AGENT,
) -> Fetched:
    """Fetch a subject as a browser would see it; hash it without keeping the body."""
    url = page_url(base, name)
    get = functools.partial(
        fetch, timeout=timeout, keep=False, budget=budget, user_agent=user_agent
    )
    result = get(url, size)
    if result.missing and url != file_url(base, name):
        result = get(file_url(base, name), size)
    return result


def fetch_pages(
    base: str,
    items: list[tuple[str, int]],
    *,
    jobs: int = DEFAULT_JOBS,
    timeout: float = DEFAULT_TIMEOUT,
    budget: Budget | None = None,
    user_agent: str = BROWSER_USER_AGENT,
) -> dict[str, Fetched]:
    """Fetch ``(path, recorded size)`` pairs with at most ``jobs`` requests in flight."""
    jobs = max(1, min(jobs, 64))
    budget = budget or Budget()

    def one(item: tuple[str, int]) -> Fetched:
        return fetch_page(
            base, item[0], item[1], timeout=timeout, budget=budget, user_agent=user_agent
        )

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="handover-fetch") as pool:
        results = pool.map(one, items)
        return {name: result for (name, _), result in zip(items, results, strict=True)}


def _served(got: Fetched) -> str:
    if got.error:
        return got.error
    if got.missing or got.sha256 is None:
        return f"HTTP {got.status}"
    if got.too_large:
        return f"more than {got.size} bytes"
    return f"{got.size} bytes, sha256 {got.sha256[:16]}…"


class RemoteSite:
    """A hosted site, read over HTTP(S), within one time budget."""

    def __init__(
        self,
        url: str,
        *,
        jobs: int = DEFAULT_JOBS,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        user_agent: str = BROWSER_USER_AGENT,
        compare_agents: bool = False,
    ) -> None:
        self.base_url: str | None = site_base(url)
        self.label = self.base_url
        self.jobs = jobs
        self.timeout = timeout
        self.budget = Budget(deadline)
        self.user_agent = user_agent
        self.compare_agents = compare_agents

    def _fetch(self, url: str, limit: int, *, keep: bool) -> Fetched:
        return fetch(
            url,
            limit,
            timeout=self.timeout,
            keep=keep,
            budget=self.budget,
            user_agent=self.user_agent,
        )

    def read(self, name: str, limit: int) -> tuple[bytes | None, str]:
        assert self.base_url is not None
        result = self._fetch(file_url(self.base_url, name), limit, keep=True)
        if result.too_large:
            return None, f"larger than {limit} bytes"
        if result.missing:
            return None, "missing"
        if result.error:
            return None, result.error
        return result.data, ""

    def _fetch_all(self, items: list[tuple[str, int]], user_agent: str) -> dict[str, Fetched]:
        assert self.base_url is not None
        return fetch_pages(
            self.base_url,
            items,
            jobs=self.jobs,
            timeout=self.timeout,
            budget=self.budget,
            user_agent=user_agent,
        )

    def check_files(
        self, subjects: list[tuple[str, str, int]]
    ) -> list[tuple[ProblemKind, str, str]]:
        """``(path, sha256, size)`` to problems ``(kind, path, message)``."""
        assert self.base_url is not None
        items = [(n, s) for n, _, s in subjects]
        fetched = self._fetch_all(items, self.user_agent)
        problems: list[tuple[ProblemKind, str, str]] = []
        for name, sha, size in subjects:
            got = fetched[name]
            if got.sha256 != sha and got.url != file_url(self.base_url, name) and not got.missing:
                # A directory URL served something else: is the page itself there at all?
                direct = self._fetch(file_url(self.base_url, name), size, keep=False)
                if direct.missing:
                    got = direct
            if got.missing:
                problems.append(("missing", name, f"not served ({got.url}: HTTP {got.status})"))
            elif got.error:
                problems.append(("fetch-error", name, f"{got.url}: {got.error}"))
            elif got.too_large:
                problems.append(
                    ("larger", name, f"served larger than the signed {size} bytes ({got.url})")
                )
            elif got.sha256 != sha:
                detail = (
                    f"{got.size} bytes served, {size} signed" if got.size != size else "same size"
                )
                problems.append(
                    ("modified", name, f"sha256 differs from the signed one ({detail}; {got.url})")
                )
        if self.compare_agents:
            problems.extend(self._compare(items, fetched))
        return problems

    def _compare(
        self, items: list[tuple[str, int]], first: dict[str, Fetched]
    ) -> list[tuple[ProblemKind, str, str]]:
        """Fetch every file again as another agent; a file served differently is cloaked."""
        agent = other_agent(self.user_agent)
        second = self._fetch_all(items, agent)
        problems: list[tuple[ProblemKind, str, str]] = []
        for name, _ in items:
            a, b = first[name], second[name]
            if b.error and not a.error:
                problems.append(("fetch-error", name, f"{b.url} as the second agent: {b.error}"))
            elif a.error or (a.status, a.sha256, a.too_large) == (b.status, b.sha256, b.too_large):
                continue
            else:
                problems.append(
                    (
                        "modified",
                        name,
                        f"served differently to different User-Agents (cloaking): "
                        f"{_served(a)} to {self.user_agent!r}, {_served(b)} to {agent!r} "
                        f"({a.url})",
                    )
                )
        return problems

    def extras_note(self) -> str:
        return (
            "a web host cannot be listed, so extra files are not detected over HTTP; "
            "pages with injected content are (verify the deployed folder to find extra files)"
        )
