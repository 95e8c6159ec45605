"""Post-build signing for the MkDocs plugin (or any static-site generator).

The key comes only from the environment, never from mkdocs.yml:
``HANDOVER_SIGNING_KEY`` holds a path or the PEM itself (a CI secret), and
``HANDOVER_SIGNING_KEY_PASSPHRASE`` its passphrase. Without a key nothing
happens. ``HANDOVER_PREVIOUS_RELEASE`` may name the previous release (signature
file, site folder or URL) when the caller passes none.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from handover_docs.errors import HandoverError
from handover_docs.project import find_project

if TYPE_CHECKING:
    from handover_docs.signing.sign import SignResult

KEY_ENV = "HANDOVER_SIGNING_KEY"
PASSPHRASE_ENV = "HANDOVER_SIGNING_KEY_PASSPHRASE"
PREVIOUS_ENV = "HANDOVER_PREVIOUS_RELEASE"


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
) -> SignResult | None:
    """Sign a freshly built site when a key is configured; return None without a key.

    Raises HandoverError for bad input (the plugin turns it into a build error).
    The caller should log ``result.warnings``.
    """
    if not signing_configured():
        return None
    # Imported here: a build without a key never loads the signing code or cryptography.
    from handover_docs.signing import keys
    from handover_docs.signing.sign import SignOptions, sign_site

    loaded = keys.load_from_env(KEY_ENV, PASSPHRASE_ENV)
    if loaded is None:
        return None
    key, key_file = loaded
    try:
        docs_dir: Path | None = find_project(project_root).docs
    except HandoverError:
        docs_dir = project_root / "docs"
    options = SignOptions(
        release=release,
        sequence=sequence,
        expires_in_days=expires_in_days,
        site_url=site_url,
        previous=previous or os.environ.get(PREVIOUS_ENV) or None,
        manifest_sha256=manifest_digest,
        evidence_sha256=evidence_digest,
        project_root=project_root,
        docs_dir=docs_dir,
    )
    return sign_site(site_dir, key, options, key_file=key_file)
