"""URI fields take only safe schemes; numbers are finite; check env names never name secrets.

Each case is a real manifest validated by the real CLI: it must exit 2 with the value's
``file:line:col`` and say what to write instead, and the JSON Schema must agree.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from handover_docs import manifest
from handover_docs.errors import HandoverError
from handover_docs.schema import json_schema, uri_scheme
from handover_docs.yamlsource import load_yaml
from tests.conftest import FIXTURES, run_cli

BASE = FIXTURES / "bad" / "_base" / "model.yaml"

HOSTILE_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "javascript&#58;alert(1)",
    "&#x6A;avascript:alert(1)",
    "javascript&amp;#58;alert(1)",
    "file:///etc/passwd",
    "s3://bucket/key",
]
"""Refused in a link field: script and data schemes however spelled, and store schemes."""

HIDDEN_BY_CONTROLS = [" javascript:alert(1)", "\tjavascript:alert(1)", "java\tscript:alert(1)"]
"""Leading spaces, tabs and control characters: refused as malformed before any scheme."""


def project(tmp_path: Path, body: str) -> Path:
    manifests = tmp_path / "handover"
    manifests.mkdir()
    shutil.copy(BASE, manifests / "_base.yaml")
    (manifests / "case.yaml").write_text("handover: 1\n" + body, encoding="utf-8")
    return tmp_path


def validate(root: Path) -> str:
    """The findings of loading ``root`` (in this process, from its folder), one a line."""
    cwd = Path.cwd()
    os.chdir(root)
    try:
        manifest.load(root)
    except HandoverError as exc:
        return "\n".join(str(f) for f in exc.findings)
    finally:
        os.chdir(cwd)
    raise AssertionError("the manifest was accepted")


def accepted(root: Path) -> None:
    manifest.load(root)


def validate_cli(root: Path) -> str:
    result = run_cli(["validate"], cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def session(value: str) -> str:
    return f"sessions:\n  - id: kt\n    title: KT\n    date: 2026-11-01\n    recording: {value}\n"


def quoted(value: str) -> str:
    """A YAML double-quoted scalar holding ``value`` exactly (tabs and controls escaped)."""
    out = "".join(c if c.isprintable() and c not in '"\\' else f"\\x{ord(c):02x}" for c in value)
    return f'"{out}"'


@pytest.mark.parametrize("value", HOSTILE_LINKS + HIDDEN_BY_CONTROLS)
def test_a_link_field_refuses_unsafe_schemes_at_their_location(tmp_path: Path, value: str) -> None:
    err = validate(project(tmp_path, session(quoted(value))))
    line = next(ln for ln in err.splitlines() if "sessions[0].recording" in ln)
    assert line.startswith("handover/case.yaml:6:16: error: sessions[0].recording: ")
    assert (
        "use http, https, mailto or a relative path" in line or "white space or a control" in line
    )


def test_the_repository_cited_in_the_issue_is_refused_with_a_hint(tmp_path: Path) -> None:
    manifests = tmp_path / "handover"
    manifests.mkdir()
    text = BASE.read_text(encoding="utf-8")
    text = text.replace(
        "  owners: [alice]\n", '  owners: [alice]\n  repository: "javascript:alert(1)"\n'
    )
    (manifests / "model.yaml").write_text(text, encoding="utf-8")
    line_no = text.splitlines().index('  repository: "javascript:alert(1)"') + 1
    err = validate_cli(tmp_path)
    assert (
        f"handover/model.yaml:{line_no}:15: error: model.repository: URI scheme 'javascript:' "
        "is not allowed here (in 'javascript:alert(1)'): use http, https, mailto or a relative path"
    ) in err


@pytest.mark.parametrize(
    "value", ["https://git.example.org/fraud", "mailto:ops@example.org", "docs/runbook.md", "../x"]
)
def test_safe_links_and_relative_paths_are_accepted(tmp_path: Path, value: str) -> None:
    accepted(project(tmp_path, session(quoted(value))))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("s3://models/fraud/v3.pkl", True),
        ("gs://models/v3.pkl", True),
        ("hf://acme/fraud-v3", True),
        ("az://container/v3.pkl", True),
        ("file:///srv/models/v3.pkl", True),
        ("https://models.example.org/v3.pkl", True),
        ("javascript:alert(1)", False),
        ("data:,x", False),
        ("models/v3.pkl", False),  # a repository file goes in 'path'
    ],
)
def test_artifact_locations_may_use_object_store_schemes(
    tmp_path: Path, value: str, ok: bool
) -> None:
    body = f"artifacts:\n  - id: w2\n    name: W\n    kind: weights\n    uri: {quoted(value)}\n"
    root = project(tmp_path, body)
    if ok:
        accepted(root)
    else:
        assert "handover/case.yaml:6:10: error: artifacts[1].uri: " in validate(root)


@pytest.mark.parametrize(
    ("check", "where", "message"),
    [
        ("timeout: .inf", "10:16", "timeout: expected a finite number, got inf"),
        ("timeout: 1.0e+300", "10:16", "timeout: expected less than or equal to 604800"),
        ("expect: {acc: {value: .nan}}", "10:29", "expect.acc.value: expected a finite number"),
        (
            "expect: {acc: {value: 1, abs_tol: .inf}}",
            "10:41",
            "expect.acc.abs_tol: expected a finite number",
        ),
    ],
)
def test_numbers_must_be_finite_and_bounded(
    tmp_path: Path, check: str, where: str, message: str
) -> None:
    body = (
        "checklist:\n  - id: c\n    title: C\n    owner: alice\n    acceptance: ok\n"
        f"    check:\n      kind: command\n      run: 'true'\n      {check}\n"
        "      metrics_file: m.json\n"
    )
    err = validate_cli(project(tmp_path, body))
    assert f"handover/case.yaml:{where}: error: checklist[0].check.{message}" in err, err


def test_a_metric_or_threshold_that_is_nan_is_refused(tmp_path: Path) -> None:
    body = (
        "experiments:\n  - id: e\n    name: E\n    metrics: {auc: .nan}\n"
        "monitoring:\n  drift:\n    - {id: d, metric: auc, baseline: -.inf, warn: 0.1, fail: 0.2}\n"
    )
    err = validate(project(tmp_path, body))
    assert "handover/case.yaml:5:20: error: experiments[0].metrics.auc: expected a finite" in err
    assert "handover/case.yaml:8:38: error: monitoring.drift[0].baseline: expected a finite" in err


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("HANDOVER_SIGNING_KEY", "holds a signing secret and is never passed to a check"),
        ("handover_signing_key_passphrase", "holds a signing secret"),
        ("NOT A NAME", "is not an environment variable name"),
    ],
)
def test_a_check_cannot_declare_the_signing_variables(
    tmp_path: Path, name: str, message: str
) -> None:
    body = (
        "checklist:\n  - id: c\n    title: C\n    owner: alice\n    acceptance: ok\n"
        f"    check:\n      kind: command\n      run: 'true'\n      env: [HF_HOME, {name}]\n"
    )
    err = validate(project(tmp_path, body))
    assert "handover/case.yaml:10:22: error: checklist[0].check.env[1]: " in err, err
    assert message in err


def test_the_json_schema_agrees_on_links_and_env_names(tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    good = project(tmp_path, "")  # reuse the base as a valid document
    base = load_yaml(good / "handover" / "_base.yaml").data
    assert not list(validator.iter_errors(base))
    for value in ["javascript:alert(1)", "JaVaScRiPt:x", "data:,x", " javascript:x", "a:b"]:
        doc = {**base, "model": {**base["model"], "repository": value}}
        assert list(validator.iter_errors(doc)), value
    for value in ["https://x.org/r", "mailto:a@b.org", "docs/r.md", "HTTPS://X.ORG"]:
        doc = {**base, "model": {**base["model"], "repository": value}}
        assert not list(validator.iter_errors(doc)), value
    check = {"kind": "command", "run": "x", "env": ["Handover_Signing_Key"]}
    item = {"id": "c", "title": "C", "owner": "alice", "acceptance": "ok", "check": check}
    assert list(validator.iter_errors({**base, "checklist": [item]}))


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        ("javascript:x", "javascript"),
        ("\x00\x1f java\tscr\nipt:x", "javascript"),
        ("&#106;avascript&colon;x", "javascript"),
        ("HTTPS://x", "https"),
        ("docs/a:b", ""),
        ("./a:b", ""),
    ],
)
def test_uri_scheme_reads_the_scheme_as_a_browser_does(value: str, scheme: str) -> None:
    assert uri_scheme(value) == scheme
