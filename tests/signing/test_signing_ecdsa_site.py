"""The example handover site, built by MkDocs and signed with an ECDSA P-256 key through
``HANDOVER_SIGNING_KEY``: the OpenSSF ``model_signing`` CLI and ``handover verify`` accept it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handover_docs.signing import keys

pytest.importorskip("model_signing", reason="the model-signing package (dev extra)")
REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_model_signing_accepts_the_ecdsa_signed_example_site(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "site-key"
    keys.generate(key, algorithm="ecdsa-p256")
    site = tmp_path / "site"
    built = _run(
        "-m", "mkdocs", "build", "-d", str(site),
        env={"HANDOVER_SIGNING_KEY": str(key), "SOURCE_DATE_EPOCH": "1767225600"},
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    assert (site / "model.sig").is_file() and (site / "handover-signature.json").is_file()
    pub = str(key) + ".pub"
    ms = ["-m", "model_signing", "verify", "key", str(site), "--signature", str(site / "model.sig")]
    done = _run(*ms, "--public_key", pub)
    assert done.returncode == 0, done.stdout + done.stderr
    ours = _run("-m", "handover_docs", "verify", str(site), "--key", pub)
    assert ours.returncode == 0, ours.stdout
    assert "model-signing bundle) verified" in ours.stdout
    (site / "index.html").write_bytes((site / "index.html").read_bytes() + b"<!-- edit -->")
    done = _run(*ms, "--public_key", pub)
    # model_signing prints a list's repr: its quotes are escaped when a digest holds a '"'
    said = (done.stdout + done.stderr).replace("\\'", "'")
    assert done.returncode != 0 and "Hash mismatch for 'index.html'" in said
    ours = _run("-m", "handover_docs", "verify", str(site), "--key", pub)
    assert ours.returncode == 1 and "index.html" in ours.stdout
