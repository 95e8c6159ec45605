"""Fetching a hosted site over HTTP(S): bounded, size-limited, with correct page URLs.

A subject ``a/b/index.html`` is fetched at its directory URL ``a/b/`` (what a
browser shows and what MkDocs links to), falling back to ``a/b/index.html``
when the host does not map directory URLs. No body is read past the size the
statement recorded (+1 byte, to detect a longer file).
"""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from handover_docs import __version__
from handover_docs.signing.report import ProblemKind

DEFAULT_TIMEOUT = 20.0
DEFAULT_JOBS = 8
READ_CHUNK = 1 << 16
MIN_RATE = 64 << 10
"""Bytes per second a host must sustain: a body may take timeout + size / MIN_RATE seconds."""
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


_OPENER = urllib.request.build_opener(_Redirects())


def fetch(url: str, limit: int, *, timeout: float = DEFAULT_TIMEOUT, keep: bool = True) -> Fetched:
    """GET ``url``; read at most ``limit`` + 1 bytes; hash (and keep, if asked) the body."""
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"handover-docs/{__version__} (verify)",
            "Accept-Encoding": "identity",
            "Cache-Control": "no-cache",
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > limit:
                return Fetched(url, response.status, size=int(length), too_large=True)
            digest = hashlib.sha256()
            chunks: list[bytes] = []
            total = 0
            deadline = time.monotonic() + timeout + limit / MIN_RATE
            while total <= limit:
                if time.monotonic() > deadline:
                    return Fetched(url, response.status, error="too slow: gave up")
                chunk = response.read1(min(READ_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                total += len(chunk)
                digest.update(chunk)
                if keep:
                    chunks.append(chunk)
            if total > limit:
                return Fetched(url, response.status, size=total, too_large=True)
            data = b"".join(chunks) if keep else None
            return Fetched(url, response.status, digest.hexdigest(), data, total)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Fetched(url, exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Fetched(url, 0, error=f"cannot fetch: {reason}")


def fetch_page(base: str, name: str, size: int, *, timeout: float = DEFAULT_TIMEOUT) -> Fetched:
    """Fetch a subject as a browser would see it; hash it without keeping the body."""
    url = page_url(base, name)
    result = fetch(url, size, timeout=timeout, keep=False)
    if result.missing and url != file_url(base, name):
        result = fetch(file_url(base, name), size, timeout=timeout, keep=False)
    return result


def fetch_pages(
    base: str,
    items: list[tuple[str, int]],
    *,
    jobs: int = DEFAULT_JOBS,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Fetched]:
    """Fetch ``(path, recorded size)`` pairs with at most ``jobs`` requests in flight."""
    jobs = max(1, min(jobs, 64))
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="handover-fetch") as pool:
        results = pool.map(lambda item: fetch_page(base, item[0], item[1], timeout=timeout), items)
        return {name: result for (name, _), result in zip(items, results, strict=True)}


class RemoteSite:
    """A hosted site, read over HTTP(S)."""

    def __init__(self, url: str, *, jobs: int = DEFAULT_JOBS, timeout: float = DEFAULT_TIMEOUT):
        self.base_url: str | None = site_base(url)
        self.label = self.base_url
        self.jobs = jobs
        self.timeout = timeout

    def read(self, name: str, limit: int) -> tuple[bytes | None, str]:
        assert self.base_url is not None
        result = fetch(file_url(self.base_url, name), limit, timeout=self.timeout)
        if result.too_large:
            return None, f"larger than {limit} bytes"
        if result.missing:
            return None, "missing"
        if result.error:
            return None, result.error
        return result.data, ""

    def check_files(
        self, subjects: list[tuple[str, str, int]]
    ) -> list[tuple[ProblemKind, str, str]]:
        """``(path, sha256, size)`` to problems ``(kind, path, message)``."""
        assert self.base_url is not None
        fetched = fetch_pages(
            self.base_url, [(n, s) for n, _, s in subjects], jobs=self.jobs, timeout=self.timeout
        )
        problems: list[tuple[ProblemKind, str, str]] = []
        for name, sha, size in subjects:
            got = fetched[name]
            if got.sha256 != sha and got.url != file_url(self.base_url, name) and not got.missing:
                # A directory URL served something else: is the page itself there at all?
                direct = fetch(
                    file_url(self.base_url, name), size, timeout=self.timeout, keep=False
                )
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
        return problems

    def extras_note(self) -> str:
        return (
            "a web host cannot be listed, so extra files are not detected over HTTP; "
            "pages with injected content are (verify the deployed folder to find extra files)"
        )
