"""DSSE envelopes: the pre-authentication encoding (PAE), strict base64, strict JSON.

Hand-written on purpose: the PAE is a few spec-exact lines
(https://github.com/secure-systems-lab/dsse/blob/master/protocol.md), and a
verifier must control exactly what it accepts. Standard and URL-safe base64 are
both accepted (the spec requires it), with or without padding; anything else
(whitespace, mixed alphabets, non-canonical trailing bits) is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

PAYLOAD_TYPE = "application/vnd.in-toto+json"
MAX_SIGNATURES = 16
"""A signature file with more entries than this is refused as malformed."""

_STANDARD = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_URLSAFE = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class EnvelopeError(ValueError):
    """The signature file is not a well-formed DSSE envelope; the message says why."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSEv1 pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def b64encode(data: bytes) -> str:
    """Standard base64 with padding: what we write."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, what: str) -> bytes:
    """Decode standard or URL-safe base64, padded or not; refuse anything non-canonical."""
    if not isinstance(text, str):
        raise EnvelopeError(f"{what} is not a string")
    if _STANDARD.fullmatch(text):
        alphabet = "standard"
    elif _URLSAFE.fullmatch(text):
        alphabet = "urlsafe"
    else:
        raise EnvelopeError(f"{what} is not base64 (standard or URL-safe)")
    body = text.rstrip("=")
    if len(body) % 4 == 1 or (text != body and len(text) % 4 != 0):
        raise EnvelopeError(f"{what} has a malformed base64 length or padding")
    padded = body + "=" * (-len(body) % 4)
    try:
        if alphabet == "standard":
            data = base64.b64decode(padded, validate=True)
        else:
            data = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"{what} is not valid base64") from None
    canonical = base64.b64encode(data).decode("ascii").rstrip("=")
    if alphabet == "urlsafe":
        canonical = canonical.replace("+", "-").replace("/", "_")
    if canonical != body:
        raise EnvelopeError(f"{what} is non-canonical base64")
    return data


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]

    def pae(self) -> bytes:
        return pae(self.payload_type, self.payload)

    def to_json_bytes(self) -> bytes:
        """The signature file's bytes: stable key order, standard base64, trailing newline."""
        data = {
            "payload": b64encode(self.payload),
            "payloadType": self.payload_type,
            "signatures": [{"keyid": s.keyid, "sig": b64encode(s.sig)} for s in self.signatures],
        }
        return (json.dumps(data, indent=2) + "\n").encode("ascii")


def strict_json(data: bytes, what: str) -> Any:
    """Parse UTF-8 JSON, refusing duplicate keys, NaN/Infinity and a byte-order mark."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise EnvelopeError(f"{what} has the key '{key}' twice")
            result[key] = value
        return result

    def no_constant(name: str) -> Any:
        raise EnvelopeError(f"{what} holds {name}, which is not JSON")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise EnvelopeError(f"{what} is not UTF-8") from None
    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise EnvelopeError(f"{what} is not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise EnvelopeError(f"{what} is nested too deeply") from None
    except EnvelopeError:  # from the hooks above: a ValueError too, keep its message
        raise
    except ValueError:  # a number past Python's int-to-text limit (4,300 digits)
        raise EnvelopeError(f"{what} holds a number too large to read") from None


def parse_envelope(data: bytes) -> Envelope:
    """Parse a signature file strictly; raise EnvelopeError naming the first problem."""
    doc = strict_json(data, "the signature file")
    if not isinstance(doc, dict):
        raise EnvelopeError("the signature file is not a JSON object")
    missing = {"payload", "payloadType", "signatures"} - doc.keys()
    if missing:
        raise EnvelopeError("the signature file lacks " + ", ".join(sorted(missing)))
    unknown = doc.keys() - {"payload", "payloadType", "signatures"}
    if unknown:
        raise EnvelopeError("the signature file has unknown fields: " + ", ".join(sorted(unknown)))
    if not isinstance(doc["payloadType"], str):
        raise EnvelopeError("payloadType is not a string")
    payload = b64decode(doc["payload"], "payload")
    raw = doc["signatures"]
    if not isinstance(raw, list) or not raw:
        raise EnvelopeError("signatures must be a non-empty list")
    if len(raw) > MAX_SIGNATURES:
        raise EnvelopeError(f"too many signatures ({len(raw)} > {MAX_SIGNATURES})")
    signatures: list[Signature] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict) or "sig" not in entry:
            raise EnvelopeError(f"signatures[{index}] has no 'sig'")
        if set(entry) - {"sig", "keyid"}:
            raise EnvelopeError(f"signatures[{index}] has unknown fields")
        keyid = entry.get("keyid", "")
        if not isinstance(keyid, str):
            raise EnvelopeError(f"signatures[{index}].keyid is not a string")
        sig = Signature(keyid, b64decode(entry["sig"], f"signatures[{index}].sig"))
        if any(s.sig == sig.sig for s in signatures):
            raise EnvelopeError(f"signatures[{index}] repeats an earlier signature")
        signatures.append(sig)
    return Envelope(doc["payloadType"], payload, tuple(signatures))
