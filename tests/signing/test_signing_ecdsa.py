"""ECDSA P-256 keys and the OpenSSF model-signing bundle (``model.sig``), checked by the real
``model_signing`` CLI, by ``handover verify`` and by securesystemslib."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.signer import SSlibKey
from signing_helpers import (
    Key,
    check,
    envelope,
    kinds,
    make_key,
    make_site,
    resign,
    run_cli,
    sign,
)

from handover_docs.errors import HandoverError
from handover_docs.signing import dsse, keys, model_sig

pytest.importorskip("model_signing", reason="the model-signing package (dev extra)")


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys", algorithm="ecdsa-p256")


def model_signing_verify(site: Path, public: Path) -> subprocess.CompletedProcess[str]:
    """The real OpenSSF CLI, exactly as an auditor would run it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "model_signing",
            "verify",
            "key",
            str(site),
            "--signature",
            str(site / "model.sig"),
            "--public_key",
            str(public),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_keygen_makes_a_p256_key_whose_id_is_the_spki_digest(tmp_path: Path) -> None:
    done = run_cli("keygen", str(tmp_path / "k"), "--algorithm", "ecdsa-p256", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    public = serialization.load_pem_public_key((tmp_path / "k.pub").read_bytes())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert out["key_id"] == "sha256:" + hashlib.sha256(der).hexdigest()
    assert out["algorithm"] == "ecdsa-p256"
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600


def test_keygen_default_stays_ed25519_and_an_unknown_algorithm_is_refused(tmp_path: Path) -> None:
    assert run_cli("keygen", str(tmp_path / "k")).returncode == 0
    assert b"PRIVATE KEY" in (tmp_path / "k").read_bytes()
    assert keys.algorithm(keys.load_public(tmp_path / "k.pub")) == "ed25519"
    done = run_cli("keygen", str(tmp_path / "j"), "--algorithm", "rsa")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert not (tmp_path / "j").exists()


def test_model_signing_cli_accepts_the_signed_site(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    (site / ".gitignore").write_text("skipped by model-signing, signed by us\n")
    result = sign(site, key)
    assert result.bundle == site / "model.sig"
    done = model_signing_verify(site, key.public)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verification succeeded" in done.stdout
    ours = check(site, key)
    assert ours.ok, ours.problems
    assert any("model-signing bundle) verified" in n for n in ours.notes)
    # The bundle is a subject of our signature; our signature file is in its ignore paths.
    names = {s["name"] for s in _statement(site)["subject"]}
    assert "model.sig" in names and "handover-signature.json" not in names
    bundle = json.loads((site / "model.sig").read_text())
    assert bundle["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
    inner = json.loads(dsse.b64decode(bundle["dsseEnvelope"]["payload"], "p"))
    assert inner["predicateType"] == "https://model_signing/signature/v1.0"
    assert len(inner["subject"]) == 1
    assert "handover-signature.json" in inner["predicate"]["serialization"]["ignore_paths"]
    listed = {r["name"] for r in inner["predicate"]["resources"]}
    assert listed == names - {"model.sig", ".gitignore"}


def test_both_verifiers_catch_a_changed_page(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    page = site / "model-card" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"0.42", b"0.24"))
    done = model_signing_verify(site, key.public)
    assert done.returncode != 0
    # model_signing prints a list's repr: its quotes are escaped when a digest holds a '"'
    said = (done.stdout + done.stderr).replace("\\'", "'")
    assert "Hash mismatch for 'model-card/index.html'" in said
    assert ("modified", "model-card/index.html") in kinds(check(site, key))


def test_both_verifiers_catch_an_added_page(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    (site / "new.html").write_text("<p>not signed</p>")
    done = model_signing_verify(site, key.public)
    assert done.returncode != 0 and "Extra files found" in done.stdout + done.stderr
    assert ("extra", "new.html") in kinds(check(site, key))


def test_verify_cli_takes_an_ecdsa_key_or_key_id(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    assert run_cli("verify", str(site), "--key", str(key.public)).returncode == 0
    done = run_cli("verify", str(site), "--key-id", key.key_id, "--json")
    assert done.returncode == 0, done.stdout
    other = make_key(tmp_path / "other", algorithm="ecdsa-p256")
    done = run_cli("verify", str(site), "--key", str(other.public))
    assert done.returncode == 1 and "untrusted-key" in done.stdout


def test_securesystemslib_verifies_the_ecdsa_envelope(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    public = serialization.load_pem_public_key(key.public.read_bytes())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    anchor = SSlibKey.from_crypto(public, keyid=key.key_id)
    assert anchor.scheme == "ecdsa-sha2-nistp256"
    env = SslibEnvelope.from_dict(envelope(site))
    assert anchor.keyid in env.verify([anchor], 1)
    tampered = envelope(site)
    tampered["payload"] = tampered["payload"][:-8] + "AAAAAAA="
    with pytest.raises(Exception, match="threshold"):
        SslibEnvelope.from_dict(tampered).verify([anchor], 1)


def test_signing_twice_reproducibly_gives_the_same_bundle_and_signature(
    tmp_path: Path, key: Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic ECDSA (RFC 6979): a reproducible build stays byte-identical."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first, second = make_site(tmp_path / "a"), make_site(tmp_path / "b")
    sign(first, key)
    sign(second, key)
    for name in ("model.sig", "handover-signature.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_an_ed25519_signature_writes_no_bundle(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    result = sign(site, make_key(tmp_path / "keys"))
    assert result.bundle is None and not (site / "model.sig").exists()


def test_a_folder_where_the_bundle_goes_is_refused_before_any_write(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    (site / "model.sig").mkdir()
    with pytest.raises(HandoverError, match=r"model\.sig is a folder"):
        sign(site, key)
    assert not (site / "handover-signature.json").exists()


def test_other_curves_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP384R1())
    pub = tmp_path / "p384.pub"
    pub.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(HandoverError, match="Ed25519 or ECDSA P-256 public key"):
        keys.load_public(pub)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(HandoverError, match="Ed25519 or ECDSA P-256 private key"):
        keys.load_private(pem, "p384", None)


def _bundle_files(site: Path) -> dict[str, str]:
    return {s["name"]: s["digest"]["sha256"] for s in _statement(site)["subject"]}


def test_the_bundle_check_refuses_another_key_and_a_wrong_file_list(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    files = _bundle_files(site)
    data = (site / "model.sig").read_bytes()
    trusted = keys.load_public(key.public)
    assert model_sig.check(data, trusted, files).resources == len(files) - 1
    other = keys.load_public(make_key(tmp_path / "o", algorithm="ecdsa-p256").public)
    with pytest.raises(model_sig.BundleError, match="key hint"):
        model_sig.check(data, other, files)
    with pytest.raises(model_sig.BundleError, match="unlisted"):
        model_sig.check(data, trusted, {**files, "late.html": "0" * 64})
    forged = data.replace(b'"tlogEntries"', b'"tlogEntries" ', 1)
    assert model_sig.check(forged, trusted, files)  # whitespace is not content
    env = json.loads(data)
    env["dsseEnvelope"]["signatures"][0]["sig"] = env["dsseEnvelope"]["signatures"][0]["sig"][::-1]
    with pytest.raises(model_sig.BundleError):
        model_sig.check(json.dumps(env).encode(), trusted, files)


def _statement(site: Path) -> Any:
    return json.loads(dsse.b64decode(envelope(site)["payload"], "payload"))


def test_verify_checks_the_bundle_even_when_our_statement_binds_it(
    tmp_path: Path, key: Key
) -> None:
    """A bundle that leaves a page out, though bound by a valid statement of ours, is
    refused by our verifier ('model-signing') and by model-signing's ('Extra files')."""
    site = make_site(tmp_path / "site")
    sign(site, key)
    stmt = _statement(site)
    files = [(s["name"], s["digest"]["sha256"]) for s in stmt["subject"]]
    short = [f for f in files if f[0] != "about/index.html"]
    bundle = model_sig.build(key.signing, "handover-site@1", short)
    (site / "model.sig").write_bytes(bundle)
    for subject in stmt["subject"]:
        if subject["name"] == "model.sig":
            subject["digest"]["sha256"] = hashlib.sha256(bundle).hexdigest()
            subject["annotations"]["size"] = len(bundle)
    resign(site, key, stmt)
    verdict = check(site, key)
    assert ("model-signing", "model.sig") in kinds(verdict)
    assert "files unlisted in the bundle: 'about/index.html'" in str(verdict.problems)
    done = model_signing_verify(site, key.public)
    assert done.returncode != 0 and "Extra files found" in done.stdout + done.stderr


def test_an_old_bundle_under_an_ed25519_signature_is_noted_not_checked(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    ed = make_key(tmp_path / "ed")
    sign(site, ed, sequence=2)
    verdict = check(site, ed)
    assert verdict.ok, verdict.problems
    assert any("model.sig is a signed file but not checked" in n for n in verdict.notes)
