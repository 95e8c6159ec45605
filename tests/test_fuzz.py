"""Seeded, bounded fuzzing (issue 13, point 8): the manifest loader, the DSSE envelope
parser and the in-toto statement parser let only the project's own errors escape.

Structure-aware: documents are built from the valid base manifest and a valid statement,
with values swapped for dates (real and impossible), numbers (huge, inf, nan), deep
nesting, odd keys and control characters, then also mangled as text. Derandomized, so a
run is the same on every machine; example counts bound the time (about 30 s in all)."""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.signing import dsse, statement
from tests.conftest import FIXTURES

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BASE_TEXT = (FIXTURES / "bad" / "_base" / "model.yaml").read_text("utf-8")
BASE = yaml.safe_load(BASE_TEXT)

# --- values ---------------------------------------------------------------------------------

dates = st.one_of(
    st.dates().map(str),
    st.builds(
        lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
    st.sampled_from(["2026-02-30", "2024-13-45T99:99:99Z", "0000-00-00", "2026-11-31"]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**70, max_value=10**90),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([".inf", "-.inf", ".nan", "1e999", "0x" + "f" * 80, "9" * 5000]),
)
odd_text = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "Cc", "Cf")),
    max_size=30,
)
keys = st.one_of(
    st.sampled_from(["id", "owner", "path", "kind", "<<", "handover", "model", "x-", ""]),
    odd_text,
)
leaves = st.one_of(st.none(), st.booleans(), numbers, dates, odd_text)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


def nest(value: Any, depth: int) -> Any:
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Places in DATA to swap a value at (not inside values nested deep by an earlier swap)."""
    found = [path]
    if len(path) >= 8:
        return found
    if isinstance(data, dict):
        for key, item in data.items():
            found += paths(item, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += paths(item, (*path, index))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(copy[path[0]], path[1:], value)
    return copy


FRAGMENTS = [
    "[", "]", "{", "}", ": ", "- ", "\t", "\x00", "\x07", "\ufeff", "&a ", "*a", "<<: *a",
    "!!python/object:os.system", "!!binary", "? ", "|", ">-", "'", '"', "#", "---", "...",
    "%YAML 1.1\n", "1e999", ".nan", "0x" + "f" * 80, "9" * 5000, "2026-02-30", "\n  ",
    "[" * 300, "{a: " * 100, "\udcff",
]  # fmt: skip


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    """A manifest file: the base with a value swapped (maybe nested deep), written as YAML,
    then maybe mangled by text fragments at drawn places."""
    data: Any = BASE
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.sampled_from(paths(data)))
        value = draw(values)
        if draw(st.integers(0, 9)) == 0:
            value = nest(value, draw(st.integers(10, 200)))
        data = replaced(data, at, value)
    try:
        text = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False)
    except (yaml.YAMLError, RecursionError):
        text = BASE_TEXT
    for _ in range(draw(st.integers(0, 3))):
        spot = draw(st.integers(0, len(text)))
        text = text[:spot] + draw(st.sampled_from(FRAGMENTS)) + text[spot:]
    return text.encode("utf-8", "surrogateescape")


@settings(FUZZ, max_examples=400)
@given(files=st.lists(manifests(), min_size=1, max_size=2))
@example(files=[b"handover: 1\nx: " + b"9" * 5000])  # past Python's int-to-text limit
@example(files=[b"handover: 1\nx:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 800))])
@example(files=[b"handover: 1\nx: a\x00b\n"])
def test_the_manifest_loader_raises_only_handover_errors(files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "handover"
        folder.mkdir()
        for index, data in enumerate(files):
            (folder / f"part{index}.yaml").write_bytes(data)
        try:
            loaded = manifest.load(tmp)
        except HandoverError as exc:
            assert exc.findings
            for finding in exc.findings:
                str(finding)  # printable, whatever the input held
            return
        assert loaded.digest  # a manifest that loads can also be digested


# --- DSSE envelopes and statements -----------------------------------------------------------

HEX = "0" * 64


def valid_statement() -> dict[str, Any]:
    return {
        "_type": statement.STATEMENT_TYPE,
        "predicateType": statement.PREDICATE_TYPE,
        "subject": [{"name": "index.html", "digest": {"sha256": HEX}, "annotations": {"size": 10}}],
        "predicate": {
            "release": "1.0",
            "sequence": 2,
            "buildTime": "2026-11-26T10:00:00Z",
            "expires": "2027-11-26T10:00:00Z",
            "times": {"source": "2026-11-26T10:00:00Z", "signed": "2026-12-01T09:30:00Z"},
            "source": {"commit": "abc", "dirty": False},
            "previous": {"release": "0.9", "sequence": 1, "statementDigest": {"sha256": HEX}},
            "hashing": {"ignored": [statement.SIGNATURE_FILE]},
            "builder": {"name": "handover-docs"},
            "manifestDigest": {"sha256": HEX},
        },
    }


JSON_FRAGMENTS = [
    "[", "{", "}", "]", ",", ":", '"', "\\", "\\ud800", "NaN", "Infinity", "-0", "1e999",
    "9" * 5000, "[" * 3000, "\x00", "\ufeff", "null", "true",
]  # fmt: skip

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers.filter(lambda v: not isinstance(v, str)), dates,
              odd_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=4)
    ),
    max_leaves=10,
)  # fmt: skip


@st.composite
def json_documents(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    """BASE with values swapped (dates, numbers, nesting), as JSON, maybe mangled."""
    data: Any = base
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.sampled_from(paths(data)))
        value = draw(json_values)
        if draw(st.integers(0, 9)) == 0:
            value = nest(value, draw(st.integers(10, 900)))
        data = replaced(data, at, value)
    try:
        text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    except (ValueError, RecursionError):
        text = json.dumps(base)
    for _ in range(draw(st.integers(0, 2))):
        spot = draw(st.integers(0, len(text)))
        text = text[:spot] + draw(st.sampled_from(JSON_FRAGMENTS)) + text[spot:]
    return text.encode("utf-8", "surrogatepass")


def envelope_of(payload: bytes) -> dict[str, Any]:
    return {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": "application/vnd.in-toto+json",
        "signatures": [{"keyid": "sha256:" + HEX, "sig": base64.b64encode(b"s" * 64).decode()}],
    }


@settings(FUZZ, max_examples=400)
@given(data=st.one_of(json_documents(envelope_of(b"{}")), st.binary(max_size=200)))
@example(data=b'{"payload": ' + b"9" * 5000 + b"}")  # found by this test: was a ValueError
@example(data=b"[" * 100_000)
def test_the_envelope_parser_raises_only_envelope_errors(data: bytes) -> None:
    try:
        dsse.parse_envelope(data)
    except dsse.EnvelopeError:
        pass
    except ValueError as exc:  # EnvelopeError is a ValueError; anything else is a bug
        raise AssertionError(f"{type(exc).__name__} escaped: {exc}") from exc


@settings(FUZZ, max_examples=500)
@given(data=st.one_of(json_documents(valid_statement()), st.binary(max_size=200)))
@example(data=b'{"subject": ' + b"9" * 5000 + b"}")
@example(data=b"[" * 100_000)
def test_the_statement_parser_raises_only_statement_errors(data: bytes) -> None:
    try:
        statement.parse(data)
    except statement.StatementError:
        pass
    except ValueError as exc:
        raise AssertionError(f"{type(exc).__name__} escaped: {exc}") from exc


def test_the_valid_statement_here_parses() -> None:
    """The fuzzed statements start from one the parser accepts, so fuzzing reaches deep."""
    parsed = statement.parse(json.dumps(valid_statement()).encode())
    assert parsed.predicate.sequence == 2
