"""Who changed what and when, from git: per-page last change and the manifest's history.

Git is run as a subprocess (no library needed for ``git log``). When the folder is not
in a git work tree, git is missing, or the clone is shallow (where ``git log`` would
wrongly credit the boundary commit with every file), the functions return nothing and
:func:`history_unavailable` says why, so pages can show a clear note instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from handover_docs.git import run_git
from handover_docs.project import Project

_SEP = "\x1f"
_REC = "\x1e"
_FORMAT = f"{_REC}%H{_SEP}%h{_SEP}%an{_SEP}%ae{_SEP}%aI{_SEP}%s"


@dataclass(frozen=True)
class PageHistory:
    """The last commit that touched any of a page's source files."""

    commit: str
    short: str
    author: str
    email: str
    date: str
    """ISO 8601 author date."""
    subject: str
    uncommitted: bool = False
    """A source file has changes not yet committed."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """One commit of the manifest history."""

    commit: str
    short: str
    author: str
    email: str
    date: str
    subject: str
    files: tuple[str, ...] = field(default_factory=tuple)
    """Paths relative to the repository root."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = list(self.files)
        return data


def history_unavailable(folder: Path) -> str | None:
    """None when git history can be trusted for ``folder``; otherwise the reason it cannot."""
    folder = folder if folder.is_dir() else folder.parent
    inside = run_git(folder, "rev-parse", "--is-inside-work-tree")
    if inside.returncode == 127:
        return "history unavailable: git is not installed"
    if not inside.ok or inside.stdout.strip() != "true":
        return "history unavailable: not a git repository"
    shallow = run_git(folder, "rev-parse", "--is-shallow-repository")
    if shallow.stdout.strip() == "true":
        return (
            "history unavailable: shallow clone (fetch the full history, e.g. "
            "'git fetch --unshallow' or 'fetch-depth: 0' in CI)"
        )
    head = run_git(folder, "rev-parse", "--verify", "--quiet", "HEAD")
    if head.returncode != 0:
        return "history unavailable: no commits yet"
    return None


def repo_root(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, or None."""
    folder = folder if folder.is_dir() else folder.parent
    result = run_git(folder, "rev-parse", "--show-toplevel")
    return Path(result.stdout.strip()) if result.ok else None


def _records(text: str) -> Iterable[list[str]]:
    for record in text.split(_REC):
        if record.strip():
            yield record.split("\n")


def _relative(top: Path, root: Path, path: Path) -> str | None:
    absolute = path if path.is_absolute() else root / path
    try:
        return absolute.resolve().relative_to(top).as_posix()
    except ValueError:
        return None


def _folder_specs(top: Path, wanted: Mapping[str, object]) -> list[str]:
    """Pathspecs of the folders holding the wanted paths (git matches 1,000 file specs slowly;
    a few folders are fast, and the names are filtered exactly afterwards)."""
    folders = {
        rel if rel == "" or (top / rel).is_dir() else rel.rpartition("/")[0] for rel in wanted
    }
    kept: list[str] = []
    for folder in sorted(folders, key=lambda f: (f.count("/"), f)):
        if not any(k == "" or folder == k or folder.startswith(k + "/") for k in kept):
            kept.append(folder)
    return [f":(top,literal){k}" if k else ":(top)." for k in kept]


def page_histories(
    root: Path, pages: Mapping[str, Sequence[Path]]
) -> dict[str, PageHistory | None]:
    """The last change of many pages at once (page name to its source files or folders).

    Source paths are relative to ``root`` (or absolute). One ``git log`` and one
    ``git status`` serve all pages, so the cost stays flat as the site grows.
    """
    result: dict[str, PageHistory | None] = {page: None for page in pages}
    top = repo_root(root)
    if top is None or history_unavailable(root) is not None:
        return result
    top = top.resolve()
    wanted: dict[str, list[str]] = {}
    for page, paths in pages.items():
        for path in paths:
            rel = _relative(top, root, path)
            if rel is not None:
                wanted.setdefault("" if rel == "." else rel, []).append(page)
    if not wanted:
        return result
    specs = _folder_specs(top, wanted)
    log = run_git(top, "-c", "core.quotepath=off", "log", f"--format={_FORMAT}", "--name-only",
               "--no-renames", "--", *specs)  # fmt: skip
    if log.returncode != 0:
        return result
    folders = sorted((rel for rel in wanted if rel == "" or (top / rel).is_dir()), key=len)
    last: dict[str, PageHistory] = {}
    for lines in _records(log.stdout):
        commit, short, author, email, date, subject = (lines[0].split(_SEP) + [""] * 6)[:6]
        entry = PageHistory(commit, short, author, email, date, subject)
        for name in (line for line in lines[1:] if line):
            for rel in [name, *(f for f in folders if f == "" or name.startswith(f + "/"))]:
                for page in wanted.get(rel, ()):
                    last.setdefault(page, entry)
        if len(last) == len(pages):
            break
    status = run_git(top, "-c", "core.quotepath=off", "status", "--porcelain", "--", *specs)
    dirty: set[str] = set()
    for line in status.stdout.splitlines():
        name = line[3:].split(" -> ")[-1].strip('"').rstrip("/")
        for rel in [name, *(f for f in folders if f == "" or name.startswith(f + "/"))]:
            dirty.update(wanted.get(rel, ()))
    for page, entry in last.items():
        result[page] = replace(entry, uncommitted=page in dirty)
    return result


def page_history(root: Path, paths: Sequence[Path]) -> PageHistory | None:
    """The last change to any of ``paths`` (a page's sources), or None when unknown."""
    return page_histories(root, {"page": paths})["page"]


def manifest_history(project: Project, limit: int = 50) -> list[Change]:
    """The last ``limit`` commits touching the manifest folder (newest first); [] if unknown."""
    if history_unavailable(project.manifests) is not None:
        return []
    top = repo_root(project.manifests)
    if top is None:
        return []
    log = run_git(
        top,
        "log",
        f"--max-count={max(limit, 1)}",
        f"--format={_FORMAT}",
        "--name-only",
        "--no-renames",
        "--",
        str(project.manifests.resolve()),
    )
    if log.returncode != 0:
        return []
    changes = []
    for lines in _records(log.stdout):
        fields = lines[0].split(_SEP)
        files = tuple(line for line in lines[1:] if line.strip())
        commit, short, author, email, date, subject = (fields + [""] * 6)[:6]
        changes.append(Change(commit, short, author, email, date, subject, files=files))
    return changes
