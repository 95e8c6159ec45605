"""The audit page: what was signed, how to verify it, and an in-browser check.

Engine-neutral: :func:`audit_page` returns Markdown with raw HTML blocks (no
extension needed), :func:`verify_js` the script it loads. The facts of the
release are read at view time from the signature file, because a page cannot
contain the signature of the site it is part of; facts known at build time
(the signer's key id, say) may be passed in and are shown as a reminder only.
"""

from __future__ import annotations

import html
import re
from importlib import resources

from handover_docs.signing.statement import (
    KEY_FILE,
    KEY_ID_PATTERN,
    RELEASES_DIR,
    SIGNATURE_FILE,
)

_ROOT = re.compile(r"\./|(\.\./)+")
_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")

VERIFY_JS_PATH = "assets/handover/verify.js"
"""Where the site should publish :func:`verify_js`, relative to the site root."""


def verify_js() -> str:
    """The in-browser check (WebCrypto Ed25519, Chromium >= 137; or ECDSA P-256)."""
    return resources.files("handover_docs.signing").joinpath("assets/verify.js").read_text("utf-8")


def audit_page(
    *,
    site_root: str = "../",
    key_id: str | None = None,
    site_url: str | None = None,
    script_path: str = VERIFY_JS_PATH,
    title: str = "Signature and audit",
) -> str:
    """Markdown + HTML for the audit page; ``site_root`` is the page's relative link to the root."""
    if not _ROOT.fullmatch(site_root):
        raise ValueError(f"site_root must be './' or a run of '../', not {site_root!r}")
    root = html.escape(site_root, quote=True)
    if key_id is not None and not KEY_ID_PATTERN.fullmatch(key_id):
        raise ValueError(f"malformed key id {key_id!r}")
    target = site_url if site_url and _URL.fullmatch(site_url) else "site/"
    pinned = key_id or "sha256:KEY_ID"
    expected = (
        f"The signing key configured for this build had the id `{key_id}`. "
        "That line is part of the site, so it is a reminder, not a proof."
        if key_id
        else ""
    )
    return f"""# {title}

This site is signed. The signature file
<a href="{root}{SIGNATURE_FILE}"><code>{SIGNATURE_FILE}</code></a> is a DSSE envelope whose
payload is an in-toto Statement: it binds every file of the site by path, size and SHA-256,
and records the release and its sequence number, three times kept apart (when the sources
last changed, when the site was signed, when the checks in its evidence ran), the source
commit, the manifest and evidence digests, and the digest of the previous release's statement.
Earlier releases' signature files are kept under `{RELEASES_DIR}/`.

{expected}

## Check it in this browser

<div id="handover-verify" data-site-root="{root}">
<p><label>Pinned key id: <input class="handover-pin" data-handover="pin" size="75"
placeholder="sha256:..." autocomplete="off" spellcheck="false"
aria-describedby="handover-pin-help"></label>
<button class="md-button" type="button" data-handover="run">Verify</button></p>
<p id="handover-pin-help" class="handover-pin-help">Get the key id from the signer, not from
this site: the release announcement or ticket, the governance contact on the people page, or
the line <code>handover keygen</code> printed for them. Paste it and press Enter.</p>
<p class="handover-verdict" data-handover="status" role="status" aria-live="polite"><noscript>
The in-browser check needs JavaScript; use the command line below.</noscript></p>
<progress class="handover-progress" data-handover="progress" hidden
aria-label="Files checked"></progress>
<table data-handover="facts"></table>
<ul data-handover="files"></ul>
</div>

<script src="{root}{html.escape(script_path, quote=True)}" defer></script>

The check verifies the signature with WebCrypto (Ed25519 keys need Chromium 137 or later;
ECDSA P-256 keys work in every current browser) and then fetches every signed file as this
host serves it and compares its digest. It uses the public
key shipped in the site (`{KEY_FILE}`), and both the key and this script come from the same
host as the pages: **only a key id you obtained out of band and pinned above proves who
signed**. A host that controls the site could also change this script; for an audit, use
the command line.

## Verify with the command line

```sh
pip install handover-docs
handover verify {target} --key-id {pinned} --chain
```

Use `--key signer.pub` instead of `--key-id` if you hold the public key file,
`--state audit-state.json` to be warned when an older release is served again (rollback),
and `--json` for a machine-readable report. Exit code 0 means verified, 1 failed,
2 bad input.
"""
