"""Atomic file writes: a temp file, fsync, then ``os.replace``.

Readers (a web server, a verifier, the next build) see the old file or the new one, never
half of one; an interrupted run leaves the old file in place. Every writer in the package
(signatures, keys, evidence, diagram cache, exports, rendered pages) goes through here.

The temp file sits beside the target unless the caller names ``temp_dir``: the signer
puts its temps in a folder *beside* the site, so a killed signer never leaves a stray
file inside a published site (it would show as an unsigned extra file).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from handover_docs.errors import Finding, HandoverError, Location


def write_atomic(
    path: Path, data: bytes, *, mode: int = 0o644, temp_dir: Path | None = None
) -> None:
    """Replace ``path`` with ``data`` all at once; on any failure the old file stays.

    Missing parent folders are made. ``temp_dir`` (on the same file system as ``path``)
    holds the temp file instead of ``path``'s folder. An OS error (read-only folder, a
    folder in the way, disk full) is a HandoverError.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=temp_dir or path.parent
        )
    except OSError as exc:
        raise HandoverError(
            Finding(Location(str(path)), f"cannot write: {exc.strerror or exc}")
        ) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise HandoverError(
            Finding(Location(str(path)), f"cannot write: {exc.strerror or exc}")
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str, *, mode: int = 0o644) -> None:
    """:func:`write_atomic` for UTF-8 text with Unix line ends."""
    write_atomic(path, text.encode("utf-8"), mode=mode)
