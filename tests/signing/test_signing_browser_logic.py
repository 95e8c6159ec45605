"""The audit page and its in-browser check: the JavaScript's inputs and logic, run under Node.

Node 20 has the same WebCrypto API (Ed25519 included) as Chromium >= 137, so the script's
pure functions run unchanged; one test also loads the page in headless Chromium. The test
of the page inside the built example site comes with the site tests.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from signing_helpers import Key, envelope, make_key, make_site, serve, sign, statement

from handover_docs.signing import remote
from handover_docs.signing.audit import VERIFY_JS_PATH, audit_page, verify_js
from handover_docs.signing.statement import KEY_FILE, PREDICATE_TYPE, SIGNATURE_FILE

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_js(tmp_path: Path, body: str, **inputs: Any) -> Any:
    """Load verify.js under Node, run BODY (async, may use INPUT), return what it prints as JSON."""
    script = tmp_path / "verify.js"
    script.write_text(verify_js())
    runner = tmp_path / "run.js"
    runner.write_text(
        f"require({json.dumps(str(script))});\n"
        "const V = globalThis.HandoverVerify;\n"
        f"const INPUT = {json.dumps(inputs)};\n"
        f"(async () => {{ {body} }})().catch(e => {{ console.error(e); process.exit(3); }});\n"
    )
    done = subprocess.run([str(NODE), str(runner)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


def test_the_script_uses_the_same_file_names_and_types_as_the_signer() -> None:
    js = verify_js()
    assert f'var SIGNATURE_FILE = "{SIGNATURE_FILE}";' in js
    assert f'var KEY_FILE = "{KEY_FILE}";' in js
    assert f'var PREDICATE_TYPE = "{PREDICATE_TYPE}";' in js
    assert 'var PAYLOAD_TYPE = "application/vnd.in-toto+json";' in js


def test_the_shipped_key_is_what_webcrypto_imports(tmp_path: Path, key: Key) -> None:
    """WebCrypto imports Ed25519 'spki' DER: the PEM body is exactly that; its hash is the id."""
    site = make_site(tmp_path / "site")
    sign(site, key)
    pem = (site / KEY_FILE).read_text()
    lines = pem.strip().splitlines()
    assert lines[0] == "-----BEGIN PUBLIC KEY-----" and lines[-1] == "-----END PUBLIC KEY-----"
    der = base64.b64decode("".join(lines[1:-1]))
    assert len(der) == 44 and der.startswith(bytes.fromhex("302a300506032b6570032100"))
    env = envelope(site)
    assert (
        len(base64.b64decode(env["signatures"][0]["sig"])) == 64
    )  # raw Ed25519, as WebCrypto wants
    assert statement(site)["subject"][0].keys() == {"name", "digest", "annotations"}


@needs_node
def test_the_script_verifies_our_signature_and_key_id(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key, release="7.0")
    env = (site / SIGNATURE_FILE).read_text()
    pem = (site / KEY_FILE).read_text()
    tampered = json.loads(env)
    tampered["payload"] = base64.b64encode(
        base64.b64decode(tampered["payload"]).replace(b'"7.0"', b'"7.1"')
    ).decode()
    urlsafe = json.loads(env)
    urlsafe["signatures"][0]["sig"] = (
        base64.urlsafe_b64encode(base64.b64decode(urlsafe["signatures"][0]["sig"]))
        .decode()
        .rstrip("=")
    )
    wrong_type = json.loads(env)
    wrong_type["payloadType"] = "application/json"
    out = run_js(
        tmp_path,
        "const r = [];"
        "for (const e of [INPUT.env, INPUT.tampered, INPUT.urlsafe, INPUT.wrongType]) {"
        "  const v = await V.verifyEnvelope(e, INPUT.pem);"
        "  r.push({ok: v.ok, keyId: v.keyId, error: v.error,"
        "          release: v.statement && v.statement.predicate.release});"
        "}"
        "console.log(JSON.stringify(r));",
        env=env,
        pem=pem,
        tampered=json.dumps(tampered),
        urlsafe=json.dumps(urlsafe),
        wrongType=json.dumps(wrong_type),
    )
    assert out[0] == {"ok": True, "keyId": key.key_id, "error": "", "release": "7.0"}
    assert out[1]["ok"] is False and "does not verify" in out[1]["error"]
    assert out[2]["ok"] is True
    assert out[3]["ok"] is False and "does not verify" in out[3]["error"]


@needs_node
def test_the_script_maps_paths_to_urls_like_the_cli(tmp_path: Path) -> None:
    names = [
        "index.html",
        "a/index.html",
        "a/b/page.html",
        "x y/#?.html",
        "r\u00e9sum\u00e9/index.html",
        "glossary/a b & c+d=e.html",
        "notindex.html",
        "dir/notindex.html",
    ]
    base = "https://h.example/docs/"
    out = run_js(
        tmp_path,
        "console.log(JSON.stringify(INPUT.names.map(n => V.pageUrl(INPUT.base, n))));",
        names=names,
        base=base,
    )
    assert out == [remote.page_url(base, n) for n in names]


@needs_node
def test_the_script_detects_an_injecting_host_and_walks_the_chain(tmp_path: Path, key: Key) -> None:
    v1 = make_site(tmp_path / "v1")
    sign(v1, key, release="1.0")
    site = make_site(tmp_path / "site")
    sign(site, key, release="2.0", previous=str(v1))
    stmt = statement(site)
    body = (
        "const checked = await V.checkSubjects(INPUT.base, INPUT.subjects, undefined, 3);"
        "const chain = await V.walkChain(INPUT.base, INPUT.stmt);"
        "console.log(JSON.stringify({bad: checked.filter(c => c.status !== 'ok'), chain}));"
    )
    with serve(site) as server:
        clean = run_js(tmp_path, body, base=server.url, subjects=stmt["subject"], stmt=stmt)
    with serve(site, mode="inject") as server:
        injected = run_js(tmp_path, body, base=server.url, subjects=stmt["subject"], stmt=stmt)
    assert clean["bad"] == []
    assert [(c["release"], c["sequence"], c["status"]) for c in clean["chain"]] == [
        ("1.0", 1, "linked")
    ]
    assert sorted(b["name"] for b in injected["bad"]) == [
        "about/index.html",
        "glossary/a b & c.html",
        "index.html",
        "model-card/index.html",
        "r\u00e9sum\u00e9/index.html",
    ]
    assert {b["status"] for b in injected["bad"]} == {"larger"}


def test_the_audit_page_says_how_to_verify_and_what_proves_trust(key: Key) -> None:
    page = audit_page(site_root="../", key_id=key.key_id, site_url="https://h.example/model/")
    assert f"handover verify https://h.example/model/ --key-id {key.key_id} --chain" in page
    assert f'<script src="../{VERIFY_JS_PATH}" defer></script>' in page
    assert '<div id="handover-verify" data-site-root="../">' in page
    assert "only a key id you obtained out of band and pinned above proves who\nsigned" in page
    assert "Chromium 137" in page


def test_the_audit_page_escapes_and_validates_its_inputs() -> None:
    page = audit_page(site_root="../../", site_url="javascript:alert(1)")
    assert "javascript:" not in page and "handover verify site/ --key-id sha256:KEY_ID" in page
    with pytest.raises(ValueError, match="site_root must be"):
        audit_page(site_root='"><script>x</script>')
    with pytest.raises(ValueError, match="malformed key id"):
        audit_page(key_id="sha256:<b>")


CHROMIUM = shutil.which("chromium")


def _render_audit_site(site: Path, key: Key) -> None:
    import markdown

    body = markdown.markdown(
        audit_page(site_root="../", key_id=key.key_id), extensions=["fenced_code"]
    )
    (site / "audit").mkdir()
    (site / "audit" / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    )
    script = site.joinpath(*VERIFY_JS_PATH.split("/"))
    script.parent.mkdir(parents=True)
    script.write_text(verify_js())


def _dump_dom(url: str, home: Path) -> str:
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "XDG_CACHE_HOME": str(home),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={home / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_audit_page_verifies_in_a_real_browser(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    _render_audit_site(site, key)
    sign(site, key, release="4.2")
    with serve(site) as server:
        dom = _dump_dom(f"{server.url}audit/?key-id={key.key_id}", tmp_path / "home")
        assert (
            "VERIFIED: 11 of 11 files match the signature. The key id matches the one you pinned."
            in dom
        )
        assert f"<td>{key.key_id}</td>" in dom and "<td>4.2 (sequence 1)</td>" in dom
        other = "sha256:" + "0" * 64
        dom = _dump_dom(f"{server.url}audit/?key-id={other}", tmp_path / "home1")
        assert (
            f"FAILED: the key id does NOT match the one you pinned ({other}). The 11 files "
            "match the key shipped in the site, which proves nothing about who signed it." in dom
        )
        (site / "about" / "index.html").write_bytes(b"<html>edited</html>\n")
        dom = _dump_dom(f"{server.url}audit/", tmp_path / "home2")
    assert (
        "FAILED: 1 of 11 files do not match the signature (listed below); 10 of 11 files "
        "match. No key id is pinned." in dom
    )
    assert "<li>modified: about/index.html (sha256 differs)</li>" in dom
