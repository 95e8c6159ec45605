"""Hostile sites and inputs for sign and verify: a located message and exit 2 (bad input) or
exit 1 (a site that fails verification), never a traceback, never a hang, and nothing
untrusted reaches the terminal raw."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from signing_helpers import Key, make_key, make_site, resign, run_cli, sign, statement

from handover_docs.signing import keys
from handover_docs.signing.hashing import MAX_DEPTH


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return make_key(tmp_path / "keys")


def _deep(site: Path, depth: int) -> Path:
    """A chain of DEPTH one-letter folders under SITE, made relative to stay under PATH_MAX."""
    here = os.getcwd()
    try:
        os.chdir(site)
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("deep.html").write_text("deep")
    finally:
        os.chdir(here)
    return site


def _undeep(site: Path) -> None:
    """Remove the chain again, deepest first (shutil.rmtree recurses once per level)."""
    here = os.getcwd()
    try:
        os.chdir(site)
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for name in os.listdir("."):
            os.unlink(name)
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


def _clean(done: object) -> None:
    out = getattr(done, "stdout", "") + getattr(done, "stderr", "")
    assert "Traceback" not in out


def test_a_1200_deep_folder_is_refused_by_sign_and_reported_by_verify(
    tmp_path: Path, key: Key
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    _deep(site, 1200)
    try:
        done = run_cli("sign", str(site), "--key", str(key.private), cwd=tmp_path)
        _clean(done)
        assert done.returncode == 2, done.stderr
        assert f"error: cannot sign: folders nested deeper than {MAX_DEPTH}" in done.stderr
        assert f"{site}/d/d/d/" in done.stderr  # located at the folder where the limit is hit
        done = run_cli("verify", str(site), "--key", str(key.public), cwd=tmp_path)
        _clean(done)
        assert done.returncode == 1, done.stdout
        assert "unsafe-name: d/d/d/d/d/d/d/d/d/d/" in done.stdout
        assert f"folders nested deeper than {MAX_DEPTH}" in done.stdout
    finally:
        _undeep(site)


def test_a_signature_file_that_is_a_folder(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    (site / "handover-signature.json").mkdir()
    (site / "handover-signature.json" / "x").write_text("x")
    done = run_cli("sign", str(site), "--key", str(key.private), cwd=tmp_path)
    _clean(done)
    assert done.returncode == 2
    assert (
        f"{site}/handover-signature.json: error: cannot sign: handover-signature.json is a folder"
        in done.stderr
    )
    done = run_cli("verify", str(site), "--key", str(key.public), cwd=tmp_path)
    _clean(done)
    assert done.returncode == 1
    assert "no-signature: cannot read handover-signature.json: a folder" in done.stdout


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("buildTime", "2026-02-30T00:00:00Z"),
        ("buildTime", "2024-13-45T99:99:99Z"),
        ("expires", "2026-02-30T00:00:00Z"),
        ("expires", "2024-13-45T99:99:99Z"),
        ("expires", "2026-01-01T00:00:00+00:00"),
    ],
)
def test_a_signed_time_that_is_not_a_real_time_is_refused(
    tmp_path: Path, key: Key, field: str, value: str
) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    stmt = statement(site)
    stmt["predicate"][field] = value
    resign(site, key, stmt)
    done = run_cli("verify", str(site), "--key", str(key.public), "--json", cwd=tmp_path)
    _clean(done)
    assert done.returncode == 1
    assert f"predicate.{field} '{value}' is not a real UTC time" in done.stdout


@pytest.mark.parametrize("value", ["999999999999", "-5", "1e9", "9" * 400])
def test_an_out_of_range_source_date_epoch_is_bad_input(
    tmp_path: Path, key: Key, value: str
) -> None:
    site = make_site(tmp_path / "site")
    done = run_cli(
        "sign", str(site), "--key", str(key.private), cwd=tmp_path, env={"SOURCE_DATE_EPOCH": value}
    )
    _clean(done)
    assert done.returncode == 2
    assert "$SOURCE_DATE_EPOCH: error: " in done.stderr
    assert not (site / "handover-signature.json").exists()


def test_an_expiry_past_the_year_9999_is_bad_input(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    env = {"SOURCE_DATE_EPOCH": "253402000000"}
    done = run_cli(
        "sign", str(site), "--key", str(key.private), "--expires-in", "30", cwd=tmp_path, env=env
    )
    _clean(done)
    assert done.returncode == 2
    assert "--expires-in: error: the expiry would fall after the year 9999" in done.stderr


def test_non_utf8_file_names_are_refused_and_printed_safely(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    bad = os.fsencode(site) + b"/caf\xe9.html"
    env = {"PYTHONIOENCODING": "utf-8"}
    with open(bad, "wb") as handle:
        handle.write(b"latin-1 name")
    done = run_cli("sign", str(site), "--key", str(key.private), cwd=tmp_path, env=env)
    _clean(done)
    assert done.returncode == 2
    assert "caf\\udce9.html: error: cannot sign: file name is not valid UTF-8" in done.stderr
    os.unlink(bad)
    sign(site, key)
    with open(bad, "wb") as handle:
        handle.write(b"added after signing")
    for extra in ([], ["--json"]):
        done = run_cli("verify", str(site), "--key", str(key.public), *extra, env=env)
        _clean(done)
        assert done.returncode == 1
        assert "caf\\udce9.html" in done.stdout
        assert "file name is not valid UTF-8" in done.stdout


def test_key_files_must_be_small_regular_files(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big.pem"
    big.write_bytes(b"-----BEGIN PRIVATE KEY-----\n" + b"A" * (keys.MAX_KEY_FILE_BYTES + 10))
    cases = [
        ("sign", "/dev/zero", "/dev/zero: error: the key file is not a regular file"),
        ("sign", str(fifo), f"{fifo}: error: the key file is not a regular file"),
        ("sign", str(tmp_path), f"{tmp_path}: error: the key file is not a regular file"),
        ("sign", str(big), f"{big}: error: the key file is larger than 65536 bytes"),
        ("verify", "/dev/zero", "/dev/zero: error: the public key is not a regular file"),
        ("verify", str(fifo), f"{fifo}: error: the public key is not a regular file"),
    ]
    # A writer that would unblock a blocking read of the FIFO is never needed: a hang shows
    # as the helper's timeout, a read of /dev/zero as memory exhaustion.
    for command, keyfile, message in cases:
        done = run_cli(command, str(site), "--key", keyfile, cwd=tmp_path)
        _clean(done)
        assert done.returncode == 2, (command, keyfile, done.stderr)
        assert message in done.stderr
    env = {"HANDOVER_SIGNING_KEY": str(fifo)}
    from handover_docs.errors import HandoverError
    from handover_docs.signing.site_hook import sign_built_site

    old = dict(os.environ)
    os.environ.update(env)
    try:
        outcome: list[BaseException | None] = []

        def attempt() -> None:
            try:
                sign_built_site(
                    site,
                    project_root=tmp_path,
                    manifest_digest="a" * 64,
                    evidence_digest=None,
                    site_url=None,
                )
                outcome.append(None)
            except BaseException as exc:  # recorded and checked below
                outcome.append(exc)

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(60)
        assert not worker.is_alive(), "loading a FIFO as the signing key blocked"
        assert isinstance(outcome[0], HandoverError)
        assert "not a regular file" in str(outcome[0])
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_escape_sequences_in_file_names_never_reach_the_terminal(tmp_path: Path, key: Key) -> None:
    site = make_site(tmp_path / "site")
    sign(site, key)
    hostile = "x\x1b[2J\x1b[H\rVERIFIED: all good\x07.html"
    (site / hostile).write_text("planted")
    done = run_cli("verify", str(site), "--key", str(key.public))
    _clean(done)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and "\r" not in done.stdout and "\x07" not in done.stdout
    assert done.stdout.startswith("FAILED: ")
    assert not [line for line in done.stdout.splitlines() if line.startswith("VERIFIED")]
    assert "x\\x1b[2J\\x1b[H\\x0dVERIFIED: all good\\x07.html" in done.stdout
    # A release label and site URL are signer text: shown escaped too.
    stmt = statement(site)
    stmt["predicate"]["release"] = "1\x1b[2J\nVERIFIED"
    resign(site, key, stmt)
    (site / hostile).unlink()
    done = run_cli("verify", str(site), "--key", str(key.public))
    assert done.returncode == 0, done.stdout
    assert "\x1b" not in done.stdout
    assert "release       1\\x1b[2J\\nVERIFIED (sequence 1)" in done.stdout
