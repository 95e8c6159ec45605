"""Keys, the CLI, safety (atomic writes, key placement) and the plugin's post-build hook."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from signing_helpers import check, make_key, make_site, run_cli, sign

from handover_docs.errors import HandoverError
from handover_docs.signing import keys
from handover_docs.signing.site_hook import sign_built_site


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path: Path) -> None:
    done = run_cli("keygen", str(tmp_path / "release-key"))
    assert done.returncode == 0, done.stderr
    private, public = tmp_path / "release-key", tmp_path / "release-key.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    der = serialization.load_pem_public_key(public.read_bytes()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_id = "sha256:" + hashlib.sha256(der).hexdigest()
    assert f"key id {key_id}" in done.stdout
    assert "PRIVATE" not in done.stdout + done.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left
    again = run_cli("keygen", str(private))
    assert again.returncode == 2
    assert "refusing to overwrite an existing key file" in again.stderr
    assert "Traceback" not in again.stderr


def test_an_encrypted_key_needs_its_passphrase(tmp_path: Path) -> None:
    env = {"HANDOVER_SIGNING_KEY_PASSPHRASE": "correct horse"}
    assert run_cli("keygen", str(tmp_path / "k"), "--encrypt", env=env).returncode == 0
    assert b"ENCRYPTED PRIVATE KEY" in (tmp_path / "k").read_bytes()
    site = make_site(tmp_path / "site")
    ok = run_cli("sign", str(site), "--key", str(tmp_path / "k"), env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    wrong = run_cli(
        "sign",
        str(site),
        "--key",
        str(tmp_path / "k"),
        cwd=tmp_path,
        env={"HANDOVER_SIGNING_KEY_PASSPHRASE": "wrong"},
    )
    assert wrong.returncode == 2
    assert "cannot load the private key (wrong passphrase or malformed PEM)" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_sign_and_verify_from_the_command_line(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    evidence = tmp_path / "evidence.json"
    evidence.write_text('{"checks": []}')
    done = run_cli(
        "sign",
        str(site),
        "--key",
        str(key.private),
        "--release",
        "1.4.0",
        "--expires-in",
        "90",
        "--site-url",
        "https://handover.example/",
        "--evidence",
        str(evidence),
        "--json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["key_id"] == key.key_id and result["sequence"] == 1 and result["files"] == 9
    done = run_cli(
        "verify", str(site), "--key", str(key.public), "--site-url", "https://handover.example/"
    )
    assert done.returncode == 0, done.stdout
    assert f"signer key    {key.key_id} (trusted)" in done.stdout
    assert "release       1.4.0 (sequence 1)" in done.stdout
    assert (
        f"evidence      sha256:{hashlib.sha256(evidence.read_bytes()).hexdigest()}" in done.stdout
    )
    (site / "extra.js").write_text("x")
    done = run_cli("verify", str(site), "--key", str(key.public), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["problems"] == [
        {"kind": "extra", "message": "in the site but not signed", "path": "extra.js"}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "nowhere"], "no trust anchor: give --key PUBFILE or --key-id ID"),
        (["verify", "nowhere", "--key-id", "sha256:abc"], "malformed key id 'sha256:abc'"),
        (["verify", "nowhere", "--key-id", "sha256:" + "a" * 64], "no such site folder: nowhere"),
        (["verify", ".", "--key", "missing.pub"], "cannot read the public key"),
        (["sign", "nowhere", "--key", "missing"], "cannot read the key file"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_refuses_a_private_key_as_trust_anchor(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    sign(site, key)
    done = run_cli("verify", str(site), "--key", str(key.private))
    assert done.returncode == 2
    assert "this is a private key; verify with the public key" in done.stderr


def test_a_failed_signing_keeps_the_good_signature(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    sign(site, key, release="1")
    good = (site / "handover-signature.json").read_bytes()
    (site / "new.html").write_text("new page")
    (site / "bad-link").symlink_to("/etc/hostname")
    with pytest.raises(HandoverError):
        sign(site, key, release="2")
    with pytest.raises(HandoverError, match="no such previous release"):
        sign(site, key, release="2", previous=str(tmp_path / "nope.json"))
    with pytest.raises(HandoverError, match="not above the previous release's 1"):
        sign(site, key, sequence=1, previous=str(site))
    assert (site / "handover-signature.json").read_bytes() == good
    leftovers = [p.name for p in site.rglob(".*")]
    assert leftovers == []


def test_a_signature_is_replaced_atomically(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    sign(site, key)
    before = (site / "handover-signature.json").stat().st_ino
    (site / "index.html").write_text("<html>v2</html>")
    sign(site, key)
    after = site / "handover-signature.json"
    assert after.stat().st_ino != before  # a new file renamed into place, not rewritten in place
    assert check(site, key).ok


def test_a_key_inside_the_site_or_docs_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    inside = make_key(site / "secrets")
    with pytest.raises(HandoverError, match="refusing a private key inside the site folder"):
        from handover_docs.signing.sign import SignOptions, sign_site

        sign_site(site, inside.signing, SignOptions(), key_file=inside.private)
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "handover").mkdir()
    docs_key = make_key(project / "docs" / "keys")
    other_site = make_site(tmp_path / "site2")
    done = run_cli("sign", str(other_site), "--key", str(docs_key.private), cwd=project)
    assert done.returncode == 2
    assert "refusing a private key inside the docs folder" in done.stderr
    assert not (other_site / "handover-signature.json").exists()


def test_a_private_key_readable_by_others_is_warned_about(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    key.private.chmod(0o644)
    site = make_site(tmp_path / "site")
    done = run_cli("sign", str(site), "--key", str(key.private), cwd=tmp_path)
    assert done.returncode == 0
    assert "the private key is readable by other users (mode 0644)" in done.stderr
    assert "BEGIN" not in done.stdout + done.stderr


def test_site_hook_does_nothing_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HANDOVER_SIGNING_KEY", raising=False)
    site = make_site(tmp_path / "site")
    assert (
        sign_built_site(
            site,
            project_root=tmp_path,
            manifest_digest="a" * 64,
            evidence_digest=None,
            site_url=None,
        )
        is None
    )
    assert not (site / "handover-signature.json").exists()


@pytest.mark.parametrize("form", ["path", "pem"])
def test_site_hook_signs_with_a_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    key = make_key(tmp_path / "keys")
    value = str(key.private) if form == "path" else key.private.read_text()
    monkeypatch.setenv("HANDOVER_SIGNING_KEY", value)
    monkeypatch.delenv("HANDOVER_SIGNING_KEY_PASSPHRASE", raising=False)
    site = make_site(tmp_path / "site")
    result = sign_built_site(
        site,
        project_root=tmp_path,
        manifest_digest="b" * 64,
        evidence_digest="c" * 64,
        site_url="https://handover.example/",
        release="0.3.0",
    )
    assert result is not None and result.key_id == key.key_id
    verdict = check(site, key)
    assert (
        verdict.ok and verdict.manifest_sha256 == "b" * 64 and verdict.evidence_sha256 == "c" * 64
    )
    assert verdict.release == "0.3.0"


def test_site_hook_never_echoes_a_mangled_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HANDOVER_SIGNING_KEY", "MC4CAQAwBQYDK2VwBCIEIsecretsecret")
    with pytest.raises(HandoverError) as caught:
        sign_built_site(
            make_site(tmp_path / "s"),
            project_root=tmp_path,
            manifest_digest="a" * 64,
            evidence_digest=None,
            site_url=None,
        )
    assert "secretsecret" not in str(caught.value)
    assert "$HANDOVER_SIGNING_KEY: error: is neither a PEM private key nor the path" in str(
        caught.value
    )


def test_key_ids_are_sha256_of_the_der_public_key(tmp_path: Path) -> None:
    key = make_key(tmp_path)
    der = key.signing.public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert len(der) == 44 and der[:12] == bytes.fromhex("302a300506032b6570032100")
    assert (
        keys.key_id(key.signing.public) == "sha256:" + hashlib.sha256(der).hexdigest() == key.key_id
    )


def test_a_write_failure_is_a_clear_error_and_keeps_the_old_signature(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    sign(site, key)
    good = (site / "handover-signature.json").read_bytes()
    (site / "handover-signing-key.pub").unlink()
    (site / "handover-signing-key.pub").mkdir()  # a folder in the way of a file the signer adds
    done = run_cli("sign", str(site), "--key", str(key.private), cwd=tmp_path)
    assert done.returncode == 2
    assert "handover-signing-key.pub: error: cannot sign: handover-signing-key.pub is a folder" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    assert (site / "handover-signature.json").read_bytes() == good
    assert not [p for p in site.rglob(".*.tmp")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expires-in", "0"], "--expires-in: error: must be a number of days from 0 to 36500"),
        (["--expires-in", "1e12"], "must be a number of days"),
        (["--site-url", "handover.example"], "not an http(s) URL: 'handover.example'"),
        (["--sequence", "0"], "the sequence number must be 1 or more"),
        (["--evidence", "nope.json"], "cannot read the evidence"),
        (["--manifest", "nowhere"], "no such file or folder: nowhere"),
    ],
)
def test_bad_sign_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    done = run_cli("sign", str(site), "--key", str(key.private), *args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (site / "handover-signature.json").exists()


def test_sign_records_the_example_manifest_digest_and_model_version(tmp_path: Path) -> None:
    from handover_docs import manifest

    repo = Path(__file__).resolve().parents[2]
    loaded = manifest.load(repo)
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    done = run_cli("sign", str(site), "--key", str(key.private), "--manifest", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["release"] == loaded.handover.model.version
    verdict = check(site, key)
    assert verdict.ok and verdict.manifest_sha256 == loaded.digest
    assert verdict.commit is not None and len(verdict.commit) == 40  # the repo's HEAD


def test_a_bad_state_file_is_bad_input(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys")
    site = make_site(tmp_path / "site")
    sign(site, key)
    state = tmp_path / "state.json"
    state.write_text("[1, 2]")
    done = run_cli("verify", str(site), "--key", str(key.public), "--state", str(state))
    assert done.returncode == 2
    assert "not a handover verify state file (version 1)" in done.stderr
    done = run_cli(
        "verify", str(site), "--key", str(key.public), "--state", str(tmp_path / "no" / "s.json")
    )
    assert done.returncode == 2
    assert "no such folder for the state file" in done.stderr
