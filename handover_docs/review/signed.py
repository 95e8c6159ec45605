"""Read what a signed release claims: its files and predicate, for ``handover diff``.

The envelope is parsed by the signing package's own strict reader (which needs no
cryptography); the statement is read leniently, since the diff only compares what two
releases *claim* (older predicate versions included): ``handover verify`` is what checks
the signatures and the statement's every rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handover_docs.errors import HandoverError
from handover_docs.signing.dsse import EnvelopeError, parse_envelope, strict_json
from handover_docs.signing.statement import SIGNATURE_FILE

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
        payload = parse_envelope(envelope.read_bytes()).payload
        statement = strict_json(payload, "the statement")
        if not isinstance(statement, dict):
            raise EnvelopeError("the statement is not a JSON object")
        subjects = {
            str(s["name"]): str((s.get("digest") or {}).get("sha256", ""))
            for s in statement.get("subject") or []
        }
        predicate = statement.get("predicate") or {}
        if not isinstance(predicate, dict):
            raise EnvelopeError("predicate is not an object")
    except HandoverError:
        raise
    except (OSError, EnvelopeError, KeyError, TypeError, AttributeError) as exc:
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
