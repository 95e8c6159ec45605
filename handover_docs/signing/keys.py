"""Signing keys (Ed25519, ECDSA P-256): generate, load (file or PEM text), key ids.

Ed25519 is the default. ECDSA P-256 is there for OpenSSF model-signing, whose key mode
takes NIST curves only; its signatures are DER-encoded (as securesystemslib, in-toto
and model-signing write them), over SHA-256.

The key id is ``sha256:`` + the hex SHA-256 of the public key's DER
SubjectPublicKeyInfo. Nothing here ever prints or logs key material: errors
name the file or the environment variable, never the value.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from handover_docs.atomic import write_atomic
from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.signing.statement import KEY_ID_PATTERN

PEM_PRIVATE_MARK = b"-----BEGIN"
MAX_KEY_FILE_BYTES = 64 * 1024
"""A PEM key is a few hundred bytes; a larger key file is refused unread."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
ALGORITHMS = ("ed25519", "ecdsa-p256")
"""What ``handover keygen --algorithm`` makes; the first is the default."""

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey
"""A trust anchor; an EC key here is always on P-256 (others are refused on loading)."""
PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def algorithm(public: PublicKey) -> str:
    """``ed25519`` or ``ecdsa-p256``: what a key signs with."""
    return "ed25519" if isinstance(public, Ed25519PublicKey) else "ecdsa-p256"


def _is_p256(key: object) -> bool:
    return isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)) and isinstance(
        key.curve, ec.SECP256R1
    )


def sign_raw(private: PrivateKey, message: bytes) -> bytes:
    """Ed25519 signature, or a DER-encoded ECDSA P-256/SHA-256 one.

    ECDSA signs deterministically (RFC 6979) where OpenSSL can, so a reproducible
    build signed twice gives the same bytes, as Ed25519 does."""
    if isinstance(private, Ed25519PrivateKey):
        return private.sign(message)
    try:
        return private.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    except UnsupportedAlgorithm:  # OpenSSL before 3.2: random nonces, still valid
        return private.sign(message, ec.ECDSA(hashes.SHA256()))


def key_id(public: PublicKey) -> str:
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(der).hexdigest()


def public_pem(public: PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_raw(public: PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether SIGNATURE (raw Ed25519, or DER ECDSA) is the key's over MESSAGE."""
    try:
        if isinstance(public, Ed25519PublicKey):
            public.verify(signature, message)
        else:
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    private: PrivateKey
    source: str
    """Where it came from, for messages: a path or the environment variable name."""
    warnings: tuple[str, ...] = ()

    @property
    def public(self) -> PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    @property
    def algorithm(self) -> str:
        return algorithm(self.public)

    def sign(self, message: bytes) -> bytes:
        return sign_raw(self.private, message)


def generate(
    keyfile: Path,
    *,
    passphrase: bytes | None = None,
    force: bool = False,
    algorithm: str = ALGORITHMS[0],
) -> str:
    """Write KEYFILE (private, PKCS#8 PEM, mode 0600) and KEYFILE.pub; return the key id."""
    if algorithm not in ALGORITHMS:
        raise HandoverError(
            Finding(
                Location("--algorithm"),
                f"unknown key algorithm {algorithm!r}",
                hint="choose one of: " + ", ".join(ALGORITHMS),
            )
        )
    pub_file = keyfile.with_name(keyfile.name + ".pub")
    for path in (keyfile, pub_file):
        if path.exists() and not force:
            raise HandoverError(
                Finding(
                    Location(str(path)),
                    "refusing to overwrite an existing key file",
                    hint="choose another name, or pass --force",
                )
            )
    if not keyfile.parent.is_dir():
        # A new key folder is private to its owner, like ~/.ssh.
        keyfile.parent.mkdir(parents=True, mode=0o700)
    private: PrivateKey = (
        Ed25519PrivateKey.generate()
        if algorithm == "ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    write_atomic(keyfile, pem, mode=0o600)
    write_atomic(pub_file, public_pem(private.public_key()), mode=0o644)
    return key_id(private.public_key())


def _not_key(where: str, message: str, hint: str = "") -> HandoverError:
    return HandoverError(Finding(Location(where), message, hint=hint))


def load_private(
    data: bytes, source: str, passphrase: bytes | None, warnings: tuple[str, ...] = ()
) -> SigningKey:
    """A private Ed25519 or ECDSA P-256 key from PEM bytes; ``source`` names it in messages."""
    if b"PRIVATE KEY" not in data:
        raise _not_key(
            source,
            "not a PEM private key",
            hint="use the private key file written by 'handover keygen' (not the .pub)",
        )
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        if passphrase:
            raise _not_key(source, "a passphrase was given but the key is not encrypted") from None
        raise _not_key(
            source,
            "the private key is encrypted and no passphrase was given",
            hint="set HANDOVER_SIGNING_KEY_PASSPHRASE",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise _not_key(
            source,
            "cannot load the private key (wrong passphrase or malformed PEM)",
        ) from None
    if isinstance(key, Ed25519PrivateKey):
        return SigningKey(key, source, warnings)
    if isinstance(key, ec.EllipticCurvePrivateKey) and _is_p256(key):
        return SigningKey(key, source, warnings)
    raise _not_key(
        source,
        "not an Ed25519 or ECDSA P-256 private key",
        hint="make one with 'handover keygen' (--algorithm ecdsa-p256 for P-256)",
    )


def read_key_file(path: Path, what: str = "the key file") -> tuple[bytes, os.stat_result]:
    """The bytes of a key file, which must be a regular file of at most 64 KiB.

    Opened without blocking and checked before reading: ``/dev/zero`` would be read
    forever, a FIFO would block until someone writes to it."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _not_key(str(path), f"cannot read {what}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_key(
                str(path),
                f"{what} is not a regular file",
                hint="give the path of the PEM file written by 'handover keygen'",
            )
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_KEY_FILE_BYTES:
            chunk = os.read(fd, MAX_KEY_FILE_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _not_key(str(path), f"cannot read {what}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if total > MAX_KEY_FILE_BYTES:
        raise _not_key(str(path), f"{what} is larger than {MAX_KEY_FILE_BYTES} bytes")
    return b"".join(chunks), info


def load_private_file(path: Path, passphrase: bytes | None) -> SigningKey:
    data, info = read_key_file(path)
    warnings: tuple[str, ...] = ()
    if stat.S_IMODE(info.st_mode) & 0o077:
        warnings = (
            f"{path}: the private key is readable by other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); run 'chmod 600 {path}'",
        )
    return load_private(data, str(path), passphrase, warnings)


def load_from_env(
    var: str = "HANDOVER_SIGNING_KEY", passphrase_var: str = "HANDOVER_SIGNING_KEY_PASSPHRASE"
) -> tuple[SigningKey, Path | None] | None:
    """The key named by an environment variable: a path or the PEM itself (CI secrets).

    Returns ``None`` when the variable is unset or empty, else the key and its file
    (``None`` when the PEM came inline).
    """
    value = os.environ.get(var, "")
    if not value.strip():
        return None
    passphrase = os.environ.get(passphrase_var, "").encode() or None
    if value.lstrip().startswith(PEM_PRIVATE_MARK.decode()):
        return load_private(value.strip().encode() + b"\n", f"${var}", passphrase), None
    path = Path(value)
    if not path.exists():
        # Never echo the value: it might be a mangled secret.
        raise _not_key(
            f"${var}",
            "is neither a PEM private key nor the path of an existing file",
        )
    return load_private_file(path, passphrase), path


def load_public(path: Path) -> PublicKey:
    """An auditor's trust anchor: an Ed25519 or P-256 public key in PEM (SubjectPublicKeyInfo)."""
    data, _ = read_key_file(path, "the public key")
    if b"PRIVATE KEY" in data:
        raise _not_key(
            str(path),
            "this is a private key; verify with the public key",
            hint=f"use {path.name}.pub, written by 'handover keygen'",
        )
    key = parse_public(data)
    if key is None:
        raise _not_key(str(path), "not an Ed25519 or ECDSA P-256 public key in PEM format")
    return key


def parse_public(data: bytes) -> PublicKey | None:
    """An Ed25519 or P-256 public key from PEM, else None (other curves and RSA included)."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        return None
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and _is_p256(key):
        return key
    return None


def check_key_id(text: str, where: str = "--key-id") -> str:
    value = text.strip().lower()
    if not KEY_ID_PATTERN.fullmatch(value):
        raise _not_key(
            where,
            f"malformed key id {text!r}",
            hint="expected 'sha256:' and 64 hex digits, as printed by 'handover keygen'",
        )
    return value
