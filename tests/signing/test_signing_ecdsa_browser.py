"""The in-browser check with an ECDSA P-256 key: WebCrypto ECDSA under Node and in Chromium.

DSSE ECDSA signatures are DER (as securesystemslib and model-signing write them); WebCrypto
verifies the raw r||s form, so the script converts. Its converter is compared with
``cryptography``'s DER decoder on many real signatures (short r and s included)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from signing_helpers import Key, make_key, make_site, serve, sign
from test_signing_browser_logic import CHROMIUM, _dump_dom, _render_audit_site, needs_node, run_js

from handover_docs.signing.statement import KEY_FILE, SIGNATURE_FILE


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys", algorithm="ecdsa-p256")


@needs_node
def test_the_script_verifies_an_ecdsa_signature_and_refuses_a_tampered_one(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key, release="7.0")
    env = (site / SIGNATURE_FILE).read_text()
    tampered = json.loads(env)
    tampered["payload"] = base64.b64encode(
        base64.b64decode(tampered["payload"]).replace(b'"7.0"', b'"7.1"')
    ).decode()
    out = run_js(
        tmp_path,
        "const r = [];"
        "for (const e of [INPUT.env, INPUT.tampered]) {"
        "  const v = await V.verifyEnvelope(e, INPUT.pem);"
        "  r.push({ok: v.ok, keyId: v.keyId, algorithm: v.algorithm, error: v.error});"
        "}"
        "console.log(JSON.stringify(r));",
        env=env,
        pem=(site / KEY_FILE).read_text(),
        tampered=json.dumps(tampered),
    )
    assert out[0] == {"ok": True, "keyId": key.key_id, "algorithm": "ecdsa-p256", "error": ""}
    assert out[1]["ok"] is False and "does not verify" in out[1]["error"]


@needs_node
def test_der_to_raw_matches_cryptography_on_many_signatures(tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pairs = [
        decode_dss_signature(private.sign(b"m%d" % n, ec.ECDSA(hashes.SHA256()))) for n in range(50)
    ]
    # The edges: short integers, a high bit that DER pads with a zero byte, the largest values.
    pairs += [(1, 2), (2**255, 2**255 - 1), (2**256 - 1, 2**248), (0x80, 0x7F), (2**200 + 5, 1)]
    sigs = [encode_dss_signature(r, s).hex() for r, s in pairs]
    raws = [r.to_bytes(32, "big").hex() + s.to_bytes(32, "big").hex() for r, s in pairs]
    broken = [sigs[0][:-2], "31" + sigs[0][2:], sigs[0] + "00"]
    out = run_js(
        tmp_path,
        "const hex = b => Array.from(b, x => x.toString(16).padStart(2, '0')).join('');"
        "const dec = h => Uint8Array.from(h.match(/../g).map(x => parseInt(x, 16)));"
        "const conv = h => { const r = V.derToRaw(dec(h), 32); return r && hex(r); };"
        "console.log(JSON.stringify({ok: INPUT.sigs.map(conv), bad: INPUT.broken.map(conv)}));",
        sigs=sigs,
        broken=broken,
    )
    assert out["ok"] == raws
    assert out["bad"] == [None, None, None]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_audit_page_verifies_an_ecdsa_site_in_a_real_browser(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    _render_audit_site(site, key)
    sign(site, key, release="4.2")
    with serve(site) as server:
        dom = _dump_dom(f"{server.url}audit/?key-id={key.key_id}", tmp_path / "home")
        assert (
            "VERIFIED: 12 of 12 files match the signature. The key id matches the one you pinned."
            in dom
        )
        (site / "about" / "index.html").write_bytes(b"<html>edited</html>\n")
        dom = _dump_dom(f"{server.url}audit/?key-id={key.key_id}", tmp_path / "home2")
    assert "<li>modified: about/index.html (sha256 differs)</li>" in dom
