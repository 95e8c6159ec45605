"""The signature format: DSSE, in-toto, independent verification, reproducibility, the chain."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.signer import SSlibKey
from signing_helpers import Key, check, envelope, kinds, make_key, make_site, sign, statement

from handover_docs.signing import dsse, keys as keymod
from handover_docs.signing.verify import Options, Trust, verify


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


def test_pae_matches_the_spec_test_vector() -> None:
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert dsse.pae("t\u00e9", b"") == b"DSSEv1 3 t\xc3\xa9 0 "  # lengths count bytes


@pytest.mark.parametrize(
    ("text", "data"),
    [("+/8=", b"\xfb\xff"), ("-_8=", b"\xfb\xff"), ("-_8", b"\xfb\xff"), ("", b""), ("aGk", b"hi")],
)
def test_base64_accepts_standard_and_url_safe(text: str, data: bytes) -> None:
    assert dsse.b64decode(text, "x") == data


@pytest.mark.parametrize("text", ["+_8=", "aGk=\n", " aGk=", "aGl=", "a", "aGk==", "aG=k"])
def test_base64_refuses_mixed_spaced_or_non_canonical_text(text: str) -> None:
    with pytest.raises(dsse.EnvelopeError):
        dsse.b64decode(text, "x")


def test_an_independent_dsse_library_verifies_our_signature(tmp_path: Path, key: Key) -> None:
    """securesystemslib's DSSE Envelope (its own PAE, base64 and Ed25519 code) accepts it."""
    site = make_site(tmp_path / "site")
    sign(site, key)
    public = load_pem_public_key(key.public.read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    anchor = SSlibKey.from_crypto(public, keyid=key.key_id)
    env = SslibEnvelope.from_dict(envelope(site))
    assert env.payload_type == "application/vnd.in-toto+json"
    assert anchor.keyid in env.verify([anchor], 1)
    stmt = json.loads(env.payload)
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    # ...and the statement binds the files: recompute each digest with hashlib directly.
    for subject in stmt["subject"]:
        data = (site / subject["name"]).read_bytes()
        assert subject["digest"] == {"sha256": hashlib.sha256(data).hexdigest()}
        assert subject["annotations"]["size"] == len(data)
    # The library rejects a tampered payload too, so the check above can fail.
    bad = envelope(site)
    bad["payload"] = base64.b64encode(
        env.payload.replace(b'"release":"1"', b'"release":"9"')
    ).decode()
    with pytest.raises(Exception, match="threshold"):
        SslibEnvelope.from_dict(bad).verify([anchor], 1)


def _spec_verify(doc: dict[str, object], public_pem: bytes) -> bytes:
    """A minimal DSSE verifier written from the protocol text, sharing no code with the package."""
    payload_type = str(doc["payloadType"])
    payload = base64.b64decode(str(doc["payload"]))
    encoded_type = payload_type.encode("utf-8")
    message = b" ".join(
        [
            b"DSSEv1",
            str(len(encoded_type)).encode(),
            encoded_type,
            str(len(payload)).encode(),
            payload,
        ]
    )
    public = load_pem_public_key(public_pem)
    assert isinstance(public, Ed25519PublicKey)
    for sig in doc["signatures"]:  # type: ignore[attr-defined]
        public.verify(base64.b64decode(sig["sig"]), message)  # raises if invalid
    return payload


def test_a_verifier_written_from_the_spec_verifies_our_signature(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key, release="2.0")
    payload = _spec_verify(envelope(site), key.public.read_bytes())
    predicate = json.loads(payload)["predicate"]
    assert predicate["release"] == "2.0" and predicate["sequence"] == 1


def test_the_statement_carries_the_documented_predicate(
    tmp_path: Path, key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    site = make_site(tmp_path / "site")
    sign(
        site,
        key,
        release="1.0.0",
        site_url="https://h.example/",
        manifest_sha256="a" * 64,
        evidence_sha256="b" * 64,
        expires_in_days=365,
        project_root=Path(__file__).parent,
    )
    stmt = statement(site)
    assert stmt["predicateType"] == "https://handover-docs.dev/signed-site/v1"
    names = [s["name"] for s in stmt["subject"]]
    assert names == sorted(names) and "handover-signature.json" not in names
    assert "handover-signing-key.pub" in names
    p = stmt["predicate"]
    assert p["buildTime"] == "2026-01-01T00:00:00Z" and p["expires"] == "2027-01-01T00:00:00Z"
    assert p["manifestDigest"] == {"sha256": "a" * 64} and p["evidenceDigest"] == {
        "sha256": "b" * 64
    }
    assert p["siteUrl"] == "https://h.example/" and p["previous"] is None
    assert len(p["source"]["commit"]) == 40 and isinstance(p["source"]["dirty"], bool)
    assert p["builder"]["id"] == "handover-docs" and "cryptography" in p["builder"]["dependencies"]
    assert p["hashing"]["ignored"] == ["handover-signature.json"]
    assert p["hashing"]["symlinks"] == "refused"
    assert p["files"] == {
        "count": len(names),
        "totalSize": sum(s["annotations"]["size"] for s in stmt["subject"]),
    }


def test_signing_is_reproducible_across_folders(
    tmp_path: Path, key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    outside_git = tmp_path / "not-a-repo"
    outside_git.mkdir()
    signatures = []
    for name in ("build-a", "deeper/build-b"):
        site = make_site(tmp_path / name / "site")
        sign(site, key, release="1.0.0", site_url="https://h.example/", project_root=outside_git)
        signatures.append((site / "handover-signature.json").read_bytes())
    assert signatures[0] == signatures[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225601")
    site = make_site(tmp_path / "build-c" / "site")
    sign(site, key, release="1.0.0", site_url="https://h.example/", project_root=outside_git)
    assert (site / "handover-signature.json").read_bytes() != signatures[0]


def test_the_release_chain_is_carried_and_walked(tmp_path: Path, key: Key) -> None:
    v1 = make_site(tmp_path / "v1", {"index.html": b"one"})
    sign(v1, key, release="1.0")
    v2 = make_site(tmp_path / "v2", {"index.html": b"two"})
    sign(v2, key, release="2.0", previous=str(v1 / "handover-signature.json"))
    v3 = make_site(tmp_path / "v3", {"index.html": b"three"})
    result = sign(v3, key, release="3.0", previous=str(v2))
    assert result.sequence == 3
    assert sorted(p.name for p in (v3 / "handover-releases").iterdir()) == ["1.json", "2.json"]
    verdict = check(v3, key, chain=True)
    assert verdict.ok, verdict.problems
    assert [(c.release, c.sequence, c.status) for c in verdict.chain] == [
        ("3.0", 3, "head"),
        ("2.0", 2, "verified"),
        ("1.0", 1, "verified"),
    ]
    # Rewriting an earlier release breaks both the file binding and the chain link.
    older = json.loads((v3 / "handover-releases" / "1.json").read_text())
    older["payload"] = base64.b64encode(
        base64.b64decode(older["payload"]).replace(b'"1.0"', b'"1.1"')
    ).decode()
    (v3 / "handover-releases" / "1.json").write_text(json.dumps(older))
    verdict = check(v3, key, chain=True)
    assert ("modified", "handover-releases/1.json") in kinds(verdict) or (
        "larger",
        "handover-releases/1.json",
    ) in kinds(verdict)
    assert ("chain", "handover-releases/1.json") in kinds(verdict)


def test_the_chain_reports_a_release_signed_by_another_key(tmp_path: Path, key: Key) -> None:
    old_key = make_key(tmp_path / "old", "old")
    v1 = make_site(tmp_path / "v1", {"index.html": b"one"})
    sign(v1, old_key, release="1.0")
    v2 = make_site(tmp_path / "v2", {"index.html": b"two"})
    # A key rotation: the old key is named as trusted for the previous release.
    old_public = keymod.load_public(old_key.public)
    sign(v2, key, release="2.0", previous=str(v1), previous_keys=(old_public,))
    assert check(v2, key).ok  # the head is fine
    verdict = check(v2, key, chain=True)
    assert kinds(verdict) == [("chain", "handover-releases/1.json")]
    assert "release 1.0 (sequence 1) is not signed by a trusted key" in verdict.problems[0].message
    # Trusting both keys (a key rotation) makes the whole chain verify.
    rotated = Trust(keys=[keymod.load_public(key.public), keymod.load_public(old_key.public)])
    assert verify(str(v2), rotated, Options(chain=True)).ok


def test_a_copied_site_verifies_anywhere(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(site, copy)
    assert check(copy, key).ok
