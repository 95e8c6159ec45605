"""Safe YAML loading: limits, encodings, and the source map."""

from __future__ import annotations

from pathlib import Path

import pytest

from handover_docs.errors import HandoverError
from handover_docs.yamlsource import MAX_FILE_BYTES, load_yaml


def test_values_and_keys_have_one_based_locations(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("a:\n  - b: 1\n    c: [x, y]\n")
    doc = load_yaml(path, "m.yaml")
    assert doc.data == {"a": [{"b": 1, "c": ["x", "y"]}]}
    assert str(doc.where.locate(("a", 0, "c", 1))) == "m.yaml:3:12"
    assert str(doc.where.locate(("a", 0, "c"), key=True)) == "m.yaml:3:5"


def test_dates_stay_as_written_and_merge_keys_work(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("base: &b {x: 1}\nitem:\n  <<: *b\n  when: 2026-01-02\n")
    assert load_yaml(path).data["item"] == {"x": 1, "when": "2026-01-02"}


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("x: " + "a" * (MAX_FILE_BYTES + 1))
    with pytest.raises(HandoverError, match=r"over the .* limit") as caught:
        load_yaml(path)
    assert "split it" in caught.value.findings[0].hint


def test_unsafe_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("x: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(HandoverError) as caught:
        load_yaml(path, "evil.yaml")
    assert str(caught.value.findings[0].location) == "evil.yaml:1:4"


def test_a_reload_reuses_unchanged_files_and_sees_every_edit(tmp_path: Path) -> None:
    """``mkdocs serve`` reloads every manifest after an edit to one: unchanged bytes give
    the same document; changed bytes (even of the same size, in the same second) do not."""
    path = tmp_path / "a.yaml"
    path.write_text("owner: alice\n", encoding="utf-8")
    first = load_yaml(path)
    assert load_yaml(path) is first
    stat = path.stat()
    path.write_text("owner: alfie\n", encoding="utf-8")  # same size
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time
    second = load_yaml(path)
    assert second is not first and second.data == {"owner": "alfie"}
    assert first.data == {"owner": "alice"}  # what was handed out is never changed
    path.write_text("owner: [unclosed\n", encoding="utf-8")
    with pytest.raises(HandoverError):
        load_yaml(path)
    with pytest.raises(HandoverError):  # an error is never cached as a document
        load_yaml(path)


def test_kept_parses_stay_within_their_byte_budget(tmp_path: Path) -> None:
    from handover_docs.yamlsource import _RecentParses

    recent = _RecentParses(budget=30)
    docs = {}
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"{name}: {'x' * 9}\n", encoding="utf-8")  # 13 bytes each
        docs[name] = load_yaml(path)
        recent.put((path, name), b"digest", 13, docs[name])
    assert recent.kept == 26 and [k[1] for k in recent.entries] == ["b", "c"]  # a dropped
    assert recent.get((tmp_path / "a.yaml", "a"), b"digest") is None
    assert recent.get((tmp_path / "c.yaml", "c"), b"other bytes") is None
    assert recent.get((tmp_path / "c.yaml", "c"), b"digest") is docs["c"]
    recent.put((tmp_path / "c.yaml", "c"), b"new", 5, docs["c"])  # replaced, not added
    assert recent.kept == 18
