"""The OpenSSF model-signing bundle (``model.sig``) written beside our own signature.

``model_signing verify key SITE --signature SITE/model.sig --public_key KEY.pub``
(the OpenSSF ``model-signing`` package, key mode) accepts a Sigstore bundle v0.3
whose DSSE envelope carries an in-toto Statement v1 with predicate type
``https://model_signing/signature/v1.0``: one subject (a name and the SHA-256 over
the concatenated raw digests of the resources, in listed order) and every file in
``predicate.resources`` (name, ``sha256``, hex digest). Files under the predicate's
``serialization.ignore_paths`` are not hashed; that list names our own signature
file, the bundle itself and the git paths model-signing always skips.

Its key mode takes NIST curves only, so the bundle is written for ECDSA P-256 keys.
The layout was read from model-signing 1.1.1 (``_signing/sign_ec_key.py``,
``_signing/signing.py``) and is checked by a test that runs its real CLI. We write it
ourselves rather than call that library: it would hash the whole site a second time
and pull Sigstore's client into every build; the format is a few spec-exact lines.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization

from handover_docs.signing import dsse, keys
from handover_docs.signing.statement import SIGNATURE_FILE

MODEL_SIG_FILE = "model.sig"
"""The bundle's place at the site root (model-signing's default name)."""
BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
GIT_PATHS = (".git", ".gitattributes", ".github", ".gitignore")
"""Paths model-signing skips at the model root whatever the bundle says."""
IGNORE_PATHS = (SIGNATURE_FILE, MODEL_SIG_FILE, *GIT_PATHS)
MAX_BUNDLE_BYTES = 256 << 20


class BundleError(ValueError):
    """``model.sig`` is not a bundle we wrote for these files; the message says why."""


def ignored(name: str) -> bool:
    """Whether model-signing leaves the site file NAME (a POSIX path) out of its manifest."""
    first = name.split("/", 1)[0]
    return first in IGNORE_PATHS


def key_hint(public: keys.PublicKey) -> str:
    """model-signing's key hint: hex SHA-256 of the public key's PEM (not DER) text."""
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()


def _root_digest(resources: list[tuple[str, str]]) -> str:
    hasher = hashlib.sha256()
    for _, digest in resources:
        hasher.update(bytes.fromhex(digest))
    return hasher.hexdigest()


def statement(model_name: str, files: list[tuple[str, str]]) -> bytes:
    """The model-signing statement over FILES ``(name, sha256 hex)``, ignored ones dropped."""
    resources = sorted((n, d) for n, d in files if not ignored(n))
    doc = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": model_name, "digest": {"sha256": _root_digest(resources)}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "serialization": {
                "method": "files",
                "hash_type": "sha256",
                "allow_symlinks": False,
                "ignore_paths": list(IGNORE_PATHS),
            },
            "resources": [
                {"name": name, "algorithm": "sha256", "digest": digest}
                for name, digest in resources
            ],
        },
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build(key: keys.SigningKey, model_name: str, files: list[tuple[str, str]]) -> bytes:
    """The bytes of ``model.sig`` for FILES, signed by KEY (ECDSA P-256 only)."""
    if key.algorithm != "ecdsa-p256":
        raise ValueError("model-signing bundles need an ECDSA key")
    payload = statement(model_name, files)
    sig = key.sign(dsse.pae(dsse.PAYLOAD_TYPE, payload))
    bundle = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": key_hint(key.public)}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": dsse.b64encode(payload),
            "payloadType": dsse.PAYLOAD_TYPE,
            "signatures": [{"sig": dsse.b64encode(sig), "keyid": ""}],
        },
    }
    return (json.dumps(bundle, indent=2) + "\n").encode("ascii")


@dataclass(frozen=True)
class Checked:
    model_name: str
    resources: int


def check(data: bytes, public: keys.PublicKey, files: dict[str, str]) -> Checked:
    """Verify a ``model.sig`` as model-signing would, against FILES ``{name: sha256}``.

    FILES are the site's files as our own (already verified) statement lists them; the
    bundle must be signed by PUBLIC and list exactly those files model-signing hashes.
    Raises BundleError naming the first problem."""
    stmt = _signed_statement(data, public)
    subjects = stmt.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1:
        raise BundleError("the bundle's statement must have exactly one subject")
    subject = _object(subjects[0], "subject[0]")
    predicate = _object(stmt.get("predicate"), "predicate")
    serial = _object(predicate.get("serialization"), "predicate.serialization")
    if serial.get("method") != "files" or serial.get("hash_type") != "sha256":
        raise BundleError("the bundle does not use per-file sha256 serialization")
    listed = _resources(predicate.get("resources"))
    try:
        root = _root_digest(listed)
    except ValueError:
        raise BundleError("a resource digest is not hex") from None
    digest_set = _object(subject.get("digest"), "subject[0].digest")
    if digest_set.get("sha256") != root:
        raise BundleError("the subject's digest does not match the listed resources")
    ignore = serial.get("ignore_paths", [])
    if not isinstance(ignore, list) or not {SIGNATURE_FILE, MODEL_SIG_FILE} <= set(ignore):
        raise BundleError(f"the bundle's ignore paths must name {SIGNATURE_FILE}")
    _compare_files({n: d for n, d in files.items() if not ignored(n)}, listed)
    name = subject.get("name")
    return Checked(name if isinstance(name, str) else "", len(listed))


def _signed_statement(data: bytes, public: keys.PublicKey) -> dict[str, object]:
    """The bundle's in-toto statement, once its envelope verifies under PUBLIC."""
    doc = _object(_strict(data, f"{MODEL_SIG_FILE}"), MODEL_SIG_FILE)
    if doc.get("mediaType") != BUNDLE_MEDIA_TYPE:
        raise BundleError(f"mediaType is not {BUNDLE_MEDIA_TYPE!r}")
    material = _object(doc.get("verificationMaterial"), "verificationMaterial")
    hint = _object(material.get("publicKey"), "verificationMaterial.publicKey").get("hint")
    if hint != key_hint(public):
        raise BundleError("the bundle's key hint is not the trusted key's")
    env = _object(doc.get("dsseEnvelope"), "dsseEnvelope")
    try:
        payload = _b64(env.get("payload"), "dsseEnvelope.payload")
        sigs = env.get("signatures")
        if not isinstance(sigs, list) or len(sigs) != 1:
            raise BundleError("dsseEnvelope.signatures must hold exactly one signature")
        entry = _object(sigs[0], "dsseEnvelope.signatures[0]")
        sig = _b64(entry.get("sig"), "dsseEnvelope.signatures[0].sig")
    except dsse.EnvelopeError as exc:
        raise BundleError(str(exc)) from None
    if env.get("payloadType") != dsse.PAYLOAD_TYPE:
        raise BundleError(f"dsseEnvelope.payloadType is not {dsse.PAYLOAD_TYPE!r}")
    if not keys.verify_raw(public, sig, dsse.pae(dsse.PAYLOAD_TYPE, payload)):
        raise BundleError("the bundle's signature does not verify under the trusted key")
    stmt = _object(_strict(payload, "the bundle's statement"), "the bundle's statement")
    if stmt.get("_type") != STATEMENT_TYPE or stmt.get("predicateType") != PREDICATE_TYPE:
        raise BundleError(f"the bundle's statement is not a {PREDICATE_TYPE} statement")
    return stmt


def _resources(raw: object) -> list[tuple[str, str]]:
    """``predicate.resources`` as (name, lower-case sha256) pairs."""
    if not isinstance(raw, list):
        raise BundleError("predicate.resources is not a list")
    listed: list[tuple[str, str]] = []
    for index, item in enumerate(raw):
        item = _object(item, f"predicate.resources[{index}]")
        name, digest = item.get("name"), item.get("digest")
        if item.get("algorithm") != "sha256" or not isinstance(name, str):
            raise BundleError(f"predicate.resources[{index}] is not a sha256 file entry")
        if not isinstance(digest, str) or len(digest) != 64:
            raise BundleError(f"predicate.resources[{index}] has a malformed digest")
        listed.append((name, digest.lower()))
    return listed


def _compare_files(expected: dict[str, str], listed: list[tuple[str, str]]) -> None:
    """The bundle must list exactly the EXPECTED files, with their digests."""
    got = dict(listed)
    if len(got) != len(listed):
        raise BundleError("a file is listed twice in predicate.resources")
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    changed = sorted(n for n in expected.keys() & got.keys() if expected[n] != got[n])
    for what, names in (("unlisted", missing), ("not in the site", extra), ("changed", changed)):
        if names:
            shown = ", ".join(repr(n[:120]) for n in names[:5])
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            raise BundleError(f"files {what} in the bundle: {shown}{more}")


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise BundleError(f"{what} is not a string")
    return dsse.b64decode(value, what)


def _strict(data: bytes, what: str) -> object:
    try:
        return dsse.strict_json(data, what)
    except dsse.EnvelopeError as exc:
        raise BundleError(str(exc)) from None


def _object(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise BundleError(f"{what} is not a JSON object")
    return value
