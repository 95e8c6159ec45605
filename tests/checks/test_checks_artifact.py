"""Artifact checks: local files, folders, file:// and http:// URIs, passing and failing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from checks_fixtures import Project, item, sha256

from handover_docs.checks.hashing import hash_file

DATA = b"a,b,target\n1,2,0\n3,4,1\n"


def artifact(ident: str, **fields: object) -> dict[str, object]:
    return {"id": ident, "name": ident, "kind": "dataset", **fields}


def test_local_file_passes_and_records_measured_vs_expected(project: Project) -> None:
    project.write("data/d.csv", DATA)
    project.manifest(
        artifacts=[artifact("data", path="data/d.csv", sha256=sha256(DATA), size=len(DATA))],
        checklist=[item("integrity", {"kind": "artifact", "artifact": "data"})],
    )
    result = project.check()
    assert result.returncode == 0, result.stdout + result.stderr
    record = json.loads(project.evidence.read_text())["checks"]["integrity"]
    assert record["status"] == "pass"
    assert {c["name"]: c["measured"] for c in record["comparisons"]} == {
        "sha256": sha256(DATA),
        "size": len(DATA),
    }


def test_tampered_file_fails_naming_the_artifact(project: Project) -> None:
    project.write("data/d.csv", DATA)
    project.manifest(
        artifacts=[artifact("training-data", path="data/d.csv", sha256=sha256(DATA))],
        checklist=[item("integrity", {"kind": "artifact", "artifact": "training-data"})],
    )
    project.write("data/d.csv", DATA.replace(b"3,4,1", b"3,4,0"))
    result = project.check()
    assert result.returncode == 1
    assert "artifact 'training-data' (data/d.csv): sha256 differs" in result.stdout
    record = json.loads(project.evidence.read_text())["checks"]["integrity"]
    assert record["status"] == "fail"
    assert record["comparisons"][0]["expected"] == sha256(DATA)


def test_size_mismatch_alone_fails(project: Project) -> None:
    project.write("w.bin", b"1234")
    project.manifest(
        artifacts=[artifact("w", path="w.bin", size=5)],
        checklist=[item("size-check", {"kind": "artifact", "artifact": "w"})],
    )
    result = project.check()
    assert result.returncode == 1
    assert "size 4 bytes, inventory says 5" in result.stdout


def test_missing_file_is_a_clear_failure_not_a_traceback(project: Project, tmp_path: Path) -> None:
    gone = tmp_path / "store" / "gone.csv"
    project.manifest(
        artifacts=[artifact("data", uri=gone.as_uri(), sha256=sha256(DATA))],
        checklist=[item("integrity", {"kind": "artifact", "artifact": "data"})],
    )
    result = project.check()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert f"artifact 'data': no such file: {gone}" in result.stdout


def test_missing_local_path_is_a_validation_error(project: Project) -> None:
    project.manifest(
        artifacts=[artifact("data", path="data/none.csv", sha256=sha256(DATA))],
        checklist=[item("integrity", {"kind": "artifact", "artifact": "data"})],
    )
    result = project.check()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "artifacts[0].path: no such file 'data/none.csv'" in result.stderr


def test_uri_file_scheme(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "store" / "model weights.bin"
    outside.parent.mkdir()
    outside.write_bytes(b"weights" * 1000)
    project.manifest(
        artifacts=[
            artifact("w", uri=outside.as_uri(), sha256=sha256(b"weights" * 1000), size=7000)
        ],
        checklist=[item("w-ok", {"kind": "artifact", "artifact": "w"})],
    )
    assert project.check().returncode == 0
    outside.write_bytes(b"other")
    result = project.check()
    assert result.returncode == 1
    assert "sha256 differs" in result.stdout


def test_uri_http_passes_and_fails(project: Project, http_root: tuple[Path, str]) -> None:
    folder, base = http_root
    body = bytes(range(256)) * 4096  # 1 MiB
    (folder / "model.bin").write_bytes(body)
    project.manifest(
        artifacts=[
            artifact("remote", uri=f"{base}/model.bin", sha256=sha256(body), size=len(body)),
            artifact("gone", uri=f"{base}/missing.bin", sha256=sha256(body)),
        ],
        checklist=[
            item("remote-ok", {"kind": "artifact", "artifact": "remote"}),
            item("gone-fails", {"kind": "artifact", "artifact": "gone"}),
        ],
    )
    result = project.check("--json")
    assert result.returncode == 1
    report = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert report["remote-ok"]["status"] == "pass"
    assert report["gone-fails"]["status"] == "fail"
    assert "HTTP 404" in report["gone-fails"]["message"]
    (folder / "model.bin").write_bytes(body[:-1] + b"\x00")
    result = project.check("--only", "remote-ok")
    assert result.returncode == 1
    assert "artifact 'remote'" in result.stdout


def test_unreachable_scheme_fails_with_a_hint(project: Project) -> None:
    project.manifest(
        artifacts=[artifact("s3", uri="s3://bucket/key", sha256="0" * 64)],
        checklist=[item("s3-check", {"kind": "artifact", "artifact": "s3"})],
    )
    result = project.check()
    assert result.returncode == 1
    assert "cannot fetch 's3:' URIs" in result.stdout


def test_nothing_recorded_fails(project: Project) -> None:
    project.write("x.txt", "x")
    project.manifest(
        artifacts=[artifact("x", path="x.txt")],
        checklist=[item("x-check", {"kind": "artifact", "artifact": "x"})],
    )
    result = project.check()
    assert result.returncode == 1
    assert "records neither sha256 nor size" in result.stdout


def test_folder_digest_matches_the_documented_sha256sum_recipe(project: Project) -> None:
    project.write("code/a.py", "print('a')\n")
    project.write("code/sub/b.py", "print('b')\n")
    project.write("code/__pycache__/a.cpython-311.pyc", b"\x00cache")
    recipe = subprocess.run(
        "find . -type f -not -path '*/__pycache__/*' | LC_ALL=C sort | sed 's#^\\./##' "
        "| xargs sha256sum | sha256sum",
        shell=True,
        cwd=project.root / "code",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    project.manifest(
        artifacts=[artifact("code", path="code", sha256=recipe)],
        checklist=[item("code-check", {"kind": "artifact", "artifact": "code"})],
    )
    result = project.check()
    assert result.returncode == 0, result.stdout
    project.write("code/sub/b.py", "print('B')\n")
    assert project.check().returncode == 1


def test_unknown_artifact_is_a_validation_error_with_location(project: Project) -> None:
    project.manifest(
        artifacts=[artifact("data", path="x.csv")],
        checklist=[item("integrity", {"kind": "artifact", "artifact": "dta"})],
    )
    project.write("x.csv", "x")
    result = project.check()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = next(ln for ln in result.stderr.splitlines() if "unknown reference 'dta'" in ln)
    assert line.startswith("handover/checks.yaml:")
    file_, lineno, col = line.split(":")[:3]
    source = (project.root / file_).read_text().splitlines()[int(lineno) - 1]
    assert source[int(col) - 1 :].startswith("dta")
    assert "did you mean 'data'?" in line


def test_streamed_hash_reports_progress_up_to_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    data = b"x" * (9 * 1024 * 1024 + 7)
    path.write_bytes(data)
    seen: list[tuple[int, int | None]] = []
    digest = hash_file(path, lambda done, total: seen.append((done, total)))
    assert digest.sha256 == sha256(data)
    assert digest.size == len(data)
    assert len(seen) == 3
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
