"""Signing and verifying built handover sites: DSSE envelopes carrying in-toto statements.

Public entry points:

- :func:`handover_docs.signing.site_hook.sign_built_site` - the plugin's post-build hook;
- :func:`handover_docs.signing.sign.sign_site` - sign a folder with a loaded key;
- :func:`handover_docs.signing.verify.verify` - verify a folder or URL against pinned keys;
- :func:`handover_docs.signing.audit.audit_page` - the audit page (Markdown + HTML);
- :func:`handover_docs.signing.audit.verify_js` - the in-browser check's JavaScript.
"""

from handover_docs.signing.statement import KEY_FILE, RELEASES_DIR, SIGNATURE_FILE

__all__ = ["KEY_FILE", "RELEASES_DIR", "SIGNATURE_FILE"]
