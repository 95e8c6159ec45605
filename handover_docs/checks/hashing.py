"""Streamed SHA-256 of a local file, a folder or an http(s) URL, with progress.

Kept tiny and separate from the site-signing hasher: a check hashes one artifact
at a time and reports progress while it reads.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 4 * 1024 * 1024
"""Read size: large enough for hashlib to release the GIL and run near memory speed."""

SKIPPED_PARTS = frozenset({"__pycache__", ".git"})

Progress = Callable[[int, "int | None"], None]


class Readable(Protocol):
    def readinto(self, buffer: memoryview, /) -> int | None: ...


class FetchError(Exception):
    """The bytes could not be read: a missing file, an HTTP error, a refused connection."""


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int
    files: int = 1


def _no_progress(done: int, total: int | None) -> None:
    return None


def hash_stream(stream: Readable, total: int | None, progress: Progress = _no_progress) -> Digest:
    hasher = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    done = 0
    while True:
        n = stream.readinto(view)
        if not n:
            break
        hasher.update(view[:n])
        done += n
        progress(done, total)
    return Digest(hasher.hexdigest(), done)


def hash_file(path: Path, progress: Progress = _no_progress) -> Digest:
    try:
        with path.open("rb", buffering=0) as stream:
            return hash_stream(stream, os.fstat(stream.fileno()).st_size, progress)
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise FetchError(f"{path} is a folder") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None


def tree_files(folder: Path) -> list[Path]:
    """Regular files under ``folder`` in digest order (POSIX relative path), caches skipped."""
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not SKIPPED_PARTS.intersection(p.relative_to(folder).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def hash_tree(folder: Path, progress: Progress = _no_progress) -> Digest:
    """Digest of a folder: sha256 of the lines ``<file sha256>  <relative path>\\n``.

    The same text ``sha256sum`` prints when run on the sorted file list from inside the
    folder, so ``find . -type f | sort | xargs sha256sum | sha256sum`` reproduces it
    (with the ``./`` prefix removed).
    """
    files = tree_files(folder)
    total = sum(p.stat().st_size for p in files)
    listing = hashlib.sha256()
    base = 0
    for path in files:
        start = base

        def step(done: int, _total: int | None, start: int = start) -> None:
            progress(start + done, total)

        digest = hash_file(path, step)
        base += digest.size
        listing.update(f"{digest.sha256}  {path.relative_to(folder).as_posix()}\n".encode())
    return Digest(listing.hexdigest(), base, len(files))


def hash_path(path: Path, progress: Progress = _no_progress) -> Digest:
    if path.is_dir():
        return hash_tree(path, progress)
    return hash_file(path, progress)


def hash_url(url: str, progress: Progress = _no_progress, timeout: float = 60.0) -> Digest:
    """Stream an http(s) URL through the hasher; raise FetchError on any failure."""
    request = urllib.request.Request(url, headers={"User-Agent": "handover-docs-check"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            return hash_stream(response, total, progress)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"GET {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"GET {url}: {reason}") from None
