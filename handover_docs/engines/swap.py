"""Build a site beside its destination, then put it in place: a failed build (or a failed
signing) leaves the previous site untouched.

The staging folder is created next to the destination, so the final step is two renames
on one file system (the old site aside, the new one in); the old one is then removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from handover_docs.errors import HandoverError, display_path

STAGING_PREFIX = ".handover-build-"
"""Name prefix of the staging folders (git-ignored): ``.handover-build-<site>-XXXX``."""


def staging_folder(out: Path) -> Path:
    """A fresh, empty folder beside OUT for building the next site in."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise HandoverError(
            f"--out {display_path(out)} exists and is not a folder; pick another path", out
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{out.name}-", dir=out.parent))


def replace_site(new: Path, out: Path) -> None:
    """Put the built site NEW at OUT, removing the previous site there (if any)."""
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}old-", dir=out.parent))
        old.rmdir()
        os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
