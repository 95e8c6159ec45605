"""Read a signed release without the signing package: decode a DSSE envelope's statement.

A signed site carries a DSSE envelope (JSON with ``payloadType``, base64 ``payload`` and
``signatures``) whose payload is an in-toto Statement v1. The diff only compares what
two releases *claim*; ``handover verify`` is what checks the signatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handover_docs.errors import HandoverError

SIGNATURE_FILE = "handover-signature.json"
"""Where ``handover sign`` puts the envelope in a site (looked for first)."""

MAX_ENVELOPE_BYTES = 256 * 1024 * 1024
_SEARCH_DEPTH = 3


@dataclass(frozen=True)
class Release:
    """What a signed release states: its files and the predicate fields."""

    source: str
    envelope: Path
    statement_digest: str
    """sha256 of the payload bytes (what a later release names as its previous one)."""
    subjects: dict[str, str]
    """Site path to sha256."""
    predicate_type: str
    predicate: dict[str, Any]


def _decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"payload is not base64: {exc}") from None


def is_envelope(path: Path) -> bool:
    """A cheap test: a JSON file that starts like a DSSE envelope."""
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b'"payloadType"' in head or (b'"payload"' in head and b'"signatures"' in head)


def find_envelope(folder: Path) -> Path | None:
    """The DSSE envelope inside a site folder (searched a few levels deep), if any."""
    preferred = folder / SIGNATURE_FILE
    if is_envelope(preferred):
        return preferred
    found: list[Path] = []
    level = [folder]
    for _ in range(_SEARCH_DEPTH):
        nxt: list[Path] = []
        for current in level:
            try:
                entries = sorted(current.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    nxt.append(entry)
                elif is_envelope(entry):
                    found.append(entry)
        if found:
            return found[0]
        level = nxt
    return None


def read_release(path: Path, label: str = "") -> Release:
    """Read the envelope at ``path`` (a signature file or a signed site folder)."""
    envelope = find_envelope(path) if path.is_dir() else path
    if envelope is None:
        raise HandoverError(f"{path}: no DSSE signature envelope found in this folder", path)
    try:
        if envelope.stat().st_size > MAX_ENVELOPE_BYTES:
            raise HandoverError(f"{envelope}: signature file is too large", envelope)
        data = json.loads(envelope.read_text(encoding="utf-8"))
        payload = _decode(str(data["payload"]))
        statement = json.loads(payload)
        subjects = {
            str(s["name"]): str((s.get("digest") or {}).get("sha256", ""))
            for s in statement.get("subject") or []
        }
        predicate = statement.get("predicate") or {}
        if not isinstance(predicate, dict):
            raise ValueError("predicate is not an object")
    except HandoverError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise HandoverError(
            f"{envelope}: not a readable DSSE envelope with an in-toto statement ({exc})",
            envelope,
        ) from None
    return Release(
        source=label or str(path),
        envelope=envelope,
        statement_digest=hashlib.sha256(payload).hexdigest(),
        subjects=subjects,
        predicate_type=str(statement.get("predicateType", "")),
        predicate=predicate,
    )
