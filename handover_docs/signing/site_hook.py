"""Post-build signing for the MkDocs plugin (or any static-site generator).

The key comes only from the environment, never from mkdocs.yml:
``HANDOVER_SIGNING_KEY`` holds a path or the PEM itself (a CI secret), and
``HANDOVER_SIGNING_KEY_PASSPHRASE`` its passphrase. Without a key nothing
happens. ``HANDOVER_PREVIOUS_RELEASE`` may name the previous release (signature
file, site folder or URL) when the caller passes none, and ``HANDOVER_PREVIOUS_KEY``
an old public key trusted for it after a key rotation. ``HANDOVER_SIGNED_AT`` gives
the signing time to record (see :func:`handover_docs.signing.sign.signing_time`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from handover_docs.errors import HandoverError
from handover_docs.project import find_project

if TYPE_CHECKING:
    from handover_docs.signing.sign import SignResult

KEY_ENV = "HANDOVER_SIGNING_KEY"
PASSPHRASE_ENV = "HANDOVER_SIGNING_KEY_PASSPHRASE"
PREVIOUS_ENV = "HANDOVER_PREVIOUS_RELEASE"
PREVIOUS_KEY_ENV = "HANDOVER_PREVIOUS_KEY"
EVIDENCE_DEFAULT = Path(".handover") / "evidence.json"


def signing_configured(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get(KEY_ENV, "").strip())


def sign_built_site(
    site_dir: Path,
    *,
    project_root: Path,
    manifest_digest: str,
    evidence_digest: str | None,
    site_url: str | None,
    release: str | None = None,
    sequence: int | None = None,
    previous: str | None = None,
    expires_in_days: float | None = None,
    evidence_file: Path | None = None,
) -> SignResult | None:
    """Sign a freshly built site when a key is configured; return None without a key.

    Raises HandoverError for bad input (the plugin turns it into a build error).
    The caller should log ``result.warnings``. The evidence time is read from
    ``evidence_file`` (default ``.handover/evidence.json``) when its digest is the signed one.
    """
    if not signing_configured():
        return None
    # Imported here: a build without a key never loads the signing code or cryptography.
    from handover_docs.signing import keys
    from handover_docs.signing.sign import SignOptions, evidence_time, sign_site

    loaded = keys.load_from_env(KEY_ENV, PASSPHRASE_ENV)
    if loaded is None:
        return None
    key, key_file = loaded
    try:
        docs_dir: Path | None = find_project(project_root).docs
    except HandoverError:
        docs_dir = project_root / "docs"
    evidence_when = None
    if evidence_digest is not None:
        evidence_when = _evidence_time(
            evidence_file or project_root / EVIDENCE_DEFAULT, evidence_digest, evidence_time
        )
    previous_key = os.environ.get(PREVIOUS_KEY_ENV, "").strip()
    previous_keys = (keys.load_public(Path(previous_key)),) if previous_key else ()
    options = SignOptions(
        release=release,
        sequence=sequence,
        expires_in_days=expires_in_days,
        site_url=site_url,
        previous=previous or os.environ.get(PREVIOUS_ENV) or None,
        manifest_sha256=manifest_digest,
        evidence_sha256=evidence_digest,
        evidence_time=evidence_when,
        previous_keys=previous_keys,
        project_root=project_root,
        docs_dir=docs_dir,
    )
    return sign_site(site_dir, key, options, key_file=key_file)


def _evidence_time(path: Path, digest: str, read_time: Callable[[bytes], str | None]) -> str | None:
    """The evidence time from PATH, only if PATH holds the evidence whose digest is signed."""
    try:
        if not path.is_file():
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return read_time(data) if hashlib.sha256(data).hexdigest() == digest else None
